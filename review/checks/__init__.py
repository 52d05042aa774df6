"""The automated compliance gate: nothing reaches a reviewer or a platform without passing it."""

from review.checks.gate import CHECK_NAMES, check_reply_text, run_gate
from review.checks.lexicons import Lexicons, default_lexicons, load_lexicons
from review.checks.normalize import Normalized, normalize
from review.checks.personal_data import mask_text
from review.checks.types import CheckResult, Evidence, GateInput, GateReport, GateTarget, Verdict
from review.checks.wording import LexiconError

__all__ = [
    "CHECK_NAMES",
    "CheckResult",
    "Evidence",
    "GateInput",
    "GateReport",
    "GateTarget",
    "LexiconError",
    "Lexicons",
    "Normalized",
    "Verdict",
    "check_reply_text",
    "default_lexicons",
    "load_lexicons",
    "mask_text",
    "normalize",
    "run_gate",
]

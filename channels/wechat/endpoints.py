"""Which WeChat OA calls can put something in public: the one table that decides whether a failed
call (5xx, timeout, broken connection) may be sent again.

Publishing is draft → ``freepublish/submit`` (or ``message/mass/sendall``). Only the last step
publishes; a draft, an uploaded image or cover and a token are visible to nobody, so when one of
them fails the whole publish is ``NotSent`` and the engine simply sends it again after backoff.

A retried ``draft/add`` whose first answer was lost (the platform saved the draft, we timed out)
leaves an orphan draft in the account's draft box, and a lost ``material/add_material`` answer an
orphan permanent image. We accept both and do not delete them: we never learnt their
``media_id`` (``draft/delete`` needs it), finding them would cost a ``draft/batchget`` walk per
retry, the draft box is private, and at most one orphan is left per failed attempt (bounded by
the retry limit) against quotas in the thousands. Staff may clear them in the back office.
"""

from __future__ import annotations

from collections.abc import Mapping

from channels.base import CallEffect

#: endpoint (as passed to ``WeChatAPI.call``) → what it can do in public
EFFECTS: Mapping[str, CallEffect] = {
    "cgi-bin/stable_token": CallEffect.PRIVATE,
    "media/uploadimg": CallEffect.PRIVATE,
    "material/add_material": CallEffect.PRIVATE,
    "draft/add": CallEffect.PRIVATE,
    "freepublish/submit": CallEffect.PUBLIC,
    # reaches followers; clientmsgid is not relied on to make a blind resend harmless
    "message/mass/sendall": CallEffect.PUBLIC,
    "freepublish/delete": CallEffect.PUBLIC,
    "message/mass/delete": CallEffect.PUBLIC,
    "message/custom/send": CallEffect.PUBLIC,
    "freepublish/get": CallEffect.READ,
    "freepublish/batchget": CallEffect.READ,
    "message/mass/get": CallEffect.READ,
}

#!/usr/bin/env bash
# Development only (before the first release): regenerate the single initial migration from models.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f bot/migrations/versions/*.py /tmp/nmb_regen.db
python - <<'PY'
from alembic import command
from bot.migrate import alembic_config
cfg = alembic_config("sqlite:////tmp/nmb_regen.db")
command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
PY
ruff format bot/migrations/versions >/dev/null

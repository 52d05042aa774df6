"""``python -m bot`` does what the ``newmedia`` console script does."""

from bot.cli import main

raise SystemExit(main())

"""``python -m beckon`` is the same as the ``beckon`` command."""

from beckon.cli import main

raise SystemExit(main())

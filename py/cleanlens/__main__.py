"""``python -m cleanlens``: the command line (see :mod:`cleanlens.cli`)."""

from .cli import main

raise SystemExit(main())

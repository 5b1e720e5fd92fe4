"""`python -m analysis`: the command line."""

from .cli import main

raise SystemExit(main())

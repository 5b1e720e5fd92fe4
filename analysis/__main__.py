"""`python -m analysis`: the command line."""

import gc

from .cli import main

status = main()
gc.freeze()  # the interpreter's last garbage collections at exit skip what is left (half a second after a run)
raise SystemExit(status)

"""`python -m gategrad`: the `gategrad` command."""

import sys

from .cli import main

sys.exit(main())

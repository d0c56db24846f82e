"""`python -m ppl`."""

from __future__ import annotations

import sys

from ppl.cli import main

sys.exit(main())

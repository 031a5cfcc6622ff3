"""``python -m scenarios``: the same as the ``scenarios`` console script."""

import sys

from scenarios.cli import main

sys.exit(main())

"""`python -m workstation` does what the `workstation` console script does."""

import sys

from workstation.cli import main

sys.exit(main())

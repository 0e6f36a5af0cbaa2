"""``python -m symbp`` runs the command line."""

import sys

from symbp.cli import main

sys.exit(main())

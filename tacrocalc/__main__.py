"""`python -m tacrocalc`."""

import sys

from tacrocalc.app import main

sys.exit(main())

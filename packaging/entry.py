"""The frozen executable's entry point: the same `main` as `tacrocalc` and `python -m tacrocalc`."""

import sys

from tacrocalc.app import main

if __name__ == "__main__":
    sys.exit(main())

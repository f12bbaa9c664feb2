"""`python -m app` runs the command line (the GUI by default)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())

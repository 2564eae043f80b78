"""Entry point: ``python -m tests.emulator``."""

import sys

from tests.emulator.server import main

if __name__ == '__main__':
    sys.exit(main())

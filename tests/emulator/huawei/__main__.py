"""Entry point: ``python -m tests.emulator.huawei``."""

import sys

from tests.emulator.huawei.app import main

if __name__ == '__main__':
    sys.exit(main())

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Loaded by Python at start-up when this folder is on PYTHONPATH: with IMS_TRACE_FILES set, it records the
collection's files whose functions the process called from the module's ``main()`` on (imports, class bodies and
what they call left out), and writes them there at exit.

tests/integration/test_seam.py runs a module this way to see which files one task crosses."""

import atexit
import os
import sys
import threading

_OUT = os.environ.get('IMS_TRACE_FILES')
# Functions, methods, lambdas and comprehensions: code objects with optimized locals (class bodies and modules have none).
CO_OPTIMIZED = 0x1
_MARK = os.sep + os.path.join('cecloud', 'ims', 'plugins') + os.sep

if _OUT:
    _seen = set()
    _started = []

    def _profile(frame, event, arg):  # pylint: disable=unused-argument
        if event == 'call' and frame.f_code.co_flags & CO_OPTIMIZED:
            path = frame.f_code.co_filename
            if _MARK in path:
                relative = path.split(_MARK, 1)[1]
                if not _started and frame.f_code.co_name == 'main' and relative.startswith('modules' + os.sep):
                    _started.append(relative)
                if _started:
                    _seen.add(relative)

    def _write():
        with open(_OUT, 'w') as handle:
            handle.write(''.join(path + '\n' for path in sorted(_seen)))

    sys.setprofile(_profile)
    threading.setprofile(_profile)
    atexit.register(_write)

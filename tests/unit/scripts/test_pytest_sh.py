# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/pytest.sh, what `make units` and `make integration` run: a run that tested nothing fails."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys

from tests.conftest import REPO

SCRIPT = os.path.join(REPO, 'scripts', 'pytest.sh')


def run(directory, *args):
    env = dict(os.environ, VENV=os.path.dirname(os.path.dirname(sys.executable)))
    env.pop('PYTEST_ADDOPTS', None)
    return subprocess.run([SCRIPT, str(directory), '-p', 'no:cacheprovider', '-q'] + list(args), env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_passing_test_passes(tmp_path):
    (tmp_path / 'test_one.py').write_text('def test_one():\n    pass\n')
    proc = run(tmp_path)
    assert proc.returncode == 0 and '1 passed' in proc.stdout, proc.stdout + proc.stderr


def test_no_test_collected_fails(tmp_path):
    (tmp_path / 'test_one.py').write_text('def test_one():\n    pass\n')
    for proc in (run(tmp_path, '-k', 'nothing_is_called_this'), run(tmp_path / 'no-such-folder')):
        assert proc.returncode == 5 and 'FAILED' in proc.stderr, proc.stdout + proc.stderr

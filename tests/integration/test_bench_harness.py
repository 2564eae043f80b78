# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transfer benchmark's harness, run for real at a tiny size (``--quick``): every column of the table is
computed from the runs, in both placements. Only the harness is checked: speeds are never asserted."""

from __future__ import absolute_import, division, print_function

import json
import os
import subprocess

import pytest

from tests.bench import _measure
from tests.integration.conftest import BIN, REPO


def test_quick_cecloud_benchmark_fills_every_column(tmp_path):
    rows_file = str(tmp_path / 'rows.json')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(REPO, 'build', 'collections'), REPO]))
    proc = subprocess.run([os.path.join(BIN, 'python'), os.path.join(REPO, 'tests', 'bench', 'bench_transfer.py'), '--quick',
                           '--json', rows_file, '--workdir', str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(rows_file, encoding='utf-8') as handle:
        rows = json.load(handle)
    placements = _measure.placements('both')
    assert [(r['path'], r['placement']) for r in rows] == [
        (path, placement) for placement in placements for path in ('CECloud upload', 'CECloud download')]
    for row in rows:
        assert row['size_gib'] == pytest.approx(_measure.QUICK_SIZE_GIB, rel=1e-3) and row['runs'] == 1
        assert row['module_mib_s'] > 0 and row['peer_mib_s'] > 0
        assert row['ratio'] == pytest.approx(row['module_mib_s'] / row['peer_mib_s'])
        # The peer's CPU is its transfer call's; the module's its process's less the 1 MiB run's (never below 0).
        assert row['peer_cpu_gib'] > 0 and row['module_cpu_gib'] >= 0 and row['digest_cpu_gib'] > 0
        assert row['cpu_limit_gib'] == pytest.approx((row['peer_cpu_gib'] + row['digest_cpu_gib']) * (1 + _measure.CPU_MARGIN))
        # A Python process with boto3 or requests imported holds more than 20 MiB; the RSS is the child's own.
        assert 20 < row['peer_rss'] < 400 and 20 < row['module_rss'] < 400
        assert row['ratio_met'] == (row['ratio'] >= row['goal_ratio'] == 0.90)
        assert row['cpu_met'] == (row['module_cpu_gib'] <= row['cpu_limit_gib'])
        assert row['rss_met'] == (row['module_rss'] <= _measure.RSS_LIMIT_MIB)
    table = proc.stdout[proc.stdout.index('| path |'):].splitlines()
    assert len(table) == 2 + len(rows) and all(line.count('|') == len(_measure.COLUMNS) + 1 for line in table)
    assert 'load average (1, 5, 15 min): before ' in proc.stdout

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmarks' shared measuring (tests/bench/_measure.py): the table's arithmetic, the goals, and what a
child process is measured at. Speeds are never asserted (tests/integration/test_bench_harness.py runs a benchmark)."""

from __future__ import absolute_import, division, print_function

import argparse
import os
import subprocess
import sys

import pytest

from tests.bench import _measure
from tests.bench._measure import GIB, MIB

# A child that holds 80 MiB, then spends at least 0.3 s of CPU, 0.15 s in each of two threads, then prints its JSON
# line. The memory is touched before the CPU is spent: the peak is polled, so it must last while the poller looks
# (allocated last, it lived only the few milliseconds before exit, and a loaded machine's poll missed it).
BURNER = '''
import json, threading, time
held = bytearray(80 * 1024 * 1024)
held[::4096] = b'x' * len(held[::4096])
def spin():
    end = time.thread_time() + 0.15
    while time.thread_time() < end:
        pass
threads = [threading.Thread(target=spin) for _ in range(2)]
[t.start() for t in threads]
[t.join() for t in threads]
print('noise')
print(json.dumps({"held": len(held)}))
'''


def test_row_takes_the_best_run_and_checks_each_goal():
    size = GIB
    # (seconds, client CPU seconds, peak RSS MiB) per run: best throughput and CPU, worst RSS.
    module = [(10.0, 3.0, 60.0), (8.0, 3.5, 90.0)]
    peer = [(9.0, 1.0, 50.0), (7.0, 1.2, 40.0)]
    row = _measure.row('CECloud upload', 'shared', size, module, peer, 1.5, 0.90, 'boto3 upload_file')
    assert row['module_mib_s'] == pytest.approx(1024 / 8.0)
    assert row['peer_mib_s'] == pytest.approx(1024 / 7.0)
    assert row['ratio'] == pytest.approx(7.0 / 8.0)
    assert row['module_cpu_gib'] == pytest.approx(3.0) and row['peer_cpu_gib'] == pytest.approx(1.0)
    assert row['cpu_limit_gib'] == pytest.approx((1.0 + 1.5) * 1.15)
    assert row['module_rss'] == 90.0 and row['peer_rss'] == 50.0
    assert row['ratio_met'] is False        # 0.875 < 0.90
    assert row['cpu_met'] is False          # 3.0 > 2.875
    assert row['rss_met'] is True
    met = _measure.row('Glance download', 'pinned', size // 2, [(1.0, 0.5, 101.0)], [(1.3, 0.4, 40.0)], 0.5, 1.2, 'sdk')
    assert met['module_cpu_gib'] == pytest.approx(1.0)      # per GiB: half a GiB took 0.5 s
    assert (met['ratio_met'], met['cpu_met'], met['rss_met']) == (True, True, False)
    info = _measure.row('resume', 'shared', size, module, peer, 1.5, None, 'uninterrupted', cpu_goal=False)
    assert (info['ratio_met'], info['cpu_met'], info['cpu_limit_gib']) == (None, None, None)


def test_the_big_run_rss_joins_its_path_and_its_goal():
    rows = [_measure.row(path, 'shared', GIB, [(1.0, 1.0, 50.0)], [(1.0, 1.0, 50.0)], 1.0, 0.9, 'p')
            for path in ('upload', 'download')]
    big = [_measure.row('download', 'shared', 4 * GIB, [(4.0, 4.0, 120.0)], [(4.0, 4.0, 50.0)], 1.0, 0.9, 'p')]
    _measure.merge_big(rows, big)
    assert 'module_rss_big' not in rows[0] and rows[0]['rss_met'] is True
    assert rows[1]['module_rss_big'] == 120.0 and rows[1]['rss_met'] is False


def test_table_has_one_cell_per_column_and_marks_a_missed_goal():
    rows = [_measure.row('CECloud download', 'pinned', GIB, [(4.0, 3.0, 48.0)], [(2.0, 1.0, 31.0)], 1.4, 0.9, 'plain GET')]
    lines = _measure.table(rows)
    assert len(lines) == 3
    cells = [cell.strip() for cell in lines[2].strip('|').split('|')]
    assert len(cells) == len(_measure.COLUMNS) == len(lines[0].strip('|').split('|'))
    named = dict(zip([name for name, _cell in _measure.COLUMNS[:8]], cells[:8]))
    assert named['module MiB/s'] == '256.0' and named['peer MiB/s'] == '512.0' and named['ratio'] == '0.50'
    assert named['goal'] == '>= 0.90' and named['met'] == '**NO**'
    assert cells[11] == '<= %.2f' % ((1.0 + 1.4) * 1.15) and cells[12] == '**NO**'
    assert cells[-2] == '-' and cells[-1] == 'yes'


def test_a_row_with_its_own_rss_goal_says_it():
    # 120 MiB: over the table's 100 MiB goal, within a row's own 150 (a replication's); the cell names the row's.
    own = _measure.row('replicate', 'shared', GIB, [(1.0, 1.0, 120.0)], [(1.0, 1.0, 50.0)], 1.0, 1.3, 'p', rss_limit=150)
    assert own['rss_met'] is True and _measure.table([own])[2].rstrip(' |').endswith('yes (<= 150)')
    big = [_measure.row('replicate', 'shared', 4 * GIB, [(4.0, 4.0, 160.0)], [(4.0, 4.0, 50.0)], 1.0, 1.3, 'p')]
    assert _measure.merge_big([own], big)[0]['rss_met'] is False
    table = _measure.row('upload', 'shared', GIB, [(1.0, 1.0, 120.0)], [(1.0, 1.0, 50.0)], 1.0, 0.9, 'p')
    assert table['rss_met'] is False and _measure.table([table])[2].rstrip(' |').endswith('**NO**')


def test_measured_child_cpu_of_every_thread_and_its_own_peak_rss():
    run = _measure.measured([sys.executable, '-c', BURNER], dict(os.environ))
    assert run.result == {'held': 80 * MIB}
    assert run.cpu >= 0.25, run.cpu         # both threads' CPU, from wait4
    assert 80 <= run.rss < 200, run.rss     # VmHWM of the child alone, not of this (larger or smaller) process
    with pytest.raises(SystemExit, match='failed'):
        _measure.measured([sys.executable, '-c', 'import sys; print("{}"); sys.exit(3)'], dict(os.environ))
    assert _measure.measured([sys.executable, '-c', 'import sys; sys.exit(3)'], dict(os.environ),
                             allow_failure=True).result['failed']


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason='pinning needs two cores')
def test_pinned_placement_moves_the_servers_and_the_client():
    server = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])  # pylint: disable=consider-using-with
    try:
        with _measure.Placement('pinned') as place:
            assert server.pid in place.servers
            assert os.sched_getaffinity(server.pid) == {_measure.SERVER_CPU}
            client = _measure.measured([sys.executable, '-c', 'import json, os; print(json.dumps({"cpus": sorted(os.sched_getaffinity(0))}))'],
                                       dict(os.environ), place.client)
        assert os.sched_getaffinity(server.pid) == os.sched_getaffinity(0)
    finally:
        server.kill()
        server.wait()
    assert client.result == {'cpus': [_measure.CLIENT_CPU]}


def test_digest_pass_and_disk_check(tmp_path):
    path = str(tmp_path / 'data')
    _measure.make_file(path, 3 * MIB + 5)
    assert os.path.getsize(path) == 3 * MIB + 5
    assert 0 < _measure.digest_cpu_per_gib(path) < 60
    parser = argparse.ArgumentParser()
    _measure.add_arguments(parser)
    args = _measure.parse(parser, ['--quick', '--big'])
    assert (args.size_gib, args.runs, args.big) == (_measure.QUICK_SIZE_GIB, 1, False)
    _measure.check_disk(str(tmp_path), args, 1)
    args = _measure.parse(parser, ['--size-gib', '100000', '--big'])
    with pytest.raises(SystemExit, match='not enough disk.*without --big'):
        _measure.check_disk(str(tmp_path), args, 1)

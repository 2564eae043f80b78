# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every transfer benchmark, one after the other, and ONE table of their rows (what ``make bench`` runs).

    make bench                              # 1 GiB, best of 3, shared and pinned placements
    make bench BENCH_ARGS=--quick           # 16 MiB, one run: exercises the harness, measures nothing
    make bench BENCH_ARGS='--runs 1 --big'  # one run, and a 4 GiB run of each path for the peak RSS
    PYTHONPATH=build/collections:. .venv/bin/python tests/bench/bench_all.py --only cecloud,glance --runs 1

Each benchmark (tests/bench/bench_*.py, each runnable alone) runs in a process of its own with the same
options and writes its rows; their output is shown as it comes, then the table, with the machine's load
average before and after the whole run and the time it took. Options after the ones below go to every
benchmark (see any of them with --help).
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from tests.bench import _measure  # noqa: E402  pylint: disable=wrong-import-position

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHMARKS = {
    'cecloud': 'bench_transfer.py',
    'glance': 'bench_glance.py',
    'huaweicloud': 'bench_huaweicloud_upload.py',
    'resume': 'bench_resume.py',
    'replicate': 'bench_replicate.py',
}
SDK_BENCHMARKS = ('glance', 'replicate')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--only', default=','.join(BENCHMARKS),
                        help='comma-separated benchmarks to run, of %s (default all)' % ', '.join(BENCHMARKS))
    parser.add_argument('--json', help='also write the rows to this file')
    parser.add_argument('--sdk-python', help="the openstacksdk venv's Python, for the Glance and replication benchmarks (their default otherwise)")
    args, passed = parser.parse_known_args(argv)
    chosen = [name.strip() for name in args.only.split(',') if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        parser.error('unknown benchmark(s): %s' % ', '.join(unknown))
    loads = [_measure.load()]
    started = time.time()
    rows = []
    with tempfile.TemporaryDirectory(prefix='ims-bench-all-') as folder:
        for name in chosen:
            out = os.path.join(folder, name + '.json')
            print('== %s (%s %s)' % (name, BENCHMARKS[name], ' '.join(passed)))
            sys.stdout.flush()
            own = ['--sdk-python', args.sdk_python] if name in SDK_BENCHMARKS and args.sdk_python else []
            subprocess.run([sys.executable, os.path.join(HERE, BENCHMARKS[name]), '--json', out] + own + passed, check=True)
            with open(out, encoding='utf-8') as handle:
                rows.extend(json.load(handle))
    loads.append(_measure.load())
    print('\n== every transfer benchmark: %s, %d cpus, python %s, %.0f s' % (
        ', '.join(chosen), os.cpu_count(), sys.version.split()[0], time.time() - started))
    _measure.print_table(rows, tuple(loads))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as handle:
            json.dump(dict(loads=loads, rows=rows), handle)
    return 0


if __name__ == '__main__':
    sys.exit(main())

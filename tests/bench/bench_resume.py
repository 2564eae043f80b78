# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: an upload broken at 75 % and resumed, versus the same upload uninterrupted.

    PYTHONPATH=build/collections:. python tests/bench/bench_resume.py --size-gib 2

Against one fresh emulator + SeaweedFS stack, with upload-prepare handing out the address of the
S3-reading proxy of the tests (tests/integration/s3_proxy.py) so that both uploads go the same way and
the bytes sent are counted on the wire (request lines, headers and bodies):

* uninterrupted: ``ims_image_upload`` of the file, once;
* broken: the same task, its link cut once the proxy has carried ``--cut`` of the file's bytes (the
  connections dropped and new ones refused until the module gives up), then the task run again, which
  resumes.

Time is the module processes' wall time (start-up, look-ups, transfer, wait and verification included).
It prints figures and ratios (broken + resumed / uninterrupted, resumed run alone / uninterrupted) and
asserts nothing: wall-clock numbers depend on the machine.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')
for _path in (REPO, COLLECTIONS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.bench.bench_transfer import GIB, MIB, make_file, run_module  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.stack import Stack  # noqa: E402  pylint: disable=wrong-import-position
from tests.integration.s3_proxy import S3Proxy  # noqa: E402  pylint: disable=wrong-import-position


def timed_run(stack, args, workdir, allow_failure=False):
    """(result, wall seconds, peak RSS MiB) of one module run."""
    started = time.time()
    try:
        result, _wall, rss, _cpu = run_module(stack, 'ims_image_upload', args, workdir)
    except SystemExit as exc:
        if not allow_failure:
            raise
        return {'failed': True, 'msg': str(exc)}, time.time() - started, None
    return result, time.time() - started, rss


def break_link_at(proxy, limit):
    """In the background: once ``limit`` bytes went through, drop the connections and keep the link down."""
    proxy.hold_at = limit

    def cut():
        proxy.held.wait()
        proxy.down = True
        proxy.drop()
    thread = threading.Thread(target=cut, daemon=True)
    thread.start()
    return thread


def bench(size_gib, cut, part_size_mb, max_concurrency, workdir):
    size = int(size_gib * GIB)
    src = os.path.join(workdir, 'bench-resume.raw')
    make_file(src, size)
    args = dict(src=src, part_size_mb=part_size_mb, max_concurrency=max_concurrency, wait_timeout=3600)
    with Stack(transition_seconds=0.1, workdir=os.path.join(workdir, 'stack')) as stack:
        proxy = S3Proxy(stack.s3.ports['s3'])
        stack.set_upload_target(domain=proxy.url)
        try:
            os.sync()
            whole, whole_wall, whole_rss = timed_run(stack, dict(args, name='bench-uninterrupted'), workdir)
            whole_bytes = proxy.sent

            os.sync()
            proxy.reset()
            cutter = break_link_at(proxy, int(size * cut))
            broken, broken_wall, _rss = timed_run(stack, dict(args, name='bench-resumed', retries=1, timeout=20), workdir,
                                                  allow_failure=True)
            cutter.join()
            proxy.down = False
            broken_bytes = proxy.sent
            if not broken.get('failed'):
                raise SystemExit('the cut did not break the upload: %s' % broken)

            os.sync()
            proxy.reset()
            resumed, resumed_wall, resumed_rss = timed_run(stack, dict(args, name='bench-resumed'), workdir)
            resumed_bytes = proxy.sent
        finally:
            proxy.close()
    os.unlink(src)
    return dict(size_gib=size_gib, cut=cut, uninterrupted_bytes=whole_bytes, uninterrupted_seconds=whole_wall,
                broken_bytes=broken_bytes, broken_seconds=broken_wall, resumed_bytes=resumed_bytes,
                resumed_seconds=resumed_wall, resumed_transfer=resumed['transfer'], uninterrupted_transfer=whole['transfer'],
                peak_rss_mib=max(whole_rss or 0, resumed_rss or 0))


def report(row):
    whole_b, whole_s = row['uninterrupted_bytes'], row['uninterrupted_seconds']
    total_b = row['broken_bytes'] + row['resumed_bytes']
    total_s = row['broken_seconds'] + row['resumed_seconds']
    print('%s GiB, cut at %d %%' % (row['size_gib'], row['cut'] * 100))
    print('  uninterrupted          %8.1f MiB sent  %7.1f s' % (whole_b / MIB, whole_s))
    print('  broken run             %8.1f MiB sent  %7.1f s (failed)' % (row['broken_bytes'] / MIB, row['broken_seconds']))
    print('  resumed run            %8.1f MiB sent  %7.1f s (parts reused %d, sent %d)' % (
        row['resumed_bytes'] / MIB, row['resumed_seconds'], row['resumed_transfer']['parts_reused'],
        row['resumed_transfer']['parts_sent']))
    print('  broken + resumed / uninterrupted: bytes %.2f  time %.2f' % (total_b / whole_b, total_s / whole_s))
    alone = (row['resumed_bytes'] / whole_b, row['resumed_seconds'] / whole_s)
    print('  resumed run alone / uninterrupted: bytes %.2f  time %.2f' % alone)
    print('  (starting over instead would send %.2f of the bytes)' % ((row['broken_bytes'] + whole_b) / whole_b))
    print('  peak RSS of the module: %.1f MiB' % row['peak_rss_mib'])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--size-gib', type=float, default=2.0)
    parser.add_argument('--cut', type=float, default=0.75, help='fraction of the file sent before the link breaks')
    parser.add_argument('--part-size-mb', type=int, default=16)
    parser.add_argument('--max-concurrency', type=int, default=4)
    parser.add_argument('--workdir', default=None, help='where the test file goes (default: a temporary folder)')
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix='ims-bench-resume-', dir=args.workdir)
    try:
        row = bench(args.size_gib, args.cut, args.part_size_mb, args.max_concurrency, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report(row)
    print(json.dumps(dict((k, round(v, 2) if isinstance(v, float) else v) for k, v in row.items()), sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())

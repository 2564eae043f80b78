# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: an upload broken at 75 % and resumed, versus the same upload uninterrupted.

    PYTHONPATH=build/collections:. .venv/bin/python tests/bench/bench_resume.py [--size-gib 1] [--big] [--quick]

Against one fresh emulator + SeaweedFS stack, with upload-prepare handing out the address of the
S3-reading proxy of the tests (tests/integration/s3_proxy.py) so that both uploads go the same way and
the bytes sent are counted on the wire (request lines, headers and bodies):

* uninterrupted: ``ims_image_upload`` of the file, once;
* broken: the same task, its link cut once the proxy has carried ``--cut`` of the file's bytes (the
  connections dropped and new ones refused until the module gives up), then the task run again, which
  resumes.

Time is the module processes' wall time (start-up, look-ups, transfer, wait and verification included), CPU
their whole processes'. One run, shared placement only (the proxy runs in this process, between client and
server). It prints figures and ratios (broken + resumed / uninterrupted, resumed run alone / uninterrupted),
and a table row (tests/bench/_measure.py: "module" the broken and the resumed run together, "peer" the
uninterrupted one; no throughput goal), and asserts nothing: wall-clock numbers depend on the machine.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import sys
import threading

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')
for _path in (REPO, COLLECTIONS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.bench import _measure  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.stack import Stack  # noqa: E402  pylint: disable=wrong-import-position
from tests.integration.s3_proxy import S3Proxy  # noqa: E402  pylint: disable=wrong-import-position


def timed_run(stack, args, workdir, allow_failure=False):
    """(result, wall seconds, peak RSS MiB, CPU seconds) of one module run."""
    run = _measure.run_module('ims_image_upload', args, dict(os.environ, **stack.env()), workdir, allow_failure=allow_failure)
    return run.result, run.wall, run.rss, run.cpu


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


def bench(size, cut, part_size_mb, max_concurrency, workdir):
    src = os.path.join(workdir, 'bench-resume.raw')
    _measure.make_file(src, size)
    digest = _measure.digest_cpu_per_gib(src)
    args = dict(src=src, part_size_mb=part_size_mb, max_concurrency=max_concurrency, wait_timeout=3600)
    # A stack of its own per size: the emulator keeps its state in its folder, and the images of a 1 GiB run hold
    # another file than the 4 GiB run's (--big) under the same names.
    with Stack(transition_seconds=0.1, workdir=os.path.join(workdir, 'stack-%d' % size)) as stack:
        proxy = S3Proxy(stack.s3.ports['s3'])
        stack.set_upload_target(domain=proxy.url)
        try:
            os.sync()
            whole, whole_wall, whole_rss, whole_cpu = timed_run(stack, dict(args, name='bench-uninterrupted'), workdir)
            whole_bytes = proxy.sent

            os.sync()
            proxy.reset()
            cutter = break_link_at(proxy, int(size * cut))
            broken, broken_wall, broken_rss, broken_cpu = timed_run(stack, dict(args, name='bench-resumed', retries=1, timeout=20),
                                                                    workdir, allow_failure=True)
            cutter.join()
            proxy.down = False
            broken_bytes = proxy.sent
            if not broken.get('failed'):
                raise SystemExit('the cut did not break the upload: %s' % broken)

            os.sync()
            proxy.reset()
            resumed, resumed_wall, resumed_rss, resumed_cpu = timed_run(stack, dict(args, name='bench-resumed'), workdir)
            resumed_bytes = proxy.sent
        finally:
            proxy.close()
    os.unlink(src)
    return dict(size_gib=size / _measure.GIB, cut=cut, digest_cpu_gib=digest, uninterrupted_cpu=whole_cpu, broken_cpu=broken_cpu, resumed_cpu=resumed_cpu,
                uninterrupted_rss=whole_rss, broken_rss=broken_rss, resumed_rss=resumed_rss, uninterrupted_bytes=whole_bytes, uninterrupted_seconds=whole_wall,
                broken_bytes=broken_bytes, broken_seconds=broken_wall, resumed_bytes=resumed_bytes,
                resumed_seconds=resumed_wall, resumed_transfer=resumed['transfer'], uninterrupted_transfer=whole['transfer'],
                peak_rss_mib=max(whole_rss, broken_rss, resumed_rss))


def report(row):
    whole_b, whole_s = row['uninterrupted_bytes'], row['uninterrupted_seconds']
    total_b = row['broken_bytes'] + row['resumed_bytes']
    total_s = row['broken_seconds'] + row['resumed_seconds']
    print('%s GiB, cut at %d %%' % (row['size_gib'], row['cut'] * 100))
    print('  uninterrupted          %8.1f MiB sent  %7.1f s' % (whole_b / _measure.MIB, whole_s))
    print('  broken run             %8.1f MiB sent  %7.1f s (failed)' % (row['broken_bytes'] / _measure.MIB, row['broken_seconds']))
    print('  resumed run            %8.1f MiB sent  %7.1f s (parts reused %d, sent %d)' % (
        row['resumed_bytes'] / _measure.MIB, row['resumed_seconds'], row['resumed_transfer']['parts_reused'],
        row['resumed_transfer']['parts_sent']))
    print('  broken + resumed / uninterrupted: bytes %.2f  time %.2f' % (total_b / whole_b, total_s / whole_s))
    alone = (row['resumed_bytes'] / whole_b, row['resumed_seconds'] / whole_s)
    print('  resumed run alone / uninterrupted: bytes %.2f  time %.2f' % alone)
    print('  (starting over instead would send %.2f of the bytes)' % ((row['broken_bytes'] + whole_b) / whole_b))
    print('  peak RSS of the module: %.1f MiB' % row['peak_rss_mib'])


def table_row(row, size):
    """The table's row: the broken and the resumed run together against the uninterrupted one (no throughput goal)."""
    together = (row['broken_seconds'] + row['resumed_seconds'], row['broken_cpu'] + row['resumed_cpu'],
                max(row['broken_rss'], row['resumed_rss']))
    alone = (row['uninterrupted_seconds'], row['uninterrupted_cpu'], row['uninterrupted_rss'])
    return _measure.row('CECloud resume, cut at %d %%' % (row['cut'] * 100), 'shared', size, [together], [alone],
                        row['digest_cpu_gib'], None, 'uninterrupted module', cpu_goal=False)


def main(argv=None):
    parser = _measure.parser_for(__doc__)
    parser.add_argument('--cut', type=float, default=0.75, help='fraction of the file sent before the link breaks')
    parser.add_argument('--part-size-mb', type=int, default=16)
    parser.add_argument('--max-concurrency', type=int, default=4)
    args = _measure.parse(parser, argv)
    args.runs = 1

    def measure_all(workdir):
        def measure(size, _runs, _placements):
            row = bench(size, args.cut, args.part_size_mb, args.max_concurrency, workdir)
            report(row)
            print(json.dumps(dict((k, round(v, 2) if isinstance(v, float) else v) for k, v in row.items()), sort_keys=True))
            return [table_row(row, size)]
        return _measure.run_sizes(args, measure)
    return _measure.run(args, 'ims-bench-resume-', 2, measure_all)


if __name__ == '__main__':
    sys.exit(main())

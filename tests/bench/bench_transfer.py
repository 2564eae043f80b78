# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the CECloud ims_image_upload / ims_image_export versus plain boto3 / a plain GET, in one run.

    PYTHONPATH=build/collections:. .venv/bin/python tests/bench/bench_transfer.py [--runs 3] [--big] [--quick]

Against one fresh emulator + SeaweedFS stack, for the file size (1 GiB by default), in each placement
(shared, then servers on core 0 and client on core 1: tests/bench/_measure.py), best of ``--runs``:

* upload: the module (its own entry point, as Ansible runs it; its ``transfer`` figures, every digest
  included) versus plain boto3 ``upload_file`` (the module's client settings and TransferConfig, no MD5),
  taking turns going first;
* download: ``ims_image_export dest`` (temporary file, verification, atomic rename included) versus a
  plain streamed GET of the same download endpoint to a file;
* the client's CPU seconds per GiB and peak RSS of each, one MD5 pass over the same bytes in memory.

It prints one table (the goals beside each row, _measure.py) and asserts nothing: speeds depend on the machine.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')
for _path in (REPO, COLLECTIONS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.bench import _measure  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.stack import Stack  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer  # noqa: E402  pylint: disable=wrong-import-position

PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'peer_client.py')
PLAIN_BUCKET = 'bench-plain'


def peer(mode, spec, env, pin):
    """One run of a peer_client.py transfer: (seconds, client CPU seconds of the transfer, peak RSS MiB)."""
    run = _measure.measured([sys.executable, PEER, mode, json.dumps(spec)], env, pin)
    return run.result['seconds'], run.result['cpu'], run.rss


def module(name, args, env, workdir, pin, startup_cpu):
    """One module run: (transfer seconds, client CPU seconds less ``startup_cpu``, peak RSS MiB) and its result."""
    run = _measure.run_module(name, args, env, workdir, pin)
    return (run.result['transfer']['seconds'], max(run.cpu - startup_cpu, 0.0), run.rss), run.result


def s3_upload_spec(endpoint, access_key, secret_key, bucket, path, args):
    """What peer_client.py boto3-upload needs: the module's part size and concurrency (shared with the OBS benchmark)."""
    return dict(endpoint=endpoint, access_key=access_key, secret_key=secret_key, bucket=bucket,
                key='plain-' + os.path.basename(path), path=path, part_size_mb=args.part_size_mb,
                max_concurrency=args.max_concurrency)


def add_s3_arguments(parser):
    parser.add_argument('--part-size-mb', type=int, default=_transfer.DEFAULT_PART_SIZE_MB)
    parser.add_argument('--max-concurrency', type=int, default=_transfer.DEFAULT_MAX_CONCURRENCY)


class CeCloudBench(_measure.Bench):
    def __init__(self, stack, args, workdir):
        self.stack = stack
        self.args = args
        self.workdir = workdir
        self.module_env = dict(os.environ, **stack.env())
        self.peer_env = dict(os.environ, PYTHONPATH=COLLECTIONS)
        _transfer.make_s3_client(stack.s3_endpoint, stack.s3_access_key, stack.s3_secret_key).create_bucket(Bucket=PLAIN_BUCKET)
        self.warm = set()

    def upload_args(self, src, name):
        return dict(src=src, name=name, part_size_mb=self.args.part_size_mb, max_concurrency=self.args.max_concurrency,
                    wait_timeout=3600)

    def get_spec(self, image_id, dest):
        tenant = self.stack.tenant('tenant-a')
        return dict(url='%s/api/image/v1/private-images/%s/file' % (self.stack.url, image_id), dest=dest,
                    headers={'Authorization': 'Bearer ' + tenant['token'], 'x-regionid': self.stack.region})

    def startup(self, tag, pin):
        """The module's CPU for the upload and the export of a 1 MiB file: what a transfer of any size pays once."""
        tiny = os.path.join(self.workdir, 'tiny.raw')
        _measure.make_file(tiny, _measure.TINY_SIZE)
        up = _measure.run_module('ims_image_upload', self.upload_args(tiny, 'bench-tiny-' + tag), self.module_env,
                                 self.workdir, pin)
        down = _measure.run_module('ims_image_export', dict(image=up.result['image']['image_id'], dest=tiny + '.out',
                                                            force=True), self.module_env, self.workdir, pin)
        os.unlink(tiny)
        os.unlink(tiny + '.out')
        return up.cpu, down.cpu

    def measure_placement(self, place, src, size, runs, digest):
        tag = '%s-%d' % (place.name, size)
        dest = os.path.join(self.workdir, 'download.raw')
        startup_up, startup_down = self.startup(tag, place.client)
        up_module, up_peer, down_module, down_peer = [], [], [], []
        made = []
        spec = s3_upload_spec(self.stack.s3_endpoint, self.stack.s3_access_key, self.stack.s3_secret_key, PLAIN_BUCKET,
                              src, self.args)

        def upload_module(attempt):
            figures, result = module('ims_image_upload', self.upload_args(src, 'bench-%s-%d' % (tag, attempt)),
                                     self.module_env, self.workdir, place.client, startup_up)
            up_module.append(figures)
            made.append(result['image']['image_id'])

        def download(runs_of, method):
            if method == 'module':
                runs_of.append(module('ims_image_export', dict(image=made[-1], dest=dest, force=True), self.module_env,
                                      self.workdir, place.client, startup_down)[0])
            else:
                runs_of.append(peer('get-download', self.get_spec(made[-1], dest), self.peer_env, place.client))
            os.unlink(dest)

        for attempt in range(runs):
            _measure.in_turn(attempt, lambda: upload_module(attempt),
                             lambda: up_peer.append(peer('boto3-upload', spec, self.peer_env, place.client)))
            if size not in self.warm:
                # Untimed: the first file of a size written in a fresh VM costs the guest's first touch of that
                # much page cache (2-3 s of system time per GiB), whichever download met it first.
                download([], 'peer')
                self.warm.add(size)
            _measure.in_turn(attempt, lambda: download(down_module, 'module'), lambda: download(down_peer, 'peer'))
        return [_measure.row('CECloud upload', place.name, size, up_module, up_peer, digest, 0.90, 'boto3 upload_file'),
                _measure.row('CECloud download', place.name, size, down_module, down_peer, digest, 0.90, 'plain GET')]


def main(argv=None):
    parser = _measure.parser_for(__doc__)
    add_s3_arguments(parser)
    args = _measure.parse(parser, argv)

    def measure_all(workdir):
        with Stack(transition_seconds=0.1, workdir=os.path.join(workdir, 'stack')) as stack:
            return _measure.run_sizes(args, CeCloudBench(stack, args, workdir).measure)
    # Each module upload leaves the staged object and the image in SeaweedFS.
    return _measure.run(args, 'ims-bench-', 2, measure_all)


if __name__ == '__main__':
    sys.exit(main())

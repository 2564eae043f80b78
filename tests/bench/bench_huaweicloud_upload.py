# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: ims_image_upload on provider huaweicloud (OBS staging) versus plain boto3 ``upload_file`` to the same OBS.

    PYTHONPATH=build/collections:. .venv/bin/python tests/bench/bench_huaweicloud_upload.py [--runs 3] [--big] [--quick]

Against one Huawei emulator + SeaweedFS (acting as OBS) stack, for the file size (1 GiB by default), in each
placement (tests/bench/_measure.py), best of ``--runs``, taking turns going first: plain boto3 ``upload_file``
of the file to a bucket (the module's client settings, TransferConfig part size and concurrency, no MD5) versus
the module (its own entry point, as Ansible runs it), which stages the file in OBS through the resumable
uploader, imports the image, waits and deletes the staged object. The module's figure is its staging
(``transfer``: every digest and the listing of unfinished uploads included); its CPU leaves out what the same
task costs on a 1 MiB file (start-up, IMS job, wait, clean-up).

It prints one table (the goals beside each row) and asserts nothing: speeds depend on the machine.
"""

from __future__ import absolute_import, division, print_function

import os
import sys
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')
for _path in (REPO, COLLECTIONS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.bench import _measure  # noqa: E402  pylint: disable=wrong-import-position
from tests.bench.bench_transfer import add_s3_arguments, module, peer, s3_upload_spec  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.huawei.stack import HuaweiStack  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer  # noqa: E402  pylint: disable=wrong-import-position


class ObsBench(_measure.Bench):
    def __init__(self, stack, args, workdir):
        self.stack = stack
        self.args = args
        self.workdir = workdir
        self.owner = stack.owner
        self.bucket = 'bench-%s' % uuid.uuid4().hex[:8]
        _transfer.make_s3_client(stack.obs_url, self.owner.access_key, self.owner.secret_key).create_bucket(Bucket=self.bucket)
        self.env = dict(os.environ, PYTHONPATH=COLLECTIONS)

    def upload_args(self, path, name):
        return dict(provider='huaweicloud', region=self.stack.regions[0], endpoint=self.stack.endpoint(),
                    obs_endpoint=self.stack.obs_url, iam_endpoint=self.stack.auth_url, access_key=self.owner.access_key,
                    secret_key=self.owner.secret_key, src=path, name=name, obs_bucket=self.bucket, min_disk=40,
                    part_size_mb=self.args.part_size_mb, max_concurrency=self.args.max_concurrency, wait_timeout=3600)

    def startup(self, tag, pin):
        tiny = os.path.join(self.workdir, 'tiny.raw')
        _measure.make_file(tiny, _measure.TINY_SIZE)
        cpu = _measure.run_module('ims_image_upload', self.upload_args(tiny, 'bench-tiny-' + tag), self.env, self.workdir,
                                  pin).cpu
        os.unlink(tiny)
        return cpu

    def measure_placement(self, place, src, size, runs, digest):
        tag = '%s-%d' % (place.name, size)
        startup = self.startup(tag, place.client)
        spec = s3_upload_spec(self.stack.obs_url, self.owner.access_key, self.owner.secret_key, self.bucket, src, self.args)
        staged, plain = [], []

        def upload_module(attempt):
            figures, result = module('ims_image_upload', self.upload_args(src, 'bench-%s-%d' % (tag, attempt)), self.env,
                                     self.workdir, place.client, startup)
            assert result['transfer']['bytes_sent'] == size and result['staged_object'].get('deleted'), result
            staged.append(figures)

        for attempt in range(runs):
            _measure.in_turn(attempt, lambda: upload_module(attempt),
                             lambda: plain.append(peer('boto3-upload', spec, self.env, place.client)))
        return [_measure.row('OBS staging upload', place.name, size, staged, plain, digest, 0.90, 'boto3 upload_file')]


def main(argv=None):
    parser = _measure.parser_for(__doc__)
    add_s3_arguments(parser)
    args = _measure.parse(parser, argv)

    def measure_all(workdir):
        os.mkdir(os.path.join(workdir, 'stack'))
        with HuaweiStack(transition_seconds=0.1, workdir=os.path.join(workdir, 'stack')) as stack:
            return _measure.run_sizes(args, ObsBench(stack, args, workdir).measure)
    return _measure.run(args, 'ims-bench-huawei-', 1, measure_all)


if __name__ == '__main__':
    sys.exit(main())

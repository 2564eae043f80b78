# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: ims_image_upload on provider huaweicloud versus plain boto3 ``upload_file`` to the same OBS stand-in.

    PYTHONPATH=build/collections:. python tests/bench/bench_huaweicloud_upload.py --sizes 1 --rounds 3

Against one Huawei emulator + SeaweedFS (acting as OBS) stack, for each size (GiB; fractions allowed) and
round, alternating: plain boto3 ``upload_file`` of the file to a bucket (the same client settings and
TransferConfig part size and concurrency, no MD5), then the module (its own entry point, as Ansible runs
it), which stages the same file in OBS through the resumable uploader with each part's Content-MD5 and the
whole file's MD5, imports the image, waits and deletes the staged object.  Printed per size, from the best
round of each: the staging throughput (the module's RV(transfer) figures: MD5 and the listing of unfinished
uploads included) over plain boto3's - the goal is >= 0.95 - and, for information, the whole task's wall time
(process start, IMS job, wait and clean-up included) over plain boto3's, and the module's peak RSS.

It asserts nothing: wall-clock numbers depend on the machine.
"""

from __future__ import absolute_import, division, print_function

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')
for _path in (REPO, COLLECTIONS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.bench.bench_transfer import GIB, make_file, run_module  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.huawei.stack import HuaweiStack  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer  # noqa: E402  pylint: disable=wrong-import-position


def obs_client(stack, max_concurrency):
    owner = stack.owner
    return _transfer.make_s3_client(stack.obs_url, owner.access_key, owner.secret_key, max_concurrency=max_concurrency)


def plain_upload(stack, path, bucket, part_size_mb, max_concurrency):
    """Seconds of one plain boto3 upload_file of ``path`` (no MD5), the object deleted afterwards."""
    client = obs_client(stack, max_concurrency)
    config = _transfer.transfer_config(part_size_mb, max_concurrency, os.path.getsize(path))
    started = time.time()
    client.upload_file(path, bucket, 'plain-' + os.path.basename(path), Config=config)
    seconds = time.time() - started
    client.delete_object(Bucket=bucket, Key='plain-' + os.path.basename(path))
    return seconds


def module_upload(stack, path, bucket, name, part_size_mb, max_concurrency, workdir):
    """(transfer seconds, whole task seconds, peak RSS MiB) of one ims_image_upload run making image ``name``."""
    owner = stack.owner
    args = dict(provider='huaweicloud', region=stack.regions[0], endpoint=stack.endpoint(), obs_endpoint=stack.obs_url,
                iam_endpoint=stack.auth_url, access_key=owner.access_key, secret_key=owner.secret_key, src=path,
                name=name, obs_bucket=bucket, min_disk=40, part_size_mb=part_size_mb, max_concurrency=max_concurrency,
                wait_timeout=3600)
    result, wall, rss_mib, dummy = run_module(stack, 'ims_image_upload', args, workdir)
    transfer = result['transfer']
    assert transfer['bytes_sent'] == os.path.getsize(path) and result['staged_object'].get('deleted'), result
    return transfer['seconds'], wall, rss_mib


def bench_size(stack, size_gib, args, workdir):
    path = os.path.join(workdir, 'golden-%s.raw' % size_gib)
    make_file(path, int(size_gib * GIB))
    bucket = 'bench-%s' % uuid.uuid4().hex[:8]
    obs_client(stack, args.max_concurrency).create_bucket(Bucket=bucket)
    plain, staged, whole, rss = [], [], [], []
    for index in range(args.rounds):
        plain.append(plain_upload(stack, path, bucket, args.part_size_mb, args.max_concurrency))
        seconds, wall, peak = module_upload(stack, path, bucket, 'bench-%s-%d' % (size_gib, index), args.part_size_mb,
                                            args.max_concurrency, workdir)
        staged.append(seconds)
        whole.append(wall)
        rss.append(peak)
    os.unlink(path)
    size_mib = size_gib * 1024
    best_plain, best_staged, best_whole = min(plain), min(staged), min(whole)
    print('%6s GiB  plain boto3 %7.1f MiB/s | module staging (MD5 incl.) %7.1f MiB/s  ratio %.3f | whole task %6.1f s, '
          'ratio %.3f | module peak RSS %.0f MiB' % (
              size_gib, size_mib / best_plain, size_mib / best_staged, best_plain / best_staged, best_whole,
              best_plain / best_whole, max(rss)))
    print('         rounds: plain %s s; module staging %s s; whole task %s s' % (
        ', '.join('%.2f' % s for s in plain), ', '.join('%.2f' % s for s in staged), ', '.join('%.2f' % s for s in whole)))
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--sizes', default='1', help='comma-separated sizes in GiB (default 1)')
    parser.add_argument('--rounds', type=int, default=3, help='rounds per size, alternating plain and module (default 3)')
    parser.add_argument('--part-size-mb', type=int, default=_transfer.DEFAULT_PART_SIZE_MB)
    parser.add_argument('--max-concurrency', type=int, default=_transfer.DEFAULT_MAX_CONCURRENCY)
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix='bench-huawei-')
    try:
        with HuaweiStack(transition_seconds=0.1) as stack:
            print('ims_image_upload (provider huaweicloud) vs boto3 upload_file, part %d MiB, concurrency %d, %d rounds, '
                  'best round of each' % (args.part_size_mb, args.max_concurrency, args.rounds))
            for size in args.sizes.split(','):
                bench_size(stack, float(size), args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: ims_image_upload / ims_image_export versus plain boto3 / requests, side by side in one run.

    PYTHONPATH=build/collections:. python tests/bench/bench_transfer.py --sizes 1,4

For each size (GiB; fractions allowed for a quick run, e.g. ``--sizes 0.25``) against one fresh
emulator + SeaweedFS stack:

* upload: plain boto3 ``upload_file`` (same client settings and TransferConfig) versus the module
  (its own entry point, as Ansible runs it), whose ``transfer`` figures include the MD5;
* download: plain streaming ``requests`` of the download endpoint to a file versus the module
  with ``dest`` (temporary file, MD5 verification, atomic rename included);
* the module process's peak RSS (its VmHWM, polled while it runs).

It prints figures and ratios (module / plain) and asserts nothing: wall-clock numbers depend on the machine.
"""

from __future__ import absolute_import, division, print_function

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')
for _path in (REPO, COLLECTIONS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.emulator.stack import Stack  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.cecloud.ims.plugins.module_utils import _transfer  # noqa: E402  pylint: disable=wrong-import-position

MIB = 1024 * 1024
GIB = 1024 * MIB
PLAIN_BUCKET = 'bench-plain'


def make_file(path, size):
    """``size`` bytes of incompressible data, written in 1 MiB blocks (each block distinct)."""
    block = bytearray(os.urandom(MIB))
    with open(path, 'wb') as handle:
        left = size
        index = 0
        while left > 0:
            block[:8] = index.to_bytes(8, 'big')
            handle.write(block[:min(MIB, left)])
            left -= MIB
            index += 1


class PeakRss(threading.Thread):
    """Polls a process's VmHWM (its own high-water mark since exec) until it exits.

    ``wait4``'s ``ru_maxrss`` would not do: Linux carries the pre-exec high-water mark over exec, so a
    child forked from this (large) benchmark process reports at least this process's RSS.
    """

    def __init__(self, pid, interval=0.02):
        super().__init__(daemon=True)
        self.path = '/proc/%d/status' % pid
        self.interval = interval
        self.peak_kib = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                with open(self.path, encoding='ascii') as handle:
                    for line in handle:
                        if line.startswith('VmHWM:'):
                            self.peak_kib = max(self.peak_kib, int(line.split()[1]))
            except (OSError, ValueError):
                return
            self.stopped.wait(self.interval)


def run_module(stack, name, args, workdir):
    """Run a module's entry point; returns (result, wall seconds, peak RSS in MiB) of that one process."""
    args_file = os.path.join(workdir, 'args.json')
    with open(args_file, 'w', encoding='utf-8') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    env = dict(os.environ)
    env.update(stack.env())
    env['PYTHONPATH'] = COLLECTIONS
    out_file = os.path.join(workdir, 'out.json')
    started = time.time()
    with open(out_file, 'wb') as out:
        command = [sys.executable, '-m', 'ansible_collections.cecloud.ims.plugins.modules.' + name, args_file]
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)  # pylint: disable=consider-using-with
        rss = PeakRss(proc.pid)
        rss.start()
        proc.wait()
        rss.stopped.set()
        rss.join()
    wall = time.time() - started
    with open(out_file, encoding='utf-8') as handle:
        text = handle.read()
    try:
        result = json.loads(text[text.index('{'):])
    except ValueError:
        raise SystemExit('%s printed no JSON:\n%s' % (name, text[-3000:]))
    if result.get('failed'):
        raise SystemExit('%s failed: %s' % (name, result.get('msg')))
    return result, wall, rss.peak_kib / 1024.0


def plain_upload(stack, path, part_size_mb, max_concurrency):
    client = _transfer.make_s3_client(stack.s3_endpoint, stack.s3_access_key, stack.s3_secret_key,
                                      max_concurrency=max_concurrency)
    try:
        client.create_bucket(Bucket=PLAIN_BUCKET)
    except client.exceptions.ClientError:
        pass
    config = _transfer.transfer_config(part_size_mb, max_concurrency, os.path.getsize(path))
    started = time.time()
    client.upload_file(path, PLAIN_BUCKET, os.path.basename(path), Config=config)
    seconds = time.time() - started
    client.delete_object(Bucket=PLAIN_BUCKET, Key=os.path.basename(path))
    return seconds


def plain_download(stack, image_id, dest):
    tenant = stack.tenant('tenant-a')
    started = time.time()
    with requests.get('%s/api/image/v1/private-images/%s/file' % (stack.url, image_id), stream=True, timeout=60,
                      headers={'Authorization': 'Bearer ' + tenant['token'], 'x-regionid': stack.region}) as response:
        response.raise_for_status()
        with open(dest, 'wb') as handle:
            for chunk in response.iter_content(MIB):
                handle.write(chunk)
    seconds = time.time() - started
    os.unlink(dest)
    return seconds


def bench_size(stack, size_gib, args, workdir):
    size = int(size_gib * GIB)
    src = os.path.join(workdir, 'bench-%sG.raw' % size_gib)
    make_file(src, size)
    mib = size / MIB
    row = dict(size_gib=size_gib)
    try:
        up_plain, up_module, down_plain, down_module = [], [], [], []
        rss_up = rss_down = 0.0
        image_id = None
        for attempt in range(args.repeat):
            os.sync()
            up_plain.append(plain_upload(stack, src, args.part_size_mb, args.max_concurrency))
            os.sync()
            name = 'bench-%s-%d' % (str(size_gib).replace('.', '-'), attempt)
            result, wall, rss = run_module(stack, 'ims_image_upload', dict(
                src=src, name=name, part_size_mb=args.part_size_mb, max_concurrency=args.max_concurrency,
                wait_timeout=3600), workdir)
            up_module.append((result['transfer']['seconds'], wall))
            rss_up = max(rss_up, rss)
            image_id = result['image']['image_id']
            dest = os.path.join(workdir, 'download.raw')
            # Each download starts with no dirty pages (os.sync), and the two take turns going first: otherwise
            # the second writer of a multi-GiB file pays for the first one's write-back.
            for turn in ((0, 1) if attempt % 2 == 0 else (1, 0)):
                os.sync()
                if turn == 0:
                    down_plain.append(plain_download(stack, image_id, dest))
                    continue
                result, wall, rss = run_module(stack, 'ims_image_export', dict(image=image_id, dest=dest, force=True), workdir)
                down_module.append((result['transfer']['seconds'], wall))
                rss_down = max(rss_down, rss)
                os.unlink(dest)
        best = min
        row.update(
            upload_plain=mib / best(up_plain), upload_module=mib / best(s for s, _w in up_module),
            upload_module_wall=mib / best(w for _s, w in up_module),
            download_plain=mib / best(down_plain), download_module=mib / best(s for s, _w in down_module),
            download_module_wall=mib / best(w for _s, w in down_module),
            rss_upload=rss_up, rss_download=rss_down)
    finally:
        os.unlink(src)
    return row


def md5_rate(total=512 * MIB):
    block = os.urandom(MIB)
    digest = hashlib.md5()
    started = time.time()
    for dummy in range(total // MIB):
        digest.update(block)
    return total / MIB / (time.time() - started)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--sizes', default='1,4', help='comma-separated sizes in GiB (default 1,4)')
    parser.add_argument('--part-size-mb', type=int, default=_transfer.DEFAULT_PART_SIZE_MB)
    parser.add_argument('--max-concurrency', type=int, default=_transfer.DEFAULT_MAX_CONCURRENCY)
    parser.add_argument('--repeat', type=int, default=1, help='runs per size; the best of each is kept')
    parser.add_argument('--workdir', default=None, help='where the test files go (default: a temporary folder)')
    args = parser.parse_args(argv)
    sizes = [float(s) if '.' in s else int(s) for s in args.sizes.split(',') if s.strip()]
    workdir = tempfile.mkdtemp(prefix='ims-bench-', dir=args.workdir)
    needed = max(sizes) * GIB * 4
    free = shutil.disk_usage(workdir).free
    if free < needed:
        raise SystemExit('need about %.1f GiB free in %s, have %.1f GiB' % (needed / GIB, workdir, free / GIB))
    print('part_size_mb=%d max_concurrency=%d repeat=%d cpus=%d python=%s' % (
        args.part_size_mb, args.max_concurrency, args.repeat, os.cpu_count(), sys.version.split()[0]))
    print('MD5 on one core, in memory: %.1f MiB/s (a bound for any verified transfer on this machine)' % md5_rate())
    rows = []
    try:
        with Stack(transition_seconds=0.1, workdir=os.path.join(workdir, 'stack')) as stack:
            for size in sizes:
                row = bench_size(stack, size, args, workdir)
                rows.append(row)
                print('%5s GiB  upload   plain %7.1f MiB/s  module %7.1f MiB/s (MD5 incl.)  ratio %.2f   '
                      'module end-to-end %7.1f MiB/s  peak RSS %6.1f MiB' % (
                          size, row['upload_plain'], row['upload_module'], row['upload_module'] / row['upload_plain'],
                          row['upload_module_wall'], row['rss_upload']))
                print('%5s GiB  download plain %7.1f MiB/s  module %7.1f MiB/s (verify incl.)  ratio %.2f   '
                      'module end-to-end %7.1f MiB/s  peak RSS %6.1f MiB' % (
                          size, row['download_plain'], row['download_module'], row['download_module'] / row['download_plain'],
                          row['download_module_wall'], row['rss_download']))
                sys.stdout.flush()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(rows, indent=None, default=lambda v: round(v, 2)))
    return 0


if __name__ == '__main__':
    hashlib.md5()  # fail early where MD5 is unavailable (FIPS): the modules need it
    sys.exit(main())

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: ims_image_upload / ims_image_export versus plain boto3 / requests, side by side in one run.

    PYTHONPATH=build/collections:. python tests/bench/bench_transfer.py --sizes 1,4

For each size (GiB; fractions allowed for a quick run, e.g. ``--sizes 0.25``) against one fresh
emulator + SeaweedFS stack:

* upload: plain boto3 ``upload_file`` (same client settings and TransferConfig) versus the module
  (its own entry point, as Ansible runs it), whose ``transfer`` figures include the MD5;
* download: plain streaming ``requests`` of the download endpoint to a file, the same loop with an
  MD5 of each chunk in line (the least CPU any verified download can spend), and the module with
  ``dest`` (temporary file, MD5 verification, atomic rename included);
* the CPU seconds per GiB each download cost, on the client (the module's without its start-up,
  measured by a check-mode run of the same task) and in the emulator + SeaweedFS: on a machine where
  they share the cores, the ratio module / plain also measures the CPU the MD5 takes;
* the module process's peak RSS (its VmHWM, polled while it runs).

It prints figures and ratios (module / plain, module / (plain + MD5)) and asserts nothing: wall-clock
numbers depend on the machine.
"""

from __future__ import absolute_import, division, print_function

import argparse
import hashlib
import json
import os
import resource
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
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer  # noqa: E402  pylint: disable=wrong-import-position

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


def process_cpu(pid):
    """CPU seconds (user + system, all threads) a live process has used so far."""
    with open('/proc/%d/stat' % pid, encoding='ascii') as handle:
        fields = handle.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def own_cpu(who=resource.RUSAGE_SELF):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """CPU seconds spent during a ``with`` block by this process (or its waited-for children) and the server's."""

    def __init__(self, stack, who=resource.RUSAGE_SELF):
        self.pids = [stack.proc.pid, stack.s3.proc.pid]
        self.who = who
        self.client = self.server = 0.0

    def __enter__(self):
        self.client = own_cpu(self.who)
        self.server = sum(process_cpu(pid) for pid in self.pids)
        return self

    def __exit__(self, *exc):
        self.client = own_cpu(self.who) - self.client
        self.server = sum(process_cpu(pid) for pid in self.pids) - self.server
        return False


def run_module(stack, name, args, workdir):
    """Run a module's entry point; returns (result, wall seconds, peak RSS in MiB, CpuMeter) of that one process."""
    args_file = os.path.join(workdir, 'args.json')
    with open(args_file, 'w', encoding='utf-8') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    env = dict(os.environ)
    env.update(stack.env())
    env['PYTHONPATH'] = COLLECTIONS
    out_file = os.path.join(workdir, 'out.json')
    started = time.time()
    with open(out_file, 'wb') as out, CpuMeter(stack, resource.RUSAGE_CHILDREN) as cpu:
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
    return result, wall, rss.peak_kib / 1024.0, cpu


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


def plain_download(stack, image_id, dest, verify=False):
    """Stream the download endpoint to ``dest`` with requests; with ``verify``, MD5 each chunk as it comes
    (the least CPU any verified download can spend). Returns (seconds, CpuMeter)."""
    tenant = stack.tenant('tenant-a')
    digest = hashlib.md5()
    started = time.time()
    with CpuMeter(stack) as cpu:
        with requests.get('%s/api/image/v1/private-images/%s/file' % (stack.url, image_id), stream=True, timeout=60,
                          headers={'Authorization': 'Bearer ' + tenant['token'], 'x-regionid': stack.region}) as response:
            response.raise_for_status()
            with open(dest, 'wb') as handle:
                for chunk in response.iter_content(MIB):
                    handle.write(chunk)
                    if verify:
                        digest.update(chunk)
    seconds = time.time() - started
    os.unlink(dest)
    return seconds, cpu


DOWNLOADS = ('plain', 'plain_md5', 'module')


def module_startup_cpu(stack, image_id, dest, workdir):
    """Client CPU of the export module doing everything but the download: a check-mode run of the same task."""
    _result, _wall, _rss, cpu = run_module(stack, 'ims_image_export', dict(
        image=image_id, dest=dest, force=True, _ansible_check_mode=True), workdir)
    return cpu.client


def download_once(stack, method, image_id, dest, workdir, startup_cpu=0.0):
    """One timed download by ``method``; returns (seconds, client CPU s, server CPU s, peak RSS MiB or None).

    The module's client CPU leaves out ``startup_cpu`` (interpreter, imports, look-ups), which a
    download of any size pays once."""
    if method == 'module':
        result, _wall, rss, cpu = run_module(stack, 'ims_image_export', dict(image=image_id, dest=dest, force=True), workdir)
        os.unlink(dest)
        return result['transfer']['seconds'], max(cpu.client - startup_cpu, 0.0), cpu.server, rss
    seconds, cpu = plain_download(stack, image_id, dest, verify=method == 'plain_md5')
    return seconds, cpu.client, cpu.server, None


def bench_size(stack, size_gib, args, workdir):
    size = int(size_gib * GIB)
    src = os.path.join(workdir, 'bench-%sG.raw' % size_gib)
    make_file(src, size)
    gib = size / GIB
    row = dict(size_gib=size_gib)
    try:
        up_plain, up_module = [], []
        downloads = dict((method, []) for method in DOWNLOADS)
        rss_up = rss_down = startup_cpu = 0.0
        image_id = None
        dest = os.path.join(workdir, 'download.raw')
        for attempt in range(args.repeat):
            os.sync()
            up_plain.append(plain_upload(stack, src, args.part_size_mb, args.max_concurrency))
            os.sync()
            name = 'bench-%s-%d' % (str(size_gib).replace('.', '-'), attempt)
            result, wall, rss, _cpu = run_module(stack, 'ims_image_upload', dict(
                src=src, name=name, part_size_mb=args.part_size_mb, max_concurrency=args.max_concurrency,
                wait_timeout=3600), workdir)
            up_module.append((result['transfer']['seconds'], wall))
            rss_up = max(rss_up, rss)
            image_id = result['image']['image_id']
            if attempt == 0:
                startup_cpu = module_startup_cpu(stack, image_id, dest, workdir)
                # Untimed: the first file of this size written in a fresh VM costs the guest's first touch of
                # that much page cache (seen as 2-3 s of system time per GiB), whichever download met it.
                plain_download(stack, image_id, dest)
            # Each download starts with no dirty pages (os.sync), and the methods take turns going first.
            order = DOWNLOADS[attempt % len(DOWNLOADS):] + DOWNLOADS[:attempt % len(DOWNLOADS)]
            for method in order:
                os.sync()
                seconds, client, server, rss = download_once(stack, method, image_id, dest, workdir, startup_cpu)
                downloads[method].append((seconds, client, server))
                if rss is not None:
                    rss_down = max(rss_down, rss)
        mib = size / MIB
        row.update(
            upload_plain=mib / min(up_plain), upload_module=mib / min(s for s, _w in up_module),
            upload_module_wall=mib / min(w for _s, w in up_module), rss_upload=rss_up, rss_download=rss_down)
        for method, runs in downloads.items():
            seconds, client, server = min(runs)
            row['download_' + method] = mib / seconds
            row['cpu_' + method] = (client / gib, server / gib)
    finally:
        os.unlink(src)
    return row


def print_row(size, row):
    print('%5s GiB  upload    plain %7.1f MiB/s  module %7.1f MiB/s (MD5 incl.)  ratio %.2f   '
          'module end-to-end %7.1f MiB/s  peak RSS %6.1f MiB' % (
              size, row['upload_plain'], row['upload_module'], row['upload_module'] / row['upload_plain'],
              row['upload_module_wall'], row['rss_upload']))
    labels = dict(plain='plain', plain_md5='plain + MD5', module='module (verify incl.)')
    for method in DOWNLOADS:
        client, server = row['cpu_' + method]
        print('%5s GiB  download %-22s %7.1f MiB/s   CPU per GiB: client %.2f s, emulator + S3 %.2f s%s' % (
            size, labels[method], row['download_' + method], client, server,
            '   peak RSS %.1f MiB' % row['rss_download'] if method == 'module' else ''))
    print('%5s GiB  download ratio module / plain %.2f   module / (plain + MD5) %.2f' % (
        size, row['download_module'] / row['download_plain'], row['download_module'] / row['download_plain_md5']))


def md5_rate(total=512 * MIB):
    block = os.urandom(MIB)
    digest = hashlib.md5()
    started = time.time()
    for dummy in range(total // MIB):
        digest.update(block)
    return total / MIB / (time.time() - started)


def _rounded(value):
    if isinstance(value, tuple):
        return [_rounded(item) for item in value]
    return round(value, 2) if isinstance(value, float) else value


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
                print_row(size, row)
                sys.stdout.flush()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps([dict((key, _rounded(value)) for key, value in row.items()) for row in rows]))
    return 0


if __name__ == '__main__':
    hashlib.md5()  # fail early where MD5 is unavailable (FIPS): the modules need it
    sys.exit(main())

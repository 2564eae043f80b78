# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the Glance path of ims_image_upload / ims_image_export versus openstacksdk and plain requests.

    make bench-glance                          # builds the openstacksdk venv once, then runs this
    PYTHONPATH=build/collections:. .venv/bin/python tests/bench/bench_glance.py \\
        --sdk-python ~/.cache/cecloud-ims/venv-bench-glance/bin/python --sizes 0.25,1

Side by side on one real Keystone + Glance (tests/openstack/stack.py), for each size (GiB):

* upload: ``ims_image_upload`` (POST, then one streamed PUT hashed with MD5 + SHA-512 while it is
  sent, then the comparison with Glance's checksum and os_hash_value) versus openstacksdk
  ``create_image(filename=...)`` (one streamed PUT, no verification: its default) and a plain
  ``requests`` POST + PUT of the open file;
* download: ``ims_image_export dest`` (status checked first, SHA-512 verified while streaming, temporary
  file + rename) versus openstacksdk ``download_image(output=..., stream=True)`` (which verifies
  SHA-512 too) and a plain streamed ``requests`` GET to a file;
* the peak RSS of each process (VmHWM, polled while it runs).

Every contender runs in a process of its own; the module's figure is its ``transfer.seconds`` (the
PUT, or the download, hashing and verification included), the others' the transfer call alone
(login and imports before their clock starts). Each timed step starts with ``os.sync()`` and the
contenders take turns going first. It prints figures and ratios, and asserts nothing.
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')
for _path in (REPO, COLLECTIONS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.bench.bench_transfer import PeakRss, make_file  # noqa: E402  pylint: disable=wrong-import-position
from tests.openstack.stack import OpenStackStack  # noqa: E402  pylint: disable=wrong-import-position

MIB = 1024 * 1024
GIB = 1024 * MIB
CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'glance_client.py')
# scripts/bench-venv.sh makes it (BENCH_VENV, as the Makefile exports it).
DEFAULT_SDK_PYTHON = os.path.join(os.environ.get('BENCH_VENV') or os.path.join(
    os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'cecloud-ims', 'venv-bench-glance'), 'bin', 'python')
UPLOADS = ('module', 'sdk', 'plain')
DOWNLOADS = ('module', 'sdk', 'plain')


def measured(command, env):
    """Run ``command``; returns (its stdout's last JSON object, wall seconds, peak RSS in MiB)."""
    started = time.time()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)  # pylint: disable=consider-using-with
    rss = PeakRss(proc.pid)
    rss.start()
    out, _err = proc.communicate()
    rss.stopped.set()
    rss.join()
    wall = time.time() - started
    text = out.decode('utf-8', 'replace')
    try:
        result = json.loads([line for line in text.splitlines() if line.startswith('{')][-1])
    except (IndexError, ValueError):
        raise SystemExit('%s printed no JSON:\n%s' % (' '.join(command[:3]), text[-3000:]))
    if proc.returncode != 0 or result.get('failed'):
        raise SystemExit('%s failed: %s' % (' '.join(command[:3]), result.get('msg') or text[-3000:]))
    return result, wall, rss.peak_kib / 1024.0


class Bench:
    def __init__(self, stack, sdk_python, workdir):
        self.stack = stack
        self.sdk_python = sdk_python
        self.workdir = workdir
        base = dict((k, v) for k, v in os.environ.items() if not k.startswith(('IMS_', 'OS_')))
        self.env = dict(base, **stack.env('proj-a'))
        self.env['IMS_BENCH_IMAGE_URL'] = stack.image_url
        self.token = stack.token('proj-a')

    def module(self, name, args):
        args_file = os.path.join(self.workdir, 'args.json')
        with open(args_file, 'w', encoding='utf-8') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': dict(args, provider='openstack', endpoint=self.stack.image_url)}, handle)
        env = dict(self.env, PYTHONPATH=COLLECTIONS)
        result, wall, rss = measured([sys.executable, '-m', 'ansible_collections.cecloud.ims.plugins.modules.' + name,
                                      args_file], env)
        return result['transfer']['seconds'], wall, rss, result['image']['id']

    def client(self, mode, *args):
        result, wall, rss = measured([self.sdk_python, CLIENT, mode] + list(args), self.env)
        return result['seconds'], wall, rss, result['image_id']

    def upload(self, method, src, name):
        if method == 'module':
            return self.module('ims_image_upload', dict(src=src, name=name, retries=0))
        return self.client('%s-upload' % method, src, name)

    def download(self, method, image_id, dest):
        if method == 'module':
            figures = self.module('ims_image_export', dict(image=image_id, dest=dest, force=True, retries=0))
        else:
            figures = self.client('%s-download' % method, image_id, dest)
        os.unlink(dest)
        return figures

    def delete(self, image_id):
        requests.delete('%s/v2/images/%s' % (self.stack.image_url, image_id), headers={'X-Auth-Token': self.token},
                        timeout=60)


def best(runs):
    """The fastest run: (seconds, wall, peak RSS of the worst run)."""
    seconds, wall = min((r[0], r[1]) for r in runs)
    return seconds, wall, max(r[2] for r in runs)


def bench_size(bench, size_gib, repeat):
    size = int(size_gib * GIB)
    src = os.path.join(bench.workdir, 'bench-%sG.raw' % size_gib)
    dest = os.path.join(bench.workdir, 'download.raw')
    make_file(src, size)
    uploads = dict((m, []) for m in UPLOADS)
    downloads = dict((m, []) for m in DOWNLOADS)
    try:
        for attempt in range(repeat):
            made = {}
            for method in UPLOADS[attempt % 3:] + UPLOADS[:attempt % 3]:
                os.sync()
                name = 'bench-%s-%s-%d' % (method, str(size_gib).replace('.', '-'), attempt)
                figures = bench.upload(method, src, name)
                uploads[method].append(figures[:3])
                made[method] = figures[3]
            for method in DOWNLOADS[attempt % 3:] + DOWNLOADS[:attempt % 3]:
                os.sync()
                downloads[method].append(bench.download(method, made['module'], dest)[:3])
            for image_id in made.values():
                bench.delete(image_id)
    finally:
        os.unlink(src)
    mib = size / MIB
    row = dict(size_gib=size_gib)
    for kind, runs in (('upload', uploads), ('download', downloads)):
        for method, figures in runs.items():
            seconds, wall, rss = best(figures)
            row['%s_%s' % (kind, method)] = dict(mib_per_s=round(mib / seconds, 1), wall_s=round(wall, 2),
                                                 rss_mib=round(rss, 1))
    return row


def print_row(row):
    size = row['size_gib']
    for kind, methods in (('upload', UPLOADS), ('download', DOWNLOADS)):
        figures = dict((m, row['%s_%s' % (kind, m)]) for m in methods)
        print('%5s GiB %-8s ' % (size, kind) + '   '.join(
            '%s %7.1f MiB/s (process %5.1f s, peak RSS %6.1f MiB)' % (m, f['mib_per_s'], f['wall_s'], f['rss_mib'])
            for m, f in figures.items()))
        print('%5s GiB %-8s ratio module / sdk %.2f   module / plain %.2f' % (
            size, kind, figures['module']['mib_per_s'] / figures['sdk']['mib_per_s'],
            figures['module']['mib_per_s'] / figures['plain']['mib_per_s']))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--sizes', default='0.25,1', help='comma-separated sizes in GiB (default 0.25,1)')
    parser.add_argument('--repeat', type=int, default=1, help='runs per size; the best of each is kept')
    parser.add_argument('--sdk-python', default=DEFAULT_SDK_PYTHON,
                        help='the Python of the openstacksdk venv (scripts/bench-venv.sh; default %(default)s)')
    parser.add_argument('--workdir', default=None, help='where the test files go (default: a temporary folder)')
    args = parser.parse_args(argv)
    if not os.access(args.sdk_python, os.X_OK):
        raise SystemExit('%s not found: run scripts/bench-venv.sh (make bench-glance does)' % args.sdk_python)
    sizes = [float(s) if '.' in s else int(s) for s in args.sizes.split(',') if s.strip()]
    workdir = tempfile.mkdtemp(prefix='ims-bench-glance-', dir=args.workdir)
    needed = max(sizes) * GIB * 5
    if shutil.disk_usage(workdir).free < needed:
        raise SystemExit('need about %.1f GiB free in %s' % (needed / GIB, workdir))
    sdk_version = subprocess.run([args.sdk_python, '-c', 'import importlib.metadata as m; print(m.version("openstacksdk"))'],
                                 capture_output=True, text=True, check=True).stdout.strip()
    print('repeat=%d cpus=%d python=%s openstacksdk=%s' % (args.repeat, os.cpu_count(), sys.version.split()[0], sdk_version))
    rows = []
    try:
        os.mkdir(os.path.join(workdir, 'stack'))
        with OpenStackStack(workdir=os.path.join(workdir, 'stack')) as stack:
            bench = Bench(stack, args.sdk_python, workdir)
            for size in sizes:
                row = bench_size(bench, size, args.repeat)
                rows.append(row)
                print_row(row)
                sys.stdout.flush()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(rows))
    return 0


if __name__ == '__main__':
    sys.exit(main())

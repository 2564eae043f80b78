# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the Glance path of ims_image_upload / ims_image_export versus openstacksdk and a plain GET.

    make bench-glance                          # builds the openstacksdk venv once, then runs this
    PYTHONPATH=build/collections:. .venv/bin/python tests/bench/bench_glance.py \\
        --sdk-python ~/.cache/cecloud-ims/venv-bench-glance/bin/python [--runs 3] [--big] [--quick]

Side by side on one real Keystone + Glance (tests/openstack/stack.py), for the file size (1 GiB by default),
in each placement (tests/bench/_measure.py), best of ``--runs``, the contenders taking turns going first:

* upload: ``ims_image_upload`` (POST, one streamed PUT hashed while it is sent, the comparison with
  Glance's hashes) versus openstacksdk ``create_image(filename=...)`` (one streamed PUT, no verification:
  its default);
* download: ``ims_image_export dest`` (status checked first, verified while streaming, temporary file +
  rename) versus openstacksdk ``download_image(output=..., stream=True)`` (which verifies too), and
  versus a plain streamed ``requests`` GET to a file;
* the client's CPU seconds per GiB and peak RSS of each, one MD5 pass over the same bytes in memory.

Every contender runs in a process of its own (glance_client.py in the openstacksdk venv); the module's
figure is its ``transfer.seconds``, the others' the transfer call alone (login and imports before their
clock starts). It prints one table (the goals beside each row) and asserts nothing.
"""

from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')
for _path in (REPO, COLLECTIONS):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.bench import _measure  # noqa: E402  pylint: disable=wrong-import-position
from tests.openstack.stack import OpenStackStack  # noqa: E402  pylint: disable=wrong-import-position

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'glance_client.py')
# scripts/bench-venv.sh makes it (BENCH_VENV, as the Makefile exports it).
DEFAULT_SDK_PYTHON = os.path.join(os.environ.get('BENCH_VENV') or os.path.join(
    os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'cecloud-ims', 'venv-bench-glance'), 'bin', 'python')
DOWNLOAD_PEERS = ('sdk', 'plain')


class GlanceBench(_measure.Bench):
    def __init__(self, stack, sdk_python, workdir):
        self.stack = stack
        self.sdk_python = sdk_python
        self.workdir = workdir
        base = dict((k, v) for k, v in os.environ.items() if not k.startswith(('IMS_', 'OS_')))
        self.env = dict(base, **stack.env('proj-a'))
        self.env['IMS_BENCH_IMAGE_URL'] = stack.image_url
        self.token = stack.token('proj-a')

    def module(self, name, args, pin, startup_cpu):
        """One module run: ((transfer seconds, client CPU less ``startup_cpu``, peak RSS MiB), image id)."""
        run = _measure.run_module(name, dict(args, provider='openstack', endpoint=self.stack.image_url, retries=0),
                                  self.env, self.workdir, pin)
        return (run.result['transfer']['seconds'], max(run.cpu - startup_cpu, 0.0), run.rss), run.result['image']['id']

    def client(self, mode, pin, *args):
        run = _measure.measured([self.sdk_python, CLIENT, mode] + list(args), self.env, pin)
        return (run.result['seconds'], run.result['cpu'], run.rss), run.result['image_id']

    def startup(self, tag, pin):
        """The module's CPU for the upload and the export of a 1 MiB file: what a transfer of any size pays once."""
        tiny = os.path.join(self.workdir, 'tiny.raw')
        _measure.make_file(tiny, _measure.TINY_SIZE)
        up = self.module('ims_image_upload', dict(src=tiny, name='bench-tiny-' + tag), pin, 0.0)
        down = self.module('ims_image_export', dict(image=up[1], dest=tiny + '.out', force=True), pin, 0.0)
        self.delete(up[1])
        os.unlink(tiny)
        os.unlink(tiny + '.out')
        return up[0][1], down[0][1]

    def delete(self, image_id):
        requests.delete('%s/v2/images/%s' % (self.stack.image_url, image_id), headers={'X-Auth-Token': self.token},
                        timeout=60)

    def measure_placement(self, place, src, size, runs, digest):
        tag = '%s-%d' % (place.name, size)
        dest = os.path.join(self.workdir, 'download.raw')
        startup_up, startup_down = self.startup(tag, place.client)
        uploads = dict(module=[], sdk=[])
        downloads = dict((m, []) for m in ('module',) + DOWNLOAD_PEERS)
        made = {}

        def upload(method, attempt):
            name = 'bench-%s-%s-%d' % (method, tag, attempt)
            if method == 'module':
                figures, made[method] = self.module('ims_image_upload', dict(src=src, name=name), place.client, startup_up)
            else:
                figures, made[method] = self.client('sdk-upload', place.client, src, name)
            uploads[method].append(figures)

        def download(method):
            if method == 'module':
                figures = self.module('ims_image_export', dict(image=made['module'], dest=dest, force=True), place.client,
                                      startup_down)[0]
            else:
                figures = self.client('%s-download' % method, place.client, made['module'], dest)[0]
            downloads[method].append(figures)
            os.unlink(dest)

        for attempt in range(runs):
            _measure.in_turn(attempt, *[lambda method=method: upload(method, attempt) for method in uploads])
            _measure.in_turn(attempt, *[lambda method=method: download(method) for method in downloads])
            for image_id in made.values():
                self.delete(image_id)
        return [_measure.row('Glance upload', place.name, size, uploads['module'], uploads['sdk'], digest, 1.0,
                             'openstacksdk'),
                _measure.row('Glance download', place.name, size, downloads['module'], downloads['sdk'], digest, 1.2,
                             'openstacksdk'),
                _measure.row('Glance download', place.name, size, downloads['module'], downloads['plain'], digest, None,
                             'plain GET')]


def parse_with_sdk(doc, argv):
    """The options of every benchmark and ``--sdk-python`` (checked, its openstacksdk version printed)."""
    parser = _measure.parser_for(doc)
    parser.add_argument('--sdk-python', default=DEFAULT_SDK_PYTHON,
                        help='the Python of the openstacksdk venv (scripts/bench-venv.sh; default %(default)s)')
    args = _measure.parse(parser, argv)
    if not os.access(args.sdk_python, os.X_OK):
        raise SystemExit('%s not found: run scripts/bench-venv.sh (make bench does)' % args.sdk_python)
    sdk_version = subprocess.run([args.sdk_python, '-c', 'import importlib.metadata as m; print(m.version("openstacksdk"))'],
                                 capture_output=True, text=True, check=True).stdout.strip()
    print('openstacksdk %s' % sdk_version)
    return args


def main(argv=None):
    args = parse_with_sdk(__doc__, argv)

    def measure_all(workdir):
        os.mkdir(os.path.join(workdir, 'stack'))
        with OpenStackStack(workdir=os.path.join(workdir, 'stack')) as stack:
            return _measure.run_sizes(args, GlanceBench(stack, args.sdk_python, workdir).measure)
    return _measure.run(args, 'ims-bench-glance-', 2, measure_all)


if __name__ == '__main__':
    sys.exit(main())

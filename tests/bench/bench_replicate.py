# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: ims_image_replicate against the same work done plainly, and one source read for three targets.

    make bench-replicate                        # builds the openstacksdk venv once, then runs this
    PYTHONPATH=build/collections:. .venv/bin/python tests/bench/bench_replicate.py \\
        --sdk-python ~/.cache/cecloud-ims/venv-bench-glance/bin/python --size 1

On the CECloud emulator + its S3 server, the real Keystone + Glance and the Huawei emulator, in one run:

* **CECloud → Glance**: ``ims_image_replicate`` (one image of ``--size`` GiB, the download streamed into Glance's
  PUT while it is read, verified on both ends) versus the plain way: a streamed ``requests`` download of the same
  image to a file, then openstacksdk ``create_image(filename=...)`` of that file. The plain figure is the sum of
  the two transfer calls (its login and imports before the clock starts); the module's, the target's ``seconds``
  in its result. The goal: plain / module ≥ 1.3 (the two ends overlap).
* **One source, three targets** (Glance, Huawei IMS in two regions): the bytes the source served, counted
  by a TCP proxy in front of the CECloud emulator (goal: 1.0 × the image), and the module process's peak RSS
  (VmHWM, polled; goal ≤ 150 MiB).

Every contender runs in a process of its own, the two of the first comparison taking turns going first. It prints
the figures, whether each goal is met, and one JSON line; it asserts nothing. It is self-contained (``make
bench``'s shared table code is not used).
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import requests

# The repository, for ``tests``; bench_glance puts build/collections on the path too.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from tests.bench.bench_glance import CLIENT, COLLECTIONS, GIB, MIB, measured, parse_sdk_args  # noqa: E402  pylint: disable=wrong-import-position
from tests.bench.bench_transfer import make_file, run_module  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.huawei.stack import HuaweiStack  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.stack import Stack  # noqa: E402  pylint: disable=wrong-import-position
from tests.integration.tcp_proxy import CountingProxy  # noqa: E402  pylint: disable=wrong-import-position
from tests.openstack.stack import OpenStackStack  # noqa: E402  pylint: disable=wrong-import-position

NAME = 'bench-golden'
RATIO_GOAL = 1.3
READS_GOAL = 1.0
RSS_GOAL_MIB = 150.0


def cecloud_connection(stack, tenant='tenant-a', endpoint=None):
    data = stack.tenant(tenant)
    return dict(provider='cecloud', endpoint=endpoint or stack.url, region=stack.region, auth_token=data['token'],
                tenant_id=data['tenant_id'], department_id=data['department_id'],
                resource_group_id=data.get('resource_group_id') or None)


def openstack_connection(glance):
    env = glance.env('proj-a')
    return dict(provider='openstack', endpoint=glance.image_url, auth_url=env['OS_AUTH_URL'], username=env['OS_USERNAME'],
                password=env['OS_PASSWORD'], project_name=env['OS_PROJECT_NAME'],
                user_domain_name=env['OS_USER_DOMAIN_NAME'], project_domain_name=env['OS_PROJECT_DOMAIN_NAME'],
                region=env['OS_REGION_NAME'])


class Bench:
    def __init__(self, cecloud, glance, huawei, sdk_python, workdir):
        self.cecloud = cecloud
        self.glance = glance
        self.huawei = huawei
        self.sdk_python = sdk_python
        self.workdir = workdir
        # Every connection is given in the arguments: no variable of the caller's environment reaches a provider.
        self.env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('IMS_', 'OS_', 'HUAWEICLOUD_')))
        self.glance_token = glance.token('proj-a')

    def replicate(self, targets, source_endpoint=None):
        """One ims_image_replicate process: (its result, wall seconds, peak RSS MiB)."""
        args = dict(cecloud_connection(self.cecloud, endpoint=source_endpoint), image=NAME, targets=targets, retries=0,
                    wait_timeout=600)
        args_file = os.path.join(self.workdir, 'replicate-args.json')
        with open(args_file, 'w', encoding='utf-8') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
        return measured([sys.executable, '-m', 'ansible_collections.cecloud.ims.plugins.modules.ims_image_replicate',
                         args_file], dict(self.env, PYTHONPATH=COLLECTIONS))

    def plain(self, image_id, size):
        """The plain way: a streamed download to a file, then openstacksdk's upload of it.

        Returns (seconds of both, peak RSS MiB of the upload process, seconds of the download alone)."""
        path = os.path.join(self.workdir, 'plain-download.raw')
        tenant = self.cecloud.tenant('tenant-a')
        started = time.time()
        with requests.get('%s/api/image/v1/private-images/%s/file' % (self.cecloud.url, image_id), stream=True,
                          timeout=600, headers={'Authorization': 'Bearer ' + tenant['token'],
                                                'x-regionid': self.cecloud.region}) as response:
            response.raise_for_status()
            with open(path, 'wb') as handle:
                for chunk in response.iter_content(MIB):
                    handle.write(chunk)
        downloaded = time.time() - started
        assert os.path.getsize(path) == size, 'the plain download is short'
        try:
            result, _wall, rss = measured([self.sdk_python, CLIENT, 'sdk-upload', path, NAME],
                                          dict(self.env, IMS_BENCH_IMAGE_URL=self.glance.image_url,
                                               **self.glance.env('proj-a')))
        finally:
            os.unlink(path)
        return downloaded + result['seconds'], rss, downloaded

    def delete_glance_images(self):
        headers = {'X-Auth-Token': self.glance_token}
        listed = requests.get('%s/v2/images' % self.glance.image_url, params={'name': NAME}, headers=headers, timeout=60)
        listed.raise_for_status()
        for image in listed.json()['images']:
            requests.delete('%s/v2/images/%s' % (self.glance.image_url, image['id']), headers=headers,
                            timeout=60).raise_for_status()


def served(result):
    targets = result['targets']
    failed = [t for t in targets if t.get('served') == 'failed' or t.get('error')]
    if failed:
        raise SystemExit('ims_image_replicate failed on %s' % json.dumps(failed))
    return [t['served'] for t in targets]


def versus_plain(bench, image_id, size, repeat):
    """The best of ``repeat`` turns each: (module seconds, module RSS, plain seconds, plain RSS, plain download seconds)."""
    module_runs, plain_runs = [], []
    for attempt in range(repeat):
        order = ('module', 'plain') if attempt % 2 == 0 else ('plain', 'module')
        for contender in order:
            bench.delete_glance_images()
            os.sync()
            if contender == 'module':
                result, _wall, rss = bench.replicate([openstack_connection(bench.glance)])
                assert served(result) == ['streamed'], result
                module_runs.append((result['targets'][0]['seconds'], rss))
            else:
                plain_runs.append(bench.plain(image_id, size))
    bench.delete_glance_images()
    plain = min(plain_runs)
    return min(r[0] for r in module_runs), max(r[1] for r in module_runs), plain[0], max(r[1] for r in plain_runs), plain[2]


def fan_out(bench, size):
    """One source to three targets through the counting proxy: (served bytes / size, peak RSS MiB, served list)."""
    proxy = CountingProxy(bench.cecloud.port)
    try:
        # Three uploads that each read the stream as it comes (Glance's PUT, IMS's PUT in two regions).
        targets = [openstack_connection(bench.glance)] + [
            bench.huawei.module_args('owner', region=region, auth='password') for region in bench.huawei.regions[:2]]
        result, _wall, rss = bench.replicate(targets, source_endpoint='http://127.0.0.1:%d' % proxy.port)
        ways = served(result)
        read = proxy.served
    finally:
        proxy.close()
    bench.delete_glance_images()
    return read / float(size), rss, ways


def goal(met):
    return 'met' if met else 'NOT met'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--size', type=float, default=1.0, help='the image in GiB (default 1)')
    parser.add_argument('--repeat', type=int, default=1, help='turns of the comparison; the best of each is kept')
    args = parse_sdk_args(parser, argv)
    size = int(args.size * GIB)
    workdir = tempfile.mkdtemp(prefix='ims-bench-replicate-', dir=args.workdir)
    if shutil.disk_usage(workdir).free < size * 8:
        raise SystemExit('need about %.1f GiB free in %s' % (size * 8.0 / GIB, workdir))
    print('size=%.2f GiB repeat=%d cpus=%d python=%s' % (args.size, args.repeat, os.cpu_count(), sys.version.split()[0]))
    try:
        for folder in ('cecloud', 'glance', 'huawei'):
            os.mkdir(os.path.join(workdir, folder))
        with Stack(transition_seconds=0.1, workdir=os.path.join(workdir, 'cecloud')) as cecloud, \
                OpenStackStack(workdir=os.path.join(workdir, 'glance')) as glance, \
                HuaweiStack(transition_seconds=0.1, workdir=os.path.join(workdir, 'huawei')) as huawei:
            bench = Bench(cecloud, glance, huawei, args.sdk_python, workdir)
            src = os.path.join(workdir, 'golden.raw')
            make_file(src, size)
            uploaded = run_module(cecloud, 'ims_image_upload', dict(src=src, name=NAME, disk_format='raw'), workdir)[0]
            os.unlink(src)
            image_id = uploaded['image']['image_id']
            module_s, module_rss, plain_s, plain_rss, download_s = versus_plain(bench, image_id, size, args.repeat)
            ratio = plain_s / module_s
            mib = size / MIB
            print('CECloud -> Glance  module %6.1f s (%6.1f MiB/s, peak RSS %5.1f MiB)   plain download %6.1f s + '
                  'openstacksdk upload %6.1f s = %6.1f s (%6.1f MiB/s; the upload process %5.1f MiB)' % (
                      module_s, mib / module_s, module_rss, download_s, plain_s - download_s, plain_s, mib / plain_s,
                      plain_rss))
            print('CECloud -> Glance  ratio plain / module %.2f (goal >= %.1f: %s)' % (ratio, RATIO_GOAL, goal(ratio >= RATIO_GOAL)))
            reads, fan_rss, ways = fan_out(bench, size)
            print('1 source -> 3 targets (%s)  source bytes read %.3f x the image (goal %.1f: %s)   peak RSS %.1f MiB '
                  '(goal <= %d: %s)' % (', '.join(ways), reads, READS_GOAL, goal(reads <= READS_GOAL + 0.01), fan_rss,
                                        RSS_GOAL_MIB, goal(fan_rss <= RSS_GOAL_MIB)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(dict(size_gib=args.size, module_s=round(module_s, 2), plain_s=round(plain_s, 2), ratio=round(ratio, 2),
                          module_rss_mib=round(module_rss, 1), fan_out_reads=round(reads, 3), fan_out_rss_mib=round(fan_rss, 1))))
    return 0


if __name__ == '__main__':
    sys.exit(main())

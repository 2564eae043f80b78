# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: ims_image_replicate against the same work done plainly, and one source read for three targets.

    make bench-replicate                        # builds the openstacksdk venv once, then runs this (make bench too)
    PYTHONPATH=build/collections:. .venv/bin/python tests/bench/bench_replicate.py \\
        --sdk-python ~/.cache/cecloud-ims/venv-bench-glance/bin/python [--runs 3] [--quick]

On the CECloud emulator + its S3 server, the real Keystone + Glance and the Huawei emulator, in one run, for the
image size (1 GiB by default), in each placement (tests/bench/_measure.py):

* **replicate CECloud -> Glance**: ``ims_image_replicate`` (the download streamed into Glance's PUT while it is
  read, verified on both ends) versus the plain way: a streamed ``requests`` GET of the same image to a file
  (peer_client.py), then openstacksdk ``create_image(filename=...)`` of that file (glance_client.py). The plain
  figures are the sum of the two transfer calls' (their imports and logins outside the clock), its RSS the larger;
  the module's seconds are the target's ``seconds`` in its result, its CPU its process's less a 1 MiB
  replication's. Best of ``--runs``, the two taking turns going first. Goal: module / plain >= 1.3 (the two
  ends overlap); no CPU goal (the plain way verifies nothing).
* **replicate 1 source -> 3 targets** (Glance, Huawei IMS in two regions; one run): the bytes the source
  served, counted by a TCP proxy in front of the CECloud emulator (goal: 1.0 x the image, shown in the path
  cell), and the module's peak RSS (goal <= 150 MiB); its peer is the one-target replication above.

It prints one table in the format of the others (``make bench`` puts its rows in the common table) and asserts
nothing.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import sys

import requests

# The repository, for ``tests`` (bench_glance puts build/collections on the path too).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.ims import DIRECT_UPLOAD_LIMIT  # noqa: E402  pylint: disable=wrong-import-position
from tests.bench import _measure  # noqa: E402  pylint: disable=wrong-import-position
from tests.bench.bench_glance import CLIENT, parse_with_sdk  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.huawei.stack import HuaweiStack  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.stack import Stack  # noqa: E402  pylint: disable=wrong-import-position
from tests.integration.tcp_proxy import CountingProxy  # noqa: E402  pylint: disable=wrong-import-position
from tests.openstack.stack import OpenStackStack  # noqa: E402  pylint: disable=wrong-import-position

PEER_CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'peer_client.py')
RATIO_GOAL = 1.3
READS_GOAL = 1.0
RSS_GOAL_MIB = 150.0


def cecloud_connection(stack, endpoint=None):
    data = stack.tenant('tenant-a')
    return dict(provider='cecloud', endpoint=endpoint or stack.url, region=stack.region, auth_token=data['token'],
                tenant_id=data['tenant_id'], department_id=data['department_id'],
                resource_group_id=data.get('resource_group_id') or None)


class ReplicateBench(_measure.Bench):
    def __init__(self, cecloud, glance, huawei, sdk_python, workdir):
        self.cecloud, self.glance, self.huawei = cecloud, glance, huawei
        self.sdk_python = sdk_python
        self.workdir = workdir
        # Every connection is given in the arguments: no variable of the caller's environment reaches a provider.
        self.env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('IMS_', 'OS_', 'HUAWEICLOUD_')))
        self.glance_token = glance.token('proj-a')
        self.sources = {}

    def glance_target(self, name):
        env = self.glance.env('proj-a')
        return dict(provider='openstack', endpoint=self.glance.image_url, auth_url=env['OS_AUTH_URL'], name=name,
                    username=env['OS_USERNAME'], password=env['OS_PASSWORD'], project_name=env['OS_PROJECT_NAME'],
                    user_domain_name=env['OS_USER_DOMAIN_NAME'], project_domain_name=env['OS_PROJECT_DOMAIN_NAME'],
                    region=env['OS_REGION_NAME'])

    def source(self, path, name):
        """The id of the CECloud image ``name`` uploaded from ``path`` (once: every placement replicates it)."""
        if name not in self.sources:
            run = _measure.run_module('ims_image_upload', dict(cecloud_connection(self.cecloud), src=path, name=name,
                                                               disk_format='raw'), self.env, self.workdir)
            self.sources[name] = run.result['image']['image_id']
        return self.sources[name]

    def replicate(self, image, targets, pin, startup_cpu=0.0, endpoint=None):
        """One ims_image_replicate process: ((slowest target's seconds, CPU less ``startup_cpu``, peak RSS MiB), served)."""
        run = _measure.run_module('ims_image_replicate', dict(cecloud_connection(self.cecloud, endpoint), image=image,
                                                              targets=targets, retries=0, wait_timeout=600),
                                  self.env, self.workdir, pin)
        failed = [t for t in run.result['targets'] if t.get('served') == 'failed' or t.get('error')]
        if failed:
            raise SystemExit('ims_image_replicate failed on %s' % failed)
        seconds = max(t['seconds'] for t in run.result['targets'])
        return (seconds, max(run.cpu - startup_cpu, 0.0), run.rss), [t['served'] for t in run.result['targets']]

    def plain(self, image_id, name, pin):
        """The plain way: a streamed GET to a file, then openstacksdk's upload of it: (seconds, CPU, peak RSS)."""
        path = os.path.join(self.workdir, 'plain-download.raw')
        headers = {'Authorization': 'Bearer ' + self.cecloud.tenant('tenant-a')['token'], 'x-regionid': self.cecloud.region}
        spec = dict(url='%s/api/image/v1/private-images/%s/file' % (self.cecloud.url, image_id), headers=headers, dest=path)
        try:
            down = _measure.measured([sys.executable, PEER_CLIENT, 'get-download', json.dumps(spec)], self.env, pin)
            up = _measure.measured([self.sdk_python, CLIENT, 'sdk-upload', path, name],
                                   dict(self.env, IMS_BENCH_IMAGE_URL=self.glance.image_url, **self.glance.env('proj-a')), pin)
        finally:
            if os.path.exists(path):
                os.unlink(path)
        return (down.result['seconds'] + up.result['seconds'], down.result['cpu'] + up.result['cpu'], max(down.rss, up.rss))

    def delete_glance_images(self):
        """Every image of the project whose name this benchmark gave (``bench-``)."""
        headers = {'X-Auth-Token': self.glance_token}
        listed = requests.get('%s/v2/images' % self.glance.image_url, headers=headers, timeout=60)
        listed.raise_for_status()
        for image in listed.json()['images']:
            if (image.get('name') or '').startswith('bench-'):
                requests.delete('%s/v2/images/%s' % (self.glance.image_url, image['id']), headers=headers,
                                timeout=60).raise_for_status()

    def startup(self, tag, pin):
        """The module's CPU replicating a 1 MiB image to Glance: what a replication of any size pays once."""
        tiny = os.path.join(self.workdir, 'tiny.raw')
        _measure.make_file(tiny, _measure.TINY_SIZE)
        image = self.source(tiny, 'bench-tiny')
        os.unlink(tiny)
        cpu = self.replicate(image, [self.glance_target('bench-tiny-' + tag)], pin)[0][1]
        self.delete_glance_images()
        return cpu

    def measure_placement(self, place, src, size, runs, digest):
        tag = '%s-%d' % (place.name, size)
        image = self.source(src, 'bench-golden-%d' % size)
        startup = self.startup(tag, place.client)
        module_runs, plain_runs = [], []

        def module(attempt):
            figures, ways = self.replicate(image, [self.glance_target('bench-copy-%s-%d' % (tag, attempt))], place.client,
                                           startup)
            assert ways == ['streamed'], ways
            module_runs.append(figures)

        for attempt in range(runs):
            _measure.in_turn(attempt, lambda attempt=attempt: module(attempt),
                             lambda attempt=attempt: plain_runs.append(self.plain(image, 'bench-plain-%s-%d' % (tag, attempt),
                                                                                  place.client)))
            self.delete_glance_images()
        rows = [_measure.row('replicate CECloud -> Glance', place.name, size, module_runs, plain_runs, digest, RATIO_GOAL,
                             'GET + openstacksdk', cpu_goal=False, rss_limit=RSS_GOAL_MIB)]
        if size >= DIRECT_UPLOAD_LIMIT:
            # The Huawei targets log in with a password: IMS takes their direct upload (one PUT) under 2 GiB only.
            print('replicate 1 -> 3 not measured at %d bytes: its Huawei targets upload directly, which IMS takes under '
                  '%d bytes' % (size, DIRECT_UPLOAD_LIMIT))
            return rows
        reads, fan_figures, ways = self.fan_out(image, size, tag, place.client, startup)
        fan = _measure.row('replicate 1 -> 3 (%s)' % ', '.join(ways), place.name, size, [fan_figures], module_runs, digest,
                           None, 'replicate -> Glance', cpu_goal=False, rss_limit=RSS_GOAL_MIB)
        fan['source_reads'] = reads
        fan['path'] += ': source read %.2f x (goal %.1f: %s)' % (reads, READS_GOAL, 'yes' if reads <= READS_GOAL + 0.01 else '**NO**')
        return rows + [fan]

    def fan_out(self, image, size, tag, pin, startup):
        """One source to three uploads that each read the stream as it comes (Glance's PUT, IMS's PUT in two regions),
        through the counting proxy: (source bytes served / size, (seconds, CPU, RSS), how each target was served)."""
        name = 'bench-fan-' + tag
        targets = [self.glance_target(name)] + [dict(self.huawei.module_args('owner', region=region, auth='password'), name=name)
                                                for region in self.huawei.regions[:2]]
        proxy = CountingProxy(self.cecloud.port)
        try:
            figures, ways = self.replicate(image, targets, pin, startup, endpoint='http://127.0.0.1:%d' % proxy.port)
            served = proxy.served
        finally:
            proxy.close()
        self.delete_glance_images()
        return served / float(size), figures, ways


def main(argv=None):
    args = parse_with_sdk(__doc__, argv)

    def measure_all(workdir):
        for folder in ('cecloud', 'glance', 'huawei'):
            os.mkdir(os.path.join(workdir, folder))
        with Stack(transition_seconds=0.1, workdir=os.path.join(workdir, 'cecloud')) as cecloud, \
                OpenStackStack(workdir=os.path.join(workdir, 'glance')) as glance, \
                HuaweiStack(transition_seconds=0.1, workdir=os.path.join(workdir, 'huawei')) as huawei:
            return _measure.run_sizes(args, ReplicateBench(cecloud, glance, huawei, args.sdk_python, workdir).measure)
    # Kept per run: the CECloud source and the two Huawei copies of each placement (Glance's are deleted).
    return _measure.run(args, 'ims-bench-replicate-', 2, measure_all)


if __name__ == '__main__':
    sys.exit(main())

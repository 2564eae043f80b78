# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Uploads whose bytes come from a stream read once (``_upload_source.StreamSource``), through every provider's
upload flow against the real stacks: the CECloud emulator and its S3 server (ServiceS3Upload), Keystone + Glance
(DirectPutUpload), the Huawei emulator with OBS staging (AK/SK) and with a direct PUT (token).

ims_image_upload runs in this process with its ``Task.source`` set to the stream (what a replication does), so
the stream is read exactly as a sender reads it: once, in order. A stream cut on a multipart path leaves the
upload resumable; the re-run keeps the parts stored (their MD5, computed as the new stream passes, equals their
ETag) and sends only the others, counted in the S3 server's request log (through tests/integration/s3_proxy.py).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import hashlib
import uuid
from unittest import mock
from urllib.parse import urlsplit

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils import _module
from ansible_collections.cecloud.ims.plugins.module_utils._upload_source import StreamSource
from tests.contract.runner import run_module
from tests.contract.stacks import CECloud, HuaweiCloud, OpenStack
from tests.integration.conftest import http_dir, ims, stack  # noqa: F401  pylint: disable=unused-import
from tests.integration.s3_proxy import S3Proxy
from tests.openstack.fixtures import glance, openstack_stack  # noqa: F401  pylint: disable=unused-import
from tests.emulator.huawei.fixtures import huawei, huawei_stack  # noqa: F401  pylint: disable=unused-import

MIB = 1024 * 1024
PART_MIB = 5
# 12 MiB: three parts of 5, 5 and 2 MiB on the multipart paths.
SIZE = 12 * MIB
FLOWS = ('cecloud', 'openstack', 'huaweicloud-obs', 'huaweicloud-direct')
MULTIPART_FLOWS = ('cecloud', 'huaweicloud-obs')


def image_bytes(seed):
    block = hashlib.sha512(seed.encode('ascii')).digest() * (MIB // 64)
    return b''.join(index.to_bytes(8, 'big') + block[8:] for index in range(SIZE // MIB))


class Download:
    """A source image's download as a sender sees it: ``read(n)``; counts the bytes read; breaks after ``cut`` bytes."""

    def __init__(self, data, cut=None):
        self.data = data
        self.cut = cut
        self.offset = 0
        self.reads = 0

    def read(self, amount=-1):
        if self.cut is not None and self.offset >= self.cut:
            raise ConnectionResetError('the source stopped sending')
        end = len(self.data) if amount is None or amount < 0 else self.offset + amount
        if self.cut is not None:
            end = min(end, self.cut)
        data = self.data[self.offset:end]
        self.offset += len(data)
        self.reads += len(data)
        return data


def stream_source(data, download, hashes=None):
    return StreamSource(download, len(data), hashes or {'md5': hashlib.md5(data).hexdigest()}, 'image src-1 of cecloud r1')


@contextlib.contextmanager
def task_source(source):
    """Every Task of the module run in this block has ``source`` (as a replication's task has)."""
    real = _module.Task.__init__

    def init(self, module):
        real(self, module)
        self.source = source
    with mock.patch.object(_module.Task, '__init__', init):
        yield


class Flow:
    """One provider's upload flow on its test stack: the contract adapter, the module options, the S3 request log."""

    def __init__(self, name, cloud, proxy=None, auth=None):
        self.name = name
        self.cloud = cloud
        self.proxy = proxy
        self.auth = auth

    def upload(self, source, image_name):
        connection, env = self.cloud.connection('owner')
        args = dict(connection, **self.cloud.upload_args('/nonexistent/not-read.raw', image_name))
        if self.name == 'huaweicloud-direct':
            args = dict(self.cloud.hw.connection('owner', auth='token'), src=args['src'], name=image_name, min_disk=40)
        if self.name == 'huaweicloud-obs':
            args['obs_endpoint'] = self.proxy.url
        if self.name == 'cecloud':
            args.update(part_size_mb=PART_MIB, max_concurrency=1)
        if self.name == 'huaweicloud-obs':
            args['max_concurrency'] = 1
        with task_source(source):
            return run_module('ims_image_upload', args, env)

    def status(self, image_id):
        if self.name == 'openstack':
            return self.cloud.glance.image(image_id)['status']
        return self.cloud._image(image_id)['status']

    def parts_sent(self):
        return self.proxy.operations().count('UploadPart')


@pytest.fixture(params=FLOWS)
def flow(request):
    name = request.param
    if name == 'cecloud':
        cloud = CECloud(request.getfixturevalue('ims'), request.getfixturevalue('http_dir'))
        proxy = S3Proxy(cloud.stack.s3.ports['s3'])
        cloud.stack.set_upload_target(domain=proxy.url)
        try:
            yield Flow(name, cloud, proxy)
        finally:
            proxy.close()
            cloud.stack.set_upload_target()
        return
    if name == 'openstack':
        yield Flow(name, OpenStack(request.getfixturevalue('glance')))
        return
    cloud = HuaweiCloud(request.getfixturevalue('huawei'))
    if name == 'huaweicloud-direct':
        yield Flow(name, cloud)
        return
    proxy = S3Proxy(urlsplit(cloud.stack.obs_url).port)
    try:
        yield Flow(name, cloud, proxy)
    finally:
        proxy.close()


def test_a_stream_is_uploaded_once_verified_and_a_rerun_reads_nothing(flow):
    data = image_bytes('stream-%s' % flow.name)
    md5 = hashlib.md5(data).hexdigest()
    name = 'streamed-%s' % uuid.uuid4().hex[:8]
    download = Download(data)
    run = flow.upload(stream_source(data, download), name)
    assert not run.failed and run.changed, run
    assert run['checksum'] == md5 and run['image']['status'] == 'active', run
    assert download.reads == len(data)              # read once: the format was detected from the peeked bytes
    (image_id,) = flow.cloud.images(name)
    assert flow.cloud.stored_md5(image_id) == md5   # the service holds the source's bytes
    if flow.proxy is not None:
        assert flow.parts_sent() == 3 and run['transfer']['parts_sent'] == 3, flow.proxy.operations()

    again = Download(data)
    rerun = flow.upload(stream_source(data, again), name)
    assert not rerun.failed and not rerun.changed, rerun
    assert again.reads == 4 and flow.cloud.images(name) == [image_id]     # the first bytes, for the format


def test_a_stream_whose_bytes_are_not_its_reported_md5_is_refused_before_completion(flow):
    data = image_bytes('liar-%s' % flow.name)
    name = 'liar-%s' % uuid.uuid4().hex[:8]
    run = flow.upload(stream_source(data, Download(data), hashes={'md5': '0' * 32}), name)
    assert run.failed, run
    assert 'do not match the hashes it reports' in run['msg'] and 'image src-1 of cecloud r1' in run['msg'], run
    # The last chunk is held back until the stream's end is checked: no service gets the whole body, no image of
    # the name becomes active (a direct PUT cut short leaves it queued, or saving on Huawei IMS until it fails).
    assert 'active' not in [flow.status(i) for i in flow.cloud.images(name)]
    if flow.proxy is not None:
        assert 'CompleteMultipartUpload' not in flow.proxy.operations()


@pytest.mark.parametrize('flow', MULTIPART_FLOWS, indirect=True)
def test_a_cut_stream_leaves_the_upload_resumable_and_the_rerun_sends_only_the_missing_parts(flow):
    data = image_bytes('cut-%s' % flow.name)
    md5 = hashlib.md5(data).hexdigest()
    name = 'cut-%s' % uuid.uuid4().hex[:8]
    cut = Download(data, cut=7 * MIB)       # part 1 stored, part 2 half read
    first = flow.upload(stream_source(data, cut), name)
    assert first.failed and first.changed, first
    assert 'Reading image src-1 of cecloud r1 failed after' in first['msg'] and 'run the task again' in first['msg'], first
    assert flow.parts_sent() == 1

    flow.proxy.reset()
    download = Download(data)
    rerun = flow.upload(stream_source(data, download), name)
    assert not rerun.failed and rerun.changed, rerun
    assert download.reads == len(data)      # the stream is read once: kept parts are checked as it passes
    transfer = rerun['transfer']
    assert (transfer['parts_reused'], transfer['parts_sent']) == (1, 2), transfer
    assert (transfer['bytes_reused'], transfer['bytes_sent']) == (5 * MIB, 7 * MIB), transfer
    assert flow.parts_sent() == 2 and 'CompleteMultipartUpload' in flow.proxy.operations(), flow.proxy.operations()
    (image_id,) = flow.cloud.images(name)
    assert flow.cloud.stored_md5(image_id) == md5

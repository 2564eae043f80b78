# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The upload flows each provider returns, and the helpers every upload flow shares."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib

from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.api import CECloudBackend
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.upload_flow import CECloudUpload, ServiceS3Upload
from ansible_collections.cecloud.ims.plugins.module_utils._core import streams as _streams
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, add_notes
from ansible_collections.cecloud.ims.plugins.module_utils._openstack.glance import GlanceBackend
from ansible_collections.cecloud.ims.plugins.module_utils._openstack.upload_flow import GlanceUpload
from ansible_collections.cecloud.ims.plugins.module_utils._upload_flow import OTHER, SAME, DirectPutUpload, differing_hashes


class FakeTask:
    """What a flow reads of a task when it is made (no request, no module)."""

    def __init__(self, backend):
        self.params, self.check_mode, self.result, self.service, self.backend = {}, False, {}, None, backend


def test_each_backend_returns_the_upload_flow_that_sends_its_file():
    cecloud = CECloudBackend(client=None).image_upload(FakeTask(None))
    assert isinstance(cecloud, CECloudUpload) and cecloud.sender is ServiceS3Upload
    openstack = GlanceBackend(client=None).image_upload(FakeTask(None))
    assert isinstance(openstack, GlanceUpload) and openstack.sender is DirectPutUpload
    assert 'boto3' in CECloudBackend.upload_libraries({}) and GlanceBackend.upload_libraries({}) == {}


def test_differing_hashes_names_only_the_algorithms_both_sides_have_and_that_differ():
    reported = dict(md5='a' * 32, sha512='b' * 128, sha256='c' * 64)
    local = dict(md5='a' * 32, sha512='d' * 128)
    assert differing_hashes(reported, local) == dict(sha512='b' * 128)
    assert differing_hashes(reported, dict(md5='a' * 32)) == {}


def test_upload_figures_show_the_throughput_of_the_bytes_this_run_sent():
    transfer = dict(bytes=3 * _transfer.MIB, bytes_sent=_transfer.MIB, bytes_reused=2 * _transfer.MIB, parts_sent=1,
                    parts_reused=2, resumed=True, seconds=0.5, md5='0' * 32, upload_id='u-1', warnings=[])
    assert _transfer.upload_figures(transfer) == dict(bytes=3 * _transfer.MIB, bytes_sent=_transfer.MIB,
                                                      bytes_reused=2 * _transfer.MIB, parts_sent=1, parts_reused=2,
                                                      resumed=True, seconds=0.5, mib_per_s=2.0)


def test_transfer_figures_of_one_put():
    assert _transfer.transfer_figures(4 * _transfer.MIB, 2.0004, bytes=4 * _transfer.MIB) == dict(
        bytes=4 * _transfer.MIB, seconds=2.0, mib_per_s=2.0)


def test_add_notes_appends_what_the_failure_handling_did_leaving_out_empty_notes():
    exc = ImsError('PUT of image img-1 failed.')
    add_notes(exc, ['10 of 20 bytes were sent', None, '', 'image img-1 was deleted'])
    assert exc.message == 'PUT of image img-1 failed (10 of 20 bytes were sent; image img-1 was deleted).'
    assert str(exc) == exc.message


class CountingDigest:
    """A hashlib digest that counts the bytes fed to it, by algorithm, in ``fed``."""

    def __init__(self, algorithm, fed):
        self.algorithm, self.fed, self.digest = algorithm, fed, hashlib.new(algorithm)

    def update(self, chunk):
        self.fed[self.algorithm] = self.fed.get(self.algorithm, 0) + len(chunk)
        self.digest.update(chunk)

    def hexdigest(self):
        return self.digest.hexdigest()


def glance_flow(tmp_path, monkeypatch, size=3 * 1024 * 1024 + 5):
    """A Glance upload flow of a file of ``size`` bytes, its backend's PUT reading the body, and the bytes hashed."""
    data = b''.join(hashlib.sha512(b'%d' % i).digest() for i in range(size // 64 + 1))[:size]
    src = tmp_path / 'disk.raw'
    src.write_bytes(data)
    fed = {}
    monkeypatch.setattr(_streams, 'new_digest', lambda algorithm: CountingDigest(algorithm, fed))
    backend = GlanceBackend(client=None)
    backend.upload_file = lambda image_id, body: [len(chunk) for chunk in body]
    task = FakeTask(backend)
    task.params = dict(src=str(src))
    flow = backend.image_upload(task)
    flow.size = size
    return flow, data, fed


def glance_image(data, **hashes):
    image = dict(image_id='img-1', status='active', size=len(data), checksum=None, os_hash_algo='sha512',
                 os_hash_value=None)
    image.update(hashes)
    return image


def test_the_glance_put_hashes_each_byte_once_with_md5_and_glance_checksum_verifies_it(tmp_path, monkeypatch):
    flow, data, fed = glance_flow(tmp_path, monkeypatch)
    DirectPutUpload(flow).upload('img-1', created=True)
    assert fed == dict(md5=len(data))
    assert flow.hashes == dict(md5=hashlib.md5(data).hexdigest()) == dict(md5=flow.result['checksum'])

    # Glance reports both: its checksum is compared, nothing is read again.
    flow._verify(glance_image(data, checksum=hashlib.md5(data).hexdigest(), os_hash_value='0' * 128), created=True)
    assert fed == dict(md5=len(data))


def test_without_glance_checksum_the_os_hash_value_is_compared_after_one_more_read(tmp_path, monkeypatch):
    flow, data, fed = glance_flow(tmp_path, monkeypatch)
    DirectPutUpload(flow).upload('img-1', created=True)
    sha512 = hashlib.sha512(data).hexdigest()
    flow._verify(glance_image(data, os_hash_value=sha512), created=True)
    assert fed == dict(md5=len(data), sha512=len(data))
    assert flow.hashes == dict(md5=hashlib.md5(data).hexdigest(), sha512=sha512)
    assert flow._differing(dict(sha512='0' * 128)) == dict(sha512='0' * 128)


def test_is_this_image_the_file_computes_only_the_first_hash_the_service_reports(tmp_path, monkeypatch):
    flow, data, fed = glance_flow(tmp_path, monkeypatch)
    md5, sha512 = hashlib.md5(data).hexdigest(), hashlib.sha512(data).hexdigest()
    assert flow.kind(glance_image(data, checksum=md5, os_hash_value=sha512)) == SAME
    assert fed == dict(md5=len(data))
    assert flow.kind(glance_image(data, checksum='0' * 32, os_hash_value=sha512)) == OTHER
    assert flow.kind(glance_image(data, os_hash_value=sha512)) == SAME
    assert fed == dict(md5=len(data), sha512=len(data))

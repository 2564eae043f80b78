"""Emulator API tests through real HTTP against a real SeaweedFS + emulator stack."""

import hashlib
import http.client
import http.server
import io
import os
import socket
import threading
import time

import boto3
import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

from tests.emulator.stack import Stack


def _s3(prep):
    return boto3.client('s3', endpoint_url=prep['domain'], aws_access_key_id=prep['accessKey'], aws_secret_access_key=prep['secretKey'],
                        region_name='us-east-1', config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))


def _upload(client, name='up', payload=None):
    payload = payload if payload is not None else os.urandom(12 * 1024 * 1024 + 17)
    image = client.create(name)
    prep = client.ok('POST', f"/private-images/{image['imageId']}/upload-prepare", json={'size': len(payload)})
    s3 = _s3(prep)
    cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_fileobj(io.BytesIO(payload), prep['bucket'], prep['file'], Config=cfg)
    return image, prep, payload


def _active(client, name='act', payload=None):
    image, prep, payload = _upload(client, name, payload)
    client.ok('POST', f"/private-images/{image['imageId']}/upload-done", json={'result': 'success', 'uploadId': 'u1'})
    data = client.wait_status(image['imageId'], ('active',))
    return data, prep, payload


def test_envelope_auth_region(stack, client_a):
    resp = client_a.call('GET', '/images', params={'size': 10, 'current': 1})
    doc = resp.json()
    assert set(doc) == {'requestId', 'code', 'message', 'data'}
    assert doc['code'] == 'Success' and doc['message'] == '调用成功'
    assert doc['data']['total'] >= 3 and all(i['visibility'] == 'public' for i in doc['data']['list'])
    bad = requests.get(f"{stack.url}/api/image/v1/images?size=1&current=1", headers={'Authorization': 'Bearer nope', 'x-regionid': 'region0'},
                       timeout=10)
    assert bad.status_code == 401 and bad.json()['code'] == 'IMG.OperationDenied.AuthFail'
    assert requests.get(f"{stack.url}/api/image/v1/images?size=1&current=1", timeout=10).status_code == 401
    resp = requests.get(f"{stack.url}/api/image/v1/images?size=1&current=1", headers={'Authorization': f"Bearer {client_a.tenant['token']}"},
                        timeout=10)
    assert resp.status_code == 400 and 'x-regionid' in resp.json()['message']
    client_a.err('GET', '/images', 'IMG.InvalidParameter', headers={'x-regionid': 'region9'}, params={'size': 1, 'current': 1})
    public_id = doc['data']['list'][0]['imageId']
    assert client_a.ok('GET', f"/images/{public_id}")['imageId'] == public_id
    client_a.err('GET', '/images/img-doesnotexist00', 'IMG.DBGet.NoData')


def test_paging_and_filter(stack, client_b):
    ids = stack.seed(tenant='tenant-b', count=250, prefix='bulk-')['imageIds']
    seen = []
    for current in (1, 2, 3):
        data = client_b.ok('GET', '/private-images', params={'size': 100, 'current': current})
        assert data['total'] >= 250 and data['size'] == 100 and data['current'] == current
        seen += [i['imageId'] for i in data['list']]
    assert set(ids) <= set(seen)
    assert seen.index(ids[-1]) < seen.index(ids[0])  # newest first
    # The document names no largest page size: 250 in one page.
    assert len(client_b.ok('GET', '/private-images', params={'size': 300, 'current': 1, 'filter': 'name:lk:bulk-'})['list']) == 250
    client_b.err('GET', '/private-images', 'IMG.InvalidParameter', params={'size': 0, 'current': 1})
    client_b.err('GET', '/private-images', 'IMG.InvalidParameter', params={'size': 10, 'current': 0})
    client_b.err('GET', '/private-images', 'IMG.InvalidParameter', params={'current': 1})
    data = client_b.ok('GET', '/private-images', params={'size': 100, 'current': 1, 'filter': 'name:lk:bulk-0012'})
    assert sorted(i['name'] for i in data['list']) == [f'bulk-0012{i}' for i in range(10)]
    data = client_b.ok('GET', '/private-images', params={'size': 10, 'current': 1, 'filter': f'name:lk:bulk|imageId:eq:{ids[5]}|',
                                                         'requestInfo': 'region0'})
    assert data['total'] == 1 and data['list'][0]['imageId'] == ids[5]
    client_b.err('GET', '/private-images', 'IMG.InvalidParameter', params={'size': 10, 'current': 1, 'filter': 'name:gt:1'})
    client_b.err('GET', '/private-images', 'IMG.InvalidParameter', params={'size': 10, 'current': 1, 'filter': 'nosuch:eq:1'})
    # Only the two documented terms: other fields and operators of known fields are refused.
    for term in ('status:eq:active', 'name:eq:bulk-00001', 'imageId:lk:img-', 'diskFormat:eq:qcow2'):
        client_b.err('GET', '/private-images', 'IMG.InvalidParameter', params={'size': 10, 'current': 1, 'filter': term})


def test_create_validation(client_a, client_b):
    data = client_a.ok('POST', '/private-images', json={'image': client_a.image_body('wrapped 中文_1.x')})
    assert data['status'] == 'queued' and data['instructions'] == '64-bits' and data['owner'] == client_a.tenant['tenant_id']
    for bad in ({'name': ' lead'}, {'name': 'x' * 129}, {'name': 'bad/char'}, {'name': ''}, {'diskFormat': 'vmdk'},
                {'minDisk': -1}, {'minRam': '512'}, {'description': 'x'}, {'visibility': 'shared'}, {'bootMode': 'EFI'},
                {'instruction': '64'}, {'usage': 'vm'}, {'osVersion': 'v2'}, {'osVersion': ''}):
        client_a.err('POST', '/private-images', 'IMG.InvalidParameter', json=client_a.image_body(**bad))
    body = client_a.image_body()
    del body['cpuArch']
    client_a.err('POST', '/private-images', 'IMG.InvalidParameter', json=body)
    client_a.err('POST', '/private-images', 'IMG.OperationDenied.Identity', json=client_a.image_body(tenantId=client_b.tenant['tenant_id']))
    client_a.err('POST', '/private-images', 'IMG.InvalidParameter', data='not json', headers={'Content-Type': 'application/json'})


def test_update_rules(client_a, client_b):
    image = client_a.create('upd')
    full = {'bootMode': 'UEFI', 'cpuArch': 'arm', 'diskFormat': 'qcow2', 'instruction': '32-bits', 'minDisk': 20, 'minRam': 1024,
            'name': 'upd2', 'osType': 'linux', 'osVersion': 'kylin-v10-sp3', 'platform': 'kylin'}
    path = f"/private-images/{image['imageId']}"
    assert client_a.ok('PUT', path, json=full) is None
    data = client_a.ok('GET', f"/images/{image['imageId']}")
    assert data['name'] == 'upd2' and data['instructions'] == '32-bits' and data['minDisk'] == 20
    client_a.err('PUT', path, 'IMG.OperationFailed.ModifyMinDiskSize', json=dict(full, minDisk=5))
    client_a.err('PUT', path, 'IMG.InvalidParameter', json=dict(full, diskFormat='raw'))
    partial = dict(full)
    del partial['osVersion']
    client_a.err('PUT', path, 'IMG.InvalidParameter', json=partial)
    client_a.err('PUT', path, 'IMG.InvalidParameter', json=dict(full, description='a description'))
    client_b.err('PUT', path, 'IMG.OperationDenied.Identity', json=full)
    client_a.err('PUT', '/private-images/img-missing000000', 'IMG.DBGet.NoData', json=full)


def test_upload_download_export_delete(stack, client_a):
    data, prep, payload = _active(client_a, 'full-cycle')
    image_id = data['imageId']
    assert data['checksum'] == hashlib.md5(payload).hexdigest() and data['size'] == len(payload) and data['progress'] == '100'
    assert data['uploadId'] == 'u1'
    resp = client_a.call('GET', f'/private-images/{image_id}/file', stream=True)
    assert resp.status_code == 200 and int(resp.headers['Content-Length']) == len(payload)
    assert b''.join(resp.iter_content(1 << 20)) == payload
    buckets = client_a.ok('GET', f'/private-images/{image_id}/oss-bucket-list')
    assert len(buckets) >= 2 and {'azId', 'cellId', 'name'} <= set(buckets[0])
    client_a.err('POST', f'/custom-images/{image_id}/export', 'IMG.InvalidParameter',
                 json={'bucket': {'name': 'nope', 'azId': 'AZ0', 'cellId': buckets[0]['cellId']}})
    assert client_a.ok('POST', f'/custom-images/{image_id}/export', json={'bucket': buckets[1]}) is None
    head = _s3(prep).head_object(Bucket=buckets[1]['name'], Key=f"{image_id}.qcow2")
    assert head['ContentLength'] == len(payload)
    client_a.err('POST', f'/private-images/{image_id}/upload-prepare', 'IMG.OperationFailed.UploadNotAllowed', json={'size': 5})
    resp = client_a.call('DELETE', f"/private-images/{image_id}")
    assert resp.status_code == 200 and resp.json()['code'] == 'Success'
    assert client_a.ok('GET', f"/images/{image_id}")['status'] == 'deleted'
    client_a.err('DELETE', f"/private-images/{image_id}", 'IMG.OperationDenied.ActionNotMatchStatus')
    deadline = time.time() + 10
    while client_a.call('GET', f"/images/{image_id}").status_code == 200:
        assert time.time() < deadline
        time.sleep(0.05)
    client_a.err('GET', f"/images/{image_id}", 'IMG.DBGet.NoData')
    assert image_id not in [i['imageId'] for i in stack.state()['images']]


def _reason(stack, image_id):
    """Why an image turned killed, as the emulator keeps it: the detail (GET /images/{imageId}) documents no reason."""
    images = stack.state()['images']
    return next(i for i in (images.values() if isinstance(images, dict) else images) if i['imageId'] == image_id)['errMessage']


def test_upload_errors(stack, client_a, client_b):
    image, prep, payload = _upload(client_a, 'mismatch', payload=b'abc' * 1000)
    image_id = image['imageId']
    client_b.err('POST', f'/private-images/{image_id}/upload-done', 'IMG.OperationDenied.Identity', json={'result': 'success'})
    client_a.ok('POST', f'/private-images/{image_id}/upload-prepare', json={'size': len(payload) + 1})
    client_a.err('POST', f'/private-images/{image_id}/upload-done', 'IMG.OperationFailed.ImageSize', json={'result': 'success'})
    assert client_a.ok('GET', f"/images/{image_id}")['status'] == 'queued'
    client_a.err('GET', f'/private-images/{image_id}/file', 'IMG.OperationFailed.DownloadNotAllowed')
    client_a.err('POST', f'/private-images/{image_id}/upload-prepare', 'IMG.InvalidParameter', json={'size': 0})
    client_a.err('POST', f'/private-images/{image_id}/upload-done', 'IMG.InvalidParameter', json={'result': 'maybe'})
    other = client_a.create('missing-object')
    client_a.ok('POST', f"/private-images/{other['imageId']}/upload-prepare", json={'size': 10})
    client_a.err('POST', f"/private-images/{other['imageId']}/upload-done", 'IMG.OperationFailed.ImageSize', json={'result': 'success'})
    client_a.ok('POST', f'/private-images/{image_id}/upload-done', json={'result': 'failed'})
    data = client_a.ok('GET', f"/images/{image_id}")
    assert data['status'] == 'killed' and 'errMessage' not in data and _reason(stack, image_id)
    client_a.err('POST', f'/private-images/{image_id}/upload-done', 'IMG.OperationFailed.UploadNotAllowed', json={'result': 'success'})
    assert prep['bucket'].startswith('iaas-image-')


class _Handler(http.server.BaseHTTPRequestHandler):
    payload = os.urandom(3 * 1024 * 1024 + 5)

    def do_GET(self):  # pylint: disable=invalid-name
        if self.path != '/disk.qcow2':
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture(name='file_server_url')
def file_server_fixture():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


def test_import(stack, client_a, file_server_url):
    body = client_a.image_body('imported', imageUrl=f"{file_server_url}/disk.qcow2", osVersion='v2', imageSource=1,
                               volumeImages=[{'imageUrl': f"{file_server_url}/disk.qcow2", 'minDisk': 10}])
    data = client_a.ok('POST', '/private-images/import', json=body)
    assert data['status'] == 'saving'
    done = client_a.wait_status(data['imageId'], ('active', 'killed'))
    assert done['status'] == 'active' and done['checksum'] == hashlib.md5(_Handler.payload).hexdigest()
    assert done['size'] == len(_Handler.payload)
    bad = client_a.ok('POST', '/private-images/import', json=dict(body, imageUrl=f"{file_server_url}/missing"))
    killed = client_a.wait_status(bad['imageId'], ('active', 'killed'))
    assert killed['status'] == 'killed' and '404' in _reason(stack, bad['imageId'])
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        dead_port = sock.getsockname()[1]
    bad = client_a.ok('POST', '/private-images/import', json=dict(body, imageUrl=f'http://127.0.0.1:{dead_port}/x'))
    killed = client_a.wait_status(bad['imageId'], ('active', 'killed'))
    assert killed['status'] == 'killed' and 'refused' in _reason(stack, bad['imageId']).lower()
    client_a.err('POST', '/private-images/import', 'IMG.InvalidParameter', json=dict(body, imageUrl='ftp://x/y'))
    client_a.err('POST', '/private-images/import', 'IMG.InvalidParameter', json=dict(body, visibility='public'))


def test_share_copy(client_a, client_b):
    data, dummy, payload = _active(client_a, 'shared-src', payload=os.urandom(100000))
    image_id = data['imageId']
    path = f'/private-images/{image_id}/share'
    user_b = client_b.tenant['user_id']
    client_a.err('POST', path, 'IMG.InvalidParameter', json={'shares': {'user_ids': [f'{i:019d}' for i in range(51)]}})
    client_a.err('POST', path, 'IMG.InvalidParameter', json={'shares': {'user_ids': []}})
    client_a.err('POST', path, 'IMG.OperationFailed.DuplicateUserId', json={'shares': {'user_ids': [user_b, user_b]}})
    client_a.err('POST', path, 'IMG.OperationFailed.InvalidUserId', json={'shares': {'user_ids': ['123']}})
    client_a.err('POST', path, 'IMG.OperationFailed.InvalidUserId', json={'shares': {'user_ids': [client_a.tenant['user_id']]}})
    client_b.err('POST', path, 'IMG.OperationDenied.Identity', json={'shares': {'user_ids': [user_b]}})
    queued = client_a.create('not-shareable')
    client_a.err('POST', f"/private-images/{queued['imageId']}/share", 'IMG.OperationFailed.ActionNotMatch',
                 json={'shares': {'user_ids': [user_b]}})
    client_b.err('GET', f"/images/{image_id}", 'IMG.DBGet.NoData')
    assert client_a.ok('POST', path, json={'shares': {'user_ids': [user_b, '1234567890123456789']}}) is None
    client_a.err('POST', path, 'IMG.OperationFailed.AlreadyShared', json={'shares': {'user_ids': [user_b]}})
    listing = client_a.ok('GET', path)
    assert listing['total'] == 2 and {s['userId'] for s in listing['list']} == {user_b, '1234567890123456789'}
    shared = client_b.ok('GET', '/shared-images', params={'size': 10, 'current': 1, 'orderBy': 'createdAt:desc'})
    mine = [s for s in shared['list'] if s['imageId'] == image_id]
    assert len(mine) == 1 and mine[0]['image']['owner'] == client_a.tenant['tenant_id']
    assert client_b.ok('GET', f"/images/{image_id}")['imageId'] == image_id
    client_b.err('GET', '/shared-images', 'IMG.InvalidParameter', params={'size': 10, 'current': 1, 'orderBy': 'name:up'})
    client_a.err('DELETE', f"/private-images/{image_id}", 'IMG.OperationFailed.ImageIsShared')
    share_id = mine[0]['shareId']
    copy_body = {'tenantId': client_b.tenant['tenant_id'], 'departmentId': client_b.tenant['department_id'],
                 'resourceGroupId': client_b.tenant['resource_group_id'], 'name': 'my copy', 'description': 'copied'}
    client_a.err('POST', f'/shared-images/{share_id}/copy', 'IMG.OperationDenied.Identity', json=dict(copy_body))
    client_b.err('POST', f'/shared-images/{share_id}/copy', 'IMG.OperationDenied.Identity',
                 json=dict(copy_body, tenantId=client_a.tenant['tenant_id']))
    copied = client_b.ok('POST', f'/shared-images/{share_id}/copy', json=copy_body)
    assert copied['status'] == 'saving' and copied['owner'] == client_b.tenant['tenant_id']
    done = client_b.wait_status(copied['imageId'], ('active', 'killed'))
    assert done['status'] == 'active' and done['checksum'] == hashlib.md5(payload).hexdigest()
    client_a.err('POST', f'/private-images/{image_id}/unshare', 'IMG.OperationFailed.NotShared',
                 json={'shares': {'user_ids': ['9999999999999999999']}})
    client_b.ok('DELETE', f"/shared-images/{share_id}")
    client_b.err('DELETE', f"/shared-images/{share_id}", 'IMG.DBGet.NoData')
    client_a.ok('POST', f'/private-images/{image_id}/unshare', json={'shares': {'user_ids': ['1234567890123456789']}})
    assert client_a.ok('GET', path)['total'] == 0
    client_a.ok('DELETE', f"/private-images/{image_id}")


def test_cut_fault_sends_the_headers_and_only_part_of_the_body(stack, client_a):
    data, dummy, payload = _active(client_a, 'cut', payload=os.urandom(256 * 1024))
    stack.set_faults(rules=[{'method': 'GET', 'path': '/file$', 'action': 'cut', 'bytes': 1000, 'count': 1}])
    conn = http.client.HTTPConnection('127.0.0.1', stack.port, timeout=10)
    try:
        conn.request('GET', f"/api/image/v1/private-images/{data['imageId']}/file",
                     headers={'Authorization': 'Bearer ' + stack.tenant('tenant-a')['token'], 'x-regionid': stack.region})
        resp = conn.getresponse()
        assert resp.status == 200 and int(resp.getheader('Content-Length')) == len(payload)
        with pytest.raises(http.client.IncompleteRead) as err:
            resp.read()
        assert err.value.partial == payload[:1000]
    finally:
        conn.close()
    assert [e['fault'] for e in stack.requests() if e['path'].endswith('/file')][-1] == 'cut'
    assert client_a.call('GET', f"/private-images/{data['imageId']}/file").content == payload  # count 1: once only


def test_faults(stack, client_a):
    stack.clear_requests()
    stack.set_faults(rules=[{'method': 'POST', 'path': '/private-images$', 'action': 'drop_after', 'count': 1},
                            {'method': 'GET', 'path': '/images$', 'action': 'error', 'status': 502, 'count': 1}])
    with pytest.raises(requests.exceptions.ConnectionError):
        client_a.call('POST', '/private-images', json=client_a.image_body('dropped-after'))
    assert any(i['name'] == 'dropped-after' for i in stack.state()['images'])
    resp = client_a.call('GET', '/images', params={'size': 1, 'current': 1})
    assert resp.status_code == 502 and 'html' in resp.headers['Content-Type']
    assert client_a.call('GET', '/images', params={'size': 1, 'current': 1}).status_code == 200
    log = stack.requests()
    assert [e['fault'] for e in log] == ['drop_after', 'error', None]
    assert log[0]['tenant'] == 'tenant-a' and log[0]['code'] == 'Success'
    stack.set_faults(rules=[{'path': '.*', 'action': 'drop_before', 'count': 1}])
    with pytest.raises(requests.exceptions.ConnectionError):
        client_a.call('POST', '/private-images', json=client_a.image_body('dropped-before'))
    assert not any(i['name'] == 'dropped-before' for i in stack.state()['images'])
    stack.set_faults(error_rate=1.0, seed=3)
    assert client_a.call('GET', '/images', params={'size': 1, 'current': 1}).status_code in (500, 502, 503)
    assert stack.state()['images']  # admin endpoints are never faulted
    stack.set_faults()
    with open(stack.emu_log, encoding='utf-8') as fh:
        text = fh.read()
    assert 'Bearer' not in text and stack.s3_secret_key not in text and client_a.tenant['token'] not in text


def test_restart_resumes_saving(stack, client_factory):
    # The transition outlasts a restart on a loaded machine (2 s did not: the image was active already).
    with Stack(transition_seconds=10.0, s3=stack) as second:
        client = client_factory(second, 'tenant-a')
        image, dummy, payload = _upload(client, 'restart', payload=os.urandom(50000))
        client.ok('POST', f"/private-images/{image['imageId']}/upload-done", json={'result': 'success'})
        second.restart_emulator()
        assert client.ok('GET', f"/images/{image['imageId']}")['status'] == 'saving'
        done = client.wait_status(image['imageId'], ('active', 'killed'))
        assert done['status'] == 'active' and done['checksum'] == hashlib.md5(payload).hexdigest()


def test_s3_outage_and_recovery(stack, client_a):
    data, dummy, payload = _active(client_a, 's3-outage', payload=os.urandom(4096))
    stack.stop_s3()
    try:
        client_a.err('GET', f"/private-images/{data['imageId']}/file", 'IMG.Internal.Error')
    finally:
        stack.start_s3()
    resp = client_a.call('GET', f"/private-images/{data['imageId']}/file")
    assert resp.status_code == 200 and resp.content == payload


def test_error_after_fault_applies_the_request_then_answers_5xx(stack, client_a):
    stack.clear_requests()
    stack.set_faults(rules=[{'method': 'POST', 'path': '/private-images$', 'action': 'error_after', 'status': 500, 'count': 1}])
    resp = client_a.call('POST', '/private-images', json=client_a.image_body('created-then-500'))
    assert resp.status_code == 500 and resp.json()['code'] == 'IMG.Internal.Error'
    assert [i['status'] for i in stack.state()['images'] if i['name'] == 'created-then-500'] == ['queued']
    assert client_a.call('POST', '/private-images', json=client_a.image_body('next-one')).status_code == 200  # count 1
    assert [e['fault'] for e in stack.requests()] == ['error_after', None]
    stack.set_faults()


def test_switches_answer_the_other_reading_of_the_document_until_a_reset(stack, client_a):
    """Each ambiguity's switch (tests/emulator/README.md), set through the control API."""
    assert stack.switches() == {'auth_fail_status': 401, 'share_total': 'records', 'image_detail': 'any', 'checksum': 'md5',
                                'list_order': 'newest'}
    with pytest.raises(Exception, match="switch share_total must be one of records, pages, not 'rows'"):
        stack.set_switches(share_total='rows')
    with pytest.raises(Exception, match="unknown switch 'share_totals'"):
        stack.set_switches(share_totals='records')
    try:
        stack.set_switches(checksum='sha256')
        payload = os.urandom(70000)
        data, dummy, dummy = _active(client_a, 'sha256-reading', payload=payload)
        assert data['checksum'] == hashlib.sha256(payload).hexdigest()
        path = f"/private-images/{data['imageId']}/share"
        client_a.ok('POST', path, json={'shares': {'user_ids': [f'{i:019d}' for i in range(1, 6)]}})
        assert client_a.ok('GET', path, params={'size': 2, 'current': 1})['total'] == 5
        stack.set_switches(auth_fail_status=400, share_total='pages', image_detail='public')
        assert client_a.ok('GET', path, params={'size': 2, 'current': 1})['total'] == 3
        assert len(client_a.ok('GET', path, params={'size': 2, 'current': 3})['list']) == 1
        bad = requests.get(f"{stack.url}/api/image/v1/images?size=1&current=1",
                           headers={'Authorization': 'Bearer nope', 'x-regionid': 'region0'}, timeout=10)
        assert bad.status_code == 400 and bad.json()['code'] == 'IMG.OperationDenied.AuthFail'
        client_a.err('GET', f"/images/{data['imageId']}", 'IMG.DBGet.NoData')
        listed = client_a.ok('GET', '/private-images', params={'size': 10, 'current': 1, 'filter': f"imageId:eq:{data['imageId']}"})
        assert [i['imageId'] for i in listed['list']] == [data['imageId']]
        public = client_a.ok('GET', '/images', params={'size': 1, 'current': 1})['list'][0]
        assert client_a.ok('GET', f"/images/{public['imageId']}")['imageId'] == public['imageId']
    finally:
        stack.reset()
    assert stack.switches()['image_detail'] == 'any'


def test_list_order_lists_private_and_public_images_newest_or_oldest_first(stack, client_a):
    """The document names no order for GET /private-images and GET /images: the switch ``list_order`` answers both."""
    made = [stack.seed(tenant='tenant-a', prefix='order-%d-' % n, visibility='public',
                       createdAt='2026-01-0%dT00:00:00.000Z' % n)['imageIds'][0] for n in (2, 1, 3)]
    newest_first = [made[2], made[0], made[1]]
    try:
        for order, expected in (('newest', newest_first), ('oldest', newest_first[::-1])):
            stack.set_switches(list_order=order)
            private = client_a.ok('GET', '/private-images', params={'size': 10, 'current': 1, 'filter': 'name:lk:order-'})
            public = client_a.ok('GET', '/images', params={'size': 100, 'current': 1})
            assert [i['imageId'] for i in private['list']] == expected, order
            assert [i['imageId'] for i in public['list'] if i['imageId'] in made] == expected, order
    finally:
        stack.reset()


def test_switches_are_options_of_the_emulator_at_start(stack):
    with Stack(switches={'auth_fail_status': 400, 'checksum': 'sha512'}, s3=stack) as other:
        assert other.switches()['auth_fail_status'] == 400
        other.set_switches(checksum='md5')
        other.reset()
        assert other.switches() == {'auth_fail_status': 400, 'share_total': 'records', 'image_detail': 'any', 'checksum': 'sha512',
                                    'list_order': 'newest'}
        public = other.admin('GET', 'state')['images'][0]
        assert len(public['checksum']) == 128

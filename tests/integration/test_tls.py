# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS: the emulator and the object storage serve HTTPS with a certificate from a throw-away test CA.

Verified with ``ca_path`` it works; without it the task fails at once with a message that says so (one
connection, no retries); with ``validate_certs: false`` it works and the module warns.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from tests.emulator.stack import S3Server, Stack
from tests.integration.certs import make_test_pki
from tests.integration.conftest import Ims
from tests.integration.images import write_raw
from tests.integration.tcp_proxy import CountingProxy


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    return make_test_pki(str(tmp_path_factory.mktemp('pki')))


@pytest.fixture(scope='module')
def https_ims(pki, stack):
    """A second emulator, over HTTPS, sharing the session's object storage."""
    with Stack(transition_seconds=0.2, s3=stack, tls_cert=pki['cert'], tls_key=pki['key']) as running:
        yield Ims(running)


@pytest.fixture
def tls_ims(https_ims):
    https_ims.stack.set_faults()
    https_ims.stack.reset()
    https_ims.stack.clear_requests()
    return https_ims


@pytest.fixture(scope='module')
def s3_tls_ims(pki, tmp_path_factory):
    """Plain-HTTP emulator whose object storage (SeaweedFS) serves HTTPS with the test CA's certificate.

    The emulator itself (the server side) trusts the CA through AWS_CA_BUNDLE; the modules are not told.
    """
    workdir = str(tmp_path_factory.mktemp('s3tls'))
    s3 = S3Server(os.path.join(workdir, 's3'), tls_cert=pki['cert'], tls_key=pki['key'], tls_ca=pki['ca'])
    saved = os.environ.get('AWS_CA_BUNDLE')
    os.environ['AWS_CA_BUNDLE'] = pki['ca']
    try:
        s3.start()
        os.makedirs(os.path.join(workdir, 'emu'))
        with Stack(transition_seconds=0.2, s3=s3, workdir=os.path.join(workdir, 'emu')) as running:
            if saved is None:
                del os.environ['AWS_CA_BUNDLE']
            else:
                os.environ['AWS_CA_BUNDLE'] = saved
            yield Ims(running)
    finally:
        if saved is None:
            os.environ.pop('AWS_CA_BUNDLE', None)
        else:
            os.environ['AWS_CA_BUNDLE'] = saved
        s3.stop()


@pytest.fixture
def s3_ims(s3_tls_ims):
    s3_tls_ims.stack.set_faults()
    s3_tls_ims.stack.reset()
    s3_tls_ims.stack.clear_requests()
    return s3_tls_ims


def warning_texts(run):
    """The module's warnings as text (ansible-core 2.19+ returns them as structured summaries)."""
    texts = []
    for warning in run.get('warnings', []) or []:
        if isinstance(warning, dict):
            warning = (warning.get('event') or {}).get('msg') or warning.get('msg') or str(warning)
        texts.append(warning)
    return texts


def _no_tls_warnings(run):
    return [w for w in warning_texts(run) if 'TLS' in w or 'validate_certs' in w]


def test_https_endpoint_verified_with_ca_path(tls_ims, pki):
    assert tls_ims.stack.url.startswith('https://127.0.0.1:')
    run = tls_ims.module('ims_image_info', {'scope': 'public', 'ca_path': pki['ca']})
    assert not run.failed, run
    assert len(run['images']) >= 3
    assert not _no_tls_warnings(run), run
    assert [r['path'] for r in tls_ims.requests()] == ['/api/image/v1/images']


def test_https_endpoint_verified_with_ims_ca_path_env(tls_ims, pki):
    run = tls_ims.module('ims_image_info', {'scope': 'public'}, env={'IMS_CA_PATH': pki['ca']})
    assert not run.failed, run
    assert run['images']


def test_https_without_the_ca_fails_once_with_a_clear_message(tls_ims):
    proxy = CountingProxy(tls_ims.stack.port)
    try:
        run = tls_ims.module('ims_image_info', {'scope': 'public', 'retries': 5,
                                                'endpoint': 'https://127.0.0.1:%d' % proxy.port})
        connections = proxy.connections
    finally:
        proxy.close()
    assert run.failed, run
    assert 'TLS verification failed for https://127.0.0.1:%d' % proxy.port in run['msg'], run
    assert 'CERTIFICATE_VERIFY_FAILED' in run['msg'] or 'certificate verify failed' in run['msg'], run
    assert 'ca_path' in run['msg'] and 'validate_certs' in run['msg']
    # A certificate does not fix itself: exactly one connection, no HTTP request ever reached the emulator.
    assert connections == 1, connections
    assert tls_ims.requests() == []
    assert 'Traceback' not in run.stderr


def test_https_with_a_wrong_ca_fails_too(tls_ims, tmp_path):
    other = make_test_pki(str(tmp_path / 'other'))
    run = tls_ims.module('ims_image_info', {'scope': 'public', 'ca_path': other['ca']})
    assert run.failed and 'TLS verification failed' in run['msg'], run


def test_https_with_validate_certs_false_works_and_warns(tls_ims):
    run = tls_ims.module('ims_image_info', {'scope': 'public', 'validate_certs': False})
    assert not run.failed, run
    assert run['images']
    warnings = _no_tls_warnings(run)
    assert len(warnings) == 1 and 'validate_certs is false' in warnings[0] and tls_ims.stack.url in warnings[0], run


def test_plain_http_does_not_warn(ims):
    run = ims.module('ims_image_info', {'scope': 'public', 'validate_certs': False})
    assert not run.failed and not _no_tls_warnings(run), run


# -- object storage over HTTPS (ims_image_upload) ---------------------------------------------------


def _uploads(ims):
    return [r for r in ims.requests() if r['method'] == 'POST' and r['path'].endswith(('/upload-done', '/upload-prepare'))]


def test_s3_over_https_verified_with_s3_ca_path(s3_ims, pki, tmp_path):
    assert s3_ims.stack.s3_endpoint.startswith('https://')
    src = write_raw(tmp_path / 'tls.raw', 2)
    run = s3_ims.module('ims_image_upload', dict(src=src, name='tls-upload', s3_ca_path=pki['ca']))
    assert not run.failed, run
    assert run['image']['status'] == 'active'
    assert not _no_tls_warnings(run), run
    assert [i['status'] for i in s3_ims.images('tenant-a')] == ['active']


def test_s3_over_https_verified_with_ca_path_fallback(s3_ims, pki, tmp_path):
    src = write_raw(tmp_path / 'tls2.raw', 1)
    run = s3_ims.module('ims_image_upload', dict(src=src, name='tls-upload-2', ca_path=pki['ca']))
    assert not run.failed, run
    assert run['image']['status'] == 'active'


def test_s3_over_https_without_the_ca_fails_clearly_and_cleans_up(s3_ims, tmp_path):
    src = write_raw(tmp_path / 'tls3.raw', 2)
    run = s3_ims.module('ims_image_upload', dict(src=src, name='tls-upload-3'))
    assert run.failed, run
    msg = run['msg']
    assert 'Uploading %s to object storage' % src in msg, msg
    assert 'CERTIFICATE_VERIFY_FAILED' in msg or 'certificate verify failed' in msg, msg
    # upload-done was told the upload failed, and the metadata the run created was removed.
    done = [r for r in s3_ims.requests() if r['method'] == 'POST' and r['path'].endswith('/upload-done')]
    assert len(done) == 1 and done[0]['status'] == 200, done
    assert not [i for i in s3_ims.images('tenant-a') if i['status'] not in ('deleted',)], s3_ims.images('tenant-a')
    for secret in (s3_ims.stack.s3_access_key, s3_ims.stack.s3_secret_key, s3_ims.stack.tenant('tenant-a')['token']):
        assert secret not in run.stdout + run.stderr


def test_s3_over_https_with_s3_validate_certs_false_works_and_warns(s3_ims, tmp_path):
    src = write_raw(tmp_path / 'tls4.raw', 1)
    run = s3_ims.module('ims_image_upload', dict(src=src, name='tls-upload-4', s3_validate_certs=False))
    assert not run.failed, run
    assert run['image']['status'] == 'active'
    warnings = _no_tls_warnings(run)
    assert len(warnings) == 1 and s3_ims.stack.s3_endpoint in warnings[0], run


def test_https_against_a_plain_http_port_says_the_server_did_not_speak_tls(ims):
    endpoint = ims.stack.url.replace('http://', 'https://')
    for validate_certs in (False, True):
        run = ims.module('ims_image_info', {'scope': 'private', 'endpoint': endpoint, 'validate_certs': validate_certs})
        assert run.failed, run
        assert 'did not speak TLS' in run['msg'] and ims.stack.url in run['msg'], run['msg']
        assert 'set validate_certs: false' not in run['msg'] and 'verification failed' not in run['msg'], run['msg']

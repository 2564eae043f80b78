# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets: every integration playbook, run with -vvv and ANSIBLE_LOG_PATH, never shows a token or an S3 key.

Scanned: ansible-playbook's stdout and stderr, the Ansible log file, and the emulator's access log, for the
tokens of both tenants and for the S3 access and secret keys the emulator hands out at upload-prepare.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from tests.integration.images import write_raw

USER_B = '7085524801413879999'


def _users(count, start=20000):
    return ['70855248014138%05d' % (start + index) for index in range(count)]


@pytest.fixture
def import_url(http_dir):
    root, base = http_dir
    (root / 'disk.qcow2').write_bytes(b'QFI\xfb' + os.urandom(64 * 1024))
    return base + '/disk.qcow2'


def _share_from_b(ims):
    image_id = ims.stack.seed(tenant='tenant-b', count=1, prefix='golden-b-', status='active', with_object=True)['imageIds'][0]
    ims.api('POST', '/private-images/%s/share' % image_id, tenant='tenant-b',
            json={'shares': {'user_ids': [ims.stack.tenant('tenant-a')['user_id']]}})


# (id, playbook, extra vars (built from the context), set-up, must succeed)
PLAYBOOKS = [
    ('ims_image_info', 'ims_image_info/main.yml', lambda c: {'expected_bulk': 7},
     lambda ims: ims.stack.seed(tenant='tenant-a', count=7, prefix='bulk-'), True),
    ('ims_image', 'ims_image/main.yml', lambda c: {'import_url': c['url']}, None, True),
    ('ims_image_share', 'ims_image_share/main.yml', lambda c: {'user_ids': _users(55), 'import_url': c['url']}, None, True),
    ('ims_image_upload', 'ims_image_upload/main.yml', lambda c: {'src': c['src'], 'image_name': 'secret-upload'}, None, True),
    ('ims_image_export', 'ims_image_export/main.yml',
     lambda c: {'src': c['src'], 'dest': c['dest'], 'image_name': 'secret-export'}, None, True),
    ('role-image_publish', 'roles/run_role.yml',
     lambda c: {'role_under_test': 'image_publish', 'result_file': c['result'], 'image_publish_name': 'secret-publish',
                'image_publish_src': c['src'], 'image_publish_share_with': [USER_B], 'image_publish_export_bucket': 'export-az0-a',
                'image_publish_download_dest': c['dest']}, None, True),
    ('role-image_retention', 'roles/run_role.yml',
     lambda c: {'role_under_test': 'image_retention', 'result_file': c['result'], 'image_retention_prefix': 'old-',
                'image_retention_keep': 1},
     lambda ims: ims.stack.seed(tenant='tenant-a', count=3, prefix='old-'), True),
    ('role-image_import', 'roles/run_role.yml',
     lambda c: {'role_under_test': 'image_import', 'result_file': c['result'], 'image_import_pattern': '^golden-b-'},
     _share_from_b, True),
    # A failing run: the upload happens (temporary keys handed out), then the export fails.
    ('role-image_publish-failing', 'roles/run_role.yml',
     lambda c: {'role_under_test': 'image_publish', 'result_file': c['result'], 'image_publish_name': 'secret-fail',
                'image_publish_src': c['src'], 'image_publish_export_bucket': 'no-such-bucket'}, None, False),
]


def secrets_of(ims):
    stack = ims.stack
    values = {'token tenant-a': stack.tenant('tenant-a')['token'], 'token tenant-b': stack.tenant('tenant-b')['token'],
              's3 access key': stack.s3_access_key, 's3 secret key': stack.s3_secret_key}
    assert all(len(v) >= 16 for v in values.values())
    return values


def scan(texts, secrets):
    """[(where, which secret)] for every secret found in every text."""
    return [(where, name) for where, text in sorted(texts.items()) for name, value in sorted(secrets.items()) if value in text]


def test_the_scan_finds_what_it_looks_for(ims):
    secrets = secrets_of(ims)
    texts = {'out': 'x Bearer %s y' % secrets['token tenant-b'], 'log': 'aws_secret_access_key=' + secrets['s3 secret key']}
    assert scan(texts, secrets) == [('log', 's3 secret key'), ('out', 'token tenant-b')]


@pytest.mark.parametrize('case_id, playbook, extra, setup, succeeds', PLAYBOOKS, ids=[p[0] for p in PLAYBOOKS])
def test_playbook_at_vvv_leaks_nothing(ims, tmp_path, import_url, case_id, playbook, extra, setup, succeeds):  # pylint: disable=too-many-arguments
    if setup:
        setup(ims)
    context = {'url': import_url, 'src': write_raw(tmp_path / 'disk.raw', 2), 'dest': str(tmp_path / 'copy.raw'),
               'result': str(tmp_path / 'result.json')}
    log_path = tmp_path / 'ansible.log'
    emu_log_start = os.path.getsize(ims.stack.emu_log) if os.path.exists(ims.stack.emu_log) else 0
    proc = ims.playbook(playbook, extra_vars=extra(context), verbosity=3, env={'ANSIBLE_LOG_PATH': str(log_path)})
    assert (proc.returncode == 0) == succeeds, proc.stdout[-5000:] + proc.stderr[-2000:]
    uploaded = [r for r in ims.requests() if r['path'].endswith('/upload-prepare') and r['status'] == 200]
    if case_id in ('ims_image_upload', 'ims_image_export', 'role-image_publish', 'role-image_publish-failing'):
        assert uploaded, 'the S3 keys were never handed out: the scan would prove nothing'
    assert log_path.exists() and log_path.stat().st_size > 0
    with open(ims.stack.emu_log, encoding='utf-8', errors='replace') as handle:
        handle.seek(emu_log_start)
        emu_log = handle.read()
    assert emu_log, 'the emulator logged nothing'
    texts = {'stdout': proc.stdout, 'stderr': proc.stderr, 'ansible log': log_path.read_text(encoding='utf-8', errors='replace'),
             'emulator access log': emu_log}
    assert scan(texts, secrets_of(ims)) == []
    # -vvv really is verbose: module invocations and their arguments are printed (masked).
    assert '<127.0.0.1>' in proc.stdout or 'ESTABLISH LOCAL CONNECTION' in proc.stdout


def test_a_token_with_a_line_break_is_not_echoed(ims):
    token = 'sensitive-token-from-a-file-0123456789\n'
    run = ims.module('ims_image_info', {'scope': 'public', 'auth_token': token, 'retries': 0})
    assert run.failed, run
    assert 'sensitive-token-from-a-file' not in run.stdout + run.stderr, run['msg']
    assert 'auth_token' in run['msg']
    assert ims.requests() == []

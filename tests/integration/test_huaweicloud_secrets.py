# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets with ``provider: huaweicloud``: a playbook run with -vvv and ANSIBLE_LOG_PATH never shows an AK or SK
(permanent or temporary), a security token, a password or an IAM token (tests/integration/test_secrets.py's scan).

The playbook signs with temporary AK/SK, logs in with a password and uses an IAM token (for a listing and for an
upload straight to IMS, PUT /v2/images/{id}/file), so every kind of secret is in play; IAM tokens the modules
obtain themselves are caught by their shape (the emulator's ``MIIEmu...``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import subprocess

from tests.integration.conftest import BIN, REPO, TARGETS, module_env
from tests.integration.huaweicloud import CONNECTION_PREFIXES, hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import write_raw
from tests.integration.test_secrets import scan

IAM_TOKEN = re.compile(r'MIIEmu[A-Za-z0-9_-]{20,}')


def secrets_of(stack):
    values = {}
    for name in ('owner', 'recipient'):
        tenant = stack.tenant(name)
        for field in ('access_key', 'secret_key', 'temp_access_key', 'temp_secret_key', 'security_token', 'password'):
            values['%s %s' % (name, field)] = getattr(tenant, field)
    assert all(len(v) >= 12 for v in values.values())
    return values


def run_playbook(hw, tmp_path, secret_key=None):  # pylint: disable=redefined-outer-name
    stack = hw.stack
    owner, recipient = stack.owner, stack.recipient
    token = stack.login('owner')
    env = {'HW_TEST_REGION': stack.regions[0], 'HW_TEST_ENDPOINT': stack.endpoint(), 'HW_TEST_IAM': stack.auth_url,
           'HW_TEST_AK': owner.temp_access_key, 'HW_TEST_SK': secret_key or owner.temp_secret_key,
           'HW_TEST_SECURITY_TOKEN': owner.security_token, 'HW_TEST_USERNAME': recipient.user_name,
           'HW_TEST_PASSWORD': recipient.password, 'HW_TEST_ACCOUNT': recipient.domain_name, 'HW_TEST_TOKEN': token,
           'ANSIBLE_LOG_PATH': str(tmp_path / 'ansible.log')}
    extra = '{"import_url": "%s", "recipient_project": "%s", "upload_src": "%s"}' % (
        hw.put_object(), hw.project('recipient'), write_raw(tmp_path / 'direct.raw', 1))
    cmd = [os.path.join(BIN, 'ansible-playbook'), os.path.join(TARGETS, 'huaweicloud', 'main.yml'), '-i', 'localhost,',
           '-c', 'local', '-e', extra, '-vvv']
    proc = subprocess.run(cmd, capture_output=True, text=True, env=module_env(env, drop_prefixes=CONNECTION_PREFIXES),
                          timeout=900, cwd=REPO, check=False)
    texts = {'stdout': proc.stdout, 'stderr': proc.stderr,
             'ansible log': (tmp_path / 'ansible.log').read_text(encoding='utf-8', errors='replace')}
    return proc, texts, dict(secrets_of(stack), **{'iam token': token})


def test_the_scan_finds_what_it_looks_for(hw):  # noqa: F811
    secrets = secrets_of(hw.stack)
    assert scan({'out': 'x %s y' % secrets['owner secret_key']}, secrets) == [('out', 'owner secret_key')]
    assert IAM_TOKEN.search('X-Auth-Token: ' + hw.stack.login('recipient'))


def test_a_playbook_at_vvv_leaks_no_key_token_or_password(hw, tmp_path):  # noqa: F811
    proc, texts, secrets = run_playbook(hw, tmp_path)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert 'ESTABLISH LOCAL CONNECTION' in proc.stdout          # -vvv really is verbose
    assert [r for r in hw.stack.requests('iam') if r['path'] == '/v3/auth/tokens'], 'no password login: nothing to scan'
    assert [r for r in hw.stack.requests() if r['method'] == 'PUT' and r['path'].endswith('/file') and r.get('auth') == 'token'
            and r['status'] == 204], 'no upload with the token: nothing to scan on that path'
    assert scan(texts, secrets) == []
    assert [where for where, text in sorted(texts.items()) if IAM_TOKEN.search(text)] == []


def test_a_refused_signature_at_vvv_leaks_nothing_either(hw, tmp_path):  # noqa: F811
    wrong = 'WrongTempSecret000000000000000000000000001'
    proc, texts, secrets = run_playbook(hw, tmp_path, secret_key=wrong)
    assert proc.returncode != 0 and 'APIGW.0301' in proc.stdout, proc.stdout[-4000:]
    secrets['the wrong secret key'] = wrong
    assert scan(texts, secrets) == []

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX / Automation Platform readiness: the execution environment build context, and the demo
run through ansible-runner with the credential injected as environment variables, as AWX does.

The EE definition and the credential type are read from docs/awx.md, so the documentation is
what is tested.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import shutil
import subprocess
import sys

import jinja2
import yaml

from tests.dependencies import missing, require_module
from tests.integration.conftest import BIN, COLLECTIONS, REPO

AWX_DOC = os.path.join(REPO, 'docs', 'awx.md')


def doc_block(marker):
    """The YAML block that follows ``<!-- marker -->`` in docs/awx.md, parsed."""
    with open(AWX_DOC, encoding='utf-8') as handle:
        text = handle.read()
    match = re.search(r'<!-- %s -->\s*```yaml\n(.*?)```' % re.escape(marker), text, re.S)
    assert match, 'docs/awx.md has no yaml block after <!-- %s -->' % marker
    return yaml.safe_load(match.group(1))


def builder():
    path = os.path.join(BIN, 'ansible-builder')
    if not os.path.exists(path):
        path = shutil.which('ansible-builder')
    if not path:
        missing('ansible-builder is not installed (it is in requirements-dev.txt)')
    return path


def test_builder_create_writes_the_build_context(tmp_path):
    definition = doc_block('ee-definition')
    assert definition['version'] == 3
    assert {'name': 'cecloud.ims'} in definition['dependencies']['galaxy']['collections']
    ee_file = tmp_path / 'execution-environment.yml'
    ee_file.write_text(yaml.safe_dump(definition))
    context = tmp_path / 'context'
    proc = subprocess.run([builder(), 'create', '-f', str(ee_file), '-c', str(context), '--output-filename', 'Containerfile'],
                          capture_output=True, text=True, cwd=str(tmp_path), timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = (context / 'Containerfile').read_text()
    assert 'ARG EE_BASE_IMAGE="%s"' % definition['images']['base_image']['name'] in containerfile
    assert 'FROM $EE_BASE_IMAGE' in containerfile
    # ansible-core 2.17 needs Python >= 3.10 on the controller: the EE brings its own Python 3.12.
    assert 'ARG PYCMD="/usr/bin/python3.12"' in containerfile
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core>=2.17 ansible-runner"' in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    assert 'introspect' in containerfile           # the build step that collects the collections' dependencies
    assert 'LABEL org.opencontainers.image.description="AWX EE with cecloud.ims"' in containerfile
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    assert galaxy == {'collections': [{'name': 'cecloud.ims'}]}


def test_builder_introspect_finds_the_collection_dependencies():
    with open(os.path.join(REPO, 'meta', 'execution-environment.yml'), encoding='utf-8') as handle:
        ee_meta = yaml.safe_load(handle)
    assert ee_meta['version'] == 3
    assert ee_meta['dependencies'] == {'python': 'requirements.txt', 'system': 'bindep.txt'}
    proc = subprocess.run([builder(), 'introspect', COLLECTIONS], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = yaml.safe_load(proc.stdout)
    python = [line.split('#')[0].strip() for line in data['python'] if 'cecloud.ims' in line]
    assert python == ['requests', 'boto3']
    assert any(line.startswith('qemu-utils') and 'cecloud.ims' in line for line in data['system'])


def credential_env(stack, tenant='tenant-a'):
    """The environment AWX gives a job with a 'CECloud IMS' credential: the doc's injectors, rendered."""
    inputs_spec = doc_block('credential-type-inputs')
    injectors = doc_block('credential-type-injectors')
    fields = {f['id']: f for f in inputs_spec['fields']}
    assert fields['auth_token'].get('secret') is True
    assert set(inputs_spec['required']) == {'endpoint', 'region', 'auth_token'}
    data = stack.tenant(tenant)
    inputs = {'endpoint': stack.url, 'region': stack.region, 'auth_token': data['token'], 'tenant_id': data['tenant_id'],
              'department_id': data['department_id'], 'resource_group_id': data.get('resource_group_id', ''),
              'validate_certs': fields['validate_certs']['default']}
    assert set(inputs) == set(fields)
    env = {name: jinja2.Environment(autoescape=False).from_string(value).render(**inputs)  # nosec - not HTML
           for name, value in injectors['env'].items()}
    assert set(env) == set(stack.env(tenant)) | {'IMS_VALIDATE_CERTS'}
    return env


def test_demo_through_ansible_runner_with_injected_credentials(ims, tmp_path):
    ansible_runner = require_module('ansible_runner', 'it is in requirements-dev.txt')
    env = credential_env(ims.stack)
    assert env['IMS_AUTH_TOKEN'] == ims.stack.tenant('tenant-a')['token'] and env['IMS_VALIDATE_CERTS'] == 'True'
    # The demo's second tenant, which a real AWX job would get from a second credential.
    env.update({k: v for k, v in ims.stack.extra_env().items() if k.startswith('IMS_EMU_TENANT_B_')})
    env.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, PATH=BIN + os.pathsep + os.environ.get('PATH', ''),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_NOCOLOR='1')
    (tmp_path / 'runner').mkdir()
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith('IMS_')}
    try:
        run = ansible_runner.run(private_data_dir=str(tmp_path / 'runner'), project_dir=os.path.join(REPO, 'playbooks'),
                                 playbook='demo.yml', envvars=env, quiet=True, timeout=600)
    finally:
        os.environ.update(saved)
    events = list(run.events)
    stdout = run.stdout.read()
    assert run.status == 'successful' and run.rc == 0, stdout[-5000:]
    names = [e.get('event') for e in events]
    assert 'playbook_on_start' in names and names.count('playbook_on_stats') == 1
    assert [e for e in events if e.get('event') == 'runner_on_failed'] == []
    assert names.count('runner_on_ok') >= 20
    stats = next(e for e in events if e.get('event') == 'playbook_on_stats')['event_data']
    assert stats['failures'] == {} and stats['changed'].get('localhost', 0) >= 5
    summary = [e for e in events if e.get('event') == 'runner_on_ok' and e['event_data'].get('task') == 'Summary']
    assert summary and 'tenant B copied: imported-demo-golden-3' in json.dumps(summary[0]['event_data']['res'])
    for token in (env['IMS_AUTH_TOKEN'], env['IMS_EMU_TENANT_B_TOKEN']):
        assert token not in stdout
        assert token not in json.dumps(events)
    assert run.stats['failures'] == {}


def huawei_credential_env(stack):
    """The environment AWX gives a job with a 'Huawei Cloud AK/SK' credential: the doc's injectors, rendered with
    the optional fields left empty (AWX renders them as empty strings) except the emulator's endpoints."""
    inputs_spec = doc_block('huawei-credential-type-inputs')
    injectors = doc_block('huawei-credential-type-injectors')
    fields = {f['id']: f for f in inputs_spec['fields']}
    assert fields['secret_key'].get('secret') is True and fields['security_token'].get('secret') is True
    assert set(inputs_spec['required']) == {'region', 'access_key', 'secret_key'}
    owner = stack.owner
    inputs = dict.fromkeys(fields, '')
    inputs.update(region=stack.regions[0], access_key=owner.access_key, secret_key=owner.secret_key,
                  endpoint=stack.endpoint(), obs_endpoint=stack.obs_url, iam_endpoint=stack.auth_url)
    env = {name: jinja2.Environment(autoescape=False).from_string(value).render(**inputs)  # nosec - not HTML
           for name, value in injectors['env'].items()}
    assert {'HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'HUAWEICLOUD_SDK_PROJECT_ID'} <= set(env)
    assert env['HUAWEICLOUD_SDK_SECURITY_TOKEN'] == '' and env['HUAWEICLOUD_SDK_PROJECT_ID'] == ''
    return env


def test_huawei_credential_type_through_ansible_runner(huawei, tmp_path):
    ansible_runner = require_module('ansible_runner', 'it is in requirements-dev.txt')
    from tests.integration.images import write_raw  # pylint: disable=import-outside-toplevel
    import boto3  # pylint: disable=import-outside-toplevel
    from botocore.config import Config  # pylint: disable=import-outside-toplevel
    owner = huawei.owner
    bucket = 'awx-stage'
    boto3.client('s3', endpoint_url=huawei.obs_url, aws_access_key_id=owner.access_key,
                 aws_secret_access_key=owner.secret_key, region_name='us-east-1',
                 config=Config(s3={'addressing_style': 'path'})).create_bucket(Bucket=bucket)
    env = huawei_credential_env(huawei)
    env.update(ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, PATH=BIN + os.pathsep + os.environ.get('PATH', ''),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_NOCOLOR='1')
    (tmp_path / 'runner').mkdir()
    extra = dict(src=write_raw(tmp_path / 'disk.raw', 6), obs_bucket=bucket, dest=str(tmp_path / 'copy.raw'))
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith(('IMS_', 'HUAWEICLOUD_', 'OS_'))}
    try:
        run = ansible_runner.run(private_data_dir=str(tmp_path / 'runner'),
                                 project_dir=os.path.join(REPO, 'tests', 'integration', 'targets', 'huaweicloud'),
                                 playbook='awx.yml', envvars=env, extravars=extra, quiet=True, timeout=600)
    finally:
        os.environ.update(saved)
    events = list(run.events)
    stdout = run.stdout.read()
    assert run.status == 'successful' and run.rc == 0, stdout[-5000:]
    assert [e for e in events if e.get('event') == 'runner_on_failed'] == []
    assert [r for r in huawei.requests() if r.get('service', '').startswith('ims') and r['method'] == 'POST']
    for secret in (owner.access_key, owner.secret_key):
        assert secret not in stdout and secret not in json.dumps(events)

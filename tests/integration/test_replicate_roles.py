# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One golden image on every cloud, through real ansible-playbook: the image_publish role's image_publish_replicate_to
and playbooks/replicate.yml, from the CECloud emulator (the source, the job's IMS_* environment) to the real
Keystone + Glance and the Huawei emulator (the targets, each with its own connection). The metadata the role
published with is carried over by the table of docs/replication.md; a re-run writes nothing anywhere; -vvv shows
no secret of any of the three clouds."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import jinja2

from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import md5, write_qcow2
from tests.integration.test_awx import doc_block
from tests.integration.test_huaweicloud_secrets import secrets_of as huawei_secrets
from tests.integration.test_replicate import huawei, openstack
from tests.integration.test_roles import PLAYBOOKS, output, recap, run_role
from tests.integration.test_secrets import scan

NAME = 'golden-everywhere'
METADATA = dict(os_type='linux', platform='ubuntu', min_disk=40, min_ram=1024, boot_mode='UEFI',
                tags=[dict(key='env', value='prod')])


def publish_vars(tmp_path, targets):
    src = str(tmp_path / 'golden.qcow2')
    write_qcow2(src, 3)
    return dict(image_publish_name=NAME, image_publish_src=src, image_publish_metadata=METADATA,
                image_publish_replicate_to=targets)


def dropped_options(target):
    return sorted(d['option'] if isinstance(d, dict) else d.split(' ', 1)[0] for d in target['metadata_dropped'])


def assert_glance_copy(glance, src):
    (made,) = [i for i in glance.images() if i['name'] == NAME]
    assert made['status'] == 'active' and made['checksum'] == md5(src), made
    # Carried over (docs/replication.md): platform -> os_distro, boot_mode -> hw_firmware_type, tags as key=value.
    assert (made['os_type'], made['os_distro'], made['hw_firmware_type']) == ('linux', 'ubuntu', 'uefi'), made
    assert (made['min_disk'], made['min_ram']) == (40, 1024) and 'env=prod' in made['tags'], made
    return made


def test_image_publish_replicates_what_it_published_then_a_rerun_moves_nothing(ims, glance, hw, tmp_path):  # noqa: F811  pylint: disable=redefined-outer-name
    variables = publish_vars(tmp_path, [openstack(glance), huawei(hw)])
    counts, result = run_role(ims, tmp_path, 'image_publish', variables)
    assert counts['failed'] == 0 and result['published'] is True, result
    replicated = result['replicated_to']
    assert [(t['provider'], t['served']) for t in replicated] == [('openstack', 'streamed'), ('huaweicloud', 'streamed')]
    assert assert_glance_copy(glance, variables['image_publish_src'])['id'] == replicated[0]['image_id']
    assert replicated[0]['metadata_dropped'] == []
    (copy,) = hw.images(NAME)
    assert copy['id'] == replicated[1]['image_id'] and copy['min_disk'] == 40 and copy['min_ram'] == 1024
    # A password login uploads with POST /v2/images: what it cannot set is reported, not lost silently.
    assert dropped_options(replicated[1]) == ['boot_mode', 'platform']

    glance.clear()
    hw.stack.clear_requests()
    ims.stack.clear_requests()
    counts, again = run_role(ims, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 0, again
    assert [t['served'] for t in again['replicated_to']] == ['unchanged', 'unchanged']
    assert glance.writes() == [] and hw.writes() == [] and ims.state_changing_requests() == []


def test_image_publish_check_mode_plans_the_replication_without_a_write(ims, glance, hw, tmp_path):  # noqa: F811  pylint: disable=redefined-outer-name
    variables = publish_vars(tmp_path, [openstack(glance), huawei(hw)])
    ims.module('ims_image_upload', dict(src=variables['image_publish_src'], name=NAME, **METADATA))
    glance.clear()
    hw.stack.clear_requests()
    counts, result = run_role(ims, tmp_path, 'image_publish', variables, check=True)
    assert counts['failed'] == 0 and result['published'] is False, result
    assert [t['served'] for t in result['replicated_to']] == ['planned', 'planned'], result
    assert glance.writes() == [] and hw.writes() == [] and hw.images(NAME) == []


def credential_extra_vars(kind, inputs):
    """The extra variables AWX injects for a credential of docs/awx.md's ``kind`` target type: its injectors rendered
    with ``inputs``, the optional fields it does not name left empty (AWX renders them as empty strings)."""
    spec = doc_block('replicate-%s-credential-type-inputs' % kind)
    fields = dict((f['id'], f) for f in spec['fields'])
    assert set(spec['required']) <= set(inputs) <= set(fields), (kind, sorted(inputs))
    assert all(fields[f].get('secret') for f in ('password', 'secret_key') if f in fields)
    values = dict(dict.fromkeys(fields, ''), **inputs)
    injectors = doc_block('replicate-%s-credential-type-injectors' % kind)
    assert sorted(injectors) == ['extra_vars']
    return dict((name, jinja2.Environment(autoescape=False).from_string(value).render(**values))  # nosec - not HTML
                for name, value in injectors['extra_vars'].items())


def replicate_playbook_vars(glance, hw, tmp_path):  # noqa: F811  pylint: disable=redefined-outer-name
    """The role's variables, and the extra variables of an OpenStack and a Huawei target credential (docs/awx.md)."""
    variables = publish_vars(tmp_path, [])
    del variables['image_publish_replicate_to']
    target = openstack(glance)
    variables.update(credential_extra_vars('openstack', dict(
        (k, target[k]) for k in ('auth_url', 'username', 'password', 'project_name', 'user_domain_name',
                                 'project_domain_name', 'region', 'endpoint'))))
    bucket = 'replicate-staging'
    hw.obs().create_bucket(Bucket=bucket)
    connection = hw.connection('owner', 'aksk')
    variables.update(credential_extra_vars('huaweicloud', dict(
        dict((k, connection[k]) for k in ('region', 'access_key', 'secret_key', 'endpoint', 'iam_endpoint', 'obs_endpoint')),
        obs_bucket=bucket)))
    return variables


def test_replicate_playbook_puts_the_golden_image_on_all_three_providers(ims, glance, hw, tmp_path):  # noqa: F811  pylint: disable=redefined-outer-name
    variables = replicate_playbook_vars(glance, hw, tmp_path)
    playbook = os.path.join(PLAYBOOKS, 'replicate.yml')
    proc = ims.playbook(playbook, extra_vars=variables)
    assert proc.returncode == 0, output(proc)
    (source,) = [i for i in ims.images('tenant-a') if i['name'] == NAME]
    assert source['status'] == 'active'
    assert_glance_copy(glance, variables['image_publish_src'])
    (copy,) = hw.images(NAME)
    # An AK/SK login imports through OBS: every option of the table reaches IMS, and the staged object is gone.
    assert (copy['min_disk'], copy['__os_type'], copy['hw_firmware_type']) == (40, 'Linux', 'uefi'), copy
    assert 'env=prod' in copy['tags'] or {'key': 'env', 'value': 'prod'} in copy.get('_kv_tags', []), copy
    assert (hw.obs().list_objects_v2(Bucket=variables['replicate_huaweicloud_obs_bucket']).get('Contents') or []) == []

    glance.clear()
    hw.stack.clear_requests()
    again = ims.playbook(playbook, extra_vars=variables)
    assert again.returncode == 0 and recap(again)['localhost']['changed'] == 0, output(again)
    assert glance.writes() == [] and hw.writes() == []


def test_replicate_playbook_at_vvv_shows_no_secret_of_any_cloud(ims, glance, hw, tmp_path):  # noqa: F811  pylint: disable=redefined-outer-name
    variables = replicate_playbook_vars(glance, hw, tmp_path)
    log_path = tmp_path / 'ansible.log'
    proc = ims.playbook(os.path.join(PLAYBOOKS, 'replicate.yml'), extra_vars=variables, verbosity=3,
                        env={'ANSIBLE_LOG_PATH': str(log_path)})
    assert proc.returncode == 0, output(proc)
    assert hw.images(NAME) and [i for i in glance.images() if i['name'] == NAME]
    secrets = dict(huawei_secrets(hw.stack), **{
        'openstack password': variables['replicate_openstack_password'],
        'cecloud token': ims.stack.tenant('tenant-a')['token']})
    # The extra variables are on the command line the test gave; what Ansible prints and logs must not hold them.
    texts = {'stdout': proc.stdout, 'stderr': proc.stderr, 'log': log_path.read_text()}
    assert scan(texts, secrets) == [], json.dumps(scan(texts, secrets))

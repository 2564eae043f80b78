# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles with ``provider: openstack``, through real ansible-playbook, the real Keystone + Glance.

The connection is one dict, ``ims_connection`` (password login, ``endpoint`` on the recording
proxy), so each test can say which requests reached Glance: check mode and a second run write
nothing. A play that gives CECloud options to every module (``module_defaults``) does not leak them
into an openstack role.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os
import re
import subprocess
import time

from tests.integration.conftest import BIN, REPO, TARGETS, module_env
from tests.integration.images import write_raw
from tests.integration.test_roles import output, recap
from tests.openstack.stack import DOMAIN, PROJECT_USERS, REGION

RAW_BYTES = b'openstack role bytes\n' * 1024
# Glance's created_at has whole seconds: images made further apart than this sort by age.
CREATED_AT_STEP = 1.1


def connection(glance, project='proj-a', **more):
    """The ``ims_connection`` of the member user of ``project``: a password login, Glance through the proxy."""
    user = PROJECT_USERS[project]
    return dict(dict(provider='openstack', endpoint=glance.proxy.url, auth_url=glance.stack.auth_url, username=user,
                     password=glance.stack.passwords[user], project_name=project, user_domain_name=DOMAIN,
                     project_domain_name=DOMAIN, region=REGION, retries=0), **more)


def playbook(glance, path, extra_vars, check=False, verbosity=0, env=None):
    """ansible-playbook with no IMS_*/OS_* variables in its environment: the connection is in the play."""
    cmd = [os.path.join(BIN, 'ansible-playbook'), path, '-i', 'localhost,', '-c', 'local', '-e', json.dumps(extra_vars)]
    if check:
        cmd.append('--check')
    if verbosity:
        cmd.append('-' + 'v' * verbosity)
    return subprocess.run(cmd, capture_output=True, text=True, env=module_env(env or {}, drop_prefixes=('IMS_', 'OS_')),
                          cwd=REPO, timeout=900, check=False)


def role_play(glance, tmp_path, role, variables, project='proj-a', check=False, **connection_options):
    """Run ``role`` as ``project`` through targets/roles/run_role.yml; returns (the process, the result file)."""
    result_file = tmp_path / ('%s-result.json' % role)
    if result_file.exists():
        result_file.unlink()
    extra = dict(dict(ims_connection=connection(glance, project, **connection_options)), **variables)
    extra.update(role_under_test=role, result_file=str(result_file))
    return playbook(glance, os.path.join(TARGETS, 'roles', 'run_role.yml'), extra, check=check), result_file


def run_role(glance, tmp_path, role, variables, project='proj-a', check=False, **connection_options):
    """A role run that succeeds: (recap of localhost, the role's result fact)."""
    proc, result_file = role_play(glance, tmp_path, role, variables, project, check, **connection_options)
    assert proc.returncode == 0, output(proc)
    return recap(proc)['localhost'], json.loads(result_file.read_text())


def failed_role(glance, tmp_path, role, variables, project='proj-a', **connection_options):
    """A role run that fails: its process."""
    proc = role_play(glance, tmp_path, role, variables, project, **connection_options)[0]
    assert proc.returncode != 0, output(proc)
    return proc


def snapshot(glance):
    """Both projects' images and their members, to compare before/after a check-mode run."""
    state = {}
    for project in ('proj-a', 'proj-b'):
        for image in glance.images(project):
            state[image['id']] = (json.dumps(image, sort_keys=True), sorted(
                (m['member_id'], m['status']) for m in glance.members(image['id'], project)))
    return state


def in_check_mode_nothing_is_written(glance, run):
    before = snapshot(glance)
    glance.clear()
    value = run()
    assert glance.writes() == []
    assert snapshot(glance) == before
    return value


def active_image(glance, name, project='proj-a', **fields):
    image = glance.create(project=project, name=name, **fields)
    glance.upload(image['id'], RAW_BYTES + name.encode(), project=project)
    return image


def share(glance, image_id, project='proj-b', status=None):
    """A shares ``image_id`` with ``project`` (pending), which answers ``status`` when given."""
    member = glance.project_id(project)
    if glance.image(image_id)['visibility'] != 'shared':
        patch = [{'op': 'replace', 'path': '/visibility', 'value': 'shared'}]
        response = glance.call('PATCH', '/v2/images/' + image_id, json=patch,
                               headers={'Content-Type': 'application/openstack-images-v2.1-json-patch'})
        assert response.status_code == 200, response.text
    assert glance.call('POST', '/v2/images/%s/members' % image_id, json={'member': member}).status_code == 200
    if status:
        response = glance.call('PUT', '/v2/images/%s/members/%s' % (image_id, member), project, json={'status': status})
        assert response.status_code == 200, response.text


def member_statuses(glance, image_ids):
    return [[m['status'] for m in glance.members(i)] for i in image_ids]


# ---------------------------------------------------------------- image_retention


def test_retention_keeps_the_newest_and_holds_shared_and_protected_images(glance, tmp_path):
    made = []
    for index in range(5):          # gold-0 is the oldest
        if made:
            time.sleep(CREATED_AT_STEP)
        made.append(active_image(glance, 'gold-%d' % index, protected=index == 1))
    share(glance, made[0]['id'])
    active_image(glance, 'other-0')
    glance.create(name='gold-queued')
    variables = {'image_retention_prefix': 'gold-', 'image_retention_keep': 2}

    counts, result = in_check_mode_nothing_is_written(
        glance, lambda: run_role(glance, tmp_path, 'image_retention', variables, check=True))
    assert result['check_mode'] is True and counts['changed'] == 1, counts
    assert [i['name'] for i in result['kept']] == ['gold-4', 'gold-3']
    assert [i['name'] for i in result['deleted']] == ['gold-2']
    assert [i['name'] for i in result['skipped_shared']] == ['gold-0']
    assert [i['name'] for i in result['skipped_protected']] == ['gold-1']

    glance.clear()
    counts, result = run_role(glance, tmp_path, 'image_retention', variables)
    assert counts['changed'] == 1 and [i['name'] for i in result['deleted']] == ['gold-2'], result
    assert glance.writes() == [('DELETE', '/v2/images/' + made[2]['id'])]
    assert sorted(i['name'] for i in glance.images()) == ['gold-0', 'gold-1', 'gold-3', 'gold-4', 'gold-queued', 'other-0']

    glance.clear()
    counts, result = run_role(glance, tmp_path, 'image_retention', variables)
    assert counts['changed'] == 0 and result['deleted'] == [] and glance.writes() == [], counts

    counts, result = run_role(glance, tmp_path, 'image_retention', dict(variables, image_retention_force=True))
    assert counts['changed'] == 1 and sorted(i['name'] for i in result['deleted']) == ['gold-0', 'gold-1'], result
    assert sorted(i['name'] for i in glance.images()) == ['gold-3', 'gold-4', 'gold-queued', 'other-0']


def days_ago(days):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def retention_table(proc):
    """{image name: (action, reason)} of the retention's table in the play's output."""
    rows = re.findall(r'^\s*"(\S+)\s+([0-9a-f-]{36})\s+\S+\s+(keep|skip|deprecate|delete)\s+(.*)",?$', proc.stdout, re.M)
    return {name: (action, re.sub(r'(since \d{4}-\d\d-\d\dT)\S+', r'\1', reason)) for name, dummy, action, reason in rows}


def test_retention_of_a_family_deprecates_then_deletes_after_the_grace_period_and_holds_pinned_shared_protected(glance, tmp_path):
    made = {}
    for index in range(7):          # o-0 is the oldest; Glance tags are text: the family tag is ims_family=gold
        if made:
            time.sleep(CREATED_AT_STEP)
        tags = ['ims_family=gold', 'golden'] + (['ims_pinned=true'] if index == 2 else [])
        made['o-%d' % index] = active_image(glance, 'o-%d' % index, tags=tags, protected=index == 4)['id']
    active_image(glance, 'o-silver', tags=['ims_family=silver'])
    share(glance, made['o-3'])
    for name, days in (('o-0', 10), ('o-1', 1)):         # deprecated in the past, through ims_image
        run = glance.module('ims_image', dict(id=made[name], deprecated=True, deprecated_at=days_ago(days)))
        assert run.changed and not run.failed, run
    variables = {'image_retention_family': 'gold', 'image_retention_keep': 1, 'image_retention_grace_days': 7}
    expected = {
        'o-6': ('keep', 'newest 1 (number 1)'),
        'o-5': ('deprecate', 'older than the newest 1: deprecated now, deleted after grace_days 7'),
        'o-4': ('skip', 'protected: set image_retention_force to remove it'),
        'o-3': ('skip', 'shared (visibility shared): set image_retention_force to remove it'),
        'o-2': ('keep', 'pinned (ims_pinned: true)'),
        'o-1': ('keep', 'deprecated since %s (1 days < grace_days 7): deleted later' % days_ago(1)[:11]),
        'o-0': ('delete', 'deprecated since %s (10 days >= grace_days 7)' % days_ago(10)[:11])}

    proc, result_file = in_check_mode_nothing_is_written(
        glance, lambda: role_play(glance, tmp_path, 'image_retention', variables, check=True))
    assert proc.returncode == 0 and retention_table(proc) == expected, output(proc)
    result = json.loads(result_file.read_text())
    assert [i['name'] for i in result['deprecated']] == ['o-5'] and [i['name'] for i in result['deleted']] == ['o-0'], result

    glance.clear()
    counts, result = run_role(glance, tmp_path, 'image_retention', variables)
    assert counts['changed'] == 2, counts
    assert sorted(glance.writes()) == [('DELETE', '/v2/images/' + made['o-0']), ('PATCH', '/v2/images/' + made['o-5'])]
    deprecated = glance.image(made['o-5'])
    assert deprecated['ims_deprecated_at'].startswith(days_ago(0)[:11]) and deprecated['ims_replaced_by'] == made['o-6']
    assert [(i['name'], i['retention_reason'][:16]) for i in result['kept']] == [
        ('o-6', 'newest 1 (number'), ('o-2', 'pinned (ims_pinn'), ('o-1', 'deprecated since')]
    assert sorted(i['name'] for i in glance.images() if i['name'].startswith('o-')) == [
        'o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6', 'o-silver']

    glance.clear()
    counts, result = run_role(glance, tmp_path, 'image_retention', variables)
    assert counts['changed'] == 0 and glance.writes() == [] and result['deleted'] == [] and result['deprecated'] == [], counts


# ---------------------------------------------------------------- image_import


def test_import_accepts_the_pending_shares_whose_names_match(glance, tmp_path):
    golden = [active_image(glance, 'golden-%d' % i) for i in range(2)]
    other = active_image(glance, 'other-0')
    queued = glance.create(name='golden-queued')
    declined = active_image(glance, 'golden-declined')
    for image in golden + [other, queued]:
        share(glance, image['id'])
    share(glance, declined['id'], status='rejected')
    variables = {'image_import_pattern': '^golden-'}

    counts, result = in_check_mode_nothing_is_written(
        glance, lambda: run_role(glance, tmp_path, 'image_import', variables, project='proj-b', check=True))
    assert counts['changed'] == 1 and sorted(i['name'] for i in result['accepted']) == ['golden-0', 'golden-1'], result
    assert result['not_active'] == ['golden-queued'] and result['copied'] == []

    glance.clear()
    counts, result = run_role(glance, tmp_path, 'image_import', variables, project='proj-b')
    assert counts['changed'] == 1 and sorted(i['name'] for i in result['accepted']) == ['golden-0', 'golden-1'], result
    project_b = glance.project_id('proj-b')
    assert sorted(glance.writes()) == sorted(('PUT', '/v2/images/%s/members/%s' % (i['id'], project_b)) for i in golden)
    assert member_statuses(glance, [i['id'] for i in golden + [other, queued, declined]]) == [
        ['accepted'], ['accepted'], ['pending'], ['pending'], ['rejected']]
    assert glance.images('proj-b') == []          # nothing is copied on openstack

    glance.clear()
    counts, result = run_role(glance, tmp_path, 'image_import', variables, project='proj-b')
    assert counts['changed'] == 0 and result['accepted'] == [] and glance.writes() == [], counts
    assert sorted(result['already_accepted']) == ['golden-0', 'golden-1']


def test_import_refuses_the_copy_variables_before_any_change(glance, tmp_path):
    active_image(glance, 'golden-0')
    share(glance, glance.images()[0]['id'])
    glance.clear()
    proc = failed_role(glance, tmp_path, 'image_import', {'image_import_name_prefix': 'copy-'}, project='proj-b')
    assert 'apply to provider cecloud' in proc.stdout and 'accepts the shared images themselves' in proc.stdout, output(proc)
    assert glance.requests() == []


# ---------------------------------------------------------------- image_publish


def test_publish_from_a_url_shares_with_project_b_which_imports_it(glance, tmp_path, http_dir):
    root, base_url = http_dir
    write_raw(str(root / 'golden.raw'), 1)
    project_b = glance.project_id('proj-b')
    variables = {'image_publish_name': 'golden-url', 'image_publish_url': base_url + '/golden.raw',
                 'image_publish_metadata': {'disk_format': 'raw', 'min_ram': 256, 'tags': ['gold'],
                                            'properties': {'os_distro': 'ubuntu'}},
                 'image_publish_share_with': [project_b]}

    counts, result = in_check_mode_nothing_is_written(
        glance, lambda: run_role(glance, tmp_path, 'image_publish', variables, check=True))
    assert counts['changed'] == 1 and result['published'] is True, result

    glance.clear()
    counts, result = run_role(glance, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 2 and result['published'] is True, counts       # import, share
    image = glance.image(result['image']['image_id'])
    assert image['status'] == 'active' and image['visibility'] == 'shared' and image['os_distro'] == 'ubuntu'
    assert image['tags'] == ['gold'] and image['min_ram'] == 256
    assert result['shared_with'] == [project_b] and result['shares_added'] == [project_b]
    assert [(m['member_id'], m['status']) for m in glance.members(image['id'])] == [(project_b, 'pending')]

    glance.clear()
    counts, result = run_role(glance, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 0 and result['published'] is False and glance.writes() == [], counts

    counts, imported = run_role(glance, tmp_path, 'image_import', {'image_import_pattern': '^golden-url$'}, project='proj-b')
    assert [i['id'] for i in imported['accepted']] == [image['id']], imported
    assert [m['status'] for m in glance.members(image['id'])] == ['accepted']


def test_publish_refuses_an_export_bucket_before_any_change(glance, tmp_path):
    proc = failed_role(glance, tmp_path, 'image_publish', {'image_publish_name': 'x', 'image_publish_url': 'http://x/y',
                                                           'image_publish_export_bucket': 'b'})
    assert 'image_publish_export_bucket applies to providers cecloud and huaweicloud' in proc.stdout, output(proc)
    assert glance.requests() == []


def test_publish_from_a_file_uploads_shares_and_downloads(glance, tmp_path):
    src = tmp_path / 'golden.raw'
    write_raw(str(src), 2)
    project_b = glance.project_id('proj-b')
    dest = tmp_path / 'copy' / 'golden.raw'
    dest.parent.mkdir()
    variables = {'image_publish_name': 'golden-file', 'image_publish_src': str(src),
                 'image_publish_metadata': {'disk_format': 'raw'}, 'image_publish_share_with': [project_b],
                 'image_publish_download_dest': str(dest)}

    counts, result = in_check_mode_nothing_is_written(
        glance, lambda: run_role(glance, tmp_path, 'image_publish', variables, check=True))
    assert counts['changed'] == 1 and not dest.exists(), counts

    counts, result = run_role(glance, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 3 and result['published'] is True, counts      # upload, share, download
    assert dest.read_bytes() == src.read_bytes() and result['shared_with'] == [project_b]

    glance.clear()
    counts, result = run_role(glance, tmp_path, 'image_publish', variables)
    assert counts['changed'] == 0 and glance.writes() == [], counts


def test_publish_of_a_family_deprecates_the_previous_version_and_a_rerun_changes_nothing(glance, tmp_path):
    def version(number):
        src = tmp_path / ('v%d.raw' % number)
        write_raw(str(src), number)
        return {'image_publish_name': 'fam-v%d' % number, 'image_publish_src': str(src), 'image_publish_family': 'os-fam',
                'image_publish_deprecate_previous': True, 'image_publish_metadata': {'disk_format': 'raw', 'tags': ['golden']}}

    counts, first = run_role(glance, tmp_path, 'image_publish', version(1))
    assert counts['changed'] == 1 and first['deprecated_previous'] == [], counts
    time.sleep(CREATED_AT_STEP)
    counts, planned = in_check_mode_nothing_is_written(
        glance, lambda: run_role(glance, tmp_path, 'image_publish', version(2), check=True))
    assert [i['name'] for i in planned['deprecated_previous']] == ['fam-v1'], planned

    counts, second = run_role(glance, tmp_path, 'image_publish', version(2))
    assert counts['changed'] == 2 and [i['image_id'] for i in second['deprecated_previous']] == [first['image']['image_id']]
    old, new = glance.image(first['image']['image_id']), glance.image(second['image']['image_id'])
    assert sorted(new['tags']) == ['golden', 'ims_family=os-fam'] and 'ims_family=os-fam' in old['tags'], new
    assert old['ims_replaced_by'] == new['id'] and old['ims_deprecated_at'] and 'ims_deprecated_at' not in new

    glance.clear()
    counts, again = run_role(glance, tmp_path, 'image_publish', version(2))
    assert counts['changed'] == 0 and glance.writes() == [] and again['deprecated_previous'] == [], counts


# ---------------------------------------------------------------- the connection


PLAY_WITH_CECLOUD_DEFAULTS = """\
- name: A play whose modules all get CECloud options, running an openstack role
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/cecloud.ims.ims:
      tenant_id: "7074631167042813952"
      department_id: "7074631167051202560"
      resource_group_id: "7074631167051202999"
      endpoint: "{{ play_endpoint }}"
  tasks:
    - name: Run the role
      ansible.builtin.include_role:
        name: cecloud.ims.{{ role_under_test }}
    - name: Save the role's result
      save_text:
        content: "{{ lookup('ansible.builtin.vars', role_under_test ~ '_result') | to_nice_json }}"
        dest: "{{ result_file }}"
"""


def test_play_module_defaults_for_cecloud_do_not_leak_into_an_openstack_role(glance, tmp_path):
    play = tmp_path / 'play.yml'
    play.write_text(PLAY_WITH_CECLOUD_DEFAULTS)
    active_image(glance, 'leak-0')
    time.sleep(CREATED_AT_STEP)
    active_image(glance, 'leak-1')
    result_file = tmp_path / 'result.json'
    without_endpoint = dict((k, v) for k, v in connection(glance).items() if k != 'endpoint')
    extra = dict(role_under_test='image_retention', result_file=str(result_file), image_retention_prefix='leak-',
                 image_retention_keep=1, ims_connection=without_endpoint, play_endpoint=glance.proxy.url)

    glance.clear()
    proc = playbook(glance, str(play), extra)
    assert proc.returncode == 0, output(proc)
    assert [i['name'] for i in json.loads(result_file.read_text())['deleted']] == ['leak-0']
    # The play's group defaults still apply under the role's connection: its endpoint (the proxy) was used.
    # (without it the module would take Glance's URL from the catalog, and the proxy would record nothing).
    assert [method for method, path in glance.writes()] == ['DELETE']

    # Options the role itself is given for the other provider are refused, with the provider named.
    for refused in (dict(ims_connection=connection(glance, tenant_id='7074631167042813952')),
                    dict(ims_tenant_id='7074631167042813952')):
        glance.clear()
        proc = playbook(glance, str(play), dict(extra, **refused))
        assert proc.returncode != 0, output(proc)
        assert 'tenant_id is not used by provider openstack' in proc.stdout, output(proc)
        assert glance.writes() == []


def test_the_connection_from_the_environment_and_ims_provider(glance, tmp_path):
    """IMS_PROVIDER and OS_* instead of ims_connection: the role knows the provider from the controller's environment."""
    active_image(glance, 'env-0')
    result_file = tmp_path / 'result.json'
    env = dict(glance.stack.env('proj-a'), IMS_PROVIDER='openstack')
    proc = playbook(glance, os.path.join(TARGETS, 'roles', 'run_role.yml'),
                    dict(role_under_test='image_retention', result_file=str(result_file), image_retention_prefix='env-',
                         image_retention_keep=1, ims_endpoint=glance.proxy.url), env=env)
    assert proc.returncode == 0, output(proc)
    assert [i['name'] for i in json.loads(result_file.read_text())['kept']] == ['env-0']
    assert glance.requests(), 'the role did not go through ims_endpoint'


def test_bad_ims_connection_fails_before_any_task(glance, tmp_path):
    proc = failed_role(glance, tmp_path, 'image_retention', {'image_retention_prefix': 'x'}, interface='private')
    assert 'Validation of arguments failed' in proc.stdout and 'interface' in proc.stdout, output(proc)
    assert glance.requests() == []


def test_the_password_in_ims_connection_is_never_shown_at_vvv(glance, tmp_path):
    active_image(glance, 'secret-0')
    extra = dict(role_under_test='image_retention', result_file=str(tmp_path / 'r.json'), image_retention_prefix='secret-',
                 image_retention_keep=0, ims_connection=connection(glance))
    proc = playbook(glance, os.path.join(TARGETS, 'roles', 'run_role.yml'), extra, verbosity=3)
    assert proc.returncode == 0, output(proc)
    password = glance.stack.passwords[PROJECT_USERS['proj-a']]
    # The password is on the command line (-e), which ansible-playbook -vvv does not print; it must appear nowhere.
    assert password not in proc.stdout and password not in proc.stderr
    assert 'ims_image' in proc.stdout and glance.images() == []

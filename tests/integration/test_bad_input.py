# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, table-driven, across the five modules and the three roles.

Every case must fail with a message that names the problem (a regular expression per case), and the
emulator's request log must show that no state-changing request (POST, PUT, DELETE) was sent.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re

import pytest

from tests.integration.images import write_raw

USER_B = '7085524801413879999'   # tenant-b's user id (docs/api-notes.md)
BAD_NAME_129 = 'x' * 129


def _seed_name(ims, prefix, status='active', **extra):
    """One seeded image of tenant-a; returns (image id, its name)."""
    image_id = ims.stack.seed(tenant='tenant-a', count=1, prefix=prefix, status=status, **extra)['imageIds'][0]
    return image_id, prefix + '00000'


def setup_dup(ims, tmp_path):
    _seed_name(ims, 'dup-')
    _seed_name(ims, 'dup-')
    return {'DUP': 'dup-00000'}


def setup_active(ims, tmp_path):
    image_id, name = _seed_name(ims, 'ok-', with_object=True, object_size=2048)
    return {'ACTIVE_ID': image_id, 'ACTIVE': name}


def setup_queued(ims, tmp_path):
    image_id, name = _seed_name(ims, 'pending-', status='queued')
    return {'QUEUED_ID': image_id, 'QUEUED': name}


def setup_file(ims, tmp_path):
    return {'FILE': write_raw(tmp_path / 'disk.raw', 1), 'DIR': str(tmp_path)}


def setup_other_bytes(ims, tmp_path):
    """An active image whose bytes differ from FILE's (uploaded by the module itself)."""
    first = write_raw(tmp_path / 'first.raw', 1, seed=b'first')
    run = ims.module('ims_image_upload', dict(src=first, name='taken-name'))
    assert not run.failed, run
    return {'FILE': write_raw(tmp_path / 'second.raw', 1, seed=b'second')}


SETUPS = {'dup': setup_dup, 'active': setup_active, 'queued': setup_queued, 'file': setup_file, 'other_bytes': setup_other_bytes}

# (case id, setup, target, arguments, regular expression the message must match)
# target: a module name, or "role:<name>" for a role run through tests/integration/targets/roles/run_role.yml.
CASES = [
    # -- common options (any module) --
    ('extra_headers-bad-name', None, 'ims_image_info', {'extra_headers': {'bad header': 'x'}},
     r"extra_headers: 'bad header' is not a valid HTTP header name"),
    ('extra_headers-crlf', None, 'ims_image', {'name': 'x1', 'extra_headers': {'X-Trace': 'a\r\nX-Injected: 1'}},
     r'extra_headers: the value of X-Trace must not contain line breaks'),
    ('extra_headers-not-a-dict', None, 'ims_image_info', {'extra_headers': 'X-A: 1'}, r'extra_headers.*(dict|dictionary)'),
    ('endpoint-scheme', None, 'ims_image', {'name': 'x2', 'endpoint': 'ftp://127.0.0.1:1'},
     r"endpoint must be an http:// or https:// URL; got 'ftp://127.0.0.1:1'"),
    ('endpoint-no-host', None, 'ims_image_info', {'endpoint': 'http://'}, r"endpoint 'http://' has no host"),
    ('endpoint-no-host-port-only', None, 'ims_image_info', {'endpoint': 'https://:8443/'}, r"endpoint 'https://:8443/' has no host"),
    ('endpoint-bad-port', None, 'ims_image_info', {'endpoint': 'http://127.0.0.1:99999'},
     r"endpoint 'http://127.0.0.1:99999' has no valid port.*1 to 65535"),
    ('endpoint-port-not-a-number', None, 'ims_image', {'name': 'x5', 'endpoint': 'http://127.0.0.1:80a'},
     r"endpoint 'http://127.0.0.1:80a' has no valid port"),
    ('endpoint-space', None, 'ims_image_info', {'endpoint': 'http://ims example.com'}, r'endpoint .* must not contain spaces'),
    ('retries-too-many', None, 'ims_image_share', {'image': 'x', 'users': [USER_B], 'retries': 99},
     r'retries must be between 0 and 20; got 99'),
    ('timeout-zero', None, 'ims_image_export', {'image': 'x', 'bucket': 'b', 'timeout': 0}, r'timeout must be more than 0 seconds'),
    ('no-token', None, 'ims_image', {'name': 'x3', 'auth_token': ''}, r'auth_token is required'),
    ('no-tenant', None, 'ims_image', {'name': 'x4', 'tenant_id': ''}, r'tenant_id is required'),
    ('provider-unknown', None, 'ims_image_info', {'provider': 'aws'}, r'provider.*one of.*cecloud'),
    ('cecloud-refuses-openstack-options', None, 'ims_image_info', {'auth_url': 'http://127.0.0.1:1/v3', 'username': 'u'},
     r'auth_url, username are not used by provider cecloud; auth_url is an option of provider huaweicloud and openstack'),
    ('openstack-refuses-tenant_id', None, 'ims_image', {'name': 'x5', 'provider': 'openstack', 'tenant_id': 't-1'},
     r'tenant_id is not used by provider openstack; tenant_id is an option of provider cecloud'),
    ('id-and-its-filter', None, 'ims_image_info', {'id': 'img-a', 'filters': {'image_id': 'img-b'}},
     r'id img-a and filters.image_id img-b ask for different images: give one of them'),
    ('token-and-authorization-header', None, 'ims_image_info', {'auth_token': 'tok-1234567890',
                                                                'extra_headers': {'Authorization': 'Basic eA=='}},
     r'The task gives two credentials, auth_token, and an Authorization header in extra_headers: give only one'),
    ('openstack-token-without-project', None, 'ims_image_info', {'provider': 'openstack'},
     r"The openstack provider needs the caller's project id to tell its own images apart: with auth_token, set project_id"),
    # -- names --
    ('name-trailing-space', None, 'ims_image', {'name': 'web '}, r"name 'web ' is not a valid image name: .*start or end with a space"),
    ('name-slash', None, 'ims_image', {'name': 'web/1'}, r"""name 'web/1' is not a valid image name: the name contains '/'"""),
    ('name-too-long', None, 'ims_image', {'name': BAD_NAME_129}, r'the name has 129 characters; at most 128'),
    ('name-empty', None, 'ims_image', {'name': ''}, r'name.*(empty|not a valid)'),
    ('name-upload-emoji', 'file', 'ims_image_upload', {'src': '{FILE}', 'name': u'golden\U0001f600'},
     r'is not a valid image name: the name contains'),
    # -- enums, sizes, types --
    ('disk_format-enum', None, 'ims_image', {'name': 'e1', 'disk_format': 'vmdk'}, r'disk_format.*one of.*qcow2'),
    ('visibility-enum', None, 'ims_image', {'name': 'e2', 'visibility': 'secret'}, r'visibility.*one of'),
    ('platform-case', None, 'ims_image', {'name': 'e3', 'platform': 'centos'}, r'platform.*one of'),
    ('scope-enum', None, 'ims_image_info', {'scope': 'everything'}, r'scope.*one of'),
    ('min_disk-negative', None, 'ims_image', {'name': 'e4', 'min_disk': -1}, r'min_disk must be 0 or more; got -1'),
    ('min_ram-not-int', None, 'ims_image', {'name': 'e5', 'min_ram': 'lots'}, r'min_ram.*int'),
    ('description-short', None, 'ims_image', {'name': 'e6', 'description': 'x'}, r'description must have 2 to 256 characters; it has 1'),
    ('tags-empty-dict', None, 'ims_image', {'name': 'e7', 'tags': [{}]}, r'tags\[0\] must be a non-empty dict'),
    ('wait_timeout-too-large', None, 'ims_image', {'name': 'e8', 'wait_timeout': 10 ** 6},
     r'wait_timeout must be between 1 and 86400 seconds'),
    ('part_size_mb-small', 'file', 'ims_image_upload', {'src': '{FILE}', 'name': 'p1', 'part_size_mb': 1}, r'part_size_mb must be between'),
    ('max_concurrency-zero', 'file', 'ims_image_upload', {'src': '{FILE}', 'name': 'p2', 'max_concurrency': 0},
     r'max_concurrency must be between'),
    # -- paths --
    ('src-missing', None, 'ims_image_upload', {'src': '/nonexistent/disk.qcow2', 'name': 'p3'}, r'/nonexistent/disk\.qcow2'),
    ('src-directory', 'file', 'ims_image_upload', {'src': '{DIR}', 'name': 'p4'}, r'(directory|not a (regular )?file)'),
    ('src-format-mismatch', 'file', 'ims_image_upload', {'src': '{FILE}', 'name': 'p5', 'disk_format': 'qcow2'},
     r'disk_format is qcow2 but .* is a raw file'),
    ('dest-folder-missing', 'active', 'ims_image_export', {'image': '{ACTIVE_ID}', 'dest': '/nonexistent/dir/out.qcow2'},
     r'The folder of dest /nonexistent/dir/out\.qcow2 .*does not exist'),
    ('dest-folder-is-a-file', 'active', 'ims_image_export', {'image': '{ACTIVE_ID}', 'dest': '/etc/hostname/out.qcow2'},
     r'/etc/hostname/out\.qcow2'),
    # -- conflicting options --
    ('import_url-and-copy', None, 'ims_image', {'name': 'c1', 'import_url': 'http://127.0.0.1:1/a.qcow2', 'copy_from_share': 'img-share-x'},
     r'mutually exclusive: import_url\|copy_from_share'),
    ('volume_images-without-import', None, 'ims_image', {'name': 'c2', 'volume_images': [{'url': 'http://h/v.raw', 'min_disk': 1}]},
     r'volume_images.*import_url'),
    ('import_url-scheme', None, 'ims_image', {'name': 'c3', 'import_url': 'file:///etc/passwd'}, r"import_url .*'file:///etc/passwd'"),
    ('bucket-and-dest', None, 'ims_image_export', {'image': 'x', 'bucket': 'b', 'dest': '/tmp/x'}, r'mutually exclusive: bucket\|dest'),
    ('az_id-without-bucket', None, 'ims_image_export', {'image': 'x', 'dest': '/tmp/x.qcow2', 'az_id': 'AZ0'}, r'az_id.*bucket'),
    ('share-image-and-share_id', None, 'ims_image_share', {'image': 'x', 'share_id': 'img-share-1', 'state': 'absent'},
     r'image and share_id exclude each other'),
    ('share_id-present', None, 'ims_image_share', {'share_id': 'img-share-1', 'state': 'present'}, r'share_id works with state: absent only'),
    ('share-purge-absent', 'active', 'ims_image_share', {'image': '{ACTIVE_ID}', 'users': [USER_B], 'state': 'absent', 'purge': True},
     r'purge applies to state: present'),
    ('share-user-not-19-digits', 'active', 'ims_image_share', {'image': '{ACTIVE_ID}', 'users': ['12345']},
     r'users must be user ids of 19 digits.*12345'),
    # -- ids that do not exist, ambiguous names, wrong state --
    ('image-id-unknown', None, 'ims_image', {'id': 'img-doesnotexist', 'name': 'n1'}, r'No private image has id img-doesnotexist'),
    ('share-unknown-image', None, 'ims_image_share', {'image': 'img-doesnotexist', 'users': [USER_B]},
     r"No private image of this tenant has the id or name 'img-doesnotexist'"),
    ('export-unknown-image', None, 'ims_image_export', {'image': 'no-such-image', 'bucket': 'export-az0-a'},
     r"No private image of this tenant has the id or name 'no-such-image'"),
    ('copy-unknown-share', None, 'ims_image', {'name': 'n2', 'copy_from_share': 'img-share-doesnotexist'},
     r'No image is shared with this tenant under share id img-share-doesnotexist'),
    ('delete-ambiguous-name', 'dup', 'ims_image', {'name': '{DUP}', 'state': 'absent'}, r"The name 'dup-00000' matches 2 private images"),
    ('share-ambiguous-name', 'dup', 'ims_image_share', {'image': '{DUP}', 'users': [USER_B]}, r"dup-00000.*matches 2"),
    ('export-ambiguous-name', 'dup', 'ims_image_export', {'image': '{DUP}', 'bucket': 'export-az0-a'}, r"dup-00000.*matches 2"),
    ('export-unknown-bucket', 'active', 'ims_image_export', {'image': '{ACTIVE_ID}', 'bucket': 'no-such-bucket'},
     r'cannot be exported to bucket no-such-bucket.*Valid buckets: .*export-az0-a'),
    ('export-not-active', 'queued', 'ims_image_export', {'image': '{QUEUED_ID}', 'bucket': 'export-az0-a'},
     r'is queued; only active images can be'),
    ('upload-other-bytes-no-replace', 'other_bytes', 'ims_image_upload', {'src': '{FILE}', 'name': 'taken-name'},
     r"Image 'taken-name' .* already holds another file.*replace: true"),
    # -- roles --
    ('role-publish-two-sources', 'file', 'role:image_publish',
     {'image_publish_name': 'r1', 'image_publish_src': '{FILE}', 'image_publish_url': 'http://127.0.0.1:1/a.qcow2'},
     r'exactly one of image_publish_src'),
    ('role-publish-bad-name', 'file', 'role:image_publish', {'image_publish_name': 'bad/name', 'image_publish_src': '{FILE}'},
     r"name 'bad/name' is not a valid image name"),
    ('role-publish-metadata-enum', 'file', 'role:image_publish',
     {'image_publish_name': 'r2', 'image_publish_src': '{FILE}', 'image_publish_metadata': {'disk_format': 'vmdk'}},
     r'disk_format.*(one of|choices)'),
    ('role-publish-no-name', 'file', 'role:image_publish', {'image_publish_src': '{FILE}'}, r'image_publish_name'),
    ('role-retention-prefix-and-regex', None, 'role:image_retention',
     {'image_retention_prefix': 'a', 'image_retention_regex': 'b'}, r'(exactly one|one of).*image_retention_(prefix|regex)'),
    ('role-retention-keep-negative', None, 'role:image_retention', {'image_retention_prefix': 'a', 'image_retention_keep': -1},
     r'image_retention_keep'),
    ('role-retention-bad-regex', None, 'role:image_retention', {'image_retention_regex': '(unclosed'},
     r"image_retention_regex \(unclosed is not a valid Python regular expression: missing \), unterminated subpattern"),
    ('role-retention-wait-timeout', None, 'role:image_retention', {'image_retention_prefix': 'a', 'image_retention_wait_timeout': 0},
     r'image_retention_wait_timeout must be between 1 and 86400'),
    ('role-import-wait-timeout', None, 'role:image_import', {'image_import_pattern': '.*', 'image_import_wait_timeout': 10 ** 6},
     r'image_import_wait_timeout must be between 1 and 86400'),
    ('role-import-bad-pattern', None, 'role:image_import', {'image_import_pattern': '(unclosed'},
     r"image_import_pattern \(unclosed is not a valid Python regular expression: missing \), unterminated subpattern"),
    ('role-publish-wait-timeout', 'file', 'role:image_publish',
     {'image_publish_name': 'r3', 'image_publish_src': '{FILE}', 'image_publish_wait_timeout': 86401},
     r'image_publish_wait_timeout must be between 1 and 86400'),
]


def _values(case):
    return case.values if hasattr(case, 'values') else case


def _fill(value, names):
    if isinstance(value, str):
        for key, replacement in names.items():
            value = value.replace('{%s}' % key, replacement)
        return value
    if isinstance(value, dict):
        return dict((k, _fill(v, names)) for k, v in value.items())
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


def test_the_table_is_large_and_covers_every_module_and_role():
    targets = set(_values(case)[2] for case in CASES)
    assert len(CASES) >= 30 and len(set(_values(case)[0] for case in CASES)) == len(CASES)
    assert {'ims_image', 'ims_image_info', 'ims_image_share', 'ims_image_upload', 'ims_image_export',
            'role:image_publish', 'role:image_retention', 'role:image_import'} <= targets


@pytest.mark.parametrize('case_id, setup, target, args, expected', CASES, ids=[_values(case)[0] for case in CASES])
def test_bad_input_is_refused_before_any_change(ims, tmp_path, case_id, setup, target, args, expected):  # pylint: disable=unused-argument
    names = SETUPS[setup](ims, tmp_path) if setup else {}
    args = _fill(args, names)
    ims.stack.clear_requests()
    before = sorted((i['imageId'], i['status']) for i in ims.images())
    if target.startswith('role:'):
        result_file = str(tmp_path / 'result.json')
        proc = ims.playbook('roles/run_role.yml', extra_vars=dict(args, role_under_test=target[5:], result_file=result_file))
        output = proc.stdout + proc.stderr
        assert proc.returncode != 0, output[-3000:]
        assert not os.path.exists(result_file)
        message = output
    else:
        run = ims.module(target, args)
        assert run.failed, run
        message = run['msg']
        assert 'Traceback' not in run.stderr and 'Unexpected error' not in message, run
    assert re.search(expected, message, re.S), (expected, message[-3000:])
    assert ims.state_changing_requests() == [], ims.state_changing_requests()
    assert sorted((i['imageId'], i['status']) for i in ims.images()) == before


def test_figures(tmp_path):  # pylint: disable=unused-argument
    from tests.integration.test_faults import save_figures  # pylint: disable=import-outside-toplevel
    table = [_values(case) for case in CASES]
    refused = [c for c in CASES if not hasattr(c, 'marks') or not c.marks]
    save_figures('bad_input', {'cases': len(table), 'refused_as_required': len(refused), 'known_gaps_xfail': len(table) - len(refused),
                               'modules_and_roles': len(set(c[2] for c in table)),
                               'cases_per_target': dict((t, len([c for c in table if c[2] == t])) for t in sorted(set(c[2] for c in table)))})
    assert json.loads(json.dumps(len(CASES))) >= 30

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup cecloud.ims.image and ims_image_info's query options through each provider's stack: the CECloud
emulator, the real Keystone + Glance and the Huawei emulator.

The lookup runs inside ansible-playbook (targets/image_lookup/provision.yml), which provisions with the id it returns;
the requests it costs are counted in the emulators' request logs and, on Glance, through the recording proxy.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os
import subprocess
import time

import pytest
import yaml

from tests.integration.conftest import BIN, REPO, TARGETS, module_env
from tests.integration.huaweicloud import CONNECTION_PREFIXES, hw  # noqa: F401  pylint: disable=unused-import

PLAYBOOK = os.path.join(TARGETS, 'image_lookup', 'provision.yml')


def provision(tmp_path, env, lookup_args, conn=None):
    """Run the provisioning playbook: (the id the lookup returned, the images the module found by it), or the
    playbook's failure output as a string."""
    out = tmp_path / ('out-%d.json' % time.monotonic_ns())
    extra = dict(lookup_args=lookup_args, conn=conn or {}, out=str(out))
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), PLAYBOOK, '-i', 'localhost,', '-c', 'local',
                           '-e', json.dumps(extra)], capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
                          check=False)
    if proc.returncode != 0:
        return proc.stdout + proc.stderr
    found = json.loads(out.read_text())
    return found['image_id'], found['images']


def lookups(tmp_path, env, cases, conn=None):
    """``query('cecloud.ims.image', ...)`` of each of ``cases`` (the lookup's options), in one playbook: the value of
    each, or ``{'failed': message}``."""
    out = tmp_path / ('lookup-%d.json' % time.monotonic_ns())
    tasks = [dict(name='Look up %d' % n, register='found_%d' % n, ignore_errors=True, **{'ansible.builtin.debug': dict(
        msg="{{ query('cecloud.ims.image', **(conn | combine(cases[%d]))) }}" % n)}) for n in range(len(cases))]
    outcome = '[%s]' % ', '.join('found_%d' % n for n in range(len(cases)))
    tasks.append(dict(name='Write', save_text=dict(content='{{ %s | to_json }}' % outcome, dest=str(out))))
    playbook = tmp_path / 'lookup.yml'
    playbook.write_text(yaml.safe_dump([dict(hosts='localhost', gather_facts=False, tasks=tasks)]))
    extra = dict(cases=cases, conn=conn or {})
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), str(playbook), '-i', 'localhost,', '-c', 'local',
                           '-e', json.dumps(extra)], capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [{'failed': r['msg']} if r.get('failed') else r['msg'] for r in json.loads(out.read_text())]


def lookup(tmp_path, env, lookup_args, conn=None):
    """One lookup in its own playbook (so that the requests it costs can be counted)."""
    return lookups(tmp_path, env, [lookup_args], conn)[0]


def past(minutes):
    """An ISO 8601 UTC time ``minutes`` ago, with milliseconds (as the CECloud service writes them)."""
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=minutes)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


BAD_INPUT = [
    (dict(name_regex='^golden-(ubuntu'), "name_regex '^golden-(ubuntu' is no valid regular expression"),
    (dict(name="x", sort_by="age"), "value of sort_by must be one of: created_at, updated_at, name, size, got: age"),
    (dict(name='x', tags={'a=b': 'c'}), 'tags must be a dict of tag keys'),
    (dict(name='x', return_='ids'), 'return_'),
]


# -- cecloud (the CECloud emulator) -------------------------------------------------------------


def _cecloud_golden(ims):
    """Three images of one name made 30, 20 and 10 minutes ago, a tagged newer one of another name, and others."""
    ids = {}
    for minutes in (30, 10, 20):
        ids[minutes] = ims.stack.seed(tenant='tenant-a', prefix='golden-ubuntu-22-', createdAt=past(minutes))['imageIds'][0]
    ids['tagged'] = ims.stack.seed(tenant='tenant-a', prefix='golden-ubuntu-22.04-', createdAt=past(5),
                                   imageTags=[{'key': 'stage', 'value': 'prod'}])['imageIds'][0]
    ims.stack.seed(tenant='tenant-a', prefix='golden-debian-', count=3, createdAt=past(1))
    return ids


def test_cecloud_newest_by_name_in_one_request_provisions_in_either_list_order(list_order_ims, tmp_path):
    ims = list_order_ims
    ids = _cecloud_golden(ims)
    ims.stack.clear_requests()
    found = provision(tmp_path, ims.env(), dict(name='golden-ubuntu-22-00000', scope='private'))
    assert isinstance(found, tuple), found
    image_id, provisioned = found
    assert image_id == ids[10], (ims.reading, ids)
    assert [i['image_id'] for i in provisioned] == [ids[10]]
    listings = [r for r in ims.requests() if r['path'] == '/api/image/v1/private-images' and 'name%3Alk' in r['query']]
    assert len(listings) == 1, ims.requests()


def test_cecloud_regex_tags_order_and_every_match(ims, tmp_path):
    ids = _cecloud_golden(ims)
    found = lookups(tmp_path, ims.env(), [
        dict(name_regex='^golden-ubuntu-22'),
        dict(name_regex='^golden-ubuntu-22-'),
        dict(tags={'stage': 'prod'}),
        dict(tags={'stage': None}, scope='private'),
        dict(tags={'stage': 'dev'}, allow_empty=True),
        dict(name_regex='^golden-ubuntu-22-', most_recent=False, sort_by='created_at', sort_order='asc'),
        {'name_regex': '^golden-ubuntu', 'most_recent': False, 'return': 'image', 'sort_by': 'name', 'scope': 'private'},
        dict(name='golden-ubuntu-22-00000', most_recent=False, expect_one=True),
        dict(name='golden-centos'),
    ])
    assert found[:5] == [[ids['tagged']], [ids[10]], [ids['tagged']], [ids['tagged']], []], found
    assert found[5] == [ids[30], ids[20], ids[10]]
    records = found[6]
    assert [r['name'] for r in records] == ['golden-ubuntu-22.04-00000'] + ['golden-ubuntu-22-00000'] * 3, records
    assert all(r['scope'] == 'private' and r['image_tags'] is not None for r in records)
    several = found[7]
    assert '3 images match' in several['failed'] and ids[30] in several['failed'], several
    none = found[8]
    assert "no image matches name 'golden-centos' in scope all (provider cecloud, region " in none['failed'], none
    assert ims.env()['IMS_AUTH_TOKEN'] not in none['failed']
    info = ims.module('ims_image_info', dict(name_regex='golden-ubuntu-22-', sort_by='created_at', sort_order='asc',
                                             limit=2, scope='private'))
    assert [i['image_id'] for i in info['images']] == [ids[30], ids[20]], info
    newest = ims.module('ims_image_info', dict(name_regex='^golden-', most_recent=True))
    assert len(newest['images']) == 1 and newest['images'][0]['name'].startswith('golden-debian-'), newest


def test_cecloud_bad_input_is_refused_before_any_request(ims, tmp_path):
    ims.stack.clear_requests()
    found = lookups(tmp_path, ims.env(), [args for args, _message in BAD_INPUT])
    for (args, message), answer in zip(BAD_INPUT, found):
        assert message in answer['failed'] and 'cecloud.ims.image' in answer['failed'], (args, answer)
    assert ims.requests() == []


def test_cecloud_info_refuses_bad_input_before_any_request(ims):
    ims.stack.clear_requests()
    bad_regex = ims.module('ims_image_info', dict(name_regex='(['))
    assert bad_regex.failed and 'is no valid regular expression' in bad_regex['msg'], bad_regex
    bad_sort = ims.module('ims_image_info', dict(sort_by='age'))
    assert bad_sort.failed and 'sort_by' in bad_sort['msg'], bad_sort
    assert ims.requests() == []


# -- openstack (the real Keystone + Glance, through the recording proxy) -----------------------------


def _glance_images(glance, *specs):
    """An image of each of ``specs`` (their fields), each made in a later second than the one before (Glance's
    created_at counts whole seconds): the next is made once the clock has passed the last one's created_at."""
    made = []
    for fields in specs:
        if made:
            last = datetime.datetime.fromisoformat(made[-1]['created_at'].replace('Z', '+00:00'))
            while datetime.datetime.now(datetime.timezone.utc) < last + datetime.timedelta(seconds=1):
                time.sleep(0.05)
        made.append(glance.create(**fields))
    return made


def _glance_conn(glance):
    return dict(provider='openstack', endpoint=glance.proxy.url, retries=0)


def _glance_env(glance):
    return module_env(dict(glance.stack.env('proj-a')), drop_prefixes=('IMS_', 'OS_'))


def test_openstack_newest_by_name_in_one_request_then_regex_and_tags(glance, tmp_path):
    golden_spec = dict(name='golden-ubuntu-22')
    # After them, newer images of the name deprecated and hidden under docs/image-conventions.md: left out unless asked.
    made = _glance_images(glance, golden_spec, golden_spec, golden_spec,
                          dict(name='golden-ubuntu-22.04', tags=['stage=prod', 'lts']),
                          dict(name='golden-ubuntu-22', ims_deprecated_at='2026-01-01T00:00:00Z'),
                          dict(name='golden-ubuntu-22', os_hidden=True))
    golden, tagged, deprecated, hidden = made[:3], made[3], made[4], made[5]
    glance.clear()
    found = provision(tmp_path, _glance_env(glance), dict(name='golden-ubuntu-22', scope='private'),
                      conn=_glance_conn(glance))
    assert isinstance(found, tuple), found
    assert found[0] == golden[-1]['id'] and [i['id'] for i in found[1]] == [golden[-1]['id']], found
    listings = [p for m, p in glance.requests() if m == 'GET' and p.startswith('/v2/images?')]
    assert len(listings) == 1 and 'name=golden-ubuntu-22&' in listings[0] + '&', glance.requests()
    assert 'sort_key=created_at' in listings[0] and 'sort_dir=desc' in listings[0], listings

    env, conn = _glance_env(glance), _glance_conn(glance)
    found = lookups(tmp_path, env, [
        dict(name_regex='^golden-ubuntu-22$'),
        dict(name_regex='^golden-ubuntu'),
        dict(tags={'lts': None}),
        dict(name='golden-ubuntu-22', sort_by='created_at', sort_order='asc'),
        dict(name_contains='golden', sort_by='name', sort_order='asc', most_recent=False),
        dict(name='golden-ubuntu-22', scope='private', include_deprecated=True, most_recent=False, sort_by='created_at'),
    ], conn)
    assert found[5] == [hidden['id'], deprecated['id']] + [g['id'] for g in golden[::-1]], found
    assert found[:4] == [[golden[-1]['id']], [tagged['id']], [tagged['id']], [golden[0]['id']]], found
    assert found[4][-1] == tagged['id'] and set(found[4][:3]) == {g['id'] for g in golden}, found
    glance.clear()
    assert lookup(tmp_path, env, dict(tags={'stage': 'prod'}, scope='private'), conn) == [tagged['id']]
    listings = [p for m, p in glance.requests() if p.startswith('/v2/images?')]
    assert len(listings) == 1 and 'tag=stage%3Dprod' in listings[0], glance.requests()
    glance.clear()
    bad = lookups(tmp_path, env, [args for args, _message in BAD_INPUT], conn)
    for (args, message), answer in zip(BAD_INPUT, bad):
        assert message in answer['failed'], (args, answer)
        assert glance.stack.env('proj-a')['OS_PASSWORD'] not in answer['failed']
    assert glance.requests() == []


# -- huaweicloud (the Huawei emulator) -------------------------------------------------------------


def _huawei_env():
    return module_env({}, drop_prefixes=CONNECTION_PREFIXES)


def _huawei_golden(hw):  # pylint: disable=redefined-outer-name
    ids = {}
    for minutes in (30, 10, 20):
        ids[minutes] = hw.seed(name='golden-ubuntu-22', created_at=past(minutes)[:19] + 'Z')[0]
    ids['tagged'] = hw.seed(name='golden-ubuntu-22.04', created_at=past(5)[:19] + 'Z', tags=['stage=prod'])[0]
    hw.seed(prefix='zz-other-', count=2, created_at=past(1)[:19] + 'Z')
    return ids


@pytest.fixture(params=['honoured', 'ignored'], ids=lambda value: 'sort_key=%s' % value)
def sort_key_hw(request, hw):  # pylint: disable=redefined-outer-name
    """The Huawei emulator in each reading of whether GET /v2/cloudimages honours ``sort_key``."""
    hw.stack.set_switches(sort_key=request.param)
    hw.reading = request.param
    return hw


def test_huaweicloud_newest_by_name_in_one_request_regex_tags_and_order(sort_key_hw, tmp_path):
    hw = sort_key_hw  # pylint: disable=redefined-outer-name
    ids = _huawei_golden(hw)
    conn = hw.connection()
    hw.stack.clear_requests()
    found = provision(tmp_path, _huawei_env(), dict(name='golden-ubuntu-22', scope='private'), conn=conn)
    assert isinstance(found, tuple), found
    assert found[0] == ids[10] and [i['id'] for i in found[1]] == [ids[10]], found
    by_name = [r for r in hw.ims_requests('GET', '/v2/cloudimages') if hw.query(r).get('name') == 'golden-ubuntu-22'
               and not hw.query(r).get('id')]
    assert len(by_name) == 1, hw.ims_requests()
    assert hw.query(by_name[0])['sort_key'] == 'created_at' and hw.query(by_name[0])['sort_dir'] == 'desc'

    env = _huawei_env()
    hw.stack.clear_requests()
    assert lookup(tmp_path, env, dict(tags={'stage': 'prod'}), conn) == [ids['tagged']]
    listings = hw.ims_requests('GET', '/v2/cloudimages')
    assert listings and all(hw.query(r).get('tag') == 'stage=prod' for r in listings), listings
    # Sorted by name (a key IMS takes) and by updated_at (one it does not, so sorted here): the same in both readings.
    last_name = [i['id'] for i in hw.images() if i['name'] == 'zz-other-00001']
    found = lookups(tmp_path, env, [
        dict(name_regex='^golden-ubuntu-22$'),
        dict(sort_by='name', scope='private'),
        dict(sort_by='created_at', sort_order='asc', scope='private'),
        dict(name_regex='^golden-ubuntu-22$', sort_by='updated_at', sort_order='asc', most_recent=False),
    ], conn)
    assert found[:3] == [[ids[10]], last_name, [ids[30]]], found
    assert set(found[3]) == {ids[10], ids[20], ids[30]}, found
    hw.stack.clear_requests()
    bad = lookups(tmp_path, env, [args for args, _message in BAD_INPUT], conn)
    for (args, message), answer in zip(BAD_INPUT, bad):
        assert message in answer['failed'] and conn['secret_key'] not in answer['failed'], (args, answer)
    assert hw.ims_requests() == []

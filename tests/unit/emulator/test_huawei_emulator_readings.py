"""The Huawei emulator's switches for the other reading of an ambiguous document (tests/emulator/huawei/README.md):
where a failed job says why, member jobs with failed items, removing a project that is no member, a lag before a
job's image is listed; a key/value tag of the key of a string tag; and that a switch set at start survives a reset."""

import time

import pytest

from tests.emulator._http import Switches
from tests.emulator.huawei.app import parse_args
from tests.emulator.huawei.switches import SWITCHES
from tests.unit.emulator.test_huawei_emulator import REGION
from tests.unit.emulator.test_huawei_emulator_ims import error_code, one_image

MEMBERS = '/v1/cloudimages/members'


def ecs_job(huawei, name):
    """The job of an ECS image (no OBS needed), waited for."""
    server = [s for s in huawei.state()['servers'] if s['project'] == huawei.owner.projects[REGION]][0]
    client = huawei.client()
    return client.wait_job(client.ok('POST', '/v2/cloudimages/action', json_body={'name': name, 'instance_id': server['id']})['job_id'])


@pytest.mark.parametrize('place', ['both', 'top', 'entities', 'sub_job'])
def test_a_failed_job_says_why_in_the_place_chosen_only(huawei, place):
    huawei.set_switches(job_reason_in=place)
    huawei.set_job_faults([{'job_type': 'imsCreateImageByInstance', 'error_code': 'IMG.0010', 'fail_reason': 'the disk is busy'}])
    job = ecs_job(huawei, 'why-' + place)
    entities = job['entities']
    subs = entities.get('sub_jobs_result') or []
    found = {'top': (job['error_code'], job['fail_reason']), 'entities': (entities.get('error_code'), entities.get('error')),
             'sub_job': (subs[0]['error_code'], subs[0]['fail_reason']) if subs else (None, None)}
    wanted = ('top', 'entities') if place == 'both' else (place,)
    assert job['status'] == 'FAIL'
    for where, pair in found.items():
        assert pair == (('IMG.0010', 'the disk is busy') if where in wanted else (None, None)), (where, job)
    if place == 'sub_job':
        assert subs[0]['status'] == 'FAIL' and entities['sub_jobs_list'] == [subs[0]['job_id']]


@pytest.mark.parametrize('status', ['SUCCESS', 'FAIL'])
def test_a_member_job_with_one_failed_project_applies_the_others(huawei, status):
    huawei.set_switches(member_partial_status=status)
    image_id = huawei.seed_images(count=1)[0]
    good, bad = 'a' * 32, 'b' * 32
    huawei.set_job_faults([{'job_type': 'imsAddImageMembersJob', 'projects': [bad], 'error_code': 'IMG.0088',
                            'fail_reason': 'member quota of the project exceeded'}])
    owner = huawei.client()
    job = owner.wait_job(owner.ok('POST', MEMBERS, json_body={'images': [image_id], 'projects': [good, bad]})['job_id'])
    assert job['status'] == status
    assert [(r['project_id'], r['status']) for r in job['entities']['results']] == [(good, 'success'), (bad, 'failed')]
    assert (job['fail_reason'], job['error_code']) == (
        ('member quota of the project exceeded', 'IMG.0088') if status == 'FAIL' else (None, None))
    assert [m['member_id'] for m in huawei.members(image_id)] == [good]


@pytest.mark.parametrize('reading', ['success', 'fail', 'reject'])
def test_removing_a_project_that_is_no_member(huawei, reading):
    huawei.set_switches(remove_non_member=reading, member_partial_status='FAIL')
    image_id = huawei.seed_images(count=1)[0]
    member, stranger = 'a' * 32, 'c' * 32
    owner = huawei.client()
    owner.wait_job(owner.ok('POST', MEMBERS, json_body={'images': [image_id], 'projects': [member]})['job_id'])
    resp = owner.request('DELETE', MEMBERS, json_body={'images': [image_id], 'projects': [member, stranger]})
    if reading == 'reject':
        assert error_code(resp) == (400, 'IMG.0027') and [m['member_id'] for m in huawei.members(image_id)] == [member]
        return
    job = owner.wait_job(resp.json()['job_id'])
    items = [(r['project_id'], r['status']) for r in job['entities']['results']]
    if reading == 'success':
        assert job['status'] == 'SUCCESS' and items == [(member, 'success'), (stranger, 'success')]
    else:
        assert job['status'] == 'FAIL' and items == [(member, 'success'), (stranger, 'failed')]
        assert job['error_code'] == 'IMG.0027' and stranger in job['fail_reason']
    assert huawei.members(image_id) == []


@pytest.mark.parametrize('case, code', [('bad project', 'IMG.0001'), ('not mine', 'IMG.0027'), ('no projects', 'IMG.0001')])
def test_a_removal_is_checked_like_an_addition_before_any_job(huawei, case, code):
    mine = huawei.seed_images(count=1)[0]
    theirs = huawei.seed_images(tenant='recipient', count=1)[0]
    body = {'bad project': {'images': [mine], 'projects': ['nope']},
            'not mine': {'images': [theirs], 'projects': ['a' * 32]},
            'no projects': {'images': [mine], 'projects': []}}[case]
    assert error_code(huawei.client().request('DELETE', MEMBERS, json_body=body)) == (400, code)
    assert huawei.jobs() == []


def test_with_a_lag_the_job_stays_init_and_its_image_unlisted_until_the_lag_is_over(huawei):
    huawei.set_switches(image_lag=1.5)
    server = [s for s in huawei.state()['servers'] if s['project'] == huawei.owner.projects[REGION]][0]
    client = huawei.client()
    started = time.monotonic()
    job_id = client.ok('POST', '/v2/cloudimages/action', json_body={'name': 'slow', 'instance_id': server['id']})['job_id']
    time.sleep(1.0)
    assert client.ok('GET', f'/v1/{client.project_id}/jobs/{job_id}')['status'] == 'INIT'
    assert client.ok('GET', '/v2/cloudimages', params={'name': 'slow'})['images'] == []
    assert client.wait_job(job_id)['status'] == 'SUCCESS' and time.monotonic() - started >= 1.5
    assert [i['name'] for i in client.ok('GET', '/v2/cloudimages', params={'name': 'slow'})['images']] == ['slow']


@pytest.mark.parametrize('reading', ['two', 'one'])
def test_a_key_value_tag_of_the_key_of_a_string_tag_given_at_creation(huawei, reading):
    huawei.set_switches(same_key_tags=reading)
    client = huawei.client(token=huawei.login('owner'))
    image_id = client.ok('POST', '/v2/images', expect=201, json_body={'name': 'tagged', 'tags': ['src=pending', 'team=ops']})['id']
    base = f'/v2/{client.project_id}/images/{image_id}/tags'
    assert client.request('POST', base + '/action', json_body={'action': 'create', 'tags': [{'key': 'src', 'value': 'md5'}]}).status_code == 204
    kept = ['src=pending'] if reading == 'two' else []
    assert one_image(client, image_id)['tags'] == kept + ['team=ops', 'src=md5']
    assert client.ok('GET', base)['tags'] == [{'key': 'src', 'value': 'md5'}]


@pytest.mark.parametrize('changes', [{'same_key_tags': 'both'}, {'job_reason_in': 'nowhere'}, {'member_partial_status': 'success'},
                                     {'remove_non_member': 'ignore'}, {'next_marker': 'yes'}, {'image_lag': -1}])
def test_a_switch_takes_only_its_readings(huawei, changes):
    name = next(iter(changes))
    with pytest.raises(Exception, match=f'switch {name} must be '):
        huawei.set_switches(**changes)


def test_start_switches_are_parsed_and_kept_by_a_reset():
    start = dict(parse_args(['--switch', 'next_marker=false', '--switch', 'image_lag=5', '--switch', 'job_reason_in=top']).switches)
    assert start == {'next_marker': False, 'image_lag': 5, 'job_reason_in': 'top'}
    switches = Switches(SWITCHES, start)
    switches.set({'next_marker': True, 'image_lag': 0, 'job_reason_in': 'both'})
    switches.reset()
    assert (switches['next_marker'], switches['image_lag'], switches['job_reason_in'], switches['quota']) == (False, 5, 'top', 100)
    with pytest.raises(ValueError):
        Switches(SWITCHES, {'remove_non_member': 'maybe'})
    with pytest.raises(SystemExit):
        parse_args(['--switch', 'remove_non_member=maybe'])

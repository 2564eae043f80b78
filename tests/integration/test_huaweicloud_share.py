# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ims_image_share with ``provider: huaweicloud`` through the Huawei emulator: the owner's members (read back on
every run, so drift made outside the task is corrected), the recipient's accept and reject."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import

# A third project of the recipient's account, which the emulator does not know as a tenant but accepts as a member id.
STRANGER = 'c0f00000000000000000000000000009'


def shared_image(hw, name='shared-src'):  # pylint: disable=redefined-outer-name
    return hw.seed(1, prefix=name + '-')[0]


def member_ids(hw, image_id):  # pylint: disable=redefined-outer-name
    return sorted(m['member_id'] for m in hw.stack.members(image_id))


def out_of_band(hw, method, image_id, projects):  # pylint: disable=redefined-outer-name
    client = hw.stack.client('owner')
    job = client.ok(method, '/v1/cloudimages/members', json_body={'images': [image_id], 'projects': projects})
    assert client.wait_job(job['job_id'])['status'] == 'SUCCESS'


def test_owner_shares_check_mode_then_for_real_then_unchanged(hw):  # noqa: F811
    image_id = shared_image(hw)
    recipient = hw.project('recipient')
    planned = hw.module('ims_image_share', dict(image=image_id, projects=[recipient]), check=True, diff=True)
    assert planned.changed and planned['added'] == [recipient] and hw.writes() == [], planned
    assert planned['diff']['after']['projects'] == [recipient]

    shared = hw.module('ims_image_share', dict(image=image_id, projects=[recipient, recipient]))
    assert shared.changed and [s['member_id'] for s in shared['shares']] == [recipient], shared
    assert shared['shares'][0]['status'] == 'pending'
    assert member_ids(hw, image_id) == [recipient]
    assert [w['path'] for w in hw.writes()] == ['/v1/cloudimages/members']

    hw.stack.clear_requests()
    again = hw.module('ims_image_share', dict(image=image_id, projects=[recipient]))
    assert not again.changed and hw.writes() == [], again


def test_members_changed_outside_the_task_are_read_back_and_corrected(hw):  # noqa: F811
    image_id = shared_image(hw)
    recipient = hw.project('recipient')
    hw.module('ims_image_share', dict(image=image_id, projects=[recipient]))
    out_of_band(hw, 'DELETE', image_id, [recipient])          # drift: someone removed the member
    out_of_band(hw, 'POST', image_id, [STRANGER])             # and added another

    restored = hw.module('ims_image_share', dict(image=image_id, projects=[recipient], purge=True), diff=True)
    assert restored.changed and restored['added'] == [recipient] and restored['removed'] == [STRANGER], restored
    assert restored['diff']['before']['projects'] == [STRANGER]
    assert member_ids(hw, image_id) == [recipient]


def test_state_absent_removes_only_the_listed_projects(hw):  # noqa: F811
    image_id = shared_image(hw)
    recipient = hw.project('recipient')
    hw.module('ims_image_share', dict(image=image_id, projects=[recipient, STRANGER]))
    removed = hw.module('ims_image_share', dict(image=image_id, projects=[STRANGER], state='absent'))
    assert removed.changed and removed['removed'] == [STRANGER], removed
    assert member_ids(hw, image_id) == [recipient]
    everything = hw.module('ims_image_share', dict(image=image_id, projects=[], purge=True))
    assert everything.changed and member_ids(hw, image_id) == []


def test_the_recipient_accepts_then_rejects_and_sees_the_image_by_member_status(hw):  # noqa: F811
    image_id = shared_image(hw, 'gift')
    hw.module('ims_image_share', dict(image=image_id, projects=[hw.project('recipient')]))

    pending = hw.module('ims_image_info', dict(scope='shared', member_status='pending'), tenant='recipient')
    assert [(i['image_id'], i['member_status']) for i in pending['images']] == [(image_id, 'pending')], pending
    assert hw.module('ims_image_info', dict(scope='shared'), tenant='recipient')['images'] == []

    hw.stack.clear_requests()
    planned = hw.module('ims_image_share', dict(image='gift-00000', member_status='accepted'), tenant='recipient',
                        check=True, diff=True)
    assert planned.changed and planned['member']['status'] == 'accepted' and hw.writes() == [], planned
    accepted = hw.module('ims_image_share', dict(image='gift-00000', member_status='accepted'), tenant='recipient')
    assert accepted.changed and accepted['member']['status'] == 'accepted', accepted
    listed = hw.module('ims_image_info', dict(scope='shared'), tenant='recipient')
    assert [i['image_id'] for i in listed['images']] == [image_id]
    assert [(w['method'], w['path']) for w in hw.writes()] == [('PUT', '/v1/cloudimages/members')]

    hw.stack.clear_requests()
    again = hw.module('ims_image_share', dict(image=image_id, member_status='accepted'), tenant='recipient')
    assert not again.changed and hw.writes() == [], again

    rejected = hw.module('ims_image_share', dict(image=image_id, member_status='rejected'), tenant='recipient')
    assert rejected.changed and rejected['member']['status'] == 'rejected', rejected
    assert [m['status'] for m in hw.stack.members(image_id)] == ['rejected']


def test_password_login_shares_too(hw):  # noqa: F811
    image_id = shared_image(hw)
    shared = hw.module('ims_image_share', dict(image=image_id, projects=[hw.project('recipient')]), auth='password')
    assert shared.changed and member_ids(hw, image_id) == [hw.project('recipient')], shared

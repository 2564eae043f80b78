# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ImageService.claim_name: the one rule of which images of a name a task may reuse, must refuse, may create beside."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._service import ImageService, NameClaim

from .test_service import FakeBackend, img


class WritingBackend(FakeBackend):
    """FakeBackend that records the writes create_once() and update_image() send."""

    def __init__(self, private=()):
        super(WritingBackend, self).__init__(private=private)
        self.writes = []

    def update_image(self, image, changes):
        self.writes.append(('PUT', image['image_id'], changes.get('name', image['name'])))
        return dict(image, **changes)


def create(backend):
    def send():
        backend.writes.append(('POST',))
        return img('img-new', 'web', status='queued')
    return send


def test_a_free_name_is_claimed_with_every_image_of_that_name_known():
    backend = WritingBackend(private=[img('img-1', 'web', status='deleted'), img('img-2', 'web-2')])
    claim = ImageService(backend).claim_name('web')
    assert claim.reuse is None and claim.discard == [] and claim.known_ids == []
    assert ImageService(backend).create_once(create(backend), claim)['image_id'] == 'img-new'


def test_a_taken_name_is_refused_naming_the_image_and_nothing_is_written():
    backend = WritingBackend(private=[img('img-1', 'web', status='killed', checksum='')])
    with pytest.raises(ImsValidationError) as err:
        ImageService(backend).claim_name('web')
    assert 'img-1 (killed)' in err.value.message and "'web'" in err.value.message
    assert backend.writes == []


def test_reuse_discard_and_in_the_way_are_decided_once_for_every_image():
    images = [img('img-new', 'web', checksum='aa'), img('img-old', 'web', checksum='bb'),
              img('img-dead', 'web', status='killed'), img('img-gone', 'web', status='deleted')]
    svc = ImageService(WritingBackend(private=images))

    def same(found):
        return next((i for i in found if i.get('checksum') == 'aa'), None)
    claim = svc.claim_name('web', reuse=same, discard=lambda i: i['status'] == 'killed' or i.get('checksum') == 'bb')
    assert claim.reuse['image_id'] == 'img-new'
    assert [i['image_id'] for i in claim.discard] == ['img-old', 'img-dead']
    assert sorted(claim.known_ids) == ['img-dead', 'img-new', 'img-old']
    with pytest.raises(ImsValidationError) as err:
        svc.claim_name('web', reuse=same, discard=lambda i: i['status'] == 'killed', refusal=lambda found: 'no: %s' % [
            i['image_id'] for i in found])
    assert err.value.message == "no: ['img-old']"


def test_create_once_needs_a_claim_that_creates():
    backend = WritingBackend()
    svc = ImageService(backend)
    for bad in ('web', NameClaim('web', reuse=img('img-1', 'web')), NameClaim('web', own_id='img-1')):
        with pytest.raises(ValueError):
            svc.create_once(create(backend), bad)
    assert backend.writes == []


def test_a_rename_into_a_taken_name_is_refused_before_the_put():
    image_a, image_b = img('img-a', 'a'), img('img-b', 'b')
    backend = WritingBackend(private=[image_a, image_b])
    with pytest.raises(ImsValidationError) as err:
        ImageService(backend).update_image(image_a, dict(name='b'))
    assert 'rename image img-a' in err.value.message and 'img-b (active)' in err.value.message
    assert backend.writes == []
    ImageService(backend).update_image(image_a, dict(name='a'))       # no rename: no claim needed
    ImageService(backend).update_image(image_a, dict(name='c'))
    claim = ImageService(backend).claim_name('d', own_id='img-a')
    calls = len(backend.calls)
    ImageService(backend).update_image(image_a, dict(name='d'), claim)  # the caller's claim: no second look-up
    assert len(backend.calls) == calls
    assert backend.writes == [('PUT', 'img-a', 'a'), ('PUT', 'img-a', 'c'), ('PUT', 'img-a', 'd')]

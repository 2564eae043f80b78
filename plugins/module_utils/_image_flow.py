# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ImageLifecycle: what the providers' ims_image flows share.

A provider's flow (``Backend.image_lifecycle``) subclasses it with its own checks, create and
update; this class finds the image, goes to the state the task asks for, and holds the steps
two or more providers take the same way.  It sees the task through a ``_module.Task`` only.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils import _deprecation
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._flow import Flow
from ansible_collections.cecloud.ims.plugins.module_utils._service import ACTIVE, DELETED, KILLED, QUEUED, SAVING

_URL_SCHEMES = ('http://', 'https://')


def url_problem(url):
    """What is wrong with ``url`` as the address a service fetches an image from, or None."""
    if not isinstance(url, str) or not url.lower().startswith(_URL_SCHEMES) or len(url.split('://', 1)[1]) == 0 \
            or any(c.isspace() for c in url):
        return 'must be an http:// or https:// URL'
    return None


def patched_view(image, after):
    """The image with a patch's ``after`` values applied (a None property is removed), as the service would return it."""
    image = dict(image)
    for field, value in after.items():
        if value is None:
            image.pop(field, None)
        else:
            image[field] = value
    return _deprecation.with_deprecation(image)


def before_after(changes):
    """(before, after) of ``changes`` ({key: (current, wanted)}): the diff's two sides."""
    return dict((k, c[0]) for k, c in changes.items()), wanted(changes)


def wanted(changes):
    """{key: wanted} of ``changes`` ({key: (current, wanted)}): what ``backend.update_image`` takes."""
    return dict((k, c[1]) for k, c in changes.items())


class ImageLifecycle(Flow):
    """One ims_image task on one provider: checks, then the image present (created or updated) or absent."""

    # The task's deprecation options (``_deprecation.DeprecationRequest``), checked with the others before any request.
    deprecation = None

    def run(self):
        self.validate()
        self.deprecation = _deprecation.DeprecationRequest(self.params, self.backend)
        self.reach_state(self.find())

    def validate(self):
        """Refuse, before any request, what the task asks wrongly."""
        raise NotImplementedError

    def find(self):
        """The image the task names (by id, else by name), as the service returns it; None when there is none."""
        p = self.params
        image = self.service.find_image(image_id=p['id'], name=None if p['id'] else p['name'], with_hidden=True)
        if image is not None:
            image.pop('scope', None)    # the image as the service returns it, the same on every run
        return image

    def reach_state(self, image):
        if self.params['state'] == 'absent':
            return self.absent(image)
        if image is None:
            if self.deprecation.marks:
                raise ImsValidationError('deprecated and hidden apply to an existing image, and there is no image %r. '
                                         'Create it first, then deprecate or hide it.' % (self.params['id'] or self.params['name']))
            return self.create()
        return self.update(image)

    def create(self):
        raise NotImplementedError

    def update(self, image):
        raise NotImplementedError

    # -- steps the providers share ---------------------------------------------

    def _check_id_and_import_url(self):
        p = self.params
        if p['id'] is not None and not p['id'].strip():
            raise ImsValidationError('id must not be empty.')
        if p['import_url'] is not None and url_problem(p['import_url']):
            raise ImsValidationError('import_url %s; got %r.' % (url_problem(p['import_url']), p['import_url']))

    def _refuse_create_by_id(self, owner='private image'):
        if self.params['id']:
            raise ImsValidationError('No %s has id %s. An image cannot be created with a given id: omit id and set name '
                                     'to create one.' % (owner, self.params['id']))

    def _send_create(self, claim, send):
        """The image ``send()`` creates under ``claim``, noted at once: a later failure still reports it."""
        image = self.service.create_once(send, claim)
        self.task.record_change(image=image)
        return image

    def _created(self, image):
        self.task.set_diff({}, image)
        self.task.exit_json(changed=True, image=image)

    def _wait_active(self, image):
        if not self.params['wait']:
            return image
        return self.service.wait_for_status(image['image_id'], timeout=self.params['wait_timeout'])

    def _claim_rename(self, image, changes):
        """A rename must not give the image a name another image carries: refused here, in check mode too."""
        if 'name' in changes:
            return self.service.claim_name(changes['name'][1], own_id=image['image_id'])     # one image per name
        return None

    def _deprecation_changes(self, image):
        """{field: (current, wanted)} of the task's deprecation options on ``image``, which the provider's update
        sends with its other changes; ``replaced_by`` is looked up (and refused when no image has it) before any write."""
        request = self.deprecation
        if not request.asked:
            return {}
        replacement = None
        if request.replaced_by is not None:
            replacement = _deprecation.resolve_replacement(self.service, request.replaced_by, image)
        return request.changes(image, replacement, self.backend.hide_field)

    def _send_changes(self, image, changes):
        """``image`` as the backend's update of ``changes`` ({key: (current, wanted)}) leaves it, noted at once."""
        image = _deprecation.with_deprecation(self.backend.update_image(image, wanted(changes)))
        self.task.record_change(image=image)
        return image

    def absent(self, image):
        """Delete the image (its shares first, with force), and with wait until the service no longer lists it."""
        p = self.params
        if image is None:
            self.task.exit_json(changed=False, image={})
        users = [s.get('user_id') for s in self.service.list_shares(image['image_id'])]
        if users and not p['force']:
            shown = ', '.join(users[:10]) + (', ...' if len(users) > 10 else '')
            raise ImsValidationError('Image %s (%s) is shared with %d user(s) (%s), and the service does not delete a shared '
                                     'image. Remove the shares first (cecloud.ims.ims_image_share), or set force: true to '
                                     'remove them and delete the image.' % (image.get('name'), image['image_id'], len(users), shown))
        self.task.set_diff(image, {})
        result = dict(changed=True, image=image)
        if users:
            result['unshared'] = users
        if self.check_mode:
            self.task.exit_json(**result)
        if image.get('status') == SAVING and p['wait']:
            self.service.wait_for_status(image['image_id'], statuses=(ACTIVE, KILLED, QUEUED), fail_statuses=(),
                                         timeout=p['wait_timeout'])
        if users:
            self.service.apply_shares(image['image_id'], remove=users)
            self.task.record_change(image=image, unshared=users)
        self.service.delete_once(image['image_id'])
        self.task.record_change(image=image)
        if p['wait']:
            self.service.wait_until_gone(image['image_id'], timeout=p['wait_timeout'], gone_statuses=(DELETED,))
        self.task.exit_json(**result)

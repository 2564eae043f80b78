# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Deprecation as a state of an image, kept on the image itself under one convention (docs/image-conventions.md).

Reading: ``deprecation_of(image)`` gives the neutral fields every image record carries (``with_deprecation``).
Writing: ``planned_changes(image, request)`` gives the changes ``backend.update_image`` makes; a provider declares
on ``_backend.Backend`` whether it keeps the state (``keeps_deprecation``) and which field hides an image
(``hide_field``), so nothing here knows a provider.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError

# The image properties of the convention (lower case: Huawei IMS takes custom attributes in lower case only).
DEPRECATED_AT_KEY = 'ims_deprecated_at'
REPLACED_BY_KEY = 'ims_replaced_by'
# The neutral fields images gain; a free property of the same name is shadowed in the records the collection returns.
NEUTRAL_FIELDS = ('deprecated', 'deprecated_at', 'replaced_by', 'hidden')
# The image field by which Glance hides an image from ordinary listings (Glance API v2.7, os_hidden).
HIDDEN_FIELD = 'os_hidden'
# What a task sets through the options only, never as free properties.
CONVENTION_KEYS = (DEPRECATED_AT_KEY, REPLACED_BY_KEY) + NEUTRAL_FIELDS
TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
OPTIONS = ('deprecated', 'deprecated_at', 'replaced_by', 'hidden')


def _true(value):
    return value is True or str(value).lower() == 'true'


def deprecation_of(image):
    """{deprecated, deprecated_at, replaced_by, hidden} of an image record, from the convention's keys."""
    deprecated_at = image.get(DEPRECATED_AT_KEY) or None
    return dict(deprecated=deprecated_at is not None, deprecated_at=deprecated_at,
                replaced_by=image.get(REPLACED_BY_KEY) or None, hidden=_true(image.get(HIDDEN_FIELD)))


def with_deprecation(image):
    """``image`` with the neutral fields of ``deprecation_of`` (the same dict, for a listing's items)."""
    if isinstance(image, dict):
        image.update(deprecation_of(image))
    return image


def utc_text(value, now=None):
    """``value`` (a date ``YYYY-MM-DD``, or an ISO 8601 date and time) as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC.

    A time without an offset is UTC; None is ``now`` (a datetime, default the current time).  Refuses anything else.
    """
    if value is None:
        return (now or datetime.datetime.now(datetime.timezone.utc)).strftime(TIME_FORMAT)
    text = str(value).strip()
    try:
        if _DATE.match(text):
            moment = datetime.datetime.strptime(text, '%Y-%m-%d')
        else:
            moment = datetime.datetime.fromisoformat(text[:-1] + '+00:00' if text[-1:] in ('Z', 'z') else text)
    except ValueError:
        raise ImsValidationError('deprecated_at must be an ISO 8601 date (2026-12-01) or date and time '
                                 '(2026-12-01T10:00:00Z); got %r.' % (value,)) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.strftime(TIME_FORMAT)


class DeprecationRequest:
    """What a task's ``deprecated``, ``deprecated_at``, ``replaced_by`` and ``hidden`` ask, checked before any request."""

    def __init__(self, params, backend):
        self.deprecated = params.get('deprecated')
        self.hidden = params.get('hidden')
        self.replaced_by = params.get('replaced_by')
        self.deprecated_at = None
        if self.deprecated is not True and (params.get('deprecated_at') is not None or self.replaced_by is not None):
            raise ImsValidationError('deprecated_at and replaced_by describe a deprecation: set deprecated: true with them.')
        if self.replaced_by is not None and not self.replaced_by.strip():
            raise ImsValidationError('replaced_by must not be empty: give the id or name of the image that replaces this one.')
        if params.get('deprecated_at') is not None:
            self.deprecated_at = utc_text(params['deprecated_at'])
        if self.deprecated and not backend.keeps_deprecation:
            raise backend.unsupported('mark an image deprecated', 'its update request has no field that can hold the '
                                      'state (docs/api-notes.md); delete the image when it is no longer wanted')
        if self.hidden and not backend.hide_field:
            raise backend.unsupported('hide an image from ordinary listings', 'leave hidden out (deprecated: true marks '
                                      'the image, and ims_image_info leaves deprecated images out)'
                                      if backend.keeps_deprecation else 'leave hidden out')

    @property
    def asked(self):
        return self.deprecated is not None or self.hidden is not None

    @property
    def marks(self):
        """Whether the task sets the state to something an image may lack (so a new image would need it)."""
        return bool(self.deprecated or self.hidden)

    def changes(self, image, replacement_id, hide_field):
        """{field: (current, wanted)} that bring ``image`` to the requested state; ``replacement_id``: the id
        ``replaced_by`` resolved to.  None removes a property (the image is undeprecated)."""
        changes = {}
        current = deprecation_of(image)
        if self.deprecated is True:
            at = self.deprecated_at or current['deprecated_at'] or utc_text(None)
            if at != current['deprecated_at']:
                changes[DEPRECATED_AT_KEY] = (current['deprecated_at'], at)
            if replacement_id is not None and replacement_id != current['replaced_by']:
                changes[REPLACED_BY_KEY] = (current['replaced_by'], replacement_id)
        elif self.deprecated is False:
            for key in (DEPRECATED_AT_KEY, REPLACED_BY_KEY):
                if image.get(key) is not None:
                    changes[key] = (image[key], None)
        if self.hidden is not None and hide_field and self.hidden != current['hidden']:
            changes[hide_field] = (image.get(hide_field, False), self.hidden)
        return changes


def resolve_replacement(service, ref, image):
    """The id of the image ``replaced_by`` names (an id of any image the caller sees, else the name of one of its
    own); refused, before any write, when there is none or it is ``image`` itself."""
    found = None
    if service.backend.is_image_id(ref):
        found = service.get_image(ref)
    if found is None:
        found = service.find_image(name=ref, with_hidden=True)
    if found is None:
        raise ImsValidationError('replaced_by %r names no image: no image has that id and no image of the caller has that '
                                 'name. Create the replacement first.' % ref)
    if found.get('image_id') == image.get('image_id'):
        raise ImsValidationError('replaced_by %r is image %s itself; name the image that replaces it.' % (ref, found['image_id']))
    return found['image_id']

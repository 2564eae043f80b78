# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Finding images: the one query ims_image_info and the ``cecloud.ims.image`` lookup run.

``ImageQuery(params)`` checks the options before any request (a regex that does not compile, an unknown sort key,
tags that are no key/value dict...); ``ImageQuery.run(service)`` narrows each scope's listing on the server where the
backend's API can (name, server-side filters, one tag, the order: ``Backend.listing_sorts``), matches the rest on
the images it reads (regex, tags, deprecation), orders them and cuts them to the limit.  A listing the server serves
in the order asked is read only as far as needed (its first page is checked to be in that order; one that is not
is read whole and sorted here), so the newest image of one scope by an exact name or a server-side filter costs one
request.  docs/api-notes.md, "Finding images", says how each provider's listing is read.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
from datetime import datetime, timezone

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._module import FILTERS_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._service import SCOPE_ALL

SORT_KEYS = ('created_at', 'updated_at', 'name', 'size')
SORT_ORDERS = ('asc', 'desc')
SCOPES = ['all', 'private', 'shared', 'public', 'community', 'market']
# The filters keys that name an option (image_id is also the alias of id).
FILTER_OPTIONS = dict(id='id', image_id='id', name='name', member_status='member_status')
# The neutral fields that take an image out of default look-ups (h-deprecate's convention, docs/image-conventions.md).
DEPRECATION_FIELDS = ('deprecated', 'hidden')

# The options of a query, shared by ims_image_info and the lookup (doc fragment ``cecloud.ims.ims.image_query``).
QUERY_ARGUMENT_SPEC = dict(
    FILTERS_ARGUMENT_SPEC,
    scope=dict(type='str', default='all', choices=SCOPES),
    id=dict(type='str', aliases=['image_id']),
    name=dict(type='str'),
    name_contains=dict(type='str'),
    name_regex=dict(type='str'),
    tags=dict(type='dict'),
    sort_by=dict(type='str', choices=list(SORT_KEYS)),
    sort_order=dict(type='str', default='desc', choices=list(SORT_ORDERS)),
    most_recent=dict(type='bool', default=False),
    include_deprecated=dict(type='bool', default=False),
    limit=dict(type='int'),
    member_status=dict(type='str', choices=['accepted', 'pending', 'rejected', 'all']),
)
QUERY_MUTUALLY_EXCLUSIVE = [('id', 'name')]


def _time(value):
    """An ISO 8601 time as an aware datetime (naive ones are UTC; Huawei's ``yyyy-MM-dd HH:mm:ss`` too), else None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace(' ', 'T', 1)
    if text.endswith(('Z', 'z')):
        text = text[:-1] + '+00:00'
    # Fractions of any length (CECloud answers milliseconds, Glance none) to microseconds.
    text = re.sub(r'\.(\d+)', lambda m: '.' + (m.group(1) + '000000')[:6], text, count=1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def sort_value(image, key):
    """The value ``image`` is ordered by under ``key``, comparable between images; None when it has none."""
    value = image.get(key)
    if key in ('created_at', 'updated_at'):
        return _time(value)
    if key == 'size':
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    return value if isinstance(value, str) else None


def image_tags(image):
    """The key/value tags an image's record lists: {key: value}; a tag without a value maps to None.

    Glance and Huawei IMS list tags as strings (``key=value``, or a bare ``key``: Glance's plain tags); CECloud as
    objects (``image_tags``: ``{key, value}``, or ``{key: value}``).
    """
    found = {}
    for field in ('tags', 'image_tags'):
        for tag in image.get(field) or []:
            if isinstance(tag, str):
                key, sep, value = tag.partition('=')
                found.setdefault(key, value if sep else None)
            elif isinstance(tag, dict) and 'key' in tag:
                found.setdefault(str(tag['key']), None if tag.get('value') is None else str(tag['value']))
            elif isinstance(tag, dict):
                for key, value in tag.items():
                    found.setdefault(str(key), None if value is None else str(value))
    return found


def has_tags(image, wanted):
    """Whether ``image`` carries every tag of ``wanted`` ({key: value}; a null value: the key with any value)."""
    have = image_tags(image)
    for key, value in wanted.items():
        if key not in have:
            return False
        if value is not None and have[key] != str(value) and not (have[key] is None and str(value) == ''):
            return False
    return True


def is_deprecated(image):
    """Whether the image's neutral ``deprecated`` or ``hidden`` field says it is left out of default look-ups."""
    return any(image.get(field) is True or str(image.get(field)).lower() == 'true' for field in DEPRECATION_FIELDS)


class ImageQuery:
    """One look-up of images, checked when made; ``run(service)`` answers it."""

    def __init__(self, params):
        p = params
        self.scope = p.get('scope') or SCOPE_ALL
        self.image_id = p.get('id')
        self.name = p.get('name')
        self.name_contains = p.get('name_contains')
        self.filters = dict(p.get('filters') or {})
        self.include_deprecated = bool(p.get('include_deprecated'))
        self.limit = p.get('limit')
        if self.limit is not None and (isinstance(self.limit, bool) or self.limit < 1):
            raise ImsValidationError('limit must be 1 or more; got %s.' % p['limit'])
        self.regex = None
        if p.get('name_regex') is not None:
            try:
                self.regex = re.compile(p['name_regex'])
            except (re.error, TypeError) as exc:
                raise ImsValidationError('name_regex %r is no valid regular expression (Python re syntax): %s.' % (
                    p['name_regex'], exc))
        self.tags = p.get('tags') or {}
        if not isinstance(self.tags, dict) or any(not isinstance(k, str) or not k or '=' in k for k in self.tags) \
                or any(isinstance(v, (dict, list)) for v in self.tags.values()):
            raise ImsValidationError('tags must be a dict of tag keys (text without "=") to values (text, or null for '
                                     'any value); got %r.' % (p.get('tags'),))
        self.sort_by = p.get('sort_by')
        self.sort_order = p.get('sort_order') or 'desc'
        if self.sort_by is not None and self.sort_by not in SORT_KEYS:
            raise ImsValidationError('sort_by must be one of %s; got %r.' % (', '.join(SORT_KEYS), self.sort_by))
        if self.sort_order not in SORT_ORDERS:
            raise ImsValidationError('sort_order must be asc or desc; got %r.' % (self.sort_order,))
        if p.get('most_recent'):
            # The first image of the order: the newest by creation unless sort_by asks another order.
            self.sort_by = self.sort_by or 'created_at'
            self.limit = 1

    @property
    def order(self):
        """(key, order) the images are returned in; None: the listings' own order."""
        return (self.sort_by, self.sort_order) if self.sort_by else None

    def server_filters(self, backend):
        """The ``filters`` sent with each listing: the task's, and one of its tags where the API narrows by a tag."""
        filters = dict(self.filters)
        if backend.server_tag_filter and 'tag' not in filters:
            for key, value in sorted(self.tags.items()):
                if value is not None and str(value) != '':
                    filters['tag'] = '%s=%s' % (key, value)
                    break
        return filters

    def matches(self, image):
        """The checks no listing makes: the name regex, the tags, the deprecation fields."""
        if self.regex is not None and not self.regex.search(image.get('name') or ''):
            return False
        if self.tags and not has_tags(image, self.tags):
            return False
        return self.include_deprecated or not is_deprecated(image)

    def run(self, service, seen_fields=None):
        """The images found, in ``order`` (else the listings' order: scope by scope), at most ``limit``."""
        found = []
        seen = set()
        # include_deprecated also lists what the API hides from ordinary listings (Glance's os_hidden).
        listings = service.listings(self.server_filters(service.backend), self.image_id, self.include_deprecated)
        for scope, filters in ((s, f) for s in service.scopes_of(self.scope) for f in listings):
            found.extend(self._scope(service, scope, filters, seen, seen_fields, self.limit and self.limit - len(found)))
            if self.order is None and self.limit and len(found) >= self.limit:
                break
        if self.order is not None:
            found = ordered(found, *self.order)
        return found[:self.limit] if self.limit else found

    def _scope(self, service, scope, filters, seen, seen_fields, wanted):
        """The matching images of one scope not in ``seen`` (ids of earlier scopes'): all of them, or the first
        ``wanted`` where fewer pages tell them: in the listing's own order when none is asked, else in ``order``
        when the server serves it and the part of the listing read shows it does."""
        backend = service.backend
        served = self.order is not None and self.order in backend.listing_sorts.get(scope, ())
        # A listing asked in an order is read in full pages, so that its first page shows whether the order holds.
        images = service.scope_images(scope, self.image_id, self.name, self.name_contains, filters,
                                      remaining=wanted if self.order is None else None, seen_fields=seen_fields,
                                      sort=self.order if served else None)
        checker = _OrderCheck(*self.order) if served else None
        found = []
        read = 0
        for image in images:
            read += 1
            if checker is not None:
                checker.see(image)
            if image.get('image_id') not in seen and self.matches(image):
                seen.add(image.get('image_id'))
                found.append(image)
            if wanted and len(found) >= wanted and (
                    self.order is None
                    # The first page was read whole (it cost its request anyway) and came in order.
                    or (checker is not None and checker.holds and read >= backend.max_page_size)):
                break
        return found


class _OrderCheck:
    """Whether the images of a listing come in (key, order), as far as they were read."""

    def __init__(self, key, order):
        self.key = key
        self.order = order
        self.holds = True
        self._last = None

    def see(self, image):
        value = sort_value(image, self.key)
        if value is None:
            return
        if self._last is not None and _before(value, self._last, self.order):
            self.holds = False
        self._last = value


def _before(value, previous, order):
    """Whether ``value`` belongs before ``previous`` in ``order`` (so a listing that yields it after is not in order)."""
    return value > previous if order == 'desc' else value < previous


def ordered(images, key, order):
    """``images`` sorted by ``key`` in ``order``; images without a value of ``key`` come last either way."""
    with_value = [i for i in images if sort_value(i, key) is not None]
    without = [i for i in images if sort_value(i, key) is None]
    return sorted(with_value, key=lambda i: sort_value(i, key), reverse=(order == 'desc')) + without


def find_images(module, query=None):
    """ims_image_info's and the lookup's run: the checks before any request, then the query.

    ``module`` is an ``_module.ImsModule`` (its params, backend, service, ``require``, ``warn``...).
    """
    p = module.params
    query = query or ImageQuery(p)
    scopes = module.backend.scopes
    module.require(p['scope'] == 'all' or p['scope'] in scopes, 'list the scope %s' % p['scope'],
                   'use scope all or one of %s' % ', '.join(scopes))
    module.check_filters_against_options(FILTER_OPTIONS, forward=('member_status',))
    module.service.member_status = p['member_status']
    listed_fields = set()
    images = query.run(module.service, seen_fields=listed_fields)
    module.warn_about_unknown_filter_keys(p['filters'], listed_fields, 'image', module.backend.server_filters)
    return images

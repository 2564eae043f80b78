# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Families, pins and the retention decision: pure functions over images as ims_image_info returns them.

The roles decide here, on the controller, which images of a family or a name pattern are kept,
deprecated or deleted, and which older images of a family a new publication deprecates; the modules
then do it.  Nothing here sends a request, so the decision is the same on every provider and is
unit-tested on its own.

The keys (docs/image-conventions.md): an image belongs to the family ``ims_family=<name>`` and is
pinned by ``ims_pinned=true``, read from its tags (key/value pairs, or text tags ``key=value`` where a
provider's tags are plain strings) or, where a provider keeps free key/value properties on the image
(Glance), from a property of that key.  The deprecation fields (``deprecated``, ``deprecated_at``) are
the neutral ones every provider fills on an image record.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re

FAMILY_KEY = 'ims_family'
PINNED_KEY = 'ims_pinned'

# Actions of a retention plan's rows.
KEEP = 'keep'
SKIP = 'skip'            # held although the rules would remove it: shared, protected, or not active
DEPRECATE = 'deprecate'
DELETE = 'delete'

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class RetentionError(ValueError):
    """A bad input of the retention, refused before any request."""


def image_tags(image):
    """{key: value} of an image's key/value tags, whatever form its provider lists them in.

    ``tags`` holds dicts ``{key, value}`` or text ``key=value`` (Huawei IMS lists key/value tags so; a Glance tag
    is plain text); ``image_tags`` (CECloud IMS) holds dicts.  A text tag without ``=`` is not a key/value tag.
    """
    found = {}
    for field in ('tags', 'image_tags'):
        for tag in image.get(field) or []:
            if isinstance(tag, dict) and 'key' in tag:
                found.setdefault(str(tag['key']), '' if tag.get('value') is None else str(tag['value']))
            elif isinstance(tag, str) and '=' in tag:
                key, value = tag.split('=', 1)
                found.setdefault(key, value)
    return found


def image_label(image, key):
    """The value of ``key`` on an image: its tag, else its property of that name (Glance), else None."""
    tags = image_tags(image)
    if key in tags:
        return tags[key]
    value = image.get(key)
    return value if isinstance(value, str) else None


def family_of(image):
    return image_label(image, FAMILY_KEY)


def is_pinned(image):
    return (image_label(image, PINNED_KEY) or '').strip().lower() == 'true'


def parse_time(text, what='time'):
    """An aware UTC datetime of an ISO 8601 text (``Z``, an offset, or none: UTC; fractions; a space for ``T``)."""
    if isinstance(text, datetime.datetime):
        moment = text
    else:
        value = str(text or '').strip()
        if not value:
            raise RetentionError('%s is empty' % what)
        value = value.replace(' ', 'T', 1)
        if value.endswith(('Z', 'z')):
            value = value[:-1] + '+00:00'
        match = re.match(r'^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(.*)$', value)
        if not match:
            try:
                moment = datetime.datetime.strptime(value, '%Y-%m-%d')
            except ValueError:
                raise RetentionError('%s %r is not an ISO 8601 time' % (what, text))
        else:
            # Python before 3.11 takes at most 6 digits of fraction in fromisoformat.
            fraction = (match.group(2) or '')[:7]
            try:
                moment = datetime.datetime.fromisoformat(match.group(1) + fraction + match.group(3))
            except ValueError:
                raise RetentionError('%s %r is not an ISO 8601 time' % (what, text))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def _created(image):
    try:
        return parse_time(image.get('created_at'), 'created_at')
    except RetentionError:
        return _EPOCH          # an image without a creation time counts as the oldest


def _id_key(image):
    """The image's ``id`` (CECloud: a number that grows with each image; elsewhere the image id), comparable."""
    value = image.get('id', image.get('image_id'))
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return (1, int(value), '')
    return (0, 0, str(value or ''))


def newest_first(images):
    """Newest first by ``created_at``, then by ``id`` (images made in one second: Glance has whole seconds)."""
    return sorted(images, key=lambda i: (_created(i), _id_key(i)), reverse=True)


def _non_negative(name, value, allow_none=True):
    if value is None or value == '':
        if allow_none:
            return None
        raise RetentionError('%s must be set' % name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RetentionError('%s must be a number; got %r' % (name, value))
    if number < 0:
        raise RetentionError('%s must be 0 or more; got %s' % (name, value))
    return number


def check_settings(keep, keep_days=None, grace_days=None, pattern=None, family=None):
    """Refuse bad retention settings before any request; the numbers as (keep, keep_days, grace_days)."""
    keep = _non_negative('image_retention_keep', keep, allow_none=False)
    if keep != int(keep):
        raise RetentionError('image_retention_keep must be a whole number; got %s' % keep)
    keep_days = _non_negative('image_retention_keep_days', keep_days)
    grace_days = _non_negative('image_retention_grace_days', grace_days)
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RetentionError('the name pattern %r is not a valid Python regular expression: %s' % (pattern, exc))
    if not pattern and not family:
        raise RetentionError('give a family (image_retention_family), a prefix or a regex: without one every image would match')
    return int(keep), keep_days, grace_days


def selected(images, pattern=None, family=None):
    """The images whose names the pattern is found in (``re.search``) and that belong to the family."""
    regex = re.compile(pattern) if pattern else None
    return [i for i in images
            if (regex is None or regex.search(i.get('name') or ''))
            and (not family or family_of(i) == family)]


def _days(delta):
    return delta.total_seconds() / 86400.0


def _day_text(number):
    return ('%g' % round(number, 2))


def _row(image, action, reason):
    return {'name': image.get('name'), 'image_id': image.get('image_id'), 'created_at': image.get('created_at'),
            'status': image.get('status'), 'deprecated_at': image.get('deprecated_at'), 'action': action,
            'reason': reason}


def plan(images, keep, keep_days=None, grace_days=None, pattern=None, family=None, shared_ids=(), force=False, now=None):
    """What the retention does to each selected image, and why.

    ``images``: the listing (ims_image_info's ``images``); ``keep``: the newest N active images kept;
    ``keep_days``: active images younger than this are kept too; ``grace_days``: None deletes an expired image at
    once (the first version's behaviour); a number deprecates it first and deletes it once it has been deprecated
    for that many days.  ``shared_ids``: images known to be shared (besides those whose visibility is not private);
    ``force``: shared and protected images are removed too.  Pinned images are never touched, nor images that are
    not active.

    Returns ``{'rows': [...], 'kept', 'deprecate', 'delete', 'skipped_shared', 'skipped_protected', 'replaced_by',
    'table'}``: the rows (name, image_id, created_at, status, deprecated_at, action, reason) newest first, each list
    the images (with ``retention_action`` and ``retention_reason``), ``replaced_by`` the id of the newest kept image
    that is not deprecated (what a deprecated image points at) or None, and ``table`` the rows as aligned text lines.
    """
    keep, keep_days, grace_days = check_settings(keep, keep_days, grace_days, pattern, family)
    now = parse_time(now, 'now') if now else datetime.datetime.now(datetime.timezone.utc)
    shared_ids = set(shared_ids or [])
    out = {'rows': [], 'kept': [], 'deprecate': [], 'delete': [], 'skipped_shared': [], 'skipped_protected': []}
    bucket = {KEEP: 'kept', DEPRECATE: 'deprecate', DELETE: 'delete'}
    active_seen = 0
    for image in newest_first(selected(images, pattern, family)):
        if image.get('status') != 'active':
            action, reason = SKIP, 'not active (status %s): left alone' % image.get('status')
        else:
            active_seen += 1
            action, reason = _decide(image, active_seen, keep, keep_days, grace_days, shared_ids, force, now)
        marked = dict(image, retention_action=action, retention_reason=reason)
        out['rows'].append(_row(image, action, reason))
        if action == SKIP and reason.startswith('shared'):
            out['skipped_shared'].append(marked)
        elif action == SKIP and reason.startswith('protected'):
            out['skipped_protected'].append(marked)
        elif action in bucket:
            out[bucket[action]].append(marked)
    current = [i for i in out['kept'] if not i.get('deprecated')]
    out['replaced_by'] = current[0].get('image_id') if current else None
    out['table'] = table(out['rows'])
    return out


def _decide(image, rank, keep, keep_days, grace_days, shared_ids, force, now):
    """(action, reason) for an active image, ``rank`` (1 = newest) among the selected active images."""
    if rank <= keep:
        return KEEP, 'newest %d (number %d)' % (keep, rank)
    age = _days(now - _created(image))
    if keep_days is not None and age < keep_days:
        return KEEP, 'newer than keep_days %s (%s days old)' % (_day_text(keep_days), _day_text(age))
    if is_pinned(image):
        return KEEP, 'pinned (%s: true)' % PINNED_KEY
    if not force and image.get('image_id') in shared_ids:
        return SKIP, 'shared (it has shares): set image_retention_force to remove it'
    if not force and image.get('visibility') not in (None, 'private'):
        return SKIP, 'shared (visibility %s): set image_retention_force to remove it' % image.get('visibility')
    if not force and image.get('protected'):
        return SKIP, 'protected: set image_retention_force to remove it'
    expired = 'older than the newest %d%s' % (keep, '' if keep_days is None else ' and keep_days %s' % _day_text(keep_days))
    if grace_days is None:
        return DELETE, expired
    if not image.get('deprecated'):
        return DEPRECATE, '%s: deprecated now, deleted after grace_days %s' % (expired, _day_text(grace_days))
    try:
        since = parse_time(image.get('deprecated_at'), 'deprecated_at')
    except RetentionError:
        return DEPRECATE, '%s: deprecated without a date, dated now; deleted after grace_days %s' % (
            expired, _day_text(grace_days))
    waited = _days(now - since)
    if waited >= grace_days:
        return DELETE, 'deprecated since %s (%s days >= grace_days %s)' % (
            image.get('deprecated_at'), _day_text(waited), _day_text(grace_days))
    return KEEP, 'deprecated since %s (%s days < grace_days %s): deleted later' % (
        image.get('deprecated_at'), _day_text(max(waited, 0)), _day_text(grace_days))


def table(rows):
    """The rows as aligned text lines, a header first: what happens to each image and why."""
    header = ('NAME', 'IMAGE ID', 'CREATED', 'ACTION', 'REASON')
    cells = [header] + [(str(r['name']), str(r['image_id']), str(r['created_at'] or '-'), r['action'], r['reason'])
                        for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    return ['  '.join([c[i].ljust(widths[i]) for i in range(4)] + [c[4]]).rstrip() for c in cells]


def family_previous(images, family, new_image):
    """The images of ``family`` that a new publication ``new_image`` deprecates, newest first.

    Active, not deprecated, not pinned, not the new image, and not newer than it; without a known creation time
    of the new image (check mode, no image yet) every other one counts.
    """
    if not family:
        return []
    new_image = new_image or {}
    new_id = new_image.get('image_id')
    limit = _created(new_image) if new_image.get('created_at') else None
    return [i for i in newest_first(selected(images, family=family))
            if i.get('status') == 'active' and not i.get('deprecated') and not is_pinned(i)
            and (new_id is None or i.get('image_id') != new_id)
            and (new_id is not None or i.get('name') != new_image.get('name'))
            and (limit is None or _created(i) <= limit)]


def with_tag(tags, key, value, text_tags):
    """``tags`` (a task's tags option) with the key/value tag ``key``=``value`` set, in the form the provider takes:
    text ``key=value`` where its tags are plain strings (``text_tags``), else ``{key, value}``.  A tag of that key
    the task already gives is replaced."""
    kept = []
    for tag in tags or []:
        if isinstance(tag, dict) and tag.get('key') == key:
            continue
        if isinstance(tag, str) and tag.split('=', 1)[0] == key and '=' in tag:
            continue
        kept.append(tag)
    return kept + (['%s=%s' % (key, value)] if text_tags else [{'key': key, 'value': value}])

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""camelCase <-> snake_case for API payloads (``imageId`` <-> ``image_id``, ``minDisk`` <-> ``min_disk``)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

_CAMEL_BOUNDARY = re.compile(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])')


def camel_to_snake(name):
    """``imageId`` -> ``image_id``; ``osVersion`` -> ``os_version``; ``HTTPCode`` -> ``http_code``."""
    return _CAMEL_BOUNDARY.sub('_', name).lower()


def snake_to_camel(name):
    """``image_id`` -> ``imageId``; a name without underscores is returned as it is."""
    head, _sep, tail = name.partition('_')
    if not tail:
        return name
    return head + ''.join(part[:1].upper() + part[1:] for part in tail.split('_'))


def snake_keys(value):
    """Recursively rename the keys of dicts (also inside lists) from camelCase to snake_case."""
    if isinstance(value, dict):
        return dict((camel_to_snake(k) if isinstance(k, str) else k, snake_keys(v)) for k, v in value.items())
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


def camel_keys(value):
    """Recursively rename the keys of dicts (also inside lists) from snake_case to camelCase."""
    if isinstance(value, dict):
        return dict((snake_to_camel(k) if isinstance(k, str) else k, camel_keys(v)) for k, v in value.items())
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The filters of image families and retention: ``retention_plan``, ``family_previous``, ``image_tag``, ``keeps_deprecation``.

The roles image_retention and image_publish decide with them on the controller; the decision itself is the pure
``module_utils/_retention.py``, so it is one piece of code on every provider.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.cecloud.ims.plugins.module_utils import _retention
from ansible_collections.cecloud.ims.plugins.module_utils._providers import PROVIDERS


def retention_plan(images, keep=3, keep_days=None, grace_days=None, pattern=None, family=None, shared_ids=None,
                   force=False, now=None):
    try:
        return _retention.plan(images or [], keep, keep_days=keep_days, grace_days=grace_days, pattern=pattern or None,
                               family=family or None, shared_ids=shared_ids or [], force=bool(force), now=now or None)
    except _retention.RetentionError as exc:
        raise AnsibleFilterError('image_retention: %s.' % exc)


def family_previous(images, family, new_image=None):
    return _retention.family_previous(images or [], family, new_image)


def _backend_of(provider, what):
    if provider not in PROVIDERS:
        raise AnsibleFilterError('%s: unknown provider %s; the providers are %s.' % (what, provider, ', '.join(sorted(PROVIDERS))))
    return PROVIDERS[provider].backend


def image_tag(tags, key, value, provider='cecloud'):
    return _retention.with_tag(tags, key, value, _backend_of(provider, 'image_tag').text_tags)


def keeps_deprecation(provider):
    return bool(_backend_of(provider, 'keeps_deprecation').keeps_deprecation)


class FilterModule:
    def filters(self):
        return dict(retention_plan=retention_plan, family_previous=family_previous, image_tag=image_tag,
                    keeps_deprecation=keeps_deprecation)

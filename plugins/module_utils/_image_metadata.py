# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An image's metadata carried from one provider to another: the neutral form, and what a target makes of it.

The neutral form is a dict of ims_image_upload's metadata options under their neutral names (``_image_spec``):
``description``, ``disk_format``, ``container_format``, ``min_disk`` (GB), ``min_ram`` (MB), ``image_type``,
``os_type`` (linux, windows, other), ``os_version`` (the source's text, as it is), ``platform`` (the choices of
``_image_spec`` where one matches, else the distribution's name in lower case: ``debian``), ``cpu_arch`` (x86,
arm), ``instruction`` (32-bits, 64-bits), ``boot_mode`` (BIOS, UEFI), ``usage``, ``tags`` (a list of
``{key, value}``; a plain tag has the value ``''``) and ``properties`` (free properties, text to text).  It holds
only what the source image has.  Each backend reads its own image records into it (``Backend.image_metadata``) and
turns it into its own ims_image_upload options (``Backend.upload_metadata``); ``carry_over`` adds the task's
overrides.  The table of both directions is docs/replication.md.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# The neutral options, in the order they are read and reported.
NEUTRAL_OPTIONS = ('description', 'disk_format', 'container_format', 'min_disk', 'min_ram', 'image_type', 'os_type',
                   'os_version', 'platform', 'cpu_arch', 'instruction', 'boot_mode', 'usage', 'tags', 'properties')
# Values every provider assumes when an image says nothing: losing one of them loses nothing, so it is not reported.
IMPLIED = dict(container_format='bare', image_type='os_image', usage='ecs')
# The neutral fields ims_image_info adds to an image (the scope it was listed in, its deprecation...): never metadata.
DERIVED_FIELDS = frozenset(('image_id', 'scope', 'member_status', 'share_id', 'deprecated', 'deprecated_at',
                            'replaced_by', 'hidden'))


class CarriedMetadata:
    """What a target makes of a source's metadata.

    ``options``: the target's ims_image_upload metadata options; ``dropped``: what the target cannot hold, a list of
    ``{option, value, reason}`` (``option`` is neutral: ``os_version``, ``properties.hw_machine_type``,
    ``tags.env``); ``required``: what the target needs and neither the source nor the task gave, a list of
    ``{option, reason}``, to be asked for before any write.
    """

    def __init__(self, options=None, dropped=None, required=None):
        self.options = options if options is not None else {}
        self.dropped = dropped if dropped is not None else []
        self.required = required if required is not None else []

    def drop(self, option, value, reason):
        if value is None or IMPLIED.get(option) == value:
            return
        self.dropped.append(dict(option=option, value=value, reason=reason))

    def require(self, option, reason):
        self.required.append(dict(option=option, reason=reason))

    def as_tuple(self):
        return self.options, self.dropped, self.required


def parse_tag(text):
    """``{key, value}`` of a tag held as text: ``key=value``, or a plain tag (its value ``''``)."""
    key, sep, value = str(text).partition('=')
    return dict(key=key, value=value if sep else '')


def tag_text(tag):
    """The text form of a ``{key, value}`` tag, for providers whose tags are plain strings (``parse_tag``'s inverse)."""
    return '%s=%s' % (tag['key'], tag['value']) if tag.get('value') not in (None, '') else str(tag['key'])


def key_value_tags(tags, skip=()):
    """A record's tags (``{key, value}`` dicts or ``key=value`` texts) as neutral tags, without the keys in ``skip``."""
    out = []
    for tag in tags or []:
        tag = dict(key=tag.get('key'), value=tag.get('value') or '') if isinstance(tag, dict) else parse_tag(tag)
        if tag['key'] not in skip:
            out.append(tag)
    return out


def present(metadata, *options):
    """The options of ``metadata`` that it holds (neither None nor empty text), as a dict."""
    return dict((o, metadata[o]) for o in options if metadata.get(o) not in (None, ''))


def carry_over(metadata, target, params=None, overrides=None, tags=None):
    """What the ``target`` provider makes of a source's neutral ``metadata`` (a CarriedMetadata).

    ``params``: the target's connection options (how it logs in decides what some providers take); ``tags``: the
    tags the task adds ({key: value}), which win over a carried tag of the same key and are kept before carried ones
    where the target holds only some; ``overrides``: the target's own ims_image_upload options, which replace what is
    carried over: an option they set is neither dropped nor required.
    """
    # Imported here: the registry imports every provider, whose mappings use this file's helpers.
    from ansible_collections.cecloud.ims.plugins.module_utils import _providers
    neutral = dict(metadata)
    if tags:
        added = [dict(key=str(k), value='' if v is None else str(v)) for k, v in sorted(tags.items())]
        neutral['tags'] = added + [t for t in neutral.get('tags') or [] if t['key'] not in tags]
    carried = _providers.get(target).backend.upload_metadata(neutral, params or {})
    for option, value in (overrides or {}).items():
        if option == 'properties' and isinstance(value, dict):
            carried.options['properties'] = dict(carried.options.get('properties') or {}, **value)
        else:
            carried.options[option] = value
        carried.dropped = [d for d in carried.dropped if d['option'].split('.', 1)[0] != option]
        carried.required = [r for r in carried.required if r['option'].split('.', 1)[0] != option]
    return carried

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CECloud's rules for the image metadata options of ims_image and ims_image_upload (``_image_spec``).

The options have no argument-spec defaults on purpose: on an existing image only the options a
task sets are compared and changed.  CREATE_DEFAULTS fill the gaps when an image is created.
Mirrored exactly by the ``cecloud.ims.ims.image_metadata`` doc fragment.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import (
    as_tag_dict, check_choices, check_description, check_name, check_non_negative, check_tags)
from ansible_collections.cecloud.ims.plugins.module_utils._image_spec import DISK_FORMATS, IMAGE_METADATA_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._image_metadata import CarriedMetadata, key_value_tags, present

# The values of the common options a provider accepts, where it accepts fewer than the choices.
CECLOUD_CHOICES = dict(disk_format=DISK_FORMATS, visibility=['private', 'public', 'market'])

CREATE_DEFAULTS = dict(
    disk_format='qcow2', image_type='os_image', instruction='64-bits', cpu_arch='x86', os_type='linux',
    os_version='', platform='other', min_disk=0, min_ram=0, boot_mode='BIOS', visibility='private', usage='ecs',
)

# Option name -> the field of a returned image that holds it, where the two differ.
IMAGE_FIELD = dict(instruction='instructions', tags='image_tags')

# Options whose field some answers leave out, with the names it has where it is present: the description (only the
# copy's answer, POST /shared-images/{shareId}/copy, has it, as describe) and the OS version (the detail, GET
# /images/{imageId}, has none; the listings have it). Such an option is compared only when the image carries it.
REPORTED_AS = dict(description=('description', 'describe'), os_version=('os_version',))

# What PUT /private-images/{id} can change; everything else is fixed once the image exists.
UPDATABLE = ('name', 'boot_mode', 'cpu_arch', 'instruction', 'min_disk', 'min_ram', 'os_type', 'os_version', 'platform')


def validate_metadata(params):
    """Reject bad metadata before any request: name rules, description length, sizes, tags (cecloud's rules)."""
    check_choices(params, CECLOUD_CHOICES, 'cecloud')
    if params.get('name') is not None:
        check_name(params['name'])
    check_description(params.get('description'))
    check_non_negative(params, ('min_disk', 'min_ram'))
    if params.get('tags') is not None:
        params['tags'] = [as_tag_dict(tag) for tag in params['tags']]
    check_tags(params.get('tags'))


def creation_spec(params, tenant, **overrides):
    """The backend's create/import spec: the task's metadata over CREATE_DEFAULTS, plus the tenant."""
    spec = dict(CREATE_DEFAULTS)
    for option in IMAGE_METADATA_ARGUMENT_SPEC:
        if params.get(option) is not None:
            spec[option] = params[option]
    spec.update(overrides)
    spec.update(tenant_id=tenant['tenant_id'], department_id=tenant['department_id'],
                resource_group_id=tenant.get('resource_group_id') or '')
    return spec


# Fields of a creation spec that the service does not return as fields of the image.
_SPEC_ONLY = ('tenant_id',)


def predicted_image(spec, status, **fields):
    """A creation spec as the service would return the image (check mode), in the same shape as a real run's."""
    image = dict((IMAGE_FIELD.get(k, k), v) for k, v in spec.items() if k not in _SPEC_ONLY)
    image['status'] = status
    image.update(fields)
    return image


def current_value(image, option):
    if option == 'description' and 'description' not in image:
        return image.get('describe')    # the name the copy endpoint's answer uses (CECloud IMS API: copy shared image, POST /shared-images/{shareImageId}/copy)
    return image.get(IMAGE_FIELD.get(option, option))


def metadata_changes(image, params):
    """{option: (current, wanted)} for every option the task sets that differs from the image.

    Refuses, before any request, what the service cannot do: a new disk format, a smaller min_disk,
    and changes to options that are fixed once the image exists.
    """
    changes = {}
    for option in IMAGE_METADATA_ARGUMENT_SPEC:
        wanted = params.get(option)
        if wanted is None:
            continue
        if option in REPORTED_AS and not any(field in image for field in REPORTED_AS[option]):
            continue    # the answer the image comes from has no such field: nothing to compare with
        current = current_value(image, option)
        if option == 'tags':
            if _same_tags(current, wanted):
                continue
        elif current == wanted or (current in (None, '') and wanted == '') or str(current) == str(wanted):
            continue
        changes[option] = (current, wanted)
    image_id = image.get('image_id')
    if 'disk_format' in changes:
        raise ImsValidationError(
            'disk_format of image %s is %s; it cannot be changed to %s (the service keeps the format of an image '
            'for its life). Create a new image instead.' % (image_id, changes['disk_format'][0], changes['disk_format'][1]))
    if 'min_disk' in changes and (changes['min_disk'][0] or 0) > changes['min_disk'][1]:
        raise ImsValidationError(
            'min_disk of image %s is %s GiB; it cannot shrink to %s GiB (the service only lets min_disk grow).'
            % (image_id, changes['min_disk'][0], changes['min_disk'][1]))
    fixed = sorted(set(changes) - set(UPDATABLE))
    if fixed:
        raise ImsValidationError('%s of image %s cannot be changed once the image exists (the update API does not '
                                 'accept %s): %s.' % (', '.join(fixed), image_id, 'it' if len(fixed) == 1 else 'them',
                                                      '; '.join('%s is %r, requested %r' % (o, changes[o][0], changes[o][1])
                                                                for o in fixed)))
    return changes


def update_fields(image, changes):
    """The full field set of the PUT endpoint: the image's current values with ``changes`` ({option: wanted}) applied."""
    fields = dict((option, current_value(image, option)) for option in UPDATABLE)
    fields['disk_format'] = image.get('disk_format')
    fields.update(changes)
    for option in ('boot_mode',):
        fields[option] = fields[option] or CREATE_DEFAULTS[option]
    fields['os_version'] = fields['os_version'] or ''
    return fields


def with_changes(image, changes):
    """``image`` with ``changes`` ({option: wanted}) applied, as the service would return it."""
    image = dict(image)
    for option, wanted in changes.items():
        image[IMAGE_FIELD.get(option, option)] = wanted
    return image


def complete_creation(service, image, spec):
    """``image``, just created from ``spec``, given by an update what its create request does not take
    (``backend.set_after_create``); returns the image as it then is."""
    changes = dict((o, spec[o]) for o in service.backend.set_after_create
                   if spec.get(o) not in (None, '') and current_value(image, o) != spec[o])
    if not changes:
        return image

    def applied(current):
        return all(current_value(current, o) == wanted for o, wanted in changes.items())
    service.update_image(image, changes, applied=applied)
    return with_changes(image, changes)


def _same_tags(current, wanted):
    def key(tags):
        return sorted(sorted((str(k), str(v)) for k, v in tag.items()) for tag in tags or [])
    return key(current) == key(wanted)


# -- metadata carried to and from other providers (_image_metadata; the table is docs/replication.md) ------------

# The options a CECloud image record holds, read as they are (the others: IMAGE_FIELD, REPORTED_AS).
CARRIED = ('disk_format', 'min_disk', 'min_ram', 'image_type', 'os_type', 'os_version', 'platform', 'cpu_arch',
           'instruction', 'boot_mode', 'usage', 'description')


def image_metadata(image):
    """The neutral metadata of a CECloud image record (snake_case, as the backend returns it)."""
    metadata = present(dict((o, current_value(image, o)) for o in CARRIED), *CARRIED)
    tags = image.get('image_tags') if image.get('image_tags') is not None else image.get('tags')
    if tags:
        metadata['tags'] = key_value_tags(tags)
    return metadata


def upload_metadata(metadata, params):  # pylint: disable=unused-argument
    """ims_image_upload's cecloud options of neutral ``metadata``: every common option it has a choice for; no free
    properties (a CECloud image has none) and no other container than a bare image file."""
    carried = CarriedMetadata()
    choices = dict((o, IMAGE_METADATA_ARGUMENT_SPEC[o].get('choices')) for o in CARRIED)
    choices.update(CECLOUD_CHOICES)
    for option in CARRIED:
        value = metadata.get(option)
        if value in (None, ''):
            continue
        if option == 'disk_format' and value not in choices[option]:
            carried.require(option, 'CECloud takes %s image files, and the source image is %s: convert it and upload '
                            'the file with cecloud.ims.ims_image_upload' % (' or '.join(choices[option]), value))
        elif choices[option] and value not in choices[option]:
            carried.drop(option, value, 'CECloud takes one of %s' % ', '.join(choices[option]))
        else:
            carried.options[option] = value
    if metadata.get('tags'):
        carried.options['tags'] = [dict(key=t['key'], value=t['value']) for t in metadata['tags']]
    carried.drop('container_format', metadata.get('container_format'), 'CECloud images are bare image files')
    for key, value in sorted((metadata.get('properties') or {}).items()):
        carried.drop('properties.' + key, value, 'CECloud images have no free properties')
    return carried

"""Fields of IMS create bodies (Huawei IMS API: create, quick import, data and whole images) turned into image attributes, or IMG.* errors."""

from tests.emulator.huawei import model
from tests.emulator.huawei.errors import img


def int_in(body, key, low, high, required=True, default=None):
    value = body.get(key)
    if value is None:
        if required:
            raise img('IMG.0055', f'{key} is required.')
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise img('IMG.0055', f'{key} must be an integer from {low} to {high}.')
    return value


def tag_fields(body):
    """``tags`` (legacy strings) or ``image_tags`` ({key, value}), never both (POST /v2/cloudimages/action)."""
    tags, image_tags = body.get('tags'), body.get('image_tags')
    if tags and image_tags:
        raise img('IMG.0115', 'Use either tags or image_tags, not both.')
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags)):
        raise img('IMG.0115', 'tags must be an array of non-empty strings.')
    kv = []
    for tag in image_tags or []:
        if not isinstance(tag, dict) or not isinstance(tag.get('key'), str) or not tag['key'] or not isinstance(tag.get('value'), str):
            raise img('IMG.0115', 'image_tags items need a non-empty key and a value.')
        if len(tag['key']) > 36 or len(tag['value']) > 43:
            raise img('IMG.0115', 'A tag key has at most 36 characters, a value at most 43.')
        kv.append({'key': tag['key'], 'value': tag['value']})
    if len(kv) + len(tags or []) > 10:
        raise img('IMG.0116', 'An image has at most 10 tags.')
    return {'tags': list(tags or []), '_kv_tags': kv}


def common_fields(body):
    """Attributes every create body may set."""
    fields = tag_fields(body)
    if body.get('description'):
        fields['__description'] = model.check_description(body['description'])
    if body.get('enterprise_project_id') not in (None, ''):
        fields['enterprise_project_id'] = str(body['enterprise_project_id'])
    if body.get('min_ram') is not None:
        fields['min_ram'] = int_in(body, 'min_ram', 0, 1024 * 1024)
    if body.get('max_ram') is not None:
        fields['max_ram'] = str(int_in(body, 'max_ram', 0, 1024 * 1024))
    return fields


def file_fields(body, quick=False, arm_bios='refuse'):
    """Attributes of an image made from a file (create from a file, quick import).

    The create reference says both "arm (forces UEFI)" and "hw_firmware_type ... (Arm: only uefi)": an Arm image asked to boot with
    BIOS is refused (``arm_bios`` ``refuse``, IMG.0141 - the code of a wrong firmware type, the emulator's choice),
    or made UEFI (``uefi``).  An Arm image without a firmware type is UEFI either way.
    """
    fields = {}
    os_version = body.get('os_version')
    if os_version in (None, '') and (quick or body.get('type') == 'IsoImage'):
        raise img('IMG.0056', 'os_version is required for a quick import or an ISO image.')
    if os_version not in (None, ''):
        fields.update(model.os_fields(os_version))
    elif body.get('os_type') not in (None, ''):
        if body['os_type'] not in ('Linux', 'Windows', 'Other'):
            raise img('IMG.0122', 'The os_type must be Linux, Windows or Other.')
        fields.update(model.os_fields({'Windows': 'Other Windows(64 bit)'}.get(body['os_type'], model.DEFAULT_OS_VERSION)))
    architecture = body.get('architecture') or 'x86'
    if architecture not in ('x86', 'arm'):
        raise img('IMG.0212', 'The architecture must be x86 or arm.')
    firmware = body.get('hw_firmware_type')
    if firmware not in (None, 'bios', 'uefi'):
        raise img('IMG.0141', 'hw_firmware_type must be bios or uefi.')
    if architecture == 'arm':
        if firmware == 'bios' and arm_bios == 'refuse':
            raise img('IMG.0141', 'An Arm image boots with UEFI only: hw_firmware_type must be uefi with architecture arm.')
        fields.update(__support_arm='true', hw_firmware_type='uefi')
    elif firmware:
        fields['hw_firmware_type'] = firmware
    if body.get('cmk_id'):
        fields['__system__cmkid'] = body['cmk_id']
    if body.get('is_config') is True:
        fields['__is_config_init'] = 'true'
    return fields

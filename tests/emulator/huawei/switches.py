"""The Huawei emulator's switches (README.md, "Switches"; the mechanism is ``tests/emulator/_http.py``'s): the readings
of the documents this emulator can answer with, the documented (strict) one first, and the knobs of a busy service."""

from tests.emulator._http import Switch

# The reference documents no maximum page size for GET /v2/cloudimages: the emulator's choice.
MAX_LIMIT = 1000
PRIVATE_IMAGE_QUOTA = 100

SWITCHES = {
    'workspace_total': Switch.reading({
        'exact': 'the total of a Workspace ListImages / Workspace App ListImageServers answer counts every matching record',
        'low': 'it counts the records up to the end of this page', 'high': 'it counts one page (100) more than there are'}),
    'glance_patch': Switch.reading({
        'documented': 'PATCH /v2/images/{image_id} changes only the name, description and undocumented lower-case attributes',
        'any': 'it changes any lower-case attribute but the fixed ones'}),
    'import_min_disk': Switch.reading({40: 'the lowest min_disk of a system disk image from a file is 40 (the SDK)',
                                       1: 'it is 1 (OTC)'}),
    'arm_bios': Switch.reading({'refuse': 'an Arm image with hw_firmware_type bios is refused (IMG.0141)',
                                'uefi': 'it is accepted, and made UEFI'}),
    'unsigned_project_id': Switch.reading({'refuse': 'an AK/SK request whose X-Project-Id is not signed is refused (401)',
                                           'ignore': 'the header is ignored (the project of the region)',
                                           'trust': 'the header is used as sent'}),
    'next_marker': Switch.reading({True: 'GET /v2/cloudimages answers page_info.next_marker (the SDK)',
                                   False: 'it answers no page_info (Terraform)'}),
    'sort_key': Switch.reading({'honoured': 'GET /v2/cloudimages lists in the order sort_key and sort_dir ask',
                                'ignored': 'it checks them and lists newest first whatever they ask'}),
    # Where a FAIL job carries its error_code and reason (the job status reference names all three places).
    'job_reason_in': Switch.reading({'both': 'a FAIL job says why at its top and in entities', 'top': 'only at its top',
                                     'entities': 'only in entities', 'sub_job': 'only in one failed item of entities.sub_jobs_result'}),
    'member_partial_status': Switch.reading({'SUCCESS': 'a member job some of whose results[] failed ends SUCCESS',
                                             'FAIL': 'it ends FAIL with the first failed item\'s code and reason'}),
    'remove_non_member': Switch.reading({'success': 'removing a project that is no member of the image succeeds',
                                         'fail': 'its results[] item fails (IMG.0027)', 'reject': '400 IMG.0027 at once, no job'}),
    'copy_parent': Switch.reading({'source': "a copy's __originalimagename (\"parent image ID\") is the image it was copied from",
                                   'empty': 'a copy has an empty __originalimagename (as a file-based image)'}),
    # IMS's export reference names the format it writes (file_format) but not whether the file holds the bytes the
    # image was imported from: real IMS converts from the format it stores (ZVHD2), so the bytes differ.
    'export_bytes': Switch.reading({'unconverted': 'an export writes the bytes the image was imported from',
                                    'converted': 'it writes other bytes (a trailer appended, as a conversion would)'}),
    # Whether a key/value tag added later (POST /v2/{project_id}/images/{image_id}/tags/action) and a string tag of its
    # key given at creation (POST /v2/images ``tags``, ``key=value``) are one tag or two: IMS's tag references do not say.
    'same_key_tags': Switch.reading({'two': 'a key/value tag added later stands beside the string tag of its key (both show)',
                                     'one': 'it replaces the string tag of its key (one tag, the later value)'}),
    'image_lag': Switch.number(0.0, 'seconds every job stays INIT before its first stage (a busy service)'),
    'transition_seconds': Switch.number(0.3, 'seconds between two stages of a job (also --transition-seconds)'),
    'page_cap': Switch.number(None, 'the most images of one GET /v2/cloudimages page, whatever limit asks', integer=True, optional=True),
    'max_limit': Switch.number(MAX_LIMIT, 'the largest limit GET /v2/cloudimages takes', integer=True),
    'quota': Switch.number(PRIVATE_IMAGE_QUOTA, 'private images per project', integer=True),
    'ak_lock_after': Switch.number(5, 'consecutive bad signatures before an AK is locked (0: never)', integer=True),
    'ak_lock_seconds': Switch.number(300, 'how long an AK stays locked'),
}

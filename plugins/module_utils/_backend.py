# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one interface every provider's backend offers, and the capabilities it declares.

A backend (``_cecloud.api.CECloudBackend``, ...) maps neutral operations onto its API's endpoints.
``Backend`` declares every operation once, with one signature and meaning on every provider; a
provider that cannot do one inherits the base method, which refuses before any request
(``unsupported``: an ImsValidationError naming the provider and what to use instead).  What a
provider's flows need to know ahead of a request it says in class attributes.

The values the operations take and return:

- An image is a dict of the fields the provider's API answers, in snake_case, plus ``image_id`` (the
  neutral name of the id) always; the neutral keys every provider fills where its API has them are
  ``name``, ``status`` (``queued``, ``saving``, ``active``, ``killed``, ``deleted``, ``pending_delete``...),
  ``owner``, ``visibility``, ``min_disk``, ``min_ram``, ``size``, ``checksum``, ``tags``, ``created_at``;
  ImageService adds ``scope`` (the listing it came from), and a received image carries ``member_status``
  (Glance, Huawei) or ``share_id`` (CECloud).
- A share (``list_image_members``, ``get_member``) is a dict with ``user_id`` (the principal: a user or a
  project id) and, where the provider has one, ``status`` (``pending``, ``accepted``, ``rejected``).
- A job answer, where operations run as jobs (``job_waiter``), is ``{'job_id': ..., 'region': ...}``; a job
  outcome (``get_job``) is the job as ``_huaweicloud.ims.job_outcome`` reads it: ``job_id``, ``status``
  (upper case: ``SUCCESS``, ``FAIL``, ``RUNNING``, ``INIT``), ``image_id`` and ``image_ids`` (the images it
  made), ``reason`` and ``error_code`` (why it failed), ``member_results`` (``user_id``, ``image_id``,
  ``status`` of each item of a member job).  Operations that answer no job answer None.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError

# Export targets.
EXPORT_TO_BUCKET = 'bucket'          # the service writes the image file into an object-storage bucket
EXPORT_TO_FILE = 'dest'              # the image file is downloaded to a local path

# Recipient actions on an image shared with the caller.
RECIPIENT_DROP = 'drop'              # remove the received share (CECloud)
RECIPIENT_ACCEPT = 'accept'          # accept a pending share, or reject it (the caller's member status: Glance)
RECIPIENT_REJECT = 'reject'
# What a task that asks a provider for a recipient action it lacks is told: (what, instead).
RECIPIENT_REFUSALS = {
    RECIPIENT_DROP: ('drop a received share (share_id)', 'it keeps shares until their owner removes them'),
    RECIPIENT_ACCEPT: ('accept or reject a received share', 'drop it with share_id and state: absent'),
}


class ExportTarget:
    """Where an export writes an image file: a bucket of object storage, and what the provider lets the caller choose.

    ``key``: the object's key, where the caller names it (else the service chooses); ``az_id``/``cell_id``: the
    bucket's zone and cell, where a bucket name alone is not unique; ``file_format``: the format the image is
    converted to, where the service converts; ``quick``: a quick export, which writes the image as it is stored.
    """

    def __init__(self, bucket, key=None, az_id=None, cell_id=None, file_format=None, quick=False):
        self.bucket = bucket
        self.key = key
        self.az_id = az_id
        self.cell_id = cell_id
        self.file_format = file_format
        self.quick = quick


# ims_image_upload's options of the multipart upload to object storage (_core.transfer), which the providers whose
# upload sends the file there read (their ``module_options``).
OBJECT_STORAGE_UPLOAD_OPTIONS = ('resume', 'part_size_mb', 'max_concurrency', 's3_validate_certs', 's3_ca_path')


class SharePrincipal:
    """Who an image is shared with on a provider: the kind (``user``, ``project``), and its id rule."""

    def __init__(self, kind, pattern, rule):
        self.kind = kind
        self.pattern = pattern
        self.rule = rule          # the id rule in words, for the error message

    def check(self, option, values):
        """Refuse, before any request, the ``values`` of ``option`` that are not ids of this kind."""
        bad = [v for v in values if not isinstance(v, str) or not self.pattern.match(v)]
        if bad:
            shown = ', '.join(repr(v) for v in bad[:10]) + (' and %d more' % (len(bad) - 10) if len(bad) > 10 else '')
            raise ImsValidationError('%s must be %s; not valid: %s.' % (option, self.rule, shown))


class Backend:
    """Base class of the backends: the capabilities, empty until a backend declares them, and the operations,
    each refused until a backend implements it."""

    name = None
    # {module name: the options of that module the provider reads beyond the ones every provider reads}: the
    # provider's "Providers: ..." options (ImsModule.provider_options); a task that sets another is refused.
    module_options = {}
    # Scopes of image listings, in the order ``scope: all`` lists them.
    scopes = ()
    max_page_size = 100
    # SharePrincipal of owner-side sharing; None when the provider cannot share.
    share_principal = None
    max_share_batch = 50
    recipient_actions = ()
    export_targets = ()
    # The hash algorithms of an image's data the service reports (``data_hashes``), which an upload computes
    # while it sends the file: the service's own checksum (MD5) first. One is enough where the service reports it
    # (Glance: ``checksum``, its os_hash_value compared only without one; docs/api-notes.md, "One digest per byte").
    upload_hashes = ('md5',)
    # True where operations answer a job (``{"job_id"}``) that ImageService.wait_for_job polls through
    # ``backend.get_job(job_id)``; None when operations are followed by polling the image's status
    # (ImageService.wait_for_status).
    job_waiter = None
    # Seconds the effect of an answered write (an image record, a member) may take to show in listings, where
    # jobs carry it out; ImageService.converge keeps looking that long before it resends a request.
    settle_window = 0.0
    # Options of a creation spec the create request does not take; set by an update once the image exists
    # (_cecloud.image_options.complete_creation).
    set_after_create = ()
    # The image fields sharing may have to change first (``sharing_changes``); ims_image_share reports them.
    sharing_fields = ()
    # The flow of the recipient side of ims_image_share (a class taking a ``_module.Task``), which does the
    # ``recipient_actions``; see ``received_share``.
    recipient_flow = None
    # Filter keys the API applies itself when listing (the others are matched by ImageService).
    server_filters = frozenset()
    # The orders a listing of each scope comes in from the server when ``list_scope`` is asked ``sort`` (one of
    # _image_query.SORT_KEYS, ``asc`` or ``desc``): {scope: frozenset of (key, order)}.  _image_query stops reading
    # once it has what it needs from a listing served in order, and sorts the others itself.
    listing_sorts = {}
    # True where a listing narrows to the images carrying one tag, given as the ``tag`` filter ``key=value``.
    server_tag_filter = False
    # True when updates send only the changed fields (a JSON patch) and images carry free properties;
    # False when an update replaces the whole field set.
    updates_by_patch = False
    # True where an image's tags are plain strings, so a key/value tag is written as the text ``key=value``
    # (the roles' family and pin tags); False where tags are ``{key, value}`` pairs.
    text_tags = False
    # The service type of the image endpoint in an identity service's catalog, where the provider has one.
    catalog_type = None
    # True where an image can carry the deprecation convention (``_deprecation``: free properties an update sets,
    # docs/image-conventions.md); False where no field the API lets the caller change can hold it.
    keeps_deprecation = False
    # The image field (a boolean, and a listing filter) by which the API hides an image from ordinary listings; None
    # where it cannot hide one.  ImageService lists hidden images too where a look-up must see every image.
    hide_field = None

    def __init__(self, client, params=None):  # pylint: disable=unused-argument
        self.client = client

    @classmethod
    def upload_libraries(cls, params):  # pylint: disable=unused-argument
        """The Python libraries ``image_upload``'s flow needs for a task (``params``: its options, as given, before
        the provider reads the environment): name -> (found, import error).  Asked before any request."""
        return {}

    @staticmethod
    def can_have_members(image):  # pylint: disable=unused-argument
        """Whether ``image`` can be shared in its current state (so whether its members are worth listing)."""
        return True

    @staticmethod
    def data_hashes(image):
        """{algorithm: hex digest} of the image's data, as the service reports them (empty when it reports none)."""
        return {'md5': image['checksum'].lower()} if image.get('checksum') else {}

    @staticmethod
    def strongest_hash(image_hashes):
        """(algorithm, hex) of the strongest hash in ``data_hashes()``, the one a download is verified with; None if none.

        One hash is enough to know the bytes are the service's (every other hash it reports was computed on them);
        the strongest is the one a corruption or a collision cannot pass.
        """
        for algorithm in sorted(image_hashes, key=lambda a: (a == 'md5', a)):
            return algorithm, image_hashes[algorithm]
        return None

    def own_principal(self):
        """The caller's own share principal (its project), where the backend knows it: sharing with it is refused."""
        return None

    def sharing_changes(self, image, add):  # pylint: disable=unused-argument
        """The changes ({field: value}) ``image`` needs before it can be shared with ``add``; none where any image can.

        Refuses, before any request, an image that cannot be shared in its state.
        """
        return {}

    def prepare_sharing(self, image, changes):
        """Make the ``sharing_changes`` of ``image``."""

    def received_share(self, task, action):
        """The flow of ims_image_share's recipient side that does ``action`` (RECIPIENT_DROP, RECIPIENT_ACCEPT).

        A provider that cannot do ``action`` refuses here, before any request.
        """
        if action not in self.recipient_actions or self.recipient_flow is None:
            raise self.unsupported(*RECIPIENT_REFUSALS[action])
        return self.recipient_flow(task)  # pylint: disable=not-callable

    # -- flows: what a module runs; a provider that cannot do a module's work refuses here, before any request ----

    def image_lifecycle(self, task):  # pylint: disable=unused-argument
        """The flow of ims_image (``task``: a ``_module.Task``): create, import, copy, update, delete and wait."""
        raise self.unsupported('create, change or delete images', 'manage them with the provider\'s own tools')

    def image_upload(self, task):  # pylint: disable=unused-argument
        """The flow of ims_image_upload: one image of the task's name that holds the task's file."""
        raise self.unsupported('take an image file', 'upload the file with the provider\'s own tools')

    def image_export(self, task):  # pylint: disable=unused-argument
        """The flow of ims_image_export: the image's file in a bucket or at a local path."""
        raise self.unsupported('export or download an image', 'use the provider\'s own tools')

    def image_replicate(self, task):
        """The flow of ims_image_replicate, with this backend the source's: the neutral one on every provider (each
        target takes the bytes through its own ``image_upload``, or copies them itself: ``replica_copier``)."""
        # Imported here: the flow imports the registry, which imports the backends.
        from ansible_collections.cecloud.ims.plugins.module_utils._replicate_flow import ReplicateFlow
        return ReplicateFlow(task)

    def replica_copier(self, source_backend):  # pylint: disable=unused-argument
        """What copies an image of ``source_backend`` into this backend's account and region with no byte through the
        host, or None: the bytes are streamed through the host. Its ``check(params)`` refuses before any write,
        ``earlier_copy(images, source_id)`` names the copy a cut run left among the images of the name (finished, not
        made again), ``copy(task, source_service, image, name, marks, replace)`` -> the new image; ``how`` says which
        way the provider copies (the target's RV(targets[].native))."""
        return None

    # -- metadata carried to another provider (_image_metadata; the table is docs/replication.md) -----------------

    @classmethod
    def image_metadata(cls, image):
        """The ims_image_upload metadata options, in their neutral form (``_image_metadata``), that recreate ``image``
        (a record of this provider, as its backend returns it) on another provider: only what the record holds."""
        raise cls.unsupported(cls, 'read an image\'s metadata for another provider', 'give the target\'s metadata yourself')

    @classmethod
    def upload_metadata(cls, metadata, params):
        """What this provider's ims_image_upload makes of neutral ``metadata`` (``image_metadata`` of any provider): an
        ``_image_metadata.CarriedMetadata`` of its options, what it cannot hold and what it needs that ``metadata``
        lacks.  ``params``: the task's connection options, where how it logs in decides what it takes.  No request."""
        raise cls.unsupported(cls, 'take an image\'s metadata from another provider', 'give its metadata yourself')

    def unsupported(self, what, instead):
        """The error for a task that asks this provider for something it cannot do."""
        return ImsValidationError('The %s provider cannot %s; %s.' % (self.name, what, instead))

    # -- reading images ---------------------------------------------------------------------------

    @staticmethod
    def is_image_id(value):  # pylint: disable=unused-argument
        """Whether ``value`` has the shape of this provider's image ids (so a look-up by id is worth a request)."""
        return False

    def list_scope(self, scope, image_id=None, name=None, name_contains=None, filters=None, remaining=None,
                   member_status=None, sort=None):  # pylint: disable=unused-argument
        """The images of one of ``scopes`` (an iterable of images), narrowed on the server where the API can.

        ``image_id``, ``name`` (exact), ``name_contains`` (a substring) and ``filters`` ({key: value}) narrow the
        listing; what the API does not apply itself is matched by ImageService afterwards, except the keys of
        ``server_filters``, which a backend applies (``_service.matches_filters(image, filters, server_filters)``
        for a look-up by id the API answers without them).  ``remaining``: how many more images the caller
        wants, a hint for the page size; ``member_status``: which received shares the ``shared`` scope lists;
        ``sort``: (key, order) the listing is asked to come in, where ``listing_sorts`` says the API serves it.
        """
        raise self.unsupported('list images', 'list them with the provider\'s own tools')

    def get_image(self, image_id):  # pylint: disable=unused-argument
        """The image with this id, whatever its scope, or None when the service does not know it."""
        raise self.unsupported('read an image', 'read it with the provider\'s own tools')

    # -- writing images ---------------------------------------------------------------------------

    def create_image(self, spec):  # pylint: disable=unused-argument
        """Create an image record from ``spec`` (the provider's create body, from its own rules); returns the image."""
        raise self.unsupported('create an image', 'create it with the provider\'s own tools')

    def create_by_job(self, kind, body):  # pylint: disable=unused-argument
        """Start the job that makes an image from a source (a server, a backup, a file in object storage); returns
        the job answer. ``kind`` and ``body`` are the provider's creation request (``_huaweicloud.ims.creation_request``)."""
        raise self.unsupported('make an image from a server, a backup or an object-storage file', 'use import_url or an upload')

    def import_image(self, spec, image_url, volume_images=None):  # pylint: disable=unused-argument
        """Create an image from the file at ``image_url`` (and data-disk images from ``volume_images``); returns the image."""
        raise self.unsupported('import an image from a URL', 'upload the file with cecloud.ims.ims_image_upload')

    def import_methods(self):
        """The import methods of the service (``web-download``...): what ``import_from_url`` can use."""
        raise self.unsupported('import an image from a URL', 'upload the file with cecloud.ims.ims_image_upload')

    def import_from_url(self, image_id, url):  # pylint: disable=unused-argument
        """Fill the queued image ``image_id`` with the file the service fetches from ``url``; answers None."""
        raise self.unsupported('import an image from a URL', 'upload the file with cecloud.ims.ims_image_upload')

    def copy_image(self, image_id, name, description=None):  # pylint: disable=unused-argument
        """Copy an image of the caller (or one shared with it) in this region, as ``name``; returns the job answer."""
        raise self.unsupported('copy an image', 'create the image from its source again')

    def copy_image_to_region(self, image_id, name, region, agency_name=None, description=None,
                             vault_id=None):  # pylint: disable=unused-argument
        """Copy an image of this region into ``region`` as ``name`` (called on the source region's backend, where the
        job runs and is read); ``agency_name``: the grant that lets the service create there; returns the job answer."""
        raise self.unsupported('copy an image across regions', 'copy it with the provider\'s own tools')

    def update_image(self, image, changes):  # pylint: disable=unused-argument
        """Give ``image`` the ``changes`` ({field: wanted value}, only what differs); returns the image as updated."""
        raise self.unsupported('update an image', 'update it with the provider\'s own tools')

    def delete_image(self, image_id):  # pylint: disable=unused-argument
        """Delete the image; answers None (the deletion may go on in the background: poll ``get_image``)."""
        raise self.unsupported('delete an image', 'delete it with the provider\'s own tools')

    def deactivate_image(self, image_id):  # pylint: disable=unused-argument
        """Make the image's data unreadable until ``reactivate_image``; answers None."""
        raise self.unsupported('deactivate an image', 'delete it instead')

    def reactivate_image(self, image_id):  # pylint: disable=unused-argument
        """Undo ``deactivate_image``; answers None."""
        raise self.unsupported('reactivate an image', 'create it again')

    def list_image_tags(self, image_id):  # pylint: disable=unused-argument
        """The key/value tags of an image: ``[{key, value}]``, where they are not fields of the image itself."""
        raise self.unsupported('tag images with key/value tags', 'leave tags out')

    def change_image_tags(self, image_id, action, tags):  # pylint: disable=unused-argument
        """``action`` ``create`` (or overwrite) or ``delete`` the key/value ``tags`` (``[{key, value}]``); answers None."""
        raise self.unsupported('tag images with key/value tags', 'leave tags out')

    # -- sharing, the owner's side (principals: ``share_principal``) -----------------------------------

    def list_image_members(self, image_id, page_size=None):  # pylint: disable=unused-argument
        """The shares of an image the caller owns: an iterable of shares (``user_id``, and ``status`` where kept)."""
        raise self.unsupported('share images', 'share them with the provider\'s own tools')

    def add_image_members(self, image_id, principals):  # pylint: disable=unused-argument
        """Share the image with ``principals`` (at most ``max_share_batch``); answers None or a job answer."""
        raise self.unsupported('share images', 'share them with the provider\'s own tools')

    def remove_image_members(self, image_id, principals):  # pylint: disable=unused-argument
        """Stop sharing the image with ``principals`` (at most ``max_share_batch``); answers None or a job answer."""
        raise self.unsupported('share images', 'share them with the provider\'s own tools')

    # -- sharing, the recipient's side (``recipient_actions``) ---------------------------------------

    def caller_project(self):
        """The id of the caller's project: the principal other projects share images with."""
        raise self.unsupported('tell the caller\'s project', 'name the image by its id')

    def get_member(self, image_id, project_id):  # pylint: disable=unused-argument
        """The membership of ``project_id`` in an image shared with it: a share with ``status``, or None."""
        raise self.unsupported('accept or reject a received share', 'use the provider\'s own tools')

    def set_member_status(self, image_id, project_id, status, vault_id=None):  # pylint: disable=unused-argument
        """Accept or reject (``status``: ``accepted``, ``rejected``) an image shared with the caller's project;
        ``vault_id``: the backup vault a shared whole-server image goes to; answers the share or a job answer."""
        raise self.unsupported('accept or reject a received share', 'use the provider\'s own tools')

    def list_received_shares(self, page_size=None):  # pylint: disable=unused-argument
        """The images others shared with the caller, each with its ``share_id``: an iterable of images."""
        raise self.unsupported('list received shares by share id', 'list them with ims_image_info, scope shared')

    def delete_received_share(self, share_id):  # pylint: disable=unused-argument
        """Drop the share ``share_id`` the caller received; answers None."""
        raise self.unsupported('drop a received share (share_id)', 'ask its owner to remove it')

    def copy_received_share(self, share_id, tenant, name, description=None):  # pylint: disable=unused-argument
        """Copy the image of a received share into the caller's ``tenant`` (``tenant()``) as ``name``; returns the image."""
        raise self.unsupported('copy a received share', 'copy the image with copy_from')

    # -- data in and out ------------------------------------------------------------------------------

    @staticmethod
    def check_upload_metadata(params):  # pylint: disable=unused-argument
        """Refuse, before any request, the metadata options (``params``) of an upload the provider would refuse."""

    def upload_creation_body(self, params, hashes):  # pylint: disable=unused-argument
        """The create body (``create_image``) of the image an upload fills: from the task's options (``params``,
        with the detected ``disk_format``) and the file's ``hashes`` where ``source_hashes_on_create``."""
        raise self.unsupported('take an image file', 'upload the file with the provider\'s own tools')

    def upload_file(self, image_id, body):  # pylint: disable=unused-argument
        """Send the file (``body``: a stream with a length) into the queued image in one request; answers None."""
        raise self.unsupported('take an image file in one request', 'upload it with the provider\'s own tools')

    def upload_prepare(self, image_id, size):  # pylint: disable=unused-argument
        """Where the service takes the file of ``size`` bytes for the image: ``{bucket, key, endpoint, credentials...}``
        (UPLOAD_VIA_SERVICE_S3)."""
        raise self.unsupported('hand out an upload target', 'upload it with the provider\'s own tools')

    def upload_done(self, image_id, success, upload_id=None):  # pylint: disable=unused-argument
        """Tell the service the transfer into ``upload_prepare``'s target ended (``success``); answers None."""
        raise self.unsupported('hand out an upload target', 'upload it with the provider\'s own tools')

    def open_download(self, image_id):  # pylint: disable=unused-argument
        """The streaming response of the image's bytes (the caller reads and closes it)."""
        raise self.unsupported('download an image', 'export it to a bucket')

    def replica_read(self, params):
        """What reads an image's bytes for ims_image_replicate's streamed targets (``params``: that task's options), or
        None where the provider cannot: a ``_replicate_flow.DownloadRead`` where the backend downloads
        (``open_download``); a provider that reaches the bytes another way (an export) answers its own reader with
        the same methods."""
        if type(self).open_download is Backend.open_download:
            return None
        # Imported here: the flow imports the registry, which imports the backends.
        from ansible_collections.cecloud.ims.plugins.module_utils._replicate_flow import DownloadRead
        return DownloadRead(self)

    def list_export_buckets(self, image_id):  # pylint: disable=unused-argument
        """The buckets the service can export the image to: ``[{name, ...}]``."""
        raise self.unsupported('export an image to a bucket', 'download it with dest')

    def export_image(self, image_id, target):  # pylint: disable=unused-argument
        """Write the image's file into ``target`` (an ExportTarget: bucket, key...); answers None or a job answer."""
        raise self.unsupported('export an image to a bucket', 'download it with dest')

    # -- jobs ------------------------------------------------------------------------------------------

    def get_job(self, job_id):  # pylint: disable=unused-argument
        """The job outcome of ``job_id`` (see the module's docstring); polled by ImageService.wait_for_job."""
        raise self.unsupported('run jobs', 'wait on the image\'s status')

    # -- regions and accounts -------------------------------------------------------------------------

    def tenant(self):
        """The tenant (``{tenant_id, department_id, resource_group_id}``) create requests name, where the provider's
        API takes one in the request; None where the login decides it."""
        return None

    def in_region(self, region):  # pylint: disable=unused-argument
        """The backend of the same account in ``region`` (its endpoint and project); this one for its own region."""
        raise self.unsupported('reach another region', 'run the task against that region')

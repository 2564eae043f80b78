# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one interface every provider's backend offers, and the capabilities it declares.

A backend (``_cecloud.CECloudBackend``, ...) maps neutral operations onto its API's endpoints.
What it can do differs by provider, so it says so in class attributes, and modules ask those
(never the provider's name).  ``ImsModule.require()`` turns a missing capability into an error
before any request, naming the provider and what to use instead.
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
    """Base class of the backends: the capabilities, empty until a backend declares them."""

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
    # while it sends the file: the service's own checksum (MD5) first.
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
    # True when updates send only the changed fields (a JSON patch) and images carry free properties;
    # False when an update replaces the whole field set.
    updates_by_patch = False
    # The service type of the image endpoint in an identity service's catalog, where the provider has one.
    catalog_type = None

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

    def unsupported(self, what, instead):
        """The error for a task that asks this provider for something it cannot do."""
        return ImsValidationError('The %s provider cannot %s; %s.' % (self.name, what, instead))

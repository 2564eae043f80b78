# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_upload on huaweicloud with AK/SK: the file is staged in the user's OBS bucket and imported from there.

The file goes to ``obs_bucket/obs_key`` with the resumable S3 uploader
(``_core.object_storage.ObjectStorage.upload``), the staged object is checked,
an import job makes the image from it, the job and then the image's status are waited for, the
image is checked, and the staged object is deleted (unless ``keep_staged_object``).

One image per name, as on every provider (ImageService.claim_name): IMS documents the image's
``checksum`` as unused, so the file an image was made from is told by a tag the upload gives it,
``ims_source_md5`` (``ims.SOURCE_MD5_TAG``).  Its value is the file's identity by its parts
(``_core.multipart.parts_identity``: the staged object's multipart ETag and the part size), made of the
parts' MD5s that the upload computes anyway to check each part against OBS's ETag, so each byte is
hashed once (docs/api-notes.md, "One digest per byte"); a file of one part, or a stream, is told by its
MD5, as every value of the tag was before.  An image of the name whose tag tells the file (read again
the way the tag says: by its MD5, or by parts of the size it names) is the task's own (active: nothing
to do; queued or saving: the import an earlier run started); one telling another file, or with no tag,
holds another file (refused unless ``replace``); a killed one is left by a failed run (deleted when
``cleanup_on_failure``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud import ims as _huaweicloud
from ansible_collections.cecloud.ims.plugins.module_utils._core import object_storage as _staging
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsValidationError, add_notes
from ansible_collections.cecloud.ims.plugins.module_utils._core.multipart import (
    MD5_HEX, MIB, file_part_md5s, fitting_part_size, identity_parts, multipart_etag, part_count, parts_identity)
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.ims import source_identity
from ansible_collections.cecloud.ims.plugins.module_utils._service import (
    ACTIVE, KILLED, QUEUED, SAVING, describe_images)
from ansible_collections.cecloud.ims.plugins.module_utils._upload_flow import (
    UploadFlow, best_of, check_multipart_options, leftover_refusal)
from ansible_collections.cecloud.ims.plugins.module_utils._upload_source import transfer_input

GIB = 1024 ** 3
# A quick import is for RAW/ZVHD2 files, recommended from 128 GB up, a normal import below (Huawei IMS API: Importing
# an Image File Quickly, POST /v2/cloudimages/quickimport/action).
QUICK_IMPORT_FROM = 128 * GIB
QUICK_IMPORT_FORMATS = ('raw',)

# What an image of the task's name is to the task (StagedUpload.kind).
SAME = 'holds src'                  # active, tagged with the file's identity
PENDING = 'importing src'           # queued or saving, tagged with the file's identity: an earlier run's import
OTHER = 'holds another file'        # tagged with another identity, or not by this module
LEFTOVER = 'left by a failed run'   # killed
REUSE_ORDER = (SAME, PENDING)


def describe_identity(identity):
    """A ``parts_identity`` in words."""
    parts = identity_parts(identity)
    if parts is None:
        return 'MD5 %s' % identity
    return 'the MD5s of %d parts of %d MiB (multipart ETag %s)' % (parts[0], parts[1] // MIB, identity.rsplit('-', 1)[0])


def default_key(name, disk_format):
    """The staged object's key when obs_key is not set: the image name with the format's extension."""
    return '%s.%s' % (name, disk_format)


class StagedUpload(UploadFlow):
    """One run of ims_image_upload through OBS (``HuaweiCloudBackend.image_upload`` with AK/SK)."""

    def __init__(self, task):
        super(StagedUpload, self).__init__(task)
        self.bucket = None
        self.key = None
        self.quick = False
        self.must_wait = True
        self._storage = None
        self._deadline = None
        self._identities = {}       # part size (None: the whole file) -> the file's identity by it

    # -- checks before any request ------------------------------------------------------

    def check_options(self):
        check_multipart_options(self.params)

    def check_file(self):
        """Everything IMS and OBS would refuse, refused before any request; fills bucket, key and quick."""
        p = self.params
        size, disk_format = self.size, self.disk_format
        _staging.require_keys(p, 'ims_image_upload on provider huaweicloud')
        if not p['obs_bucket']:
            raise ImsValidationError('obs_bucket is required with provider huaweicloud: the file is staged in that OBS '
                                     'bucket (of the task\'s region) and IMS imports the image from it.')
        _staging.check_bucket_name('obs_bucket', p['obs_bucket'])
        self.bucket = p['obs_bucket']
        self.key = p['obs_key'] if p['obs_key'] is not None else default_key(p['name'], disk_format)
        _staging.check_key('obs_key', self.key)
        self.quick = p['quick_import'] if p['quick_import'] is not None else (
            disk_format in QUICK_IMPORT_FORMATS and size >= QUICK_IMPORT_FROM)
        if self.quick and disk_format not in QUICK_IMPORT_FORMATS:
            raise ImsValidationError('quick_import takes a RAW file (IMS quick-imports RAW and ZVHD2 files only); %s is a '
                                     '%s file.' % (self.source.description, disk_format))
        _huaweicloud.check_upload_tags(p['tags'])
        _huaweicloud.check_image_options(self._import_params())
        if p['image_type'] == 'whole_image':
            raise ImsValidationError('image_type whole_image is made from a server or a backup, not from a file: use '
                                     'os_image or data_image.')

    def _import_params(self, identity=None):
        """ims_image's options for the import from the staged object (``_huaweicloud.creation_request`` reads them)."""
        p = self.params
        tags = list(p['tags'] or [])
        tags.append({'key': _huaweicloud.SOURCE_MD5_TAG, 'value': identity or '0' * 32})
        return dict(p, import_url=_staging.object_url(self.bucket, self.key), quick_import=self.quick, disk_format=None,
                    instance_id=None, backup_id=None, copy_from=None, vault_id=None, data_images=None,
                    copy_from_region=None, tags=tags)

    # -- the run ---------------------------------------------------------------------------

    @property
    def storage(self):
        if self._storage is None:
            self._storage = _staging.from_params(self.params, self.params['max_concurrency'])
        return self._storage

    def upload(self):
        p = self.params
        self._deadline = self.service.clock() + p['wait_timeout']
        if self.check_mode:
            self.identity(self._part_size())
        self.storage.require_bucket(self.bucket, 'obs_bucket')
        claim = self.service.claim_name(p['name'], reuse=self._pick, discard=self._may_delete, refusal=self._refusal)
        doomed = [i for i in claim.discard if self.kind(i) != LEFTOVER]
        leftovers = [i for i in claim.discard if i not in doomed]
        shares = self.shares_to_move(doomed)
        # An image to replace is deleted only once the new one is active, whatever wait says.
        self.must_wait = p['wait'] or bool(doomed)
        image = claim.reuse
        if image is not None:
            image.pop('scope', None)
        self.result.update(transfer={}, staged_object=dict(bucket=self.bucket, key=self.key))
        if self.check_mode:
            return self._predict(image, claim.discard, shares)
        for old in leftovers:
            self.delete(old)
        if image is None:
            image = self._stage_and_import(claim)
        else:
            self.result['checksum'] = self.identity_of(image)
            if self.kind(image) == PENDING and self.must_wait:
                image = self._wait_active(image, created=False)
        self.result['image'] = image
        if image.get('status') == ACTIVE:
            self._drop_staged()
        else:
            self.result['staged_object'].update(kept=True, reason='IMS reads it until the import job ends')
        self.replace(doomed, image, shares)
        self.set_diff(claim.reuse, image, claim.discard)

    def remaining(self):
        """Seconds left of wait_timeout, which covers the import job and then the image's status."""
        return max(1, self._deadline - self.service.clock())

    # -- the file's identity, and what the images of the name are to the task ------------------

    def _part_size(self):
        """The part size a new upload of the file takes (a resumed one keeps its earlier attempt's)."""
        return fitting_part_size(self.size, self.params['part_size_mb'] * MIB)

    def _identity_key(self, part_size):
        """``part_size``, or None where the file is told by its MD5 whatever the part size: a file of one part, and a
        stream (its source reported its MD5; it is read once, to be sent)."""
        if self.source.sequential or (part_size is not None and part_count(self.size, part_size) == 1):
            return None
        return part_size

    def identity(self, part_size):
        """The file's identity (``parts_identity``) by parts of ``part_size`` bytes, or (None) by its MD5
        (``_identity_key``).  Each is computed once, in one read of the file, or taken from the upload that sent it."""
        part_size = self._identity_key(part_size)
        if part_size not in self._identities:
            self._identities[part_size] = self.local_md5() if part_size is None else parts_identity(
                file_part_md5s(self.source.path, self.size, part_size), part_size)
        return self._identities[part_size]

    def identity_of(self, image):
        """The file's identity read the way ``image``'s source tag tells its own file; None where the tag tells no
        file of this size (a count of parts that does not fit it) or there is none."""
        marked = source_identity(image)
        if marked is None:
            return None
        parts = identity_parts(marked)
        if parts is None:
            return self.identity(None) if MD5_HEX.match(marked) else None
        count, part_size = parts
        return self.identity(part_size) if part_count(self.size, part_size) == count else None

    def kind(self, image):
        status = image.get('status')
        if status == KILLED:
            return LEFTOVER
        marked = source_identity(image)
        if marked is None or marked != self.identity_of(image):
            return OTHER
        return SAME if status == ACTIVE else PENDING

    def _pick(self, images):
        return best_of(images, self.kind, REUSE_ORDER)

    def _may_delete(self, image):
        if self.kind(image) == LEFTOVER:
            return self.params['cleanup_on_failure'] or self.params['replace']
        return self.params['replace']

    def _refusal(self, images):
        p = self.params
        content = [i for i in images if self.kind(i) != LEFTOVER]
        if content:
            return ('Image %r (%s) already holds another file: %s. Set replace: true to upload a new image and delete the '
                    'old one, or choose another name.' % (
                        p['name'], describe_images(content), '; '.join(
                            '%s %s' % (i['image_id'], 'was made from a file told by %s' % describe_identity(source_identity(i))
                                       if source_identity(i)
                                       else 'has no %s tag (it was not uploaded by this module)' % _huaweicloud.SOURCE_MD5_TAG)
                            for i in content) + '; %s is told by %s' % (
                                self.source.description, describe_identity(self.identity(self._part_size())))))
        return leftover_refusal(p['name'], images)

    # -- check mode ------------------------------------------------------------------------

    def _predict(self, image, discard, shares):
        if image is not None and self.kind(image) in (SAME, PENDING):
            self.result['checksum'] = self.identity_of(image)
            planned = image
        else:
            self.result['checksum'] = self.identity(self._part_size())
            params = self._import_params(self.result['checksum'])
            planned = dict(_huaweicloud.predicted_image(params, _huaweicloud.creation_request(params)[1]), status=ACTIVE,
                           tags=['%s=%s' % (t['key'], t['value']) for t in params['tags']])
        self.exit_predicted(image, planned, discard, shares)

    # -- changes ---------------------------------------------------------------------------

    def _stage_and_import(self, claim):
        """Upload the file to the staged object, check it, import the image from it and wait (with wait)."""
        p = self.params
        staged = self.result['staged_object']
        try:
            with transfer_input(self.source) as given:
                transfer = self.storage.upload(given['path'], self.bucket, self.key, self.size, p['part_size_mb'],
                                               p['max_concurrency'], p['resume'], stream=given['stream'])
        except ImsError as exc:
            if getattr(exc, 'resumable', False):
                staged.update(upload_id=exc.upload_id, parts_stored=exc.parts_stored)
                self.task.record_change()
                add_notes(exc, ['%d part(s) (%d bytes) of unfinished upload %s stay in %s: run the task again to send '
                                'only what is missing, or set resume: false to start over' % (
                                    exc.parts_stored, exc.bytes_stored, exc.upload_id,
                                    _staging.object_url(self.bucket, self.key))])
            raise
        for warning in transfer['warnings']:
            self.task.warn(warning)
        identity = self._sent_identity(transfer)
        self.record_transfer(dict(md5=transfer['md5']) if transfer['md5'] else {}, _transfer.upload_figures(transfer))
        self.result['checksum'] = identity
        staged.update(size=self.size)
        self.task.record_change()
        try:
            self._check_staged(transfer)
            params = self._import_params(identity)
            kind, body = _huaweicloud.creation_request(params)
            predicted = dict(_huaweicloud.predicted_image(params, body), image_id=None)
            image = self.service.create_once(
                lambda: self._made_by_job(lambda: self.backend.create_by_job(kind, body), predicted), claim)
        except ImsError as exc:
            add_notes(exc, self._cleanup(claim))
            raise
        self.task.record_change(image=image)
        if self.must_wait and image.get('image_id'):
            image = self._wait_active(image, created=True, claim=claim)
        return image

    def _sent_identity(self, transfer):
        """The identity of what the upload sent: a stream's MD5 (its reader's), else the file's by the parts' MD5s."""
        if transfer['md5']:
            return transfer['md5']
        identity = parts_identity(transfer['part_md5s'], transfer['part_size'])
        self._identities[self._identity_key(transfer['part_size'])] = identity
        return identity

    def _check_staged(self, transfer):
        """The staged object holds the file's bytes: its size, and its ETag where it is the one the parts' MD5s give
        (each part's MD5 was checked as it was stored; a storage whose ETag is the MD5 of the whole object, as
        rclone's, is told by the size and the parts' checks)."""
        found = self.storage.head(self.bucket, self.key)
        if found is None or found['size'] != self.size:
            raise ImsError('The staged object %s %s, but %s has %d bytes; nothing was imported.' % (
                _staging.object_url(self.bucket, self.key), 'is missing' if found is None else 'has %d bytes' % found['size'],
                self.source.description, self.size))
        md5s = transfer.get('part_md5s') or []
        expected = multipart_etag(md5s) if md5s and '-' in found['etag'] else md5s[0] if len(md5s) == 1 else None
        if expected and found['etag'] != expected:
            raise ImsError('The staged object %s has the ETag %s, but the parts sent give %s; nothing was imported.' % (
                _staging.object_url(self.bucket, self.key), found['etag'], expected))
        self.result['staged_object']['etag'] = found['etag']

    def _made_by_job(self, submit, predicted):
        """``submit()`` the import job; with wait, the image it made, else the image once it is listed (so that a run
        after this one finds it by name instead of importing again)."""
        p = self.params
        answer = submit()
        self.task.record_change(job_id=answer['job_id'])
        if not self.must_wait:
            return self.service.wait_until_listed(p['name'], self.remaining())
        job = self.service.wait_for_job(answer['job_id'], self.remaining())
        self.result['job_id'] = job.get('job_id') or answer['job_id']
        for image_id in job['image_ids']:
            image = self.backend.get_image(image_id)
            if image is not None and image.get('name') == p['name']:
                return image
        return self.service.find_image(name=p['name'], exclude_statuses=(KILLED,)) or \
            dict(predicted, image_id=job['image_id'])

    def _wait_active(self, image, created, claim=None):
        """Wait until the image is active, then check it was made from the staged object."""
        try:
            image = self.service.wait_for_status(image['image_id'], timeout=self.remaining())
        except ImsError as exc:
            if created:
                add_notes(exc, self._cleanup(claim))
            raise
        origin = image.get('__data_origin')
        expected = 'file,%s:%s' % (self.bucket, self.key)
        if created and origin and origin != expected:
            raise ImsError('Image %s became active from %s, not from the staged object %s.' % (
                image['image_id'], origin, expected))
        return image

    def _drop_staged(self):
        """Delete the staged object once the image is active, unless keep_staged_object."""
        staged = self.result['staged_object']
        if self.params['keep_staged_object']:
            staged['kept'] = True
            return
        if self.storage.head(self.bucket, self.key) is None:
            return
        self.storage.delete(self.bucket, self.key)
        staged['deleted'] = True
        self.task.record_change()

    def _cleanup(self, claim):
        """After a failure: the images this run made that failed, and the staged object, deleted where asked."""
        p = self.params
        notes = []
        if not p['cleanup_on_failure']:
            return ['what this run made was kept (cleanup_on_failure is false)']
        made = [i for i in self.service.list_images(scope='private', name=p['name'])
                if claim is not None and i.get('image_id') not in claim.known_ids]
        for image in made:
            if image.get('status') == KILLED:
                notes.append(self.cleanup(image['image_id'], created=True))
        importing = [i['image_id'] for i in made if i.get('status') in (QUEUED, SAVING)]
        if importing:
            self.result['staged_object'].update(kept=True, reason='IMS reads it until the import job ends')
            notes.append('the staged object %s was kept: image %s is still being imported from it; run the task '
                         'again to wait for it' % (_staging.object_url(self.bucket, self.key), ', '.join(importing)))
        elif not p['keep_staged_object']:
            try:
                self.storage.delete(self.bucket, self.key)
                self.result['staged_object']['deleted'] = True
                notes.append('the staged object %s was deleted' % _staging.object_url(self.bucket, self.key))
            except ImsError as exc:
                notes.append('deleting the staged object failed: %s' % exc.message)
        return notes

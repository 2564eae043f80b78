# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_export on Huawei Cloud: IMS exports into the user's own object storage (OBS).

``bucket`` + ``key``: IMS's export job writes the image file to that object (IMS never overwrites one:
IMG.0070), and the job is waited for.  An object already at that key is the export a run made before:
the task is unchanged (``force`` deletes it and exports again).

``dest``: the image is exported to a staging object (``obs_bucket``/``obs_key``), downloaded from there
through boto3 into a temporary file beside ``dest``, checked (size, and MD5 where the object's ETag is
one), renamed over ``dest``, and the staging object deleted unless ``keep_staged_object``.  ``dest``
then carries an extended attribute naming the image, format, size and MD5, so a re-run finds it holds
the export already (unchanged) without exporting again; where the file system has no extended
attributes, the task says so and a re-run exports again.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os

from ansible_collections.cecloud.ims.plugins.module_utils._backend import ExportTarget
from ansible_collections.cecloud.ims.plugins.module_utils._core import object_storage as _staging
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsTransportError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._export_flow import ImageExport
from ansible_collections.cecloud.ims.plugins.module_utils._service import RESEND

DEFAULT_FORMAT = 'qcow2'
QUICK_FORMAT = 'zvhd2'          # what a quick export writes (Huawei IMS API: Exporting an Image, POST /v1/cloudimages/{image_id}/file)
MARKER = 'user.cecloud_ims.export'
STAGING_PREFIX = 'ims-export/'
PLAIN_MD5_LENGTH = 32


def export_format(params):
    """The format of the exported file: ``file_format`` (qcow2 by default), or ZVHD2 for a quick export."""
    return QUICK_FORMAT if params['quick_export'] else (params['file_format'] or DEFAULT_FORMAT)


def check_export_key(option, key):
    """An object key IMS can export an image to: a valid OBS key without spaces (IMS refuses them, IMG.0175)."""
    _staging.check_key(option, key)
    if ' ' in key:
        raise ImsValidationError('%s must not contain spaces (IMS refuses them in an export, IMG.0175); got %r.'
                                 % (option, key))


def read_marker(path):
    """The export a file at ``path`` holds, as the module noted it (dict), or None."""
    try:
        return json.loads(os.getxattr(path, MARKER).decode('utf-8'))
    except (AttributeError, OSError, ValueError):
        return None


def write_marker(path, facts):
    """Note on ``path`` which export it holds; False where the file system keeps no extended attributes."""
    try:
        os.setxattr(path, MARKER, json.dumps(facts, sort_keys=True).encode('utf-8'))
    except (AttributeError, OSError):
        return False
    return True


def export_object(service, storage, image, target, timeout, started):
    """Export ``image`` to the OBS object ``target`` (an ExportTarget) and wait for IMS's job (``started(job_id)`` is
    told once it is sent); returns the object's ``{size, etag}``."""
    bucket, key = target.bucket, target.key

    def send():
        answer = service.backend.export_image(image['image_id'], target)
        started(answer['job_id'])
        service.wait_for_job(answer['job_id'], timeout)
        return True

    def settled():
        # The export's only trace is the object it writes (IMS lists no export jobs).
        return True if storage.head(bucket, key) is not None else RESEND
    service.converge(send, settled)
    found = storage.head(bucket, key)
    if found is None:
        raise ImsError('The export job of image %s succeeded, but %s holds no object.' % (
            image['image_id'], _staging.object_url(bucket, key)))
    return found


class _TaskStorage:
    """The task's OBS (``params``' object storage options), connected on first use."""

    _storage = None

    @property
    def storage(self):
        if self._storage is None:
            self._storage = _staging.from_params(self.params)
        return self._storage


class StagedExport(_TaskStorage, ImageExport):
    """One ims_image_export task on Huawei Cloud: to an OBS object, or to ``dest`` through a staging object."""

    # -- checks before any request ------------------------------------------------------

    def validate(self):
        p = self.params
        _staging.require_keys(p, 'ims_image_export on provider huaweicloud')
        if p['quick_export'] and p['file_format']:
            raise ImsValidationError('file_format and quick_export exclude each other: a quick export writes ZVHD2.')
        if p['bucket'] is not None:
            _staging.check_bucket_name('bucket', p['bucket'])
            if not p['key']:
                raise ImsValidationError('key is required with bucket on provider huaweicloud: the object IMS writes the '
                                         'image file to.')
            check_export_key('key', p['key'])
        else:
            if not p['obs_bucket']:
                raise ImsValidationError('obs_bucket is required with dest on provider huaweicloud: IMS exports the image '
                                         'to a staging object in that OBS bucket, which is then downloaded.')
            _staging.check_bucket_name('obs_bucket', p['obs_bucket'])
            if p['obs_key'] is not None:
                _staging.check_key('obs_key', p['obs_key'])

    # -- export to a bucket -------------------------------------------------------------------

    def to_bucket(self, image):
        m, p = self.task, self.params
        bucket, key = p['bucket'], p['key']
        self.storage.require_bucket(bucket, 'bucket')
        found = self.storage.head(bucket, key)
        m.result['object'] = dict(bucket=bucket, key=key, file_format=export_format(p))
        if found is not None and not p['force']:
            m.result['object'].update(found, exported=False)
            return
        m.result.update(changed=True)
        if m.check_mode:
            return
        if found is not None:
            self.storage.delete(bucket, key)
        m.result['object'].update(self._export(image, bucket, key), exported=True)

    def _export(self, image, bucket, key):
        """Export the image to ``bucket/key`` and wait for the job; returns the object's ``{size, etag}``."""
        p = self.params
        target = ExportTarget(bucket, key=key, file_format=p['file_format'] or DEFAULT_FORMAT, quick=p['quick_export'])
        return export_object(self.service, self.storage, image, target, p['wait_timeout'],
                             lambda job_id: self.task.record_change(job_id=job_id))

    # -- download through a staging object ------------------------------------------------------

    def file_format(self, image):
        return export_format(self.params)

    def download(self, image, dest, mode):
        """The export at ``dest``; the diff's (before, after), without the marker's ``holds``."""
        before, after = self._to_file(image, dest, mode)
        before.pop('holds', None)
        after.pop('holds', None)
        return before, after

    def _to_file(self, image, dest, mode):
        m, p = self.task, self.params
        fmt = export_format(p)
        key = p['obs_key'] or '%s%s.%s' % (STAGING_PREFIX, image['image_id'], fmt)
        m.result.update(dest=dest, transfer={}, staged_object=dict(bucket=p['obs_bucket'], key=key))
        before = self._holds(dest, image, fmt)
        noted = before.pop('verified', None)     # the check an earlier download passed: no fact of the diff
        if before.get('holds') and not p['force']:
            m.result.update(checksum=before['md5'], verified=noted)
            return before, dict(before)
        self.storage.require_bucket(p['obs_bucket'], 'obs_bucket')
        after = dict(path=dest, image_id=image['image_id'], file_format=fmt)
        m.result['changed'] = True
        if m.check_mode:
            return before, after
        staged = self.storage.head(p['obs_bucket'], key)
        if staged is None:
            staged = self._export(image, p['obs_bucket'], key)
            m.result['staged_object']['exported'] = True
        else:
            m.result['staged_object']['exported'] = False     # kept by an earlier run (keep_staged_object)
        m.result['staged_object'].update(staged)
        stats, verified = self._fetch(p['obs_bucket'], key, staged, dest, mode)
        m.result.update(checksum=stats['md5'], verified=verified, transfer=dict(
            bytes=stats['bytes'], seconds=round(stats['seconds'], 3),
            mib_per_s=_transfer.mib_per_s(stats['bytes'], stats['seconds'])))
        if verified['algorithm'] == 'none':
            m.warn('The MD5 of %s could not be checked: the staged object %s has the ETag %s, which is no MD5 of its '
                   'bytes, and the object storage does not say its part size; its size (%d bytes) was checked.' % (
                       dest, _staging.object_url(p['obs_bucket'], key), staged['etag'], staged['size']))
        # The check the download passed stays with the file: a re-run that finds it unchanged reports it again.
        facts = dict(image_id=image['image_id'], file_format=fmt, size=stats['bytes'], md5=stats['md5'], verified=verified)
        if not write_marker(dest, facts):
            m.warn('%s keeps no extended attributes, so a re-run cannot tell that it holds this export and exports '
                   'again.' % dest)
        self._drop_staged(key)
        after.update(size=stats['bytes'], md5=stats['md5'])
        return before, after

    def _fetch(self, bucket, key, staged, dest, mode):
        """Download the staging object into ``dest``, checked against its ETag: the MD5 of its bytes, or for an
        object completed from parts the MD5 of its parts' MD5s (the part size read with HEAD PartNumber=1)."""
        etag = staged['etag']
        chunks = self.storage.chunks(bucket, key)
        size = staged['size']
        if _plain_md5(etag):
            return _transfer.download(chunks, dest, expected_md5=etag, expected_size=size, mode=mode), \
                _transfer.verification('md5', etag, size)
        part_size = self.storage.first_part_size(bucket, key, size, etag)
        if part_size is None:
            return _transfer.download(chunks, dest, expected_size=size, mode=mode), _transfer.verification(None, None, size)
        digests = _staging.PartDigests(part_size)

        def check():
            if digests.etag() != etag:
                raise ImsTransportError('The downloaded bytes do not match the staged object (parts\' ETag %s, expected '
                                        '%s); %s was left as it was.' % (digests.etag(), etag, dest))
        stats = _transfer.download(_staging.hashed_parts(chunks, digests), dest, expected_size=size, mode=mode, check=check)
        return stats, _transfer.verification('md5', stats['md5'], size, part_size=part_size)

    def _holds(self, dest, image, fmt):
        """What ``dest`` holds now; ``holds`` when it is this image's export in this format, unchanged since."""
        if not os.path.isfile(dest):
            return dict(path=dest, state='absent')
        facts = dict(path=dest, size=os.path.getsize(dest))
        marker = read_marker(dest)
        if marker and marker.get('image_id') == image['image_id'] and marker.get('file_format') == fmt \
                and marker.get('size') == facts['size']:
            facts['md5'] = _transfer.md5_file(dest)
            facts.update(image_id=image['image_id'], file_format=fmt, holds=facts['md5'] == marker.get('md5'),
                         verified=marker.get('verified') or _transfer.verification(None, None, facts['size']))
        return facts

    def _drop_staged(self, key):
        staged = self.result['staged_object']
        if self.params['keep_staged_object']:
            staged['kept'] = True
            return
        self.storage.delete(self.params['obs_bucket'], key)
        staged['deleted'] = True


class _ObjectStream:
    """An OBS object's chunks as the ``read(n)`` ims_image_replicate's fanout reads; ``close()`` ends the download."""

    def __init__(self, chunks):
        self._chunks = chunks

    def read(self, amount=-1):  # pylint: disable=unused-argument
        return next(self._chunks, b'')

    def close(self):
        self._chunks.close()


class ExportRead(_TaskStorage):
    """``Backend.replica_read`` of a Huawei image (the ``_replicate_flow.DownloadRead`` methods): IMS has no download,
    so the image is exported (Huawei IMS API: Exporting an Image, POST /v1/cloudimages/{image_id}/file) to the OBS
    object ``obs_bucket``/``obs_key`` (``ims-export/<image id>.qcow2`` by default), which each batch of streamed targets
    then reads once.

    The export converts the image to qcow2, so the hash the image carries (the MD5 of the file it was uploaded from)
    need not be the export's: the bytes read are checked against the object's own MD5 (its ETag; for an object IMS
    wrote in parts, one read first computes it, checked against the parts' ETag where OBS says its part size).
    An object already at the key is the export of this image an earlier run left (a run whose targets did not all
    succeed keeps it): it is read, not exported again. Once every streamed target is served the object is deleted,
    unless ``keep_staged_object``."""

    def __init__(self, backend, params):
        self.backend = backend
        self.params = params
        self.changed = False
        self.facts = None
        self._object = None

    def check(self, image):
        p = self.params
        _staging.require_keys(p, 'Reading a huaweicloud image for a streamed target (IMS exports it to OBS)')
        if not p.get('obs_bucket'):
            raise ImsValidationError(
                'obs_bucket is required: a target takes the bytes of the huaweicloud image %s through the host '
                '(streamed), and IMS has no download: it exports the image to an object in that OBS bucket (of the '
                'source\'s region), which is then read once for the streamed targets.' % image['image_id'])
        _staging.check_bucket_name('obs_bucket', p['obs_bucket'])
        key = p.get('obs_key') or '%s%s.%s' % (STAGING_PREFIX, image['image_id'], DEFAULT_FORMAT)
        check_export_key('obs_key', key)
        self.storage.require_bucket(p['obs_bucket'], 'obs_bucket')
        self.facts = dict(bucket=p['obs_bucket'], key=key, file_format=DEFAULT_FORMAT)

    def open(self, service, image, hashes):  # pylint: disable=unused-argument
        # Imported here: the replication flow imports the registry, which imports this provider's backend.
        from ansible_collections.cecloud.ims.plugins.module_utils._replicate_flow import SourceRead
        bucket, key = self.facts['bucket'], self.facts['key']
        if self._object is None:
            found = self.storage.head(bucket, key)
            self.facts['exported'] = found is None
            if found is None:
                self.changed = True
                found = export_object(service, self.storage, image, ExportTarget(bucket, key=key, file_format=DEFAULT_FORMAT),
                                      self.params['wait_timeout'], lambda job_id: self.facts.update(job_id=job_id))
            self.facts.update(found)
            self._object = dict(found, md5=found['etag'] if _plain_md5(found['etag']) else self._digest(found))
        return SourceRead(_ObjectStream(self.storage.chunks(bucket, key)), self._object['size'],
                          dict(md5=self._object['md5']), DEFAULT_FORMAT, 'the exported object %s' % _staging.object_url(bucket, key))

    def _digest(self, found):
        """The MD5 of an object OBS completed from parts (its ETag is none), read once before the streamed read."""
        bucket, key = self.facts['bucket'], self.facts['key']
        digest = hashlib.md5()
        part_size = self.storage.first_part_size(bucket, key, found['size'], found['etag'])
        parts = _staging.PartDigests(part_size) if part_size else None
        read = 0
        for chunk in self.storage.chunks(bucket, key):
            digest.update(chunk)
            read += len(chunk)
            if parts is not None:
                parts.feed(chunk)
        if read != found['size'] or (parts is not None and parts.etag() != found['etag']):
            raise ImsTransportError('The exported object %s read back as %d bytes%s, not the %d bytes of ETag %s.' % (
                _staging.object_url(bucket, key), read, ' of parts\' ETag %s' % parts.etag() if parts else '',
                found['size'], found['etag']))
        return digest.hexdigest()

    def finish(self, succeeded):
        if self._object is None:
            return
        if succeeded and not self.params['keep_staged_object']:
            try:
                self.storage.delete(self.facts['bucket'], self.facts['key'])
            except ImsError as exc:
                # Every target holds the image: a re-run finds them unchanged, so the object is only left over.
                self.facts.update(kept=True, error=exc.message)
                return
            self.facts['deleted'] = True
        else:
            self.facts['kept'] = True


def _plain_md5(etag):
    return len(etag) == PLAIN_MD5_LENGTH and '-' not in etag

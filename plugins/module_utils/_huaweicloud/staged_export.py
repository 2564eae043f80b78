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


class StagedExport(ImageExport):
    """One ims_image_export task on Huawei Cloud: to an OBS object, or to ``dest`` through a staging object."""

    def __init__(self, task):
        super(StagedExport, self).__init__(task)
        self._storage = None

    @property
    def storage(self):
        if self._storage is None:
            self._storage = _staging.from_params(self.params)
        return self._storage

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
            _staging.check_key('key', p['key'])
            if ' ' in p['key']:
                raise ImsValidationError('key must not contain spaces (IMS refuses them in an export, IMG.0175); got %r.'
                                         % p['key'])
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
        m, p = self.task, self.params
        target = ExportTarget(bucket, key=key, file_format=p['file_format'] or DEFAULT_FORMAT, quick=p['quick_export'])

        def send():
            answer = self.backend.export_image(image['image_id'], target)
            m.record_change(job_id=answer['job_id'])
            self.service.wait_for_job(answer['job_id'], p['wait_timeout'])
            return True

        def settled():
            # The export's only trace is the object it writes (IMS lists no export jobs).
            return True if self.storage.head(bucket, key) is not None else RESEND
        self.service.converge(send, settled)
        found = self.storage.head(bucket, key)
        if found is None:
            raise ImsError('The export job of image %s succeeded, but %s holds no object.' % (
                image['image_id'], _staging.object_url(bucket, key)))
        return found

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
        if len(etag) == PLAIN_MD5_LENGTH and '-' not in etag:
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

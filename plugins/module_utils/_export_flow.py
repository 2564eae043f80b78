# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ImageExport: what the providers' ims_image_export flows share.

It checks the task against the provider's ``export_targets``, finds the image, and either exports it to
a bucket (``to_bucket``, the provider's own) or downloads it to ``dest``: by default straight from the
image service (``open_download``), verified by the strongest hash the service reports, through a
temporary file that replaces ``dest`` only when it passed (``_core.streams.write_verified``).  A
provider that gets the file another way (Huawei: staged in OBS) overrides ``download``.  It sees the
task through a ``_module.Task`` only.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat
import time

from ansible_collections.cecloud.ims.plugins.module_utils._backend import EXPORT_TO_BUCKET, EXPORT_TO_FILE
from ansible_collections.cecloud.ims.plugins.module_utils._core import streams as _streams
from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsTransportError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._flow import Flow

ACTIVE = 'active'


class ImageExport(Flow):
    """One ims_image_export task: the image's file in a bucket (``bucket``) or at a local path (``dest``)."""

    def run(self):
        p = self.params
        targets = self.backend.export_targets
        if p['bucket'] is not None:
            self._require(EXPORT_TO_BUCKET in targets, 'export an image to a bucket (bucket)', 'use dest to download the image')
        else:
            self._require(EXPORT_TO_FILE in targets, 'download an image (dest)', 'use bucket to export the image')
            check_dest(p['dest'])
        self.validate()
        image = self.service.resolve_image(p['image'])
        self.result['image'] = image
        if image.get('status') != ACTIVE:
            raise ImsValidationError('Image %s (%s) is %s; only active images can be %s.' % (
                image['image_id'], image.get('name'), image.get('status'), 'exported' if p['bucket'] else 'downloaded'))
        if p['bucket']:
            self.to_bucket(image)
            return
        dest = p['dest']
        if os.path.isdir(dest):
            dest = os.path.join(dest, '%s.%s' % (image['image_id'], self.file_format(image)))
        before, after = self.download(image, dest, mode_of(dest))
        diff = dict(before=before, after=after)
        if os.path.exists(dest):
            self.task.apply_file_attributes(dest, diff)
        self.task.set_diff(diff['before'], diff['after'])

    def _require(self, supported, what, instead):
        if not supported:
            raise self.backend.unsupported(what, instead)

    # -- what a provider adds ----------------------------------------------------------------

    def validate(self):
        """The provider's checks of the task's options, before any request."""

    def to_bucket(self, image):
        """Export ``image`` to the task's ``bucket`` (a provider whose ``export_targets`` has EXPORT_TO_BUCKET)."""
        raise NotImplementedError

    def file_format(self, image):
        """The file name extension of a download into a folder: the format of the file."""
        return image.get('disk_format') or 'img'

    # -- download from the image service -------------------------------------------------------

    def download(self, image, dest, mode):
        """Download ``image`` to ``dest`` unless ``dest`` holds it already; the new file keeps ``mode`` (None: a new
        file). Returns the diff's (before, after)."""
        p = self.params
        hashes = self.backend.data_hashes(image)
        # One hash proves the bytes are the service's: the strongest it reports (Glance: os_hash_value, SHA-512).
        verified = self.backend.strongest_hash(hashes)
        algorithm, expected = verified if verified else ('md5', None)
        size = image.get('size')
        self.result.update(dest=dest, transfer={}, verified=_transfer.verification(algorithm if verified else None, expected, size))
        if not verified:
            reported = ('a checksum of %d characters, no digest whose algorithm its length tells (MD5, SHA-256, SHA-512)'
                        % len(image['checksum'])) if image.get('checksum') else 'no checksum (neither checksum nor os_hash_value)'
            self.task.warn('Image %s reports %s: the bytes downloaded to %s cannot be verified, only their size%s; and '
                           'whether %s already holds them cannot be told, so it is downloaded again.'
                           % (image['image_id'], reported, dest, '' if size else ' (which it does not report either)', dest))
        before = present_file(dest, size, algorithm, expected, hash_it=not p['force'])
        after = dict((k, v) for k, v in (('path', dest), ('size', size), (algorithm, expected)) if v is not None)
        if expected and before.get(algorithm) == expected:
            self.result['checksum'] = hashes.get('md5')
        else:
            self.result['changed'] = True
            if self.check_mode:
                self.result['checksum'] = hashes.get('md5')
            else:
                self._fetch(image, dest, algorithm, expected, size, mode)
        return before, after

    def _fetch(self, image, dest, algorithm, expected, size, mode):
        """Download into ``dest``, checked against ``expected`` (by ``algorithm``) and ``size``.

        The file's MD5 is computed beside the verified hash only where that hash is the MD5 or the image
        reports no MD5 (a second digest would cost a core at download speed).
        """
        md5_known = self.backend.data_hashes(image).get('md5')
        started = time.time()
        response = self.backend.open_download(image['image_id'])
        try:
            stats = _streams.write_verified(_chunks(response, image['image_id']), dest, expected={algorithm: expected},
                                            expected_size=size, mode=mode, algorithms=() if md5_known else ('md5',))
        finally:
            response.close()
        seconds = max(time.time() - started, 1e-6)    # the request included, as the service's first byte is
        self.result.update(checksum=stats['digests'].get('md5') or md5_known, transfer=dict(
            bytes=stats['bytes'], seconds=round(seconds, 3), mib_per_s=_transfer.mib_per_s(stats['bytes'], seconds)))


def check_dest(dest):
    """Refuse, before any request, a ``dest`` the downloaded file could not be renamed to."""
    if os.path.isdir(dest):
        return
    if dest.endswith(('/', os.sep)):
        # Without this check the path's parent passes, the whole file is downloaded, and the rename fails.
        raise ImsValidationError('dest %s ends with a slash, so it names a folder, and that folder does not exist: '
                                 'create it first, or give the path of a file.' % dest)
    folder = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(folder):
        raise ImsValidationError('The folder of dest %s does not exist (%s): create it first.' % (dest, folder))
    if os.path.exists(dest) and not os.path.isfile(dest):
        raise ImsValidationError('dest %s exists and is not a regular file.' % dest)
    if not os.access(folder, os.W_OK):
        raise ImsValidationError('The folder of dest %s (%s) is not writable.' % (dest, folder))


def mode_of(path):
    """The permission bits of an existing file, else None."""
    return stat.S_IMODE(os.stat(path).st_mode) if os.path.isfile(path) else None


def present_file(path, expected_size, algorithm, expected, hash_it):
    """What ``path`` holds now: ``path`` and ``state: absent``, or its ``size`` and, when it is worth reading
    (the size matches the image's and ``hash_it``), its hash by ``algorithm``."""
    if not os.path.isfile(path):
        return dict(path=path, state='absent')
    facts = dict(path=path, size=os.path.getsize(path))
    if hash_it and expected and (expected_size is None or facts['size'] == expected_size):
        facts[algorithm] = _streams.hash_file(path, (algorithm,))[algorithm]
    return facts


def _chunks(response, image_id):
    """The response's bytes; a broken connection becomes an ImsTransportError."""
    try:
        yield from response.iter_content(_streams.CHUNK)
    except ImsError:
        raise
    except Exception as exc:  # pylint: disable=broad-except
        # requests/urllib3 raise several unrelated classes for a connection cut mid-body.
        raise ImsTransportError('The download of image %s broke off: %s: %s' % (image_id, type(exc).__name__, exc))

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the providers' ims_image_upload flows share.

A provider's ``Backend.image_upload(task)`` returns one of its flows, built on these classes:

* ``UploadFlow``: the checks of the file, its hashes, and the steps every upload takes the same way
  (the shares of an image to replace, deleting the images it replaces, cleanup, check mode's exit, the diff);
* ``ImageRecordUpload``: the upload into an image record of the service itself.  It claims the image's
  name, tells what each image of the name is to the task, reuses, replaces (moving the shares), predicts
  (check mode), sends the file with the provider's sender (``sender``) and checks the service's hashes
  of what it stored.  A provider subclasses it with its metadata checks and its creation body;
* ``DirectPutUpload``: the sender of one streamed PUT of the file into the image record (OpenStack
  Image API v2: upload binary image data, PUT /v2/images/{image_id}/file, which Huawei IMS serves too).

A sender sends the file and records RV(checksum) and RV(transfer); on failure it adds to the error
what it did, and leaves the image record to the flow's ``cleanup`` (which knows where the record came
from and ``cleanup_on_failure``).  Waiting for the image and checking the service's hashes stay with
the flow: a reused image is checked the same way.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer as _transfer
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsValidationError, add_notes
from ansible_collections.cecloud.ims.plugins.module_utils._flow import Flow
from ansible_collections.cecloud.ims.plugins.module_utils._service import (
    ACTIVE, KILLED, QUEUED, SAVING, describe_images, is_ambiguous)
from ansible_collections.cecloud.ims.plugins.module_utils._upload_source import detect_format, source_of

# What an image of the task's name is to an ImageRecordUpload (ImageRecordUpload.kind).
SAME = 'holds src'                  # active or saving, with the file's hashes
SAME_SIZE = 'saving src'            # saving, no checksum yet, the file's size: the upload an earlier run started
UNKNOWN = 'saving, unknown'         # saving, neither checksum nor size shown yet
OTHER = 'holds another file'        # active or saving with another checksum or size
EMPTY = 'queued'                    # queued with the file's disk format: ready for the file
LEFTOVER = 'left by a failed run'   # killed, or queued with another disk format
# Which one an upload reuses when several images of the name could be its own.
REUSE_ORDER = (SAME, SAME_SIZE, EMPTY)


def best_of(images, kind_of, order):
    """The first image of the first kind in ``order`` that ``kind_of(image)`` finds (listings are newest first)."""
    for kind in order:
        found = [i for i in images if kind_of(i) == kind]
        if found:
            return found[0]
    return None


def differing_hashes(reported, local):
    """The service's hashes of an image (``reported``) that differ from the file's (``local``), by algorithm."""
    return dict((a, v) for a, v in reported.items() if a in local and local[a] != v)


def describe_hashes(hashes):
    return ', '.join('%s %s' % (algorithm.upper(), value) for algorithm, value in sorted(hashes.items()))


def check_multipart_options(params):
    """Refuse, before any request, a part size or a concurrency the multipart upload to object storage cannot use."""
    if not _transfer.MIN_PART_SIZE_MB <= params['part_size_mb'] <= _transfer.MAX_PART_SIZE_MB:
        raise ImsValidationError('part_size_mb must be between %d and %d; got %s.' % (
            _transfer.MIN_PART_SIZE_MB, _transfer.MAX_PART_SIZE_MB, params['part_size_mb']))
    if not 1 <= params['max_concurrency'] <= _transfer.MAX_CONCURRENCY:
        raise ImsValidationError('max_concurrency must be between 1 and %d; got %s.' % (
            _transfer.MAX_CONCURRENCY, params['max_concurrency']))


def leftover_refusal(name, images):
    """claim_name's refusal for images of the name that failed runs left, when the task may not delete them."""
    return ('Image %r (%s) is left by a failed run. Set cleanup_on_failure: true to delete it, or delete it yourself '
            '(cecloud.ims.ims_image state: absent).' % (name, describe_images(images)))


def _summary(image):
    if not image:
        return {}
    return dict((k, image.get(k)) for k in ('image_id', 'name', 'status', 'disk_format', 'checksum', 'size'))


class UploadFlow(Flow):
    """One ims_image_upload task: the file's checks and hashes, and the steps every provider's upload takes alike.

    ``run()`` checks the options (``check_options``), the file (its size, its disk format, then
    ``check_file``), all before any request, then calls ``upload()``, which the provider's flow writes.
    The bytes come from ``source`` (``_upload_source``): the task's, or the file ``src``.
    """

    def __init__(self, task):
        super(UploadFlow, self).__init__(task)
        self._source = None
        self.size = None
        self.disk_format = None
        self.hashes = {}

    def run(self):
        self.check_options()
        self.size = self.source.size
        self.disk_format = self._detected_format()
        self.check_file()
        self.upload()

    @property
    def source(self):
        if self._source is None:
            self._source = source_of(self.task)
        return self._source

    def check_options(self):
        """Refuse, before any request, the options the provider's upload cannot take."""
        raise NotImplementedError

    def check_file(self):
        """Refuse, before any request, a file (``self.size``, ``self.disk_format``) the provider's upload cannot take."""

    def upload(self):
        raise NotImplementedError

    def _detected_format(self):
        # Detected from the first bytes (peeked: a stream is not read twice); the source's declared format is the
        # default a task's disk_format overrides, checked the same way.
        declared = self.params['disk_format'] or self.source.disk_format
        detected = detect_format(self.source.peek(len(_transfer.QCOW2_MAGIC)))
        if declared and declared != detected:
            raise ImsValidationError('disk_format is %s but %s is a %s file (%s); fix disk_format or omit it to use the '
                                     'detected format.' % (declared, self.source.description, detected,
                                                           'it starts with the qcow2 magic' if detected == 'qcow2'
                                                           else 'it lacks the qcow2 magic QFI\\xfb'))
        return detected

    # -- the file's hashes -------------------------------------------------------------------

    def local_hashes(self, algorithms=()):
        """{algorithm: hex} of the file: the backend's upload hashes and ``algorithms``, each computed once.

        An upload computes them while it sends the file instead; a look-up (is the image of this name the
        file?) reads the file once for all of them.
        """
        missing = [a for a in tuple(self.backend.upload_hashes) + tuple(algorithms) if a not in self.hashes]
        if missing:
            # A file is read once for all of them; a stream answers those its source reported.
            self.hashes.update(self.source.hashes(missing))
        return self.hashes

    def local_md5(self):
        return self.local_hashes()['md5']

    def record_transfer(self, hashes, figures):
        """RV(checksum), RV(hashes) and RV(transfer) of the upload (``hashes``: of the file, computed as it was sent)."""
        self.hashes.update(hashes)
        self.source.learn(hashes)
        self.result['checksum'] = hashes.get('md5')
        self.result['transfer'] = figures

    # -- replacing images ---------------------------------------------------------------------

    def shares_to_move(self, doomed):
        """{image id: user ids} of the images to delete that are shared; refused up front unless force=true."""
        shares = {}
        for image in doomed:
            if image.get('status') == ACTIVE and self.backend.can_have_members(image):
                users = [share.get('user_id') for share in self.service.list_shares(image['image_id'])]
                if users:
                    shares[image['image_id']] = users
        if shares and not self.params['force']:
            raise ImsValidationError(
                'replace: true would delete %s, which %s shared (%s), and its users would lose the image. '
                'Set force: true to share the new image with the same users and then unshare and delete the old one, '
                'or remove the shares first (cecloud.ims.ims_image_share).' % (
                    ', '.join(sorted(shares)), 'is' if len(shares) == 1 else 'are',
                    '; '.join('%s with %s' % (i, ', '.join(u)) for i, u in sorted(shares.items()))))
        return shares

    def delete(self, image, move_shares_to=None):
        self.service.delete_image(image['image_id'], move_shares_to=move_shares_to, timeout=self.params['wait_timeout'])
        self.task.record_change()
        self.result.setdefault('replaced', []).append(image['image_id'])

    def replace(self, doomed, image, shares):
        """Delete the images ``image`` replaces, moving the shares of those ``shares`` lists to it."""
        for old in doomed:
            self.delete(old, move_shares_to=image['image_id'] if shares.get(old['image_id']) else None)
        if shares:
            self.result['shares_moved'] = shares

    def cleanup(self, image_id, created):
        """After a failure: delete the image when this run ``created`` it and cleanup_on_failure; says what happened."""
        if not created:
            return 'image %s, reused from an earlier run, was kept' % image_id
        if not self.params['cleanup_on_failure']:
            return 'image %s was kept (cleanup_on_failure is false)' % image_id
        try:
            self.service.delete_once(image_id)
        except ImsError as exc:
            return 'deleting image %s failed: %s' % (image_id, exc.message)
        self.task.record_change(image=dict(self.result.get('image') or {}, status='deleted'))
        return 'image %s was deleted' % image_id

    # -- check mode and diff ---------------------------------------------------------------------

    def set_diff(self, before, after, deleted):
        """The task's diff: the image the name refers to, then one entry per image the task deletes."""
        also = [(_summary(i), {}, 'image %s (deleted)' % i['image_id']) for i in deleted]
        self.task.set_diff(_summary(before), _summary(after), also)

    def exit_predicted(self, image, planned, discard, shares, **fields):
        """Check mode's end: what the run would leave (``planned``, from ``image``), delete and share, then exit."""
        if discard:
            self.result['replaced'] = [i['image_id'] for i in discard]
        if shares:
            self.result['shares_moved'] = shares
        self.set_diff(image, planned, discard)
        self.task.exit_json(changed=planned is not image or bool(discard), image=planned, **fields)


class ImageRecordUpload(UploadFlow):
    """The upload into an image record of the service: one image of the name, holding the file, verified.

    A provider's subclass gives ``sender`` (the class that sends the file into the record), its metadata
    checks (``check_metadata``), its creation body (``creation_body``) and, where its service returns the
    image in another shape than the body, ``planned_image`` and ``completed``.
    """

    # The sender class: ``sender(flow).upload(image_id, created)``; ``sender.check_options(params)``.
    sender = None
    # True where the service computes no hash of an image's data, so the provider's creation body marks the image
    # with the file's hashes (which ``backend.data_hashes`` reads): a queued image without them was not made by an
    # upload.
    marks_source = False

    def check_options(self):
        self.check_metadata()
        self.sender.check_options(self.params)

    def check_metadata(self):
        """Refuse, before any request, the metadata options the provider's create request would refuse."""
        raise NotImplementedError

    def creation_body(self, shared):
        """What ``backend.create_image`` creates the image from: the task's metadata and ``self.disk_format``.

        ``shared``: the new image takes over the shares of an image it replaces.
        """
        raise NotImplementedError

    def planned_image(self, body):
        """The image ``body`` would create, as the service returns it (check mode)."""
        return dict(body)

    def completed(self, image, body):
        """``image``, just created from ``body``, given what the create request does not take; the image as it then is."""
        return image

    def upload(self):
        p = self.params
        self.result['transfer'] = {}
        if self.check_mode:
            self.local_hashes()    # so that check mode shows the checksum the image would have

        self._settle_unknown_uploads()
        claim = self.service.claim_name(p['name'], reuse=self._pick, discard=self._may_delete, refusal=self._refusal)
        doomed = [i for i in claim.discard if self.kind(i) not in (LEFTOVER, EMPTY)]
        leftovers = [i for i in claim.discard if i not in doomed]
        shares = self.shares_to_move(doomed)
        image = claim.reuse
        kind = self.kind(image) if image else None
        if image is not None:
            image.pop('scope', None)    # the image as the service returns it, the same on every run
        if self.check_mode:
            return self._predict(image, kind, claim.discard, shares)

        for old in leftovers:
            self.delete(old)
        if image is None:
            body = self.creation_body(bool(shares))
            image = self.service.create_once(lambda: self.backend.create_image(body), claim)
            self.task.record_change(image=image)
            image = self.completed(image, body)
        must_wait = p['wait'] or bool(doomed)
        if kind in (None, EMPTY):
            if kind == EMPTY:
                self.task.record_change(image=image)     # the upload changes the reused image
            image = self._send(image, must_wait, created=kind is None)
        else:
            self.result['checksum'] = self.local_md5()
            if image.get('status') == SAVING and must_wait:
                image = self._wait_and_verify(image['image_id'], created=False)
            self.result['image'] = image
        self.replace(doomed, image, shares)
        self.result['hashes'] = dict(self.hashes)
        self.set_diff(claim.reuse, image, claim.discard)

    # -- what the images of this name are to the task ---------------------------------------

    def _differing(self, reported):
        """The service's hashes of an image (``reported``) that differ from the file's.

        One hash both sides have is enough: those the file has are compared; only where the service reports none of
        them is the first it reports (MD5 first) computed, by a read of the file (docs/api-notes.md, "One digest
        per byte").
        """
        if reported and not set(reported) & set(self.hashes):
            self.local_hashes(['md5' if 'md5' in reported else sorted(reported)[0]])
        return differing_hashes(reported, self.hashes)

    def kind(self, image):
        """SAME, SAME_SIZE, UNKNOWN, OTHER, EMPTY or LEFTOVER: what ``image`` (of the task's name) is to it."""
        status = image.get('status')
        reported = self.backend.data_hashes(image)
        if status == QUEUED:
            marked_as_src = not self._differing(reported) and (reported or not self.marks_source)
            return EMPTY if image.get('disk_format') == self.disk_format and marked_as_src else LEFTOVER
        if status not in (ACTIVE, SAVING):
            return LEFTOVER
        size = image.get('size') or None
        if size is not None and size != self.size:
            return OTHER
        if reported:
            return OTHER if self._differing(reported) else SAME
        if status == ACTIVE:
            return OTHER        # an active image always shows its checksum; this one cannot be told apart
        return SAME_SIZE if size is not None else UNKNOWN

    def _settle_unknown_uploads(self):
        """Wait for a saving image of the name whose size and checksum are not shown yet (whatever ``wait`` says).

        Only its checksum can tell whether it holds ``src``: reusing it blindly could report a file
        that is not there, and starting another upload would make a second image of the name.
        Glance puts an image whose upload failed back to ``queued``.
        """
        for image in self.service.list_images(scope='private', name=self.params['name']):
            if image.get('status') == SAVING and self.kind(image) == UNKNOWN:
                self.settled(image['image_id'])

    def settled(self, image_id):
        """The image once it is no longer ``saving`` (active, killed, or queued again), whatever ``wait`` says."""
        return self.service.wait_for_status(image_id, statuses=(ACTIVE, KILLED, QUEUED), fail_statuses=(),
                                            timeout=self.params['wait_timeout'])

    def _pick(self, images):
        """The image an earlier run of this task made: the best of REUSE_ORDER, the newest of a kind."""
        return best_of(images, self.kind, REUSE_ORDER)

    def _may_delete(self, image):
        """Whether the task may delete this other image of its name: replace=true, or the leftover of a failed run."""
        kind = self.kind(image)
        if kind in (LEFTOVER, EMPTY):
            return self.params['cleanup_on_failure'] or self.params['replace']
        return self.params['replace']

    def _refusal(self, images):
        p = self.params
        content = [i for i in images if self.kind(i) != LEFTOVER and self.kind(i) != EMPTY]
        if content:
            return ('Image %r (%s) already holds another file: %s has %s and %d bytes. Set replace: true to upload a '
                    'new image and delete the old one, or choose another name.' % (
                        p['name'], describe_images(content), self.source.description,
                        describe_hashes(self.hashes) or 'MD5 (not computed: the sizes differ)', self.size))
        return leftover_refusal(p['name'], images)

    # -- check mode ------------------------------------------------------------------------------

    def _predict(self, image, kind, discard, shares):
        self.result['checksum'] = self.local_md5()
        if kind in (SAME, SAME_SIZE):
            planned = image
        else:
            planned = dict(image or self.planned_image(self.creation_body(bool(shares))))
            planned.update(status=ACTIVE, disk_format=self.disk_format, size=self.size, checksum=self.local_md5())
        self.exit_predicted(image, planned, discard, shares, hashes=dict(self.hashes))

    # -- the file into the image ------------------------------------------------------------------

    def _send(self, image, must_wait, created):
        """Send the file into ``image`` with the provider's sender, then check what the service stored."""
        self.sender(self).upload(image['image_id'], created)
        if must_wait:
            return self._wait_and_verify(image['image_id'], created)
        image = self.service.get_image(image['image_id']) or self.result['image']
        self.result['image'] = image
        self._verify(image, created)
        return image

    def _wait_and_verify(self, image_id, created):
        """Wait until the image is active and check the service's hashes of it against the file's."""
        image = self.service.wait_for_status(image_id, timeout=self.params['wait_timeout'])
        self.result['image'] = image
        self._verify(image, created)
        return image

    def _verify(self, image, created):
        """Fail (and clean up) when the service's hashes of the image it stored are not the file's.

        An image still saving shows none yet; Glance shows its checksum (MD5) and its os_hash_value
        (by os_hash_algo) as soon as the PUT returns.
        """
        reported = self.backend.data_hashes(image)
        differing = self._differing(reported)
        if differing:
            note = self.cleanup(image['image_id'], created)
            raise ImsError('Image %s became %s with %s, but %s has %s: the service did not keep the bytes sent (%s).' % (
                image['image_id'], image.get('status'), describe_hashes(differing), self.source.description,
                describe_hashes(dict((a, self.hashes[a]) for a in differing)), note))


class DirectPutUpload:
    """One streamed PUT of the source into the image (``backend.upload_file``), hashed as it is sent.

    A file's body is read again from its start when the PUT is resent; a stream's can be sent once.
    """

    def __init__(self, flow):
        self.flow = flow

    @staticmethod
    def check_options(params):  # pylint: disable=unused-argument
        """A single PUT takes no options of its own."""

    def upload(self, image_id, created):
        f = self.flow
        body = f.source.body(f.backend.upload_hashes)
        started = time.time()
        try:
            f.backend.upload_file(image_id, body)
        except ImsError as exc:
            if not (is_ambiguous(exc) and self._stored_anyway(image_id, body)):
                add_notes(exc, ['%d of %d bytes were sent' % (body.sent, f.size), f.cleanup(image_id, created)])
                raise
        # From the first byte read to the service's answer (Glance has stored and hashed the file by then).
        seconds = max(time.time() - started, 1e-6)
        f.record_transfer(body.digests, _transfer.transfer_figures(body.sent, seconds, bytes=body.sent))

    def _stored_anyway(self, image_id, body):
        """After a PUT whose answer was lost: whether the service holds the whole file all the same."""
        if body.digests is None:
            return False
        try:
            image = self.flow.service.get_image(image_id)
            if image and image.get('status') == SAVING:     # still storing what it received (IMS: after every PUT)
                image = self.flow.settled(image_id)
        except ImsError:
            return False
        if not image or image.get('status') != ACTIVE:
            return False
        # Where the service reports no hash the PUT computed, ``_verify`` compares the one it reports afterwards.
        reported = self.reported(image, body)
        return bool(reported) and not differing_hashes(reported, body.digests)

    def reported(self, image, body):  # pylint: disable=unused-argument
        """The service's hashes of ``image``, active after a PUT of ``body`` whose answer was lost."""
        return self.flow.backend.data_hashes(image)

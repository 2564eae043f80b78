# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Provider-neutral image logic: look-ups across scopes, matching, waiting.

It talks to any provider's backend through the operations ``_backend.Backend`` declares.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import (
    ImsApiError, ImsTransportError, ImsValidationError, ImsWaitError)
from ansible_collections.cecloud.ims.plugins.module_utils._core.retry import RetryPolicy
from ansible_collections.cecloud.ims.plugins.module_utils._deprecation import with_deprecation

SCOPE_ALL = 'all'
# The end states of an asynchronous job (backend.get_job: ``status``; Huawei's names, upper case).
JOB_SUCCESS = 'SUCCESS'
JOB_FAIL = 'FAIL'
# How long a member job may run (Terraform's wait for Huawei's member jobs is 5 minutes).
MEMBER_JOB_TIMEOUT = 300
ACTIVE = 'active'
DELETED = 'deleted'
# Glance's status of a deleted image whose data is not removed yet (its delayed delete).
PENDING_DELETE = 'pending_delete'
# Statuses of an image on its way out: it counts as absent, and listings leave it out unless a status filter asks for
# it (docs/api-notes.md, "Images on their way out").
GONE = (DELETED, PENDING_DELETE)
KILLED = 'killed'
QUEUED = 'queued'
SAVING = 'saving'
# What ImageService.converge's ``settled()`` returns when the request did not take effect.
RESEND = object()


class Unsettled(Exception):
    """Raised by a ``settled()`` check when the service's state cannot tell whether a request took effect."""


class NameClaim:
    """What ImageService.claim_name decided about the images already called ``name``.

    ``reuse`` is the existing image the task uses instead of creating one (None: create one);
    ``discard`` the images of that name the task said it may delete (replaced, or left by failed runs);
    ``known_ids`` every image of the name seen, so that after an ambiguous create the new one is told
    apart; ``own_id`` the image being renamed to ``name``, when the claim is for a rename.
    """

    def __init__(self, name, reuse=None, discard=(), known_ids=(), own_id=None):
        self.name = name
        self.reuse = reuse
        self.discard = list(discard)
        self.known_ids = list(known_ids)
        self.own_id = own_id


def describe_images(images):
    """``img-1 (active, checksum 0a1b...), img-2 (killed)``: the ids and states a refusal names."""
    def one(image):
        facts = [image.get('status') or 'unknown status']
        if image.get('checksum'):
            facts.append('checksum %s' % image['checksum'])
        return '%s (%s)' % (image.get('image_id'), ', '.join(facts))
    return ', '.join(one(i) for i in images)


def is_ambiguous(exc):
    """True when a failed request may still have taken effect: no answer, a 5xx answer, or an answer
    saying the service failed itself (CECloud answers its internal errors with HTTP 400)."""
    if isinstance(exc, ImsTransportError):
        return True
    return isinstance(exc, ImsApiError) and ((exc.http_status or 0) >= 500 or exc.service_failure)


def may_have_acted(exc):
    """True when the service may have acted although the request failed: an ambiguous failure, or any error
    answering a repeat of the request (a DELETE retried after a lost reply is answered "not found")."""
    return is_ambiguous(exc) or getattr(exc, 'resent', False)


def matches_filters(image, filters, server_filters=()):
    """True when ``image`` matches every ``filters`` key as a listing would.

    A key equals the image's field compared as text (10 == '10').  A key of ``server_filters`` (the backend's:
    what its API applies to a listing, and a look-up by id may not) matches as the API's listing does: ``tag``
    is one of the image's tags, ``size_min``/``size_max`` bound its ``size``, any other key compares as text in
    any case (a boolean ``True`` is ``true``); ``member_status`` is the listing's own, not the image's.
    """
    for key, wanted in (filters or {}).items():
        if key in server_filters:
            ok = _matches_server_filter(image, key, wanted)
        else:
            ok = key in image and (image[key] == wanted or str(image[key]) == str(wanted))
        if not ok:
            return False
    return True


def _matches_server_filter(image, key, wanted):
    if key == 'member_status':
        return True
    if key == 'tag':
        return wanted in (image.get('tags') or [])
    if key in ('size_min', 'size_max'):
        size = image.get('size')
        return size is not None and (int(size) >= int(wanted) if key == 'size_min' else int(size) <= int(wanted))
    return image.get(key) is not None and str(image[key]).lower() == str(wanted).lower()


def split_filters(filters, server_filters):
    """(server, client): the ``filters`` the backend's API applies to a listing (``server_filters``), and the others."""
    server = dict((k, v) for k, v in (filters or {}).items() if k in server_filters)
    return server, dict((k, v) for k, v in (filters or {}).items() if k not in server)


def contradicts(filters, fixed):
    """True when ``filters`` asks another value of a field a listing fixes (``fixed``: the scope's own query), so
    that no image of the listing can match: the scope then lists nothing, instead of its value replacing the filter's."""
    return not matches_filters(fixed, dict((k, v) for k, v in (filters or {}).items() if k in fixed))


def has_member_status(scope, filters):
    """Whether the images of ``scope`` can match a ``member_status`` filter: only an image shared with the caller has
    a member status (that of the ``shared`` scope, ``ImageService.member_status``)."""
    return scope == 'shared' or (filters or {}).get('member_status') is None


class ImageService:
    """Image operations shared by the modules; knows nothing of Ansible.

    How often a request is sent again and how long the polls wait is ``policy`` (a ``RetryPolicy``): by default
    that of the backend's client, so one policy rules the requests and the image logic above them.
    """

    def __init__(self, backend, sleep=time.sleep, clock=time.monotonic, policy=None):
        self.backend = backend
        self.sleep = sleep
        self.clock = clock
        self.policy = policy or getattr(getattr(backend, 'client', None), 'retry_policy', None) or RetryPolicy()
        # The member status of the ``shared`` scope, where the provider has one (Glance: accepted by default).
        self.member_status = None

    # -- look-ups --------------------------------------------------------------

    def list_images(self, scope=SCOPE_ALL, image_id=None, name=None, name_contains=None, filters=None, limit=None,
                    seen_fields=None, with_hidden=False):
        """Images of one scope or of all (private, then shared, then public), each tagged with ``scope``.

        An image seen in an earlier scope is not repeated (a tenant's own public image is ``private``).
        Images on their way out (GONE) are left out unless ``filters`` has a ``status``: every service lists a
        deleted image for a while after the delete was answered, and it is no image a task can use.
        ``seen_fields``, a set, receives the field names of every image listed, matching or not.
        Each image carries the neutral deprecation fields (``_deprecation.deprecation_of``).  ``with_hidden``: the
        images the API hides from ordinary listings (``backend.hide_field``) are listed too, by one more listing.
        """
        found = []
        seen = set()
        for current, listed in ((s, f) for s in self.scopes_of(scope) for f in self.listings(filters, image_id, with_hidden)):
            for image in self.scope_images(current, image_id, name, name_contains, listed,
                                           remaining=limit and limit - len(found), seen_fields=seen_fields):
                if image.get('image_id') in seen:
                    continue
                seen.add(image.get('image_id'))
                found.append(image)
                if limit and len(found) >= limit:
                    return found
        return found

    def scopes_of(self, scope):
        """The scopes ``scope`` lists, in order (``all``: every scope of the backend)."""
        return self.backend.scopes if scope == SCOPE_ALL else (scope,)

    def listings(self, filters, image_id=None, with_hidden=False):
        """The ``filters`` of each listing of a scope: one, and with ``with_hidden`` one more of the images the API
        hides from ordinary listings (``backend.hide_field``)."""
        listings = [filters]
        hide_field = self.backend.hide_field
        if with_hidden and hide_field and image_id is None and hide_field not in (filters or {}):
            listings.append(dict(filters or {}, **{hide_field: 'true'}))
        return listings

    def scope_images(self, scope, image_id=None, name=None, name_contains=None, filters=None, remaining=None,
                     seen_fields=None, sort=None):
        """The images of one scope that match (as ``list_images``), each tagged with ``scope``, in the listing's order.

        ``remaining``: how many more the caller wants (a page-size hint); ``sort``: (key, order) asked of the listing.
        """
        hidden = () if 'status' in (filters or {}) else GONE
        # The filters the API applied itself are not matched again (``tag``, ``size_min`` are no image fields).
        client_filters = split_filters(filters, self.backend.server_filters)[1]
        listing = self.backend.list_scope(scope, image_id=image_id, name=name, name_contains=name_contains,
                                          filters=filters, remaining=remaining, member_status=self.member_status,
                                          **({'sort': sort} if sort else {}))
        for image in listing:
            with_deprecation(image)
            if seen_fields is not None:
                seen_fields.update(image)
            if image.get('status') in hidden:
                continue
            if image_id is not None and image.get('image_id') != image_id:
                continue
            if name is not None and image.get('name') != name:
                continue
            if name_contains and name_contains not in (image.get('name') or ''):
                continue
            if not matches_filters(image, client_filters):
                continue
            image['scope'] = scope
            yield image

    def find_image(self, image_id=None, name=None, scope='private', exclude_statuses=(), with_hidden=False):
        """The one image with this id or name in ``scope``; None when there is none.

        A name that several images carry is an error that lists their ids.  Images whose status is
        in ``exclude_statuses`` (for example ``killed``) are not considered; images on their way out never are.
        ``with_hidden``: hidden images count too (``list_images``).
        """
        images = self.list_images(scope=scope, image_id=image_id, name=None if image_id else name, with_hidden=with_hidden)
        images = [i for i in images if i.get('status') not in exclude_statuses]
        if len(images) > 1:
            raise ImsValidationError('The name %r matches %d %s images (%s); give the image id instead.' % (
                name, len(images), scope, ', '.join(sorted(i.get('image_id') for i in images))))
        return images[0] if images else None

    def resolve_image(self, ref):
        """The tenant's private image whose id or (else) name is ``ref``; a clear error when there is none."""
        image = None
        if self.backend.is_image_id(ref):
            image = self.find_image(image_id=ref)
        if image is None:
            image = self.find_image(name=ref, with_hidden=True)
        if image is None:
            raise ImsValidationError('No private image of this tenant has the id or name %r.' % ref)
        return image

    def get_image(self, image_id):
        return with_deprecation(self.backend.get_image(image_id))

    # -- POSTs that must not be repeated blindly ----------------------------------

    def converge(self, send, settled, attempts=None):
        """``send()`` a request that may not be repeated blindly; returns its result.

        After an ambiguous failure (is_ambiguous: no answer, a 5xx answer...) the service may or may not have
        acted, so ``settled()`` reads its state instead: it returns the result when the request
        took effect, RESEND when it did not (then ``send()`` runs again, at most ``attempts`` times
        in all: the policy's ``converge_attempts`` unless given), or raises Unsettled when the state cannot tell (then the original error is raised).
        An error answering the client's own repeat of the request (may_have_acted) is read back the same way,
        but not sent again: the answer to the repeat is the service's word on the request.
        A RESEND is believed only when more looks after a pause say it too (the policy's ``settle_looks``): a listing may lag
        behind a write, and a create sent twice is a duplicate image.  Where jobs carry writes out
        (``backend.settle_window`` seconds), the looks go on that long before a RESEND is believed.
        """
        attempts = attempts or self.policy.converge_attempts
        attempt = 0
        while True:
            attempt += 1
            try:
                return send()
            except (ImsTransportError, ImsApiError) as exc:
                if not may_have_acted(exc):
                    raise
                try:
                    outcome = self._look_again(settled, self.policy.poll_interval * attempt)
                except (Unsettled, ImsTransportError, ImsApiError):
                    raise exc
                if outcome is not RESEND:
                    return outcome
                if attempt >= attempts or not is_ambiguous(exc):
                    raise exc

    def _look_again(self, settled, pause):
        """``settled()``, looked at again after ``pause`` while it says RESEND, for at least the policy's
        ``settle_looks`` in all and until the backend's settle window (how long its API may take to show a write) has passed."""
        outcome = settled()
        deadline = self.clock() + self.backend.settle_window
        looks = 1
        while outcome is RESEND and (looks < self.policy.settle_looks or self.clock() < deadline):
            self.sleep(pause)
            pause = self.policy.next_pause(pause)
            outcome = settled()
            looks += 1
        return outcome

    # -- one image per name ----------------------------------------------------------

    def claim_name(self, name, own_id=None, reuse=None, discard=None, refusal=None):
        """The one rule of every path that creates an image called ``name`` or renames ``own_id`` to it.

        Each private image of that name (those on their way out are not listed) other than ``own_id``
        must be the one the task reuses (``reuse(images)`` picks it: the image an earlier run of the
        same task made), or one the task may delete (``discard(image)`` is true: the task asked to
        replace it, or it is left by a failed run), or it is in the way: then the task is refused
        with ImsValidationError naming the ids, before any request that changes state.
        ``refusal(images)`` words that error for the images in the way.  Returns a NameClaim, which
        create_once() and update_image() require: so no path creates into a taken name by forgetting.
        """
        listed = self.list_images(scope='private', name=name, with_hidden=True)     # a hidden image still holds its name
        others = [i for i in listed if i.get('image_id') != own_id]
        chosen = reuse(others) if reuse else None
        rest = [i for i in others if chosen is None or i.get('image_id') != chosen.get('image_id')]
        doomed, in_the_way = [], []
        for image in rest:
            (doomed if discard and discard(image) else in_the_way).append(image)
        if in_the_way:
            if refusal:
                raise ImsValidationError(refusal(in_the_way))
            what = 'rename image %s to %r' % (own_id, name) if own_id else 'create an image called %r' % name
            raise ImsValidationError('Cannot %s: the name is taken by private image %s, and the collection keeps one image '
                                     'per name. Choose another name, or delete or rename that image first.'
                                     % (what, describe_images(in_the_way)))
        return NameClaim(name, chosen, doomed, [i.get('image_id') for i in listed], own_id)

    def create_once(self, create, claim, attempts=None):
        """``create()`` the image ``claim`` (from claim_name) allows; returns it.

        After an ambiguous failure the one private image of the claimed name that is not in the
        claim's ``known_ids`` (the images of that name seen before creating) is the created one.
        """
        if not isinstance(claim, NameClaim) or claim.reuse is not None or claim.own_id is not None:
            raise ValueError('create_once needs the claim_name() verdict of a name to create an image under')

        def settled():
            found = [i for i in self.list_images(scope='private', name=claim.name)
                     if i.get('status') != KILLED and i.get('image_id') not in claim.known_ids]
            if len(found) > 1:
                raise Unsettled()
            return found[0] if found else RESEND
        return self.converge(create, settled, attempts)

    def update_image(self, image, changes, claim=None, applied=None):
        """Write ``changes`` ({option: wanted}) on ``image`` (``backend.update_image``).

        A new name needs the claim_name() verdict for this image: the caller's ``claim``, or one
        asked here (which refuses a name another image carries).  After an ambiguous failure the
        image is read again: ``applied(image)`` tells whether it already carries the update (then
        the update succeeded: the service acted, only its reply was lost); the update sets the
        wanted values, so sending it again is safe when it did not.
        """
        new_name = changes.get('name', image.get('name'))
        if new_name != image.get('name'):
            held = isinstance(claim, NameClaim) and claim.name == new_name and claim.own_id == image.get('image_id')
            if not held:
                self.claim_name(new_name, own_id=image.get('image_id'))

        def settled():
            if applied is None:
                raise Unsettled()
            current = self.backend.get_image(image['image_id'])
            if current is None:
                raise Unsettled()
            return True if applied(current) else RESEND
        self.converge(lambda: self.backend.update_image(image, changes) or True, settled)

    def delete_image(self, image_id, move_shares_to=None, timeout=600):
        """Delete an image; returns the user ids it was shared with.

        With ``move_shares_to`` (an active image id) those users are first given that image, then
        the shares of this one are removed, so nobody loses access to an image of the name on the
        way; without it a shared image is not unshared (the service refuses the delete).  An image
        still ``saving`` is waited for first: the service refuses to delete it.
        """
        image = self.backend.get_image(image_id)
        if image is None or image.get('status') == DELETED:
            return []
        if image.get('status') == SAVING:
            image = self.wait_for_status(image_id, statuses=(ACTIVE, KILLED, QUEUED), fail_statuses=(), timeout=timeout)
        users = []
        if move_shares_to and image.get('status') == ACTIVE:
            users = [share.get('user_id') for share in self.list_shares(image_id)]
        if users:
            have = [share.get('user_id') for share in self.list_shares(move_shares_to)]
            self.apply_shares(move_shares_to, add=share_plan(have, users)[0])
            self.apply_shares(image_id, remove=users)
        self.delete_once(image_id)
        return users

    def delete_once(self, image_id):
        """``backend.delete_image(image_id)``; after an ambiguous failure, or an error answering a
        repeat (the image is already deleted, or not found), the image is read back: gone or on its way out
        means the delete took effect."""
        def settled():
            image = self.backend.get_image(image_id)
            return True if image is None or image.get('status') in GONE else RESEND
        self.converge(lambda: self.backend.delete_image(image_id) or True, settled)

    def report_upload(self, image_id, success, upload_id=None, attempts=None):
        """upload-done with the transfer's result; after an ambiguous failure the image's status tells."""
        taken = (SAVING, ACTIVE) if success else (KILLED,)

        def settled():
            image = self.backend.get_image(image_id)
            return True if image and image.get('status') in taken else RESEND
        self.converge(lambda: self.backend.upload_done(image_id, success, upload_id) or True, settled,
                      attempts or self.policy.upload_done_attempts)

    # -- sharing ---------------------------------------------------------------

    def list_shares(self, image_id):
        """Every share of an image the tenant owns (all pages): dicts with ``share_id``, ``user_id``, ``user_name``."""
        return list(self.backend.list_image_members(image_id))

    def apply_shares(self, image_id, add=(), remove=(), progress=None, timeout=MEMBER_JOB_TIMEOUT):
        """Unshare ``remove`` then share ``add``, in batches of at most ``backend.max_share_batch`` ids.

        After an ambiguous failure the share list is read again and only what is still missing of
        the batch is sent.  A failing batch raises the service's error, saying how many users were
        already changed.  ``progress(action, users)`` is told of each batch the service took
        (``share`` or ``unshare``), so a caller can report what changed before a later batch failed.
        """
        size = self.backend.max_share_batch
        done = dict(unshared=0, shared=0)
        plan = [('unshare', self.backend.remove_image_members, batch) for batch in batches(remove, size)]
        plan += [('share', self.backend.add_image_members, batch) for batch in batches(add, size)]
        for action, send, batch in plan:
            try:
                self._send_members(image_id, action, send, batch, timeout)
            except (ImsApiError, ImsTransportError, ImsWaitError) as exc:
                before = dict(done)
                taken = getattr(exc, 'taken', None)
                if taken:
                    done[action + 'd'] += len(taken)
                    if progress is not None:
                        progress(action, taken)
                exc.message = '%s (before this request, %d user(s) were unshared and %d shared; %d of %d ' \
                    'were still to go)' % (exc.message, before['unshared'], before['shared'],
                                           len(remove) + len(add) - done['unshared'] - done['shared'], len(remove) + len(add))
                exc.args = (exc.message,)
                raise
            done[action + 'd'] += len(batch)
            if progress is not None:
                progress(action, batch)
        return done

    def _send_members(self, image_id, action, send, batch, timeout):
        """One share/unshare batch (and its job, where the API has jobs); after an ambiguous failure only the
        users still to change are resent.

        A member job that ends ``FAIL``, or reports a failed item (``member_results``, Huawei's
        ``entities.results[].status``), may have changed part of the batch: the share list is read again and
        the users still not changed are an ImsWaitError naming each and why; its ``taken`` are the others.
        An unshare the service refuses outright (a user of the batch is no member any more, a reading of Huawei's
        member API) is sent once more without the users that are already gone.
        """
        pending = list(batch)
        jobs = []

        def still_to_change():
            current = set(share.get('user_id') for share in self.list_shares(image_id))
            pending[:] = [u for u in pending if (u in current) == (action == 'unshare')]

        def settled():
            still_to_change()
            return True if not pending else RESEND

        def send_once():
            try:
                jobs.append(self.finish(send(image_id, list(pending)), timeout))
            except ImsWaitError as exc:     # the job failed: it may have changed some of the batch anyway
                jobs.append(exc)
            return True
        try:
            self.converge(send_once, settled)
        except ImsApiError as exc:
            sent = len(pending)
            if action != 'unshare' or is_ambiguous(exc):
                raise
            still_to_change()
            if len(pending) == sent:
                raise
            if pending:
                self.converge(send_once, settled)
        outcome = jobs[-1] if jobs else None
        failed = member_failures(outcome)
        if not failed and not isinstance(outcome, ImsWaitError):
            return
        still_to_change()
        if not pending:
            return      # e.g. an unshare of a user that was no member any more: the goal is reached
        error = outcome if isinstance(outcome, ImsWaitError) else None
        reason = error.message if error else outcome.get('reason')
        exc = ImsWaitError('The %s job of image %s left %d of %d user(s) unchanged: %s. %s' % (
            action, image_id, len(pending), len(batch), ', '.join('%s (%s)' % (u, failed[u]) if u in failed else u for u in pending),
            reason or 'The service gave no reason.'), error_code=error.error_code if error else outcome.get('error_code'))
        exc.taken = [u for u in batch if u not in pending]
        raise exc

    def finish(self, answer, timeout, read=None):
        """The job an answer names (``{"job_id"}``, where the API has jobs), waited for; other answers as they are."""
        if self.backend.job_waiter and isinstance(answer, dict) and answer.get('job_id') and 'status' not in answer:
            return self.wait_for_job(answer['job_id'], timeout, read)
        return answer

    # -- waiting ---------------------------------------------------------------

    def wait_for_status(self, image_id, statuses=(ACTIVE,), timeout=600, fail_statuses=(KILLED,), failure=None):
        """Poll until the image has one of ``statuses``; returns the image.

        ``failure(image)``, from the backend, says why an image failed although its status is not one of
        ``fail_statuses`` (Glance puts a failed import back to ``queued``); None while it has not.

        Passing outages (the endpoint restarting, 5xx beyond the client's retries) are waited out
        until the deadline, because the image keeps converging on the server meanwhile.
        """
        def done(image):
            if image is None:
                raise ImsWaitError('Image %s disappeared while waiting for it to become %s.' % (image_id, '/'.join(statuses)))
            if image.get('status') in fail_statuses:
                reason = image.get('err_message') or image.get('message') or 'the service gave no reason'
                raise ImsWaitError('Image %s turned %s: %s' % (image_id, image.get('status'), reason))
            if failure and failure(image):
                raise ImsWaitError('Image %s is %s: %s.' % (image_id, image.get('status'), failure(image)))
            return image.get('status') in statuses
        return self._poll(self.backend.get_image, image_id, done, timeout, 'become %s' % '/'.join(statuses))

    def wait_until_gone(self, image_id, timeout=600, gone_statuses=()):
        """Poll until the service no longer knows the image (after a delete), or shows it in ``gone_statuses``."""
        return self._poll(self.backend.get_image, image_id, lambda image: image is None or image.get('status') in gone_statuses,
                          timeout, 'disappear')

    def wait_until_listed(self, name, timeout=600):
        """Poll until a private image called ``name`` is listed (a job's image shows up while the job runs).

        A task that does not wait for a job still waits for this, so that a run after it finds the image by name
        instead of making a second one.
        """
        def listed(wanted):
            return self.find_image(name=wanted)
        return self._poll(listed, name, lambda image: image is not None, timeout, 'be listed', subject='the image called')

    def wait_for_job(self, job_id, timeout=600, read=None):
        """Poll an asynchronous job until it succeeds; returns it (``image_id``/``image_ids``: what it made).

        ``read(job_id)`` reads the job (``backend.get_job`` by default; the source region's for a cross-region
        copy). A job that fails raises ImsWaitError with the service's reason and error code. A poll that
        fails in passing (no answer, 429, 5xx) leaves the job's state unknown: the wait goes on.
        """
        def done(job):
            if job is None:
                raise ImsWaitError('Job %s disappeared while waiting for it.' % job_id)
            if job.get('status') == JOB_FAIL:
                exc = ImsWaitError('Job %s (%s) failed: %s%s.' % (
                    job_id, job.get('job_type') or 'asynchronous job', job.get('reason') or 'the service gave no reason',
                    ' (%s)' % job['error_code'] if job.get('error_code') else ''), error_code=job.get('error_code'))
                exc.job = job       # what it did do (a member job's items)
                raise exc
            return job.get('status') == JOB_SUCCESS
        return self._poll(read or self.backend.get_job, job_id, done, timeout, 'succeed', subject='job')

    def _poll(self, read, ref, done, timeout, goal, subject='image'):
        """``read(ref)`` with backoff until ``done()`` says so, within ``timeout`` seconds."""
        deadline = self.clock() + timeout
        interval = self.policy.poll_interval
        last = 'unknown'
        while True:
            try:
                current = read(ref)
            except (ImsTransportError, ImsApiError) as exc:
                if not self.policy.is_transient(exc):
                    raise
                last = 'unknown (%s)' % exc.message
            else:
                if done(current):
                    return current
                last = current.get('status') if current else 'gone'
            if self.clock() >= deadline:
                raise ImsWaitError('Timed out after %ss waiting for %s %s to %s; last status: %s.' % (
                    _seconds(timeout), subject, ref, goal, last))
            self.sleep(min(interval, max(0.0, deadline - self.clock())))
            interval = self.policy.next_pause(interval)


def member_failures(outcome):
    """{user: why} of the items a member job reports failed (``member_results``: ``user_id``, ``status``); empty
    when it reports none. ``outcome``: the job, or the ImsWaitError of a failed one."""
    if isinstance(outcome, ImsWaitError):
        outcome = getattr(outcome, 'job', None) or {}
    results = outcome.get('member_results') if isinstance(outcome, dict) else None
    return dict((r.get('user_id'), 'its item of the job is %s' % (r.get('status') or 'without status'))
                for r in results or () if str(r.get('status') or '').lower() != 'success')


def dedupe(values):
    """``values`` without repeats, in their first order."""
    seen = set()
    result = []
    for value in values or []:
        if value not in seen:
            seen.add(value)
            result.append(value)
    return result


def batches(values, size):
    """``values`` cut into consecutive lists of at most ``size`` items."""
    values = list(values)
    return [values[start:start + size] for start in range(0, len(values), size)]


def share_plan(current, users, state='present', purge=False):
    """(to_add, to_remove): the user ids that make the share set ``current`` match the task.

    ``present`` adds the missing ``users`` (and with ``purge`` removes every other user);
    ``absent`` removes the ``users`` that are in ``current``.  Both lists keep a stable order:
    additions in the task's order, removals in the order of ``current``.
    """
    current = dedupe(current)
    users = dedupe(users)
    wanted = set(users)
    have = set(current)
    if state == 'absent':
        return [], [u for u in current if u in wanted]
    add = [u for u in users if u not in have]
    remove = [u for u in current if u not in wanted] if purge else []
    return add, remove


def _seconds(value):
    return int(value) if float(value).is_integer() else value

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_replicate's neutral flow: one source image, read once, made the same image on every target.

The task's own connection is the source's; each target connects with its own provider (``_providers``).
Everything that can refuse a target is checked before any write: its options, its credentials, a duplicate,
a target that is the source, the metadata its upload requires. Then each target is one of:

* ``unchanged``: an image of the target's name holds the source's bytes (a hash the target reports equals the
  source's, or the replica marks ``REPLICA_MD5``/``REPLICA_OF`` say so);
* ``native``: the target's provider copies the source itself (``Backend.replica_copier``), no byte through the host;
* ``streamed``: the target's own ims_image_upload flow (``backend.image_upload``) sends a ``StreamSource`` that is
  one reader of a ``_core.fanout.Fanout`` over the source's download, so every streamed target in flight shares
  one read; that flow's claim, reuse, replace and verify rules make the target converge.

A target that fails does not stop the others; the task fails at the end when one did, with every target's result.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import threading
import time

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.cecloud.ims.plugins.module_utils import _image_metadata, _image_query, _providers
from ansible_collections.cecloud.ims.plugins.module_utils._core import fanout as _fanout
from ansible_collections.cecloud.ims.plugins.module_utils._core import streams as _streams
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError, ImsTransportError, ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._flow import Flow
from ansible_collections.cecloud.ims.plugins.module_utils._service import ACTIVE, ImageService
from ansible_collections.cecloud.ims.plugins.module_utils._upload_source import FileSource, StreamSource
from ansible_collections.cecloud.ims.plugins.module_utils._upload_spec import UPLOAD_ARGUMENT_SPEC, UPLOAD_PROVIDER_DEFAULTS

# The marks every replica carries (tags, or properties where the target's images have free properties):
# the MD5 of its bytes, and the source it was made from (provider/region/image id). docs/image-conventions.md.
REPLICA_MD5 = 'ims_replica_md5'
REPLICA_OF = 'ims_replica_of'
# Where a tag value cannot hold ``provider/region/image_id`` (Huawei IMS's tags take 43 characters: Huawei IMS API,
# Adding Tags to an Image), REPLICA_OF holds the image id and REPLICA_FROM ``provider/region``.
REPLICA_FROM = 'ims_replica_from'
TAG_VALUE_MAX = 43

UNCHANGED = 'unchanged'
NATIVE = 'native'
STREAMED = 'streamed'
FAILED = 'failed'
PLANNED = 'planned'

# ims_image_upload's options a target's upload takes from the replication task, not from the target's metadata.
_FROM_TASK = ('src', 'name', 'replace', 'force', 'wait', 'wait_timeout')
# The options that tell one account of a provider from another (with the provider, endpoint and region).
_ACCOUNT_OPTIONS = ('tenant_id', 'project_id', 'project_name', 'username', 'user_domain_name', 'access_key',
                    'auth_token', 'auth_url', 'iam_endpoint')


class _TargetExit(Exception):
    """A target's flow ended its task (check mode's predicted exit): the result is in the target's task."""


class TargetTask:
    """The ``_module.Task`` a target's upload flow runs with: its own options, service and result.

    Its ``exit_json`` ends the target's flow, not the module, and its diff stays with the target.
    """

    def __init__(self, parent, params, service, label):
        self._parent = parent
        self._label = label
        self.params = params
        self.check_mode = parent.check_mode
        self.result = dict(changed=False)
        self.service = service
        self.backend = service.backend
        self.source = None
        self.diff = None

    def record_change(self, **fields):
        self.result['changed'] = True
        self.result.update(fields)

    def set_diff(self, before, after, also=()):  # pylint: disable=unused-argument
        self.diff = dict(before=before, after=after)

    def exit_json(self, **fields):
        self.result.update(fields)
        raise _TargetExit()

    def warn(self, message):
        self._parent.warn('%s: %s' % (self._label, message))

    def add_secret(self, value):
        self._parent.add_secret(value)


class Target:
    """One entry of ``targets``: its connection, its upload's options, its service, and what became of it."""

    def __init__(self, index, given):
        self.index = index
        self.given = given
        self.provider = _providers.get(given['provider'])
        self.params = None
        self.auth_scheme = None
        self.service = None
        self.task = None
        self.served = None
        self.plan = None
        self.existing = []
        self.image = None
        self.error = None
        self.bytes_moved = 0
        self.seconds = 0.0
        self.dropped = []
        self.changed = False
        self.copier = None
        self.native = None

    @property
    def label(self):
        return 'targets[%d] (%s %s %s)' % (self.index, self.given['provider'], self.params.get('region') or
                                           self.params.get('endpoint') or '', self.params['name'])

    def key(self):
        """What makes two targets the same image: provider, endpoint, region, account and name."""
        p = self.params
        return (self.given['provider'], p.get('endpoint'), p.get('region')) + tuple(
            p.get(o) for o in _ACCOUNT_OPTIONS) + (p['name'],)

    def outcome(self):
        image = self.image or {}
        return dict(provider=self.given['provider'], region=self.params.get('region'), name=self.params['name'],
                    image_id=image.get('image_id'), checksum=image.get('checksum') or self.checksum(),
                    served=self.served, plan=self.plan, native=self.native, bytes_moved=self.bytes_moved, seconds=round(self.seconds, 3),
                    error=self.error, metadata_dropped=self.dropped, changed=self.changed)

    def checksum(self):
        if self.image:
            return self.service.backend.data_hashes(self.image).get('md5') or replica_marks(self.image).get(REPLICA_MD5)
        return None


def replica_marks(image):
    """{REPLICA_MD5: ..., REPLICA_OF: ...} an image carries, as properties (fields) or tags (``_image_query.image_tags``:
    ``key=value`` strings, or CECloud's ``image_tags``)."""
    keys = (REPLICA_MD5, REPLICA_OF, REPLICA_FROM)
    marks = {}
    properties = image.get('properties') if isinstance(image.get('properties'), dict) else {}
    for key in keys:
        for where in (image, properties):
            if isinstance(where.get(key), str):
                marks[key] = where[key]
    tags = _image_query.image_tags(image)
    for key in keys:
        if tags.get(key) is not None:
            marks[key] = tags[key]
    if REPLICA_FROM in marks and REPLICA_OF in marks:
        marks[REPLICA_OF] = '%s/%s' % (marks.pop(REPLICA_FROM), marks[REPLICA_OF])
    return marks


def tag_marks(marks):
    """The marks as tags take them: REPLICA_OF split in two where it is longer than a tag value may be."""
    marks = dict(marks)
    if len(marks.get(REPLICA_OF) or '') > TAG_VALUE_MAX:
        marks[REPLICA_FROM], marks[REPLICA_OF] = marks[REPLICA_OF].rsplit('/', 1)
    return marks


def mark_options(provider, marks, metadata):
    """``metadata`` (ims_image_upload options) with the replica ``marks`` added where ``provider``'s upload keeps
    them: as properties where it reads free properties, else as ``{key, value}`` tags."""
    options = dict(metadata)
    if provider in _providers.module_options('ims_image_upload').get('properties', ()):
        options['properties'] = dict(options.get('properties') or {}, **marks)
        return options
    marks = tag_marks(marks)
    tags = [t for t in options.get('tags') or [] if not (isinstance(t, dict) and t.get('key') in marks)]
    options['tags'] = tags + [dict(key=k, value=v) for k, v in sorted(marks.items())]
    return options


class _ResponseStream:
    """A streaming download as the ``read(n)`` the fanout reads; a broken connection becomes an ImsTransportError."""

    def __init__(self, response, description):
        self._response = response
        self._chunks = response.iter_content(_streams.CHUNK)
        self._description = description

    def read(self, amount=-1):  # pylint: disable=unused-argument
        try:
            return next(self._chunks, b'')
        except ImsError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            raise ImsTransportError('The download of %s broke off: %s: %s' % (self._description, type(exc).__name__, exc))

    def close(self):
        self._response.close()


class SourceRead:
    """One read of the source's bytes for a batch of streamed targets: ``stream`` (``read(n)``, ``close()``), its
    ``size``, the ``hashes`` known of those bytes before they are read ({algorithm: hex}), their ``disk_format``, and
    ``reported``: what reported the hashes (said when the bytes read differ from them)."""

    def __init__(self, stream, size, hashes, disk_format, reported):
        self.stream = stream
        self.size = size
        self.hashes = dict(hashes)
        self.disk_format = disk_format
        self.reported = reported


class DownloadRead:
    """``Backend.replica_read`` of a backend that downloads an image (``open_download``): the image's own bytes, so
    the hashes its service reports are theirs.

    A reader's methods: ``check(image)`` refuses, before any write, what the read needs and the task does not give;
    ``open(service, image, hashes)`` answers a ``SourceRead`` (once per batch of streamed targets; ``hashes``: the
    source image's); ``finish(succeeded)`` ends the run's reads (``succeeded``: every streamed target was served);
    ``changed`` says whether reading wrote anything, ``facts`` what the result shows of it (None: nothing)."""

    changed = False
    facts = None

    def __init__(self, backend):
        self.backend = backend

    def check(self, image):
        """Nothing to refuse: a download needs nothing beyond the task's connection."""

    def open(self, service, image, hashes):  # pylint: disable=unused-argument
        description = 'image %s' % image['image_id']
        return SourceRead(_ResponseStream(self.backend.open_download(image['image_id']), description), image.get('size'),
                          hashes, image.get('disk_format'), 'the source')

    def finish(self, succeeded):
        """Nothing is left behind by a download."""


class ReplicateFlow(Flow):
    """One ims_image_replicate task (``Backend.image_replicate``): plan every target before any write, then run them."""

    def __init__(self, task):
        super(ReplicateFlow, self).__init__(task)
        self.targets = []
        self.source = None
        self.source_hashes = {}
        self.source_ref = None
        self.reads = 0
        self.reader = None
        self._lock = threading.Lock()

    # -- before any write --------------------------------------------------------------------

    def run(self):
        self.check_options()
        self.targets = [self.prepare_target(i, t) for i, t in enumerate(self.params['targets'])]
        self.refuse_duplicates()
        self.source = self.find_source()
        for target in self.targets:
            self.refuse_source_itself(target)
        metadata = self.backend.image_metadata(self.source)
        for target in self.targets:
            self.connect(target, metadata)
        for target in self.targets:
            self.decide(target)
        if any(t.plan == STREAMED and t.served in (None, PLANNED) for t in self.targets):
            self.reader = self.backend.replica_read(self.params)
            if self.reader is None:
                raise self.backend.unsupported('download an image, which its streamed targets need',
                                               'replicate it from a provider that downloads images, or within its account')
            self.reader.check(self.source)
        if not self.check_mode:
            self.replicate()
        self.report()

    def check_options(self):
        p = self.params
        if p['max_parallel'] < 1:
            raise ImsValidationError('max_parallel must be 1 or more; got %s.' % p['max_parallel'])
        if p['staging_dir'] and p['staging'] != 'disk':
            raise ImsValidationError('staging_dir is for staging: disk; got staging: %s.' % p['staging'])
        if not p['targets']:
            raise ImsValidationError('targets is empty: give at least one target.')

    def prepare_target(self, index, given):
        """The target's connection options read and checked as a task's own are (``Provider.load``, ``validate``)."""
        target = Target(index, given)
        params = dict((k, v) for k, v in given.items() if k in _providers.CONNECTION_ARGUMENT_SPEC)
        what = 'targets[%d]' % index
        try:
            for option, value in target.provider.load(params).items():
                if _providers.CONNECTION_ARGUMENT_SPEC[option].get('no_log'):
                    self.task.add_secret(value)
            target.auth_scheme = target.provider.validate(params)
        except ImsValidationError as exc:
            raise ImsValidationError('%s (provider %s): %s' % (what, given['provider'], exc.message))
        params['name'] = given.get('name')
        target.params = params
        return target

    def refuse_duplicates(self):
        seen = {}
        for target in self.targets:
            if target.params['name'] is None:
                continue
            key = target.key()
            if key in seen:
                raise ImsValidationError('targets[%d] and targets[%d] are the same target (provider %s, %s, name %s): '
                                         'give each target once.' % (seen[key], target.index, target.given['provider'],
                                                                     target.params.get('region') or target.params.get('endpoint'),
                                                                     target.params['name']))
            seen[key] = target.index

    def find_source(self):
        p = self.params
        ref = p['image']
        by_id = self.backend.is_image_id(ref)
        image = self.service.find_image(image_id=ref if by_id else None, name=None if by_id else ref, scope=p['scope'])
        if image is None:
            raise ImsValidationError('No %s image has the %s %r: nothing to replicate.' % (
                p['scope'], 'id' if by_id else 'name', ref))
        if image.get('status') != ACTIVE:
            raise ImsValidationError('The source image %s (%s) is %s; only an active image can be replicated.' % (
                ref, image['image_id'], image.get('status')))
        image.pop('scope', None)
        self.source_hashes = dict(self.backend.data_hashes(image))
        marked = replica_marks(image).get(REPLICA_MD5)
        if marked and 'md5' not in self.source_hashes:
            self.source_hashes['md5'] = marked
        self.source_ref = '%s/%s/%s' % (p['provider'], p.get('region') or '', image['image_id'])
        for target in self.targets:
            if target.params['name'] is None:
                target.params['name'] = image['name']
        self.refuse_duplicates()
        return image

    def refuse_source_itself(self, target):
        p = self.params
        source_key = (p['provider'], p.get('endpoint'), p.get('region')) + tuple(
            p.get(o) for o in _ACCOUNT_OPTIONS) + (self.source['name'],)
        if target.key() == source_key:
            raise ImsValidationError('targets[%d] is the source image itself (provider %s, %s, name %s): give another '
                                     'name, region or account.' % (target.index, p['provider'],
                                                                   p.get('region') or p.get('endpoint'), self.source['name']))

    def connect(self, target, metadata):
        """The target's service, and its upload's options checked by its provider's upload flow (before any write)."""
        given = target.given
        marks = self._marks_of(target)
        carried = _image_metadata.carry_over(metadata, given['provider'], target.params, overrides=given.get('metadata'),
                                             tags=given.get('tags'))
        if carried.required:
            raise ImsValidationError('%s needs %s, which the source image does not give: set %s in its metadata.' % (
                target.label, '; '.join('%s (%s)' % (r['option'], r['reason']) for r in carried.required),
                ', '.join(sorted(set(r['option'] for r in carried.required)))))
        target.dropped = carried.dropped
        options = dict(carried.options)
        options = mark_options(given['provider'], marks, options)
        options.update(src=self.source.get('name'), name=target.params['name'], replace=self.params['replace'],
                       force=self.params['force'], wait=True, wait_timeout=self.params['wait_timeout'])
        params = self._upload_params(target, options)
        params['agency_name'] = given.get('agency_name')
        target.service = ImageService(target.provider.connect(params, target.auth_scheme))
        target.params = params
        target.task = TargetTask(self.task, params, target.service, target.label)
        flow = target.service.backend.image_upload(target.task)
        try:
            flow.check_options()
        except ImsValidationError as exc:
            raise ImsValidationError('%s: %s' % (target.label, exc.message))

    def _upload_params(self, target, options):
        """The target's connection options plus ims_image_upload's options, checked against that module's spec."""
        unknown = sorted(set(options) - set(UPLOAD_ARGUMENT_SPEC))
        if unknown:
            raise ImsValidationError('%s: metadata has %s, which ims_image_upload does not take.' % (
                target.label, ', '.join(unknown)))
        result = ArgumentSpecValidator(UPLOAD_ARGUMENT_SPEC).validate(options)
        if result.error_messages:
            raise ImsValidationError('%s: metadata: %s' % (target.label, result.error_messages[0]))
        params = dict(target.params)
        params.update(result.validated_parameters)
        provider = target.given['provider']
        readers = _providers.module_options('ims_image_upload')
        _providers.refuse_foreign_options(provider, params, readers)
        for option, default in UPLOAD_PROVIDER_DEFAULTS.items():
            if provider in readers.get(option, ()) and params.get(option) is None:
                params[option] = default
        return params

    def decide(self, target):
        """unchanged, native or streamed, from what the target holds under its name (a look-up, no write)."""
        name = target.params['name']
        target.existing = target.service.list_images(scope='private', name=name)
        for image in target.existing:
            if image.get('status') == ACTIVE and (self._is_source(target, image) or self._holds_source(target, image)):
                target.served, target.image = UNCHANGED, image
                return
        copier = None
        if self.params['method'] == 'auto':
            copier = target.service.backend.replica_copier(self.backend)
        target.plan = NATIVE if copier is not None else STREAMED
        target.copier = copier
        resumed = None
        if copier is not None:
            try:
                copier.check(target.task.params)
            except ImsValidationError as exc:
                raise ImsValidationError('%s: %s' % (target.label, exc.message))
            target.native = copier.how
            resumed = copier.earlier_copy(target.existing, self.source['image_id'])
        others = [i for i in target.existing if i.get('status') == ACTIVE and i is not resumed]
        if others and not self.params['replace']:
            target.served = FAILED
            target.error = ('Image %r (%s) already holds other bytes than the source %s. Set replace: true to replace '
                            'it, or choose another name.' % (name, ', '.join(i['image_id'] for i in others), self.source_ref))
        elif self.check_mode:
            target.served = PLANNED

    def _is_source(self, target, image):
        """Whether ``image`` is the source itself (a target of the source's project under another login): never
        replaced."""
        return target.given['provider'] == self.params['provider'] and image.get('image_id') == self.source['image_id']

    def _holds_source(self, target, image):
        reported = target.service.backend.data_hashes(image)
        marks = replica_marks(image)
        if marks.get(REPLICA_OF) == self.source_ref and marks.get(REPLICA_MD5) and \
                reported.get('md5', marks[REPLICA_MD5]) == marks[REPLICA_MD5]:
            # A replica of this very source that still holds the bytes it was marked with: made from an export in
            # another format, its hash need not be the source's own (docs/replication.md).
            return True
        common = [a for a in reported if a in self.source_hashes]
        if common:
            return all(reported[a] == self.source_hashes[a] for a in common)
        if self.source_hashes.get('md5') and marks.get(REPLICA_MD5):
            return marks[REPLICA_MD5] == self.source_hashes['md5']
        return marks.get(REPLICA_OF) == self.source_ref

    # -- the writes ------------------------------------------------------------------------------

    def replicate(self):
        pending = [t for t in self.targets if t.served is None]
        natives = [t for t in pending if t.plan == NATIVE]
        streamed = [t for t in pending if t.plan == STREAMED]
        bound = self.params['max_parallel']
        for group in _groups(natives, bound):
            self._in_threads([(self._native, t) for t in group])
        try:
            for group in _groups(streamed, bound):
                self._stream_group(group)
        finally:
            if self.reader is not None:
                self.reader.finish(all(t.served in (STREAMED, UNCHANGED) for t in streamed))

    def _in_threads(self, jobs):
        threads = [threading.Thread(target=self._guarded, args=job) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _guarded(self, work, target, *args):
        """Run one target's work; its failure becomes its result, never the others'."""
        started = time.time()
        try:
            work(target, *args)
        except _TargetExit:
            pass
        except ImsError as exc:
            target.served, target.error = FAILED, exc.message
        except Exception as exc:  # pylint: disable=broad-except
            target.served, target.error = FAILED, 'Unexpected error: %s: %s' % (type(exc).__name__, exc)
        finally:
            target.seconds = time.time() - started
            if target.task is not None and target.task.result.get('changed'):
                target.changed = True
                target.image = target.image or target.task.result.get('image')

    def _native(self, target):
        target.image = target.copier.copy(target.task, self.service, self.source, target.params['name'],
                                          tag_marks(self._marks_of(target)), self.params['replace'])
        target.served = NATIVE

    def _marks_of(self, target):
        marks = {REPLICA_OF: self.source_ref}
        if self.source_hashes.get('md5'):
            marks[REPLICA_MD5] = self.source_hashes['md5']
        return marks

    def _stream_group(self, group):
        """One read of the source for the targets of ``group``, each sent by its provider's upload flow."""
        description = 'image %s of %s %s' % (self.source['image_id'], self.params['provider'], self.params.get('region') or '')
        try:
            read = self.reader.open(self.service, self.source, self.source_hashes)
        except ImsError as exc:
            for target in group:
                target.served, target.error = FAILED, 'Reading the source failed: %s' % exc.message
            return
        self.reads += 1
        self._mark_read(group, read)
        algorithms = ('md5',)
        fan = _fanout.Fanout(read.stream, len(group), size=read.size, algorithms=algorithms, description=description,
                             staging=self.params['staging'], staging_dir=self.params['staging_dir'])
        with fan:
            jobs = []
            for target, reader in zip(group, fan.readers or [None] * len(group)):
                target.task.source = self._source_for(reader, fan, read, description)
                jobs.append((self._streamed, target, reader))
            self._in_threads(jobs)
        for target in group:
            if target.served == STREAMED:
                self._verify(target, fan.digests, read)

    def _mark_read(self, group, read):
        """Mark the group's images with the MD5 of the bytes read where it is not the source image's own (an export
        in another format): a re-run tells a replica of this source by that mark and the hash its target reports."""
        md5 = read.hashes.get('md5')
        if md5 is None or md5 == self.source_hashes.get('md5'):
            return
        for target in group:
            params = target.task.params
            kept = dict((k, params.get(k)) for k in ('tags', 'properties') if params.get(k) is not None)
            params.update(mark_options(target.given['provider'], dict(self._marks_of(target), **{REPLICA_MD5: md5}), kept))

    def _source_for(self, reader, fan, read, description):
        """What one target's upload reads: its reader of the fanout, or the staged file (staging: disk)."""
        if reader is None:
            return FileSource(fan.path, disk_format=read.disk_format, description=description)
        return StreamSource(reader, read.size, read.hashes, description, disk_format=read.disk_format)

    def _streamed(self, target, reader):
        try:
            target.service.backend.image_upload(target.task).run()
        finally:
            if reader is not None:
                reader.close()
        target.image = target.task.result.get('image')
        transfer = target.task.result.get('transfer') or {}
        target.bytes_moved = transfer.get('bytes_sent', transfer.get('bytes', 0)) or 0
        target.served = STREAMED if target.task.result.get('changed') else UNCHANGED

    def _verify(self, target, digests, read):
        """The digest of what was read against what reported its hash before the read and what the target reports."""
        digest = (digests or {}).get('md5')
        if digest is None:
            return
        problems = []
        if read.hashes.get('md5') and read.hashes['md5'] != digest:
            problems.append('%s reports MD5 %s but its bytes have MD5 %s' % (read.reported, read.hashes['md5'], digest))
        reported = target.service.backend.data_hashes(target.image or {}).get('md5')
        if reported and reported != digest:
            problems.append('the target reports MD5 %s but the bytes sent have MD5 %s' % (reported, digest))
        if problems:
            target.served, target.error = FAILED, '; '.join(problems) + '.'

    # -- the result ------------------------------------------------------------------------------

    def report(self):
        s = self.source
        self.result['source'] = dict(provider=self.params['provider'], region=self.params.get('region'),
                                     image_id=s['image_id'], name=s.get('name'), checksum=self.source_hashes.get('md5'))
        self.result['targets'] = [t.outcome() for t in self.targets]
        self.result['source_reads'] = self.reads
        if self.reader is not None and self.reader.facts is not None:
            self.result['staged_object'] = self.reader.facts
        self.result['changed'] = any(t.changed or t.served in (NATIVE, STREAMED) for t in self.targets) or (
            self.check_mode and any(t.served == PLANNED for t in self.targets)) or bool(self.reader and self.reader.changed)
        self.result['failed_targets'] = [t.index for t in self.targets if t.served == FAILED]
        entries = [(_summary(t.existing), _planned(t, s), t.label) for t in self.targets]
        self.task.set_diff(dict(image=s['image_id'], name=s.get('name')), dict(image=s['image_id'], name=s.get('name')),
                           also=entries)
        if self.result['failed_targets']:
            raise ImsError('%d of %d targets failed: %s' % (
                len(self.result['failed_targets']), len(self.targets),
                '; '.join('%s: %s' % (t.label, t.error) for t in self.targets if t.served == FAILED)))


def _groups(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def _summary(images):
    return [dict((k, i.get(k)) for k in ('image_id', 'name', 'status', 'checksum', 'size')) for i in images]


def _planned(target, source):
    if target.served == UNCHANGED:
        return _summary([target.image])
    if target.served == FAILED and target.plan is None:
        return _summary(target.existing)
    return [dict(name=target.params['name'], status=ACTIVE, checksum=source.get('checksum'), size=source.get('size'),
                 served=target.served if target.served != PLANNED else target.plan)]

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WorkspaceInfoModule: the base class of the Huawei Cloud Workspace listing modules.

A subclass names the options that are query parameters of its listing, the backend method that lists,
and the result keys; this class checks ``limit``, sends the query, matches ``filters`` on the records
(the fields the API cannot filter), stops at ``limit`` and returns the records with the service's total.
Nothing changes on the service, so check mode makes the same requests.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._huaweicloud.workspace import Listing, WorkspaceBackend
from ansible_collections.cecloud.ims.plugins.module_utils._module import FILTERS_ARGUMENT_SPEC, ImsModule
from ansible_collections.cecloud.ims.plugins.module_utils._service import matches_filters

# Workspace is a Huawei Cloud service: the provider option has one value (IMS_PROVIDER, which may name
# another cloud for the IMS modules of the same play, is not read).
HUAWEICLOUD_ONLY = dict(provider=dict(type='str', default='huaweicloud', choices=['huaweicloud']))
COMMON_ARGUMENT_SPEC = dict(HUAWEICLOUD_ONLY, limit=dict(type='int'), **FILTERS_ARGUMENT_SPEC)


def flattened(record, prefix=''):
    """The record's fields, with those of nested objects also as ``parent.child`` (``image_ref.image_type``)."""
    fields = {}
    for key, value in record.items():
        fields[prefix + key] = value
        if isinstance(value, dict):
            fields.update(flattened(value, prefix + key + '.'))
    return fields


class WorkspaceInfoModule(ImsModule):
    """Subclasses set ``argument_spec``, ``query_options``, ``result_key``, ``total_key``, ``what`` and ``list_records()``."""

    query_options = ()
    # The query options that select records by a field of the same name and value: a filter of that name asks the
    # same (check_filters_against_options); ``forwarded_filters`` also send the filter when the option is unset,
    # where the service's default for the option would hide the records the filter asks for.
    filter_options = ()
    forwarded_filters = ()
    result_key = None
    total_key = None
    what = 'record'

    def list_records(self, backend, query, listing):
        """The backend's records for ``query``, paged as ``listing`` says."""
        raise NotImplementedError

    def run(self):
        p = self.params
        if p['limit'] is not None and p['limit'] < 1:
            raise ImsValidationError('limit must be 1 or more (how many %ss to return in all); got %s.' % (
                self.what, p['limit']))
        self.check_filters_against_options(dict((o, o) for o in self.filter_options), forward=self.forwarded_filters)
        query = dict((o, p[o]) for o in self.query_options if p[o] not in (None, ''))
        filters = p['filters'] or {}
        # With filters, pages stay the largest until enough records match; without, the last page asks no more
        # than the records still wanted.
        listing = Listing(None if filters else p['limit'])
        found = []
        fields = set()
        for record in self.list_records(WorkspaceBackend(self.client, p), query, listing):
            flat = flattened(record)
            fields.update(flat)
            if matches_filters(flat, filters):
                found.append(record)
                if p['limit'] and len(found) >= p['limit']:
                    break
        self.warn_about_unknown_filter_keys(filters, fields, self.what)
        self.exit_json(**{self.result_key: found, self.total_key: listing.total})

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: image
author:
  - cecloud.ims contributors (@cecloud)
version_added: 1.0.0
short_description: Find an image of an Image Management Service (IMS) by name, regular expression or tags
description:
  - Looks images up as M(cecloud.ims.ims_image_info) does (the same options, connection and query), on the
    controller, and returns the id of the newest image that matches, so that any task can provision with it.
  - By default (O(most_recent=true)) it returns one id; with O(most_recent=false) every matching id, in the order
    of O(sort_by). O(return=image) returns the image records, as RV(cecloud.ims.ims_image_info#module:images) has them.
  - Fails when no image matches (unless O(allow_empty=true)), and when several match while O(expect_one=true).
  - The connection options and their environment variables are those of the modules (E(IMS_ENDPOINT),
    E(OS_AUTH_URL), E(HUAWEICLOUD_SDK_AK)...), read by the selected provider; secrets never appear in an error.
  - Deprecated and hidden images (their C(deprecated) or C(hidden) field is true) are left out unless
    O(include_deprecated=true).
  - Takes no terms; give every option by name.
options:
  most_recent:
    description:
      - Return only the first image in the order of O(sort_by) (V(created_at) by default) and O(sort_order) -
        by default the newest one.
      - V(false) returns every matching image.
      - The newest image of one scope by O(name) or a filter the service applies costs one request.
    type: bool
    default: true
  return:
    description:
      - V(id) returns image ids, V(image) the image records as M(cecloud.ims.ims_image_info) returns them.
    type: str
    choices: [id, image]
    default: id
  allow_empty:
    description:
      - When no image matches, return an empty list instead of failing.
    type: bool
    default: false
  expect_one:
    description:
      - Fail when more than one image matches (with O(most_recent=false)), naming them, instead of returning them all.
    type: bool
    default: false
extends_documentation_fragment:
  - cecloud.ims.ims
  - cecloud.ims.ims.image_query
  - cecloud.ims.ims.filters
notes:
  - The lookup runs on the controller, where the environment variables of the connection are read.
  - Use C(query()) (or C(wantlist=true)) with O(most_recent=false) to get a list; C(lookup()) joins ids with commas.
seealso:
  - module: cecloud.ims.ims_image_info
'''

EXAMPLES = r'''
- name: Provision with the newest golden Ubuntu 22 image
  vars:
    golden_id: "{{ lookup('cecloud.ims.image', name_regex='^golden-ubuntu-22', scope='private') }}"
  ansible.builtin.debug:
    msg: "Booting {{ golden_id }}"

- name: The newest image of one name, with the connection given explicitly
  ansible.builtin.set_fact:
    image_id: >-
      {{ lookup('cecloud.ims.image', name='golden-centos8', endpoint='https://ims.example.com:8443',
                region='region0', auth_token=ims_token) }}

- name: OpenStack - the newest image tagged for production (credentials from OS_* variables)
  ansible.builtin.set_fact:
    prod_image: "{{ lookup('cecloud.ims.image', provider='openstack', tags={'stage': 'prod'}) }}"

- name: Every image of a family, newest first, as records
  ansible.builtin.set_fact:
    family: >-
      {{ query('cecloud.ims.image', provider='huaweicloud', region='cn-north-4', tags={'ims_family': 'web'},
               most_recent=false, return='image') }}

- name: Fail unless exactly one image has this name
  ansible.builtin.set_fact:
    base_id: "{{ lookup('cecloud.ims.image', name='base', most_recent=false, expect_one=true) }}"

- name: An id or nothing
  ansible.builtin.set_fact:
    maybe_id: "{{ lookup('cecloud.ims.image', name='canary', allow_empty=true) }}"
'''

RETURN = r'''
_raw:
  description:
    - The ids of the images found (O(return=id)), or their records (O(return=image), with the fields of
      RV(cecloud.ims.ims_image_info#module:images)), in the order of O(sort_by); one with O(most_recent=true).
    - Empty only with O(allow_empty=true).
  type: list
  elements: raw
'''

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from ansible_collections.cecloud.ims.plugins.module_utils._core import client as _client
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsError
from ansible_collections.cecloud.ims.plugins.module_utils._image_query import (
    QUERY_ARGUMENT_SPEC, QUERY_MUTUALLY_EXCLUSIVE, ImageQuery, find_images)
from ansible_collections.cecloud.ims.plugins.module_utils._module import ImsModule

display = Display()

NAME = 'cecloud.ims.image'
# The lookup's own options, beyond the query's and the connection's.
LOOKUP_ARGUMENT_SPEC = dict(
    most_recent=dict(type='bool', default=True),
    expect_one=dict(type='bool', default=False),
    allow_empty=dict(type='bool', default=False),
    # ``return`` is a Python keyword: the lookup takes it as a keyword argument all the same.
    **{'return': dict(type='str', default='id', choices=['id', 'image'])}
)
SHOWN_IDS = 10


def argument_spec():
    spec = _providers.connection_argument_spec()
    spec.update(QUERY_ARGUMENT_SPEC)
    spec.update(LOOKUP_ARGUMENT_SPEC)
    return spec


class ImageLookupRun(ImsModule):
    """ims_image_info's checks and query, driven by the lookup's options instead of an AnsibleModule: one code path.

    Its ``name`` is the module's, so the options each provider reads of ims_image_info (``member_status``) hold here.
    """

    name = 'ims_image_info'

    def __init__(self, params, warn=None):  # pylint: disable=super-init-not-called
        self.argument_spec = argument_spec()
        self.params = params
        self.check_mode = False
        self.result = {}
        self._service = None
        self._auth_scheme = None
        self.secrets = set()
        self._warn = warn or display.warning

    def warn(self, message):
        self._warn(self.hide(message))

    def add_secret(self, value):
        if value:
            self.secrets.add(value)

    def hide(self, text):
        """``text`` without any secret of the task (the no_log options, and those read from the environment)."""
        return remove_values(text, self.secrets) if self.secrets else text

    def find(self):
        """The images the options ask for, checked as the lookup promises: none or several refused when told so."""
        p = self.params
        if not _client.HAS_REQUESTS:
            raise AnsibleLookupError('%s needs the Python library requests on the controller: %s' % (
                NAME, _client.REQUESTS_IMPORT_ERROR))
        query = ImageQuery(p)       # bad input is refused before the connection is even read
        self._check_common_options()
        images = find_images(self, query)
        if not images and not p['allow_empty']:
            raise AnsibleLookupError('%s: no image matches %s.' % (NAME, describe(p)))
        if p['expect_one'] and len(images) > 1:
            ids = [i.get('image_id') for i in images]
            shown = ', '.join(ids[:SHOWN_IDS]) + (' and %d more' % (len(ids) - SHOWN_IDS) if len(ids) > SHOWN_IDS else '')
            raise AnsibleLookupError('%s: %d images match %s (%s), and expect_one is true: narrow the query, or set '
                                     'most_recent to take the newest.' % (NAME, len(images), describe(p), shown))
        if p['return'] == 'id':
            return [i.get('image_id') for i in images]
        return images


def describe(params):
    """What was asked, for a message: ``name_regex '^golden' in scope private (provider cecloud, region r1)``."""
    asked = ['%s %r' % (key, params[key]) for key in ('id', 'name', 'name_contains', 'name_regex', 'tags', 'filters')
             if params.get(key)]
    where = 'scope %s (provider %s%s)' % (params['scope'], params['provider'],
                                          ', region %s' % params['region'] if params.get('region') else '')
    if not params['include_deprecated']:
        where += ', deprecated and hidden images left out'
    return '%s in %s' % (' and '.join(asked) or 'any image', where)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError('%s takes no terms (give name=..., name_regex=...); got %s.' % (
                NAME, ', '.join(map(repr, terms))))
        validator = ArgumentSpecValidator(argument_spec(), mutually_exclusive=QUERY_MUTUALLY_EXCLUSIVE)
        checked = validator.validate(kwargs)
        secrets = set(checked._no_log_values)  # pylint: disable=protected-access
        if checked.error_messages:
            messages = [('unsupported option ' if isinstance(e, UnsupportedError) else '') + e.msg for e in checked.errors]
            raise AnsibleLookupError('%s: %s' % (NAME, remove_values(' '.join(messages), secrets)))
        run = ImageLookupRun(checked.validated_parameters)
        run.secrets.update(secrets)
        try:
            return run.find()
        except ImsError as exc:
            raise AnsibleLookupError('%s: %s' % (NAME, run.hide(exc.message))) from None
        except AnsibleLookupError as exc:
            raise AnsibleLookupError(run.hide(str(exc))) from None

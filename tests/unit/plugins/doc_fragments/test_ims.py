# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The doc fragments mirror the shared argument specs exactly: names, types, choices, defaults, no_log."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible_collections.cecloud.ims.plugins.doc_fragments.ims import ModuleDocFragment
from ansible_collections.cecloud.ims.plugins.module_utils._backend import ExportTarget
from ansible_collections.cecloud.ims.plugins.module_utils._image_spec import IMAGE_METADATA_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._image_query import QUERY_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._module import FILTERS_ARGUMENT_SPEC, WAIT_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._providers import connection_argument_spec


@pytest.mark.parametrize('fragment,spec', [
    # The provider choices as a module builds them from the registry: the fragment lists the shipped providers.
    (ModuleDocFragment.DOCUMENTATION, connection_argument_spec()),
    (ModuleDocFragment.WAIT, WAIT_ARGUMENT_SPEC),
    (ModuleDocFragment.IMAGE_METADATA, IMAGE_METADATA_ARGUMENT_SPEC),
    (ModuleDocFragment.FILTERS, FILTERS_ARGUMENT_SPEC),
    (ModuleDocFragment.IMAGE_QUERY, dict((k, v) for k, v in QUERY_ARGUMENT_SPEC.items() if k not in FILTERS_ARGUMENT_SPEC)),
], ids=['connection', 'wait', 'image_metadata', 'filters', 'image_query'])
def test_fragment_mirrors_spec(fragment, spec):
    documented = yaml.safe_load(fragment)['options']
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        doc = documented[name]
        assert doc['type'] == option['type'], name
        assert doc.get('choices') == option.get('choices'), name
        assert doc.get('default') == option.get('default'), name
        assert doc.get('elements') == option.get('elements'), name
        assert bool(option.get('no_log')) == ('Never logged' in ' '.join(doc['description'])), name


MODULES = ('ims_image', 'ims_image_info', 'ims_image_share', 'ims_image_upload', 'ims_image_export', 'workspace_image_info',
           'workspace_image_server_info')


def test_every_module_documents_the_action_group_of_meta_runtime():
    import json  # pylint: disable=import-outside-toplevel
    import os  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel
    ansible_doc = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
    proc = subprocess.run([ansible_doc, '--json'] + ['cecloud.ims.%s' % m for m in MODULES], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    for module in MODULES:
        attributes = docs['cecloud.ims.%s' % module]['doc']['attributes']
        assert attributes['action_group']['membership'] == ['cecloud.ims.ims'], module


class _RecordingClient:
    """Stands for ImsClient: records (method, path, idempotent) of every call a backend method makes."""

    def __init__(self):
        self.calls = []

    def call(self, method, path, idempotent=None, **kwargs):  # pylint: disable=unused-argument
        self.calls.append((method, path, idempotent))
        return {}


def test_the_retries_text_names_every_post_the_backend_marks_safe_to_repeat():
    from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.api import CECloudBackend  # pylint: disable=import-outside-toplevel
    client = _RecordingClient()
    backend = CECloudBackend(client)
    tenant = dict(tenant_id='t', department_id='d')
    backend.create_image({'name': 'x'})
    backend.import_image({'name': 'x'}, 'http://h/x')
    backend.upload_prepare('img-1', 1)
    backend.upload_done('img-1', True)
    backend.add_image_members('img-1', ['u'])
    backend.remove_image_members('img-1', ['u'])
    backend.copy_received_share('s-1', tenant, 'x')
    backend.export_image('img-1', ExportTarget('b', az_id='a', cell_id='c'))
    posts = [(path.rsplit('/', 1)[-1], idempotent) for method, path, idempotent in client.calls if method == 'POST']
    safe = sorted(name for name, idempotent in posts if idempotent)
    assert safe, posts
    text = ' '.join(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']['retries']['description'])
    for name in safe:
        assert name in text, (name, text)


@pytest.mark.parametrize('name', ['ims_image_info', 'workspace_image_info', 'workspace_image_server_info'])
def test_the_listing_modules_document_filters_by_the_shared_fragment(name):
    """One text of ``filters``: a module's own entry would replace the fragment's description whole."""
    import importlib  # pylint: disable=import-outside-toplevel
    module = importlib.import_module('ansible_collections.cecloud.ims.plugins.modules.%s' % name)
    doc = yaml.safe_load(module.DOCUMENTATION)
    assert 'cecloud.ims.ims.filters' in doc['extends_documentation_fragment'], name
    assert 'filters' not in (doc.get('options') or {}), name
    spec = [c for c in vars(module).values() if isinstance(c, type) and c.__module__ == module.__name__][0].argument_spec
    assert spec['filters'] is FILTERS_ARGUMENT_SPEC['filters'], name

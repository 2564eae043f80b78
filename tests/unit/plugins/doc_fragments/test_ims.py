# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The doc fragments mirror the shared argument specs exactly: names, types, choices, defaults, no_log."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible_collections.cecloud.ims.plugins.doc_fragments.ims import ModuleDocFragment
from ansible_collections.cecloud.ims.plugins.module_utils._image_options import IMAGE_METADATA_ARGUMENT_SPEC
from ansible_collections.cecloud.ims.plugins.module_utils._module import CONNECTION_ARGUMENT_SPEC, WAIT_ARGUMENT_SPEC


@pytest.mark.parametrize('fragment,spec', [
    (ModuleDocFragment.DOCUMENTATION, CONNECTION_ARGUMENT_SPEC),
    (ModuleDocFragment.WAIT, WAIT_ARGUMENT_SPEC),
    (ModuleDocFragment.IMAGE_METADATA, IMAGE_METADATA_ARGUMENT_SPEC),
], ids=['connection', 'wait', 'image_metadata'])
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

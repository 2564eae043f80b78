# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each module option some providers read (their backends' ``module_options``, gathered by the registry) says so in
its documentation: "Providers: ..."."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible_collections.cecloud.ims.plugins.doc_fragments.ims import ModuleDocFragment
from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from ansible_collections.cecloud.ims.plugins.modules import (
    ims_image, ims_image_export, ims_image_info, ims_image_share, ims_image_upload)

MODULES = [(ims_image, ims_image.ImageModule), (ims_image_info, ims_image_info.ImageInfoModule),
           (ims_image_share, ims_image_share.ImageShareModule), (ims_image_upload, ims_image_upload.ImageUploadModule),
           (ims_image_export, ims_image_export.ImageExportModule)]


def documented_options(module):
    options = dict(yaml.safe_load(module.DOCUMENTATION).get('options') or {})
    options.update(yaml.safe_load(ModuleDocFragment.IMAGE_METADATA)['options'])
    options.update(yaml.safe_load(ModuleDocFragment.IMAGE_QUERY)['options'])
    return options


@pytest.mark.parametrize('module,module_class', MODULES, ids=[m.__name__.rsplit('.', 1)[-1] for m, c in MODULES])
def test_every_option_of_one_provider_names_it(module, module_class):
    options = documented_options(module)
    readers = _providers.module_options(module_class.name)
    assert readers == module_class.provider_options
    for option, providers in readers.items():
        lines = [line for line in options[option]['description'] if line.startswith('Providers: ')]
        assert lines, '%s of %s has no "Providers:" line' % (option, module.__name__)
        assert lines[0][len('Providers: '):].split(' (')[0].rstrip('.').split(', ') == list(providers), (option, lines)


def documented_value(value):
    """A default as the documentation writes it: V(true), V(16)."""
    return 'V(%s)' % (str(value).lower() if isinstance(value, bool) else value)


@pytest.mark.parametrize('module,module_class', MODULES, ids=[m.__name__.rsplit('.', 1)[-1] for m, c in MODULES])
def test_every_provider_option_default_is_documented(module, module_class):
    """The spec cannot show these defaults (ImsModule fills them), so the description text states each."""
    options = documented_options(module)
    for option, default in module_class.provider_option_defaults.items():
        assert option in module_class.provider_options, '%s has a default but is read by every provider' % option
        assert 'default' not in module_class.argument_spec[option], option
        text = ' '.join(options[option]['description']).lower()
        assert ('default %s' % documented_value(default)).lower() in text, (module.__name__, option, text)

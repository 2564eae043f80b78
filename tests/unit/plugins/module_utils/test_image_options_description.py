# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""metadata_changes and the description: the document returns it as ``describe`` (copy) or not at all (listings)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._cecloud.image_options import metadata_changes


def test_description_reported_as_describe_is_compared():
    assert metadata_changes(dict(image_id='i', describe='our copy'), dict(description='our copy')) == {}
    with pytest.raises(ImsValidationError):
        metadata_changes(dict(image_id='i', describe='our copy'), dict(description='another'))


def test_description_not_reported_is_not_compared():
    assert metadata_changes(dict(image_id='i', name='a'), dict(name='a', description='anything')) == {}


def test_description_field_wins_over_describe():
    assert metadata_changes(dict(image_id='i', description='x1', describe='x2'), dict(description='x1')) == {}

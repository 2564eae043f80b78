# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider seam, seen from one task: ims_image_upload on each provider, traced (tests/figures/trace), calls
functions of the neutral files and of its own provider's folder only, never of another provider's.

Each test prints the files it crossed (``pytest -s``): the figure "files one task crosses from main() to the
request"."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from tests.integration.conftest import REPO
from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import md5, parts_identity, write_qcow2, write_raw

TRACE = os.path.join(REPO, 'tests', 'figures', 'trace')
PROVIDER_FOLDERS = ('module_utils/_cecloud/', 'module_utils/_openstack/', 'module_utils/_huaweicloud/')


def traced(tmp_path, env=None):
    """Module-run environment that records the collection's files whose functions the run called."""
    out = tmp_path / 'crossed.txt'
    from tests.integration.conftest import COLLECTIONS     # the PYTHONPATH module_env gives, with the trace first
    return out, dict(env or {}, IMS_TRACE_FILES=str(out), PYTHONPATH=os.pathsep.join((TRACE, COLLECTIONS, REPO)))


def crossed(out, provider):
    files = out.read_text().split()
    print('\nims_image_upload on %s crossed %d files:\n  %s' % (provider, len(files), '\n  '.join(files)))
    assert files, 'the trace recorded nothing'
    return files


def assert_own_folder_only(files, own):
    foreign = [f for f in files if f.startswith(PROVIDER_FOLDERS) and not f.startswith(own)]
    assert not foreign, 'a %s task called code of another provider: %s' % (own, foreign)


def test_cecloud_upload_crosses_no_other_provider(ims, tmp_path):
    src = write_qcow2(tmp_path / 'seam.qcow2', 2)
    out, env = traced(tmp_path)
    run = ims.module('ims_image_upload', dict(src=src, name='seam-cecloud', part_size_mb=5), env=env)
    assert run.changed and run['checksum'] == md5(src), run
    assert_own_folder_only(crossed(out, 'cecloud'), 'module_utils/_cecloud/')


def test_openstack_upload_crosses_no_other_provider(glance, tmp_path):
    src = write_raw(tmp_path / 'seam.raw', 2)
    out, env = traced(tmp_path)
    run = glance.module('ims_image_upload', dict(src=src, name='seam-openstack'), env=env)
    assert run.changed and run['checksum'] == md5(src), run
    assert_own_folder_only(crossed(out, 'openstack'), 'module_utils/_openstack/')


@pytest.mark.parametrize('auth', ['aksk'])
def test_huaweicloud_upload_crosses_no_other_provider(hw, tmp_path, auth):  # noqa: F811  pylint: disable=redefined-outer-name
    bucket = 'seam-%s' % tmp_path.name[-8:].lower().replace('_', '-')
    hw.obs().create_bucket(Bucket=bucket)
    src = write_raw(tmp_path / 'seam.raw', 8)
    out, env = traced(tmp_path)
    run = hw.module('ims_image_upload', dict(src=src, name='seam-huaweicloud', obs_bucket=bucket, min_disk=40,
                                             part_size_mb=5), auth=auth, env=env)
    assert run.changed and run['checksum'] == parts_identity(src, 5), run
    files = crossed(out, 'huaweicloud')
    # Huawei IMS serves the Glance v2 API as well: its backend builds on the openstack provider's Glance parts.
    assert_own_folder_only([f for f in files if not f.startswith('module_utils/_openstack/glance')],
                           'module_utils/_huaweicloud/')

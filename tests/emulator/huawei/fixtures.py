"""pytest fixtures of the Huawei Cloud emulator (imported by tests/integration/conftest.py and
tests/unit/emulator/conftest.py).

``huawei_stack`` (session): SeaweedFS acting as OBS + one emulator process serving IMS in two
regions (one port each, one shared state), IAM, Workspace and Workspace App.  Started when the
first test asks for it, always stopped at session end.  ``huawei`` (function): the same stack,
reset first (images, members, jobs, Workspace records, switches, faults, AK locks, request log) and
OBS emptied, for tests that want a clean service.

The contract (``tests.emulator.huawei.stack.HuaweiStack``):

where
  ``regions``                  ['cn-north-4', 'cn-east-3'] (the first is the default everywhere)
  ``region_endpoints``         {region: IMS URL}            ``endpoint(region=None)`` one of them
  ``iam_url``                  IAM root (``/v3/auth/tokens``, ``/v3/projects`` under it)
  ``auth_url``                 ``iam_url + '/v3'`` (Keystone root, what ``auth_url``/``iam_endpoint`` take)
  ``obs_url``                  the S3 endpoint acting as OBS (SeaweedFS, or rclone with ``s3_server='rclone'``; path style;
                               accepts every tenant's permanent AK/SK, never the temporary ones: neither server can check
                               Huawei's security token)
  ``workspace_url``            Workspace (``GET /v2/{project_id}/images``)
  ``workspace_app_url``        Workspace App (``GET /v1/{project_id}/image-servers``)
who (``tenants`` = {'owner': Tenant, 'recipient': Tenant}; ``owner``, ``recipient``; ``tenant(name)``)
  Tenant: ``access_key``/``secret_key`` (permanent), ``temp_access_key``/``temp_secret_key``/
  ``security_token`` (temporary), ``user_name``/``password``/``domain_name``/``domain_id``/``user_id``
  (IAM login), ``projects`` {region: project id}, ``sub_project`` (``cn-north-4_dev``, not found by
  ``?name=cn-north-4``).  ``project_ids`` = {tenant: {region: id}}.
  ``module_args(tenant='owner', region=None, auth='aksk'|'temporary'|'password'|'none', service='ims'|'workspace')``
  the module connection options (provider, region, iam_endpoint, endpoint/obs_endpoint/region_endpoints or
  workspace_endpoint/workspace_app_endpoint, and the keys or the login); ``env(tenant, region, temporary=False)``
  the HUAWEICLOUD_SDK_* variables.
look
  ``state()`` everything; ``images(name=, region=, tenant=)`` private images (with ``_region``,
  ``_deleting`` ...); ``members(image_id=None)``; ``jobs(job_type=None)``;
  ``requests(service=None)`` the request log of every port (method, path, query, status, code,
  service, tenant, project, auth, fault, handler); ``writes()`` its POST/PUT/PATCH/DELETE except
  IAM; ``clear_requests()``.
change
  ``reset()`` (switches back to those of the start: ``HuaweiStack(switches=)``, env ``HUAWEI_EMU_SWITCHES``);
  ``clear_obs()`` (every bucket and object); ``set_switches(name=value, ...)`` (``switches()`` reads them): the readings
  of the documents and the knobs of a busy service, ``transition_seconds``, ``page_cap``, ``quota``... (README.md, "Switches",
  and ``tests/emulator/huawei/switches.py``);
  ``set_faults(error_rate, drop_rate, latency_ms, seed, rules=[{method, path, service, action:
  error|status|error_after|drop_before|drop_after|cut, status, count, latency_ms}])`` (service:
  ``ims:<region>``, ``iam``, ``workspace``, ``workspaceapp``); ``set_job_faults([{job_type, error_code,
  fail_reason, count, projects}])`` (``projects``: only their items of a member job fail); ``seed_images(tenant, region, count, prefix, **attributes)``;
  ``seed_workspace(tenant, region, images=N, servers=M)`` (12 product images and 8 image servers per
  project after a reset);
  ``revoke_tokens()``.
call
  ``client(tenant='owner', region=None, service='ims'|'iam'|'workspace'|'workspaceapp', temporary=False,
  token=None)`` a client signed by huaweicloudsdkcore (``request()``, ``ok()``, ``wait_job()``);
  ``login(tenant, region)`` an IAM token.
"""

import json
import os

import pytest

from tests.dependencies import missing
from tests.emulator.huawei.stack import HuaweiStack
from tests.emulator.stack import StackError, find_weed


@pytest.fixture(scope='session')
def huawei_stack():
    try:
        find_weed()
    except StackError as exc:
        missing(str(exc))
    # HUAWEI_EMU_SWITCHES (JSON): run every test in other readings of the documents (README.md, "Switches").
    with HuaweiStack(transition_seconds=0.3, switches=json.loads(os.environ.get('HUAWEI_EMU_SWITCHES') or '{}')) as stack:
        yield stack


@pytest.fixture
def huawei(huawei_stack):  # pylint: disable=redefined-outer-name
    huawei_stack.reset()
    huawei_stack.clear_obs()
    return huawei_stack

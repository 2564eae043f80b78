# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running the modules with ``provider: huaweicloud`` against the Huawei emulator (tests/emulator/huawei).

``hw`` (function fixture): the emulator reset, and ``hw.module(name, args, tenant=, auth=, region=)`` running a
module through its own entry point with the tenant's connection options.  The emulator's own view (its
state, request log, fault switches) is ``hw.stack``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import uuid
from urllib.parse import parse_qsl

import boto3
import pytest
from botocore.config import Config

from ansible_collections.cecloud.ims.plugins.module_utils._providers import CONNECTION_ARGUMENT_SPEC
from tests.integration.conftest import module_env, run_module

# Variables a test host may hold that must not reach the module unless a test sets them.
CONNECTION_PREFIXES = ('IMS_', 'HUAWEICLOUD_', 'OS_')


class Huawei:
    def __init__(self, stack):
        self.stack = stack

    def connection(self, tenant='owner', auth='aksk', region=None):
        """The tenant's connection options the modules know (the emulator also names Workspace's)."""
        args = self.stack.module_args(tenant, region=region, auth=auth)
        return dict((k, v) for k, v in args.items() if k in CONNECTION_ARGUMENT_SPEC)

    def module(self, name, args=None, tenant='owner', auth='aksk', region=None, check=False, diff=False, env=None,
               timeout=600):
        module_args = self.connection(tenant, auth, region)
        module_args.update(args or {})
        return run_module(name, module_args, module_env(env or {}, drop_prefixes=CONNECTION_PREFIXES), check=check,
                          diff=diff, timeout=timeout)

    def project(self, tenant='owner', region=None):
        return self.stack.tenant(tenant).projects[region or self.stack.regions[0]]

    def images(self, name=None, region=None, tenant=None):
        """The emulator's images that are not on their way out."""
        return [i for i in self.stack.images(name=name, region=region, tenant=tenant)
                if i.get('status') != 'deleted' and not i.get('_deleting')]

    def writes(self):
        return self.stack.writes()

    def ims_requests(self, method=None, path_start=''):
        return [r for r in self.stack.requests() if str(r.get('service', '')).startswith('ims')
                and (method is None or r['method'] == method) and r['path'].startswith(path_start)]

    def obs(self, tenant='owner'):
        """A boto3 S3 client of OBS (SeaweedFS) with the tenant's keys."""
        data = self.stack.tenant(tenant)
        return boto3.client('s3', endpoint_url=self.stack.obs_url, aws_access_key_id=data.access_key,
                            aws_secret_access_key=data.secret_key, region_name='us-east-1',
                            config=Config(s3={'addressing_style': 'path'}))

    def put_object(self, data=b'QFI\xfb' + b'\0' * 4096, key='images/disk.qcow2', bucket=None, tenant='owner'):
        """An object in a new bucket of OBS; returns its ``obs://bucket/key`` URL."""
        bucket = bucket or 'img-%s' % uuid.uuid4().hex[:12]
        client = self.obs(tenant)
        client.create_bucket(Bucket=bucket)
        client.put_object(Bucket=bucket, Key=key, Body=data)
        return 'obs://%s/%s' % (bucket, key)

    @staticmethod
    def query(request):
        """The query of a logged request as a dict (one value per name)."""
        query = request.get('query') or ''
        return query if isinstance(query, dict) else dict(parse_qsl(query.lstrip('?'), keep_blank_values=True))

    def seed(self, count=1, prefix='seed-', tenant='owner', region=None, **attributes):
        return self.stack.seed_images(tenant=tenant, region=region, count=count, prefix=prefix, **attributes)


@pytest.fixture
def hw(huawei):  # pylint: disable=redefined-outer-name
    return Huawei(huawei)

"""The stack of ``make demo PROVIDER=openstack|huaweicloud`` and ``make stack PROVIDER=...``.

openstack: the real Keystone + Glance of ``tests.openstack.stack`` (projects proj-a, the owner, and proj-b, the
recipient). huaweicloud: the Huawei emulator in two regions with an S3 server as OBS (tenants owner and recipient).

The owner's connection is exported as the modules' environment variables (IMS_PROVIDER, OS_* or IMS_*), and what
playbooks/demo_cloud.yml needs beside it as IMS_DEMO_* (JSON): the owner's and the recipient's connection dicts,
the project to share with, the OBS buckets and a second region. The servers stop when the command ends (or on
Ctrl-C without one).

CLI: ``python -m tests.demo_stack PROVIDER [--env-file F] [-- CMD ARGS...]``.
"""

import argparse
import json
import os
import signal
import sys

from tests.emulator.stack import env_file, serve, split_command

OPENSTACK_OPTIONS = {'OS_AUTH_URL': 'auth_url', 'OS_USERNAME': 'username', 'OS_PASSWORD': 'password',
                     'OS_PROJECT_NAME': 'project_name', 'OS_USER_DOMAIN_NAME': 'user_domain_name',
                     'OS_PROJECT_DOMAIN_NAME': 'project_domain_name', 'OS_REGION_NAME': 'region', 'OS_INTERFACE': 'interface'}
HUAWEI_ENV = {'region': 'IMS_REGION', 'endpoint': 'IMS_ENDPOINT', 'access_key': 'IMS_ACCESS_KEY', 'secret_key': 'IMS_SECRET_KEY',
              'iam_endpoint': 'IMS_IAM_ENDPOINT', 'obs_endpoint': 'IMS_OBS_ENDPOINT'}
DEMO_BUCKETS = {'staging': 'demo-staging', 'export': 'demo-export'}


def openstack_env(stack):
    def connection(project):
        return dict({OPENSTACK_OPTIONS[k]: v for k, v in stack.env(project).items() if k in OPENSTACK_OPTIONS}, provider='openstack')
    env = dict(stack.env('proj-a'), IMS_PROVIDER='openstack')
    return env, dict(owner=connection('proj-a'), recipient=connection('proj-b'), share_to=stack.project_ids['proj-b'])


def huaweicloud_env(stack):
    from tests.emulator.s3 import make_client  # pylint: disable=import-outside-toplevel
    owner = stack.module_args('owner')
    keys = ('provider', 'region', 'endpoint', 'iam_endpoint', 'obs_endpoint', 'region_endpoints', 'access_key', 'secret_key')
    client = make_client(stack.obs_url, stack.owner.access_key, stack.owner.secret_key)
    for bucket in DEMO_BUCKETS.values():
        client.create_bucket(Bucket=bucket)
    env = dict({name: owner[option] for option, name in HUAWEI_ENV.items()}, IMS_PROVIDER='huaweicloud')
    second = stack.regions[1]
    return env, dict(owner={k: owner[k] for k in keys}, recipient={k: v for k, v in stack.module_args('recipient').items() if k in keys},
                     share_to=stack.recipient.project(stack.regions[0]), buckets=DEMO_BUCKETS,
                     second_region=dict(region=second, endpoint=stack.endpoint(second)))


def make_stack(provider):
    if provider == 'openstack':
        from tests.openstack.stack import OpenStackStack  # pylint: disable=import-outside-toplevel
        return OpenStackStack(), openstack_env
    from tests.emulator.huawei.stack import HuaweiStack  # pylint: disable=import-outside-toplevel
    return HuaweiStack(), huaweicloud_env


def demo_environment(stack, describe):
    """The environment of the demo's playbook on a running ``stack`` (``describe``: openstack_env or huaweicloud_env):
    the owner's connection and the IMS_DEMO_* variables."""
    env, demo = describe(stack)
    env.update(('IMS_DEMO_' + key.upper(), json.dumps(value)) for key, value in demo.items())
    return env


def main(argv=None):
    argv, cmd = split_command(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog='python -m tests.demo_stack', description=__doc__.split('\n', 1)[0])
    parser.add_argument('provider', choices=['openstack', 'huaweicloud'])
    parser.add_argument('--env-file', help='also write the export lines to this file (removed when the stack stops)')
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # as Ctrl-C: the servers stop on the way out
    stack, describe = make_stack(args.provider)
    try:
        with stack:
            env = demo_environment(stack, describe)
            lines = [f"export {key}='{value}'" for key, value in sorted(env.items())]
            with env_file(args.env_file, lines):
                return serve(cmd, dict(os.environ, **env), lines, args.env_file)
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main())

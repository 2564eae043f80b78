"""Every documented example parses, names options its module has, and runs against the test stacks.

The examples are found by tests/integration/examples.py (every plugin's EXAMPLES, the YAML blocks of
README.md and docs/*.md); tests/integration/examples_env.yml holds the only changes made to them (a
user's endpoints, credentials and paths, per provider) and the examples the stacks cannot run, with why.
The examples of one file and one provider run in document order in one ansible-playbook run, against a
fresh stack; a task fails the test when it fails, or when it is a read (an info module, a look-up, a
message) and reports a change.
"""

from __future__ import absolute_import, division, print_function

import collections
import grp
import json
import os
import re
import string
import shutil
import subprocess

import botocore.exceptions
import certifi
import pytest
import yaml

from tests.integration.conftest import BIN, module_env
from tests.integration.examples import find_examples, provider_of
from tests.integration.huaweicloud import hw  # noqa: F401  pylint: disable=unused-import
from tests.integration.images import write_qcow2, write_raw

ENV_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'examples_env.yml')
with open(ENV_FILE) as _handle:
    SETTINGS = yaml.safe_load(_handle)
EXAMPLES = find_examples()
SKIP = dict((entry['example'], entry['why']) for entry in SETTINGS['skip'] or [])
# Tasks that only read: they must never report a change.
READS = re.compile(r'(_info$|^ansible\.builtin\.(debug|assert|set_fact)$)')
RESULT = re.compile(r'^(ok|changed|fatal|failed|skipping): \[localhost\]')


def _declared(example):
    for key, provider in SETTINGS['declared'].items():
        if example.key.startswith(key):
            return provider
    return None


def _provider(example):
    return provider_of(example, _declared(example))


def _skipped(example):
    return [key for key in SKIP if example.key.startswith(key)]


def _module_of(task):
    for key in task:
        if '.' in key and key not in ('ansible.builtin.import_playbook',):
            return key
    return None


def test_every_example_parses():
    invalid = ['%s:%d: %s' % (example.source, example.line, example.error) for example in EXAMPLES if example.error]
    assert not invalid, '\n'.join(invalid)


def test_every_skip_entry_names_an_example():
    unmatched = [key for key in SKIP if not any(example.key.startswith(key) for example in EXAMPLES)]
    assert not unmatched, 'skip entries that match no example: %s' % unmatched


def test_every_example_uses_options_its_module_has():
    """Each cecloud.ims task names only options of its module (ansible-doc's, which sanity checks against the spec)."""
    tasks = [(example, task) for example in EXAMPLES for task in example.tasks()]
    modules = sorted(set(_module_of(task) for _, task in tasks if (_module_of(task) or '').startswith('cecloud.ims.')))
    docs = json.loads(subprocess.run([os.path.join(BIN, 'ansible-doc'), '-t', 'module', '-j'] + modules, capture_output=True,
                                     text=True, check=True, env=module_env({})).stdout)
    unknown = []
    for example, task in tasks:
        module = _module_of(task)
        if module not in docs:
            continue
        options = docs[module]['doc']['options']
        names = set(options) | set(alias for option in options.values() for alias in option.get('aliases', []))
        extra = sorted(set(task[module] or {}) - names)
        if extra:
            unknown.append('%s: %s has no option %s' % (example.key, module, ', '.join(extra)))
    assert not unknown, '\n'.join(unknown)


def _groups():
    groups = collections.OrderedDict()
    for example in EXAMPLES:
        if example.kind in ('tasks', 'plays') and not _skipped(example):
            groups.setdefault((example.source, _provider(example)), []).append(example)
    return groups


def _given(source, provider):
    return (SETTINGS.get('given') or {}).get('%s %s' % (provider, source)) or {}


def _substituted(example, provider, env):
    text = example.text
    replace = dict(SETTINGS['providers'][provider]['replace'], **_given(example.source, provider).get('replace', {}))
    for old, new in replace.items():
        text = text.replace(old, string.Template(new).substitute(env))
    return yaml.safe_load(text)


def _playbook(source, examples, provider, env):
    """One play of every tasks example of the group, then the plays examples as they are, in document order;
    first what the examples take as given (the user's own images), from examples_env.yml."""
    given = _templated(_given(source, provider).get('tasks', []), env)
    plays, tasks = [], [dict(task, name='given: %s' % task['name']) for task in given]
    for example in examples:
        data = _substituted(example, provider, env)
        if example.kind == 'tasks':
            # Every example gets its verdict in the one run: a failed task is reported and the next runs.
            tasks.extend(dict(task, ignore_errors=True) for task in data)
        else:
            if tasks:
                plays.append(_play(tasks))
                tasks = []
            plays.extend(data)
    if tasks:
        plays.append(_play(tasks))
    defaults = _templated(SETTINGS['providers'][provider].get('module_defaults') or {}, env)
    for play in plays:
        play.setdefault('vars', {}).update(_vars(provider, env))
        if defaults:
            group = play.setdefault('module_defaults', {}).setdefault('group/cecloud.ims.ims', {})
            for name, value in defaults.items():
                group.setdefault(name, value)
    return plays


def _play(tasks):
    return {'name': 'examples', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}


def _vars(provider, env):
    return _templated(SETTINGS['providers'][provider]['vars'], env)


def _templated(data, env):
    """``data`` with every $NAME of its strings replaced by the stack's value."""
    return yaml.safe_load(string.Template(yaml.safe_dump(data)).substitute(env))


def _outcomes(stdout):
    """{task name: [outcome, ...]} from the default callback's output."""
    outcomes = collections.defaultdict(list)
    name = None
    for line in stdout.splitlines():
        if line.startswith('TASK ['):
            name = line[len('TASK ['):line.rindex(']')]
        match = RESULT.match(line)
        if match and name:
            outcomes[name].append(match.group(1))
    return outcomes


def _files(directory, http_root):
    """The files the examples name under /srv and on their mirror (the user's own images)."""
    write_qcow2(http_root / 'kylinv10sp3.qcow2', 2)
    write_qcow2(http_root / 'kylin-data.qcow2', 1)
    write_qcow2(directory / 'centos8-golden.qcow2', 2)
    write_qcow2(directory / 'ubuntu-22.04-golden.qcow2', 2)
    write_qcow2(directory / 'tiny-rescue.qcow2', 1)
    write_qcow2(directory / 'golden-2025.qcow2', 1)
    write_qcow2(directory / 'golden-ubuntu-22.04.qcow2', 1)
    write_raw(directory / 'kylin-v10.raw', 2)
    (directory / 'mirror').mkdir()
    shutil.copy(certifi.where(), str(directory / 'object-storage-ca.pem'))


def _run_group(source, provider, examples, env, tmp_path, http_dir):
    http_root, http_url = http_dir
    _files(tmp_path, http_root)
    env = dict(env, EXAMPLES_DIR=str(tmp_path), EXAMPLES_URL=http_url, EXAMPLES_GROUP=grp.getgrgid(os.getgid()).gr_name)
    path = tmp_path / 'examples.yml'
    path.write_text(yaml.safe_dump(_playbook(source, examples, provider, env), sort_keys=False))
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), str(path), '-i', 'localhost,', '-c', 'local'],
                          capture_output=True, text=True, env=module_env(env), cwd=str(tmp_path), timeout=900, check=False)
    outcomes = _outcomes(proc.stdout)
    problems = []
    for example in examples:
        for task in example.tasks():
            name = str(task.get('name'))
            seen = outcomes.get(name)
            module = _module_of(task) or ''
            if not seen:
                problems.append('%s: task %r never ran' % (example.key, name))
            elif 'fatal' in seen or 'failed' in seen:
                problems.append('%s: task %r failed' % (example.key, name))
            elif READS.search(module) and 'changed' in seen:
                problems.append('%s: task %r reads, yet reported changed' % (example.key, name))
    errors = [line[:600] for line in proc.stdout.splitlines() if line.startswith(('fatal:', 'ERROR', '[ERROR]'))]
    assert proc.returncode == 0 and not problems, '%s (%s):\n%s\n--- errors ---\n%s\n%s' % (
        source, provider, '\n'.join(problems), '\n'.join(errors), proc.stderr[-3000:])


GROUPS = _groups()


def _ids(provider):
    return [source for (source, group_provider) in GROUPS if group_provider == provider]


@pytest.mark.parametrize('source', _ids('cecloud'))
def test_cecloud_examples_run(source, ims, tmp_path, http_dir):
    env = dict(ims.stack.env('tenant-a'))
    env.update(ims.stack.extra_env())
    _run_group(source, 'cecloud', GROUPS[(source, 'cecloud')], env, tmp_path, http_dir)


@pytest.mark.parametrize('source', _ids('huaweicloud'))
def test_huaweicloud_examples_run(source, hw, tmp_path, http_dir):
    stack = hw.stack
    owner = stack.tenant('owner')
    hw.put_object(key='ubuntu-22.04.qcow2', bucket='my-images')   # the OBS file an example imports (bucket made)
    obs = hw.obs()
    for bucket in SETTINGS['providers']['huaweicloud']['buckets']:
        try:
            obs.create_bucket(Bucket=bucket)
        except botocore.exceptions.ClientError as exc:     # emptied by the fixture, kept
            if exc.response['Error']['Code'] != 'BucketAlreadyOwnedByYou':
                raise
    env = dict(stack.env('owner'), HUAWEI_IAM_URL=stack.auth_url, HUAWEI_OBS_URL=stack.obs_url,
               HUAWEI_WORKSPACE_URL=stack.workspace_url, HUAWEI_WORKSPACE_APP_URL=stack.workspace_app_url,
               HUAWEI_TOKEN=stack.login('owner', stack.regions[0]), HUAWEI_USER=owner.user_name,
               HUAWEI_PASSWORD=owner.password, HUAWEI_DOMAIN=owner.domain_name,
               HUAWEI_RECIPIENT_PROJECT=stack.tenant('recipient').projects[stack.regions[0]],
               **dict(('HUAWEI_IMS_URL_%s' % region.upper().replace('-', '_'), url) for region, url in stack.region_endpoints.items()))
    _run_group(source, 'huaweicloud', GROUPS[(source, 'huaweicloud')], env, tmp_path, http_dir)


@pytest.mark.parametrize('source', _ids('openstack'))
def test_openstack_examples_run(source, glance, tmp_path, http_dir):
    _run_group(source, 'openstack', GROUPS[(source, 'openstack')], glance.stack.env('proj-a'), tmp_path, http_dir)

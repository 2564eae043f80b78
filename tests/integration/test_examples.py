"""Every documented example parses, names options its module has, and runs against the test stacks.

The examples are found by tests/integration/examples.py (every plugin's EXAMPLES, the YAML blocks of
README.md and docs/*.md); tests/integration/examples_env.yml holds the only changes made to them (a
user's endpoints, credentials and paths, per provider) and the examples the stacks cannot run, with why.
The examples of one provider run in document order in one ansible-playbook run against the stack the
session already started (reset first), one play per example named after it; an example fails the test
when any of its tasks fails (errors are ignored so that every example gets its verdict), when it never
ran, or when a task that only reads (an info module, a look-up, a message) reports a change.
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
from tests.integration.examples import Example, find_examples, provider_of
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
# The names of the plays that mark in the output where an example, or what a file's examples take as given, begins.
EXAMPLE = 'example: '
GIVEN = 'given: '


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
    modules = sorted(set(_module_of(task) for _example, task in tasks if (_module_of(task) or '').startswith('cecloud.ims.')))
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


def _account(example):
    """The account an example runs as when its text says it is not the owner's (examples_env.yml ``as``)."""
    for key, account in (SETTINGS.get('as') or {}).items():
        if example.key.startswith(key):
            return account
    return None


def _playbook(groups, provider, env, accounts):
    """One playbook of every example of ``groups`` in document order: per file, first a play of what its examples
    take as given (the user's own images, from examples_env.yml), then per example a play named after it
    (a tasks example's tasks, or an empty play before a plays example's own plays) whose name marks in the
    output where the example begins. Every play ignores errors, so one run gives every example its verdict."""
    plays, done = [], []
    for source, examples in groups:
        given = [task for task in _templated(_given(source, provider).get('tasks', []), env) if task not in done]
        done.extend(given)
        if given:
            plays.append(_play(GIVEN + source, given))
        for example in examples:
            data = _substituted(example, provider, env)
            plays.append(_play(EXAMPLE + example.key, data if example.kind == 'tasks' else []))
            if _account(example):   # the environment a user of that account exports
                plays[-1]['environment'] = accounts[_account(example)]
            if example.kind == 'plays':
                plays.extend(data)
    defaults = _templated(SETTINGS['providers'][provider].get('module_defaults') or {}, env)
    for play in plays:
        if 'hosts' not in play:     # an import_playbook entry takes no play keywords
            continue
        play.setdefault('vars', {}).update(_vars(provider, env))
        play['ignore_errors'] = True
        if defaults:
            group = play.setdefault('module_defaults', {}).setdefault('group/cecloud.ims.ims', {})
            for name, value in defaults.items():
                group.setdefault(name, value)
    return plays


def _play(name, tasks):
    return {'name': name, 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}


def _vars(provider, env):
    return _templated(SETTINGS['providers'][provider]['vars'], env)


def _templated(data, env):
    """``data`` with every $NAME of its strings replaced by the stack's value."""
    return yaml.safe_load(string.Template(yaml.safe_dump(data)).substitute(env))


def _sections(stdout):
    """{marker play name: {task name: [outcome, ...]}} and {marker: [fatal lines]} from the default callback's
    output: every task's results belong to the example (or given) whose marker play came last."""
    outcomes = collections.defaultdict(lambda: collections.defaultdict(list))
    fatal = collections.defaultdict(list)
    section = task = None
    for line in stdout.splitlines():
        if line.startswith('PLAY ['):
            name = line[len('PLAY ['):line.rindex(']')]
            if name.startswith((EXAMPLE, GIVEN)):
                section = name
                outcomes.setdefault(section, collections.defaultdict(list))     # seen, even if no task of it runs
        elif line.startswith('TASK ['):
            task = line[len('TASK ['):line.rindex(']')]
        match = RESULT.match(line)
        if match and section and task:
            outcomes[section][task].append(match.group(1))
            if match.group(1) in ('fatal', 'failed'):
                fatal[section].append(line[:400])
    return outcomes, fatal


def _reads(task):
    """Whether a task must not change anything: a read (info module, look-up, message)."""
    return bool(READS.search(_module_of(task) or ''))


def _verdicts(groups, outcomes, fatal):
    problems = []
    for source, _examples in groups:
        if fatal.get(GIVEN + source):
            problems.append('%s: what its examples take as given failed:\n    %s' % (source, '\n    '.join(fatal[GIVEN + source])))
    for example in (example for _source, examples in groups for example in examples):
        marker = EXAMPLE + example.key
        seen = outcomes.get(marker)
        where = '%s:%d %r' % (example.source, example.line, example.name)
        if seen is None:
            problems.append('%s: never ran (the run stopped before it)' % where)
            continue
        if fatal.get(marker):
            problems.append('%s: failed:\n    %s' % (where, '\n    '.join(fatal[marker])))
        for task in example.tasks():
            name = str(task.get('name'))
            if _reads(task) and 'changed' in seen.get(name, []):
                problems.append('%s: task %r only reads, yet reported changed' % (where, name))
            if name not in seen and not fatal.get(marker):
                problems.append('%s: task %r never ran' % (where, name))
    return problems


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


def _run(provider, env, tmp_path, http_dir, accounts=None, part=None):
    """Every example of ``provider`` (with ``part``, the plugins' or the documents' only) in one ansible-playbook run;
    fails naming each example that failed, never ran, or changed what it only reads."""
    groups = [(source, examples) for (source, group_provider), examples in GROUPS.items()
              if group_provider == provider and (part is None or source.startswith('plugins/') == (part == 'plugins'))]
    assert groups, 'no %s example found' % provider
    http_root, http_url = http_dir
    _files(tmp_path, http_root)
    env = dict(env, EXAMPLES_DIR=str(tmp_path), EXAMPLES_URL=http_url, EXAMPLES_GROUP=grp.getgrgid(os.getgid()).gr_name)
    path = tmp_path / 'examples.yml'
    path.write_text(yaml.safe_dump(_playbook(groups, provider, env, accounts or {}), sort_keys=False))
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), str(path), '-i', 'localhost,', '-c', 'local'],
                          capture_output=True, text=True, env=module_env(dict(env, ANSIBLE_PIPELINING='True')),
                          cwd=str(tmp_path), timeout=900, check=False)
    problems = _verdicts(groups, *_sections(proc.stdout))
    errors = [line[:600] for line in proc.stdout.splitlines() if line.startswith(('ERROR', '[ERROR]'))]
    assert not problems and (proc.returncode == 0 or not errors), 'the %s examples (%s):\n%s\n--- errors ---\n%s\n%s' % (
        provider, path, '\n'.join(problems), '\n'.join(errors), proc.stderr[-3000:])


GROUPS = _groups()


# cecloud's examples in two runs, the plugins' and the documents' (two test items, which two workers share).
@pytest.mark.parametrize('part', ['plugins', 'documents'])
def test_cecloud_examples_run(part, ims, tmp_path, http_dir):
    env = dict(ims.stack.env('tenant-a'))
    env.update(ims.stack.extra_env())
    _run('cecloud', env, tmp_path, http_dir, part=part)


def test_huaweicloud_examples_run(hw, tmp_path, http_dir):
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
    # What the README's Huawei Cloud quick start exports (examples without provider: take it from there), and the
    # private endpoint a look-up on the controller reads (the play's module_defaults give the modules theirs).
    env.update(IMS_PROVIDER='huaweicloud', IMS_REGION=stack.regions[0], IMS_ENDPOINT=env['HUAWEI_IMS_URL_CN_NORTH_4'])
    _run('huaweicloud', env, tmp_path, http_dir, accounts=dict(recipient=stack.env('recipient')))


def test_openstack_examples_run(glance, tmp_path, http_dir):
    env = dict(glance.stack.env('proj-a'), OS_RECIPIENT_PROJECT_ID=glance.project_id('proj-b'))
    _run('openstack', env, tmp_path, http_dir, accounts=dict(recipient=glance.stack.env('proj-b')))


def test_the_verdicts_name_the_example_of_a_failure_a_read_that_changed_and_one_that_never_ran():
    """The reading of the run's output, on an output made up for it (the run itself is too slow to break three ways)."""
    read = Example('docs/x.md', 3, '- name: List\n  cecloud.ims.ims_image_info: {}\n')
    write = Example('docs/x.md', 9, '- name: Make\n  cecloud.ims.ims_image: {name: a}\n')
    absent = Example('docs/y.md', 1, '- name: Later\n  ansible.builtin.debug: {msg: x}\n')
    stdout = '\n'.join([
        'PLAY [%sdocs/x.md: List] ***' % EXAMPLE, 'TASK [List] ***', 'changed: [localhost]',
        'PLAY [%sdocs/x.md: Make] ***' % EXAMPLE, 'TASK [Make] ***', 'fatal: [localhost]: FAILED! => {"msg": "no"}'])
    problems = _verdicts([('docs/x.md', [read, write]), ('docs/y.md', [absent])], *_sections(stdout))
    assert problems == [
        "docs/x.md:3 'List': task 'List' only reads, yet reported changed",
        "docs/x.md:9 'Make': failed:\n    fatal: [localhost]: FAILED! => {\"msg\": \"no\"}",
        "docs/y.md:1 'Later': never ran (the run stopped before it)"], problems

"""The collection's documented examples, found wherever they are written (no list per module).

Sources: the ``EXAMPLES`` of every plugin (modules, lookups, filters ...) and the fenced YAML blocks
of README.md and docs/*.md.  Each example is one YAML document: a list of tasks (a plugin's EXAMPLES,
split into its tasks), a play or plays (``hosts:``), or data (inventories, AWX fields, variables).
"""

from __future__ import absolute_import, division, print_function

import ast
import glob
import os
import re

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FENCE = re.compile(r'^([ \t]*)```ya?ml[ \t]*\n(.*?)^[ \t]*```', re.M | re.S)
# The providers an example can name (its provider: option, a module_defaults group, or its name's prefix).
NAME_PREFIXES = (('huawei cloud', 'huaweicloud'), ('openstack', 'openstack'))


class Example:
    """One documented example: where it is written, its text and what YAML makes of it."""

    def __init__(self, source, line, text):
        self.source = source
        self.line = line
        self.text = text
        self.error = None
        try:
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            self.data = None
            self.error = str(exc)

    @property
    def kind(self):
        if self.error:
            return 'invalid'
        if isinstance(self.data, list) and self.data and all(isinstance(item, dict) for item in self.data):
            if all('hosts' in item or 'import_playbook' in item or 'ansible.builtin.import_playbook' in item
                   for item in self.data):
                return 'plays'
            if all('name' in item for item in self.data):
                return 'tasks'
        return 'data'

    @property
    def name(self):
        if isinstance(self.data, list) and self.data and isinstance(self.data[0], dict) and 'name' in self.data[0]:
            return str(self.data[0]['name'])
        return 'line %d' % self.line

    @property
    def key(self):
        return '%s: %s' % (self.source, self.name)

    def tasks(self):
        """The tasks of the example (a play's tasks, roles as include_role tasks), in order."""
        if self.kind == 'tasks':
            return list(self.data)
        if self.kind == 'plays':
            return [task for play in self.data for task in play.get('tasks', [])]
        return []

    def __repr__(self):
        return 'Example(%s:%d %s)' % (self.source, self.line, self.name)


def _plugin_examples(path):
    tree = ast.parse(open(path).read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, 'id', '') == 'EXAMPLES' for target in node.targets):
            return node.value.value, node.value.lineno
    return None, None


def _split_tasks(text, first_line):
    """A plugin's EXAMPLES as one example per top-level task (comments between them stay with the next)."""
    lines = text.split('\n')
    starts = [index for index, line in enumerate(lines) if line.startswith('- ')]
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        yield first_line + start, '\n'.join(lines[start:end])


def find_examples(repo=REPO):
    examples = []
    for path in sorted(glob.glob(os.path.join(repo, 'plugins', '*', '*.py'))):
        text, line = _plugin_examples(path)
        if not text:
            continue
        source = os.path.relpath(path, repo)
        whole = Example(source, line, text)
        if whole.error:     # one that does not parse is reported whole
            examples.append(whole)
            continue
        examples.extend(Example(source, start, part) for start, part in _split_tasks(text, line))
    for path in [os.path.join(repo, 'README.md')] + sorted(glob.glob(os.path.join(repo, 'docs', '*.md'))):
        text = open(path).read()
        for match in FENCE.finditer(text):
            indent = len(match.group(1))
            block = '\n'.join(line[indent:] for line in match.group(2).split('\n'))
            examples.append(Example(os.path.relpath(path, repo), text[:match.start()].count('\n') + 2, block))
    return examples


def provider_of(example, declared=None):
    """The provider an example targets: its own ``provider:`` option or module_defaults, then the one the
    substitution file declares for it, then its name's prefix ("Huawei Cloud - ..."), else cecloud."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get('provider'), str):
                found.add(node['provider'])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            for provider in re.findall(r"provider='(\w+)'", node):
                found.add(provider)
    walk(example.data)
    if len(found) == 1:
        return found.pop()
    if declared:
        return declared
    for prefix, provider in NAME_PREFIXES:
        if example.name.lower().startswith(prefix):
            return provider
    return 'cecloud'

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changelog fragments are data, never Ansible content.

Galaxy's importer runs ansible-lint on the whole collection, and ansible-lint decides what a YAML
file is by its path: a fragment named like a playbook or a task file (``playbooks.yml``,
``*playbook*.yml``, ...) is linted as one and warns on every upload. The kinds come from the
installed ansible-lint, so a rule it adds later is followed here too. ansible-lint is installed with
the newest ansible-core only (requirements-dev-newest.txt), so this runs with the newest core's
integration tests, and imports it when a test asks (the oldest core's slice only collects this file).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os

import pytest

from tests.dependencies import require_module


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FRAGMENTS = sorted(glob.glob(os.path.join(ROOT, "changelogs", "fragments", "*")))


def kind_of(path):
    file_utils = require_module("ansiblelint.file_utils", "make venv installs ansible-lint")
    return file_utils.Lintable(os.path.relpath(path, ROOT)).kind


def test_no_fragment_is_linted_as_ansible_content(monkeypatch):
    # One test over the folder, not one per fragment: right after a release the folder is empty.
    monkeypatch.chdir(ROOT)
    misread = dict((os.path.basename(path), kind_of(path)) for path in FRAGMENTS if kind_of(path) != "yaml")
    assert not misread, "read by ansible-lint (and so by galaxy-importer) as Ansible content: rename them: %r" % misread


@pytest.mark.parametrize("name", ["playbooks.yml", "my-playbook.yaml"])
def test_a_fragment_named_like_a_playbook_is_caught(name, monkeypatch):
    # The check itself: these names are what galaxy-importer's ansible-lint run warned about.
    monkeypatch.chdir(ROOT)
    assert kind_of(os.path.join(ROOT, "changelogs", "fragments", name)) != "yaml"

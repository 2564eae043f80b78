# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks of this run use the ansible-core of its own virtualenv, the one `make` chose.

`make test` runs the integration tests twice, on the oldest and on the newest supported
ansible-core, each from its own virtualenv. A playbook started with another ansible (the newest
one earlier on PATH, say) would prove nothing about the oldest. `make integration` sets
IMS_TEST_ANSIBLE_CORE (the venv's ansible-core version) and IMS_TEST_CORE (`oldest` or
`newest`, naming the requirements-dev-*.txt pin file); a narrow pytest run without them checks
against the ansible-core this interpreter imports.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import sys

from ansible.release import __version__ as IMPORTED_CORE
from packaging.requirements import Requirement

from tests.dependencies import missing
from tests.integration.conftest import BIN, REPO

EXPECTED_CORE = os.environ.get('IMS_TEST_ANSIBLE_CORE') or IMPORTED_CORE
CORE_NAME = os.environ.get('IMS_TEST_CORE')

# Writes what the running controller says of itself, from inside the play, to `report`.
VERSION_PLAYBOOK = '''
- name: Report the controller's ansible-core
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Run the ansible command line found on the play's PATH (the venv's bin comes first)
      ansible.builtin.command: ansible --version
      register: ansible_cli
      changed_when: false
    - name: Write the versions
      ansible.builtin.copy:
        dest: "{{ report }}"
        mode: "0600"
        content: "{{ {'full': ansible_version.full, 'playbook_python': ansible_playbook_python,
                      'cli': ansible_cli.stdout_lines[0]} | to_json }}"
'''


def core_of(version_line):
    """'ansible [core 2.17.14]' -> '2.17.14'."""
    match = re.search(r'\[core ([^\]]+)\]', version_line)
    assert match, version_line
    return match.group(1)


def test_the_playbook_runs_on_the_venvs_ansible_core(ims, tmp_path):
    playbook = tmp_path / 'version.yml'
    playbook.write_text(VERSION_PLAYBOOK)
    report = tmp_path / 'report.json'
    proc = ims.playbook(str(playbook), extra_vars={'report': str(report)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    seen = json.loads(report.read_text())
    assert seen['full'] == EXPECTED_CORE
    assert core_of(seen['cli']) == EXPECTED_CORE
    assert os.path.dirname(seen['playbook_python']) == BIN


def test_the_venvs_ansible_core_is_the_one_its_pin_file_names():
    if not CORE_NAME:
        missing('IMS_TEST_CORE is not set (set by `make integration`)')
    assert IMPORTED_CORE == EXPECTED_CORE, 'pytest runs on %s, not the venv of %s' % (sys.executable, EXPECTED_CORE)
    with open(os.path.join(REPO, 'requirements-dev-%s.txt' % CORE_NAME), encoding='utf-8') as handle:
        pins = [Requirement(line) for line in (raw.split('#')[0].strip() for raw in handle) if line]
    pins = [pin for pin in pins if pin.name == 'ansible-core' and (pin.marker is None or pin.marker.evaluate())]
    assert len(pins) == 1, pins
    assert pins[0].specifier.contains(EXPECTED_CORE), '%s is not %s' % (EXPECTED_CORE, pins[0])

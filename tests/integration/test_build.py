# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection tarball holds the collection and no test or tool artefact.

The test builds from a copy of the files git knows, in which it plants the artefacts that
`make units`, `make integration`, `make sanity`, `make venv` and editors leave behind, at the top
and deeper down, then reads the tarball's listing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import tarfile

from tests.integration.conftest import BIN, REPO

# Paths (relative to the collection root) a test run or a tool leaves behind.
ARTEFACTS = (
    '.hypothesis/examples/0a1b/2c3d',
    'tests/unit/.hypothesis/constants/abc',
    '.pytest_cache/v/cache/nodeids',
    'tests/integration/.pytest_cache/README.md',
    'tests/output/junit/sanity.xml',
    '.venv/bin/python',
    '.venv-3.11/pyvenv.cfg',
    'venv/pyvenv.cfg',
    'build/collections/ansible_collections/README',
    'build/sanity/ansible_collections/cecloud/ims/galaxy.yml',
    'plugins/modules/__pycache__/ims_image.cpython-313.pyc',
    'tests/__pycache__/conftest.cpython-313.pyc',
    'plugins/module_utils/_client.pyo',
    '.mypy_cache/3.13/x.json',
    '.ruff_cache/0.1/x',
    '.tox/py313/x',
    '.nox/x',
    '.cache/pip/x',
    '.coverage',
    '.coverage.host.1234',
    'htmlcov/index.html',
    'changelogs/.plugin-cache.yaml',
    '.ansible/collections/x',
    'tests/integration/.ansible/tmp/x',
    'cecloud-ims-0.0.9.tar.gz',
    'ims-emu-run/emulator-state.json',
    'tests/integration/targets/ims_image/main.retry',
    '.idea/workspace.xml',
    '.vscode/settings.json',
    'plugins/modules/ims_image.py.swp',
    'plugins/modules/ims_image.py~',
    '.DS_Store',
)


def _copy_tracked_files(dest):
    listed = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=REPO, capture_output=True,
                            check=True).stdout.decode('utf-8').split('\0')
    for rel in filter(None, listed):
        source = os.path.join(REPO, rel)
        if not os.path.isfile(source):
            continue
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(source, 'rb') as src, open(target, 'wb') as out:
            out.write(src.read())


def _plant(root, rel):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('artefact\n')


def test_the_tarball_leaves_out_every_test_and_tool_artefact(tmp_path):
    root = tmp_path / 'ims'
    _copy_tracked_files(str(root))
    for rel in ARTEFACTS:
        _plant(str(root), rel)
    out = tmp_path / 'out'
    proc = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(out), str(root)],
                          capture_output=True, text=True, check=False, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tarballs = os.listdir(str(out))
    assert len(tarballs) == 1, tarballs
    with tarfile.open(str(out / tarballs[0])) as tar:
        names = [n[2:] if n.startswith('./') else n for n in tar.getnames()]

    def holds(rel):
        return any(n == rel or n.startswith(rel.rstrip('/') + '/') for n in names)

    leaked = [rel for rel in ARTEFACTS if holds(rel)]
    assert leaked == [], leaked
    leaked_dirs = [n for n in names if os.path.basename(n) in ('__pycache__', '.hypothesis', '.pytest_cache', 'output')]
    assert leaked_dirs == [], leaked_dirs
    # The collection itself is there.
    for rel in ('MANIFEST.json', 'FILES.json', 'README.md', 'meta/runtime.yml', 'plugins/modules/ims_image.py',
                'plugins/module_utils/_core/client.py', 'roles/image_publish/tasks/main.yml', 'playbooks/demo.yml',
                'tests/integration/conftest.py', 'tests/emulator/stack.py', 'docs/api-notes.md', 'LICENSE'):
        assert holds(rel), rel

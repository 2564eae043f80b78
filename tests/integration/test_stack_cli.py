# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make stack`: the stack's CLI starts the emulator + S3, prints where they listen and the export lines,
stays up until it is stopped, and the exported variables are all a module needs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import signal
import subprocess
import sys

from tests.integration.conftest import COLLECTIONS, REPO


def _read_until(stream, marker):
    lines = []
    for line in stream:
        lines.append(line.rstrip('\n'))
        if marker in line:
            return lines
    raise AssertionError('the stack ended before printing %r:\n%s' % (marker, '\n'.join(lines)))


def test_the_stack_cli_prints_its_urls_and_exports_that_a_module_can_use(tmp_path):
    env_file = tmp_path / 'stack.env'
    proc = subprocess.Popen([sys.executable, '-m', 'tests.emulator.stack', '--env-file', str(env_file)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        lines = _read_until(proc.stdout, 'Ctrl-C to stop')
        assert lines[0].startswith('# IMS emulator: http://127.0.0.1:') and lines[1].startswith('# S3 (SeaweedFS): http://')
        exports = dict(line[len('export '):].split('=', 1) for line in lines if line.startswith('export '))
        assert {'IMS_ENDPOINT', 'IMS_REGION', 'IMS_AUTH_TOKEN', 'IMS_TENANT_ID', 'IMS_DEPARTMENT_ID',
                'IMS_EMU_TENANT_B_TOKEN'} <= set(exports)
        assert exports['IMS_ENDPOINT'] in lines[0]
        assert env_file.read_text().splitlines() == lines[:len(lines) - 2]
        assert oct(os.stat(str(env_file)).st_mode & 0o777) == oct(0o600)

        env = dict((k, v) for k, v in os.environ.items() if not k.startswith('IMS_'))
        env.update(exports, PYTHONPATH=COLLECTIONS)
        args = tmp_path / 'args.json'
        args.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': {'scope': 'public'}}))
        run = subprocess.run([sys.executable, '-m', 'ansible_collections.cecloud.ims.plugins.modules.ims_image_info', str(args)],
                             capture_output=True, text=True, env=env, check=False, timeout=120)
        result = json.loads(run.stdout)
        assert not result.get('failed') and len(result['images']) >= 3, result
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)
    assert proc.returncode in (0, 130), proc.stderr.read()
    assert not env_file.exists()

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``save_text``: write ``content`` to the file ``dest`` (mode 0600) on the controller, never reported changed.

What the playbooks of tests/integration/targets write for their test (a role's result, a lookup's answer). An action
with no module: ansible.builtin.copy runs two modules for it (stat, then copy), about a second of CPU in every role run
of the suite. conftest.module_env puts this folder on ANSIBLE_ACTION_PLUGINS.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        content, dest = self._task.args['content'], self._task.args['dest']
        with os.fdopen(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w', encoding='utf-8') as handle:
            handle.write(str(content))
        result.update(changed=False, dest=dest)
        return result

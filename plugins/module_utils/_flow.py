# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Flow: the base of every provider's flow (``Backend.image_lifecycle``, ``image_upload``, ``image_export``,
``received_share``): what a flow reads of its ``_module.Task``, once."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class Flow:
    """One task's work on one provider; ``run()`` does it and ends the task through ``task.exit_json``."""

    def __init__(self, task):
        self.task = task
        self.params = task.params
        self.check_mode = task.check_mode
        self.result = task.result
        self.service = task.service
        self.backend = task.backend

    def run(self):
        raise NotImplementedError

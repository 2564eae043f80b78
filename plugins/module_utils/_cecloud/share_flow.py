# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ims_image_share's recipient side on CECloud: a received share is dropped, by its share id.

CECloud IMS API: the shares the caller received (GET /shared-images), and dropping one
(DELETE /shared-images/{shareId}); a share that is not received leaves the task unchanged.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.cecloud.ims.plugins.module_utils._flow import Flow


class DropReceivedShare(Flow):
    """``share_id`` with ``state: absent``: the caller no longer receives that share."""

    def run(self):
        task = self.task
        share_id = task.params['share_id']
        received = list(self.backend.list_received_shares())
        share = next((s for s in received if s.get('share_id') == share_id), None)
        before = sorted(s.get('share_id') for s in received)
        if share is None:
            task.set_diff(dict(share_ids=before), dict(share_ids=before))
            task.exit_json(changed=False, added=[], removed=[])
        task.set_diff(dict(share_ids=before), dict(share_ids=[s for s in before if s != share_id]))
        if not task.check_mode:
            self.backend.delete_received_share(share_id)
            task.record_change(removed=[share_id], image_id=share.get('image_id'))
        task.exit_json(changed=True, added=[], removed=[share_id], image_id=share.get('image_id'))

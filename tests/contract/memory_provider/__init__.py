# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fourth provider over an in-memory store, for the tests only: no endpoint, no HTTP client, no login, no dialect.

``store.py`` the service (images, their bytes, members, a request log and two faults); ``backend.py`` the
``_backend.Backend`` over it and its flows; ``flows.py`` the flows of ims_image, ims_image_upload and
ims_image_export; ``provider.py`` its registry entry; ``adapter.py`` what the contract tests need of it.
"""

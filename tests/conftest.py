# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Makes ``ansible_collections.cecloud.ims`` importable from this checkout, for every test."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO, 'build', 'collections')


def _link_collection():
    link = os.path.join(COLLECTIONS, 'ansible_collections', 'cecloud', 'ims')
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(REPO, link)
    if COLLECTIONS not in sys.path:
        sys.path.insert(0, COLLECTIONS)
    os.environ.setdefault('ANSIBLE_COLLECTIONS_PATH', COLLECTIONS)


_link_collection()

"""Keystone's WSGI application for gunicorn, run inside the Keystone virtualenv (tests/openstack/stack.py).

``keystone.wsgi.api`` parses ``sys.argv`` with oslo.config when it is imported, so gunicorn's own
arguments would make it exit ("unrecognized arguments"). The config file comes from
``OS_KEYSTONE_CONFIG_FILES`` instead.
"""

import sys

sys.argv = sys.argv[:1]

from keystone.wsgi.api import application  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import,import-error

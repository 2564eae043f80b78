"""The pytest fixture of the real Keystone + Glance (imported by tests/integration/conftest.py)."""

import pytest

from tests.dependencies import missing
from tests.openstack.harness import GlanceHarness
from tests.openstack.stack import OpenStackStack, VenvMissing


@pytest.fixture(scope='session')
def openstack_stack():
    """Keystone + Glance, started when the first test that needs them runs, stopped when the session ends.

    Without the virtualenvs a local run skips these tests (``make openstack-venv`` installs them); in CI
    (``CI`` set) that, like any other failure to start, is an error of every test that needs the stack.
    """
    try:
        with OpenStackStack() as stack:
            yield stack
    except VenvMissing as exc:
        missing(str(exc))


@pytest.fixture
def glance(openstack_stack):  # pylint: disable=redefined-outer-name
    """Modules and raw calls against the stack's Glance through a recording proxy; both projects emptied after the test."""
    harness = GlanceHarness(openstack_stack)
    try:
        yield harness
    finally:
        harness.cleanup()
        harness.close()

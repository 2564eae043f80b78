"""HTTP emulator of Huawei Cloud IMS, IAM, Workspace and Workspace App (test support code).

It follows Huawei's public IMS, IAM, Workspace and Workspace App API references, not the
collection's modules.  Start it with ``python -m tests.emulator.huawei`` or, in tests, through
``tests.emulator.huawei.stack.HuaweiStack`` / the ``huawei_stack`` fixture
(``tests/emulator/huawei/fixtures.py``).
"""

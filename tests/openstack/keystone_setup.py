"""Run several ``keystone-manage`` commands in one process, inside the Keystone virtualenv (tests/openstack/stack.py).

Reads ``{"config_file": PATH, "commands": [[NAME, ARG...], ...]}`` as JSON on stdin (so the bootstrap
password is not in the process list). One process instead of one per command: importing keystone's
command line costs about 3.5 s of CPU each time (most of it pysaml2's XML schemas).
"""

import json
import sys

from keystone.cmd import cli  # pylint: disable=import-error


def main():
    request = json.load(sys.stdin)
    for command in request['commands']:
        cli.main(argv=['keystone-manage', '--config-file', request['config_file']] + command)
        # cli.main() registers its sub-command option and parses the arguments each time.
        cli.CONF.clear()
        cli.CONF.unregister_opt(cli.command_opt)


if __name__ == '__main__':
    main()

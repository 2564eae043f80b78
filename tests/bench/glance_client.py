# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The contenders bench_glance.py compares the modules with, one transfer per process (for its peak RSS and CPU).

Runs in the benchmark's own virtualenv (scripts/bench-venv.sh: openstacksdk, and requests with it),
never in the test venv. The credentials are the ``OS_*`` variables of the environment; Glance's URL
is ``IMS_BENCH_IMAGE_URL``. Prints one JSON line: ``{"seconds": ..., "cpu": ..., "image_id": ...}``, where
``seconds`` and ``cpu`` are the transfer call's alone (the login and the imports are done before the clock starts).

    python glance_client.py sdk-upload FILE NAME        openstacksdk create_image(filename=...) (one streamed PUT)
    python glance_client.py sdk-download IMAGE_ID OUT   openstacksdk download_image(output=..., stream=True)
    python glance_client.py plain-download IMAGE_ID OUT requests: streamed GET, 1 MiB chunks to OUT (peer_client.py)
"""

from __future__ import absolute_import, division, print_function

import json
import os
import sys

import requests

from peer_client import streamed_get, timed  # the same directory: sys.path[0]


def sdk_connection():
    import openstack    # pylint: disable=import-outside-toplevel
    connection = openstack.connect()
    connection.authorize()
    return connection


def sdk_upload(path, name):
    connection = sdk_connection()
    image, seconds, cpu = timed(connection.image.create_image, name, filename=path, disk_format='raw', container_format='bare')
    return seconds, cpu, image.id


def sdk_download(image_id, output):
    connection = sdk_connection()
    _none, seconds, cpu = timed(connection.image.download_image, image_id, output=output, stream=True)
    return seconds, cpu, image_id


def keystone_token():
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': os.environ['OS_USERNAME'], 'domain': {'name': os.environ['OS_USER_DOMAIN_NAME']},
        'password': os.environ['OS_PASSWORD']}}},
        'scope': {'project': {'name': os.environ['OS_PROJECT_NAME'],
                              'domain': {'name': os.environ['OS_PROJECT_DOMAIN_NAME']}}}}}
    response = requests.post(os.environ['OS_AUTH_URL'].rstrip('/') + '/auth/tokens', json=body, timeout=60)
    response.raise_for_status()
    return response.headers['X-Subject-Token']


def plain_download(image_id, output):
    url = '%s/v2/images/%s/file' % (os.environ['IMS_BENCH_IMAGE_URL'], image_id)
    _none, seconds, cpu = timed(streamed_get, url, {'X-Auth-Token': keystone_token()}, output)
    return seconds, cpu, image_id


CONTENDERS = {'sdk-upload': sdk_upload, 'sdk-download': sdk_download, 'plain-download': plain_download}


def main(argv):
    seconds, cpu, image_id = CONTENDERS[argv[0]](*argv[1:])
    print(json.dumps(dict(seconds=seconds, cpu=cpu, image_id=image_id)))


if __name__ == '__main__':
    main(sys.argv[1:])

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The contenders bench_glance.py compares the modules with, one transfer per process (for its peak RSS).

Runs in the benchmark's own virtualenv (scripts/bench-venv.sh: openstacksdk, and requests with it),
never in the test venv. The credentials are the ``OS_*`` variables of the environment; Glance's URL
is ``IMS_BENCH_IMAGE_URL``. Prints one JSON line: ``{"seconds": ..., "image_id": ...}``, where
``seconds`` is the transfer call alone (the login and the imports are done before the clock starts).

    python glance_client.py sdk-upload FILE NAME        openstacksdk create_image(filename=...) (one streamed PUT)
    python glance_client.py sdk-download IMAGE_ID OUT   openstacksdk download_image(output=..., stream=True)
    python glance_client.py plain-upload FILE NAME      requests: POST /v2/images, PUT the open file
    python glance_client.py plain-download IMAGE_ID OUT requests: streamed GET, 1 MiB chunks to OUT
"""

from __future__ import absolute_import, division, print_function

import json
import os
import sys
import time

import requests

MIB = 1024 * 1024


def sdk_connection():
    import openstack    # pylint: disable=import-outside-toplevel
    connection = openstack.connect()
    connection.authorize()
    return connection


def sdk_upload(path, name):
    connection = sdk_connection()
    started = time.time()
    image = connection.image.create_image(name, filename=path, disk_format='raw', container_format='bare')
    return time.time() - started, image.id


def sdk_download(image_id, output):
    connection = sdk_connection()
    started = time.time()
    connection.image.download_image(image_id, output=output, stream=True)
    return time.time() - started, image_id


def keystone_token():
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': os.environ['OS_USERNAME'], 'domain': {'name': os.environ['OS_USER_DOMAIN_NAME']},
        'password': os.environ['OS_PASSWORD']}}},
        'scope': {'project': {'name': os.environ['OS_PROJECT_NAME'],
                              'domain': {'name': os.environ['OS_PROJECT_DOMAIN_NAME']}}}}}
    response = requests.post(os.environ['OS_AUTH_URL'].rstrip('/') + '/auth/tokens', json=body, timeout=60)
    response.raise_for_status()
    return response.headers['X-Subject-Token']


def plain_upload(path, name):
    url = os.environ['IMS_BENCH_IMAGE_URL']
    session = requests.Session()
    session.headers['X-Auth-Token'] = keystone_token()
    started = time.time()
    created = session.post(url + '/v2/images', json=dict(name=name, disk_format='raw', container_format='bare'),
                           timeout=60)
    created.raise_for_status()
    image_id = created.json()['id']
    with open(path, 'rb') as handle:
        answer = session.put('%s/v2/images/%s/file' % (url, image_id), data=handle, timeout=600,
                             headers={'Content-Type': 'application/octet-stream'})
    answer.raise_for_status()
    return time.time() - started, image_id


def plain_download(image_id, output):
    url = os.environ['IMS_BENCH_IMAGE_URL']
    headers = {'X-Auth-Token': keystone_token()}
    started = time.time()
    with requests.get('%s/v2/images/%s/file' % (url, image_id), headers=headers, stream=True, timeout=600) as answer:
        answer.raise_for_status()
        with open(output, 'wb') as handle:
            for chunk in answer.iter_content(MIB):
                handle.write(chunk)
    return time.time() - started, image_id


CONTENDERS = {'sdk-upload': sdk_upload, 'sdk-download': sdk_download, 'plain-upload': plain_upload,
              'plain-download': plain_download}


def main(argv):
    seconds, image_id = CONTENDERS[argv[0]](*argv[1:])
    print(json.dumps(dict(seconds=seconds, image_id=image_id)))


if __name__ == '__main__':
    main(sys.argv[1:])

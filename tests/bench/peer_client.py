# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plain peers the S3 and download benchmarks compare the modules with, one transfer per process.

    python peer_client.py boto3-upload SPEC    boto3 upload_file (the module's client settings and TransferConfig, no MD5)
    python peer_client.py get-download SPEC    a plain streamed requests GET, 1 MiB chunks to a file

SPEC is a JSON object (see each function). Prints one JSON line: ``{"seconds": ..., "cpu": ...}``, the wall and
CPU seconds of the transfer call alone (imports, client set-up and clean-up outside the clock). glance_client.py
uses ``streamed_get`` too (it runs in the openstacksdk venv, where the collection is not importable: the
collection is imported only by ``boto3_upload``).
"""

from __future__ import absolute_import, division, print_function

import json
import os
import resource
import sys
import time

import requests

MIB = 1024 * 1024


def timed(function, *args, **kwargs):
    """(result, wall seconds, CPU seconds of this process and its threads) of one call."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, started = usage.ru_utime + usage.ru_stime, time.time()
    result = function(*args, **kwargs)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return result, time.time() - started, usage.ru_utime + usage.ru_stime - cpu


def streamed_get(url, headers, dest):
    with requests.get(url, headers=headers, stream=True, timeout=600) as answer:
        answer.raise_for_status()
        with open(dest, 'wb') as handle:
            for chunk in answer.iter_content(MIB):
                handle.write(chunk)


def boto3_upload(spec):
    """SPEC: endpoint, access_key, secret_key, bucket, key, path, part_size_mb, max_concurrency."""
    from ansible_collections.cecloud.ims.plugins.module_utils._core import transfer  # pylint: disable=import-outside-toplevel
    client = transfer.make_s3_client(spec['endpoint'], spec['access_key'], spec['secret_key'],
                                     max_concurrency=spec['max_concurrency'])
    config = transfer.transfer_config(spec['part_size_mb'], spec['max_concurrency'], os.path.getsize(spec['path']))
    figures = timed(client.upload_file, spec['path'], spec['bucket'], spec['key'], None, None, config)
    client.delete_object(Bucket=spec['bucket'], Key=spec['key'])
    return figures


def get_download(spec):
    """SPEC: url, headers, dest."""
    return timed(streamed_get, spec['url'], spec['headers'], spec['dest'])


PEERS = {'boto3-upload': boto3_upload, 'get-download': get_download}


def main(argv):
    _result, seconds, cpu = PEERS[argv[0]](json.loads(argv[1]))
    print(json.dumps(dict(seconds=seconds, cpu=cpu)))


if __name__ == '__main__':
    main(sys.argv[1:])

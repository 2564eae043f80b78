# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Image files for the upload/export tests: real qcow2 (qemu-img when present) and raw files."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import shutil
import struct
import subprocess

MIB = 1024 * 1024


def write_raw(path, size_mib, seed=b'raw'):
    """A raw file of ``size_mib`` MiB of pseudo-random bytes (distinct per ``seed``); returns its path."""
    block = hashlib.sha512(seed).digest() * (MIB // 64)
    with open(path, 'wb') as handle:
        for index in range(size_mib):
            handle.write(struct.pack('>Q', index) + block[8:])
    return str(path)


def write_qcow2(path, size_mib, seed=b'qcow2'):
    """A valid qcow2 file holding ``size_mib`` MiB of data: ``qemu-img convert`` when available, else hand-made."""
    qemu_img = shutil.which('qemu-img')
    if qemu_img:
        raw = str(path) + '.src.raw'
        write_raw(raw, size_mib, seed)
        try:
            subprocess.run([qemu_img, 'convert', '-f', 'raw', '-O', 'qcow2', raw, str(path)], check=True,
                           capture_output=True)
        finally:
            os.unlink(raw)
        return str(path)
    return _handmade_qcow2(path, size_mib, seed)


def _handmade_qcow2(path, size_mib, seed):
    """A qcow2 v2 header (cluster 64 KiB) with empty L1/refcount tables, followed by data clusters.

    qemu-img would see an image of ``size_mib`` MiB virtual size; the data after the tables is unused,
    which is fine for an upload test: what matters is the magic, the header and the bytes.
    """
    cluster_bits = 16
    cluster = 1 << cluster_bits
    virtual = size_mib * MIB
    l1_size = max(1, -(-virtual // (cluster * (cluster // 8))))
    header = struct.pack('>4sIQIIQIIQQIIQ', b'QFI\xfb', 2, 0, 0, cluster_bits, virtual, 0, l1_size,
                         3 * cluster, cluster, 1, 0, 0)
    with open(path, 'wb') as handle:
        handle.write(header.ljust(cluster, b'\0'))
        handle.write(struct.pack('>Q', 2 * cluster).ljust(cluster, b'\0'))   # refcount table -> block at 2 clusters
        handle.write(b'\0' * cluster)                                          # refcount block
        handle.write(b'\0' * cluster)                                          # L1 table
        block = hashlib.sha512(seed).digest() * (MIB // 64)
        for dummy in range(size_mib):
            handle.write(block)
    return str(path)


def parts_identity(path, part_mib):
    """What ims_image_upload tags an image it staged in OBS with (``ims_source_md5``): a file of one part by its MD5, a
    longer one by its parts' multipart ETag (the MD5 of their MD5s, ``-<parts>``) and ``-<part size in MiB>``."""
    digests = []
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(part_mib * MIB), b''):
            digests.append(hashlib.md5(chunk).digest())
    if len(digests) == 1:
        return digests[0].hex()
    return '%s-%d-%d' % (hashlib.md5(b''.join(digests)).hexdigest(), len(digests), part_mib)


def md5(path):
    digest = hashlib.md5()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(MIB), b''):
            digest.update(chunk)
    return digest.hexdigest()

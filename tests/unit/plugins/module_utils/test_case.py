# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (hypothesis) of the snake_case <-> camelCase mapping of API payloads."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from hypothesis import given, settings, strategies as st

from ansible_collections.cecloud.ims.plugins.module_utils._core.case import camel_keys, camel_to_snake, snake_keys, snake_to_camel

# Every camelCase key the CECloud document and the emulator use (request and response bodies).
API_KEYS = ('accessKey', 'azId', 'bootMode', 'capacityPercentage', 'cellId', 'cpuArch', 'createdAt', 'departmentId',
            'departmentName', 'diskFormat', 'errMessage', 'exportBuckets', 'imageId', 'imageIds', 'imageTags', 'imageType',
            'imageUrl', 'minDisk', 'minRam', 'orderBy', 'osType', 'osVersion', 'resourceGroupId', 'resourceGroupName',
            'secretKey', 'shareId', 'sourceType', 'tenantId', 'tenantName', 'updatedAt', 'uploadId', 'userId', 'userName',
            'volumeImages', 'name', 'status', 'size', 'checksum', 'visibility', 'usage', 'platform', 'instructions')

# The shape of those keys: a lower-case head word, then words of one capital and at least one lower-case
# letter, digits allowed after the first letter of a word ("osVersion", "md5Sum", "imageIds").
HEAD = st.from_regex(r'\A[a-z][a-z0-9]{0,9}\Z')
TAIL_WORD = st.from_regex(r'\A[A-Z][a-z][a-z0-9]{0,8}\Z')
SNAKE_TAIL_WORD = st.from_regex(r'\A[a-z][a-z][a-z0-9]{0,8}\Z')

camel_names = st.one_of(st.sampled_from(API_KEYS),
                        st.builds(lambda head, tail: head + ''.join(tail), HEAD, st.lists(TAIL_WORD, max_size=4)))
snake_names = st.builds(lambda head, tail: '_'.join([head] + tail), HEAD, st.lists(SNAKE_TAIL_WORD, max_size=4))

# JSON-like values: the leaves an API payload carries.
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))


def payloads(keys):
    return st.recursive(leaves, lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)), max_leaves=25)


def reference_snake(camel):
    """Independent reading: lower-case every capital and put '_' before it."""
    return ''.join('_' + c.lower() if c.isupper() else c for c in camel)


@given(camel_names)
def test_camel_round_trips(name):
    snake = camel_to_snake(name)
    assert snake == reference_snake(name)
    assert re.match(r'\A[a-z0-9_]+\Z', snake)
    assert snake_to_camel(snake) == name


@given(snake_names)
def test_snake_round_trips(name):
    camel = snake_to_camel(name)
    assert '_' not in camel
    assert camel[:1] == name[:1]
    assert camel_to_snake(camel) == name


@given(snake_names)
def test_snake_to_snake_is_identity(name):
    assert camel_to_snake(name) == name


def test_single_letter_words_are_outside_the_round_trip():
    # Found by hypothesis: two one-letter words in a row read back as an acronym.  No API key has one.
    assert snake_to_camel('a_b_c') == 'aBC'
    assert camel_to_snake('aBC') == 'a_bc'
    assert not [k for k in API_KEYS if re.search(r'[A-Z](?![a-z])', k)]


def test_api_keys_map_to_the_documented_snake_names():
    mapping = dict((key, camel_to_snake(key)) for key in API_KEYS)
    assert mapping['imageId'] == 'image_id'
    assert mapping['minDisk'] == 'min_disk'
    assert mapping['resourceGroupId'] == 'resource_group_id'
    assert mapping['errMessage'] == 'err_message'
    # No two API keys collide once renamed.
    assert len(set(mapping.values())) == len(API_KEYS)


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _leaves(value):
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in _leaves(value[key])]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


@settings(max_examples=200)
@given(payloads(camel_names))
def test_payload_keys_round_trip(payload):
    snake = snake_keys(payload)
    assert all('_' in k or k == k.lower() for k in _keys(snake))
    assert all(not any(c.isupper() for c in k) for k in _keys(snake))
    assert camel_keys(snake) == payload


@settings(max_examples=200)
@given(payloads(snake_names))
def test_snake_payload_round_trips_and_keeps_values(payload):
    camel = camel_keys(payload)
    assert all('_' not in k for k in _keys(camel))
    assert snake_keys(camel) == payload
    assert sorted(map(repr, _leaves(camel))) == sorted(map(repr, _leaves(payload)))


@given(st.dictionaries(st.integers(), leaves, max_size=3))
def test_non_string_keys_are_left_alone(payload):
    assert snake_keys(payload) == payload
    assert camel_keys(payload) == payload

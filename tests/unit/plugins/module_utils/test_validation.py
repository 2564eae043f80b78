# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (hypothesis) of the input rules, against an independent reading of the document."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import string

import pytest
from hypothesis import assume, example, given, settings, strategies as st

from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsValidationError
from ansible_collections.cecloud.ims.plugins.module_utils._core.validation import (
    check_description, check_endpoint, check_headers, check_name, check_token, name_problem)

ASCII_ALLOWED = string.ascii_letters + string.digits + '-._ '
TOKEN_CHARS = "!#$%&'*+.^_`|~-" + string.ascii_letters + string.digits


def reference_valid(name):
    """The document's rule, read literally: 1-128 characters; no leading or trailing space; only
    A-Z a-z 0-9 '-' '.' '_' space and Chinese characters (CJK unified ideographs U+4E00-U+9FFF)."""
    if not 1 <= len(name) <= 128:
        return False
    if name[0] == ' ' or name[-1] == ' ':
        return False
    return all(c in ASCII_ALLOWED or u'\u4e00' <= c <= u'\u9fff' for c in name)


# Allowed characters, plus near misses: other whitespace, accented and full-width letters, CJK
# outside the block (extension A U+3400, compatibility U+F900), punctuation, emoji, NUL.
ALLOWED = st.one_of(st.sampled_from(ASCII_ALLOWED), st.characters(min_codepoint=0x4e00, max_codepoint=0x9fff))
NEAR_MISSES = st.sampled_from(u'\t\n\r\x00\u00a0\u3000\u00e9\u00df\uff21\uff10\u3400\u4dff\ua000\uf900'
                              u'/\\:|*?"<>#@!,;()[]{}+=~`\'' u'\U0001f600\U00020000')
names = st.one_of(
    st.text(ALLOWED, max_size=140),
    st.text(st.one_of(ALLOWED, NEAR_MISSES), max_size=140),
    st.builds(lambda core, lead, trail: lead + core + trail,
              st.text(ALLOWED, min_size=1, max_size=130), st.sampled_from(['', ' ', '  ']), st.sampled_from(['', ' '])),
    st.text(max_size=10),
)


@settings(max_examples=500)
@given(names)
@example(u'web\n')
@example(u'')
@example(u' ')
@example(u'a' * 128)
@example(u'a' * 129)
@example(u'\u4e00' * 128)
@example(u'\u9fff\u4e00')
@example(u'\u4dff')
@example(u'\ua000')
@example(u'my image-1.0_x')
@example(u'中文 镜像')
@example(u'a\tb')
def test_name_rule_matches_the_reference(name):
    problem = name_problem(name)
    assert (problem is None) == reference_valid(name), (name, problem)


@given(names)
def test_check_name_raises_a_message_naming_the_problem(name):
    assume(not reference_valid(name))
    assume(not name.endswith('\n'))  # the trailing-newline defect is pinned by test_name_rule_matches_the_reference
    with pytest.raises(ImsValidationError) as info:
        check_name(name)
    message = str(info.value)
    assert message.startswith('name ') and 'not a valid image name' in message
    assert name_problem(name) in message
    if 1 <= len(name) <= 128 and name.strip(' ') == name:
        # The offending character itself is quoted.
        bad = next(c for c in name if not (c in ASCII_ALLOWED or u'\u4e00' <= c <= u'\u9fff'))
        assert repr(bad) in message


@given(st.text(ALLOWED, min_size=1, max_size=128).filter(reference_valid))
def test_valid_names_pass_check_name(name):
    check_name(name)


@given(st.one_of(st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=2)))
def test_non_strings_are_refused(value):
    assert name_problem(value) == 'the name must be a string'


@given(st.text(max_size=300))
def test_description_length_rule(text):
    if 2 <= len(text) <= 256:
        check_description(text)
    else:
        with pytest.raises(ImsValidationError, match='description must have 2 to 256 characters; it has %d' % len(text)):
            check_description(text)


CONTROL_CHARS = [chr(c) for c in range(32)] + [chr(127)]


@given(st.text(st.sampled_from(TOKEN_CHARS), min_size=1, max_size=20),
       st.text(max_size=30).filter(lambda v: not any(c in CONTROL_CHARS for c in v)))
def test_well_formed_headers_pass(name, value):
    check_headers({name: value})


@given(st.text(max_size=10), st.sampled_from(CONTROL_CHARS), st.text(max_size=10))
def test_header_values_and_tokens_with_control_characters_are_refused_without_echo(head, control, tail):
    value = 'SECRET' + head + control + tail
    with pytest.raises(ImsValidationError) as err:
        check_headers({'X-Sig': value})
    assert 'SECRET' not in err.value.message
    with pytest.raises(ImsValidationError) as err:
        check_token(value)
    assert 'SECRET' not in err.value.message and 'auth_token' in err.value.message


@given(st.text(max_size=20).filter(lambda n: not n or any(c not in TOKEN_CHARS for c in n)), st.text(max_size=5))
@example('X-A\n', 'v')
def test_malformed_header_names_are_refused(name, value):
    with pytest.raises(ImsValidationError, match='is not a valid HTTP header name'):
        check_headers({name: value})


@given(st.text(st.sampled_from(TOKEN_CHARS), min_size=1, max_size=10), st.text(max_size=10), st.sampled_from(['\r', '\n', '\r\n']),
       st.text(max_size=10))
def test_header_values_with_line_breaks_are_refused(name, head, brk, tail):
    with pytest.raises(ImsValidationError, match='must not contain line breaks'):
        check_headers({name: head + brk + tail})


@given(st.text(st.sampled_from(TOKEN_CHARS[:5] + 'aZ9'), min_size=1, max_size=8), st.sampled_from(['\t', ' ', ':', '\x00', 'é']))
def test_header_names_with_inner_bad_characters_are_refused(name, bad):
    with pytest.raises(ImsValidationError, match='is not a valid HTTP header name'):
        check_headers({name + bad + name: 'v'})


@pytest.mark.parametrize('endpoint', ['http://127.0.0.1:8080', 'https://ims.example.com', 'HTTPS://ims.example.com:8443/',
                                      'http://[::1]:9000', 'https://ims.example.com/prefix'])
def test_endpoint_urls_with_a_scheme_a_host_and_a_port_pass(endpoint):
    check_endpoint(endpoint)


@pytest.mark.parametrize('endpoint,problem', [
    ('http://', 'has no host'), ('https:///api', 'has no host'), ('https://:8443', 'has no host'),
    ('ims.example.com', 'http:// or https://'), ('ftp://ims.example.com', 'http:// or https://'),
    ('http://h:0', 'no valid port'), ('http://h:65536', 'no valid port'), ('http://h:8o8o', 'no valid port'),
    ('http://h /x', 'must not contain spaces'), ('http://h\n', 'must not contain spaces'),
])
def test_endpoint_urls_without_a_host_or_with_a_bad_port_are_refused(endpoint, problem):
    with pytest.raises(ImsValidationError, match=problem):
        check_endpoint(endpoint)

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup cecloud.ims.image: its options (checked before any request, the modules' names and environment), what
it returns, and its error messages; run in this process against a provider of the test's own (the registry's
``PROVIDERS``), whose backend records each listing it serves."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.cecloud.ims.plugins.lookup.image import LookupModule
from ansible_collections.cecloud.ims.plugins.module_utils import _providers
from ansible_collections.cecloud.ims.plugins.module_utils._backend import Backend
from ansible_collections.cecloud.ims.plugins.module_utils._core.errors import ImsApiError

TOKEN = 's3cr3t-token-value'


def image(image_id, name, created_at, **fields):
    return dict(fields, image_id=image_id, name=name, created_at=created_at, status=fields.get('status', 'active'))


IMAGES = dict(
    private=[
        image('p-2', 'golden-ubuntu-22', '2026-03-02T00:00:00Z', size=20, tags=['stage=prod']),
        image('p-1', 'golden-ubuntu-22', '2026-03-01T00:00:00Z', size=30),
        image('p-old', 'golden-ubuntu-20', '2025-01-01T00:00:00Z', size=10),
        # Deprecated and hidden under docs/image-conventions.md (ImageService fills the neutral fields from these).
        image('p-dep', 'golden-ubuntu-22', '2026-04-01T00:00:00Z', ims_deprecated_at='2026-05-01T00:00:00Z'),
        image('p-hid', 'golden-ubuntu-22', '2026-04-02T00:00:00Z', os_hidden=True),
    ],
    public=[image('pub-1', 'golden-ubuntu-22', '2026-03-03T00:00:00.500Z')],
)


class FakeBackend(Backend):
    """Two scopes; the private listing is served newest first when asked (``listing_sorts``), in pages of 2."""

    name = 'fake'
    scopes = ('private', 'public')
    listing_sorts = dict(private=frozenset([('created_at', 'desc')]))
    max_page_size = 2
    calls = []
    images = IMAGES
    failures = ()      # the error every listing raises, where a test sets one

    def list_scope(self, scope, image_id=None, name=None, name_contains=None, filters=None, remaining=None,
                   member_status=None, sort=None):
        for error in self.failures:
            raise error
        self.calls.append(dict(scope=scope, name=name, sort=sort))
        listed = [i for i in self.images[scope] if name is None or i['name'] == name]
        if sort is not None:
            listed = sorted(listed, key=lambda i: i['created_at'], reverse=True)
        for item in listed:
            self.calls[-1].setdefault('read', 0)
            self.calls[-1]['read'] += 1
            yield dict(item)


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setitem(_providers.PROVIDERS, 'fake', _providers.Provider(
        'fake', options=dict(auth_token=('FAKE_TOKEN',)), backend=FakeBackend))
    monkeypatch.setattr(FakeBackend, 'calls', [])
    monkeypatch.setenv('IMS_PROVIDER', 'fake')
    monkeypatch.setenv('FAKE_TOKEN', TOKEN)
    return FakeBackend


def run(*terms, **options):
    return LookupModule().run(list(terms), **options)


def refused(*terms, **options):
    with pytest.raises(AnsibleLookupError) as info:
        run(*terms, **options)
    return str(info.value)


def test_the_newest_image_of_every_scope_by_default_its_id(fake):
    assert run(name='golden-ubuntu-22') == ['pub-1']
    assert run(name='golden-ubuntu-22', scope='private') == ['p-2']


def test_a_private_listing_served_in_order_is_read_one_page_and_asked_the_order(fake):
    assert run(name_regex='^golden-', scope='private') == ['p-2']
    # Two deprecated images, then the match: the page of 2 was read whole before it stopped.
    assert fake.calls == [dict(scope='private', name=None, sort=('created_at', 'desc'), read=3)]


def test_an_order_the_listing_does_not_serve_is_sorted_here_over_every_image(fake):
    assert run(name_regex='^golden-', scope='private', sort_by='size') == ['p-1']
    assert run(name_regex='^golden-', scope='private', sort_by='name', sort_order='asc') == ['p-old']
    assert [c['sort'] for c in fake.calls] == [None, None] and all(c['read'] == 5 for c in fake.calls)


def test_a_listing_that_is_not_in_the_order_it_was_asked_is_read_whole(fake, monkeypatch):
    # The service took the order but answered oldest first: the first page shows it.
    monkeypatch.setattr(FakeBackend, 'images', dict(IMAGES, private=list(reversed(IMAGES['private'][:3]))))
    monkeypatch.setattr(FakeBackend, 'list_scope', _unordered(FakeBackend.list_scope))
    assert run(scope='private') == ['p-2']
    assert fake.calls[0]['read'] == 3


def _unordered(list_scope):
    def answer(self, scope, sort=None, **kwargs):
        return list_scope(self, scope, sort=None, **kwargs)
    return answer


def test_every_match_records_tags_and_limit(fake):
    assert run(name='golden-ubuntu-22', most_recent=False, sort_by='created_at') == ['pub-1', 'p-2', 'p-1']
    records = run(name='golden-ubuntu-22', scope='private', **{'return': 'image'})
    assert records == [dict(IMAGES['private'][0], scope='private', deprecated=False, deprecated_at=None, replaced_by=None,
                            hidden=False)]
    assert run(tags={'stage': 'prod'}) == ['p-2']
    assert run(tags={'stage': None}) == ['p-2']
    assert run(tags={'stage': 'dev'}, allow_empty=True) == []
    assert run(name_regex='ubuntu-2[02]$', most_recent=False, limit=2, sort_by='created_at', sort_order='asc') == [
        'p-old', 'p-1']


def test_deprecated_and_hidden_images_are_left_out_unless_asked(fake):
    assert run(name='golden-ubuntu-22', scope='private') == ['p-2']
    assert run(name='golden-ubuntu-22', scope='private', include_deprecated=True) == ['p-hid']
    assert run(name='golden-ubuntu-22', scope='private', include_deprecated=True, most_recent=False,
               sort_by='created_at') == ['p-hid', 'p-dep', 'p-2', 'p-1']


def test_nothing_found_fails_unless_allowed(fake):
    message = refused(name='golden-centos', scope='private')
    assert message == ("cecloud.ims.image: no image matches name 'golden-centos' in scope private (provider fake), "
                       "deprecated and hidden images left out.")
    assert run(name='golden-centos', allow_empty=True) == []
    message = refused(name_regex='^x', tags={'a': 'b'}, include_deprecated=True)
    assert message == "cecloud.ims.image: no image matches name_regex '^x' and tags {'a': 'b'} in scope all (provider fake)."


def test_several_found_fail_when_one_is_expected(fake):
    message = refused(name='golden-ubuntu-22', most_recent=False, expect_one=True)
    assert message.startswith("cecloud.ims.image: 3 images match name 'golden-ubuntu-22' in scope all (provider fake")
    assert '(p-2, p-1, pub-1), and expect_one is true: narrow the query, or set most_recent' in message, message
    assert run(name='golden-ubuntu-22', expect_one=True) == ['pub-1']    # most_recent: one image


@pytest.mark.parametrize('options,message', [
    (dict(name_regex='(['), "cecloud.ims.image: name_regex '([' is no valid regular expression (Python re syntax): "),
    (dict(sort_by='age'), 'value of sort_by must be one of: created_at, updated_at, name, size, got: age'),
    (dict(sort_order='up'), 'value of sort_order must be one of: asc, desc, got: up'),
    (dict(tags={'a=b': 'c'}), 'tags must be a dict of tag keys (text without "=")'),
    (dict(tags={'a': ['b']}), 'tags must be a dict of tag keys'),
    (dict(limit=0, most_recent=False), 'limit must be 1 or more; got 0.'),
    ({'return': 'ids'}, 'value of return must be one of: id, image, got: ids'),
    (dict(nme='x'), 'cecloud.ims.image: unsupported option nme. Supported parameters include: access_key, allow_empty'),
    (dict(id='p-1', name='x'), 'parameters are mutually exclusive: id|name'),
    (dict(most_recent='perhaps'), "most_recent"),
    (dict(provider='nowhere'), 'value of provider must be one of:'),
    (dict(region='r1'), 'region is not used by provider fake'),
    (dict(scope='market'), 'The fake provider cannot list the scope market; use scope all or one of private, public.'),
], ids=['regex', 'sort_by', 'sort_order', 'tag key', 'tag value', 'limit', 'return', 'unknown', 'id and name',
        'bool', 'provider', 'foreign option', 'scope'])
def test_bad_options_are_refused_before_any_request(fake, options, message):
    assert message in refused(**options)
    assert fake.calls == []


def test_terms_are_refused(fake):
    assert refused('golden') == "cecloud.ims.image takes no terms (give name=..., name_regex=...); got 'golden'."


def test_secrets_never_show_in_errors(fake, monkeypatch):
    monkeypatch.setattr(FakeBackend, 'failures', (ImsApiError('Denied', 'token %s refused' % TOKEN, http_status=403),))
    message = refused(name='x')
    assert TOKEN not in message and '********' in message, message
    given = 'given-' + TOKEN
    monkeypatch.delenv('FAKE_TOKEN')
    monkeypatch.setattr(FakeBackend, 'failures', (ImsApiError('Denied', 'token %s refused' % given, http_status=403),))
    message = refused(name='x', auth_token=given)
    assert TOKEN not in message and '********' in message, message


def test_the_provider_option_wins_over_the_environment(fake, monkeypatch):
    monkeypatch.setenv('IMS_PROVIDER', 'nowhere')
    assert run(provider='fake', name='golden-ubuntu-22', scope='private') == ['p-2']


def test_the_documentation_mirrors_the_options_names_types_and_defaults():
    import yaml  # pylint: disable=import-outside-toplevel
    from ansible_collections.cecloud.ims.plugins.doc_fragments.ims import ModuleDocFragment  # pylint: disable=import-outside-toplevel
    from ansible_collections.cecloud.ims.plugins.lookup import image as plugin  # pylint: disable=import-outside-toplevel
    documented = {}
    for text in (ModuleDocFragment.DOCUMENTATION, ModuleDocFragment.FILTERS, ModuleDocFragment.IMAGE_QUERY,
                 plugin.DOCUMENTATION):
        documented.update(yaml.safe_load(text)['options'])
    spec = plugin.argument_spec()
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        assert documented[name]['type'] == option['type'], name
        assert documented[name].get('default') == option.get('default'), name
        assert documented[name].get('choices') == option.get('choices'), name

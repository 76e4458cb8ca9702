"""CampaignRepository's look-ups on a real database, and the fake's the same way (each test rolled back)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from gridgov.campaigns.models import Campaign, Suggestion
from gridgov.campaigns.repository import CampaignRepository

from factories import make_campaign, make_suggestion
from fakes import FakeCampaignRepository, FakeUnitOfWork


@dataclass
class Store:
    repo: CampaignRepository | FakeCampaignRepository
    add: Callable[[Any], None]


@pytest.fixture(params=["sql", "fake"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "sql":
        session: Session = request.getfixturevalue("session")

        def add_sql(row: Any) -> None:
            session.add(row)
            session.flush()

        yield Store(CampaignRepository(session), add_sql)
    else:
        uow = FakeUnitOfWork()
        with uow:
            yield Store(uow.campaigns, uow.campaigns.rows.insert)


def campaign(store: Store, **kw: Any) -> Campaign:
    row = make_campaign(**kw)
    store.repo.add_campaign(row)
    return row


def suggestion(store: Store, **kw: Any) -> Suggestion:
    row = make_suggestion(**kw)
    store.repo.add_suggestion(row, [])
    return row


def test_a_campaign_is_found_by_slug_and_by_its_mail_address_in_any_case(store: Store) -> None:
    c = campaign(store, mail_address="Bus@Example.org")
    assert store.repo.by_slug(c.slug) is c and store.repo.campaign(c.id) is c
    assert store.repo.by_mail_address("  bus@example.ORG ") is c
    assert store.repo.by_mail_address("other@example.org") is None and store.repo.by_slug("nope") is None


def test_a_message_id_matches_the_same_digest_or_a_row_stored_before_digests(store: Store) -> None:
    c = campaign(store)
    old = suggestion(store, campaign_id=c.id, message_id="<m1@x>", mail_digest=None)
    same = suggestion(store, campaign_id=c.id, message_id="<m2@x>", mail_digest="a" * 64)
    suggestion(store, campaign_id=c.id, message_id="<m2@x>", mail_digest="b" * 64)
    assert store.repo.by_message_id(c.id, "<m1@x>", "c" * 64) is old  # no digest kept: the Message-ID alone
    assert store.repo.by_message_id(c.id, "<m2@x>", "a" * 64) is same
    assert store.repo.by_message_id(c.id, "<m2@x>", "c" * 64) is None  # reused Message-ID, other content
    assert store.repo.by_message_id(c.id, "<m2@x>", None) is None
    suggestion(store, campaign_id=c.id, message_id="<m1@x>", mail_digest="d" * 64)
    found = store.repo.by_message_id(c.id, "<m1@x>", "d" * 64)
    assert found is not None and found.mail_digest == "d" * 64  # a row with the digest before the old one


def test_cluster_heads_are_the_newest_first_suggestions_of_their_clusters(store: Store) -> None:
    c = campaign(store)
    heads = []
    for n in range(3):
        s = suggestion(store, campaign_id=c.id, title=f"标题{n}", content="增加公交线路和站点")
        s.cluster_id = s.id
        store.add(s)
        heads.append(s)
    member = suggestion(store, campaign_id=c.id, cluster_id=heads[0].id)
    got = store.repo.cluster_heads(c.id, 2, 4)
    assert got == [(heads[2].id, "标题2\n增加公交"), (heads[1].id, "标题1\n增加公交")]
    assert member.id not in [i for i, _ in store.repo.cluster_heads(c.id, 10, 4)]

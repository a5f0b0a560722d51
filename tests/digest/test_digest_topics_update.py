"""A reload re-scores only what changed, and ends where a full build would."""

from __future__ import annotations

import dataclasses

from bot.digest import TopicModel, load_catalogue
from tests.support.digest_samples import ALL, FOOTBALL, SEED, TENNIS


def snapshot(model: TopicModel) -> tuple[dict[str, list[tuple[str, float]]], list[tuple[str, int]]]:
    ids = {a.id for a in ALL} | {"new-tagged"}
    return (
        {i: model.topics_of(i) for i in sorted(ids)},
        [(t.name, n) for t, n in model.counts()],
    )


def test_update_matches_a_full_build() -> None:
    catalogue = load_catalogue()
    old = TopicModel.build(ALL, catalogue)
    changed = dataclasses.replace(FOOTBALL, tags=("Transfers",))
    added = dataclasses.replace(TENNIS, id="new-tagged", tags=("Wimbledon",))
    new = old.updated([changed, added], [SEED.id])
    rest = [a for a in ALL if a.id not in {SEED.id, FOOTBALL.id}]
    assert snapshot(new) == snapshot(TopicModel.build([*rest, changed, added], catalogue))
    assert new.topics_of(SEED.id) == []
    assert "Transfers" in [t.name for t in new.tag_topics]


def test_update_leaves_the_old_model_answering_as_before() -> None:
    old = TopicModel.build(ALL, load_catalogue())
    before = snapshot(old)
    old.updated([], [SEED.id, FOOTBALL.id])
    assert snapshot(old) == before

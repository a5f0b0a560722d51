"""Reloading articles: the index follows upserts and removals; old readers are undisturbed."""

from __future__ import annotations

from bot.corpus.model import Article
from bot.search import SearchIndex
from tests.support.search_samples import make_article


def answers(index: SearchIndex, *queries: str) -> list[list[tuple[str, int]]]:
    return [
        [(h.article_id, h.sentence_index) for h in index.search(q, limit=10).hits] for q in queries
    ]


QUERIES = ("haiti mission", "football", "volcano", "peacekeeping", "the", "café")


def test_upsert_adds_a_new_article(index: SearchIndex) -> None:
    volcano = make_article("volcano", "Volcano erupts", "A volcano erupted near the town.")
    new = index.updated([volcano], [])
    assert [h.article_id for h in new.search("volcanoe").hits] == ["volcano"]
    assert new.stats().articles == index.stats().articles + 1


def test_upsert_replaces_an_article_with_the_same_id(index: SearchIndex) -> None:
    replaced = make_article("football", "Cup draw", "The cup draw pairs old rivals.")
    new = index.updated([replaced], [])
    assert new.search("derby").hits == ()
    assert [h.article_id for h in new.search("rivals").hits] == ["football"]
    assert new.stats().articles == index.stats().articles
    assert new.stats().passages == index.stats().passages - 4 + 1


def test_removed_articles_disappear(index: SearchIndex) -> None:
    new = index.updated([], ["football", "no-such-id"])
    assert new.search("football").hits == ()
    assert new.article_ids_for("football", 5) == []
    assert new.search("derby", article_id="football").hits == ()
    assert new.stats().articles == index.stats().articles - 1


def test_the_old_index_still_answers_as_before(index: SearchIndex) -> None:
    before = answers(index, *QUERIES)
    volcano = make_article("volcano", "Volcano erupts", "A volcano erupted near the town.")
    new = index.updated([volcano, make_article("football", "Cup", "Cup news.")], ["cafe"])
    assert answers(index, *QUERIES) == before
    assert answers(new, *QUERIES) != before


def test_many_updates_match_a_fresh_build(articles: list[Article]) -> None:
    index = SearchIndex.build(articles)
    live = {a.id: a for a in articles}
    for i in range(30):  # enough small segments to force merges and rebuilds
        article = make_article(
            f"brief-{i % 7}",
            f"Brief {i}",
            f"Brief number {i} mentions the volcano and the football derby.",
            f"Officials counted {i} ships in the harbour.",
        )
        removed = ["cafe"] if i == 10 else []
        index = index.updated([article], removed)
        live[article.id] = article
        for gone in removed:
            live.pop(gone)
    fresh = SearchIndex.build(live.values())
    assert index.stats().articles == fresh.stats().articles == len(live)
    assert index.stats().passages == fresh.stats().passages
    queries = (*QUERIES, "harbour ships", "brief 29", "derby")
    assert answers(index, *queries) == answers(fresh, *queries)


def test_a_removed_then_readded_article_is_found_again(index: SearchIndex) -> None:
    gone = index.updated([], ["haiti-aid"])
    back = gone.updated([make_article("haiti-aid", "Aid", "Aid flights reached Haiti.")], [])
    assert [h.article_id for h in back.search("aid flights").hits] == ["haiti-aid"]

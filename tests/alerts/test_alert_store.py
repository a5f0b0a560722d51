"""The alerts' store: the (alert, article) ledger admits one claim, state changes are
conditional, and removals cascade (a feed's alerts, an alert's ledger)."""

from __future__ import annotations

from bot.store import Store
from tests.support.alert_fakes import FakeClock, add_feed, arrive, write


async def test_an_article_is_claimed_once_per_alert(store: Store, clock: FakeClock) -> None:
    feed = await add_feed(store, clock.now)
    one = await store.alerts.add(1, channel_id=5, now=clock.now)
    two = await store.alerts.add(1, channel_id=6, now=clock.now)
    await arrive(store, feed, clock.advance(minutes=1), write("Story"))
    [item] = await store.alerts.new_items(one, limit=5)

    first = await store.alerts.claim(one.id, item, nonce="a", now=clock.now)
    assert first is not None and first.state == "claimed"
    assert await store.alerts.claim(one.id, item, nonce="a", now=clock.now) is None
    assert await store.alerts.skip(one.id, item, "no", now=clock.now) is None
    assert await store.alerts.claim(two.id, item, nonce="b", now=clock.now) is not None
    assert await store.alerts.new_items(one, limit=5) == []  # judged: never offered again

    done = await store.alerts.complete(first.id, "posted", now=clock.now, message_id=77)
    assert done is not None and done.state == "posted" and done.message_id == 77
    assert await store.alerts.complete(first.id, "failed", now=clock.now) is None  # not claimed
    assert await store.alerts.reclaim(first.id, now=clock.now) is None  # not failed
    assert await store.alerts.message_recorded(77)
    assert await store.alerts.counts([one.id, two.id]) == {one.id: 1}


async def test_alerts_are_per_server_and_removals_cascade(store: Store, clock: FakeClock) -> None:
    feed = await add_feed(store, clock.now)
    mine = await store.alerts.add(1, channel_id=5, feed_id=feed.id, now=clock.now)
    other = await store.alerts.add(2, channel_id=6, now=clock.now)
    await arrive(store, feed, clock.advance(minutes=1), write("Story"))
    [item] = await store.alerts.new_items(other, limit=5)
    await store.alerts.claim(other.id, item, nonce="n", now=clock.now)

    assert await store.alerts.get(2, mine.id) is None  # another server's alert is not found
    assert not await store.alerts.remove(2, mine.id)
    await store.feeds.remove(feed.id)  # the feed goes: the alert naming it goes too
    assert [a.id for a in await store.alerts.all()] == [other.id]
    assert await store.alerts.remove(2, other.id)
    assert await store.alerts.unfinished() == []  # its ledger went with it

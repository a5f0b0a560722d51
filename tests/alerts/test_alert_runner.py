"""The alert runner over a real store and a fake channel: only new articles, only wanted
ones, each once, through crashes; failures back off, then pause with a notice and an audit
entry; a burst is paced per channel."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.alerts import NOT_WANTED, AlertRunner, ChannelPacer, alert_nonce
from bot.store import Store
from tests.support.alert_fakes import FakeClock, FakeSender, ProcessDied, add_feed, arrive, write

GUILD = 10
NEWS = 20
SPORT = 21


def runner(store: Store, sender: FakeSender, clock: FakeClock, **options: object) -> AlertRunner:
    pacer = ChannelPacer(burst=1000, per=0)  # pacing has its own test
    return AlertRunner(store, sender, clock=clock, pacer=pacer, **options)  # type: ignore[arg-type]


async def test_only_new_matching_articles_are_posted_and_each_once(
    store: Store, clock: FakeClock
) -> None:
    feed = await add_feed(store, clock.now)
    await arrive(store, feed, clock.advance(minutes=1), write("Ferry strike called off"))
    alert = await store.alerts.add(
        GUILD,
        channel_id=NEWS,
        keywords=("ferry",),
        exclude=("football",),
        now=clock.advance(minutes=1),
    )
    await arrive(
        store, feed, clock.advance(minutes=15),
        write("Ferry delays at Gull Island"),
        write("Lighthouse keeper retires"),
        write("Ferry takes the football team home"),
        write("New ferry ordered", "The council ordered a new FERRY for the island."),
    )  # fmt: skip
    sender = FakeSender()
    run = runner(store, sender, clock)

    first = await run.tick()
    again = await run.tick(clock.advance(minutes=1))

    # Not the item from before the alert, not the one without the word, not the excluded one.
    assert sender.titles() == ["Ferry delays at Gull Island", "New ferry ordered"]
    assert [o.state for o in first] == ["posted", "posted"] and again == []
    states = sorted(
        (p.article_id.split("/")[1][:4], p.state) for p in await store.alerts.posts(alert.id)
    )
    assert [s for _, s in states].count("skipped") == 2
    assert all(
        p.detail == NOT_WANTED for p in await store.alerts.posts(alert.id) if p.state == "skipped"
    )


async def test_a_feeds_first_fetch_never_alerts(store: Store, clock: FakeClock) -> None:
    await store.alerts.add(GUILD, channel_id=NEWS, now=clock.now)
    feed = await store.feeds.add(
        "https://new.example/rss", slug="new", now=clock.advance(minutes=1)
    )
    await store.feeds.apply_fetch(
        feed, now=clock.now, next_fetch_at=clock.now, title="New", etag=None, last_modified=None,
        inserts=[write(f"Old story {i}") for i in range(20)],
    )  # fmt: skip
    sender = FakeSender()

    await runner(store, sender, clock).tick()

    assert sender.posts == []


async def test_a_feed_filter_takes_only_that_feed(store: Store, clock: FakeClock) -> None:
    gazette = await add_feed(store, clock.now, "gazette")
    herald = await add_feed(store, clock.now, "herald")
    await store.alerts.add(GUILD, channel_id=NEWS, feed_id=herald.id, now=clock.advance(seconds=1))
    await arrive(store, gazette, clock.advance(minutes=1), write("Gazette story"))
    await arrive(store, herald, clock.now, write("Herald story"))
    sender = FakeSender()

    await runner(store, sender, clock).tick()

    assert sender.titles() == ["Herald story"]


async def test_a_topic_filter_asks_the_library_and_waits_for_articles_it_has_not_loaded(
    store: Store, clock: FakeClock
) -> None:
    feed = await add_feed(store, clock.now)
    await store.alerts.add(GUILD, channel_id=NEWS, topic="Transport", now=clock.advance(seconds=1))
    await arrive(store, feed, clock.advance(minutes=1), write("Ferry delays"), write("Cake fair"))
    loaded: set[str] = set()

    async def on_topic(alert, item) -> bool | None:  # type: ignore[no-untyped-def]
        if item.article_id not in loaded:
            return None
        return "Ferry" in item.title

    sender = FakeSender()
    run = runner(store, sender, clock, topic_check=on_topic)
    await run.tick()
    assert sender.posts == []  # nothing judged before the library has the articles

    loaded.update(i.article_id for i in await store.alerts.recent_items(None, limit=10))
    await run.tick(clock.advance(minutes=1))

    assert sender.titles() == ["Ferry delays"]


async def test_a_crash_after_discord_took_the_message_is_recovered_without_a_repeat(
    store: Store, clock: FakeClock
) -> None:
    feed = await add_feed(store, clock.now)
    alert = await store.alerts.add(GUILD, channel_id=NEWS, now=clock.advance(seconds=1))
    await arrive(store, feed, clock.advance(minutes=1), *(write(f"Story {i}") for i in range(5)))
    sender = FakeSender(crash_after=3)

    with pytest.raises(ProcessDied):
        await runner(store, sender, clock).tick()
    [orphan] = await store.alerts.unfinished()
    assert orphan.nonce == alert_nonce(alert.id, orphan.article_id)

    outcomes = await runner(store, sender, clock).tick(clock.advance(minutes=1))  # a new process

    assert sender.titles() == [f"Story {i}" for i in range(5)]  # each once, in order
    assert outcomes[0].recovered and outcomes[0].article_id == orphan.article_id
    assert await store.alerts.unfinished() == []


async def test_a_crash_before_the_send_posts_it_with_the_same_nonce(
    store: Store, clock: FakeClock
) -> None:
    feed = await add_feed(store, clock.now)
    alert = await store.alerts.add(GUILD, channel_id=NEWS, now=clock.advance(seconds=1))
    await arrive(store, feed, clock.advance(minutes=1), write("Story"))
    [item] = await store.alerts.new_items(alert, limit=5)
    await store.alerts.claim(
        alert.id, item, nonce=alert_nonce(alert.id, item.article_id), now=clock.now
    )
    sender = FakeSender()

    await runner(store, sender, clock).tick(clock.advance(minutes=1))

    assert [(p.title, p.nonce) for p in sender.posts] == [
        ("Story", alert_nonce(alert.id, item.article_id))
    ]
    assert sender.searches == 1  # it looked for an earlier post first


async def test_an_interrupted_post_found_too_late_is_not_repeated(
    store: Store, clock: FakeClock
) -> None:
    feed = await add_feed(store, clock.now)
    alert = await store.alerts.add(GUILD, channel_id=NEWS, now=clock.advance(seconds=1))
    await arrive(store, feed, clock.advance(minutes=1), write("Story"))
    [item] = await store.alerts.new_items(alert, limit=5)
    await store.alerts.claim(alert.id, item, nonce="n", now=clock.now)
    sender = FakeSender()

    await runner(store, sender, clock).tick(clock.advance(hours=3))

    assert sender.posts == []
    [post] = await store.alerts.posts(alert.id)
    assert post.state == "skipped" and "beyond the grace period" in (post.detail or "")


async def test_a_channel_that_refuses_backs_off_then_pauses_with_a_notice_and_audit(
    store: Store, clock: FakeClock
) -> None:
    feed = await add_feed(store, clock.now)
    alert = await store.alerts.add(GUILD, channel_id=NEWS, now=clock.advance(seconds=1))
    other = await store.alerts.add(GUILD, channel_id=SPORT, now=clock.now)
    await arrive(store, feed, clock.advance(minutes=1), write("Story one"), write("Story two"))
    told: list[tuple[int, str]] = []

    async def notify(guild_id: int, message: str) -> None:
        told.append((guild_id, message))

    sender = FakeSender(broken={NEWS})
    run = runner(store, sender, clock, notify=notify, max_failures=3)
    await run.tick()
    assert sender.titles(SPORT) == ["Story one", "Story two"]  # the other channel is unharmed
    failing = await store.alerts.find(alert.id)
    assert failing is not None and failing.failure_count == 1
    assert failing.next_retry_at == clock.now + dt.timedelta(minutes=1)

    await run.tick(clock.advance(seconds=30))  # not yet due again
    assert (await store.alerts.find(alert.id)).failure_count == 1  # type: ignore[union-attr]
    for wait in (1, 5):
        await run.tick(clock.advance(minutes=wait))

    paused = await store.alerts.find(alert.id)
    assert paused is not None and paused.paused and paused.failure_count == 3
    assert "paused after 3 failed attempts in a row" in (paused.pause_reason or "")
    [(guild, message)] = told
    assert guild == GUILD and f"alert #{alert.id}" in message and "/admin alert resume" in message
    [entry] = await store.audit.recent(GUILD, action="alert.auto_pause")
    assert entry.result == "error"
    assert other.id != alert.id

    sender.broken.clear()
    await store.alerts.resume(alert.id)
    await run.tick(clock.advance(minutes=1))
    assert sender.titles(NEWS) == ["Story one", "Story two"]  # nothing lost, nothing twice


async def test_a_burst_is_paced_per_channel_and_spread_over_ticks(
    store: Store, clock: FakeClock
) -> None:
    feed = await add_feed(store, clock.now)
    await store.alerts.add(GUILD, channel_id=NEWS, now=clock.advance(seconds=1))
    await store.alerts.add(GUILD, channel_id=SPORT, feed_id=feed.id, now=clock.now)
    await arrive(
        store, feed, clock.advance(minutes=1), *(write(f"Item {i:02d}") for i in range(50))
    )
    moment = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        moment[0] += seconds

    pacer = ChannelPacer(burst=5, per=6.0, clock=lambda: moment[0], sleep=sleep)
    sender = FakeSender(stamp=lambda: moment[0])
    run = AlertRunner(store, sender, clock=clock, pacer=pacer, max_posts_per_tick=20)

    await run.tick()
    assert len(sender.titles(NEWS)) == 20 and len(sender.titles(SPORT)) == 20
    assert waits  # the burst had to wait
    for times in sender.times.values():  # never more than 5 sends in 6 s in one channel
        assert all(later - earlier >= 6.0 for earlier, later in zip(times, times[5:], strict=False))

    for _ in range(2):
        await run.tick(clock.advance(minutes=1))
    assert sender.titles(NEWS) == [f"Item {i:02d}" for i in range(50)]
    assert sender.titles(SPORT) == [f"Item {i:02d}" for i in range(50)]

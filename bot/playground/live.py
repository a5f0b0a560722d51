"""Keep a SimCord Preview live: simulated time follows real time, and the bot's own changes
(a scheduled digest, a paginator timing out) reach open pages without a manual refresh.

SimCord's Preview publishes a page only when the page acts or Python calls ``refresh()``, and
its clock moves only through ``advance_time()``. ``LiveSync`` adds the missing loop: every
tick it advances the clock by the real time that passed and, when the bot changed something
in the simulated Discord since the last publication, republishes every page (the pages poll
twice a second and pick that up).

Nothing else is needed for the bot's timers: SimCord gives discord.py its clock
(``discord.utils.utcnow``, ``discord.ext.tasks`` and ``time.monotonic``), so the scheduled
digest loop, paginator timeouts and cooldowns all run on simulated time and fire as it passes.

Browser actions and ticks are serialised with one lock. SimCord allows one driver operation
at a time, so an action arriving mid-tick would otherwise be refused; and a republication
between a page's read and its next click would make that click stale. The lock removes the
first race and keeps the second to the rare case of the bot posting at the very moment a
person clicks, which a real Discord client has too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import simcord

_log = logging.getLogger(__name__)

# Browser actions SimCord republishes only for the acting page; another viewer's page needs
# a refresh to see the edit (a page turned, a button disabled).
_SINGLE_PAGE_ACTIONS = frozenset({"click", "select", "modal_submit"})
_WRITE_METHODS = ("POST ", "PUT ", "PATCH ", "DELETE ")
# Open pages are republished at least this often, so "in 2 minutes" does not go stale.
_STALE_SECONDS = 30.0


class LiveSync:
    """Drive ``env``'s clock from real time and republish ``preview`` after background changes.

    Every ``tick_seconds`` of real time the simulated clock moves on by the real time that
    passed times ``time_scale`` (1: as in a server; 60: a minute a second, to watch a digest
    scheduled for later without waiting). ``tick_seconds=None`` leaves the clock to
    ``advance()`` alone.
    """

    def __init__(
        self,
        env: simcord.Env,
        preview: simcord.Preview,
        *,
        tick_seconds: float | None = 1.0,
        time_scale: float = 1.0,
    ) -> None:
        if tick_seconds is not None and tick_seconds <= 0:
            raise ValueError("tick_seconds must be positive (or None for a manual clock)")
        if not time_scale > 0:
            raise ValueError("time_scale must be positive")
        self._env = env
        self._preview = preview
        self._tick = tick_seconds
        self._scale = time_scale
        self._lock = asyncio.Lock()
        self._seen = len(env.backend.transcript)
        self._error_cursor = env.error_cursor
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Serialise the page's actions with the clock and start ticking (unless manual)."""
        self._wrap_browser_actions()
        if self._tick is not None:
            self._task = asyncio.create_task(self._run(self._tick), name="playground-clock")

    async def stop(self) -> None:
        """Stop ticking (idempotent)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- the two writers ---------------------------------------------------------------

    def _wrap_browser_actions(self) -> None:
        # The Preview's HTTP bridge calls ``preview._action`` for every click, command and
        # autocomplete; wrapping that one method (on this instance only) is the narrowest
        # hook SimCord 3.2 offers. It is pinned, and tests/playground exercise the hook.
        action: Callable[[str | None, Mapping[str, Any]], Awaitable[dict[str, Any]]]
        action = self._preview._action

        async def serialised(context_id: str | None, body: Mapping[str, Any]) -> dict[str, Any]:
            async with self._lock:
                before = len(self._env.backend.transcript)
                # The page shows <t:…:R> times relative to its presentation time, which
                # SimCord moves on only at a refresh: an answer must be measured from now.
                self._present_now()
                try:
                    return await action(context_id, body)
                finally:
                    kind = body.get("kind") if isinstance(body, Mapping) else None
                    if kind in _SINGLE_PAGE_ACTIONS and self._bot_wrote_since(before):
                        # Republish before answering, so the acting page reads the final
                        # revision and its next click is not refused as stale.
                        await self._refresh()
                    self._seen = len(self._env.backend.transcript)
                    self._report_errors()

        self._preview._action = serialised  # type: ignore[method-assign]

    async def _run(self, tick: float) -> None:
        last = time.perf_counter()  # real time: the env replaces time.monotonic for the bot
        while True:
            await asyncio.sleep(tick)
            async with self._lock:
                now = time.perf_counter()
                try:
                    await self._advance((now - last) * self._scale)
                except Exception:  # the clock must keep going whatever one tick met
                    _log.exception("a clock tick failed")
                last = now

    async def advance(self, seconds: float) -> None:
        """Move simulated time on by ``seconds`` now, publishing what the bot did meanwhile."""
        async with self._lock:
            await self._advance(seconds)

    async def _advance(self, seconds: float) -> None:
        try:
            await self._env.advance_time(seconds)
        except TimeoutError as exc:
            # A stuck bot must not stop the clock for good; the next tick tries again.
            _log.warning("the bot did not settle while the clock advanced: %s", exc)
        except simcord.SetupError as exc:
            if self._preview_closed():
                return
            _log.warning("could not advance the simulated clock: %s", exc)
        if self._bot_wrote_since(self._seen) or self._presentation_is_stale():
            await self._refresh()
        self._seen = len(self._env.backend.transcript)
        self._report_errors()

    # -- helpers ---------------------------------------------------------------------------

    def _bot_wrote_since(self, index: int) -> bool:
        # Every request the bot makes is in the transcript as ("HTTP", "VERB /path", body);
        # the people in the playground act only through the page, so any write here is the
        # bot changing what a page shows.
        return any(
            kind == "HTTP" and name.startswith(_WRITE_METHODS)
            for kind, name, _payload in self._env.backend.transcript[index:]
        )

    async def _refresh(self) -> None:
        if self._preview_closed():
            return
        try:
            await self._preview.refresh()
        except simcord.SetupError as exc:
            if not self._preview_closed():
                _log.warning("could not update the page: %s", exc)
        except TimeoutError as exc:
            _log.warning("the bot did not settle before a refresh: %s", exc)

    def _present_now(self) -> None:
        # SimCord 3.2 keeps this step private; without it the page's times are merely late.
        advance = getattr(self._preview, "_advance_presentation_time", None)
        if callable(advance):
            advance()

    def _presentation_is_stale(self) -> bool:
        """Whether open pages' relative times ("in 5 minutes") are over 30 s old."""
        shown = getattr(self._preview, "capture_time", None)
        return shown is not None and (self._env.now() - shown).total_seconds() > _STALE_SECONDS

    def _preview_closed(self) -> bool:
        return bool(getattr(self._preview, "_closed", False))

    def _report_errors(self) -> None:
        errors = self._env.errors_since(self._error_cursor)
        self._error_cursor += len(errors)
        for error in errors:
            _log.error("the bot raised an error", exc_info=error)

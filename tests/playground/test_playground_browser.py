"""The playground in a real browser: headless Chromium types slash commands like a person.

Debian's ``chromium`` (``/usr/bin/chromium``) driven by Playwright's Python package; no
browser is downloaded. The tests skip, saying why, when either is missing. Screenshots of
each step go to the test's temporary folder; with ``NEWSBOT_UPDATE_SCREENSHOT=1`` the search
screenshot showing autocomplete under a search result is also copied to ``docs/playground.png``
for the README.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.exts.scheduler import LOOP_SECONDS
from bot.playground.session import Playground

CHROMIUM = Path("/usr/bin/chromium")
# The flags the brief's sandbox needs: no GPU, no network side-channels, a fresh profile.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "playground.png"
# A page update arrives within the page's half-second poll; allow for a slow machine.
UI_TIMEOUT_MS = 20_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless test needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)
playwright_api = pytest.importorskip(
    "playwright.async_api", reason="headless test needs Playwright (pip install playwright)"
)
expect = playwright_api.expect
# ``expect`` keeps its own 5 s default, whatever the page's default timeout says.
expect.set_options(timeout=UI_TIMEOUT_MS)


@contextlib.asynccontextmanager
async def chromium_page(playground: Playground, tmp_path: Path) -> AsyncIterator[Any]:
    """A Chromium tab on the playground page, with a brand-new empty profile."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    async with playwright_api.async_playwright() as driver:
        context = await driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 820},
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            await page.goto(playground.url)
            await page.locator("#channel-composer-input").wait_for(state="visible")
            yield page
        finally:
            await context.close()


@pytest_asyncio.fixture
async def browser_page(playground: Playground, tmp_path: Path) -> AsyncIterator[Any]:
    """A Chromium tab on the playground page."""
    async with chromium_page(playground, tmp_path) as page:
        yield page


class Screens:
    """Numbered screenshots in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.taken: list[Path] = []

    async def take(self, page: Any, name: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        await page.screenshot(path=str(path))
        self.taken.append(path)
        return path


async def start_command(page: Any, name: str) -> None:
    """Type ``/name`` in the message box and pick it from the command list."""
    box = page.locator("#channel-composer-input")
    await box.click()
    await box.type(f"/{name[:3]}")
    await page.locator("#command-picker-listbox .command-entry", has_text=f"/{name}").first.click()


async def fill_option(page: Any, option: str, text: str) -> Any:
    """Type ``text`` into the option's field (adding the option first when it is optional)."""
    field = page.locator(f'.command-option-input[data-option="{option}"]')
    if not await field.count():
        await page.locator(".command-ghost").click()
        await page.locator(
            "#command-suggestion-listbox .command-suggestion", has_text=option
        ).first.click()
    await field.click()
    await field.type(text)
    return field


async def pick_suggestion(page: Any, text: str) -> None:
    """Click the autocomplete suggestion containing ``text``."""
    suggestion = page.locator("#command-suggestion-listbox .command-suggestion", has_text=text)
    await suggestion.first.click()


async def send(page: Any, field: Any) -> None:
    """Press Enter in an option field, as a person finishing a command does."""
    await field.press("End")
    await field.press("Enter")


async def pick_channel(page: Any, option: str, name: str) -> None:
    """Pick ``#name`` for a channel option from the channels the page offers."""
    field = page.locator(f'.command-option-input[data-option="{option}"]')
    await field.click()
    await field.type(name)
    await pick_suggestion(page, name)


async def view_as(page: Any, label: str, person_id: int) -> None:
    """Switch "Viewing as" to ``label`` (the page then reloads as that person)."""
    picker = page.locator("#viewer-picker")
    await picker.select_option(label=label)
    await expect(picker).to_have_value(str(person_id))


def timeline(page: Any) -> Any:
    return page.locator("#channel-timeline")


async def test_search_autocomplete_page_turn_and_digest_in_a_browser(
    playground: Playground, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    screens = Screens(tmp_path / "screens")
    await screens.take(page, "empty-channel")

    # A misspelled /search: corrected, highlighted, in pages turned with ▶.
    await start_command(page, "search")
    await send(page, await fill_option(page, "query", "rivr"))
    await expect(timeline(page).get_by_text("Did you mean")).to_be_visible()
    await expect(timeline(page).get_by_text("Page 1/3")).to_be_visible()  # three per page
    await screens.take(page, "search-page-1")
    await timeline(page).get_by_role("button", name="▶", exact=True).click()
    await expect(timeline(page).get_by_text("Page 2/3")).to_be_visible()
    await screens.take(page, "search-page-2")

    # /search in one article, picked from the suggestions for a misspelled headline.
    await start_command(page, "search")
    query = await fill_option(page, "query", "crossing")
    await fill_option(page, "article", "rivr fery")
    suggestion = page.locator("#command-suggestion-listbox .command-suggestion").first
    await expect(suggestion).to_contain_text("River ferry returns")
    readme_shot = await screens.take(page, "article-suggestions")
    await suggestion.click()
    await send(page, query)
    await expect(timeline(page).get_by_text("Search: “crossing”")).to_be_visible()
    await screens.take(page, "search-in-article")

    # /digest with its topic picked from the suggestions.
    await start_command(page, "digest")
    topic = await fill_option(page, "topic", "enviro")
    await pick_suggestion(page, "Environment")
    await send(page, topic)
    digest = timeline(page).get_by_text("Digest: Environment & climate")
    await expect(digest).to_be_visible()
    await digest.scroll_into_view_if_needed()
    await screens.take(page, "digest")

    # Three minutes later the page buttons time out; the page shows it with no refresh.
    turners = timeline(page).get_by_role("button", name="▶", exact=True)
    await expect(turners).to_have_count(1)
    await playground.live.advance(200)
    await expect(turners).to_have_count(0)

    if os.environ.get("NEWSBOT_UPDATE_SCREENSHOT") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(readme_shot, DOCS_SCREENSHOT)
    assert all(path.stat().st_size > 10_000 for path in screens.taken)


async def test_the_moderator_schedules_a_digest_that_appears_on_time_in_a_browser(
    playground: Playground, tmp_path: Path
) -> None:
    async with chromium_page(playground, tmp_path) as page:
        screens = Screens(tmp_path / "screens")
        admin = page.locator("#command-picker-listbox .command-entry", has_text="/admin")
        box = page.locator("#channel-composer-input")
        entries = page.locator("#command-picker-listbox .command-entry")
        await box.click()
        await box.type("/")  # the whole list
        await expect(entries.filter(has_text="/search")).to_be_visible()
        await expect(admin).to_have_count(0)  # Avery, a member, is not offered /admin
        await box.press("Escape")
        await box.fill("")

        await view_as(page, "Morgan (moderator)", playground.world.moderator.id)
        await box.click()
        await box.type("/adm")
        await expect(admin.first).to_be_visible()
        await screens.take(page, "admin-commands")
        await box.press("Escape")
        await box.fill("")

        # Morgan schedules a trade digest for two minutes from now, as a moderator would.
        now = playground.env.now()
        due = (now + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
        await start_command(page, "admin schedule add")
        await pick_channel(page, "channel", "news")
        await fill_option(page, "topic", "trade")
        await pick_suggestion(page, "Trade & investment")
        await fill_option(page, "timezone", "UTC")
        await pick_suggestion(page, "UTC")
        # Sent from the one field without suggestions: Enter there cannot pick one instead.
        await send(page, await fill_option(page, "time", f"{due:%H:%M}"))
        private = timeline(page).get_by_text("Only you can see this")
        await expect(private).to_be_visible()
        await expect(timeline(page)).to_contain_text(
            f"Scheduled digest #1: Trade & investment in #news, daily at {due:%H:%M} (UTC)."
        )
        await screens.take(page, "schedule-added")

        # Time passes; the scheduler posts it and the page shows it with no refresh.
        digest = timeline(page).get_by_text("Digest: Trade & investment")
        await expect(digest).to_have_count(0)
        await playground.live.advance((due - now).total_seconds() + LOOP_SECONDS)
        await expect(digest).to_be_visible()
        await screens.take(page, "scheduled-digest")

        # Avery sees the digest, not Morgan's private confirmation (Morgan's view always has
        # both, so the two checks together prove the page switched).
        await view_as(page, "Avery (member)", playground.world.member.id)
        await expect(digest).to_be_visible()
        await expect(private).to_have_count(0)
    assert all(path.stat().st_size > 10_000 for path in screens.taken)

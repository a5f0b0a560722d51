"""``newsbot playground``: try the real bot in a browser, without a Discord token.

The unmodified bot runs against SimCord's simulated Discord; SimCord's Preview serves a page
on 127.0.0.1 that behaves like a Discord channel (slash commands with autocomplete, embeds,
buttons), viewed as a member or as a moderator. This package adds the world (``world``), a
clock that follows real time with live page updates (``live``), the session (``session``) and
the command's entry point (``runner``). Its dependencies are the ``playground`` extra, imported
only when the command runs.
"""

from bot.playground.runner import missing_dependencies, run_playground

__all__ = ["missing_dependencies", "run_playground"]

"""The ``newsbot`` command line: the same questions as the slash commands, for people and scripts.

Every command takes ``--articles PATH`` (default: the ``ARTICLES_DIR`` setting). Human output
goes to stdout, errors to stderr with a non-zero exit; ``--json`` prints machine-readable
output whose field names are a contract other tools rely on.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import io
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings, SettingsError
from bot.corpus.library import LibraryError
from bot.corpus.model import Article
from bot.digest import Digest, render_digest_text
from bot.limits import DEFAULT_DIGEST_POINTS, MAX_DIGEST_POINTS, MIN_DIGEST_POINTS
from bot.search import SearchResult
from bot.service import NewsService
from bot.store import read_first_seen

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A user-facing failure: printed as one line on stderr, then exit ``code``."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


# -- output helpers -----------------------------------------------------------------------


# A file name that is not valid UTF-8 reaches Python with each bad byte as a lone surrogate
# (U+DC80-U+DCFF); written out as-is it makes the output invalid UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_safe(match: re.Match[str]) -> str:
    code = ord(match.group())
    # In the JSON text "\\xe9" is a backslash, "x", "e", "9": the bad byte, readable.
    return f"\\\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"


def _emit_json(obj: Any, out: TextIO) -> None:
    text = json.dumps(obj, ensure_ascii=False)
    out.write(_LONE_SURROGATE.sub(_json_safe, text) + "\n")


def _mark(text: str, spans: Iterable[tuple[int, int]], tty: bool) -> str:
    """Mark highlighted spans: bold on a terminal, ``**word**`` elsewhere."""
    start_mark, end_mark = ("\033[1m", "\033[0m") if tty else ("**", "**")
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts += [text[last:start], start_mark, text[start:end], end_mark]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def search_json(result: SearchResult) -> dict[str, Any]:
    """The ``newsbot search --json`` object for one query."""
    out: dict[str, Any] = {
        "query": result.query,
        "corrected": result.corrected,
        "hits": [
            {
                "article_id": hit.article_id,
                "title": hit.title,
                "excerpt": hit.excerpt,
                "sentence": hit.sentence,
                "score": round(hit.score, 4),
                "highlights": [[start, end] for start, end in hit.highlights],
                "url": hit.url,
                "matched": list(hit.matched),
            }
            for hit in result.hits
        ],
    }
    if result.notice:  # only a query of nothing but function words has one
        out["notice"] = result.notice
    return out


def digest_json(digest: Digest) -> dict[str, Any]:
    """The ``newsbot digest --json`` object."""
    return {
        "topic": digest.topic,
        "matched_topic": digest.matched_topic,
        "since": digest.since.isoformat() if digest.since else None,
        "points": [
            {"text": p.text, "article_id": p.article_id, "title": p.title} for p in digest.points
        ],
        "sources": [
            {"article_id": s.article_id, "title": s.title, "url": s.url} for s in digest.sources
        ],
        "closest": list(digest.closest),
    }


def article_json(service: NewsService, article: Article, sentences: int) -> dict[str, Any]:
    """The ``newsbot article --json`` object."""
    return {
        "id": article.id,
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "source": article.source,
        "url": article.url,
        "tags": list(article.tags),
        "topics": service.topics_of(article.id),
        "summary": service.summary(article, sentences),
        "text": article.body,
        "path": article.source_path,
    }


def _print_search(result: SearchResult, out: TextIO, tty: bool) -> None:
    if result.corrected:
        out.write(f"Did you mean: {result.corrected}\n")
    if result.notice:
        out.write(f"{result.notice}\n")
    if not result.hits:
        out.write(f"No excerpts found for {result.query!r}.")
        if result.suggestions:
            out.write(" Try: " + ", ".join(result.suggestions))
        out.write("\n")
        return
    for rank, hit in enumerate(result.hits, 1):
        out.write(f"{rank}. {hit.title} [{hit.article_id}]  score {hit.score:.2f}\n")
        out.write(f"   {_mark(hit.excerpt, hit.highlights, tty)}\n")
        if hit.url:
            out.write(f"   {hit.url}\n")


# -- commands -----------------------------------------------------------------------------


def _service(args: argparse.Namespace, settings: Settings) -> NewsService:
    root = Path(args.articles) if args.articles else settings.articles_dir
    try:
        service = NewsService.load(
            root,
            max_file_bytes=settings.max_article_bytes,
            feed_articles=_feed_articles(settings),
            parse_timeout=settings.parse_timeout_seconds,
            # Read-only as the commands are, a load that had to read files leaves a
            # snapshot for the next run (and for the bot) to start from.
            data_dir=settings.snapshot_dir,
        )
    except LibraryError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    # The days the bot first saw undated articles, read-only from its database when there
    # is one (the CLI never writes it); articles it has no record of count from today.
    service.adopt_first_seen(read_first_seen(settings.database))
    return service


def _read_queries(source: str) -> Iterator[str]:
    if source == "-":
        # Bytes that are not UTF-8 become U+FFFD rather than a traceback or invalid JSON.
        lines: Iterable[str] = io.TextIOWrapper(
            sys.stdin.buffer, encoding="utf-8-sig", errors="replace"
        )
    else:
        try:
            lines = Path(source).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read queries from {source}: {exc}", EXIT_USAGE) from exc
    for line in lines:
        if line.strip():
            yield line.strip()


def cmd_search(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if (args.query is None) == (args.queries is None):
        raise CliError("give either a QUERY or --queries FILE", EXIT_USAGE)
    if args.limit < 1:
        raise CliError("--limit must be at least 1", EXIT_USAGE)
    if args.query is not None and not args.query.strip():
        raise CliError('give some words to search for, e.g. `newsbot search "ferry strike"`', 2)
    service = _service(args, settings)
    if args.article and service.article(args.article) is None:
        raise CliError(_unknown_article(service, args.article))
    queries = [args.query] if args.query is not None else _read_queries(args.queries)
    tty = out.isatty()
    for number, query in enumerate(queries):
        result = service.search(query, limit=args.limit, article_id=args.article)
        if args.json:
            _emit_json(search_json(result), out)
        else:
            if args.queries is not None:
                out.write(("\n" if number else "") + f"## {query}\n")
            _print_search(result, out, tty)
    return EXIT_OK


def _unknown_article(service: NewsService, article_id: str) -> str:
    close = service.complete_articles(article_id[:200], limit=3)
    shown = "; ".join(f"“{label}” ({value})" for value, label in close)
    hint = f"; did you mean {shown}?" if close else "; `newsbot articles` lists them"
    return f"no article with id {article_id!r}{hint}"


def cmd_article(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if args.sentences < 1:
        raise CliError("--sentences must be at least 1", EXIT_USAGE)
    service = _service(args, settings)
    article = service.article(args.id)
    if article is None:
        raise CliError(_unknown_article(service, args.id))
    data = article_json(service, article, args.sentences)
    if args.json:
        _emit_json(data, out)
        return EXIT_OK
    out.write(f"{article.title}\n{'=' * min(len(article.title), 80)}\n")
    meta = [
        ("id", article.id),
        ("date", data["date"]),
        ("source", article.source),
        ("url", article.url),
        ("tags", ", ".join(article.tags) or None),
        ("topics", ", ".join(data["topics"]) or None),
    ]
    for label, value in meta:
        if value:
            out.write(f"{label}: {value}\n")
    out.write("\nSummary:\n")
    for sentence in data["summary"]:
        out.write(f"- {sentence}\n")
    out.write(f"\n{article.body}\n")
    return EXIT_OK


def cmd_articles(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    service = _service(args, settings)
    articles = sorted(service.articles.values(), key=lambda a: a.id)
    if args.json:
        _emit_json(
            [
                {
                    "id": a.id,
                    "title": a.title,
                    "date": a.date.isoformat() if a.date else None,
                    "source": a.source,
                    "url": a.url,
                    "tags": list(a.tags),
                    "sentences": len(a.sentences),
                    "path": a.source_path,
                }
                for a in articles
            ],
            out,
        )
        return EXIT_OK
    for a in articles:
        date = a.date.isoformat() if a.date else "-"
        out.write(f"{a.id}\t{date}\t{a.title}\n")
    out.write(f"{len(articles)} article{'' if len(articles) == 1 else 's'}\n")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    service = _service(args, settings)
    articles = sorted(service.articles.values(), key=lambda a: a.source_path or a.id)
    rejected = service.rejected
    warnings = service.library.warnings
    if args.json:
        _emit_json(
            {
                "loaded": [
                    {"id": a.id, "path": a.source_path, "sentences": len(a.sentences)}
                    for a in articles
                ],
                "rejected": [{"path": r.path, "reason": r.reason} for r in rejected],
                "warnings": [{"path": w.path, "reason": w.reason} for w in warnings],
            },
            out,
        )
    else:
        for a in articles:
            out.write(
                f"ok        {a.source_path or a.id}  ({a.id}, {len(a.sentences)} sentences)\n"
            )
        for r in rejected:
            out.write(f"rejected  {r.path}: {r.reason}\n")
        for w in warnings:
            out.write(f"warning   {w.path}: {w.reason}\n")
        noted = f"{len(warnings)} warning{'' if len(warnings) == 1 else 's'}"
        out.write(f"{len(articles)} loaded, {len(rejected)} rejected, {noted}\n")
    return EXIT_FAILURE if rejected else EXIT_OK


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def cmd_digest(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if not MIN_DIGEST_POINTS <= args.limit <= MAX_DIGEST_POINTS:
        raise CliError(
            f"--limit must be between {MIN_DIGEST_POINTS} and {MAX_DIGEST_POINTS}", EXIT_USAGE
        )
    if not args.topic.strip():
        raise CliError("give a topic, e.g. `newsbot digest trade`", EXIT_USAGE)
    service = _service(args, settings)
    digest = service.digest(args.topic, since=args.since, limit=args.limit)
    if args.json:
        _emit_json(digest_json(digest), out)
    else:
        out.write(render_digest_text(digest, max_chars=100_000) + "\n")
    return EXIT_OK


def cmd_topics(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    service = _service(args, settings)
    counts = service.topic_counts()
    if args.json:
        _emit_json(
            [
                {"name": topic.name, "origin": topic.origin, "articles": count}
                for topic, count in counts
            ],
            out,
        )
        return EXIT_OK
    width = max((len(topic.name) for topic, _ in counts), default=0)
    for topic, count in counts:
        out.write(f"{topic.name.ljust(width)}  {count:>6}  {topic.origin}\n")
    return EXIT_OK


def cmd_run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.runner import run_bot

    if args.articles:
        settings = _replace_articles(settings, args.articles)
    return run_bot(settings)


def cmd_playground(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.playground import run_playground

    if not 0 <= args.port <= 65535:
        raise CliError(f"--port must be between 0 and 65535, not {args.port}", EXIT_USAGE)
    articles = Path(args.articles) if args.articles else None
    return run_playground(
        settings, port=args.port, articles=articles, open_browser=not args.no_browser, out=out
    )


def _feed_articles(settings: Settings) -> list[Article]:
    from bot.feeds.manage import read_feed_articles

    return read_feed_articles(settings.database)


def cmd_feeds(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.feeds.cli import feeds_command

    return feeds_command(args, settings, out)


def cmd_fetch(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.feeds.cli import fetch_command

    return fetch_command(args, settings, out)


def _replace_articles(settings: Settings, path: str) -> Settings:
    from dataclasses import replace

    return replace(settings, articles_dir=Path(path))


# -- parser -------------------------------------------------------------------------------


def _version() -> str:
    try:
        return importlib.metadata.version("newsbot")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        from bot import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``newsbot`` command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--articles", metavar="PATH", help="articles folder (default: the ARTICLES_DIR setting)"
    )
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help="print JSON")

    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Search and digest a library of news articles; run the Discord bot.",
    )
    parser.add_argument("--version", action="version", version=f"newsbot {_version()}")
    # Not required here: main() names a missing command or an unknown flag itself.
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", parents=[common], help="run the Discord bot (needs DISCORD_TOKEN)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "playground",
        parents=[common],
        help="try the bot in a browser against a simulated Discord (no token needed)",
    )
    p.add_argument("--port", type=int, default=0, metavar="N", help="port (default: any free)")
    p.add_argument("--no-browser", action="store_true", help="print the URL, open no browser")
    p.set_defaults(func=cmd_playground)

    p = sub.add_parser("search", parents=[common, json_flag], help="typo-tolerant excerpt search")
    p.add_argument("query", nargs="?", metavar="QUERY", help="what to look for (typos welcome)")
    p.add_argument("--queries", metavar="FILE", help="one query per line; - reads stdin")
    p.add_argument("--article", metavar="ID", help="search within one article only")
    p.add_argument("--limit", type=int, default=5, metavar="N", help="hits per query (5)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("digest", parents=[common, json_flag], help="a topic digest with citations")
    p.add_argument("topic", metavar="TOPIC", help="a catalogue topic, a tag, or any words")
    p.add_argument("--since", type=_parse_date, metavar="YYYY-MM-DD", help="only newer articles")
    p.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_DIGEST_POINTS,
        metavar="N",
        help=f"points ({DEFAULT_DIGEST_POINTS}, at most {MAX_DIGEST_POINTS})",
    )
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser("topics", parents=[common, json_flag], help="topics with article counts")
    p.set_defaults(func=cmd_topics)

    p = sub.add_parser("article", parents=[common, json_flag], help="one article in full")
    p.add_argument("id", metavar="ID", help="the article's id (see `newsbot articles`)")
    p.add_argument("--sentences", type=int, default=3, metavar="N", help="summary length (3)")
    p.set_defaults(func=cmd_article)

    p = sub.add_parser("articles", parents=[common, json_flag], help="list the articles")
    p.set_defaults(func=cmd_articles)

    p = sub.add_parser(
        "check", parents=[common, json_flag], help="what loads and what is rejected (exit 1)"
    )
    p.set_defaults(func=cmd_check)
    _add_feed_commands(sub, common, json_flag)
    return parser


def _add_feed_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    json_flag: argparse.ArgumentParser,
) -> None:
    feeds = sub.add_parser("feeds", help="the feeds the library follows (add, list, remove)")
    actions = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    p = actions.add_parser("add", parents=[common], help="follow an RSS, Atom or JSON feed")
    p.add_argument("url", metavar="URL", help="the feed's http(s) address")
    p.add_argument("--name", metavar="NAME", help="what to call it (default: the feed's title)")
    p.add_argument(
        "--interval", type=int, default=15, metavar="MINUTES", help="minutes between fetches (15)"
    )
    p.add_argument(
        "--full-text", action="store_true", help="fetch each new item's page for its full text"
    )
    p = actions.add_parser("list", parents=[common, json_flag], help="every feed and its state")
    p = actions.add_parser("remove", parents=[common], help="stop following a feed")
    p.add_argument("id", metavar="ID", help="the feed's id (see `newsbot feeds list`) or slug")
    p = actions.add_parser("pause", parents=[common], help="stop fetching a feed for now")
    p.add_argument("id", metavar="ID", help="the feed's id or slug")
    p = actions.add_parser("resume", parents=[common], help="fetch a paused feed again")
    p.add_argument("id", metavar="ID", help="the feed's id or slug")
    feeds.set_defaults(func=cmd_feeds)

    p = sub.add_parser(
        "fetch", parents=[common, json_flag], help="fetch every feed once now (exit 1 on errors)"
    )
    p.set_defaults(func=cmd_fetch)


@contextlib.contextmanager
def _cli_logging(args: argparse.Namespace, settings: Settings) -> Iterator[None]:
    """Log to stderr at ``LOG_LEVEL`` while a command runs; `check` and ``--json`` already
    report rejections in their output, so there only errors are logged. The handler is
    removed afterwards, so calling ``main`` again (tests, scripts) starts clean."""
    if args.command in {"run", "playground"}:  # those set up logging themselves
        yield
        return
    level = "ERROR" if args.command == "check" or getattr(args, "json", False) else None
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("newsbot: %(levelname)s: %(message)s"))
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(level or settings.log_level)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``newsbot`` console script and ``python -m bot``."""
    out = out or sys.stdout
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        flags = [word for word in unknown if word.startswith("-")]
        parser.error(f"unknown flag {flags[0]}" if flags else f"unexpected argument {unknown[0]!r}")
    if args.command is None:
        parser.error("name a command (search, digest, article, check, run, …); see --help")
    try:
        settings = Settings.from_env()
        with _cli_logging(args, settings):
            return int(args.func(args, settings, out))
    except SettingsError as exc:
        print(f"newsbot: setting error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CliError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130

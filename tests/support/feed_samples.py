"""Realistic feed samples (RSS 2.0, Atom, JSON Feed) the tests serve and edit."""

from __future__ import annotations

import json
from typing import Any

RSS_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Harbour Gazette &amp; Coast</title>
  <link>https://gazette.example/</link>
  <description>News from the harbour</description>
  <atom:link href="https://gazette.example/rss.xml" rel="self" type="application/rss+xml"/>
"""
RSS_TAIL = "</channel>\n</rss>\n"


def rss_item(
    guid: str | None,
    title: str,
    text: str,
    *,
    link: str | None = None,
    date: str = "Mon, 30 Nov 2026 09:00:00 GMT",
    categories: tuple[str, ...] = (),
    encoded: bool = True,
) -> str:
    parts = ["  <item>", f"    <title>{title}</title>"]
    if link is not None:
        parts.append(f"    <link>{link}</link>")
    if guid is not None:
        parts.append(f'    <guid isPermaLink="false">{guid}</guid>')
    parts.append(f"    <pubDate>{date}</pubDate>")
    parts += [f"    <category>{c}</category>" for c in categories]
    if encoded:
        parts.append("    <description>A short teaser.</description>")
        parts.append(f"    <content:encoded><![CDATA[{text}]]></content:encoded>")
    else:
        parts.append(f"    <description>{text}</description>")
    parts.append(
        '    <enclosure url="https://cdn.gazette.example/a.mp3" length="1234" type="audio/mpeg"/>'
    )
    parts.append("  </item>")
    return "\n".join(parts) + "\n"


def rss(*items: str) -> str:
    return RSS_HEAD + "".join(items) + RSS_TAIL


FERRY = rss_item(
    "gazette-1001",
    "Ferry &amp; pier &#8211; delays at Gull Island",
    "<p>The <b>Gull Island</b> ferry was delayed for three hours on Monday.</p>"
    "<p>Officials said a storm had damaged the pier &amp; the ramp.</p>"
    '<script>alert("x")</script><p><a href="/pier">Read more</a></p>',
    link="/news/ferry-delays",
    categories=("Transport", "Islands"),
)
LIGHTHOUSE = rss_item(
    None,  # no guid: identified by its link
    "Lighthouse keeper retires",
    "The keeper of the Gull Island lighthouse retired after forty years of service.",
    link="https://gazette.example/news/lighthouse?utm_source=rss",
    date="Sun, 29 Nov 2026 18:30:00 GMT",
    encoded=False,
)
MARKET = rss_item(
    None,  # neither guid nor link: identified by headline
    "Fish market reopens",
    "&lt;p&gt;The fish market reopened after repairs, traders said.&lt;/p&gt;",
    date="Sat, 28 Nov 2026 07:00:00 GMT",
    encoded=False,
)
SAMPLE_RSS = rss(FERRY, LIGHTHOUSE, MARKET)

SAMPLE_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://tidings.example/">
  <title type="text">Coast Tidings</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2026-11-30T12:00:00Z</updated>
  <link href="https://tidings.example/"/>
  <entry>
    <title type="html">Harbour &lt;em&gt;dredging&lt;/em&gt; starts</title>
    <id>tag:tidings.example,2026:dredging</id>
    <link rel="alternate" href="articles/dredging.html"/>
    <updated>2026-11-30T10:00:00Z</updated>
    <published>2026-11-30T08:00:00+01:00</published>
    <category term="port" label="Port works"/>
    <summary>Short summary.</summary>
    <content type="html">&lt;p&gt;Dredging of the harbour channel began on Monday.&lt;/p&gt;
      &lt;p&gt;It will take six weeks, the port authority said.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Tide tables published</title>
    <id>tag:tidings.example,2026:tides</id>
    <link href="https://tidings.example/articles/tides.html"/>
    <updated>2026-11-29T10:00:00Z</updated>
    <summary type="text">The new tide tables for the winter season are out.</summary>
  </entry>
</feed>
"""


def json_feed(items: list[dict[str, Any]], title: str = "Island Wire") -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "home_page_url": "https://wire.example/",
            "feed_url": "https://wire.example/feed.json",
            "items": items,
        }
    )


SAMPLE_JSON = json_feed(
    [
        {
            "id": "wire-1",
            "url": "/stories/bridge",
            "title": "Bridge vote postponed",
            "content_html": "<p>The council postponed the <i>bridge</i> vote to January.</p>",
            "date_published": "2026-11-30T15:00:00Z",
            "tags": ["Council", "Bridge"],
        },
        {
            "id": 42,
            "url": "https://wire.example/stories/school",
            "title": "School roof repaired",
            "content_text": "The school roof was repaired before the winter storms.",
            "date_published": "2026-11-29T09:00:00+02:00",
        },
        {"id": "wire-3", "content_text": "A title-less micro post about the harbour seals."},
    ]
)

HTML_PAGE = """<!DOCTYPE html><html><head><title>Gazette</title></head>
<body><h1>Welcome</h1><p>This is a web page, not a feed.</p></body></html>"""

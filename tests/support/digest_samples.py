"""Small hand-written articles for the digest tests (the seed article is copied in whole)."""

from __future__ import annotations

import datetime as dt

from bot.corpus.model import Article

SEED_TITLE = "President Ruto Holds Strategic Call with Trump"
SEED_STANDFIRST = (
    "According to Ruto, the discussion covered various areas of mutual interest, including "
    "trade, investment, security, and good governance."
)
SEED_SENTENCES = (
    SEED_STANDFIRST,
    "In a significant diplomatic exchange, Kenyan President William Ruto revealed through his "
    "verified social media accounts that he has spoken with U.S. President-Elect Donald J. "
    "Trump.",
    "During the phone conversation, President Ruto extended his congratulations to Trump for "
    "his victory as the 47th President of the United States, underscoring the strong ties "
    "between Kenya and the United States.",
    SEED_STANDFIRST,
    "Both leaders expressed commitment to deepening the longstanding partnership between their "
    "nations, with a focus on enhancing cooperation across these crucial sectors.",
    "Trade and investment emerged as prominent topics in the call.",
    "President Ruto highlighted Kenya’s interest in expanding its trade relations with the "
    "United States, emphasizing how American investment could benefit both economies.",
    "Kenya has been working actively to diversify its economic ties globally, with a particular "
    "focus on increasing exports of agricultural products and technology collaboration.",
    "Ruto’s engagement with the incoming U.S. administration reflects Kenya’s intent to "
    "strengthen economic cooperation and attract more foreign investment, which he noted would "
    "create job opportunities and boost economic growth.",
    "Security was another key topic in the discussion, with Ruto briefing President-Elect "
    "Trump on Kenya’s involvement in international peacekeeping missions.",
    "Specifically, he spoke about Kenya’s leadership in the Multinational Security Support "
    "Mission in Haiti, an initiative aimed at stabilizing the Caribbean nation amid ongoing "
    "political and social unrest.",
    "Ruto highlighted Kenya’s commitment to supporting global peace and security efforts, a "
    "mission that aligns with both countries’ shared values.",
    "The Kenyan president suggested potential areas for cooperation on the Haiti mission, "
    "hoping to leverage U.S. support in both strategic and logistical capacities.",
    "With Trump’s administration expected to shape U.S. foreign policy priorities, the "
    "conversation marked an early dialogue on possible areas of collaboration for regional and "
    "global peacekeeping efforts.",
    "This may pave the way for U.S. logistical, financial, or advisory support to further "
    "stabilize Haiti, a common objective shared by both leaders.",
    "The phone conversation signals a proactive approach by the Ruto administration to build a "
    "close working relationship with Trump’s incoming government, strengthening the existing "
    "ties and exploring new avenues for collaboration.",
    "As both nations prepare for future engagements, this discussion lays the groundwork for "
    "initiatives that could foster stability, growth, and prosperity across both sides of the "
    "Atlantic.",
)


def make(
    article_id: str,
    title: str,
    sentences: tuple[str, ...],
    *,
    date: dt.date | None = None,
    tags: tuple[str, ...] = (),
    url: str | None = None,
) -> Article:
    """An article as the corpus loader would produce it."""
    return Article(
        id=article_id,
        title=title,
        body="\n\n".join(sentences),
        sentences=sentences,
        date=date,
        tags=tags,
        url=url,
    )


SEED = make(
    "seed",
    SEED_TITLE,
    SEED_SENTENCES,
    date=dt.date(2024, 11, 8),
    url="https://example.com/ruto-trump",
)

FOOTBALL = make(
    "cup-final",
    "United win the cup final after extra time",
    (
        "Manchester United won the FA Cup final on Saturday, beating Arsenal 2-1 after extra "
        "time at Wembley stadium.",
        "The striker scored the winning goal in the 112th minute as the fans celebrated.",
        "The manager praised his squad and said the football club had earned the trophy.",
        "Arsenal's coach blamed tired players and a soft penalty for the defeat.",
        "The league season ends next week, when the team plays its final match.",
    ),
    date=dt.date(2024, 5, 25),
)

TENNIS = make(
    "wimbledon",
    "Champion seeded first for Wimbledon tennis championship",
    (
        "The defending champion has been seeded first for the Wimbledon tennis championship.",
        "She won the title last year after a three-set final against her great rival.",
        "Organisers expect record crowds for the tournament, which starts on Monday.",
        "The player said her injury had healed and she felt ready to win again.",
    ),
    date=dt.date(2024, 6, 20),
)

CHIPS = make(
    "chips",
    "Chip maker unveils faster processor for phones and laptops",
    (
        "The chip maker unveiled a faster processor for mobile phones and laptops on Tuesday.",
        "Its software lets computer users run artificial intelligence programs on the device.",
        "Analysts said the technology could shake up the market for gadgets and broadband devices.",
        "The firm will ship the chips to phone makers next year.",
    ),
    date=dt.date(2024, 9, 3),
    tags=("Semiconductors",),
)

PROFITS = make(
    "profits",
    "Retailer profits jump as sales rise",
    (
        "Quarterly profits at the retailer jumped 40% as sales rose faster than analysts had "
        "expected.",
        "The company said its shares would pay a bigger dividend to shareholders.",
        "Its chief executive warned that inflation and interest rates could hurt consumer demand.",
        "The firm's revenue reached £2bn, and the economy is expected to grow next year.",
    ),
    date=dt.date(2024, 3, 1),
)

UNDATED = make(
    "undated-match",
    "Rugby team wins the Six Nations match",
    (
        "Wales won their Six Nations rugby match against Scotland in Cardiff.",
        "The team scored three tries and the captain kicked two penalties.",
        "The coach said the players had answered their critics.",
    ),
    tags=("SPORT", "Welsh rugby"),
)

ALL = (SEED, FOOTBALL, TENNIS, CHIPS, PROFITS, UNDATED)

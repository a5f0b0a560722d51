"""Related words learnt from the library: they help a question find a passage that says it
with other words, rank below the words as typed, and cost a bounded sample."""

from __future__ import annotations

import pytest

from bot.corpus.model import Article
from bot.search import SearchIndex
from bot.search import index as index_module
from bot.search.related import MAX_RELATED, SAMPLE, related_words, sample_ids

FILLER_WORDS = [
    *("harbour", "ferry", "council", "budget", "school", "garden", "museum", "river"),
    *("bridge", "concert", "orchard", "library", "station", "market", "theatre"),
    *("bakery", "lighthouse", "vineyard", "stadium", "festival"),
]


def article(article_id: str, *sentences: str) -> Article:
    return Article(
        id=article_id, title=f"Story {article_id}", body=" ".join(sentences), sentences=sentences
    )


def filler() -> list[Article]:
    """Forty passages of everyday news, none about jobs."""
    out = []
    for i in range(40):
        a, b = FILLER_WORDS[i % len(FILLER_WORDS)], FILLER_WORDS[(i * 7 + 3) % len(FILLER_WORDS)]
        out.append(article(f"f{i}", f"The {a} reopened beside the {b} on day {i}."))
    return out


# Four stories that say "jobless" and "unemployment" together: the library's own evidence.
TOGETHER = [
    article("j1", "The jobless total rose as unemployment climbed in spring."),
    article("j2", "Unemployment fell, and the jobless count with it, officials said."),
    article("j3", "Ministers blamed factory closures for jobless queues and unemployment."),
    article("j4", "A jobless graduate spoke about unemployment among the young."),
]
ANSWER = "Unemployment in the northern mill towns has doubled since the mills shut."
DISTRACTOR = "The northern mill towns held a summer fair."


def library() -> SearchIndex:
    return SearchIndex.build([*filler(), *TOGETHER, article("a", ANSWER), article("b", DISTRACTOR)])


def test_the_library_relates_jobless_to_unemployment() -> None:
    related = [word for word, _lift in library().related("jobless")]
    assert related[0] == "unemployment"
    assert len(related) <= MAX_RELATED


def test_a_question_finds_the_passage_that_says_it_with_a_related_word() -> None:
    result = library().search("jobless northern mill towns", limit=5)

    assert result.hits[0].sentence == ANSWER
    assert "Unemployment" in result.hits[0].matched  # it says which word stood in, as written
    assert result.corrected is None  # a related word is no correction
    # A related word is not a word matched: three of the four words, not four.
    assert int(result.hits[0].score) == 3
    assert result.hits[1].sentence == DISTRACTOR  # still found, just below


def test_the_words_as_typed_outrank_a_related_word() -> None:
    typed = "Jobless northern mill towns asked for help."
    index = SearchIndex.build([*filler(), *TOGETHER, article("a", ANSWER), article("t", typed)])
    assert index.search("jobless northern mill towns", limit=5).hits[0].sentence == typed


def test_a_misspelt_query_is_not_widened_with_related_words() -> None:
    result = library().search("jobles northern mill towns", limit=5)
    assert result.hits  # corrected as a typo, never through a typo's company
    assert all("unemployment" not in h.matched or "jobless" in h.matched for h in result.hits)


def test_related_words_are_never_function_words_numbers_or_forms_of_the_word() -> None:
    stories = [[f"The jobless 2005 and the joblessness {i} said unemployment."] for i in range(6)]
    words = [w for w, _ in related_words("jobless", stories, lambda w: 1, 1000)]
    assert words == ["unemployment"]


def test_a_word_in_every_passage_of_a_huge_library_reads_a_bounded_sample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    articles = [article(f"x{i}", f"Rain and wind number {i} today.") for i in range(5000)]
    index = SearchIndex.build(articles)
    read: list[int] = []
    real = index_module.related_words

    def counting(term, stories, df, passages):  # type: ignore[no-untyped-def]
        stories = list(stories)
        read.append(sum(len(s) for s in stories))
        return real(term, stories, df, passages)

    monkeypatch.setattr(index_module, "related_words", counting)
    index.related("rain")
    assert read and read[0] <= SAMPLE


@pytest.mark.parametrize("n", [0, 1, 5, SAMPLE, SAMPLE + 1, 10 * SAMPLE])
def test_a_sample_is_spread_and_bounded(n: int) -> None:
    ids = list(range(n))
    picked = sample_ids(ids, n, SAMPLE)
    assert len(picked) == min(n, SAMPLE)
    assert picked == sorted(set(picked))
    if n > SAMPLE:
        assert picked[0] == 0 and picked[-1] > n * 0.9


def test_related_words_never_make_a_query_fail() -> None:
    # The related word's passages hold no other query word: the query still answers.
    result = library().search("jobless lighthouse", limit=5)
    assert result.hits
    assert result.hits[0].sentence.startswith("The lighthouse")

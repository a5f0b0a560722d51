"""The same sentence in two articles (a syndicated copy) is one hit, not two."""


from bot.corpus.model import Article
from bot.search import SearchIndex


def article(article_id: str, *sentences: str) -> Article:
    return Article(
        id=article_id, title=f"Title {article_id}", body="\n\n".join(sentences), sentences=sentences
    )


def test_a_sentence_copied_into_another_article_is_shown_once() -> None:
    shared = "Gordon Brown's closest ally has denied there will be a Budget giveaway."
    index = SearchIndex.build(
        [
            article("original", shared, "Ed Balls spoke on Sunday."),
            article("copy", shared, "Ed Balls spoke on Sunday."),
            article("other", "The Budget giveaway was denied by another minister entirely."),
        ]
    )
    result = index.search("budget giveaway", limit=5)
    sentences = [hit.sentence for hit in result.hits]
    assert sentences.count(shared) == 1
    assert any("another minister" in s for s in sentences)


def test_a_repeated_sentence_is_not_its_own_context() -> None:
    standfirst = "Kenya signed a flower export deal on Monday."
    index = SearchIndex.build([article("a", standfirst, standfirst, "Growers welcomed the news.")])
    hit = index.search("flower export", limit=5).hits[0]
    assert hit.excerpt.count(standfirst) == 1
    assert hit.excerpt == f"{standfirst} Growers welcomed the news."


def test_searching_one_article_is_not_capped_at_two_hits() -> None:
    sentences = [f"Oil prices moved in week {n} of the year." for n in range(1, 8)]
    index = SearchIndex.build([article("oil", *sentences), article("other", *sentences)])
    assert len(index.search("oil prices", limit=10, article_id="oil").hits) == 7
    assert len(index.search("oil prices", limit=10).hits) <= 4  # 2 per article otherwise


def test_the_whole_part_of_a_score_counts_the_words_matched() -> None:
    index = SearchIndex.build([article("one", "Storms hit the coast."), article("two", "Rain.")])
    (hit,) = index.search("storms", limit=5).hits
    assert int(hit.score) == 1


def test_two_hits_never_share_a_sentence() -> None:
    sentences = [f"Trade talks resumed in round {n} of the negotiations." for n in range(1, 9)]
    index = SearchIndex.build([article("trade", *sentences)])
    hits = index.search("trade talks", limit=5, article_id="trade").hits
    assert len(hits) >= 2
    shown = [{s for s in sentences if s in h.excerpt} for h in hits]
    for i, one in enumerate(shown):
        for other in shown[i + 1 :]:
            assert not one & other
    assert len(hits) == 5  # neighbouring matches are all shown, with less context

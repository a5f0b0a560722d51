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

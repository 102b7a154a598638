"""Reader comments: apart from the article, with their author, date and nesting."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import thresher
from thresher import Config, Extractor, Kind
from thresher.corpus.process import signature_text
from thresher.dumps.comments import thread_comments
from thresher.html.comments import group_comments
from thresher.html.parse import parse
from thresher.html.segment import segment_page
from thresher.textmeta import comment_head
from thresher.types import PAGE_TYPES, Article, Block

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
BLOG = (SAMPLES / "pages" / "marathon-blog-en.html").read_bytes()
COMMENT_TEXTS = (
    "The bit about cutback weeks is so true.",
    "Signed up for my first one in May",
    "Good luck Aisha!",
)


def test_comments_leave_the_text_and_keep_author_and_date():
    article = thresher.extract(BLOG)
    for text in COMMENT_TEXTS:
        assert text not in article.text
        assert not any(text in r.text for r in article.removed), "a comment is not chrome"
    found = {c.author: c for c in article.comments}
    assert {"Gareth M", "Aisha R.", "Rachel Dunmore"} <= set(found)
    assert found["Gareth M"].text.startswith(COMMENT_TEXTS[0])
    assert found["Gareth M"].published.startswith("2026-02-03")
    assert "Reply" not in " ".join(c.text for c in article.comments)
    assert "Leave a Reply" not in " ".join(c.text for c in article.comments)


def test_comments_on_request_follow_the_article_marked_as_comments():
    article = Extractor(Config(comments=True)).extract(BLOG)
    kinds = [b.kind for b in article.blocks]
    first = kinds.index(Kind.COMMENT)
    assert all(k is Kind.COMMENT for k in kinds[first:]), "comments come after the whole article"
    body = [b.text for b in article.blocks[:first]]
    assert any("The finish line is a lot closer than it looks" in t for t in body)
    assert COMMENT_TEXTS[0] in article.text
    markdown = article.to_markdown()
    assert "## Comments" in markdown and "> " + COMMENT_TEXTS[0] in markdown
    assert markdown.index("## Comments") > markdown.index("The finish line is a lot closer")


def test_the_text_only_path_skips_the_thread_unless_asked():
    default = thresher.extract(BLOG)
    fast = Extractor(Config(metadata=False)).extract(BLOG)
    assert fast.text == default.text and fast.comments == [] and fast.page_type is None
    assert any(COMMENT_TEXTS[0] in r.text for r in fast.removed)
    asked = Extractor(Config(metadata=False, comments=True)).extract(BLOG)
    assert [c.text for c in asked.comments] == [c.text for c in default.comments]


def test_the_blog_post_is_an_article():
    assert thresher.extract(BLOG).page_type == "article"
    assert set(PAGE_TYPES) >= {"article", "forum", "product", "listing", "documentation", "collection", "other"}


NESTED = """<html><body><article><h1>Title</h1><p>Body.</p></article>
<ol class="comment-list">
 <li class="comment"><div class="meta">Jane Doe says:</div><div class="when">March 3, 2012 at 4:05 pm</div>
   <p>First comment, first paragraph.</p><p>First comment, second paragraph.</p>
   <ol class="children">
     <li class="comment"><div class="meta">Ravi K says:</div><p>A reply to Jane.</p></li>
     <li class="comment"><div class="meta">Jane Doe says:</div><p>Jane answers Ravi.</p></li>
   </ol>
 </li>
 <li class="comment"><div class="meta">Tom Blake says:</div><p>Second comment on the article.</p></li>
</ol></body></html>"""


def test_group_comments_reads_the_nesting_of_the_thread():
    seg = segment_page(parse(NESTED).body)
    first = next(i for i, t in enumerate(seg.texts) if t == "Jane Doe says:")
    picked = list(range(first, len(seg)))
    comments = group_comments(seg, picked, np.ones(len(seg)))
    summary = [(c.author, c.text, c.depth, c.parent) for c in comments]
    assert summary == [
        ("Jane Doe", "First comment, first paragraph.\n\nFirst comment, second paragraph.", 0, None),
        ("Ravi K", "A reply to Jane.", 1, 0),
        ("Jane Doe", "Jane answers Ravi.", 1, 0),
        ("Tom Blake", "Second comment on the article.", 0, None),
    ]
    assert comments[0].published == "2012-03-03"  # a day, as Article.published


def test_comment_head_lines():
    assert comment_head("Posted by: Jane Doe | October 02, 2012 at 01:55 PM") == ("Jane Doe", "2012-10-02")
    assert comment_head("Anna K. said...") == ("Anna K.", None)
    assert comment_head("Reply") == (None, None)
    assert comment_head("March 3, 2012 at 4:05 pm") == (None, "2012-03-03")
    assert comment_head("I think the council got this one badly wrong.") == (None, None)


def test_dump_comments_are_cut_at_head_lines():
    lines = ["Jane Doe says:", "I liked it.", "Very much.", "Tom Blake says:", "I did not.", "chrome", "Orphan line."]
    comments = thread_comments(lines, [0, 1, 2, 3, 4, 6], np.ones(len(lines)))
    assert [(c.author, c.text) for c in comments] == [
        ("Jane Doe", "I liked it.\n\nVery much."),
        ("Tom Blake", "I did not."),
        (None, "Orphan line."),
    ]


def test_signatures_never_include_comments():
    body = [Block(Kind.PARAGRAPH, f"Paragraph {i} of the article, long enough to count.", 0.95) for i in range(4)]
    plain = Article(blocks=body)
    with_thread = Article(blocks=[*body, Block(Kind.COMMENT, "What a great story, thanks!", 0.9)])
    assert signature_text(with_thread) == signature_text(plain)

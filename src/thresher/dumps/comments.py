"""Reader comments in a text dump: the lines the comment model picked, cut
into comments where a head line (an author, a date) starts one.

A dump has lost the markup that nests a thread, so every comment has depth 0.
A run of comment lines without any head line is one comment; a gap (a line
the model did not pick) ends a comment.
"""

from __future__ import annotations

from ..textmeta import comment_head
from ..types import Comment

__all__ = ["thread_comments"]


def thread_comments(texts: list[str], picked: list[int], scores) -> list[Comment]:
    """The comments made of the lines ``picked`` (indices, in order)."""
    out: list[Comment] = []
    author = date = None
    body: list[int] = []

    def close() -> None:
        if body:
            score = float(sum(scores[i] for i in body) / len(body))
            out.append(Comment("\n\n".join(texts[i] for i in body), author, date, 0, None, score))

    prev = None
    for i in picked:
        name, when = comment_head(texts[i])
        head = bool(name or when)
        if body and (head or (prev is not None and i != prev + 1)):
            close()
            author = date = None
            body = []
        if head and not body:
            author, date = author or name, date or when
        else:
            body.append(i)
        prev = i
    close()
    return out

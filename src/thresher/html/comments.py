"""Reader comments: the blocks the comment model picked, grouped into comments.

A thread is a list of repeated containers (``<li class="comment">``, ``<div
class="post">``...) under one element. The blocks of one comment share the
first repeated container under the thread's common ancestor; a reply sits in
a deeper container repeated as often on the page as its parent's (the same
markup, nested), which gives its depth and its parent.

Within a comment, a short first line is its author ("Jane Doe says:", "Jane
Doe 07.15.12 at 11:59"), a short line holding a date is its date; the rest is
its text. Nothing is guessed: a comment without such lines has no author or
date.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..textmeta import comment_head
from ..types import Comment
from .segment import Segments

__all__ = ["group_comments"]

#: A comment's author and date lines are among its first blocks.
HEAD_BLOCKS = 3


@dataclass(slots=True)
class _Unit:
    """One comment's blocks, before its author and date are read."""

    container: int
    depth: int
    parent: int | None
    blocks: list[int]


def _common_depth(paths: list[tuple[int, ...]]) -> int:
    first = paths[0]
    depth = min(len(p) for p in paths)
    for p in paths[1:]:
        depth = next((k for k in range(depth) if p[k] != first[k]), depth)
    return depth


def _units(seg: Segments, blocks: list[int]) -> list[_Unit]:
    """Group ``blocks`` into comments by their repeated containers."""
    paths = [seg.paths[i] for i in blocks]
    base = _common_depth(paths) if len(blocks) > 1 else max(len(paths[0]) - 1, 0)
    units: dict[int, _Unit] = {}
    order: list[int] = []
    for i, path in zip(blocks, paths):
        below = path[base:-1] if len(path) > base + 1 else path[base:]
        repeated = [c for c in below if seg.sibling_repeats[c] >= 2]
        top = repeated[0] if repeated else (below[0] if below else -1 - i)
        # a reply: a deeper container repeated as often on the page as the top one
        nested = [c for c in repeated[1:] if seg.page_repeats[c] == seg.page_repeats[top]] if repeated else []
        chain = [top, *nested]
        for depth, container in enumerate(chain):
            if container not in units:
                parent = chain[depth - 1] if depth else None
                units[container] = _Unit(container, depth, parent, [])
                order.append(container)
        units[chain[-1]].blocks.append(i)
    return [units[c] for c in order if units[c].blocks]


def _comment(seg: Segments, unit: _Unit, scores, index: dict[int, int]) -> Comment:
    author = published = None
    body: list[str] = []
    last = len(unit.blocks) - 1
    for k, i in enumerate(unit.blocks):
        text = seg.texts[i]
        # the head: the first lines, or a footer line ("Posted by: Jane | May 2, 2012")
        at_head = (k < HEAD_BLOCKS and not body) or (k == last and body)
        name, date = comment_head(text) if at_head else (None, None)
        if (name and author is None) or (date and published is None):
            author, published = author or name, published or date
            continue
        body.append(text)
    score = float(sum(scores[i] for i in unit.blocks) / len(unit.blocks))
    parent = index.get(unit.parent) if unit.parent is not None else None
    return Comment("\n\n".join(body), author, published, unit.depth, parent, score)


def group_comments(seg: Segments, blocks: list[int], scores) -> list[Comment]:
    """The comments made of ``blocks`` (indices into ``seg``, in reading order),
    ``scores`` being the comment model's probability for every block."""
    if not blocks:
        return []
    out: list[Comment] = []
    index: dict[int, int] = {}
    for unit in _units(seg, blocks):
        comment = _comment(seg, unit, scores, index)
        if comment.text:
            index[unit.container] = len(out)
            out.append(comment)
    return out

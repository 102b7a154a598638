"""Text dumps: chrome lines removed, article lines kept, the headline as title."""

import numpy as np
import pytest

import thresher
from thresher.dumps.lines import normalise_text, split_lines

DATA = __import__("pathlib").Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def ferry():
    return thresher.clean_text((DATA / "dump-ferry-en.txt").read_text("utf-8"))


def test_our_dump_is_cleaned(ferry):
    assert ferry.title == "Island ferry service to resume after three-week suspension"
    text = ferry.text
    for chrome in (
        "Skip to content",
        "Subscribe to our newsletter",
        "Share this story",
        "All rights reserved",
        "Home | News",
    ):
        assert chrome not in text
    for kept in ("The ferry link between Port Allard", "claim a refund until the end of April", "Residents of Skarra"):
        assert kept in text
    assert "Last Updated" not in text
    assert any(r.reason == "date" or r.text.startswith("Last Updated") for r in ferry.removed)


def test_subheading_stays_as_heading(ferry):
    heads = [b for b in ferry.blocks if b.kind is thresher.Kind.HEADING]
    assert [b.text for b in heads] == ["What happens next"]


def test_line_normalisation():
    assert normalise_text("a\r\nb\rc\td\u00a0e\x00") == "a\nb\nc d e"
    lines = split_lines("one\n\n\ntwo\r\nthree")
    assert lines.texts == ["one", "two", "three"]
    assert lines.blank_before == [True, True, False]


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n\t", "\x00\x01\x02", "x" * 300_000, ("word " * 100_000).strip(), "\u00a0\t\r\n\r", "漢字" * 5000],
    ids=["empty", "blank", "controls", "giant-token", "giant-line", "spaces", "cjk-line"],
)
@pytest.mark.timeout(20)
def test_bad_text_gives_a_sensible_article(text):
    article = thresher.clean_text(text)
    assert isinstance(article.text, str)
    assert article.text == "" or set(article.text) - set(" \n")


@pytest.mark.timeout(20)
def test_binary_bytes_are_decoded_not_crashed():
    import random

    article = thresher.clean_text(random.Random(1).randbytes(50_000))
    assert isinstance(article.text, str)


def test_wrong_type():
    with pytest.raises(TypeError):
        thresher.clean_text(3.14)  # type: ignore[arg-type]


def test_mixed_line_endings_equal_unix():
    raw = (DATA / "dump-ferry-en.txt").read_text("utf-8")
    a = thresher.clean_text(raw)
    b = thresher.clean_text(raw.replace("\n", "\r\n"))
    c = thresher.clean_text(raw.replace("\n", "\r"))
    assert a.text == b.text == c.text and a.title == b.title == c.title


def test_site_memory_removes_recurring_chrome_but_not_confident_text():
    pages = []
    for k in range(4):
        pages.append(
            "Valley Courier - local news since 1921\n\nTown hall reopens after repairs\n\n"
            + "\n\n".join(
                f"Story {k}, paragraph {j}: the council said the work on the building took longer than planned, "
                f"because the roof needed more repairs than the survey had shown last spring."
                for j in range(4)
            )
            + "\n\nRead our privacy policy and terms of use\n"
        )
    alone = [thresher.clean_text(p) for p in pages]
    together = thresher.clean_texts(pages, site="valleycourier")
    for a in together:
        assert "privacy policy" not in a.text
        assert "local news since 1921" not in a.text
    for a, b in zip(alone, together):
        # every line the model was confident about survives site memory
        confident = [blk.text for blk in a.blocks if blk.score >= thresher.dumps.cleaner.SITE_MEMORY_KEEP_SCORE]
        assert all(t in b.text for t in confident)


def test_line_features_containment_and_chrome_words():
    from thresher.dumps.lines import LINE_FEATURES, line_features

    lines = split_lines(
        "Harbour wall to be rebuilt before the winter storms arrive\n\n"
        "Menu\n\n"
        "LocalNewsHarbour wall to be rebuilt before the winter storms arrive, the council said on Tuesday.\n\n"
        "Accept all cookies or manage your privacy settings\n"
    )
    X = line_features(lines)
    col = {name: X[:, i] for i, name in enumerate(LINE_FEATURES)}
    # the headline recurs inside the longer line after it, even glued to the word before
    assert col["contained_later"].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert col["contained_earlier"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert col["chrome_share"][3] > 0.4 and col["chrome_share"][0] == 0.0


def test_line_marks_match_their_definitions():
    import random
    import re

    from thresher.dumps.lines import _line_marks, is_bullet
    from thresher.textstats import Chars

    bracketed_re = re.compile(r"^\s*[\[(<{].*[\])>}]\s*$")
    rng = random.Random(7)
    alphabet = "ab1٣2 .)-–•*>»|[(<{}])_\u2028\u00e9X"
    lines = ["- x", "12) y", "3.z", "1. Intro", "١. عربي", "• item", "[ banner ]", "()", "(", "_x", "»x", "ab"]
    lines += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))).strip() or "q" for _ in range(3000)]
    bullet, bracketed, lead = _line_marks(Chars.of(lines))
    assert bullet.tolist() == [float(is_bullet(t)) for t in lines]
    assert bracketed.tolist() == [float(bool(bracketed_re.match(t))) for t in lines]
    assert lead.tolist() == [ord(t[0]) if not t[0].isalnum() else -1 for t in lines]


def test_headline_like_lines_after_the_last_paragraph_are_dropped():
    from thresher.dumps.cleaner import assemble
    from thresher.types import Article

    para = "The council said on Tuesday that the harbour wall would be repaired before the winter storms arrive."
    lines = split_lines(f"{para}\n\n{para} Work starts soon.\n\nNewsfeed\n\nIs the town ready for winter?\n\nlog in")
    # as if the model had kept the paragraphs and, narrowly, the two lines after them
    art = assemble(Article(), lines, np.array([0.9, 0.9, 0.5, 0.5, 0.1]), None, 0.4, None)
    assert art.text.endswith("Work starts soon.")
    assert [(r.text, r.reason) for r in art.removed][:2] == [
        ("Newsfeed", "after the article"),
        ("Is the town ready for winter?", "after the article"),
    ]
    # a short closing sentence with a full stop ends the peeling: it and all above it stay
    lines = split_lines(f"{para}\n\nMore to come\n\nHe declined to comment.\n\nRelated")
    art = assemble(Article(), lines, np.array([0.9, 0.9, 0.9, 0.9]), None, 0.4, None)
    assert art.text.endswith("More to come\n\nHe declined to comment.")


@pytest.mark.parametrize(
    "text",
    [
        "Menu\n\nThe council said on Tuesday that the harbour wall would be repaired before winter. "
        "Engineers found cracks last month and the work will take six weeks, officials said.",
        "The council said on Tuesday that the harbour wall would be repaired before winter.\n\n"
        "Engineers found cracks last month and the work will take six weeks, officials said.",
    ],
    ids=["menu-and-paragraph", "two-paragraphs"],
)
def test_short_inputs_keep_their_prose(text):
    # a pasted paragraph or two: nothing like a whole page, yet plainly text
    article = thresher.clean_text(text)
    assert "Engineers found cracks last month" in article.text
    assert "Menu" not in article.text


# A dump in the shape of a browser copy of a news page: navigation, a date
# line, the headline, a photo's alt text and caption, then paragraphs set
# apart by blank lines, with a reader's quote box and a second photo among
# them. Written for these tests.
HARBOUR = """Home
World Local Sport
Weather and travel news
Updated: Tuesday, 4 March 2025, 09:15 GMT
Harbour wall repairs to start before winter storms
Workers inspect the cracked harbour wall near the old lighthouse
The council says the harbour wall must be repaired before the winter storms
The council said on Tuesday that repairs to the harbour wall would start next month, before the winter storms.

Engineers found cracks in the wall last month after a survey ordered by the harbour board, the council said.

Fishing crews have asked for the work to be done quickly, because their boats are moored behind the wall.

What the engineers found

The survey showed that two sections of the harbour wall had moved since the last inspection ten years ago.

If the wall had been mended years ago we would not be in this mess now
Morag, Portree

"We will keep the harbour open while the work goes on," a council spokeswoman said on Tuesday afternoon.

The harbour board said the repairs would cost more than the council had set aside for the work this year.

Fishing boats moored behind the old harbour wall
Crews fear the cracked wall will not last another winter of storms

The council will meet on Friday to agree how the repairs to the harbour wall will be paid for, and by whom.

Related stories
Ferry timetable changes for the spring
"""


@pytest.fixture(scope="module")
def harbour():
    return thresher.clean_text(HARBOUR)


def test_headline_is_the_line_above_the_photo_captions(harbour):
    # the caption under the headline repeats its words, and the model scores
    # the three lines alike: the headline is the line above the captions
    # (whether captions under a headline stay is the line model's call)
    assert harbour.title == "Harbour wall repairs to start before winter storms"


def test_caption_pair_and_quote_box_leave_the_body(harbour):
    reasons = {r.text: r.reason for r in harbour.removed}
    assert reasons["Morag, Portree"] == "quote"
    assert reasons["If the wall had been mended years ago we would not be in this mess now"] == "quote"
    assert reasons["Fishing boats moored behind the old harbour wall"] == "caption"
    assert reasons["Crews fear the cracked wall will not last another winter of storms"] == "caption"
    # the body keeps every paragraph and the subheading set apart by blank lines
    paragraphs = [ln for ln in HARBOUR.splitlines() if len(ln) > 80 and ln.endswith((".", '"')) and ln[:1] != "W"]
    for line in paragraphs + ["What the engineers found"]:
        assert line in harbour.text.split("\n\n")


def _box_reasons(text: str, keep=None) -> dict[str, str]:
    from thresher.dumps.cleaner import _boxes

    lines = split_lines(text)
    keep = np.ones(len(lines), dtype=bool) if keep is None else np.asarray(keep)
    return {lines.texts[i]: why for i, why in _boxes(lines, keep).items()}


_P1 = "The council said on Tuesday that repairs to the harbour wall would start next month, before the storms."
_P2 = "Engineers found cracks in the wall last month after a survey ordered by the harbour board, the council said."
_P3 = "Fishing crews have asked for the work to be done quickly, because their boats are moored behind the wall."


def test_boxes_need_the_shape_of_a_box():
    # a two-item list of short items, a name and a role: not captions
    assert _box_reasons(f"{_P1}\n\n{_P2}\n\nTide tables\nBoat permits\n\n{_P3}") == {}
    assert _box_reasons(f"{_P1}\n\n{_P2}\n\nMorag Macleod\nHarbour master\n\n{_P3}") == {}
    # a paragraph ending in a full stop above a title-case subheading with a comma
    assert _box_reasons(f"{_P1}\n\n{_P2}\nSafe Harbour, Safe Boats\n\n{_P3}") == {}
    # two heading-like lines in a dump without blank lines between paragraphs:
    # the layout says nothing, so they stay (a caption pair needs the spacing)
    pair = "Fishing boats moored behind the old harbour wall\nCrews fear the wall will not last another winter"
    assert _box_reasons(f"{_P1}\n{_P2}\n{pair}\n{_P3}") == {}
    # the same pair between blank-separated paragraphs is a caption pair
    assert set(_box_reasons(f"{_P1}\n\n{_P2}\n\n{pair}\n\n{_P3}").values()) == {"caption"}
    # a box must sit between kept paragraphs: not at the end of the dump
    assert _box_reasons(f"{_P1}\n\n{_P2}\n\n{_P3}\n\n{pair}") == {}


def test_quote_boxes_in_a_run_and_without_blank_lines():
    quotes = (
        "The wall should have been fixed long ago\nMorag, Portree\n"
        '"Keep the harbour open while they work"\nCallum Ross, Uig\n'
    )
    # in a dump with no blank lines at all, and two boxes one under the other
    got = _box_reasons(f"{_P1}\n{_P2}\n{quotes}{_P3}")
    assert sorted(got) == sorted(ln for ln in quotes.splitlines()) and set(got.values()) == {"quote"}
    # a quote ending in a full stop is a paragraph, and its "attribution" a subheading
    assert _box_reasons(f"{_P1}\n\n{_P2}\nMorag Macleod, Portree\n\n{_P3}") == {}


def test_headline_skips_bylines_dates_and_menu_lines():
    from thresher.dumps.cleaner import _headline

    text = (
        "News Sport Weather\nHarbour wall repairs to start before winter\nBy Morag Macleod\n"
        "4 March 2025\nShare this story\nA trawler rests behind the harbour wall at dusk\n"
        f"{_P1}\n{_P2}\n{_P3}"
    )
    lines = split_lines(text)
    # the model scores the lines just above the body highest, as it does: the
    # caption above the first paragraph most, though it names less of the body
    scores = np.array([0.05, 0.2, 0.3, 0.32, 0.35, 0.38, 0.9, 0.95, 0.95])
    assert _headline(lines, scores, scores >= 0.4) == 1
    # a menu line the model keeps above the headline does not hide it
    scores[0] = 0.5
    assert _headline(lines, scores, scores >= 0.4) == 1
    # no line above the body names what it is about: no headline
    lines = split_lines(f"Share this story\nSign in to comment\n{_P1}\n{_P2}")
    scores = np.array([0.2, 0.3, 0.9, 0.9])
    assert _headline(lines, scores, scores >= 0.4) == -1

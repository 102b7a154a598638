"""Tests for thresher.decode: real pages in real charsets, honest and lying."""

from __future__ import annotations

import random

import pytest

from thresher.decode import HEAD_BYTES, SNIFF_BYTES, decode

# -- sample texts (written for these tests) -----------------------------------
FRENCH_GERMAN = (
    "Le marché du samedi était plein de monde : les élèves vendaient des crêpes à 2 € "
    "et la boulangère répétait « c’est la dernière fournée ». Pendant l’été, on y trouve "
    "aussi des pêches, des abricots et un fromage très fort qu’on goûte avec prudence. "
    "Über die alte Brücke führt ein schmaler Weg zum Gemüsegarten; dort wächst „fast alles“, "
    "sagt Frau Müller, außer Geduld. Die Äpfel kosten 3 € pro Kilo, und niemand beschwert sich."
)
RUSSIAN = (
    "Вчера вечером мы долго гуляли по набережной и спорили о том, куда поехать летом. "
    "Погода была прохладной, но ясной, а над рекой висела огромная жёлтая луна. "
    "Потом мы зашли в маленькое кафе, заказали горячий чай с лимоном и пирог с вишней. "
    "Хозяйка рассказала, что печёт его каждое утро по старому семейному рецепту."
)
JAPANESE = (
    "昨日の夕方、私たちは川沿いの道をゆっくり散歩しました。空気は少し冷たかったですが、"
    "月がとてもきれいに見えました。そのあと駅の近くにある小さな喫茶店に入り、"
    "温かいお茶を飲みながら夏休みの計画について話し合いました。店の主人は毎朝自分で"
    "パンを焼いているそうで、焼きたてのパンはとても香りが良かったです。"
)
CHINESE = (
    "昨天晚上我们沿着河边慢慢地散步，一边走一边讨论暑假要去哪里旅行。天气有点凉，"
    "但是月亮非常明亮。后来我们走进车站旁边的一家小茶馆，点了一壶热茶和几块点心。"
    "老板告诉我们，他每天早上都亲自做点心，已经坚持了二十多年。"
)
KOREAN = (
    "어제 저녁에 우리는 강가를 따라 천천히 산책하면서 여름 방학에 어디로 여행을 갈지 "
    "이야기했습니다. 날씨는 조금 쌀쌀했지만 달이 아주 밝게 빛났습니다. 그 후에 역 근처의 "
    "작은 찻집에 들어가서 따뜻한 차와 과자를 주문했습니다. 주인은 매일 아침 직접 과자를 "
    "만든다고 말했습니다."
)

# id -> (text, Python codec used to store it, label a page would declare, name decode() reports)
LEGACY = {
    "fr-de-cp1252": (FRENCH_GERMAN, "cp1252", "windows-1252", "cp1252"),
    "ru-cp1251": (RUSSIAN, "cp1251", "windows-1251", "cp1251"),
    "ru-koi8r": (RUSSIAN, "koi8_r", "koi8-r", "koi8-r"),
    "ja-shift-jis": (JAPANESE, "shift_jis", "Shift_JIS", "cp932"),
    "zh-gb2312": (CHINESE, "gb2312", "gb2312", "gb18030"),
    "ko-euc-kr": (KOREAN, "euc_kr", "EUC-KR", "cp949"),
}


def page(text: str, head: str = "", title: str = "Notes") -> str:
    """A small but complete HTML page around ``text``."""
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"{head}"
        f"<title>{title}</title>\n"
        '<link rel="stylesheet" href="/static/site.css">\n'
        '</head>\n<body>\n<header><nav><a href="/">Home</a> | <a href="/archive">Archive</a></nav></header>\n'
        f"<article>\n<h1>{title}</h1>\n<p>{text}</p>\n</article>\n"
        "<footer>(c) 2024</footer>\n</body>\n</html>\n"
    )


def meta(label: str, style: str = "charset") -> str:
    if style == "charset":
        return f'<meta charset="{label}">\n'
    return f'<meta http-equiv="Content-Type" content="text/html; charset={label}">\n'


# -- legacy charsets: declared in the page, by HTTP only, or not at all --------
@pytest.mark.parametrize("style", ["charset", "http-equiv"])
@pytest.mark.parametrize("case", sorted(LEGACY))
def test_meta_declaration(case: str, style: str) -> None:
    text, codec, label, expected = LEGACY[case]
    html = page(text, head=meta(label, style))
    assert decode(html.encode(codec)) == (html, expected)


@pytest.mark.parametrize("case", sorted(LEGACY))
def test_xml_declaration(case: str) -> None:
    text, codec, label, expected = LEGACY[case]
    doc = (
        f'<?xml version="1.0" encoding="{label}"?>\n'
        f"<rss><channel><item><description>{text}</description></item></channel></rss>\n"
    )
    assert decode(doc.encode(codec)) == (doc, expected)


@pytest.mark.parametrize("case", sorted(LEGACY))
def test_http_charset_only(case: str) -> None:
    text, codec, label, expected = LEGACY[case]
    html = page(text)
    assert decode(html.encode(codec), http_charset=label) == (html, expected)


@pytest.mark.parametrize("case", sorted(LEGACY))
def test_http_charset_as_full_content_type(case: str) -> None:
    text, codec, label, expected = LEGACY[case]
    html = page(text)
    assert decode(html.encode(codec), http_charset=f"text/html; charset={label}") == (html, expected)


@pytest.mark.parametrize("case", sorted(LEGACY))
def test_no_declaration_is_sniffed(case: str) -> None:
    text, codec, _label, expected = LEGACY[case]
    html = page(text)
    assert decode(html.encode(codec)) == (html, expected)


@pytest.mark.parametrize("case", sorted(LEGACY))
def test_bare_text_without_markup_is_sniffed(case: str) -> None:
    text, codec, _label, expected = LEGACY[case]
    assert decode(text.encode(codec)) == (text, expected)


# -- byte-order marks -----------------------------------------------------------
BOM_CASES = {
    "utf-8-bom": ("utf-8-sig", "utf-8"),
    "utf-16-le-bom": ("utf-16-le", "utf-16-le"),
    "utf-16-be-bom": ("utf-16-be", "utf-16-be"),
    "utf-32-le-bom": ("utf-32-le", "utf-32-le"),
    "utf-32-be-bom": ("utf-32-be", "utf-32-be"),
}


def with_bom(html: str, codec: str) -> bytes:
    if codec == "utf-8-sig":
        return html.encode("utf-8-sig")
    return ("\ufeff" + html).encode(codec)


@pytest.mark.parametrize("case", sorted(BOM_CASES))
@pytest.mark.parametrize("text", [RUSSIAN, JAPANESE, FRENCH_GERMAN], ids=["ru", "ja", "fr"])
def test_bom_is_used_and_stripped(case: str, text: str) -> None:
    codec, expected = BOM_CASES[case]
    html = page(text)
    out, name = decode(with_bom(html, codec))
    assert (out, name) == (html, expected)
    assert not out.startswith("\ufeff")


@pytest.mark.parametrize("case", sorted(BOM_CASES))
def test_bom_beats_http_and_meta(case: str) -> None:
    codec, expected = BOM_CASES[case]
    html = page(KOREAN, head=meta("windows-1251"))
    assert decode(with_bom(html, codec), http_charset="koi8-r") == (html, expected)


def test_utf8_bom_on_ascii_page() -> None:
    html = page("Plain words only.")
    assert decode(html.encode("utf-8-sig")) == (html, "utf-8")


def test_bom_only() -> None:
    assert decode(b"\xef\xbb\xbf") == ("", "utf-8")
    assert decode(b"\xff\xfe") == ("", "utf-16-le")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_declared_by_http(codec: str) -> None:
    html = page(JAPANESE)
    generic = decode(html.encode(codec), http_charset="utf-16")
    assert generic == (html, codec)
    assert decode(html.encode(codec), http_charset=codec.replace("-le", "le").replace("-be", "be")) == (html, codec)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_page_without_bom_or_declaration(codec: str) -> None:
    html = page(CHINESE)
    assert decode(html.encode(codec)) == (html, codec)


def test_http_utf16_on_an_8bit_page_is_rejected() -> None:
    html = page(RUSSIAN)
    assert decode(html.encode("utf-8"), http_charset="utf-16") == (html, "utf-8")


def test_meta_utf16_on_an_8bit_page_means_utf8() -> None:
    # As in browsers: a UTF-16 label found by an ASCII scan cannot be right.
    html = page(FRENCH_GERMAN, head=meta("utf-16"))
    assert decode(html.encode("utf-8")) == (html, "utf-8")


# -- declarations that lie ----------------------------------------------------------
@pytest.mark.parametrize("text", [FRENCH_GERMAN, RUSSIAN, JAPANESE], ids=["fr", "ru", "ja"])
@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252", "koi8-r", "gb2312"])
def test_declared_legacy_but_stored_utf8(text: str, label: str) -> None:
    html = page(text, head=meta(label))
    assert decode(html.encode("utf-8")) == (html, "utf-8")
    bare = page(text)
    assert decode(bare.encode("utf-8"), http_charset=label) == (bare, "utf-8")


def test_declared_utf8_but_stored_cp1252() -> None:
    html = page(FRENCH_GERMAN, head=meta("utf-8"))
    assert decode(html.encode("cp1252")) == (html, "cp1252")


def test_http_utf8_but_stored_cp1251() -> None:
    html = page(RUSSIAN)
    assert decode(html.encode("cp1251"), http_charset="utf-8") == (html, "cp1251")


def test_http_and_meta_disagree_http_wins_when_it_decodes() -> None:
    # Both decode cp1251 bytes strictly (koi8-r accepts any byte): HTTP is first.
    html = page(RUSSIAN, head=meta("koi8-r"))
    assert decode(html.encode("cp1251"), http_charset="windows-1251") == (html, "cp1251")


def test_http_and_meta_disagree_meta_wins_when_http_fails() -> None:
    html = page(RUSSIAN, head=meta("windows-1251"))
    assert decode(html.encode("cp1251"), http_charset="utf-8") == (html, "cp1251")


def test_http_and_meta_disagree_multibyte() -> None:
    html = page(JAPANESE, head=meta("euc-kr"))
    assert decode(html.encode("shift_jis"), http_charset="shift_jis") == (html, "cp932")
    html = page(JAPANESE, head=meta("shift_jis"))
    assert decode(html.encode("shift_jis"), http_charset="utf-8") == (html, "cp932")


def test_http_legacy_meta_utf8_stored_utf8() -> None:
    html = page(FRENCH_GERMAN, head=meta("utf-8"))
    assert decode(html.encode("utf-8"), http_charset="ISO-8859-1") == (html, "utf-8")


def test_several_meta_tags_first_valid_one_wins() -> None:
    html = page(RUSSIAN, head=meta("utf-8") + meta("windows-1251", "http-equiv"))
    assert decode(html.encode("cp1251")) == (html, "cp1251")


# -- label normalisation ---------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "text", "codec", "expected"),
    [
        ("iso-8859-1", FRENCH_GERMAN, "cp1252", "cp1252"),
        ("latin1", FRENCH_GERMAN, "cp1252", "cp1252"),
        ("ISO_8859-1", FRENCH_GERMAN, "cp1252", "cp1252"),
        ("us-ascii", FRENCH_GERMAN, "cp1252", "cp1252"),
        ("ascii", FRENCH_GERMAN, "cp1252", "cp1252"),
        ("gbk", CHINESE, "gbk", "gb18030"),
        ("GB2312", CHINESE, "gb2312", "gb18030"),
        ("x-gbk", CHINESE, "gbk", "gb18030"),
        ("gb18030", CHINESE, "gb18030", "gb18030"),
        ("shift_jis", JAPANESE, "cp932", "cp932"),
        ("sjis", JAPANESE, "cp932", "cp932"),
        ("x-sjis", JAPANESE, "cp932", "cp932"),
        ("windows-31j", JAPANESE, "cp932", "cp932"),
        ("euc-kr", KOREAN, "cp949", "cp949"),
        ("ks_c_5601-1987", KOREAN, "cp949", "cp949"),
        ("utf8", RUSSIAN, "utf-8", "utf-8"),
        ('"UTF-8"', RUSSIAN, "utf-8", "utf-8"),
        ("cp1251", RUSSIAN, "cp1251", "cp1251"),
        ("KOI8-R", RUSSIAN, "koi8_r", "koi8-r"),
    ],
)
def test_label_normalisation(label: str, text: str, codec: str, expected: str) -> None:
    html = page(text)
    assert decode(html.encode(codec), http_charset=label) == (html, expected)


def test_cp1252_characters_outside_latin1_survive_a_latin1_label() -> None:
    # "iso-8859-1" means cp1252 in browsers: € and smart quotes are 0x80-0x9F bytes.
    html = page("“Prix : 12 €” – c’est tout…", head=meta("iso-8859-1"))
    assert decode(html.encode("cp1252")) == (html, "cp1252")


@pytest.mark.parametrize(
    "label",
    ["x-klingon", "", "   ", "base64", "rot13", "utf-7", "undefined", "none", "x" * 500],
    ids=["x-klingon", "empty", "blank", "base64", "rot13", "utf-7", "undefined", "none", "very-long"],
)
def test_unknown_or_unusable_label_is_ignored(label: str) -> None:
    html = page(RUSSIAN, head=meta(label) if label.strip() else "")
    assert decode(html.encode("utf-8"), http_charset=label) == (html, "utf-8")
    assert decode(html.encode("cp1251"), http_charset=label) == (html, "cp1251")


# -- where the declaration sits ------------------------------------------------------
def _late_meta_page(text: str, label: str) -> str:
    filler = "<!-- " + "layout padding " * ((HEAD_BYTES // 15) + 20) + "-->\n"
    html = page(text, head=filler + meta(label))
    assert html.index("<meta") > HEAD_BYTES
    return html


def test_meta_beyond_head_bytes_is_ignored_utf8() -> None:
    html = _late_meta_page(RUSSIAN, "windows-1251")
    assert decode(html.encode("utf-8")) == (html, "utf-8")


def test_meta_beyond_head_bytes_is_ignored_but_sniff_finds_it() -> None:
    html = _late_meta_page(RUSSIAN, "windows-1251")
    assert decode(html.encode("cp1251")) == (html, "cp1251")


def test_long_ascii_head_before_the_text() -> None:
    # The sniff sample starts at the first non-ASCII byte, not at byte 0.
    script = "<script>\n" + "var config = {debug: false, items: [1, 2, 3]};\n" * 3000 + "</script>\n"
    html = page(KOREAN, head=script)
    assert html.index("어") > SNIFF_BYTES
    assert decode(html.encode("euc_kr")) == (html, "cp949")


# -- edge cases -------------------------------------------------------------------
def test_empty() -> None:
    assert decode(b"") == ("", "utf-8")
    assert decode(b"", http_charset="windows-1251") == ("", "utf-8")


def test_pure_ascii_is_reported_as_ascii_whatever_is_declared() -> None:
    html = page("Nothing but plain ASCII words in this paragraph.", head=meta("windows-1251"))
    data = html.encode("ascii")
    assert decode(data) == (html, "ascii")
    assert decode(data, http_charset="utf-8") == (html, "ascii")
    assert decode(data, http_charset="shift_jis") == (html, "ascii")


def test_iso2022jp_escape_sequences_are_honoured() -> None:
    html = page(JAPANESE, head=meta("iso-2022-jp"))
    data = html.encode("iso2022_jp")
    assert data.isascii()
    assert decode(data) == (html, "iso2022_jp")


def test_nul_bytes_are_left_to_the_caller() -> None:
    assert decode(b"<p>a\x00b</p>") == ("<p>a\x00b</p>", "ascii")
    text = "Привет\x00мир"
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    html = page(RUSSIAN) + "\x00\x00"
    assert decode(html.encode("cp1251"), http_charset="windows-1251") == (html, "cp1251")


@pytest.mark.parametrize("http_charset", [None, "utf-8", "windows-1252", "shift_jis", "gb2312", "utf-16", "bogus"])
def test_random_garbage_never_raises(http_charset: str | None) -> None:
    rng = random.Random(0)
    for size in (1, 2, 3, 7, 100, 4096, 100_000):
        data = rng.randbytes(size)
        text, name = decode(data, http_charset=http_charset)
        assert isinstance(text, str) and isinstance(name, str) and name
        assert len(text) <= len(data)


def test_garbage_with_a_header_that_looks_like_html() -> None:
    data = b'<html><head><meta charset="utf-8"></head><body>' + random.Random(0).randbytes(20_000)
    text, _name = decode(data)
    assert text.startswith("<html><head>")


def test_truncated_multibyte_tail() -> None:
    html = page(CHINESE)
    data = html.encode("utf-8")[: -len("</html>\n") - 1]
    data = data + "中".encode()[:2]  # cut in the middle of a character
    text, name = decode(data)
    assert name == "utf-8"
    assert text.startswith(page(CHINESE)[:200])
    assert text.endswith("\ufffd")


@pytest.mark.parametrize("case", ["zh-gb2312", "ja-shift-jis", "ko-euc-kr"])
def test_truncated_legacy_multibyte_page(case: str) -> None:
    text, codec, label, expected = LEGACY[case]
    html = page(text, head=meta(label))
    data = html.encode(codec)
    cut = data.index(text[:20].encode(codec)) + len(text[:20].encode(codec)) + 1  # inside the 21st character
    out, name = decode(data[:cut])
    assert name == expected
    assert out == data[: cut - 1].decode(codec) + "\ufffd"


def test_huge_garbage_input_returns() -> None:
    data = random.Random(0).randbytes(50 * 1024 * 1024)
    text, name = decode(data)
    assert isinstance(text, str) and name
    assert len(data) // 4 <= len(text) <= len(data)


def test_huge_utf8_page() -> None:
    html = page(RUSSIAN * 2000, head=meta("utf-8"))
    data = html.encode("utf-8")
    assert decode(data) == (html, "utf-8")


def test_large_legacy_page_decodes_past_the_sniff_sample() -> None:
    html = page(RUSSIAN * 1000)
    data = html.encode("cp1251")
    assert len(data) > 4 * SNIFF_BYTES
    assert decode(data) == (html, "cp1251")


def test_bytes_like_inputs() -> None:
    html = page(RUSSIAN, head=meta("windows-1251"))
    data = html.encode("cp1251")
    assert decode(bytearray(data)) == (html, "cp1251")
    assert decode(memoryview(data)) == (html, "cp1251")  # type: ignore[arg-type]


def test_str_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        decode("already text")  # type: ignore[arg-type]

"""Tests of thresher.corpus.dedup: normalisation, exact hashes, MinHash signatures, LSH band keys."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

import numpy as np
import pytest

from thresher.corpus import dedup
from thresher.corpus.dedup import (
    BANDS,
    NEAR_DUP_JACCARD,
    NUM_PERM,
    ROWS,
    SHINGLE_WORDS,
    Fingerprint,
    band_keys,
    candidate_probability,
    content_hash,
    duplicate_similarity,
    minhash,
    normalise,
    shingles,
    signature_from_bytes,
    signature_to_bytes,
    similarity,
)
from thresher.textstats import unsegmented_tokens

# A vocabulary to write test articles from (random word order gives distinct
# shingles, like real prose does at 5-word scale).
_VOCAB_TEXT = """
council city budget vote members residents plan water river bridge school teachers students parents
state governor election campaign voters county court judge ruling appeal police officers report
investigation hospital doctors patients health care insurance company workers union contract wages
market prices inflation bank rates economy jobs factory energy power grid solar wind storm rain
flood coast weather forecast season farmers crops harvest drought food supply chain port trade
minister government policy law bill senate house debate committee hearing testimony evidence
museum artist exhibition music festival theater film director season team coach players match
league stadium fans record title win loss injury training science researchers study data results
university climate carbon emissions forest wildlife park trail visitors tourism hotel airport
flight train station traffic road construction project cost million years month week today said
"""
_VOCAB = _VOCAB_TEXT.split()


def _paragraph(rng: random.Random, words: int = 50) -> str:
    sentences = []
    left = words
    while left > 0:
        n = min(left, rng.randint(8, 16))
        sentence = " ".join(rng.choice(_VOCAB) for _ in range(n))
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        left -= n
    return " ".join(sentences)


def _article(seed: int, paragraphs: int = 20) -> list[str]:
    rng = random.Random(seed)
    return [_paragraph(rng) for _ in range(paragraphs)]


ARTICLE = _article(1)  # 20 paragraphs, 1,000 words
TEXT = "\n\n".join(ARTICLE)


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    "variant",
    [
        "The Mayor's  plan: “cut costs” — now!",
        'the mayor’s plan "cut costs" - now',
        "THE MAYOR'S PLAN, CUT COSTS; NOW.",
        "  The\u00a0Mayor's\nplan:\n\n  'cut costs'\t— now…  ",
        "The Mayor\u2019s pl\u00adan: \u201ccut co\u200bsts\u201d \u2013 now!",
        "Ｔｈｅ Ｍａｙｏｒ's plan: «cut costs» — now!",  # full-width letters (NFKC)
    ],
)
def test_normalise_invariance(variant: str) -> None:
    assert normalise(variant) == "the mayors plan cut costs now"
    assert content_hash(variant) == content_hash("the mayors plan cut costs now")


def test_normalise_details() -> None:
    assert normalise("") == ""
    assert normalise(" \n\t ... !!! — ") == ""
    assert normalise("Straße ﬁnal x²") == "strasse final x2"  # casefold, NFKC ligature and superscript
    assert normalise("e-mail/web_site") == "e mail web site"  # punctuation separates words
    # Combining marks stay inside their word (Python's \w would split these).
    assert normalise("हिन्दी भाषा!") == "हिन्दी भाषा"
    assert normalise("Привет, «мир»!") == "привет мир"
    assert normalise("東京都。大阪") == "東京都 大阪"


def test_content_hash_format_and_sensitivity() -> None:
    h = content_hash(TEXT)
    assert len(h) == 32 and int(h, 16) >= 0
    assert content_hash(TEXT.upper().replace("\n\n", "  ")) == h
    assert content_hash(TEXT.replace("budget", "budgets", 1)) != h
    assert content_hash("") == content_hash("  ...  ")  # both normalise to nothing


# --------------------------------------------------------------------------- shingles and signatures


def test_shingles() -> None:
    words = "one two three four five six seven"
    sh = shingles(words)
    assert sh.dtype == np.uint64
    assert len(sh) == 7 - SHINGLE_WORDS + 1
    assert np.array_equal(sh, np.unique(sh))
    assert np.array_equal(shingles("One, two; THREE four five six seven!"), sh)  # normalised first
    assert not np.intersect1d(shingles("seven six five four three two one"), sh).size  # order matters
    assert len(shingles(words, n=3)) == 5
    assert len(shingles("just three words")) == 1  # fewer words than n: one shingle
    assert len(shingles("")) == 0
    with pytest.raises(ValueError):
        shingles(words, n=0)


def test_identical_text_identical_signature() -> None:
    sig = minhash(TEXT)
    assert sig.shape == (NUM_PERM,) and sig.dtype == np.uint32
    assert np.array_equal(sig, minhash(TEXT))
    assert np.array_equal(sig, minhash(TEXT.replace("\n\n", "\n").lower()))  # normalised first
    assert similarity(sig, minhash(TEXT)) == 1.0
    assert band_keys(sig) == band_keys(minhash(TEXT))
    assert content_hash(TEXT) == content_hash(TEXT)


def test_lightly_edited_copy_is_near_duplicate() -> None:
    edited = list(ARTICLE)
    edited[7] = _paragraph(random.Random(99))  # one of 20 paragraphs rewritten
    edited_text = "\n\n".join(edited)
    exact = _exact_jaccard(TEXT, edited_text)
    assert 0.85 < exact < 0.95
    a, b = minhash(TEXT), minhash(edited_text)
    assert similarity(a, b) >= NEAR_DUP_JACCARD
    assert set(band_keys(a)) & set(band_keys(b))
    assert content_hash(TEXT) != content_hash(edited_text)


def test_syndicated_copy_is_near_duplicate() -> None:
    # What a syndicating site does: an attribution line, the last paragraph
    # dropped, curly quotes and other whitespace.
    lines = [p.replace(". ", ".  ") for p in ARTICLE[:-1]]
    copy = "This story originally appeared on Example News.\n" + "\n".join(lines)
    a, b = minhash(TEXT), minhash(copy)
    assert similarity(a, b) >= NEAR_DUP_JACCARD
    assert set(band_keys(a)) & set(band_keys(b))


def test_unrelated_text_is_not() -> None:
    other = "\n\n".join(_article(2))  # same vocabulary, same length, other article
    a, b = minhash(TEXT), minhash(other)
    assert similarity(a, b) < 0.1
    assert not set(band_keys(a)) & set(band_keys(b))
    # Half the article shared: a related text, not a near-duplicate.
    half = "\n\n".join(ARTICLE[:10] + _article(3)[:10])
    assert similarity(a, minhash(half)) < NEAR_DUP_JACCARD


def _exact_jaccard(x: str, y: str) -> float:
    a, b = shingles(x), shingles(y)
    inter = np.intersect1d(a, b).size
    return inter / (a.size + b.size - inter)


def test_similarity_estimates_jaccard() -> None:
    # Texts with a known share of paragraphs in common: the estimate is within
    # 4 standard errors of the exact Jaccard of the shingle sets.
    base = _article(5, 40)
    rng = random.Random(6)
    for keep in (10, 20, 30, 36):
        other = base[:keep] + [_paragraph(rng) for _ in range(40 - keep)]
        x, y = "\n".join(base), "\n".join(other)
        j = _exact_jaccard(x, y)
        se = (j * (1 - j) / NUM_PERM) ** 0.5
        assert abs(similarity(minhash(x), minhash(y)) - j) <= 4 * se + 1e-9


def test_permutations_unbiased_on_random_sets() -> None:
    # The multiply-add permutations behave like independent random ones: over
    # many random set pairs the estimate is unbiased and its spread is the
    # binomial sqrt(J(1-J)/NUM_PERM).
    rng = np.random.default_rng(0)
    errors = []
    for _ in range(200):
        u = rng.integers(0, 2**63, size=1200, dtype=np.int64).astype(np.uint64) * np.uint64(2) + np.uint64(1)
        a, b = (
            u[:800],
            np.concatenate([u[:640], u[800:960]]),
        )  # |A & B| = 640, |A | B| = 960
        errors.append(similarity(dedup._signature_of(a), dedup._signature_of(b)) - 640 / 960)
    spread = ((2 / 3) * (1 / 3) / NUM_PERM) ** 0.5
    assert abs(float(np.mean(errors))) < 0.01
    assert 0.7 * spread < float(np.std(errors)) < 1.3 * spread


def test_long_text_blocks_match_one_pass() -> None:
    rng = np.random.default_rng(1)
    h = rng.integers(0, 2**63, size=3 * dedup._BLOCK + 17, dtype=np.int64).astype(np.uint64)
    x = (h >> np.uint64(32)).astype(np.uint32)
    one_pass = (dedup._PERM_A * x[None, :] + dedup._PERM_B).min(axis=1)
    assert np.array_equal(dedup._signature_of(h), one_pass)


def test_permutation_parameters_are_frozen() -> None:
    assert not dedup._PERM_A.flags.writeable and not dedup._PERM_B.flags.writeable
    assert np.all(dedup._PERM_A & np.uint32(1))  # odd multipliers: bijections
    assert len(np.unique(dedup._PERM_A)) == NUM_PERM


# --------------------------------------------------------------------------- empty and short texts


def test_empty_text() -> None:
    for text in ("", "   ", "... — !!!", "\u200b\u00ad"):
        sig = minhash(text)
        assert sig.size == 0 and sig.dtype == np.uint32
        assert band_keys(sig) == []
        assert similarity(sig, minhash(TEXT)) == 0.0
        assert similarity(sig, sig) == 0.0
        assert signature_from_bytes(signature_to_bytes(sig)).size == 0


def test_short_text_is_one_shingle() -> None:
    assert SHINGLE_WORDS > 2
    a = minhash("Breaking news")
    assert a.shape == (NUM_PERM,)
    assert np.array_equal(a, minhash("BREAKING news!"))
    assert len(band_keys(a)) == BANDS
    assert similarity(a, minhash("Breaking views")) < 0.05
    # A short text is not a near-duplicate of a longer text that contains it.
    assert similarity(a, minhash("Breaking news today from the city council")) < 0.05


# --------------------------------------------------------------------------- band keys


def test_band_keys_shape() -> None:
    keys = band_keys(minhash(TEXT))
    assert len(keys) == BANDS == NUM_PERM // ROWS
    assert BANDS * ROWS == NUM_PERM
    assert all(isinstance(k, int) and 0 <= k < 2**63 for k in keys)  # SQLite INTEGER
    assert [k >> dedup._BAND_HASH_BITS for k in keys] == list(range(BANDS))  # band index in the key
    with pytest.raises(ValueError):
        band_keys(np.zeros(NUM_PERM - 1, dtype=np.uint32))


def test_band_keys_include_band_index() -> None:
    # The same values in two different bands give different keys.
    sig = np.tile(np.arange(ROWS, dtype=np.uint32), BANDS)
    keys = band_keys(sig)
    assert len(set(keys)) == BANDS


def test_band_keys_follow_band_equality() -> None:
    sig = minhash(TEXT).copy()
    other = sig.copy()
    other[ROWS * 3] += 1  # change one value in band 3
    ka, kb = band_keys(sig), band_keys(other)
    assert [i for i in range(BANDS) if ka[i] != kb[i]] == [3]


def test_s_curve() -> None:
    # With 128 permutations no banding has both P(0.8) >= 0.95 and P(0.5) <= 0.05
    # (that takes ~216, e.g. 24 x 9); 16 x 8 comes closest: 0.947 and 0.061.
    # Pairs that end up duplicates (estimated J >= 0.8) mostly have J >= 0.85,
    # where P >= 0.994, and almost all pairs of a corpus have J < 0.3 (P < 0.001).
    assert (BANDS, ROWS) == (16, 8)
    assert candidate_probability(0.8) >= 0.94
    assert candidate_probability(0.85) >= 0.99
    assert candidate_probability(0.9) >= 0.9998
    assert candidate_probability(0.5) <= 0.07
    assert candidate_probability(0.3) <= 0.002
    # The threshold (1/b)^(1/r) sits below NEAR_DUP_JACCARD, so the LSH filter
    # loses few pairs the similarity check would keep.
    assert 0.65 < (1 / BANDS) ** (1 / ROWS) < NEAR_DUP_JACCARD
    # The closed form matches a simulation of the banding on random agreement.
    rng = np.random.default_rng(2)
    agree = rng.random((20000, NUM_PERM)) < 0.8
    simulated = float(np.mean(agree.reshape(-1, BANDS, ROWS).all(axis=2).any(axis=1)))
    assert abs(simulated - candidate_probability(0.8)) < 0.01


# --------------------------------------------------------------------------- storage and stability


def test_bytes_round_trip() -> None:
    sig = minhash(TEXT)
    blob = signature_to_bytes(sig)
    assert isinstance(blob, bytes) and len(blob) == 4 * NUM_PERM
    back = signature_from_bytes(blob)
    assert np.array_equal(back, sig) and back.dtype == np.uint32
    assert back.flags.writeable
    assert band_keys(back) == band_keys(sig)
    assert blob[:4] == int(sig[0]).to_bytes(4, "little")  # little-endian whatever the platform
    with pytest.raises(ValueError):
        signature_from_bytes(b"\x00" * 5)


_CHILD = """
import json, sys
from thresher.corpus import dedup
text = sys.stdin.read()
sig = dedup.minhash(text)
print(json.dumps({"sig": sig.tolist(), "keys": dedup.band_keys(sig), "hash": dedup.content_hash(text)}))
"""


@pytest.mark.parametrize("hash_seed", ["0", "12345"])
def test_stable_across_processes(hash_seed: str) -> None:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    out = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=TEXT,
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    child = json.loads(out.stdout)
    sig = minhash(TEXT)
    assert child["sig"] == sig.tolist()
    assert child["keys"] == band_keys(sig)
    assert child["hash"] == content_hash(TEXT)


def test_stable_across_versions() -> None:
    # Fixed values of SIGNATURE_VERSION 2. If this fails, signatures changed:
    # bump SIGNATURE_VERSION (stores refuse older signatures) and update these values.
    text = "The city council approved the new budget for the river bridge on Tuesday evening."
    assert dedup.SIGNATURE_VERSION == 2
    assert content_hash(text) == _GOLDEN["hash"]
    assert minhash(text)[:6].tolist() == _GOLDEN["sig6"]
    assert band_keys(minhash(text))[:2] == _GOLDEN["keys2"]


_GOLDEN = {
    "hash": "3c571fea56d6045f3629fa40cf216a7a",
    "sig6": [1742106581, 130058353, 117639386, 175666034, 244644952, 710475998],
    "keys2": [18942564481823277, 211138739875192150],
}


# --------------------------------------------------------------------------- speed


def test_minhash_is_fast() -> None:
    # About 0.4 ms for 1,000 words on one core; the bound leaves room for a
    # loaded machine while still catching a per-shingle Python loop.
    minhash(TEXT)
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        minhash(TEXT)
        times.append(time.perf_counter() - t0)
    assert sorted(times)[len(times) // 2] < 0.005


def test_sign_is_hash_and_minhash_in_one_pass() -> None:
    digest, sig = dedup.sign(TEXT)
    assert digest == content_hash(TEXT)
    assert np.array_equal(sig, minhash(TEXT))


# --------------------------------------------------------------------------- the store's decision, used by the benchmark


def _stored_pair(x: str, y: str) -> int | None:
    """Store two documents with texts ``x`` and ``y`` as ingest does; ``y``'s ``duplicate_of``."""
    from thresher.corpus.store import Document, Store

    def doc(source: str, text: str) -> Document:
        if not text:  # ingest stores an empty page unsigned
            return Document(source, "empty")
        fp = dedup.Fingerprint.of(text)
        return Document(source, "ok", text=text, n_chars=len(text), content_hash=fp.content_hash,
                        signature=signature_to_bytes(fp.signature), band_keys=sorted(fp.band_keys))  # fmt: skip

    with Store(":memory:") as store:
        store.write_batch([doc("x", x), doc("y", y)])
        return store.db.execute("SELECT duplicate_of FROM documents WHERE source = 'y'").fetchone()[0]


_EDITED = "\n\n".join(ARTICLE[:7] + [_paragraph(random.Random(99))] + ARTICLE[8:])
_PAIRS = {
    "same text": (TEXT, TEXT.upper()),
    "lightly edited": (TEXT, _EDITED),
    "unrelated": (TEXT, "\n\n".join(_article(2))),
    "half shared": (TEXT, "\n\n".join(ARTICLE[:10] + _article(3)[:10])),
    "punctuation only": ("... — !!!", "* * *"),
    "punctuation and text": ("... — !!!", TEXT),
    "empty": ("", ""),
}


@pytest.mark.parametrize("name", _PAIRS)
def test_the_benchmark_judges_pairs_as_the_store_links_them(name: str) -> None:
    from benchmarks.run_dedup import judged, signatures

    x, y = _PAIRS[name]
    linked = _stored_pair(x, y) is not None
    assert judged(signatures([x, y], SHINGLE_WORDS), 0, 1, NEAR_DUP_JACCARD) == linked
    expected = name in ("same text", "lightly edited", "punctuation only")
    assert linked == expected


def test_duplicate_similarity() -> None:
    a, same, edited = (dedup.Fingerprint.of(t) for t in (TEXT, TEXT.lower(), _EDITED))
    assert dedup.duplicate_similarity(a, same) == 1.0
    s = dedup.duplicate_similarity(a, edited)
    assert s is not None and NEAR_DUP_JACCARD <= s == similarity(a.signature, edited.signature) < 1.0
    assert dedup.duplicate_similarity(a, edited, threshold=0.99) is None
    assert dedup.duplicate_similarity(a, dedup.Fingerprint.of("\n\n".join(_article(2)))) is None
    # Texts of punctuation only hash as the empty text: exact duplicates, with no signature at all.
    dots, stars = dedup.Fingerprint.of("..."), dedup.Fingerprint.of("— * —")
    assert dots.signature.size == 0 and not dots.band_keys and dedup.duplicate_similarity(dots, stars) == 1.0
    # Without a shared band key the store never compares two texts, so they are not duplicates.
    no_bands = dedup.Fingerprint(edited.content_hash, edited.signature, frozenset())
    assert dedup.duplicate_similarity(a, no_bands) is None
    back = dedup.Fingerprint.stored(a.content_hash, signature_to_bytes(a.signature))
    assert back.content_hash == a.content_hash and back.band_keys == a.band_keys
    assert np.array_equal(back.signature, a.signature)


# --------------------------------------------------------------------------- scripts without spaces

# Written for this test: a short local news story in Chinese, and another on a
# different subject in the same register.
CHINESE = (
    "本市议会周二晚间召开会议，讨论港口防波堤的维修计划。工程师在会上表示，去年冬天的几场风暴使堤坝出现多处裂缝，"
    "如果不及时修补，明年春季的大潮可能会淹没沿岸的仓库和渔民码头。根据初步估算，整个工程需要四百万元，分三年完成。"
    "部分议员担心费用过高，建议先修复最危险的东段，再视财政情况决定其余部分。渔业协会的代表则希望尽快动工，"
    "因为每年秋季是捕捞旺季，码头一旦受损，许多家庭的收入都会受到影响。市长在会议结束时说，政府将在下个月公布详细方案，"
    "并邀请市民就施工期间的交通安排和噪音问题提出意见。会议持续了将近三个小时，旁听席上坐满了关心此事的居民。"
)
CHINESE_OTHER = (
    "市图书馆本周六重新开放，经过一年的翻修，馆内增加了儿童阅读区和自习室。馆长介绍说，新的借阅系统支持自助办理，"
    "读者只需刷卡即可借书还书，不必再排队等候。翻修期间，许多老读者只能去邻近城镇借书，如今终于可以在家门口看书了。"
    "开放当天，图书馆还将举办旧书交换活动，市民可以带来自己读过的书，换取别人捐出的作品。工作人员提醒，"
    "周末人多，建议大家错开高峰时段前来，停车场的车位也比较有限。图书馆今后的开放时间为每天上午九点到晚上八点。"
)


def _edit_characters(text: str, count: int, seed: int) -> str:
    """``text`` with ``count`` characters, spread over it, each replaced by another."""
    chars = list(text)
    rng = random.Random(seed)
    step = len(chars) // count
    for k in range(count):
        i = k * step + rng.randrange(step)
        while chars[i] in "，。、":
            i += 1
        chars[i] = "某" if chars[i] != "某" else "另"
    return "".join(chars)


def test_chinese_copy_with_six_edited_characters_is_linked() -> None:
    # Shingles of space-split "words" are clauses here: six edits left a
    # Jaccard of 0.70, under the 0.8 cut-off. Character shingles keep it high.
    copy = _edit_characters(CHINESE, 6, seed=1)
    assert sum(a != b for a, b in zip(CHINESE, copy)) == 6
    a, b = Fingerprint.of(CHINESE), Fingerprint.of(copy)
    assert _exact_jaccard(CHINESE, copy) >= 0.85
    assert duplicate_similarity(a, b) is not None
    assert duplicate_similarity(a, Fingerprint.of(CHINESE_OTHER)) is None
    assert similarity(a.signature, Fingerprint.of(CHINESE_OTHER).signature) < 0.1


def test_unsegmented_scripts_are_shingled_by_character() -> None:
    assert unsegmented_tokens(["北京市政府iphone", "tokyo", "東京タワー", "서울시"]) == [
        *"北京市政府", "iphone", "tokyo", *"東京タワー", "서울시",  # Korean is spaced: kept whole
    ]  # fmt: skip
    words = ["the", "council", "met"]
    assert unsegmented_tokens(words) is words  # nothing to split: the very same list
    assert len(shingles("北京市")) == 1 and len(shingles("北京市政府")) == 3  # character 3-grams
    # the exact hash still reads the normalised text, not the characters
    assert content_hash("北京 市政府") != content_hash("北京市政府")

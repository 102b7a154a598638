"""Duplicate-detection signatures for a corpus store: exact and near-duplicate.

Two levels, both pure functions of the text (no state, no caches):

* **Exact** -- :func:`content_hash` is a 128-bit digest of :func:`normalise`\\ d
  text, so the same article re-scraped with other whitespace, quotes, case or
  punctuation hashes equally.
* **Near-duplicate** -- :func:`minhash` is a MinHash signature of the set of
  word :data:`SHINGLE_WORDS`-grams of the normalised text (character n-grams
  in scripts written without spaces: Chinese, Japanese, Thai, Lao, Khmer,
  Myanmar, where a "word" would be a whole clause); :func:`similarity`
  of two signatures estimates the Jaccard similarity of the two shingle sets.
  :func:`band_keys` splits a signature into LSH bands, one integer key per band:
  two texts share at least one key with probability ``1 - (1 - J**ROWS)**BANDS``
  (the S-curve), so a store finds candidates with an indexed equality lookup on
  the keys and then keeps the candidates with ``similarity >= NEAR_DUP_JACCARD``.

Typical use by a store (SQLite, say)::

    h = content_hash(text)                # exact: UNIQUE column
    sig = minhash(text)
    blob = signature_to_bytes(sig)        # BLOB column, 4 bytes per permutation
    keys = band_keys(sig)                 # rows (key INTEGER, doc_id) with an index on key
    # candidates: docs with the same hash or sharing any key; duplicates: those
    # for which duplicate_similarity(Fingerprint(h, sig, frozenset(keys)),
    #                                Fingerprint.stored(their_hash, their_blob)) is not None

Everything is deterministic across processes, platforms and runs: words are
hashed with xxh3-64 of their UTF-8 (never Python's salted ``hash()``), the
permutation parameters come from a fixed splitmix64 stream (not NumPy's random
generators, whose streams may change between releases), and all bytes are
little-endian. Module state is only read-only constants: no caches.
Signatures and band keys from different :data:`SIGNATURE_VERSION`\\ s must not
be mixed; band keys are seeded with the version so stale ones simply never match.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import xxhash

from ..textstats import unsegmented_tokens
from ..unicodenorm import normalize

__all__ = [
    "BANDS",
    "NEAR_DUP_JACCARD",
    "NUM_PERM",
    "ROWS",
    "SHINGLE_WORDS",
    "SIGNATURE_VERSION",
    "Fingerprint",
    "band_keys",
    "candidate_probability",
    "content_hash",
    "duplicate_similarity",
    "minhash",
    "normalise",
    "shingles",
    "sign",
    "signature_from_bytes",
    "signature_to_bytes",
    "similarity",
]

# --------------------------------------------------------------------------- constants

#: Bump whenever anything that changes signatures or band keys changes
#: (normalisation, shingling, hashing, seeds, NUM_PERM, BANDS/ROWS). A store
#: records it and refuses to add documents signed under another version.
SIGNATURE_VERSION = 2

#: Words per shingle. Measured with benchmarks/run_dedup.py (wcxb_dev: one
#: article in 3-4 sites' chrome against different articles on one topic), on
#: the text the store signs (``ingest.signature_text``: the blocks the model is
#: surest of): recall at J >= 0.8 is 0.959 / 0.956 / 0.944 / 0.942 / 0.923 for
#: n = 3 / 4 / 5 / 6 / 8, with precision 1.0 throughout, while the highest
#: Jaccard between different articles (p99.9) rises as n shrinks: 0.13 (8),
#: 0.20 (5), 0.28 (3). The misses are mostly chrome the extractor kept on one
#: copy (which no shingle size absorbs); short shingles forgive more of it, and
#: 0.28 still leaves a wide margin under 0.8. (Version 1 used 5 on the whole
#: text: recall 0.932.)
SHINGLE_WORDS = 3

#: MinHash permutations = BANDS * ROWS. The standard error of the estimated
#: Jaccard is sqrt(J(1-J)/NUM_PERM): 0.035 at J = 0.8 with 128. 128 keeps the
#: signature at 512 bytes and one signature well under a millisecond.
NUM_PERM = 128

#: LSH bands and rows per band. For NUM_PERM = 128 the divisor pairs are
#: (32, 4), (16, 8) and (8, 16); their S-curves P(J) = 1 - (1 - J**r)**b give
#:   32x4: threshold (1/b)**(1/r) = 0.42, P(0.5) = 0.87  -- a candidate flood;
#:   16x8: threshold 0.71, P(0.5) = 0.061, P(0.6) = 0.24, P(0.8) = 0.947,
#:         P(0.85) = 0.994, P(0.9) = 0.99988;
#:    8x16: threshold 0.84, P(0.8) = 0.43 -- loses real duplicates.
#: 16x8 puts the steep part of the curve just below NEAR_DUP_JACCARD, so pairs
#: that are duplicates (J >= 0.85 in practice) are nearly always candidates, and
#: the candidate rate for pairs below 0.5 (almost all pairs) is at most 6 %, which
#: the similarity check then rejects.
BANDS = 16
ROWS = 8

#: Estimated Jaccard at or above which two texts are near-duplicates (as the
#: issue asks). On benchmarks/run_dedup.py no pair of different articles gets
#: above 0.21 on extracted text, so a lower threshold would find more copies whose
#: extraction kept some chrome (recall 0.932 at 0.8, 0.960 at 0.7, 0.966 at 0.6
#: with the same bands) -- but real corpora have harder different-article pairs
#: (rewrites of one wire story, one press release with different intros) than
#: that benchmark, so the threshold stays where near-duplicate means "the same
#: text, lightly edited". The store can pass its own threshold to its check.
NEAR_DUP_JACCARD = 0.8

#: Band keys hold the band index in their top bits and a hash of the band's rows
#: below: 6 + 57 = 63 bits, so keys are in [0, 2**63) (a SQLite INTEGER) and keys
#: of different bands can never be equal.
_BAND_INDEX_BITS = 6
_BAND_HASH_BITS = 63 - _BAND_INDEX_BITS

_MASK64 = (1 << 64) - 1
#: Seed of the xxh3-128 content hash (an arbitrary fixed constant).
_HASH_SEED = 0x7468726573686572  # b"thresher"
#: Odd multiplier that folds consecutive word hashes into one shingle hash
#: (the 64-bit golden ratio constant).
_SHINGLE_MULT = np.uint64(0x9E3779B97F4A7C15)
#: Shingles are permuted in blocks of this many, bounding the temporary
#: (NUM_PERM x block) uint32 array to 1 MiB however long the text (1024 to 4096
#: all time the same on a 1,000-word text).
_BLOCK = 2048
#: Signature values: uint32, little-endian in bytes.
_SIG_DTYPE = np.dtype("<u4")


def _splitmix64(seed: int, count: int) -> list[int]:
    """``count`` values of the splitmix64 stream from ``seed`` (pure Python, so
    the permutation parameters never depend on NumPy's random generators)."""
    out = []
    state = seed & _MASK64
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        out.append(z ^ (z >> 31))
    return out


def _frozen(values: list[int]) -> np.ndarray:
    arr = np.array(values, dtype=np.uint32)
    arr.flags.writeable = False
    return arr


# MinHash permutations work on the top 32 bits x of each (avalanche-mixed) 64-bit
# shingle hash: permutation i is x -> (A[i] * x + B[i]) mod 2**32 with A[i] odd,
# a bijection -- a true permutation -- of the 32-bit space, and the signature
# keeps each permutation's minimum. uint32 arithmetic is twice as fast as uint64
# (0.1 ms vs 0.2 ms for 1,000 shingles x 128); two different shingles of a pair
# of 1,000-shingle texts share their top 32 bits with probability ~2e-4, which
# changes at most one permutation's minimum -- far below the estimator's noise.
# On random sets the estimator's bias and spread match the theory
# sqrt(J(1-J)/NUM_PERM) (checked in tests/test_dedup.py).
_PARAMS = _splitmix64(0x6D696E68617368, 2 * NUM_PERM)  # b"minhash"
_PERM_A = _frozen([(v >> 32) | 1 for v in _PARAMS[:NUM_PERM]])[:, None]
_PERM_B = _frozen([v >> 32 for v in _PARAMS[NUM_PERM:]])[:, None]
del _PARAMS


# --------------------------------------------------------------------------- text


#: ASCII characters dropped rather than replaced by a space: the apostrophe, so
#: "don't" (and "don’t", see below) give "dont".
_ASCII_DELETE = b"'"
#: ASCII letters and digits stay; every other ASCII character (punctuation,
#: symbols, controls) separates words. Applied to the UTF-8 bytes, where bytes
#: >= 0x80 (parts of non-ASCII characters) map to themselves.
_ASCII_TABLE = bytes(c if (chr(c).isascii() and chr(c).isalnum()) or c >= 0x80 else 0x20 for c in range(256))
#: Non-ASCII apostrophes (right single quote, modifier letter apostrophe, ...),
#: deleted like the ASCII one.
_APOSTROPHES = frozenset("\u2019\u2018\u02bc\u00b4\u2032")


def _words(text: str) -> list[str]:
    """The words of ``normalise(text)`` (its ``split()``)."""
    if not text:
        return []
    text = normalize("NFKC", text).casefold()
    if not text.isascii():
        # Non-ASCII characters: letters, marks (so Devanagari or Thai words stay
        # whole) and numbers stay; apostrophes and invisible format characters
        # (soft hyphen, zero-width space, BOM, bidi marks) go; punctuation,
        # symbols, separators and anything else become spaces. Only the text's
        # distinct code points are looked up (found with NumPy), and each one to
        # change is replaced with one str.replace: far faster than a set() of the
        # characters plus str.translate with a dict.
        cps = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        for cp in np.unique(cps[cps > 0x7F]).tolist():
            ch = chr(cp)
            if ch.isalnum():
                continue
            cat = unicodedata.category(ch)
            if cat[0] in "LMN":
                continue
            text = text.replace(ch, "" if (cat == "Cf" or ch in _APOSTROPHES) else " ")
    text = text.encode("utf-8").translate(_ASCII_TABLE, _ASCII_DELETE).decode("utf-8")
    return text.split()


def normalise(text: str) -> str:
    """The canonical form of ``text`` that exact hashing and shingling see:
    NFKC, casefolded, punctuation and symbols stripped, whitespace collapsed to
    single spaces, no leading or trailing space.

    Letters, combining marks and digits are kept; apostrophes and invisible
    format characters are deleted (so "don’t" and "don't" are both "dont"); every
    other character separates words. So curly vs straight quotes, dashes, case,
    full-width forms, ligatures, non-breaking spaces and line layout all vanish.
    """
    return " ".join(_words(text))


def content_hash(text: str) -> str:
    """Hex digest (32 characters, xxh3-128) of :func:`normalise`\\ d ``text``:
    equal for texts that differ only in case, punctuation, quotes or whitespace."""
    return xxhash.xxh3_128_hexdigest(normalise(text).encode("utf-8"), seed=_HASH_SEED)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on a uint64 array, in place (wrapping arithmetic)."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _shingle_hashes(text: str, n: int) -> np.ndarray:
    """64-bit hashes of the word ``n``-grams of ``normalise(text)`` in text order
    (duplicates kept). Fewer than ``n`` words: one shingle of all of them; no
    words: an empty array."""
    return _word_shingles(_words(text), n)


def _word_shingles(words: list[str], n: int) -> np.ndarray:
    """``_shingle_hashes`` of already normalised words.

    Each word is hashed once (xxh3-64); the hash of words i..i+n-1 is
    mix(sum_k w[i+k] * M**(n-1-k)), computed for all i at once with NumPy.
    """
    if n < 1:
        raise ValueError(f"shingle size must be >= 1, got {n}")
    # In a script written without spaces (Chinese, Japanese, Thai...) a shingle
    # counts characters, not clause-long "words"; spaced text is untouched.
    words = unsegmented_tokens(words)
    if not words:
        return np.empty(0, dtype=np.uint64)
    # xxh3-64 (seed 0) of each word's UTF-8 (str.encode's fixed default); two
    # C-level map()s are ~30 % faster than a comprehension passing a seed.
    w = np.fromiter(
        map(xxhash.xxh3_64_intdigest, map(str.encode, words)),
        dtype=np.uint64,
        count=len(words),
    )
    n = min(n, len(w))
    m = len(w) - n + 1
    h = w[:m].copy()
    for k in range(1, n):
        h *= _SHINGLE_MULT
        h += w[k : k + m]
    # Tag with the word count so a short text's single shingle never equals a
    # shingle of a longer text, then avalanche: the permutations are linear.
    h += np.uint64(n)
    return _mix64(h)


def shingles(text: str, n: int = SHINGLE_WORDS) -> np.ndarray:
    """The set of word ``n``-gram hashes of ``normalise(text)``: a sorted uint64
    array without duplicates. A text with fewer than ``n`` words has one shingle
    (all its words); an empty text has none."""
    return np.unique(_shingle_hashes(text, n))


def _signature_of(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature of an array of 64-bit shingle hashes."""
    if hashes.size == 0:
        return np.empty(0, dtype=_SIG_DTYPE)
    x = (hashes >> np.uint64(32)).astype(np.uint32)
    if x.size <= _BLOCK:
        perm = _PERM_A * x[None, :]  # (NUM_PERM, shingles), wrapping uint32
        perm += _PERM_B
        return perm.min(axis=1).astype(_SIG_DTYPE, copy=False)
    mins = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, x.size, _BLOCK):
        perm = _PERM_A * x[None, start : start + _BLOCK]
        perm += _PERM_B
        np.minimum(mins, perm.min(axis=1), out=mins)
    return mins.astype(_SIG_DTYPE, copy=False)


def minhash(text: str) -> np.ndarray:
    """MinHash signature of the :data:`SHINGLE_WORDS`-word shingles of ``text``:
    a uint32 array of :data:`NUM_PERM` values (little-endian dtype).

    Short texts: a text with fewer words than :data:`SHINGLE_WORDS` (but at least
    one) is a single shingle of all its words, so it is a near-duplicate only of
    the same words (which :func:`content_hash` already finds), and it still gets
    band keys. A text with no words at all (empty, or only punctuation) gets the
    **empty** signature (length 0): it has no band keys and a similarity of 0 to
    everything; only exact hashing applies to it.
    """
    return _signature_of(_shingle_hashes(text, SHINGLE_WORDS))


def sign(text: str, shingle_words: int = SHINGLE_WORDS) -> tuple[str, np.ndarray]:
    """``(content_hash(text), minhash(text))``, normalising ``text`` once.

    ``shingle_words`` other than :data:`SHINGLE_WORDS` is for experiments
    (``benchmarks/run_dedup.py --sweep``): such signatures are not comparable
    with a store's."""
    words = _words(text)
    digest = xxhash.xxh3_128_hexdigest(" ".join(words).encode("utf-8"), seed=_HASH_SEED)
    return digest, _signature_of(_word_shingles(words, shingle_words))


def similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures:
    the fraction of permutations whose minima agree. 0.0 if either is empty."""
    a = np.asarray(sig_a)
    b = np.asarray(sig_b)
    if a.size == 0 or b.size == 0:
        return 0.0
    if a.shape != b.shape:
        raise ValueError(f"signatures of different lengths: {a.shape} vs {b.shape}")
    return float(np.count_nonzero(a == b)) / a.size


def band_keys(sig: np.ndarray) -> list[int]:
    """LSH band keys of a signature: one int per band (:data:`BANDS` of them,
    band by band), each in ``[0, 2**63)`` so it fits SQLite's INTEGER.

    Key = band index in the top 6 bits, then 57 bits of xxh3-64 of the band's
    :data:`ROWS` values (little-endian bytes), seeded with the band index and
    :data:`SIGNATURE_VERSION`. Keys of different bands never collide; two
    signatures share the key of a band iff (up to a 2**-57 chance) the band's rows
    are all equal. The empty signature has no keys.
    """
    arr = np.asarray(sig)
    if arr.size == 0:
        return []
    if arr.size != BANDS * ROWS:
        raise ValueError(f"signature has {arr.size} values, expected {BANDS * ROWS}")
    data = arr.astype(_SIG_DTYPE, copy=False).tobytes()
    width = ROWS * _SIG_DTYPE.itemsize
    hasher = xxhash.xxh3_64_intdigest
    hash_mask = (1 << _BAND_HASH_BITS) - 1
    return [
        (band << _BAND_HASH_BITS)
        | (
            hasher(
                data[band * width : (band + 1) * width],
                seed=(SIGNATURE_VERSION << 32) | band,
            )
            & hash_mask
        )
        for band in range(BANDS)
    ]


# --------------------------------------------------------------------------- the decision


@dataclass(frozen=True, slots=True, eq=False)  # eq: NumPy arrays have no truth value
class Fingerprint:
    """What the duplicate decision knows of a text: its exact hash, its MinHash
    signature and the signature's LSH band keys."""

    content_hash: str
    signature: np.ndarray
    band_keys: frozenset[int]

    @classmethod
    def of(cls, text: str, shingle_words: int = SHINGLE_WORDS) -> Fingerprint:
        digest, sig = sign(text, shingle_words)
        return cls(digest, sig, frozenset(band_keys(sig)))

    @classmethod
    def stored(cls, digest: str, blob: bytes) -> Fingerprint:
        """The fingerprint of a stored hash and signature (``signature_to_bytes``)."""
        sig = signature_from_bytes(blob)
        return cls(digest, sig, frozenset(band_keys(sig)))


def duplicate_similarity(a: Fingerprint, b: Fingerprint, *, threshold: float = NEAR_DUP_JACCARD) -> float | None:
    """The corpus store's duplicate decision, for any two texts: how similar they
    are if they are duplicates, ``None`` if they are not.

    - exact: equal content hashes give 1.0. A text that normalises to nothing
      (punctuation only) hashes as the empty text, so all such texts are exact
      duplicates of one another;
    - near: two texts that share an LSH band key (the only pairs the store ever
      compares) are duplicates when their estimated Jaccard similarity reaches
      ``threshold``; that estimate is returned.
    """
    if a.content_hash == b.content_hash:
        return 1.0
    if not a.band_keys & b.band_keys:
        return None
    s = similarity(a.signature, b.signature)
    return s if s >= threshold else None


def candidate_probability(jaccard: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """Probability that two texts with Jaccard similarity ``jaccard`` share at
    least one band key: the LSH S-curve ``1 - (1 - J**rows)**bands``."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


def signature_to_bytes(sig: np.ndarray) -> bytes:
    """Compact BLOB form: the values as little-endian uint32, 4 bytes each
    (512 bytes for :data:`NUM_PERM` = 128; empty for the empty signature)."""
    return np.asarray(sig).astype(_SIG_DTYPE, copy=False).tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    """Inverse of :func:`signature_to_bytes` (a new, writable uint32 array)."""
    if len(data) % _SIG_DTYPE.itemsize:
        raise ValueError(f"signature blob of {len(data)} bytes is not a multiple of 4")
    return np.frombuffer(data, dtype=_SIG_DTYPE).copy()

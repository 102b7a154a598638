"""Search: everyday queries, FTS5 syntax on request, unsegmented scripts, the indexes kept in step
with the documents table (and by an upgrade), Datasette, and a bounded cost."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_store import v1_store
from thresher.cli import main
from thresher.corpus import search
from thresher.corpus.process import process_batch
from thresher.corpus.search import MAX_PREFIX_TERMS, MAX_QUERY_CHARS, QueryError, SearchHit
from thresher.corpus.sources import Raw
from thresher.corpus.store import SCHEMA_VERSION, Document, Store
from thresher.types import Metadata

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

#: Articles written for these tests: each query below must find exactly the ones named.
ARTICLES = {
    "clinic.txt": (
        "Clinic extends covid-19 booster hours",
        "The clinic on Mill Road will give covid-19 boosters until eight in the evening. Patients can book by "
        "e-mail or phone. Staff who trained in the U.S. last year run the evening sessions. The clinic opened "
        'after the 9/11 memorial service moved to the town hall. "Don\'t wait for a letter," the manager said.',
    ),
    "coding.txt": (
        "Evening course teaches C++ to pensioners",
        "Twelve pensioners signed up for a course in C++ and Python at the community college. The teacher said "
        "the swing of the class was fast: two of them already write small games.",
    ),
    "numbers.txt": (
        "Council counts 19 new benches",
        "The covid lockdown delayed the work, the council said, but 19 benches now line the river path. Volunteers "
        "built a bridge swing for the playground and mailed the parish an email about the 11 bins and 9 lamps.",
    ),
    "bridge.txt": (
        "Swing bridge reopens after repairs",
        "The swing bridge over the harbour reopened on Saturday after eleven weeks of repairs to its gears.",
    ),
}


def doc(source: str, title: str, text: str, *, status: str = "ok") -> Document:
    return Document(source=source, status=status, meta=Metadata(title=title), text=text if status == "ok" else "")


def make_store(path: Path, docs: list[Document] | None = None) -> Path:
    docs = docs if docs is not None else [doc(s, t, x) for s, (t, x) in ARTICLES.items()]
    with Store(path) as store:
        store.write_batch(docs)
    return path


def chinese_page() -> Raw:
    path = SAMPLES / "pages" / "solar-village-zh.html"
    return Raw(str(path), path.read_bytes())


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def found(db: Path, query: str, *options: str) -> list[str]:
    res = run("search", query, "--db", db, "--json", *options)
    assert res.exit_code == 0, res.output
    return [json.loads(line)["source"] for line in res.output.splitlines()]


# -- everyday queries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("covid-19", ["clinic.txt"]),  # was: no such column: 19 (numbers.txt has covid and 19 apart)
        ("e-mail", ["clinic.txt"]),  # numbers.txt has "email" and "mailed", not "e mail"
        ("U.S.", ["clinic.txt"]),
        ("9/11", ["clinic.txt"]),  # numbers.txt has 9 and 11 apart
        ("don't", ["clinic.txt"]),
        ("C++", ["coding.txt"]),
        ("COVID-19 boosters", ["clinic.txt"]),  # every word must occur, any case
        ('"swing bridge"', ["bridge.txt"]),  # a phrase: coding.txt and numbers.txt have the words apart
        ("swing bridge", ["bridge.txt", "numbers.txt"]),
        ('"swing bridge', ["bridge.txt"]),  # an unclosed quote runs to the end
        ("clinic AND lockdown", []),  # AND is a word here, and no article has all three
        ("covid-20", []),
        ("++ -- ...", []),  # punctuation alone is no term
        ("", []),
    ],
)
def test_everyday_queries_are_searched_as_words_and_phrases(tmp_path, query, expected):
    db = make_store(tmp_path / "c.db")
    assert sorted(found(db, query)) == expected


def test_the_json_output_keeps_its_fields_and_the_library_returns_typed_hits(tmp_path):
    db = make_store(tmp_path / "c.db")
    res = run("search", "harbour", "--db", db, "--json")
    hit = json.loads(res.output)
    assert list(hit) == ["id", "title", "url", "source", "site", "published", "duplicate_of", "snippet"]
    assert hit["source"] == "bridge.txt" and "[harbour]" in hit["snippet"]
    with Store(db) as store:
        (typed,) = store.search("harbour")
    assert isinstance(typed, SearchHit) and typed.to_dict() == hit
    text = run("search", "harbour", "--db", db).output.splitlines()
    assert text[0].split()[1:3] == ["Swing", "bridge"] and "[harbour]" in text[1]


def test_fts_syntax_on_request(tmp_path):
    db = make_store(tmp_path / "c.db")
    assert sorted(found(db, "harbour OR pensioners", "--fts")) == ["bridge.txt", "coding.txt"]
    assert found(db, "swing NOT harbour NOT pensioners", "--fts") == ["numbers.txt"]
    assert found(db, "title:swing", "--fts") == ["bridge.txt"]
    assert found(db, "NEAR(swing harbour, 5)", "--fts") == ["bridge.txt"]
    assert sorted(found(db, "pension* OR harb*", "--fts")) == ["bridge.txt", "coding.txt"]
    assert found(db, '"covid-19"', "--fts") == ["clinic.txt"]
    with Store(db) as store:
        assert [h.source for h in store.search("booster* AND clinic", syntax="fts")] == ["clinic.txt"]
        with pytest.raises(ValueError, match="syntax must be"):
            store.search("x", syntax="sql")


def test_a_snippet_is_one_line_around_the_most_matches(tmp_path):
    filler = " ".join(["The ferry timetable was printed again for the summer."] * 12)
    text = f"A harbour lies to the east. {filler} The swing bridge spans the harbour, the swing bridge opened. {filler}"
    db = make_store(tmp_path / "c.db", [doc("long.txt", "Ferries", text)])
    with Store(db) as store:
        (hit,) = store.search('"swing bridge" harbour')
        (first,) = store.search("east")
    # the stretch with three matches, not the first match; a phrase marked as one; cut at spaces
    assert (
        hit.snippet
        == "…again for the summer. The [swing bridge] spans the [harbour], the [swing bridge] opened. The ferry…"
    )
    assert first.snippet.startswith("A harbour lies to the [east]. The ferry") and first.snippet.endswith("…")
    assert len(first.snippet) < 110


@pytest.mark.parametrize(("query", "message"), [("a AND", "syntax error"), ("covid-19", "no such column: 19")])
def test_a_bad_fts_query_is_one_line_with_a_hint(tmp_path, query, message):
    db = make_store(tmp_path / "c.db")
    res = run("search", query, "--db", db, "--fts")
    assert res.exit_code == 1 and "Traceback" not in res.output
    (line,) = res.output.splitlines()
    assert line.startswith("Error: bad search query") and message in line and "leave out --fts" in line


# -- unsegmented scripts ----------------------------------------------------------------------


def test_chinese_is_found_in_the_shipped_sample(tmp_path):
    db = tmp_path / "c.db"
    with Store(db) as store:
        store.write_batch(process_batch([chinese_page()]) + [doc(s, t, x) for s, (t, x) in ARTICLES.items()])
    zh = str(SAMPLES / "pages" / "solar-village-zh.html")
    assert found(db, "光伏") == [zh]  # two characters: shorter than a trigram
    assert found(db, "合作社") == [zh]
    assert found(db, "阳光合作社，") == [zh]  # the punctuation around a term is not part of it
    assert found(db, "光伏 合作社") == [zh]
    assert found(db, "光伏 harbour") == []  # every term must occur
    assert found(db, "光伏电池") == []  # not in the page
    assert found(db, "合作社", "--fts") == [zh]
    res = run("search", "光伏", "--db", db)
    assert "[光伏]" in res.output  # the match marked in the snippet, as FTS5 marks words
    with Store(db) as store:  # only the Chinese page is in the trigram index
        assert store.db.execute("SELECT COUNT(*) FROM documents_tri_docsize").fetchone()[0] == 1


def test_japanese_thai_and_korean_words_inside_sentences(tmp_path):
    texts = {
        "ja.txt": ("港の橋が再開", "港の旋回橋は十一週間の修理を終えて土曜日に再開しました。"),
        "th.txt": ("สะพานเปิดอีกครั้ง", "สะพานข้ามท่าเรือเปิดให้ใช้งานอีกครั้งในวันเสาร์หลังการซ่อมแซม"),
        "ko.txt": ("다리 재개통", "항구의 회전교는 수리를 마치고 토요일에 다시 개통되었습니다."),
    }
    db = make_store(tmp_path / "c.db", [doc(s, t, x) for s, (t, x) in texts.items()])
    assert found(db, "修理") == ["ja.txt"]
    assert found(db, "旋回橋") == ["ja.txt"]
    assert found(db, "ท่าเรือ") == ["th.txt"]  # "harbour", inside a sentence written without spaces
    assert found(db, "항구") == ["ko.txt"]  # the word with its particle attached is 항구의
    assert found(db, "수리를") == ["ko.txt"]


def test_without_the_trigram_tokenizer_a_substring_scan_finds_them(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "trigram_available", lambda: False)
    db = tmp_path / "c.db"
    with Store(db) as store:
        store.write_batch(process_batch([chinese_page()]) + [doc(s, t, x) for s, (t, x) in ARTICLES.items()])
        assert store.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents_tri'").fetchone() is None
    zh = str(SAMPLES / "pages" / "solar-village-zh.html")
    assert found(db, "光伏") == found(db, "阳光合作社") == found(db, "光伏 合作社") == [zh]
    assert found(db, "光伏 harbour") == [] and found(db, "harbour") == ["bridge.txt"]


# -- the indexes kept in step -----------------------------------------------------------------


def index_contents(db: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every (term, document, column, offset) of each index, read through fts5vocab."""
    out = {}
    for table in ("documents_fts", "documents_tri"):
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_v USING fts5vocab(main, {table}, instance)")
        out[table] = db.execute(f"SELECT * FROM temp.{table}_v ORDER BY 1, 2, 3, 4").fetchall()
    return out


def test_sql_updates_and_deletes_keep_both_indexes_in_step(tmp_path):
    docs = [doc(s, t, x) for s, (t, x) in ARTICLES.items()]
    docs += process_batch([chinese_page()]) + [doc("empty.txt", "Zebra crossing", "", status="empty")]
    db = make_store(tmp_path / "c.db", docs)
    zh = str(SAMPLES / "pages" / "solar-village-zh.html")
    con = sqlite3.connect(db)
    con.execute("UPDATE documents SET text = 'The harbour ferry now runs hourly.' WHERE source = 'coding.txt'")
    con.execute("UPDATE documents SET title = '石门村的光伏板' WHERE source = 'numbers.txt'")
    con.execute("UPDATE documents SET status = 'failed' WHERE source = 'clinic.txt'")
    con.execute("DELETE FROM documents WHERE source = ?", (zh,))
    con.execute("UPDATE documents SET duplicate_of = NULL, site = 'x'")  # not a column the indexes read
    con.commit()
    assert found(db, "twelve") == [] and sorted(found(db, "harbour")) == ["bridge.txt", "coding.txt"]
    assert found(db, "covid-19") == [] and found(db, "zebra") == []  # not an article: never indexed
    assert found(db, "光伏") == found(db, "石门村") == ["numbers.txt"]
    con.execute("UPDATE documents SET status = 'ok' WHERE source = 'clinic.txt'")
    con.commit()
    con.close()
    with Store(db) as store:  # the store's connection has REPLACE fire the delete trigger
        store.db.execute("INSERT OR REPLACE INTO documents (source, status, title, text) VALUES ('bridge.txt', 'ok', 'Pontoon', 'A new pontoon.')")  # fmt: skip
    assert (
        found(db, "covid-19") == ["clinic.txt"] and found(db, "gears") == [] and found(db, "pontoon") == ["bridge.txt"]
    )
    # what the triggers kept is what indexing the documents table afresh gives
    with Store(db) as store:
        kept = index_contents(store.db)
        store.db.execute("BEGIN")
        search.rebuild(store.db, trigram=True)
        assert index_contents(store.db) == kept and kept["documents_fts"] and kept["documents_tri"]
        store.db.execute("ROLLBACK")
        for table in ("documents_fts", "documents_tri"):
            store.db.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")


def v4_store(path: Path) -> list[dict]:
    """A version-4 store as thresher wrote it: version 1's tables (``SCHEMA_V1``), the columns versions
    2-4 added, and version 1's search index (one insert trigger, ``content='documents'`` single-quoted,
    no trigram index); its rows."""
    rows = v1_store(path)
    con = sqlite3.connect(path)
    for column in ("model", "config", "encoding", "comments", "page_type"):
        con.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT")
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    (zh,) = process_batch([chinese_page()])
    con.execute(
        "INSERT INTO documents (source, status, title, text, language) VALUES (?, 'ok', ?, ?, 'zh')",
        (zh.source, zh.meta.title, zh.text),
    )
    con.execute("INSERT INTO documents (source, status, title) VALUES ('e.html', 'empty', 'Zebra crossing')")
    con.commit()
    cur = con.execute("SELECT * FROM documents ORDER BY id")
    rows = [dict(zip([c[0] for c in cur.description], row)) for row in cur]
    con.close()
    return rows


def test_a_version_4_store_gets_the_new_indexes_without_losing_documents(tmp_path):
    old = tmp_path / "v4.db"
    before = v4_store(old)
    with Store(old) as store:
        assert store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
            SCHEMA_VERSION
        )
        after = [dict(r) for r in store.db.execute("SELECT * FROM documents ORDER BY id")]
        assert [{k: r[k] for k in before[0]} for r in after] == before
        assert [h.source for h in store.search("harbour")] == ["a.html"]
        assert store.search("zebra") == []  # an empty page's title is not indexed, by the rebuild either
        triggers = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert triggers == {"documents_ai", "documents_ad", "documents_au"}
    zh = str(SAMPLES / "pages" / "solar-village-zh.html")
    assert found(old, "光伏") == found(old, "合作社") == [zh] and found(old, "covid-19") == []
    fresh = make_store(tmp_path / "new.db", [])
    schema = "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'documents_%' ORDER BY name"
    assert sqlite3.connect(old).execute(schema).fetchall() == sqlite3.connect(fresh).execute(schema).fetchall()


# -- Datasette ----------------------------------------------------------------------------------


def test_datasette_detects_the_word_index_and_its_search_filters(tmp_path):
    pytest.importorskip("datasette")
    from datasette.app import Datasette
    from datasette.utils import detect_fts

    db = make_store(tmp_path / "corpus.db", [*(doc(s, t, x) for s, (t, x) in ARTICLES.items()),
                                              doc("empty.txt", "Zebra crossing", "", status="empty")])  # fmt: skip
    with sqlite3.connect(db) as con:
        assert detect_fts(con, "documents") == "documents_fts"

    async def ids(query: str) -> list[str]:
        res = await Datasette([str(db)]).client.get(f"/corpus/documents.json?_search={query}&_shape=array")
        assert res.status_code == 200, res.text
        return sorted(row["source"] for row in res.json())

    assert asyncio.run(ids("harbour")) == ["bridge.txt"]
    assert asyncio.run(ids("swing")) == ["bridge.txt", "coding.txt", "numbers.txt"]
    assert asyncio.run(ids("zebra")) == []


# -- a bounded cost -----------------------------------------------------------------------------


def test_a_prefix_flood_is_refused_at_once(tmp_path):
    db = make_store(tmp_path / "c.db")
    start = time.monotonic()
    res = run("search", " ".join(["a*"] * 64), "--db", db, "--fts")
    assert time.monotonic() - start < 2 and res.exit_code == 1
    assert res.output == f"Error: search query has 64 prefix terms (term*); at most {MAX_PREFIX_TERMS} are allowed\n"
    res = run("search", "a*", "--db", db, "--fts")
    assert res.exit_code == 1 and "prefix term a* is too broad" in res.output
    assert found(db, " OR ".join(["sw*"] * MAX_PREFIX_TERMS), "--fts") != []
    assert run("search", " ".join(["sw*"] * (MAX_PREFIX_TERMS + 1)), "--db", db, "--fts").exit_code == 1
    # without --fts the * is punctuation and "a" a word (the one bridge.txt lacks), searched once
    assert sorted(found(db, " ".join(["a*"] * 64))) == ["clinic.txt", "coding.txt", "numbers.txt"]


def test_a_long_query_is_refused(tmp_path):
    db = make_store(tmp_path / "c.db")
    res = run("search", "harbour " * (MAX_QUERY_CHARS // 8 + 1), "--db", db)
    assert res.exit_code == 1 and f"at most {MAX_QUERY_CHARS} are allowed" in res.output
    assert found(db, " ".join(["harbour"] * 100)) == ["bridge.txt"]  # a repeated word counts once


def test_a_search_over_its_time_budget_is_stopped_with_a_message(tmp_path):
    words = "harbour bridge swing repairs gears weeks council river".split()
    docs = [doc(f"{i}.txt", f"Story {i}", " ".join(words[(i + j) % 8] for j in range(200))) for i in range(300)]
    db = make_store(tmp_path / "c.db", docs)
    with Store(db) as store:
        with pytest.raises(QueryError, match=r"stopped after 1e-06 s \(the time budget\)"):
            store.search("harbour", time_budget=1e-6)
        assert len(store.search("harbour", limit=500)) == 300  # the handler is gone afterwards
    res = run("search", "harbour", "--db", db, "--timeout", "0.000001")
    assert res.exit_code == 1 and "the time budget" in res.output and len(res.output.splitlines()) == 1


def test_browse_reads_the_store_as_it_is_and_hands_it_to_datasette(tmp_path, monkeypatch):
    old = tmp_path / "v4.db"
    v4_store(old)
    before = old.read_bytes()
    calls = []
    monkeypatch.setattr("thresher.cli.os.execv", lambda path, argv: calls.append(argv))
    res = run("browse", "--db", old, "--port", "8002")
    assert res.exit_code == 0, res.output
    assert [argv[1:] for argv in calls] == [["-m", "datasette", "serve", str(old), "--port", "8002"]]
    assert old.read_bytes() == before  # browse only reads: an older store is not upgraded by it
    assert "store schema 4" in res.output and "thresher ingest" in res.output
    fresh = make_store(tmp_path / "new.db")
    assert run("browse", "--db", fresh).output == ""
    res = run("browse", "--db", tmp_path / "none.db")
    assert res.exit_code == 1 and "no such store" in res.output and len(calls) == 2
    monkeypatch.setattr("thresher.cli.importlib.util.find_spec", lambda name: None)
    res = run("browse", "--db", old)
    assert res.exit_code == 1 and res.output.startswith(
        "Error: Datasette is not installed: pip install 'thresher[datasette]'"
    )

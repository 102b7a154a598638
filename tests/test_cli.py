"""The CLI is a thin shell: formats, stdin, errors."""

import json
from pathlib import Path

import click
from click.testing import CliRunner

from thresher.cli import main

PAGE = Path(__file__).resolve().parent.parent / "samples" / "pages" / "rail-strike-de.html"


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_extract_text_markdown_json():
    text = run("extract", str(PAGE))
    assert text.exit_code == 0, text.output
    md = run("extract", str(PAGE), "--format", "markdown")
    front, body = md.output.split("\n---\n", 1)
    assert front.startswith("---\n")
    assert 'language: "de"' in front and 'published: "2026-02-18' in front
    assert body.startswith("# ")
    js = run("extract", str(PAGE), "--format", "json", "--url", "https://example.de/x")
    d = json.loads(js.output)
    assert d["url"] == "https://example.de/x"
    assert d["text"].strip() == text.output.strip()
    assert d["title"] and d["title"] not in d["text"].splitlines()
    for field in (
        "authors",
        "published",
        "updated",
        "site_name",
        "language",
        "canonical_url",
        "description",
        "section",
        "tags",
    ):
        assert field in d
    assert d["authors"] and d["language"] == "de"


def test_extract_from_stdin():
    res = run("extract", "-", input=PAGE.read_bytes())
    assert res.exit_code == 0
    assert res.output == run("extract", str(PAGE)).output  # the same bytes, the same article
    assert len(res.output.splitlines()) > 3 and "<" not in res.output


def test_missing_file_is_a_clear_error():
    res = run("extract", "/nonexistent/page.html")
    assert res.exit_code != 0
    assert "nonexistent" in res.output


def test_every_command_and_option_has_help():
    assert {"extract", "clean", "ingest", "search", "show", "export", "stats"} <= set(main.commands)
    for name, cmd in main.commands.items():
        assert cmd.help, f"{name} has no help text"
        undocumented = [p.opts[0] for p in cmd.params if isinstance(p, click.Option) and not p.help]
        assert undocumented == [], f"{name}: options without help"
        shown = run(name, "--help")
        assert shown.exit_code == 0 and cmd.help.split("\n")[0].strip() in " ".join(shown.output.split())


DUMP = Path(__file__).resolve().parent / "data" / "dump-ferry-en.txt"


def test_clean_one_and_many(tmp_path):
    one = run("clean", str(DUMP))
    assert one.exit_code == 0, one.output
    assert "Port Allard" in one.output and "Skip to content" not in one.output
    second = tmp_path / "copy.txt"
    second.write_bytes(DUMP.read_bytes().replace(b"ferry", b"boat"))
    many = run("clean", str(DUMP), str(second), "--site", "gazette", "--format", "json")
    assert many.exit_code == 0, many.output
    docs = [json.loads(line) for line in many.output.splitlines()]
    assert [d["source"] for d in docs] == [str(DUMP), str(second)]
    assert all(d["title"] for d in docs)
    md = run("clean", "-", "--format", "markdown", input=DUMP.read_bytes())
    front, body = md.output.split("\n---\n", 1)
    assert 'published: "2025-03-04' in front and 'language: "en"' in front
    assert body.startswith("# Island ferry")


def test_clean_url_needs_one_file():
    res = run("clean", str(DUMP), str(DUMP), "--url", "https://x.example/a")
    assert res.exit_code != 0 and "single FILE" in res.output

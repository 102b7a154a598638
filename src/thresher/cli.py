"""The ``thresher`` command line: a thin shell over the library."""

from __future__ import annotations

import json
import sys

import click

from .errors import ThresherError

FORMATS = ("text", "markdown", "json")


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise click.FileError(path, hint=exc.strerror or str(exc)) from None


def _render(article, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2)
    if fmt == "markdown":
        return article.to_markdown(front_matter=True)
    return article.text + ("\n" if article.text else "")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thresher")
def main() -> None:
    """thresher: clean article text and structure from scraped web pages."""


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--url", default=None, help="The page's URL (helps metadata and relative links).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
def extract(file: str, url: str | None, fmt: str) -> None:
    """Extract the article from one HTML FILE (or - for standard input)."""
    from ._api import extract as _extract

    data = _read_input(file)
    try:
        article = _extract(data, url)
    except ThresherError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(_render(article, fmt), nl=False)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--url", default=None, help="The page's URL (one FILE only).")
@click.option("--site", default=None, help="The FILES are dumps of one site: use site memory across them.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
def clean(files: tuple[str, ...], url: str | None, site: str | None, fmt: str) -> None:
    """Clean plain-text dumps of web pages (FILES, or - for standard input).

    With several FILES, text and markdown outputs are separated by a
    "==> FILE <==" line, and json output is one object per line (with "source").
    """
    from ._api import clean_text, clean_texts

    if url and len(files) > 1:
        raise click.UsageError("--url applies to a single FILE")
    data = [_read_input(f) for f in files]
    if len(files) == 1 and site is None:
        articles = [clean_text(data[0], url)]
    else:
        articles = clean_texts(data, site=site) if site else [clean_text(d) for d in data]
    if len(files) == 1:
        click.echo(_render(articles[0], fmt), nl=False)
        return
    for path, article in zip(files, articles):
        if fmt == "json":
            click.echo(json.dumps({"source": path} | article.to_dict(), ensure_ascii=False))
        else:
            click.echo(f"==> {path} <==")
            click.echo(_render(article, fmt))


if __name__ == "__main__":  # pragma: no cover
    main()

"""The ``thresher`` command line: a thin shell over the library."""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from types import NoneType, UnionType
from typing import Literal, Union, get_args, get_origin, get_type_hints

import click

from . import config as config_module
from ._forest import FOREST_PATH
from .config import FAVOR, Config
from .corpus.export import FORMATS as EXPORT_FORMATS
from .corpus.search import MAX_PREFIX_TERMS, MIN_PREFIX_CHARS, TIME_BUDGET
from .errors import ModelError, ThresherError
from .html.segment import CORE_NOTE

FORMATS = ("text", "markdown", "json")


def _render(article, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(article.to_dict(), ensure_ascii=False, indent=2)
    if fmt == "markdown":
        return article.to_markdown(front_matter=True)
    return article.text + ("\n" if article.text else "")


class _Commands(click.Group):
    """The command group. A ``ThresherError`` is a user's error (a bad input,
    a store that is not ours, a query it cannot run): any command's becomes
    one line on stderr and exit 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ThresherError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thresher", message=f"%(prog)s %(version)s ({CORE_NOTE}; {FOREST_PATH} forests)")
def main() -> None:
    """thresher: clean article text and structure from scraped web pages."""


FAVOR_OPTION = click.option(
    "--favor",
    type=click.Choice(FAVOR),
    default=None,
    help="The trade-off of the model's thresholds: precision keeps less chrome and some less text, "
    "recall keeps more of both [default: balanced].",
)
COMMENTS_OPTION = click.option(
    "--comments",
    is_flag=True,
    default=None,
    help="Append the reader comments after the article, marked as comments "
    "(they are in the JSON's comments either way).",
)


INPUT_OPTIONS = (
    click.argument("files", nargs=-1, type=click.Path(allow_dash=True)),
    click.option(
        "--input-dir",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="Every page file below this directory (with -o: the outputs keep their paths below it).",
    ),
    click.option(
        "-o",
        "--output",
        "out_dir",
        type=click.Path(),
        default=None,
        help="Write one file per input into this directory (created if missing): the input's name, "
        "with the suffix of --format (.txt, .md, .json).",
    ),
    click.option("--force", is_flag=True, help="Overwrite output files that exist (never an input)."),
    click.option("--url", default=None, help="The page's URL (one FILE only; helps metadata and relative links)."),
    click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
    ),
)


def _input_options(command):
    for option in reversed(INPUT_OPTIONS):
        command = option(command)
    return command


@main.command()
@_input_options
@FAVOR_OPTION
@COMMENTS_OPTION
def extract(files, input_dir, out_dir, force, url, fmt, **options) -> None:
    """Extract the article from HTML pages: FILE (or - for standard input) to
    standard output, or many FILES (or --input-dir DIR) to -o DIR, one file each.

    A gzipped page is decompressed. Input that is no HTML page (a WARC, a
    JSONL or text dump, binary data) is refused with the command that reads it.
    """
    from .corpus.process import engines

    jobs = _jobs(files, input_dir, out_dir, fmt, url)
    config = _config(None, **options)
    extractor = engines(config)[0]

    def pages(data: list[bytes]) -> list:
        out = []
        for page in data:
            try:
                out.append(extractor.extract(page, url))
            except ThresherError as exc:
                out.append(str(exc))
        return out

    _run_pages(jobs, "html", pages, config.max_input_bytes, out_dir, fmt, force)


@main.command()
@_input_options
@click.option("--site", default=None, help="The FILES are dumps of one site: use site memory across them.")
@FAVOR_OPTION
@COMMENTS_OPTION
def clean(files, input_dir, out_dir, force, url, fmt, site, **options) -> None:
    """Clean plain-text dumps of web pages: FILE (or - for standard input) to
    standard output, or many FILES (or --input-dir DIR) to -o DIR, one file each.

    With several FILES and no -o, text and markdown outputs are separated by a
    "==> FILE <==" line, and json output is one object per line (with "source").
    A gzipped dump is decompressed; HTML and binary input are refused.
    """
    from .corpus.process import engines

    jobs = _jobs(files, input_dir, out_dir, fmt, url)
    config = _config(None, **options)
    cleaner = engines(config)[1]

    def pages(data: list[bytes]) -> list:
        return cleaner.clean_many(data, site=site) if site else [cleaner.clean(d, url) for d in data]

    _run_pages(jobs, "text", pages, config.max_input_bytes, out_dir, fmt, force)


def _jobs(files: tuple[str, ...], input_dir: str | None, out_dir: str | None, fmt: str, url: str | None) -> list:
    """The inputs of ``extract`` or ``clean``, with their outputs under ``-o``."""
    from ._batch import SUFFIXES, Job, plan

    if input_dir is not None and files:
        raise click.UsageError("give FILES or --input-dir, not both")
    if input_dir is None and not files:
        raise click.UsageError("give a FILE (- for standard input) or --input-dir DIR")
    if input_dir is not None and out_dir is None:
        raise click.UsageError("--input-dir needs -o DIR: one output file per input, under its name")
    for f in files:
        if f != "-" and os.path.isdir(f):
            raise click.UsageError(f"{f} is a directory: use --input-dir {f} -o DIR")
    if url and len(files) != 1:
        raise click.UsageError("--url applies to a single FILE")
    if files.count("-") > 1:
        raise click.UsageError("- (standard input) given twice")
    if out_dir is None:
        return [Job(f) for f in files]
    if "-" in files:
        raise click.UsageError("standard input (-) has no name to write under -o: give FILES")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise click.UsageError(f"-o {out_dir} is a file: give a directory")
    if not os.path.exists(out_dir) and out_dir.lower().endswith(tuple(SUFFIXES.values())):
        raise click.UsageError(
            f"-o names a directory (one file per input inside it), not {out_dir}: "
            f"for one output file, redirect standard output (thresher ... FILE > {out_dir})"
        )
    jobs = plan(files, input_dir, out_dir, fmt)
    if not jobs:
        raise click.ClickException(f"no page files below {input_dir}")
    return jobs


def _run_pages(jobs: list, want: str, pages, max_bytes: int, out_dir: str | None, fmt: str, force: bool) -> None:
    """Convert ``jobs`` (``_batch.convert``) and write each result: one input to
    standard output (an error ends the command), many to standard output or,
    with ``out_dir``, to a file each, with a count at the end. Every failure is
    one line on stderr; the exit status is 1 when every input failed."""
    from ._batch import convert

    results = convert(jobs, want, max_bytes, pages)
    if len(jobs) == 1 and out_dir is None:
        [(job, article)] = results
        if isinstance(article, str):
            raise click.ClickException(f"{_shown(job.source)}: {article}")
        click.echo(_render(article, fmt), nl=False)
        return
    if out_dir is not None:
        _refuse_existing(jobs, force)
    done = failed = empty = 0
    for job, article in results:
        if isinstance(article, str):
            failed += 1
            click.echo(f"{_shown(job.source)}: {article}", err=True)
        elif out_dir is None:
            done += 1
            if fmt == "json":
                click.echo(json.dumps({"source": job.source} | article.to_dict(), ensure_ascii=False))
            else:
                click.echo(f"==> {job.source} <==")
                click.echo(_render(article, fmt))
        elif not article:
            empty += 1
        elif _write_output(job, _render(article, fmt)):
            done += 1
        else:
            failed += 1
    if out_dir is not None:
        counts = [f"{done} written to {out_dir}"]
        counts += [f"{empty} without article text (no file written)"] if empty else []
        counts += [f"{failed} failed"] if failed else []
        click.echo(", ".join(counts), err=True)
    if failed and not (done or empty):
        sys.exit(1)


def _shown(source: str) -> str:
    return "standard input" if source == "-" else source


def _refuse_existing(jobs: list, force: bool) -> None:
    """Stop before anything is written when outputs exist, unless ``force``."""
    existing = [j.output for j in jobs if not j.error and j.output.exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more outputs)" if len(existing) > 1 else ""
        raise click.ClickException(f"{existing[0]} exists{more}: use --force to overwrite")


def _write_output(job, text: str) -> bool:
    try:
        job.output.parent.mkdir(parents=True, exist_ok=True)
        job.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(f"{job.source}: cannot write {job.output}: {exc.strerror or exc}", err=True)
        return False
    return True


DB_OPTION = click.option(
    "--db", default="corpus.db", show_default=True, type=click.Path(dir_okay=False), help="The corpus store (SQLite)."
)


def _languages(ctx, param, value: str | None):
    """``--language en,de`` -> the codes (``corpus.languages.language_set``), or a usage error."""
    from .corpus.languages import language_set

    try:
        return language_set(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


LANGUAGE_HELP = "Only articles in these languages: ISO 639-1 codes, comma-separated (en or en,de)."


def _open_store(db: str, *, write: bool = False, create: bool = False):
    """The store for a command: read-only, but for the commands that ``write`` (ingest,
    reprocess), which alone may create the store (``create``) or upgrade an older one."""
    from .corpus.store import Store

    with _store_errors(db):
        return Store(db, create=create, readonly=not write)


@contextmanager
def _store_errors(db: str) -> Iterator[None]:
    """What goes wrong with the store file (and the disk) while a command runs, as one line
    (``store.database_error``): never a traceback, and never an error that hides another."""
    import sqlite3

    from .corpus.store import database_error

    try:
        yield
    except sqlite3.Error as exc:
        raise click.ClickException(database_error(db, exc)) from None
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        raise click.ClickException(f"{exc.filename or db}: {os.strerror(exc.errno) if exc.errno else exc}") from None


class ConfigError(click.ClickException):
    """A bad ``--config`` file or ``Config`` value: one line on stderr, exit status 2 (a usage error)."""

    exit_code = 2


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _fits(value, hint) -> bool:
    """Whether a TOML value has the type of a ``Config`` field's annotation."""
    if get_origin(hint) is Literal:
        return value in get_args(hint)
    if get_origin(hint) in (Union, UnionType):
        return any(_fits(value, h) for h in get_args(hint))
    if isinstance(value, bool) and hint is not bool:  # a bool is an int to Python, not to TOML
        return False
    return isinstance(value, (int, float) if hint is float else hint)


def _describe(hint) -> str:
    if get_origin(hint) is Literal:
        return "one of " + ", ".join(map(str, get_args(hint)))
    if get_origin(hint) in (Union, UnionType):
        return " or ".join(_describe(h) for h in get_args(hint) if h is not NoneType)
    return _TYPE_NAMES.get(hint, getattr(hint, "__name__", str(hint)))


def _read_config_file(path: str) -> dict:
    """The ``Config`` fields set in a TOML file (top-level keys named as the fields)."""
    try:
        with open(path, "rb") as fh:
            values = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"--config {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"--config {path}: not valid TOML ({exc})") from None
    hints = get_type_hints(Config, vars(config_module))  # Config.__module__ is "thresher"
    for name, value in values.items():
        if name not in hints:
            raise ConfigError(
                f"--config {path}: unknown key {name!r}; the keys are Config's fields: {', '.join(hints)}"
            )
        if not _fits(value, hints[name]):
            raise ConfigError(f"--config {path}: {name} must be {_describe(hints[name])}, not {value!r}")
    return values


def _config(path: str | None, **options) -> Config:
    """The run's ``Config``: the file's fields, then the options given on the command line.
    The models it names are loaded here, so a bad name fails before the store is touched."""
    from .corpus.process import engines

    where = f"--config {path}: " if path else ""
    values = _read_config_file(path) if path else {}
    values |= {name: value for name, value in options.items() if value is not None}
    try:
        config = Config(**values)
        engines(config)
    except (ValueError, ModelError) as exc:
        raise ConfigError(f"{where}{exc}") from None
    return config


WORKERS_OPTION = click.option(
    "--workers", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [default: all cores]."
)
SITE_OPTION = click.option(
    "--site", default=None, help="All text dumps are of this one site (site memory across them)."
)
PROGRESS_OPTION = click.option(
    "--progress/--no-progress", default=None, help="Live progress bar [default: on a terminal]."
)


def _config_options(command):
    """The options that make the run's ``Config`` (see ``_config``), for ``ingest`` and ``reprocess``."""
    options = (
        FAVOR_OPTION,
        COMMENTS_OPTION,
        click.option(
            "--threshold",
            type=click.FloatRange(0, 1),
            default=None,
            help="Keep an HTML block when the model's probability reaches this [default: the model's, for --favor].",
        ),
        click.option(
            "--line-threshold",
            type=click.FloatRange(0, 1),
            default=None,
            help="The same for the lines of text dumps [default: the line model's, for --favor].",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            default=None,
            help="A TOML file of Config fields (model, favor, threshold, max_nodes...); the options above win over it.",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


#: The exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


def _stopped(what: str) -> None:
    """Exit after Ctrl-C, with one line that says how to go on."""
    click.echo(f"interrupted: what was stored stays; run the same `thresher {what}` again to go on", err=True)
    sys.exit(EXIT_INTERRUPTED)


@main.command()
@click.argument("inputs", nargs=-1)
@DB_OPTION
@WORKERS_OPTION
@click.option(
    "--urls", "url_files", multiple=True, type=click.Path(dir_okay=False), help="A file of URLs, one per line."
)
@SITE_OPTION
@click.option("--allow-private", is_flag=True, help="Allow fetching private, loopback and link-local addresses.")
@click.option("--delay", type=float, default=None, help="Seconds between requests to one host [default: 1].")
@click.option("--strict", is_flag=True, help="Stop with an error at the first input that fails.")
@click.option(
    "--language",
    "languages",
    default=None,
    callback=_languages,
    help=LANGUAGE_HELP + " Articles in other languages are counted, not stored.",
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Try every stored failure of these inputs again (transient ones are retried without it).",
)
@click.option(
    "--keep-raw",
    is_flag=True,
    help="Also store each page as read, compressed (about 1/5 of its size), so that `thresher reprocess` "
    "can extract it again when its source is gone.",
)
@PROGRESS_OPTION
@click.option(
    "--extensions",
    default=None,
    metavar="LIST",
    help="The extensions of the files read in a directory, comma-separated (files without one are "
    "always read) [default: html,htm,xhtml,shtml,php,asp,aspx,jsp,txt,text,warc,arc,jsonl,ndjson; "
    "each also .gz].",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where the pages are processed: this machine's processes, or Ray Data (needs --output; "
    "`thresher import` then loads it into a store).",
)
@click.option("--ray-address", default=None, help="With --executor ray: a running Ray cluster [default: a local Ray].")
@click.option(
    "--output", default=None, help="With --executor ray: the output directory (or a URI pyarrow opens: s3://...)."
)
@_config_options
def ingest(
    inputs, db, url_files, allow_private, delay, extensions, config_file, executor, ray_address, output, **options
):
    """Ingest INPUTS into the corpus store: HTML and .txt files, directories,
    globs, WARC (.warc, .warc.gz), JSONL (html or text field), URLs, or - for stdin.

    Inputs already in the store are skipped, so a re-run, or a run started
    again after it was killed or stopped with Ctrl-C, adds only what is
    missing. Failures are stored with their reason (`thresher failures` lists
    them); transient ones (HTTP 5xx and 429, timeouts, network errors, a
    missing file) are tried again by the next run. The exit status is 0 when
    anything was ingested, 130 after Ctrl-C.
    """
    from .corpus.executors import default_workers
    from .corpus.ingest import IngestFailure
    from .corpus.ingest import ingest as run
    from .corpus.sources.files import page_extensions
    from .corpus.sources.web import FetchPolicy

    if not inputs and not url_files:
        raise click.UsageError("give at least one INPUT or --urls FILE")
    if extensions is not None:
        try:
            extensions = page_extensions(extensions)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--extensions") from None
    run_args = {
        k: options.pop(k) for k in ("workers", "site", "strict", "retry_failed", "keep_raw", "progress", "languages")
    }
    if executor == "ray":
        return _ingest_on_ray(inputs, url_files, output, ray_address, extensions, config_file, options, run_args)
    if output or ray_address:
        raise click.UsageError("--output and --ray-address go with --executor ray")
    run_args["workers"] = run_args["workers"] or default_workers()
    policy_args = {"allow_private": allow_private}
    if delay is not None:
        policy_args["delay"] = delay
    try:
        config = _config(config_file, **options)  # favor, threshold, line_threshold: Config's fields
        with _open_store(db, write=True, create=True) as store, _store_errors(db):
            try:
                report = run(inputs, store, url_files=url_files, fetch_policy=FetchPolicy(**policy_args),
                             config=config, extensions=extensions, **run_args)  # fmt: skip
            except IngestFailure as exc:
                raise click.ClickException(f"--strict: {exc}") from None
    except KeyboardInterrupt:  # before the run or after it (the run stops cleanly by itself)
        _stopped("ingest")
    for line in report.lines():
        click.echo(line)
    s = report.stats
    if s.failures:
        click.echo(f"             (thresher failures --db {db} lists them all)")
    if report.interrupted:
        _stopped("ingest")
    if s.failures and not (s.ok or s.empty or s.skipped):
        sys.exit(1)


#: ``ingest`` options a Ray run does not take (it writes files, not a store), with why.
_NOT_ON_RAY = {
    "url_files": "--urls (fetch URLs with the local executor)",
    "strict": "--strict",
    "retry_failed": "--retry-failed (failures are rows of the output; rerun locally to retry them)",
    "keep_raw": "--keep-raw",
    "languages": "--language (filter with `thresher export --language`)",
}


def _ingest_on_ray(inputs, url_files, output, address, extensions, config_file, options, run_args) -> None:
    """``ingest --executor ray``: the run on Ray Data into ``--output`` (``corpus.cluster``)."""
    given = {"url_files": url_files, **run_args}
    refused = [why for name, why in _NOT_ON_RAY.items() if given.get(name)]
    if refused:
        raise click.UsageError(f"--executor ray does not take {', '.join(refused)}")
    if not output:
        raise click.UsageError("--executor ray writes Parquet files: give --output DIR")
    if not inputs:
        raise click.UsageError("give at least one INPUT")
    from .corpus.cluster.ray_run import ingest_on_ray

    config = _config(config_file, **options)
    try:
        report = ingest_on_ray(inputs, output, config=config, site=run_args["site"], workers=run_args["workers"],
                               address=address, extensions=extensions, progress=bool(run_args["progress"]))  # fmt: skip
    except OSError as exc:  # the output's filesystem (pyarrow raises OSError subclasses)
        raise click.ClickException(f"{output}: {exc}") from None
    except KeyboardInterrupt:
        click.echo("interrupted: the shards written stay; run the same command again to go on", err=True)
        sys.exit(EXIT_INTERRUPTED)
    for line in report.lines():
        click.echo(line)
    click.echo(f"output:      {output} (thresher import {output} --db corpus.db loads it into a store)")


@main.command("import")
@click.argument("output")
@DB_OPTION
def import_(output, db):
    """Load OUTPUT, the files of `thresher ingest --executor ray --output OUTPUT`, into the
    store: documents, search indexes and duplicate links. Sources already stored are skipped."""
    from .corpus.cluster.load import import_output
    from .corpus.cluster.shards import Output

    try:
        Output(output).shard_names()  # before a store is made: is it a run's output?
    except OSError as exc:
        raise click.ClickException(f"{output}: {exc}") from None
    with _open_store(db, write=True, create=True) as store:
        try:
            report = import_output(output, store)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"{output}: {exc}") from None
    s = report.stats
    click.echo(f"shards:      {report.shards}")
    click.echo(
        f"documents:   {s.added} added ({s.skipped} already stored): {s.ok} articles, {s.empty} without article text"
    )
    click.echo(f"failures:    {sum(s.failures.values())}")
    click.echo(f"duplicates:  {s.duplicates} linked to a canonical document")
    if report.link_differences:
        click.echo(f"warning:     {report.link_differences} links differ from the run's dedup stages", err=True)


@main.command()
@DB_OPTION
@WORKERS_OPTION
@SITE_OPTION
@click.option("--all", "everything", is_flag=True, help="Also the documents made by this model and config already.")
@PROGRESS_OPTION
@_config_options
def reprocess(db, workers, site, everything, progress, config_file, **options):
    """Extract the stored documents again with the current model and config, and relink the duplicates.

    Each page is read again from its source (a file, a WARC record, a JSONL
    line) or from the copy `ingest --keep-raw` kept. Documents that cannot be
    read again (a URL without a raw copy, a source gone or changed) and those
    whose extraction fails are kept as they are. Documents made by this model
    and config already are left (unless --all), so a reprocess stopped with
    Ctrl-C goes on where it stopped when run again.
    """
    from .corpus.executors import default_workers
    from .corpus.reprocess import reprocess as run

    try:
        config = _config(config_file, **options)
        with _open_store(db, write=True) as store, _store_errors(db):
            report = run(store, config=config, site=site, workers=workers or default_workers(),
                         progress=progress, everything=everything)  # fmt: skip
    except KeyboardInterrupt:
        _stopped("reprocess")
    for line in report.lines():
        click.echo(line)
    if report.interrupted:
        _stopped("reprocess")


@main.command()
@DB_OPTION
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Sources listed per group of failures (0: all of them).",
)
@click.option("--json", "as_json", is_flag=True, help="The groups as one JSON object.")
def failures(db, limit, as_json) -> None:
    """The stored failures, grouped by stage and reason: how many of each, then their sources.

    Transient ones (server errors, timeouts, missing files) are tried again by
    the next `ingest` of the same inputs; `ingest --retry-failed` tries them all.
    """
    with _open_store(db) as store, _store_errors(db):
        groups = store.failures(limit=limit or None)
    total = sum(g.count for g in groups)
    transient = sum(g.count for g in groups if g.transient)
    if as_json:
        out = {"failures": total, "transient": transient, "groups": [g.to_dict() for g in groups]}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not total:
        click.echo(f"no failures in {db}")
        return
    click.echo(f"{total} failures, {transient} transient (the next ingest of their inputs tries them again)")
    width = max(len(g.stage) for g in groups)
    for g in groups:
        click.echo(f"  {g.count:>6}  {g.stage:<{width}}  {g.reason}{'  [transient]' if g.transient else ''}")
    for g in groups:
        click.echo(f"\n{g.stage}: {g.reason} ({g.count})")
        for entry in g.sources:
            detail = "" if entry["reason"] == g.reason else f"  ({entry['reason']})"
            click.echo(f"  {entry['source']}{detail}")
        if g.count > len(g.sources):
            click.echo(f"  ... and {g.count - len(g.sources)} more (--limit 0 lists all)")


@main.command()
@click.argument("query")
@DB_OPTION
@click.option(
    "--limit", "-n", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many hits."
)
@click.option("--duplicates", is_flag=True, help="Include documents that duplicate another.")
@click.option(
    "--fts",
    is_flag=True,
    help="QUERY is in SQLite FTS5 syntax: AND/OR/NOT, NEAR(a b), title:word, "
    f"prefix* (at most {MAX_PREFIX_TERMS}, of {MIN_PREFIX_CHARS}+ letters).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=TIME_BUDGET,
    show_default=True,
    help="Stop a search still running after this many seconds.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def search(query, db, limit, duplicates, fts, timeout, as_json) -> None:
    """Full-text search of the articles: every word or "quoted phrase" of QUERY must occur.

    Words are matched as written, punctuation and all (covid-19, U.S., C++), in
    any language, Chinese, Japanese and Thai included. --fts takes FTS5's query
    language instead."""
    with _open_store(db) as store, _store_errors(db):
        hits = store.search(
            query,
            limit=limit,
            include_duplicates=duplicates,
            syntax="fts" if fts else "plain",
            time_budget=timeout,
        )
    for h in hits:
        if as_json:
            click.echo(json.dumps(h.to_dict(), ensure_ascii=False))
        else:
            click.echo(f"{h.id:>6}  {h.title or '(no title)'}  <{h.url or h.source}>")
            click.echo(f"        {' '.join(h.snippet.split())}")


@main.command()
@click.argument("doc_id", type=int)
@DB_OPTION
@click.option("--removed", is_flag=True, help="Also show the boilerplate that was stripped, with the reasons.")
@click.option("--json", "as_json", is_flag=True, help="The whole stored record as JSON.")
def show(doc_id, db, removed, as_json) -> None:
    """Show one stored document (its metadata and Markdown), by ID."""
    with _open_store(db) as store, _store_errors(db):
        doc = store.get(doc_id)
    if doc is None:
        raise click.ClickException(f"no document {doc_id} in {db}")
    if as_json:
        click.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
        return
    from .corpus.export import front_matter

    click.echo(front_matter(doc.to_dict()))
    if doc.status != "ok":
        click.echo(f"({doc.status}: {doc.stage}: {doc.reason})")
    else:
        click.echo(doc.markdown, nl=False)
    if removed:
        click.echo("\n---- removed ----")
        for r in doc.removed:
            click.echo(f"[{r.reason} {r.score:.2f}] {r.text}")


@main.command()
@DB_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default=None,
    help="Output file (jsonl, parquet) or directory (markdown), its parents created "
    "[default: stdout for jsonl and markdown].",
)
@click.option("--no-duplicates", is_flag=True, help="Leave out documents that duplicate another.")
@click.option("--language", "languages", default=None, callback=_languages, help=LANGUAGE_HELP)
@click.option(
    "--force",
    "--overwrite",
    is_flag=True,
    help="Replace an output file that exists (write into a non-empty directory).",
)
def export(db, fmt, output, no_duplicates, languages, force) -> None:
    """Export the articles: JSONL, Parquet (the parquet extra: pip install -e '.[parquet]') or Markdown with YAML front matter.

    An output that exists is replaced only with --force, and only once the
    export is complete.
    """
    from .corpus.export import export_store

    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet needs -o FILE")
    with _open_store(db) as store, _store_errors(db):
        try:
            n = export_store(store, fmt, output, duplicates=not no_duplicates, languages=languages, overwrite=force)
            if not output:
                sys.stdout.flush()  # a full disk under a redirected stdout is told here, not at exit
        except BrokenPipeError:  # `thresher export | head`: the reader has what it wanted
            _quiet_stdout()
            return
        except OSError as exc:  # standard output could not be written
            _quiet_stdout()
            raise click.ClickException(f"cannot write the export to standard output: {exc.strerror or exc}") from None
    if output:
        click.echo(f"{n} documents written to {output}", err=True)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises no second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file behind it (a test's capture)
        pass


@main.command(context_settings={"ignore_unknown_options": True})
@DB_OPTION
@click.argument("datasette_options", nargs=-1, type=click.UNPROCESSED)
def browse(db, datasette_options) -> None:
    """Browse and search the store in Datasette (the datasette extra); DATASETTE_OPTIONS
    (--port 8002, --open...) are passed on to `datasette serve`. The store is only read."""
    if importlib.util.find_spec("datasette") is None:
        raise click.ClickException(
            "Datasette is not installed: pip install 'thresher[datasette]' (in a checkout: pip install -e '.[datasette]')"
        )
    from .corpus.store import SCHEMA_VERSION, needs_immutable

    with _open_store(db) as store:  # a missing file, or one that is no thresher store, is an error
        version = store.version
    if version < SCHEMA_VERSION:  # browse only reads: the store is shown as it is
        click.echo(
            f"note: {db} was made by an older thresher (store schema {version}): Datasette may not find its "
            f"search index until the store is upgraded, which the next `thresher ingest ... --db {db}` does",
            err=True,
        )
    target = ["-i", db] if needs_immutable(db) else [db]  # read-only media: Datasette too opens it immutable
    os.execv(sys.executable, [sys.executable, "-m", "datasette", "serve", *target, *datasette_options])


@main.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="The counts as one JSON object.")
def stats(db, as_json) -> None:
    """Counts of the store: documents, articles, duplicates, failures, languages."""
    with _open_store(db) as store, _store_errors(db):
        s = store.stats()
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False, indent=2))
        return
    mix = s.pop("mix")
    for k, v in s.items():
        if isinstance(v, dict):
            v = ", ".join(f"{a}: {b}" for a, b in v.items()) or "-"
        click.echo(f"{k + ':':<14} {v}")
    for i, line in enumerate(_mix_lines(mix) or ["-"]):
        click.echo(f"{'produced by:' if i == 0 else '':<14} {line}")


def _mix_lines(mix: list[dict]) -> list[str]:
    """One line per model and config: the count, the model, the fields set away from their defaults."""
    defaults = Config().to_dict()
    lines = []
    for entry in mix:
        if entry["model"] is None:
            lines.append(f"{entry['documents']} stored before models and configs were recorded")
            continue
        config = entry["config"] or {}
        changed = [f"{k}={json.dumps(v)}" for k, v in config.items() if k not in defaults or defaults[k] != v]
        lines.append(f"{entry['documents']} {entry['model']} with {', '.join(changed) or 'the default config'}")
    return lines


if __name__ == "__main__":  # pragma: no cover
    main()

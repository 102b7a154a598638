"""What a process loads once (the language model, the public-suffix list): built once, even
while ``preload``'s thread builds it, and never waited for in vain by a forked child."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from thresher import textmeta

FRENCH = "Ceci est un texte en français, assez long pour que le modèle le reconnaisse sans peine."


def test_preload_loads_what_the_pages_need_and_changes_no_answer():
    """In a fresh process: the preloaded model and list give the answers a cold process gives."""
    code = (
        "import sys; from thresher import textmeta as t\n"
        "if sys.argv[1] == 'preload':\n"
        "    t.preload().join(); assert t._LANGUAGE_MODEL._value and t._PUBLIC_SUFFIXES._value\n"
        "else:\n"
        "    assert t._LANGUAGE_MODEL._value is None and t._PUBLIC_SUFFIXES._value is None\n"
        f"print(t.detect_language({FRENCH!r}), t.site_of('https://news.bbc.co.uk/a'), t.site_of('http://x.blogspot.com'))"
    )
    answers = [
        subprocess.run([sys.executable, "-c", code, how], capture_output=True, text=True, check=True).stdout
        for how in ("cold", "preload")
    ]
    assert answers[0] == answers[1] == "fr bbc.co.uk x.blogspot.com\n"


def test_a_value_wanted_while_another_thread_builds_it_is_built_once():
    built = []

    def build():
        built.append(threading.current_thread().name)
        time.sleep(0.2)  # a slow build: the model's decompression
        return "model"

    loaded = textmeta._Loaded(build)
    try:
        early = threading.Thread(target=loaded.get, name="preload")
        early.start()
        time.sleep(0.05)
        assert loaded.get() == "model"  # waits for the build under way
        early.join()
        assert built == ["preload"]
    finally:
        textmeta._LOADED.remove(loaded)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_child_forked_during_a_build_builds_its_own():
    """The local executor forks its workers; one forked while ``preload``'s thread holds the
    lock would otherwise wait for ever for a build that does not run in it."""
    parent = os.getpid()
    release = threading.Event()

    def build():
        if os.getpid() != parent:
            return "child's"
        release.wait(10)
        return "parent's"

    loaded = textmeta._Loaded(build)
    try:
        builder = threading.Thread(target=loaded.get)
        builder.start()
        time.sleep(0.05)  # the build holds the lock
        pid = os.fork()
        if pid == 0:  # the child: SIGALRM ends it if it waits
            signal.alarm(5)
            os._exit(0 if loaded.get() == "child's" else 1)
        _, status = os.waitpid(pid, 0)
        release.set()
        builder.join()
        assert os.waitstatus_to_exitcode(status) == 0
        assert loaded.get() == "parent's"
    finally:
        release.set()
        textmeta._LOADED.remove(loaded)


def test_a_build_that_fails_in_preload_is_reported_by_the_page_that_needs_it(monkeypatch):
    def build():
        raise OSError("model file unreadable")

    broken = textmeta._Loaded(build)
    try:
        monkeypatch.setattr(textmeta, "_LANGUAGE_MODEL", broken)
        uncaught = []
        monkeypatch.setattr(threading, "excepthook", uncaught.append)
        textmeta.preload().join()
        assert not uncaught  # no traceback from the thread
        with pytest.raises(OSError, match="unreadable"):
            textmeta.detect_language(FRENCH)
    finally:
        textmeta._LOADED.remove(broken)

"""The commit at the end of a build is reported: a line as it starts, one with its duration, and
"still ..." lines from a timer thread while it runs, a thread that never outlives the commit."""

import io
import re
import subprocess
import sys
import threading
import time

import pytest

from indexer.progress import PHASE_THREAD, Lines, Silent

from .paths import DATA, PROJECT, SEEDS


def phase_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == PHASE_THREAD]


@pytest.mark.parametrize("extra", [(), ("--full",)])
def test_the_index_command_reports_the_commit_on_stderr(tmp_path, extra):
    index = tmp_path / "index"
    command = [sys.executable, "-m", "indexer.cli", "index", str(SEEDS), "--index", str(index), *extra]
    first = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "writing the index: merging 1 segment..." in first.stderr
    assert re.search(r"^writing the index: done in \d+\.\d s$", first.stderr, re.MULTILINE)
    assert first.stdout.startswith("full rebuild: 2 added")
    # An update adds a segment to the one there: the line says how many the commit merges.
    update = [sys.executable, "-m", "indexer.cli", "index", str(DATA / "articles.jsonl"), "--index", str(index)]
    second = subprocess.run(update, cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "writing the index: merging 2 segments..." in second.stderr
    assert "writing the index: done in" in second.stderr


def test_a_long_commit_says_it_is_still_running_and_its_thread_stops():
    stream = io.StringIO()
    with Lines(stream, interval=0.05).phase("writing the index", "merging 3 segments"):
        assert len(phase_threads()) == 1
        time.sleep(0.3)
    assert phase_threads() == []
    lines = stream.getvalue().splitlines()
    assert lines[0] == "writing the index: merging 3 segments..."
    assert any(line.startswith("still writing the index... ") and line.endswith(" s") for line in lines[1:-1])
    assert re.fullmatch(r"writing the index: done in 0\.\d s", lines[-1])


def test_a_failed_commit_stops_the_thread_and_claims_no_duration():
    stream = io.StringIO()
    with pytest.raises(OSError), Lines(stream, interval=0.05).phase("writing the index"):
        raise OSError("disk full")
    assert phase_threads() == []
    assert "done" not in stream.getvalue()


def test_silent_progress_starts_no_thread():
    with Silent().phase("writing the index", "merging 2 segments"):
        assert phase_threads() == []

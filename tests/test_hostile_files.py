"""Hostile input files: none ends a run, eats memory, or damages the index being served.

Each test runs the real ``newsfacet`` command on real files and checks the
message, the exit code, the other inputs indexed and the index left intact.
"""

import gzip
import json
import os
import resource
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.errors import IndexWriteError
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService

from .paths import SEED_MAZDA, SEED_TOYOTA, SEEDS

NEWSFACET = Path(sys.executable).parent / "newsfacet"
GOOD_RECORD = {"id": "good", "title": "Toyota builds a plant", "body": "Toyota said it would build a plant."}


def newsfacet(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NEWSFACET), *(os.fsdecode(a) for a in args)], capture_output=True, text=True, timeout=300, **kwargs
    )


def indexed_ids(index: Path) -> list[str]:
    result = SearchService.for_index(index).search(SearchRequest(per_page=100))
    return sorted(hit.id for hit in result.hits)


def skipped_lines(stderr: str) -> list[str]:
    return sorted(line for line in stderr.splitlines() if line.startswith("skipped "))


def write_jsonl(path: Path, *records) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), "utf-8")
    return path


def test_json_nested_too_deep_is_skipped_and_the_rest_indexed(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    write_jsonl(inputs / "n.jsonl", "[" * 100_000 + "]" * 100_000, GOOD_RECORD)
    (inputs / "deep.json").write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    result = newsfacet("index", "--index", tmp_path / "ix", inputs)
    assert result.returncode == 0, result.stderr
    assert skipped_lines(result.stderr) == [
        f"skipped {inputs / 'deep.json'}: JSON nested over 64 levels deep",
        f"skipped {inputs / 'n.jsonl'}:1: JSON nested over 64 levels deep",
    ]
    assert indexed_ids(tmp_path / "ix") == ["n/good"]


def test_a_file_name_that_is_not_utf8_keeps_a_stable_readable_id(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    name = os.fsdecode(b"bad\xff\xfe.txt")
    (inputs / name).write_text("Panasonic news\n\nPanasonic sells batteries.\n", "utf-8")
    (inputs / "other.txt").write_text("Mazda news\n\nMazda sells cars.\n", "utf-8")
    first = newsfacet("index", "--index", tmp_path / "ix", inputs)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("full rebuild: 2 added")
    assert indexed_ids(tmp_path / "ix") == ["bad~FF~FE", "other"]
    article = SearchService.for_index(tmp_path / "ix").get_article("bad~FF~FE")
    assert (article.title, article.origin) == ("Panasonic news", f"{inputs}/bad\\xff\\xfe.txt")
    again = newsfacet("index", "--index", tmp_path / "ix", inputs)
    assert again.stdout.startswith("incremental: 0 added, 0 updated, 2 unchanged, 0 removed, 0 skipped")
    (inputs / name).unlink()
    gone = newsfacet("index", "--index", tmp_path / "ix", inputs)
    assert gone.stdout.startswith("incremental: 0 added, 0 updated, 1 unchanged, 1 removed, 0 skipped")


def _special_files(folder: Path) -> dict[str, str]:
    """Things in a folder that are not regular files, and the reason each is skipped."""
    folder.mkdir()
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "dangling.txt").symlink_to("nowhere.txt")
    os.mkfifo(folder / "pipe.txt")
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(folder / "socket.txt"))
    listening.close()
    (folder / "elsewhere").symlink_to(SEEDS)
    return {
        "dangling.txt": "symbolic link to nowhere.txt, which does not exist",
        "elsewhere": "link to a folder, not followed (give its path to index it)",
        "loop.txt": "symbolic link loop",
        "pipe.txt": "not a regular file (a FIFO); not read",
        "socket.txt": "not a regular file (a socket); not read",
    }


def test_links_fifos_and_sockets_are_reported_never_opened(tmp_path):
    folder = tmp_path / "in"
    reasons = _special_files(folder)
    write_jsonl(folder / "good.jsonl", GOOD_RECORD)
    given = [folder / "loop.txt", folder / "pipe.txt", folder / "dangling.txt", Path("/dev/null")]
    assert newsfacet("index", "--index", tmp_path / "ix", SEEDS).returncode == 0
    result = newsfacet("index", "--index", tmp_path / "ix", folder, *given)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("incremental: 1 added, 0 updated, 0 unchanged, 0 removed, 9 skipped")
    assert skipped_lines(result.stderr) == sorted(
        [f"skipped {folder / name}: {reason}" for name, reason in reasons.items()]
        + [f"skipped {path}: {reasons[path.name]}" for path in given[:3]]
        + ["skipped /dev/null: not a regular file (a device); not read"]
    )
    assert indexed_ids(tmp_path / "ix") == sorted(["good/good", SEED_TOYOTA, SEED_MAZDA])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_an_unreadable_file_is_reported(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    locked = folder / "locked.txt"
    locked.write_text("Headline\n\nBody.", "utf-8")
    locked.chmod(0)
    write_jsonl(folder / "good.jsonl", GOOD_RECORD)
    result = newsfacet("index", "--index", tmp_path / "ix", folder)
    assert skipped_lines(result.stderr) == [f"skipped {locked}: cannot read file: Permission denied"]
    assert indexed_ids(tmp_path / "ix") == ["good/good"]


def test_a_huge_record_is_skipped_in_bounded_memory(tmp_path):
    big = tmp_path / "big.jsonl.gz"
    with gzip.open(big, "wb", compresslevel=1) as handle:
        handle.write(b'{"id": "huge", "title": "Huge", "body": "')
        chunk = b"word " * 200_000
        for _ in range(190):
            handle.write(chunk)
        handle.write(b'"}\n' + json.dumps(GOOD_RECORD).encode() + b"\n")
    # Measured in a child of a child, so no other test's processes count.
    measure = (
        "import resource, subprocess, sys\n"
        "result = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(result.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(result.stderr, file=sys.stderr)\n"
    )
    command = [sys.executable, "-c", measure, str(NEWSFACET), "index", "--index", str(tmp_path / "ix"), str(big)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    code, peak_kb = map(int, result.stdout.split())
    assert code == 0, result.stderr
    assert skipped_lines(result.stderr) == [
        f"skipped {big}:1: line is 190,000,044 bytes, over the limit for one record"
    ]
    assert indexed_ids(tmp_path / "ix") == ["big/good"]
    assert peak_kb < 500 * 1024


def test_csv_rows_are_bounded_and_reported_at_their_own_line(tmp_path):
    long_field = "x" * 140_000  # over Python's default CSV field limit, under the record limit
    too_long = "y" * 1_100_000
    path = tmp_path / "rows.csv"
    path.write_text(
        "title,body\n"
        '"Row one","Body one"\n'
        f'"Long row","{long_field}"\n'
        f'"Too long","{too_long}\n{too_long}"\n'
        '"Row five","Body five\ngoes on"\n'
        '"Row seven","Body seven"\n',
        "utf-8",
    )
    result = newsfacet("index", "--index", tmp_path / "ix", "--max-record-mb", "1", path)
    assert result.returncode == 0, result.stderr
    assert skipped_lines(result.stderr) == [f"skipped {path}:4: row is 2,200,015 bytes, over the limit for one record"]
    assert indexed_ids(tmp_path / "ix") == ["rows/line-2", "rows/line-3", "rows/line-6", "rows/line-8"]


@pytest.mark.parametrize("clean_start", [True, False], ids=["nul-after-8k", "no-nul"])
def test_random_bytes_are_skipped_as_binary(tmp_path, clean_start):
    data = bytearray(os.urandom(2 * 1024 * 1024))
    if clean_start:
        data[:8192] = data[:8192].replace(b"\x00", b"\x01")
        data[9000] = 0
    else:
        data = data.replace(b"\x00", b"\x01")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "random.txt").write_bytes(bytes(data))
    write_jsonl(
        folder / "records.jsonl",
        GOOD_RECORD,
        {"id": "junk", "title": "x", "body": os.urandom(4000).decode("latin-1")},
        {"id": "stray", "title": "Bell\u0007 and \u001b[31mescape\ufffe", "body": "Mazda\u0000 sells cars.\ud800"},
    )
    result = newsfacet("index", "--index", tmp_path / "ix", folder)
    assert result.returncode == 0, result.stderr
    assert skipped_lines(result.stderr) == [
        f"skipped {folder / 'random.txt'}: file is binary, not text",
        f"skipped {folder / 'records.jsonl'}:2: text is mostly control characters: binary data, not an article",
    ]
    assert indexed_ids(tmp_path / "ix") == ["records/good", "records/stray"]
    stray = SearchService.for_index(tmp_path / "ix").get_article("records/stray")
    assert (stray.title, stray.body) == ("Bell and [31mescape", "Mazda sells cars.")


def _no_bigger_files_than(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_a_failed_write_is_one_line_and_the_served_index_stays(tmp_path, full):
    index = tmp_path / "ix"
    assert newsfacet("index", "--index", index, SEEDS).returncode == 0
    body = " ".join(f"Word{n} Toyota builds batteries." for n in range(5000))
    write_jsonl(tmp_path / "new.jsonl", {"id": "new", "title": "New plant", "body": body})
    result = newsfacet(
        "index",
        "--index",
        index,
        *(["--full"] if full else []),
        SEEDS,
        tmp_path / "new.jsonl",
        preexec_fn=_no_bigger_files_than(20_000),
    )
    assert result.returncode == IndexWriteError.exit_code
    # Progress lines may come first ("writing the index: merging 2 segments..."); the failure is one line.
    (line,) = [line for line in result.stderr.strip().splitlines() if not line.startswith("writing the index")]
    assert line.startswith(f"Error: cannot write the index at {index}: File too large") or (
        full and "failed; the served index is unchanged: cannot write: File too large" in line
    )
    assert indexed_ids(index) == sorted([SEED_TOYOTA, SEED_MAZDA])

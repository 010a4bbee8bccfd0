"""The one helper that runs a server on a free loopback port for the benchmarks and the browser tests."""

from __future__ import annotations

import sys
import urllib.request

import pytest

from benchmarks.serving import serving


def _http_server(folder):
    return lambda port: [
        sys.executable,
        "-m",
        "http.server",
        "--bind",
        "127.0.0.1",
        "--directory",
        str(folder),
        str(port),
    ]


def test_yields_a_server_that_answers_and_stops_it_afterwards(tmp_path):
    (tmp_path / "ready.txt").write_text("yes")
    with serving(_http_server(tmp_path), "/ready.txt", name="http.server") as server:
        assert server.base == f"http://127.0.0.1:{server.port}"
        with urllib.request.urlopen(f"{server.base}/ready.txt", timeout=10) as response:
            assert response.read() == b"yes"
        assert server.process.poll() is None
        assert "GET /ready.txt" in server.log_tail()  # its output goes to the log, not to a pipe
    assert server.process.poll() is not None


def test_stops_the_server_when_the_block_raises(tmp_path):
    with pytest.raises(KeyError):
        with serving(_http_server(tmp_path), name="http.server") as server:
            raise KeyError("the caller failed")
    assert server.process.poll() is not None


def test_a_server_that_exits_is_reported_with_its_output():
    def failing(port):
        return [sys.executable, "-c", "import sys; print('no index here', file=sys.stderr); sys.exit(3)"]

    with pytest.raises(RuntimeError, match=r"(?s)broken server on port \d+ exited with status 3.*no index here"):
        with serving(failing, name="broken server"):
            pytest.fail("a server that exited was yielded")


def test_a_server_that_never_answers_times_out():
    def silent(port):
        return [sys.executable, "-c", "import time; time.sleep(60)"]

    with pytest.raises(RuntimeError, match=r"silent server on port \d+ did not answer GET /health within 0.5 s"):
        with serving(silent, "/health", name="silent server", startup_timeout=0.5):
            pytest.fail("a server that never answered was yielded")

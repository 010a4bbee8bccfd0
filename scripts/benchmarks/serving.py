"""Run an HTTP server as a child process on a free loopback port, for as long as a ``with`` block.

The load test, the scale benchmark, the Datasette baseline and the browser tests
all need the same thing: a server they can ask, that is known to answer before
the first timed request, and that is gone afterwards whatever happened. Its
output goes to a temporary file rather than a pipe: nobody reads a pipe while
the server runs, and a full one (waitress warns of queued requests under load)
would stall the server mid-run. Only 127.0.0.1 is ever bound or asked.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from os import PathLike
from typing import IO

HOST = "127.0.0.1"
_LOG_TAIL = 4000  # characters of the server's output quoted when it fails to start


@dataclass(frozen=True)
class Server:
    """A running server: where to ask it, and its process (for its id and memory)."""

    base: str  # "http://127.0.0.1:<port>", no trailing slash
    port: int
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, characters: int = _LOG_TAIL) -> str:
        """The end of what the server wrote to stdout and stderr so far.

        Read with ``pread``: the server shares the file's offset, and moving it would
        make the server's next line overwrite earlier ones.
        """
        size = os.fstat(self.log.fileno()).st_size
        start = max(0, size - 4 * characters)  # at most four bytes a character in UTF-8
        return os.pread(self.log.fileno(), size - start, start).decode("utf-8", "replace")[-characters:]


def free_port() -> int:
    """A loopback port nobody listens on now; should another process take it first, startup says so."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def serving(
    command: Callable[[int], Sequence[str]],
    ready_path: str = "/",
    *,
    name: str = "server",
    startup_timeout: float = 60.0,
    stop_timeout: float = 10.0,
) -> Iterator[Server]:
    """Start ``command(port)`` on a free loopback port and yield it once ``GET ready_path`` succeeds.

    ``command`` builds the command line from the port, as every server takes it in its own
    option. Startup fails with :class:`RuntimeError`, quoting the server's output, when the
    process exits or does not answer within ``startup_timeout`` seconds. Leaving the block
    always stops the process: terminated, then killed after ``stop_timeout`` seconds.
    """
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(list(command(port)), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        server = Server(f"http://{HOST}:{port}", port, process, log)
        try:
            _wait_until_answering(server, ready_path, name, startup_timeout)
            yield server
        finally:
            _stop(process, stop_timeout)


def _wait_until_answering(server: Server, path: str, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error = "no answer yet"
    while server.process.poll() is None and time.monotonic() < deadline:
        try:
            # urllib closes the connection after each answer: nothing is left open for the server.
            with urllib.request.urlopen(server.base + path, timeout=5.0) as response:
                response.read()
            return
        except urllib.error.HTTPError as error:  # answering, but not yet (or not) with this page
            last_error = f"HTTP {error.code}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.1)
    state = (
        f"exited with status {server.process.returncode}"
        if server.process.poll() is not None
        else f"did not answer GET {path} within {timeout:g} s ({last_error})"
    )
    raise RuntimeError(f"{name} on port {server.port} {state}; its output:\n{server.log_tail()}")


def _stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def newsfacet_command(index: str | PathLike[str]) -> Callable[[int], list[str]]:
    """The command line of ``newsfacet serve`` over ``index``, from the port, with this Python."""
    return lambda port: [
        sys.executable,
        "-m",
        "indexer.cli",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--index",
        str(index),
    ]


@contextmanager
def newsfacet_server(index: str | PathLike[str], startup_timeout: float = 60.0) -> Iterator[Server]:
    """``newsfacet serve`` over ``index`` on a free loopback port, once its search API answers."""
    with serving(
        newsfacet_command(index), "/api/search", name="newsfacet serve", startup_timeout=startup_timeout
    ) as server:
        yield server

"""Helpers for the processes a bulk reindex forks."""

from __future__ import annotations

import os
import threading
import time

PARENT_CHECK_SECONDS = 0.2


def exit_with_parent() -> None:
    """End this forked process when the process that started it is gone.

    A reindex killed mid-run (Ctrl-C, a timeout, the OOM killer) must not leave
    workers behind: they would wait forever on queues nobody reads, or keep
    writing files nobody will use.
    """
    threading.Thread(target=_watch, args=(os.getppid(),), daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)

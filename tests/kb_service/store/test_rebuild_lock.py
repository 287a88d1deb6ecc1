"""Whose is an Elasticsearch rebuild lock left behind: a live process's, or a dead one's?"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from kb_service.store.elastic import LOCK_STALE_SECONDS, _holder_is_dead


@pytest.fixture(scope="module")
def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_lock_of_a_process_gone_from_this_host_is_dead_at_once(dead_pid):
    assert _holder_is_dead({"host": socket.gethostname(), "pid": dead_pid, "heartbeat": time.time()})


def test_a_lock_of_a_live_process_here_is_alive_however_old(dead_pid):
    old = time.time() - 10 * LOCK_STALE_SECONDS
    assert not _holder_is_dead({"host": socket.gethostname(), "pid": os.getpid(), "heartbeat": old})
    assert not _holder_is_dead({"host": socket.gethostname(), "pid": os.getppid(), "heartbeat": old})


def test_a_lock_from_another_host_is_dead_only_without_a_recent_heartbeat():
    now = time.time()
    assert not _holder_is_dead({"host": "es-indexer-2", "pid": 1, "heartbeat": now - 60})
    assert _holder_is_dead({"host": "es-indexer-2", "pid": 1, "heartbeat": now - LOCK_STALE_SECONDS - 1})
    assert _holder_is_dead({"since": now - LOCK_STALE_SECONDS - 1})  # a lock from before heartbeats

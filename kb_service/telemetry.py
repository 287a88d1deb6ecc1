"""Where time goes: per-request timings (``Server-Timing``) and Prometheus metrics.

A request opens a :class:`Timings` collector (``api/observability.py``);
everything below adds to it without knowing about HTTP: the store (every
call, through :class:`TimedStore`) under ``store`` and the encoder under
``embed``. The same measurements feed the Prometheus histograms served at
``/metrics``. Outside a request (the CLI, the indexer) only the histograms
move.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from prometheus_client import Histogram

STORE_SECONDS = Histogram(
    "kb_store_seconds", "Search-store call latency", ["operation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
EMBED_SECONDS = Histogram(
    "kb_embed_seconds", "Encoder latency per call", ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)  # fmt: skip


class Timings:
    """Milliseconds spent per phase within one request."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.phases: dict[str, float] = defaultdict(float)

    def add(self, phase: str, seconds: float) -> None:
        self.phases[phase] += seconds * 1000.0

    def header(self) -> str:
        """``Server-Timing``: embed and store always present (0 when unused), then total."""
        total = (time.perf_counter() - self.started) * 1000.0
        parts = [f"{name};dur={self.phases.get(name, 0.0):.1f}" for name in ("embed", "store")]
        parts += [f"{name};dur={ms:.1f}" for name, ms in self.phases.items() if name not in ("embed", "store")]
        parts.append(f"total;dur={total:.1f}")
        return ", ".join(parts)


_current: ContextVar[Timings | None] = ContextVar("kb_timings", default=None)


@contextmanager
def request_timings() -> Iterator[Timings]:
    timings = Timings()
    token = _current.set(timings)
    try:
        yield timings
    finally:
        _current.reset(token)


def record(phase: str, seconds: float) -> None:
    timings = _current.get()
    if timings is not None:
        timings.add(phase, seconds)


@contextmanager
def timed_embedding(kind: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        EMBED_SECONDS.labels(kind).observe(elapsed)
        record("embed", elapsed)


class TimedStore:
    """A search store whose every call is timed; otherwise the store itself.

    Generators (``iter_sources``) and context managers (``rebuilding``) are
    timed while they are entered, not while the caller consumes them.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @property
    def inner(self) -> Any:
        return self._inner

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not callable(attribute) or name.startswith("_"):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return attribute(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                STORE_SECONDS.labels(name).observe(elapsed)
                record("store", elapsed)

        return call

"""``kb`` as a separate process, with the stand-in encoder and the small statute set.

Tests that must kill ``kb index`` half-way, or run it beside the API, start it
through this module (``python -m tests.reliability.kb_fast index …``): the
same command line, settings from the environment as always, but vectors from
``tests.fakes.HashingEmbedder`` so that no model loads. With
``KB_TEST_ENCODE_DELAY`` (seconds), every encoder call first writes
``encoded N`` to stderr and then waits that long: a test can see how far the
run has got and kill it in the middle of a collection.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

import cli.main as kb
from kb_service.analysis import ChineseAnalyzer
from kb_service.embeddings import CachedEmbedder
from kb_service.service import Services
from kb_service.settings import load_settings
from kb_service.store import build_store
from kb_service.telemetry import TimedStore
from tests.fakes import HashingEmbedder, SmallStatuteSet


class _Observed(HashingEmbedder):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self._delay = delay

    def encode(self, texts) -> np.ndarray:
        vectors = super().encode(texts)
        print(f"encoded {self.calls}", file=sys.stderr, flush=True)
        time.sleep(self._delay)
        return vectors


def main() -> None:
    from laws import indexing
    from laws.source import statute_database

    settings = load_settings()
    delay = float(os.environ.get("KB_TEST_ENCODE_DELAY", "0"))
    encoder = _Observed(delay) if delay else HashingEmbedder()
    kb._services = Services(
        settings=settings,
        store=TimedStore(build_store(settings)),
        analyzer=ChineseAnalyzer(),
        # its own cache: vectors cached by the test process would hide the encoder's calls
        embedder=CachedEmbedder(encoder, settings.data_dir / "kb-fast-embedding-cache.sqlite3"),
    )
    small = SmallStatuteSet(statute_database())
    indexing.statute_database = lambda: small
    kb.main()


if __name__ == "__main__":
    main()

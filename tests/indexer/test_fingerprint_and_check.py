"""A collection's fingerprint skips reading an unchanged input; its check warns and annotates.

Plumbing on the embedded store with the stand-in encoder: a small collection of
one text file per record, whose fingerprint is the folder's content.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from indexer.pipeline import Indexer
from indexer.spec import Checked, CollectionSpec, Prepared
from kb_service.embeddings import CachedEmbedder
from kb_service.library import Loaded, Rejection
from kb_service.settings import load_settings
from kb_service.store import CollectionSchema, build_store
from tests.fakes import HashingEmbedder


@dataclass(frozen=True)
class Note:
    id: str
    text: str


def _schema(dimension: int) -> CollectionSchema:
    return CollectionSchema(name="notes", text_fields={"text": 1.0}, vector_dimension=dimension)


class Notes:
    """A collection read from ``notes/*.txt``; counts how often it is read."""

    def __init__(self) -> None:
        self.loads = 0

    def load(self, libraries: list[Path]) -> Iterator[Loaded | Rejection]:
        self.loads += 1
        for library in libraries:
            for path in sorted((library / "notes").glob("*.txt")):
                text = path.read_text(encoding="utf-8")
                if not text.strip():
                    yield Rejection(path, 1, "空文件")
                else:
                    yield Loaded(Note(path.stem, text), path, 1)

    @staticmethod
    def fingerprint(libraries: list[Path]) -> str:
        return "\n".join(
            f"{p} {p.read_text(encoding='utf-8')}"
            for library in libraries
            for p in sorted((library / "notes").glob("*.txt"))
        )

    @staticmethod
    def prepare(note: Note, analyzer) -> list[Prepared]:
        return [
            Prepared(
                note.id, {"text": note.text}, {"text": analyzer.index_text(note.text)}, note.text
            )
        ]

    def spec(self, **extra) -> CollectionSpec:
        return CollectionSpec(
            name="notes", schema=_schema, load=self.load, prepare=self.prepare, **extra
        )


@pytest.fixture
def indexer(tmp_path, analyzer):
    settings = load_settings(data_dir=tmp_path / "data")
    store = build_store(settings)
    yield Indexer(store, analyzer, CachedEmbedder(HashingEmbedder(), tmp_path / "cache.sqlite3"))
    store.close()


@pytest.fixture
def library(tmp_path) -> Path:
    root = tmp_path / "library"
    (root / "notes").mkdir(parents=True)
    for name, text in (("a", "借款到期不还"), ("b", "邻居噪声扰民"), ("c", "")):
        (root / "notes" / f"{name}.txt").write_text(text, encoding="utf-8")
    return root


def test_an_unchanged_fingerprint_reports_everything_unchanged_without_reading(indexer, library):
    notes = Notes()
    spec = notes.spec(fingerprint=notes.fingerprint)
    first = indexer.index(spec, [library], progress=False)
    assert (first.indexed, first.unchanged, len(first.rejected)) == (2, 0, 1)

    again = indexer.index(spec, [library], progress=False)
    assert notes.loads == 1  # not read again
    assert again.skipped and (again.indexed, again.unchanged) == (0, 2)
    assert again.as_dict()["rejected"] == first.as_dict()["rejected"]  # the bad file is still named

    (library / "notes" / "a.txt").write_text("借款到期不还，利息另算", encoding="utf-8")
    changed = indexer.index(spec, [library], progress=False)
    assert notes.loads == 2 and not changed.skipped
    assert (changed.indexed, changed.unchanged) == (1, 1)


def test_a_rebuild_or_a_collection_changed_behind_its_back_reads_everything(indexer, library):
    notes = Notes()
    spec = notes.spec(fingerprint=notes.fingerprint)
    indexer.index(spec, [library], progress=False)
    rebuilt = indexer.index(spec, [library], rebuild=True, progress=False)
    assert notes.loads == 2 and rebuilt.indexed == 2

    indexer._store.delete("notes", ["a"])  # the stored count no longer matches the record
    repaired = indexer.index(spec, [library], progress=False)
    assert notes.loads == 3 and (repaired.indexed, repaired.unchanged) == (1, 1)
    assert indexer._store.get("notes", "a")["text"] == "借款到期不还"


def test_another_model_is_another_fingerprint(indexer, library):
    notes = Notes()
    spec = notes.spec(fingerprint=notes.fingerprint)
    indexer.index(spec, [library], progress=False)
    indexer._embedder.inner.model_id = "another-model@test"
    indexer.index(spec, [library], progress=False)
    assert notes.loads == 2


def test_a_check_warns_beside_rejected_and_its_fields_are_stored(indexer, library):
    def checker(libraries):
        def check(note: Note) -> Checked:
            warnings = ({"problem": "含“不还”"},) if "不还" in note.text else ()
            return Checked(warnings, {"length": len(note.text)})

        return check

    notes = Notes()
    spec = notes.spec(check=checker)
    report = indexer.index(spec, [library], progress=False)
    path = str(library / "notes" / "a.txt")
    assert report.as_dict()["warnings"] == [
        {"path": path, "line": 1, "id": "a", "problem": "含“不还”"}
    ]
    assert report.indexed == 2  # a warned record still lands
    assert indexer._store.get("notes", "a")["length"] == 6

    again = indexer.index(spec, [library], progress=False)
    assert again.unchanged == 2 and again.as_dict()["warnings"] == report.as_dict()["warnings"]


def test_a_changed_finding_rewrites_the_record(indexer, library):
    found = {"level": 1}

    def checker(libraries):
        return lambda note: Checked((), dict(found))

    notes = Notes()
    spec = replace(notes.spec(), check=checker)
    indexer.index(spec, [library], progress=False)
    found["level"] = 2  # e.g. a law amended since the last run
    report = indexer.index(spec, [library], progress=False)
    assert report.indexed == 2 and indexer._store.get("notes", "b")["level"] == 2

"""What a case becomes in the search store: masked, analysed, embedded."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from cases.loading import load_cases
from cases.schema import Case
from indexer.spec import CollectionSpec, Prepared
from kb_service.analysis import ChineseAnalyzer
from kb_service.masking import Masker
from kb_service.store import CollectionSchema
from kb_service.vocabularies import region_path
from laws.checking import citation_checker

COLLECTION = "cases"

TEXT_FIELDS = {
    "title": 3.0,
    "tags": 2.0,
    "facts": 2.0,
    "process": 1.0,
    "outcome_text": 1.0,
    "legal_basis": 1.0,
    "commentary": 0.5,
}
"""Search fields and their boosts: title and facts weigh more than commentary."""

MASKED_TEXT_FIELDS = ("title", "facts", "process", "result", "agreement", "commentary")


def case_schema(dimension: int) -> CollectionSchema:
    return CollectionSchema(
        name=COLLECTION,
        text_fields=TEXT_FIELDS,
        vector_dimension=dimension,
        keyword_fields=frozenset(
            {"dispute_type", "region", "region_path", "org_level", "outcome", "channel", "level", "tags", "legal_basis",
             "cited_articles", "current_articles"}
        ),
        date_fields=frozenset({"date"}),
        number_fields=frozenset({"amount"}),
        bool_fields=frozenset({"confirmed", "honoured"}),
        highlight_fields=("title", "facts", "process", "agreement", "commentary"),
        browse_order="date",
    )


def mask_case(case: Case) -> Case:
    """The case with ID, phone and bank-card numbers and party names masked (texts, tags, units, source)."""
    persons = [p.name for p in case.parties if p.kind == "person"]
    texts = [getattr(case, f) or "" for f in MASKED_TEXT_FIELDS]
    masker = Masker.for_record(texts, persons)
    changes = {f: masker.mask(getattr(case, f)) for f in MASKED_TEXT_FIELDS}
    changes["parties"] = [
        p.model_copy(
            update={"name": masker.mask_name(p.name) if p.kind == "person" else p.name, "unit": masker.mask(p.unit)}
        )
        for p in case.parties
    ]
    changes["tags"] = [masker.mask(t) for t in case.tags]
    changes["source"] = masker.mask(case.source)
    return case.model_copy(update=changes)


def embed_text(case: Case) -> str:
    """What "cases like this one" compares: the dispute itself, title and facts."""
    return f"{case.title}。{case.facts}"


def prepare_case(case: Case, analyzer: ChineseAnalyzer) -> list[Prepared]:
    masked = mask_case(case)
    source = masked.labelled()
    source["region_path"] = region_path(masked.region)
    text = {
        "title": analyzer.index_text(masked.title),
        "tags": analyzer.index_text(masked.tags),
        "facts": analyzer.index_text(masked.facts),
        "process": analyzer.index_text(masked.process),
        "outcome_text": analyzer.index_text([masked.result or "", masked.agreement or ""]),
        "legal_basis": analyzer.index_text(masked.legal_basis),
        "commentary": analyzer.index_text(masked.commentary or ""),
    }
    return [Prepared(id=masked.id, source=source, text=text, embed_text=embed_text(masked))]


_SHAPING_MODULES = (
    "cases.indexing", "cases.loading", "cases.schema", "kb_service.masking", "kb_service.personal_numbers",
    "kb_service.vocabularies", "laws.checking",
)  # fmt: skip
"""The code that turns a case file into a stored document: a change to it re-reads every case."""


def case_fingerprint(libraries: list[Path]) -> str:
    """What the cases collection is built from: every case file's content, the statute
    database its citations are checked against (with the libraries' local regulations), and
    the code that shapes a stored case. Unchanged, ``kb index`` reports the last run again
    without reading a case (10,000 cases: seconds instead of minutes of masking, analysis
    and citation checks)."""
    from kb_service.library import files_under
    from laws.indexing import statute_fingerprint

    parts = [statute_fingerprint(libraries)]
    for name in _SHAPING_MODULES:
        __import__(name)
        parts.append(f"{name} {hashlib.sha256(Path(sys.modules[name].__file__).read_bytes()).hexdigest()}")
    for path in files_under(libraries, "cases", (".md", ".markdown", ".jsonl")):
        parts.append(f"{path} {hashlib.sha256(path.read_bytes()).hexdigest()}")
    return "\n".join(parts)


def _learn(store) -> None:
    from cases.classifier import learn  # scikit-learn loads only when something is learnt

    learn(store)


SPEC = CollectionSpec(
    name=COLLECTION,
    schema=case_schema,
    load=load_cases,
    prepare=prepare_case,
    idf_field="facts",
    learn=_learn,
    check=citation_checker,  # citations verified on the case's date: warnings, and the articles cited
    fingerprint=case_fingerprint,
)

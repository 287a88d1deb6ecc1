"""What a training material becomes in the search store: one document per section.

A trainer looks for the part of a material that teaches one thing (先行清偿,
司法确认的申请条件), not for the whole 90-minute lesson, so each section is
its own search document ``{material_id}#{n}`` carrying its heading path and the
material's fields for filtering. The indexer removes sections a changed
material no longer has.
"""

from __future__ import annotations

from typing import Any

from indexer.spec import CollectionSpec, Prepared
from kb_service.analysis import ChineseAnalyzer
from kb_service.personal_numbers import mask_numbers
from kb_service.store import CollectionSchema
from kb_service.vocabularies import MATERIAL_KINDS
from training.loading import load_materials
from training.schema import LEVELS, Material, topic_label

COLLECTION = "training"

TEXT_FIELDS = {"heading": 2.0, "text": 1.0, "title": 1.5, "topics": 1.5}
"""Search fields and their boosts: a section's own heading says most about it."""

MIN_SECTION_MINUTES = 5
"""No section is taught in less time than this, however short its text."""


def training_schema(dimension: int) -> CollectionSchema:
    return CollectionSchema(
        name=COLLECTION,
        text_fields=TEXT_FIELDS,
        vector_dimension=dimension,
        keyword_fields=frozenset({"material_id", "kind", "topics", "audience", "level"}),
        number_fields=frozenset({"minutes", "material_minutes", "position"}),
        highlight_fields=("text",),
    )


def section_minutes(material: Material) -> list[int]:
    """Each section's share of the material's minutes, by text length, at least 5."""
    lengths = [len(s.text) for s in material.sections]
    total = sum(lengths) or 1
    return [max(MIN_SECTION_MINUTES, round(material.minutes * n / total)) for n in lengths]


def _material_fields(material: Material) -> dict[str, Any]:
    return {
        "material_id": material.id,
        "title": material.title,
        "kind": material.kind,
        "kind_label": MATERIAL_KINDS.label(material.kind),
        "topics": material.topics,
        "topic_labels": [topic_label(t) for t in material.topics],
        "audience": material.audience,
        "level": material.level,
        "level_label": LEVELS.label(material.level),
        "material_minutes": material.minutes,
        **({"source": material.source} if material.source else {}),
    }


def prepare_material(material: Material, analyzer: ChineseAnalyzer) -> list[Prepared]:
    shared = _material_fields(material)
    # labels too, so that 劳动争议 finds a material tagged ``labor``
    topics_text = analyzer.index_text(shared["topic_labels"])
    title_text = analyzer.index_text(material.title)
    documents = []
    for n, (section, minutes) in enumerate(
        zip(material.sections, section_minutes(material), strict=True), 1
    ):
        body = mask_numbers(section.text)  # a phone or ID number quoted as an example is masked too
        source = {
            **shared,
            "section": section.name,
            "heading_path": section.heading_path,
            "position": n,
            "text": body,
            "minutes": minutes,
        }
        text = {
            "heading": analyzer.index_text(section.heading_path),
            "text": analyzer.index_text(body),
            "title": title_text,
            "topics": topics_text,
        }
        embed = f"{material.title}。{section.name}。{body}"
        documents.append(
            Prepared(id=f"{material.id}#{n}", source=source, text=text, embed_text=embed)
        )
    return documents


SPEC = CollectionSpec(
    name=COLLECTION,
    schema=training_schema,
    load=load_materials,
    prepare=prepare_material,
    idf_field="text",
)

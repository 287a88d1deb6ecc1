"""What an expert becomes in the search store."""

from __future__ import annotations

from experts.loading import load_experts
from experts.schema import Expert
from indexer.spec import CollectionSpec, Prepared
from kb_service.analysis import ChineseAnalyzer
from kb_service.personal_numbers import mask_numbers
from kb_service.store import CollectionSchema
from kb_service.vocabularies import DISPUTE_TYPES, PROFESSIONS, region_path

COLLECTION = "experts"

TEXT_FIELDS = {"expertise": 2.0, "specialties": 1.5, "profession": 1.0}


def expert_schema(dimension: int) -> CollectionSchema:
    return CollectionSchema(
        name=COLLECTION,
        text_fields=TEXT_FIELDS,
        vector_dimension=dimension,
        keyword_fields=frozenset({"profession", "specialties", "region", "region_path", "languages", "unit"}),
        number_fields=frozenset({"capacity", "load", "rating"}),
        bool_fields=frozenset({"available"}),
        highlight_fields=("expertise",),
    )


def embed_text(expert: Expert) -> str:
    specialties = "、".join(DISPUTE_TYPES.label(s) for s in expert.specialties)
    return f"{PROFESSIONS.label(expert.profession)}，擅长{specialties}。{expert.expertise}"


def prepare_expert(expert: Expert, analyzer: ChineseAnalyzer) -> list[Prepared]:
    # A number written into the free text is masked; the contact number belongs in ``phone``,
    # which is stored as given and shown only to coordinators and admins (CONTRACT §2).
    expert = expert.model_copy(
        update={"expertise": mask_numbers(expert.expertise), "unit": expert.unit and mask_numbers(expert.unit)}
    )
    source = expert.labelled()
    source["region_path"] = region_path(expert.region)
    text = {
        "expertise": analyzer.index_text(expert.expertise),
        "specialties": analyzer.index_text([DISPUTE_TYPES.label(s) for s in expert.specialties]),
        "profession": analyzer.index_text(PROFESSIONS.label(expert.profession)),
    }
    return [Prepared(id=expert.id, source=source, text=text, embed_text=embed_text(expert))]


SPEC = CollectionSpec(name=COLLECTION, schema=expert_schema, load=load_experts, prepare=prepare_expert)

"""Index one or more library folders into every collection (``kb index``).

Collections whose records live elsewhere (``CollectionSpec.source``: the dispute
register) are re-synced from there on every run. Case drafts approved from the
register are library files under ``KB_DATA_DIR/library``; that folder is always
indexed too, so a ``--rebuild`` keeps them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

from indexer.pipeline import Indexer
from indexer.spec import CollectionSpec
from kb_service.errors import InvalidInputError
from kb_service.library import sample_library
from kb_service.registry import collection_specs
from kb_service.service import Services


def index_libraries(
    services: Services,
    libraries: list[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: bool = True,
    only: Collection[str] | None = None,
) -> dict[str, Any]:
    """Counts per collection, as ``kb index --json`` prints them; ``only`` keeps to the named
    collections (benchmarks over one collection need not index 26,000 statute articles)."""
    folders = [Path(p) for p in libraries] if libraries else [sample_library()]
    for folder in folders:
        if not folder.is_dir():
            raise InvalidInputError(f"资料库文件夹不存在：{folder}", field="LIBRARY_DIR")
    own = approved_library(services)
    if own.is_dir() and own not in folders:
        folders.append(own)
    indexer = Indexer(services.store, services.analyzer, services.embedder)
    try:
        return {
            spec.name: indexer.index(_from_source(spec, services), folders, rebuild=rebuild, progress=progress).as_dict()
            for spec in collection_specs()
            if only is None or spec.name in only
        }
    finally:
        services.forget_meta()  # what was just learnt is what the next query should read


def approved_library(services: Services) -> Path:
    """The library folder of records this service wrote itself (approved case drafts)."""
    return services.settings.data_dir / "library"


def _from_source(spec: CollectionSpec, services: Services) -> CollectionSpec:
    if spec.source is None:
        return spec
    # An empty source still gets its (empty) collection, so /readyz can say the service is ready.
    services.store.ensure_collection(spec.schema(services.embedder.dimension))
    source = spec.source
    return replace(spec, load=lambda _libraries: iter(source(services)))

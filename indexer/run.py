"""Index one or more library folders into every collection (``kb index``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer.pipeline import Indexer
from kb_service.errors import InvalidInputError
from kb_service.library import sample_library
from kb_service.registry import collection_specs
from kb_service.service import Services


def index_libraries(
    services: Services, libraries: list[Path] | None = None, *, rebuild: bool = False, progress: bool = True
) -> dict[str, Any]:
    """Counts per collection, as ``kb index --json`` prints them."""
    folders = [Path(p) for p in libraries] if libraries else [sample_library()]
    for folder in folders:
        if not folder.is_dir():
            raise InvalidInputError(f"资料库文件夹不存在：{folder}", field="LIBRARY_DIR")
    indexer = Indexer(services.store, services.analyzer, services.embedder)
    return {
        spec.name: indexer.index(spec, folders, rebuild=rebuild, progress=progress).as_dict()
        for spec in collection_specs()
    }

"""Loading training materials from a library: ``training/*.md`` with front matter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kb_service.library import (
    Loaded,
    RawRecord,
    Rejection,
    field_line,
    files_under,
    read_markdown,
)
from kb_service.validation import validate_record
from training.schema import Material


def _sections(record: RawRecord, title: str) -> list[dict[str, Any]]:
    """Non-empty sections; the H1 that repeats the material's title is dropped from each path.

    A heading with only sub-headings under it has no text of its own and is not a
    section, but it stays in its children's heading paths.
    """
    found = []
    for path, text in record.data["_sections"]:
        if path and path[0].strip() == title:
            path = path[1:]
        if text:
            found.append({"heading_path": list(path), "text": text})
    return found


def _from_markdown(record: RawRecord) -> dict[str, Any]:
    data = {k: v for k, v in record.data.items() if not k.startswith("_")}
    data["sections"] = _sections(record, str(data.get("title", "")).strip())
    return data


def load_materials(libraries: list[Path]) -> Iterator[Loaded | Rejection]:
    """Every material of the libraries' ``training/`` folders, or the reason one was refused."""
    for path in files_under(libraries, "training", (".md", ".markdown")):
        for item in read_markdown(path):
            if isinstance(item, Rejection):
                yield item
                continue
            if "sections" in item.data:
                # the body's headings make the sections; the key in front matter is a mistake
                yield Rejection(
                    path,
                    field_line(item, "sections"),
                    "字段 sections：未知字段（章节由正文标题划分）",
                )
                continue
            material = validate_record(Material, item, _from_markdown(item))
            yield (
                material
                if isinstance(material, Rejection)
                else Loaded(material, item.path, item.line)
            )

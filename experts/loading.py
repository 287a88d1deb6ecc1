"""Loading experts: YAML (one expert or a list per file) or JSON Lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from experts.schema import Expert
from kb_service.library import Loaded, Rejection, files_under, read_jsonl, read_yaml
from kb_service.validation import validate_record


def load_experts(libraries: list[Path]) -> Iterator[Loaded | Rejection]:
    for path in files_under(libraries, "experts", (".yaml", ".yml", ".jsonl")):
        reader = read_jsonl if path.suffix.lower() == ".jsonl" else read_yaml
        for item in reader(path):
            if isinstance(item, Rejection):
                yield item
                continue
            expert = validate_record(Expert, item, item.data)
            yield expert if isinstance(expert, Rejection) else Loaded(expert, item.path, item.line)

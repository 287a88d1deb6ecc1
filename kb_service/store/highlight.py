"""Marks query terms in stored text, identically for both backends.

Search fields are pre-tokenised (search-mode segmentation repeats sub-words:
人民 调解 人民调解), so highlighting them would show a garbled text. We mark
the matched terms in the stored, human-readable text instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from kb_service.store.protocol import CollectionSchema

FRAGMENT_CHARS = 60
MAX_FRAGMENTS = 2

_RUN_CHAR = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")
"""Letters and digits that make up codes and numbers: a fragment never cuts through a run of
them (a snippet "…2404281830456789" would show half an order number as if it were whole)."""


def _widen(text: str, left: int, right: int) -> tuple[int, int]:
    while left > 0 and _RUN_CHAR.match(text[left - 1]) and _RUN_CHAR.match(text[left]):
        left -= 1
    while right < len(text) and _RUN_CHAR.match(text[right - 1]) and _RUN_CHAR.match(text[right]):
        right += 1
    return left, right


_FOLDED: dict[int, str] = {}
"""Character → its one-character NFKC lower-case form, for every character seen that has one
other than itself (full-width letters, digits and punctuation, capitals)."""
_SEEN: set[str] = set()


def _searchable(text: str) -> str:
    """Same length as ``text``: each character that folds (NFKC, lower-cased) to one character
    replaced by it, the others kept. A translation table of the characters seen so far does it
    in C: Chinese text is never NFKC as a whole (its full-width punctuation folds), and folding
    character by character in Python cost ~4 ms per case text, fifty hits of several fields a
    search."""
    new = set(text) - _SEEN
    for ch in new:
        folded = unicodedata.normalize("NFKC", ch).lower()
        if len(folded) == 1 and folded != ch:
            _FOLDED[ord(ch)] = folded
    _SEEN.update(new)
    return text.translate(_FOLDED)


@lru_cache(maxsize=256)
def _pattern(terms: frozenset[str]) -> re.Pattern[str] | None:
    """One alternation of the terms, longest first (escaping them was a third of highlighting,
    redone for every field of every hit of a search with the same terms)."""
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t))))


def highlight(text: str | None, terms: Iterable[str]) -> list[str]:
    """Up to ``MAX_FRAGMENTS`` snippets of ``text`` with matched terms in ``<em>``."""
    if not text:
        return []
    pattern = _pattern(frozenset(t for t in terms if t))
    if pattern is None:
        return []
    spans = [m.span() for m in pattern.finditer(_searchable(text))]
    if not spans:
        return []
    fragments: list[str] = []
    covered_to = -1
    for start, _ in spans:
        if start < covered_to or len(fragments) == MAX_FRAGMENTS:
            continue
        left = max(0, start - FRAGMENT_CHARS // 3)
        left, right = _widen(text, left, min(len(text), left + FRAGMENT_CHARS))
        inside = [(s, e) for s, e in spans if s >= left and e <= right]
        pieces, cursor = [], left
        for s, e in inside:
            if s < cursor:
                continue
            pieces.append(_escape(text[cursor:s]))
            pieces.append(f"<em>{_escape(text[s:e])}</em>")
            cursor = e
        pieces.append(_escape(text[cursor:right]))
        prefix = "…" if left > 0 else ""
        suffix = "…" if right < len(text) else ""
        fragments.append(prefix + "".join(pieces).replace("\n", " ") + suffix)
        covered_to = right
    return fragments


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def highlight_source(schema: CollectionSchema, source: dict[str, Any], terms: list[str]) -> dict[str, list[str]]:
    """Fragments for each of the collection's highlight fields that contains a term."""
    found = {}
    for field_name in schema.highlight_fields:
        fragments = highlight(source.get(field_name), terms)
        if fragments:
            found[field_name] = fragments
    return found

"""Chinese text analysis: normalise, segment with jieba, drop stopwords, expand synonyms.

Both search backends index the *output* of this module (space-separated
tokens, analysed by Elasticsearch's built-in ``whitespace`` analyzer or by the
embedded store's BM25), so the two see exactly the same terms.

Pipeline for a piece of text:

1. NFKC normalisation (full-width letters and digits become half-width),
   lower case, traditional → simplified Chinese with OpenCC (``t2s``);
2. jieba's search-mode segmentation with our mediation/legal user
   dictionary, so compound terms (人民调解协议) are kept *and* their parts
   (人民, 调解, 协议) are indexed too;
3. stopwords and punctuation removed.

Queries additionally go through the domain synonym table (噪音/噪声/吵闹/扰民),
with the added synonyms weighted below the words the user typed.
"""

from __future__ import annotations

import marshal
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

_CLAUSE_END = re.compile(r"(?<=[。，,!?;！？；\n])")
"""Split after these (after NFKC: ``!?;,`` stand for the full-width ones). They are outside
jieba's word pattern ``[\u4E00-\u9FD5a-zA-Z0-9+#&._%-]``, so jieba cuts there too."""
_REMEMBERED_CLAUSES = 50_000


SYNONYM_WEIGHT = 0.6
"""Weight of a term that the user did not type but the synonym table added."""

MAX_QUERY_TERMS = 24
"""A long pasted description is reduced to this many key terms (TF-IDF)."""

_DATA = resources.files("kb_service.analysis") / "data"


def _read_lines(name: str) -> list[str]:
    text = (_DATA / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _is_meaningful(token: str) -> bool:
    """A token worth indexing: not whitespace, not only punctuation or symbols."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


@dataclass(frozen=True)
class QueryTerms:
    """Weighted terms of a query, and which of them the user actually typed."""

    weights: dict[str, float] = field(default_factory=dict)
    typed: frozenset[str] = frozenset()


def read_prefix_cache(tokenizer) -> bool:
    """Give a fresh ``jieba.Tokenizer`` of the default dictionary the prefix dictionary from
    jieba's own cache file, read at once.

    jieba reads that file with ``marshal.load`` on the open file, which here takes 1.5 s of
    a cold ``kb search`` against 0.37 s for ``marshal.loads`` of its bytes: the same file,
    the same contents. Without a readable cache, False: ``initialize()`` builds it as ever."""
    path = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / (tokenizer.cache_file or "jieba.cache")
    try:
        tokenizer.FREQ, tokenizer.total = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return False
    tokenizer.initialized = True
    return True


class ChineseAnalyzer:
    """Normalises and segments Chinese text. Cheap to build; jieba loads on first use."""

    def __init__(self, user_dict: Path | None = None) -> None:
        self._user_dict = user_dict
        self._lock = threading.Lock()

    # -- resources, loaded once -------------------------------------------------
    @cached_property
    def _opencc(self):
        import opencc

        return opencc.OpenCC("t2s")

    @cached_property
    def _jieba(self):
        import jieba

        with self._lock:
            tokenizer = jieba.Tokenizer()
            if not read_prefix_cache(tokenizer):
                tokenizer.initialize()  # builds the dictionary and writes the cache
            if self._user_dict is not None:
                tokenizer.load_userdict(str(self._user_dict))
            else:
                with resources.as_file(_DATA / "userdict.txt") as path:
                    tokenizer.load_userdict(str(path))
            return tokenizer

    @cached_property
    def stopwords(self) -> frozenset[str]:
        return frozenset(self.normalize(word) for word in _read_lines("stopwords.txt"))

    @cached_property
    def synonyms(self) -> dict[str, tuple[str, ...]]:
        """word → the other words of its group, all normalised."""
        table: dict[str, tuple[str, ...]] = {}
        for line in _read_lines("synonyms.txt"):
            group = [self.normalize(word) for word in line.split(",") if word.strip()]
            for word in group:
                table[word] = tuple(other for other in group if other != word)
        return table

    # -- analysis ------------------------------------------------------------------
    def normalize(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).lower()
        return self._opencc.convert(text)

    def tokens(self, text: str) -> list[str]:
        """Index-time tokens of ``text``, in order, with repeats (BM25 needs counts)."""
        if not text:
            return []
        normalized = self.normalize(text)
        return [token for piece in _CLAUSE_END.split(normalized) if piece for token in self._segmented(piece)]

    @cached_property
    def _segmented(self):
        """The tokens of one clause, remembered: libraries, registers and queries repeat the
        same clauses (经调解，双方自愿达成如下协议), and segmenting is most of indexing's
        CPU time. Cutting clause by clause gives what cutting the whole text gives: jieba
        itself splits at every character outside its word pattern, these included."""

        @lru_cache(maxsize=_REMEMBERED_CLAUSES)
        def segmented(piece: str) -> tuple[str, ...]:
            return tuple(
                token
                for token in (t.strip() for t in self._jieba.cut_for_search(piece))
                if token and token not in self.stopwords and _is_meaningful(token)
            )

        return segmented

    def index_text(self, text: str | Iterable[str]) -> str:
        """Pre-tokenised text for a search field: tokens joined by single spaces."""
        if not isinstance(text, str):
            text = "\n".join(text)
        return " ".join(self.tokens(text))

    def query_terms(
        self,
        text: str,
        *,
        idf: Mapping[str, float] | None = None,
        max_terms: int = MAX_QUERY_TERMS,
        expand_synonyms: bool = True,
    ) -> QueryTerms:
        """Weighted query terms: what was typed (weight 1) plus synonyms (lower).

        A long description (more distinct terms than ``max_terms``) is reduced to
        its key terms by TF-IDF, using ``idf`` learnt from the indexed collection
        where given, so the query does not OR together hundreds of tokens.
        """
        typed = self.tokens(text)
        distinct = list(dict.fromkeys(typed))
        if len(distinct) > max_terms:
            distinct = self._key_terms(typed, idf or {}, max_terms)
        weights = dict.fromkeys(distinct, 1.0)
        if expand_synonyms:
            for term in distinct:
                for synonym in self.synonyms.get(term, ()):
                    parts = self.tokens(synonym)
                    # A synonym that segments as one word adds that word only, not its
                    # sub-words (噪声污染 adds 噪声污染, not 污染).
                    for part in [synonym] if synonym in parts else parts:
                        weights.setdefault(part, SYNONYM_WEIGHT)
        return QueryTerms(weights=weights, typed=frozenset(distinct))

    @staticmethod
    def _key_terms(tokens: list[str], idf: Mapping[str, float], limit: int) -> list[str]:
        """The ``limit`` tokens with the highest tf·idf.

        A term the collection has never seen cannot match anything, so with
        statistics at hand it ranks last; without them, frequency decides.
        """
        counts: dict[str, int] = {}
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
        default_idf = 0.0 if idf else 1.0
        # Single characters carry little meaning on their own in Chinese.
        scored = sorted(
            counts,
            key=lambda t: (-(counts[t] * idf.get(t, default_idf) * (0.5 if len(t) == 1 else 1.0)), t),
        )
        return scored[:limit]

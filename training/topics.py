"""What a plain course topic is about: dispute types and material topics from its words.

A trainer types "婚姻家庭纠纷调解", not ``--type marriage --type family``. The
topic's words are read three ways:

1. a dispute type whose label is named (婚姻 → 婚姻纠纷, 家庭 → 家庭纠纷, and the
   words in a label's brackets: 赡养、抚养、继承 → family, 土地承包 → forest_land);
2. when no label is named, the dispute-type classifier learnt from the case
   library (``cases/classifier.py``: 欠薪 → labor), if it is sure;
3. the training materials' own free topics that share a meaningful word with
   the topic (婚姻家庭 → 婚姻家庭编; 司法确认 → 司法确认).

Words every topic has (纠纷, 调解, 培训 …) never decide anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb_service.analysis import ChineseAnalyzer
from kb_service.errors import CollectionNotIndexedError
from kb_service.service import Services
from kb_service.store import TermsFacet
from kb_service.vocabularies import DISPUTE_TYPES

GENERIC_WORDS = frozenset(
    {"纠纷", "调解", "矛盾", "化解", "争议", "培训", "专题", "课程", "实务", "技巧", "问题", "案例", "处理", "工作", "人民", "其他"}
)  # fmt: skip
"""Words that say a course is about mediation, not which mediation."""

_BRACKETED = re.compile(r"（(.+?)）")


@dataclass(frozen=True)
class TopicReading:
    dispute_types: list[str]
    material_topics: list[str]
    how: str
    """Why these types: ``named`` (labels in the words), ``classifier`` or ``none``."""


def _label_words(code: str) -> list[str]:
    """The words that name a type: its label's head and the parts in its brackets."""
    label = DISPUTE_TYPES.label(code)
    head = label.split("（")[0].removesuffix("纠纷")
    words = [head]
    for inside in _BRACKETED.findall(label):
        words += [w.removeprefix("含") for w in re.split(r"[、，,]", inside)]
    return [w for w in words if w and w not in GENERIC_WORDS]


def _meaningful(analyzer: ChineseAnalyzer, text: str) -> set[str]:
    return {t for t in analyzer.tokens(text) if len(t) >= 2 and t not in GENERIC_WORDS}


def named_types(analyzer: ChineseAnalyzer, topic: str) -> list[str]:
    """Dispute types whose label words the topic uses (a label word, or one of its parts)."""
    words = _meaningful(analyzer, topic)
    found = []
    for code in DISPUTE_TYPES.terms:
        if code == "other":
            continue
        for word in _label_words(code):
            if word in topic or words & _meaningful(analyzer, word):
                found.append(code)
                break
    return found


def read_topic(services: Services, topic: str) -> TopicReading:
    types = named_types(services.analyzer, topic)
    how = "named" if types else "none"
    if not types:
        guess = _classify(services, topic)
        if guess:
            types, how = [guess], "classifier"
    return TopicReading(types, _material_topics(services, topic, types), how)


def _classify(services: Services, topic: str) -> str | None:
    from cases.classifier import META_KEY, TypeClassifier
    from cases.indexing import COLLECTION

    data = services.meta(META_KEY)
    if not data:
        return None
    vector = services.embed_query(topic, COLLECTION)
    return TypeClassifier(data).guess(services.analyzer.tokens(topic), vector).dispute_type


def _material_topics(services: Services, topic: str, types: list[str]) -> list[str]:
    """The free topics of the indexed materials that share a meaningful word with the topic."""
    from training.indexing import COLLECTION

    try:
        buckets = services.store.aggregate(COLLECTION, {"topics": TermsFacet(field="topics", size=200)})
    except CollectionNotIndexedError:
        return []
    words = _meaningful(services.analyzer, topic)
    chosen = []
    for bucket in buckets["topics"]:
        value = bucket["value"]
        if value in DISPUTE_TYPES.terms:
            continue  # types are decided above
        if value in topic or words & _meaningful(services.analyzer, value):
            chosen.append(value)
    return chosen

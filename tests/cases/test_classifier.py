"""The dispute-type classifier: learnt at index time from the cases, kept in the store, calibrated."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from cases.classifier import META_KEY, TypeClassifier, fit
from tests.indexed_sample import hashing_services


@pytest.fixture(scope="module")
def indexed(indexed_sample_dir, analyzer):
    """The sample library as ``kb index`` leaves it: the classifier is learnt there."""
    return hashing_services(indexed_sample_dir)


def test_kb_index_learns_the_classifier_and_keeps_it_in_the_store(indexed):
    stored = indexed.store.get_meta(META_KEY)
    assert stored and len(stored["types"]) == 20 and stored["cases"] >= 150
    assert stored["temperature"] > 0


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("宅基地界址 翻建房屋 占了邻居家地", "housing_land"),
        ("物业费 电梯停运 业主委员会", "property_mgmt"),
        ("手术后 并发症 医院 过错 鉴定", "medical"),
        ("包工头 拖欠 农民工 工资", "labor"),
    ],
)
def test_words_a_type_is_told_by_are_classified_as_it(indexed, analyzer, words, expected):
    classifier = TypeClassifier(indexed.store.get_meta(META_KEY))
    guess = classifier.guess(analyzer.tokens(words), indexed.embedder.encode([words])[0])
    assert max(guess.probabilities, key=guess.probabilities.get) == expected
    assert sum(guess.probabilities.values()) == pytest.approx(1.0)


def test_an_unsure_guess_names_no_type(indexed, analyzer):
    classifier = TypeClassifier(indexed.store.get_meta(META_KEY))
    guess = classifier.guess(analyzer.tokens("今天天气不错"), None)
    assert guess.dispute_type is None and guess.as_dict()["dispute_type_label"] == "不确定"


def test_temperature_scaling_makes_probabilities_honest_on_held_out_data():
    # Two well-separated groups with label noise: confident but not certain.
    rng = np.random.default_rng(1)
    labels, tokens, vectors = [], [], []
    for i in range(120):
        kind = "labor" if i % 2 else "neighbor"
        word = "工资" if kind == "labor" else "噪声"
        flipped = rng.random() < 0.2
        labels.append(("neighbor" if kind == "labor" else "labor") if flipped else kind)
        tokens.append([word, "纠纷"])
        vectors.append(rng.normal(size=8) + (3 if kind == "labor" else -3))
    model = TypeClassifier(fit(labels, tokens, np.array(vectors)))
    p = model.guess(["工资", "纠纷"], vectors[1]).probabilities["labor"]
    assert 0.6 < p < 0.95  # about the 80 % the labels bear out, not 0.999


def test_a_large_library_trains_on_a_bounded_sample_that_keeps_every_type():
    from cases.classifier import training_sample

    sources = [{"id": f"c{i}", "dispute_type": "labor" if i % 10 else "medical"} for i in range(10_000)]
    sample = training_sample(sources, 1000)
    kinds = Counter(s["dispute_type"] for s in sample)
    assert 900 <= len(sample) <= 1100
    assert kinds["medical"] == 100 and kinds["labor"] == 900  # each type in its share
    assert [s["id"] for s in training_sample(list(reversed(sources)), 1000)] == [s["id"] for s in sample]
    assert training_sample(sources[:50], 1000) == sources[:50]  # a small library: every case

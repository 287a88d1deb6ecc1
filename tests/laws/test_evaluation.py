"""The judged questions name articles that exist, and the leave-one-out measure counts right."""

from __future__ import annotations

from pathlib import Path

from laws.evaluation import evaluate_suggestions, load_article_judgements
from laws.queries import LawLibrary
from laws.source import statute_database
from laws.suggestions import gather

JUDGED = Path(__file__).with_name("judged_queries.yaml")


def test_every_judged_article_exists_in_the_law_in_force():
    judgements = load_article_judgements(JUDGED)
    assert len(judgements) >= 35
    database = statute_database()
    for judgement in judgements:
        for law, number in judgement.relevant:
            held = database.resolve(law)
            assert held is not None and database.article(held.id, number), (
                judgement.query,
                law,
                number,
            )
    loan = next(j for j in judgements if j.query == "同事借钱不还")
    assert {("民法典", n) for n in range(667, 681)} == set(loan.relevant)


def test_leave_one_out_counts_a_case_when_its_top_5_holds_an_article_it_cites(law_services):
    library = LawLibrary(law_services)
    cases = [s for s in law_services.store.iter_sources("cases") if s["dispute_type"] == "contract"]
    weightings = [(1.0, 0.0), (0.0, 1.0)]
    scores = evaluate_suggestions(library, law_services, cases, weightings)
    judged = [c for c in cases if c.get("current_articles")]
    assert scores.cases == len(judged) > 0
    expected = {}
    for weighting in weightings:
        hits = 0
        for case in judged:
            evidence = gather(
                library, law_services, text=None, dispute_type="contract", case_id=case["id"]
            )
            top = {doc_id for doc_id, _ in evidence.ranked(*weighting)[:5]}
            hits += bool(top & set(case["current_articles"]))
        expected[weighting] = hits / len(judged)
    assert scores.hit_at_5 == expected

"""The batch assignment is optimal: equal to brute force, strictly better than greedy where greedy fails."""

from __future__ import annotations

import itertools
import random

import pytest

from experts.assignment import Problem, solve


def brute_force(problem: Problem) -> float:
    """Best total over every choice of up to K eligible experts per dispute within capacities."""
    options = []
    for d in problem.disputes:
        eligible = [e for (dd, e) in problem.scores if dd == d]
        choices = [c for k in range(problem.per_dispute + 1) for c in itertools.combinations(eligible, k)]
        options.append([(d, c) for c in choices])
    best = 0.0
    for combo in itertools.product(*options):
        used: dict[str, int] = {}
        for _, chosen in combo:
            for e in chosen:
                used[e] = used.get(e, 0) + 1
        if all(used[e] <= problem.free.get(e, 0) for e in used):
            best = max(best, sum(problem.scores[(d, e)] for d, chosen in combo for e in chosen))
    return best


def greedy(problem: Problem) -> float:
    """Highest-scoring pair first — what a coordinator would do by hand."""
    free = dict(problem.free)
    taken: dict[str, int] = {}
    total = 0.0
    for (d, e), score in sorted(problem.scores.items(), key=lambda kv: -kv[1]):
        if free.get(e, 0) > 0 and taken.get(d, 0) < problem.per_dispute:
            free[e] -= 1
            taken[d] = taken.get(d, 0) + 1
            total += score
    return total


def random_problem(rng: random.Random) -> Problem:
    disputes = [f"d{i}" for i in range(rng.randint(2, 4))]
    experts = [f"e{i}" for i in range(rng.randint(2, 4))]
    scores = {
        (d, e): round(rng.uniform(0.1, 1.0), 3) for d in disputes for e in experts if rng.random() > 0.25
    }
    return Problem(disputes, scores, {e: rng.randint(0, 2) for e in experts}, rng.randint(1, 2))


@pytest.mark.parametrize("seed", range(40))
def test_optimal_against_brute_force(seed):
    problem = random_problem(random.Random(seed))
    assigned, total = solve(problem)
    assert total == pytest.approx(brute_force(problem), abs=1e-3)
    for d, experts in assigned.items():
        assert len(experts) <= problem.per_dispute
        assert all((d, e) in problem.scores for e in experts)  # conflicts have no edge
    for e, free in problem.free.items():
        assert sum(e in experts for experts in assigned.values()) <= free


def test_strictly_better_than_greedy_on_a_crafted_case():
    # The hospital doctor A fits both disputes best; greedy gives A to d1 and
    # leaves d2 to the weak B. The optimum sends A to d2 and C to d1.
    problem = Problem(
        disputes=["d1", "d2"],
        scores={("d1", "A"): 0.95, ("d1", "C"): 0.90, ("d2", "A"): 0.90, ("d2", "B"): 0.20},
        free={"A": 1, "B": 1, "C": 1},
        per_dispute=1,
    )
    assigned, total = solve(problem)
    assert assigned == {"d1": ["C"], "d2": ["A"]}
    assert total == pytest.approx(1.80)
    assert total > greedy(problem) + 0.5

"""Batch assignment: experts to many disputes at once, maximising the total match score.

A min-cost flow (OR-Tools): source → each dispute (capacity K, the experts
wanted per dispute) → each eligible expert (capacity 1, cost −score) → sink
(capacity: the expert's free consultations). Every dispute also has a
zero-cost edge straight to the sink, so a slot that no eligible expert can
fill stays empty instead of making the flow infeasible. The optimum of this
flow is the assignment with the highest total score under capacity, experts
per dispute and conflicts (excluded pairs have no edge).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experts.matching import Evaluation, ExpertMatcher
from kb_service.dispute import DisputeBrief
from kb_service.errors import InvalidInputError, SolverError
from kb_service.library import RawRecord, read_jsonl
from kb_service.validation import validate_record

SCALE = 10_000
"""Scores are costs in integer ten-thousandths (min-cost flow needs integers)."""

UNLIMITED = 1_000
"""Free consultations of an expert who declares no capacity."""


@dataclass(frozen=True)
class Problem:
    """Eligible (dispute, expert) pairs with their scores, and each expert's free capacity."""

    disputes: list[str]
    scores: dict[tuple[str, str], float]
    free: dict[str, int]
    per_dispute: int


def solve(problem: Problem) -> tuple[dict[str, list[str]], float]:
    """The optimal assignment {dispute: [experts]} and its total score."""
    from ortools.graph.python import min_cost_flow

    flow = min_cost_flow.SimpleMinCostFlow()
    experts = sorted({e for _, e in problem.scores})
    source, sink = 0, 1
    dispute_node = {d: 2 + i for i, d in enumerate(problem.disputes)}
    expert_node = {e: 2 + len(problem.disputes) + i for i, e in enumerate(experts)}
    supply = problem.per_dispute * len(problem.disputes)
    arcs: dict[int, tuple[str, str]] = {}
    for d in problem.disputes:
        flow.add_arc_with_capacity_and_unit_cost(source, dispute_node[d], problem.per_dispute, 0)
        flow.add_arc_with_capacity_and_unit_cost(dispute_node[d], sink, problem.per_dispute, 0)
    for (d, e), score in sorted(problem.scores.items()):
        arc = flow.add_arc_with_capacity_and_unit_cost(dispute_node[d], expert_node[e], 1, -round(score * SCALE))
        arcs[arc] = (d, e)
    for e in experts:
        flow.add_arc_with_capacity_and_unit_cost(expert_node[e], sink, problem.free.get(e, 0), 0)
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)
    status = flow.solve()
    if status != flow.OPTIMAL:
        # The zero-cost overflow edges make every instance feasible, so this means the
        # solver itself failed (e.g. integer overflow on absurd capacities).
        raise SolverError(f"专家分配求解失败（OR-Tools 状态 {status}）：请检查专家容量与每起纠纷所需人数")
    assigned: dict[str, list[str]] = {d: [] for d in problem.disputes}
    total = 0.0
    for arc, (d, e) in arcs.items():
        if flow.flow(arc) > 0:
            assigned[d].append(e)
            total += problem.scores[(d, e)]
    return assigned, total


def free_capacity(expert: dict[str, Any]) -> int:
    capacity = expert.get("capacity")
    return UNLIMITED if capacity is None else max(0, capacity - expert.get("load", 0))


def assign(matcher: ExpertMatcher, disputes: Sequence[DisputeBrief], per_dispute: int = 1) -> dict[str, Any]:
    if not 1 <= per_dispute <= 10:
        raise InvalidInputError("per_dispute 应在 1 到 10 之间", field="per_dispute")
    if not disputes:
        raise InvalidInputError("没有需要分配的纠纷", field="disputes")
    ids = [d.id or f"dispute-{i + 1}" for i, d in enumerate(disputes)]
    if len(set(ids)) != len(ids):
        raise InvalidInputError("纠纷编号（id）重复", field="disputes")
    pool = matcher.pool()
    evaluations: dict[str, Evaluation] = {i: matcher.evaluate(d, pool) for i, d in zip(ids, disputes, strict=True)}
    problem = Problem(
        disputes=ids,
        scores={(i, c.expert["id"]): c.score for i, ev in evaluations.items() for c in ev.candidates},
        free={e["id"]: free_capacity(e) for e in pool},
        per_dispute=per_dispute,
    )
    assigned, total = solve(problem)
    result: dict[str, Any] = {"assignments": [], "unassigned": [], "objective": round(total, 4)}
    for i in ids:
        experts = sorted(assigned[i], key=lambda e: -problem.scores[(i, e)])
        if experts:
            result["assignments"].append(
                {"dispute_id": i, "expert_ids": experts, "score": round(sum(problem.scores[(i, e)] for e in experts), 4)}
            )
        missing = per_dispute - len(experts)
        if missing:
            eligible = len(evaluations[i].candidates)
            if eligible == 0:
                reason = "没有符合条件的专家：均因不可用、满额或利益冲突被排除"
            elif len(experts) == eligible:
                reason = f"符合条件的专家只有 {eligible} 位"
            else:
                reason = "符合条件的专家已满额，剩余咨询容量已分配给其他纠纷"
            result["unassigned"].append({"dispute_id": i, "missing": missing, "reason": reason})
    return result


def read_disputes_file(path: Path) -> list[DisputeBrief]:
    """The disputes of a JSON Lines file (``kb experts assign``): every bad line is reported
    with its number, and none is assigned until the file is clean."""
    if not path.is_file():
        raise InvalidInputError(f"文件不存在：{path}", field="DISPUTES.jsonl")
    disputes, problems = [], []
    for item in read_jsonl(path):
        parsed = validate_record(DisputeBrief, item, item.data) if isinstance(item, RawRecord) else item
        if isinstance(parsed, DisputeBrief):
            disputes.append(parsed)
        else:
            problems.append(f"第 {parsed.line} 行：{parsed.reason}")
    if problems:
        raise InvalidInputError("纠纷文件有误：" + "；".join(problems), field="DISPUTES.jsonl")
    return disputes

"""The expert pool's queries, as the CLI and the API call them: show, match, assign.

The pool decides what a caller sees: an expert's phone number only for roles
allowed contact data (coordinators, admins; CONTRACT §2), whoever asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from experts.assignment import assign
from experts.indexing import COLLECTION
from experts.matching import ExpertMatcher, MatchWeights
from kb_service.access import Permission, Principal
from kb_service.dispute import DisputeBrief
from kb_service.service import Services

CONTACT_FIELDS = ("phone",)
"""Fields shown only to callers with the contact permission."""


def visible_to(expert: dict[str, Any], viewer: Principal) -> dict[str, Any]:
    """The expert as ``viewer`` may see it."""
    if viewer.can(Permission.contact):
        return expert
    return {k: v for k, v in expert.items() if k not in CONTACT_FIELDS}


class ExpertPool:
    """Queries over the experts collection of the configured store."""

    def __init__(self, services: Services, weights: MatchWeights | None = None) -> None:
        self._services = services
        self._matcher = ExpertMatcher(services, weights)

    def show(self, expert_id: str, viewer: Principal) -> dict[str, Any]:
        """One expert, contact data only for those allowed to see it."""
        return visible_to(self._services.store.get(COLLECTION, expert_id), viewer)

    def match(self, dispute: DisputeBrief, size: int = 5) -> dict[str, Any]:
        """Candidates with components and reasons, and the excluded with why (no contact data)."""
        return self._matcher.match(dispute, size=size)

    def assign(self, disputes: Sequence[DisputeBrief], per_dispute: int = 1) -> dict[str, Any]:
        """The batch assignment with the highest total score (min-cost flow)."""
        return assign(self._matcher, disputes, per_dispute=per_dispute)


__all__ = ["CONTACT_FIELDS", "ExpertPool", "visible_to"]

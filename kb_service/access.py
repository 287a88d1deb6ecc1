"""Who may do what (CONTRACT §4): roles, their permissions, and the caller (``Principal``).

Domains decide what a caller sees (an expert's phone number, later a
dispute's particulars) from the ``Principal`` they are given; the API only
says who is asking (``api/auth.py`` turns an API key into a Principal).

    mediator     search and read (cases, similar cases, reports, training, courses)
    trainer      + build courses
    coordinator  + expert matching and assignment, expert contact data
    admin        + indexing
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kb_service.errors import PermissionDeniedError


class Role(StrEnum):
    mediator = "mediator"
    trainer = "trainer"
    coordinator = "coordinator"
    admin = "admin"


class Permission(StrEnum):
    read = "read"
    courses = "courses"
    experts = "experts"
    contact = "contact"
    index = "index"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.mediator: frozenset({Permission.read}),
    Role.trainer: frozenset({Permission.read, Permission.courses}),
    Role.coordinator: frozenset({Permission.read, Permission.experts, Permission.contact}),
    Role.admin: frozenset(Permission),
}

ROLE_LABELS = {Role.mediator: "调解员", Role.trainer: "培训师", Role.coordinator: "协调员", Role.admin: "管理员"}


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role

    def can(self, permission: Permission | str) -> bool:
        return Permission(permission) in GRANTS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDeniedError(f"{ROLE_LABELS[self.role]}（{self.role}）无权执行此操作")


DEVELOPER = Principal(name="开发模式", role=Role.admin)
"""Every caller in development mode (no keys file; loopback only)."""

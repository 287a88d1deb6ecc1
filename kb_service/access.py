"""Who may do what (CONTRACT §4): roles, their permissions, and the caller (``Principal``).

Domains decide what a caller sees (an expert's phone number, later a
dispute's particulars) from the ``Principal`` they are given; the API only
says who is asking (``api/auth.py`` turns an API key into a Principal).

    mediator     search and read (cases, similar cases, reports, training, courses);
                 the dispute register of the committee its key names: register, update
    trainer      + build courses (nothing of the dispute register)
    coordinator  + expert matching and assignment, expert contact data; the dispute
                 register under the region prefix its key names: read, review case drafts;
                 the trends dashboard and acknowledging its alerts
    admin        + indexing; the whole register

What a caller sees of the register (which disputes, whose particulars) follows
from ``committee`` and ``region`` in ``disputes/access.py``, the one place a
Principal becomes a register scope.
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
    disputes = "disputes"
    """Read the dispute register within one's committee or region."""
    register = "register"
    """Register disputes and change them (one's own committee)."""
    review = "review"
    """Approve or reject case drafts promoted from closed disputes."""
    alerts = "alerts"
    """The trends dashboard, and acknowledging early-warning alerts (研判预警) in one's region."""


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.mediator: frozenset({Permission.read, Permission.disputes, Permission.register}),
    Role.trainer: frozenset({Permission.read, Permission.courses}),
    Role.coordinator: frozenset(
        {
            Permission.read, Permission.experts, Permission.contact, Permission.disputes, Permission.review,
            Permission.alerts,
        }
    ),
    Role.admin: frozenset(Permission),
}

ROLE_LABELS = {Role.mediator: "调解员", Role.trainer: "培训师", Role.coordinator: "协调员", Role.admin: "管理员"}


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    committee: str | None = None
    """The 调解委员会 a mediator's key belongs to (its disputes are the mediator's)."""
    region: str | None = None
    """The region prefix a coordinator's key covers (``吉林省/长春市``)."""

    def __post_init__(self) -> None:
        if self.committee is not None and self.role != Role.mediator:
            raise ValueError(f"只有调解员（mediator）的密钥可以指定调解委员会（committee），{self.name} 的角色是 {self.role}")
        if self.region is not None and self.role != Role.coordinator:
            raise ValueError(f"只有协调员（coordinator）的密钥可以指定地区（region），{self.name} 的角色是 {self.role}")
        if self.region is not None:
            region = "/".join(p.strip() for p in self.region.replace("／", "/").split("/") if p.strip())
            if not region:
                raise ValueError(f"{self.name} 的地区（region）为空：应为地区前缀，如 吉林省/长春市")
            object.__setattr__(self, "region", region)
        if self.committee is not None:
            if not self.committee.strip():
                raise ValueError(f"{self.name} 的调解委员会（committee）为空")
            object.__setattr__(self, "committee", self.committee.strip())

    def can(self, permission: Permission | str) -> bool:
        return Permission(permission) in GRANTS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDeniedError(f"{ROLE_LABELS[self.role]}（{self.role}）无权执行此操作")


DEVELOPER = Principal(name="开发模式", role=Role.admin)
"""Every caller in development mode (no keys file; loopback only)."""

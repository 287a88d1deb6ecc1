"""Who sees which disputes: the one place a caller (Principal) becomes a register Scope.

    role          scope                       may
    mediator      the committee its key names register, update, promote, documents
    coordinator   the region prefix its key names read, documents, promote, review case drafts
    admin         everything                  everything
    trainer       nothing                     nothing of the register (403)

A mediator's key without a committee, or a coordinator's without a region, is
refused with what to ask the administrator for: a key that names no scope
would otherwise mean either nothing or everything. The command line acts as
admin (it runs on the server, with the operator's rights); development mode
(no keys file) is admin too.

ID numbers, phones and addresses of parties are shown to whoever sees the
dispute under these scopes — the dispute's own committee, coordinators whose
region holds it, admins (CONTRACT §6); :func:`shows_contact` says it once more
for each record, so a scope that someday reaches wider cannot leak them.
"""

from __future__ import annotations

from disputes.records import EVERYTHING, Scope, in_region
from disputes.schema import DisputeRecord
from kb_service.access import ROLE_LABELS, Permission, Principal, Role
from kb_service.errors import PermissionDeniedError


def scope_for(principal: Principal) -> Scope:
    """The disputes ``principal`` may see; PermissionDeniedError when none."""
    principal.require(Permission.disputes)
    if principal.role == Role.admin:
        return EVERYTHING
    if principal.role == Role.mediator:
        if not principal.committee:
            raise PermissionDeniedError(
                f"{principal.name} 的密钥未指定调解委员会，不能使用纠纷登记："
                "请管理员用 kb keys new --role mediator --committee 调解委员会名称 重新生成密钥"
            )
        return Scope(committee=principal.committee)
    if principal.role == Role.coordinator:
        if not principal.region:
            raise PermissionDeniedError(
                f"{principal.name} 的密钥未指定所辖地区，不能使用纠纷登记："
                "请管理员用 kb keys new --role coordinator --region 地区前缀（如 吉林省/长春市）重新生成密钥"
            )
        return Scope(region=principal.region)
    raise PermissionDeniedError(f"{ROLE_LABELS[principal.role]}（{principal.role}）无权访问纠纷登记")


def shows_contact(principal: Principal, record: DisputeRecord) -> bool:
    """May ``principal`` read the parties' ID numbers, phones and addresses of ``record``?"""
    if principal.role == Role.admin:
        return True
    if principal.role == Role.mediator:
        return principal.committee == record.committee
    if principal.role == Role.coordinator:
        return principal.region is not None and in_region(record.region, principal.region)
    return False


def writer_scope(principal: Principal) -> Scope:
    """The disputes ``principal`` may register and change (mediators: their committee)."""
    principal.require(Permission.register)
    return scope_for(principal)

"""The register as the CLI, the API and the pages call it: one caller, one scope.

    desk = DisputeDesk(services, principal)
    desk.add({...})          # registered, then its masked copy written to the search store
    desk.list({"status": ["mediating"]}, size=20)
    desk.assist(dispute_id)  # the workbench

Who may do what is ``disputes/access.py``; every read and write here goes
through the caller's scope, so a dispute of another committee or outside a
coordinator's region does not exist for them (404, the same as an unknown id).
Every change writes the register first, then the search copy
(``disputes/search_copy.py`` says what happens when that second write fails).
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from contextlib import suppress
from functools import cached_property
from pathlib import Path
from typing import Any

from disputes.access import scope_for, shows_contact, writer_scope
from disputes.exporting import ExportFormat, export_register
from disputes.importing import import_file
from disputes.promote import CaseDrafts
from disputes.records import Scope, as_filter
from disputes.register import Register
from disputes.schema import DisputeFilter, DisputeRecord
from disputes.search_copy import SearchCopies
from kb_service.access import Permission, Principal, Role
from kb_service.errors import InvalidInputError, NotFoundError
from kb_service.service import Services
from kb_service.text import plain_text

DOCUMENT_FORMATS = ("docx", "html", "md")


def operator() -> Principal:
    """The command line's caller: an admin (``kb`` runs on the server with the operator's rights)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "operator"
    return Principal(name=f"命令行（{user}）", role=Role.admin)


class RegisterDesk:
    """One caller's view of the register: the register (the shared one for these settings
    unless a test passes its own) and the caller's scope. Domains that read the register
    (disputes, trends) build their desks on it."""

    def __init__(self, services: Services, principal: Principal, *, register: Register | None = None) -> None:
        self._services = services
        self.principal = principal
        self._given = register

    @cached_property
    def register(self) -> Register:
        if self._given is not None:
            return self._given
        from disputes.service import register_for

        return register_for(self._services.settings)

    @property
    def scope(self) -> Scope:
        return scope_for(self.principal)


class DisputeDesk(RegisterDesk):
    """The register, its search copies, the workbench and case drafts, for one caller."""

    @property
    def copies(self) -> SearchCopies:
        return SearchCopies(self._services)

    def _out(self, record: DisputeRecord, *, history: bool = True) -> dict[str, Any]:
        return record.as_dict(contact=shows_contact(self.principal, record), history=history)

    def _written(self, record: DisputeRecord) -> dict[str, Any]:
        pending = self.copies.write([record])
        data = self._out(record)
        data["search_copy"] = "pending" if pending else "written"
        return data

    # -- registering and changing ----------------------------------------------------

    def add(self, data: Mapping[str, Any]) -> dict[str, Any]:
        scope = writer_scope(self.principal)
        data = dict(data)
        if scope.committee is not None:
            data.setdefault("committee", scope.committee)
        if not data.get("region") and data.get("committee"):
            with suppress(NotFoundError):  # a committee already known brings its region
                data["region"] = self.register.committee(str(data["committee"])).region or data.get("region")
        record = self.register.add(data, actor=self.principal.name, scope=scope)
        return self._written(record)

    def update(
        self, dispute_id: int, changes: Mapping[str, Any], *, note: str | None = None
    ) -> dict[str, Any]:
        if not changes and not note:
            raise InvalidInputError("请给出要修改的字段（如 status）或备注（note）", field="changes")
        if note is not None:
            _check_note(note)
        scope = writer_scope(self.principal)
        if not changes:  # a note alone (a call, a visit): one history entry, nothing else changes
            self.register.add_note(dispute_id, note or "", actor=self.principal.name, scope=scope)
            return self.show(dispute_id)
        record = self.register.update(dispute_id, changes, actor=self.principal.name, note=note, scope=scope)
        return self._written(record)

    def import_file(self, path: Path) -> dict[str, Any]:
        scope = writer_scope(self.principal)
        pending: list[int] = []

        def write_copies(ids: list[int]) -> None:
            pending.extend(self.copies.write(self.register.get_many(ids)))

        report = import_file(
            self.register, Path(path), actor=self.principal.name, scope=scope, on_registered=write_copies
        )
        data = report.as_dict()
        data["search_copy"] = {"written": report.imported - len(pending), "pending": len(pending)}
        return data

    # -- reading ---------------------------------------------------------------------

    def record(self, dispute_id: int) -> DisputeRecord:
        return self.register.get(dispute_id, scope=self.scope)

    def show(self, dispute_id: int) -> dict[str, Any]:
        return self._out(self.record(dispute_id))

    def list(
        self, filters: DisputeFilter | Mapping[str, Any] | None = None, *, offset: int = 0, size: int = 20
    ) -> dict[str, Any]:
        page = self.register.list(filters, scope=self.scope, offset=offset, size=size)
        return {
            "total": page.total,
            "offset": page.offset,
            "size": page.size,
            "items": [self._out(record, history=False) for record in page.items],
        }

    def search(
        self, query: str = "", filters: DisputeFilter | Mapping[str, Any] | None = None, *, size: int = 20, offset: int = 0
    ) -> dict[str, Any]:
        """The masked copies in the search store (keywords and meaning), within the caller's scope."""
        return self.copies.search(query, as_filter(filters), self.scope, size=size, offset=offset)

    def count(self, filters: DisputeFilter | Mapping[str, Any] | None = None) -> int:
        return self.copies.count(as_filter(filters), self.scope)

    def export(
        self, path: Path, *, format: ExportFormat, filters: DisputeFilter | Mapping[str, Any] | None = None
    ) -> int:
        # Every dispute in scope is one whose particulars the caller may see (disputes/access.py).
        return export_register(self.register, Path(path), format=format, filters=filters, scope=self.scope)

    # -- the workbench and documents ---------------------------------------------------

    def assist(self, dispute_id: int, *, size: int = 5) -> dict[str, Any]:
        from disputes.assist import assist

        record = self.record(dispute_id)
        return assist(self._services, record, size=size, stored_alerts=self._stored_alerts(record.id))

    def _stored_alerts(self, dispute_id: int) -> list[dict[str, Any]]:
        """Alerts raised by ``kb alerts`` behind which stands this dispute (the workbench's risk flags)."""
        from trends.alert_store import AlertStore

        return AlertStore(self.register.engine).list(self.scope, dispute_id=dispute_id)

    def document(
        self, dispute_id: int, kind: str, fmt: str = "docx", *, suggestions: bool = False
    ) -> tuple[str | bytes, str, str]:
        """(content, media type, file name) of a document for the parties, with their particulars."""
        record = self.record(dispute_id)  # first: an outsider learns nothing, not even what is missing
        if not shows_contact(self.principal, record):
            raise NotFoundError(f"未找到 id 为 {dispute_id} 的纠纷")
        if fmt not in DOCUMENT_FORMATS:
            raise InvalidInputError("文书格式应为 docx、html 或 md", field="format")
        from disputes.documents import KINDS, dispute_document
        from kb_service.export import MEDIA_TYPES, render

        if kind not in KINDS:
            raise InvalidInputError(f"文书种类应为 {'、'.join(KINDS)} 之一", field="kind")
        extra = self.assist(dispute_id) if suggestions else None
        document = dispute_document(record, kind, suggestions=extra)
        return render(document, fmt), MEDIA_TYPES[fmt], f"dispute-{dispute_id}-{kind}.{fmt}"

    # -- back into the library -----------------------------------------------------------

    @property
    def drafts(self) -> CaseDrafts:
        return CaseDrafts(self.register)

    def promote(self, dispute_id: int) -> dict[str, Any]:
        return self.drafts.promote(dispute_id, actor=self.principal.name, scope=self.scope)

    def list_drafts(self, status: str | None = "pending") -> list[dict[str, Any]]:
        return self.drafts.list(status=status, scope=self.scope)

    def draft(self, draft_id: int) -> dict[str, Any]:
        return self.drafts.get(draft_id, scope=self.scope)

    def review(self, draft_id: int, decision: str, *, note: str | None = None) -> dict[str, Any]:
        """Approve (the case joins the library and the ``cases`` collection) or reject, with a note."""
        self.principal.require(Permission.review)
        from indexer.run import approved_library

        result, written = self.drafts.review(
            draft_id,
            decision,
            actor=self.principal.name,
            note=note,
            scope=self.scope,
            library=approved_library(self._services),
        )
        if written is not None:
            result["library_file"] = str(written)
            result["indexed"] = _index_case_file(self._services, written)
        return result


def _index_case_file(services: Services, path: Path) -> bool:
    """Index one approved case file into ``cases`` now; False (logged) if the store refused it."""
    import logging

    from cases.indexing import SPEC
    from cases.loading import load_cases
    from indexer.pipeline import Indexer
    from kb_service.library import Loaded

    library = path.parent.parent
    loaded = [
        item for item in load_cases([library]) if isinstance(item, Loaded) and Path(item.path) == path
    ]
    try:
        report = Indexer(services.store, services.analyzer, services.embedder).upsert(SPEC, loaded)
    except Exception as exc:  # the file is written: the next kb index picks it up
        logging.getLogger("kb_service.disputes").warning(
            "案例 %s 写入检索库失败（%s），文件已保存，下次 kb index 会收录", path.stem, type(exc).__name__
        )
        return False
    return bool(loaded) and not report.rejected


MAX_NOTE = 2_000


def _check_note(note: str) -> None:
    """A history note: text a person typed, of a note's length (stored as it is, so checked here)."""
    if len(note) > MAX_NOTE:
        raise InvalidInputError(f"备注（note）过长：最多 {MAX_NOTE} 个字符", field="note")
    try:
        plain_text(note)
    except ValueError as exc:
        raise InvalidInputError(f"备注（note）{exc}", field="note") from None

"""The register as the service uses it: one per database, migrated when first opened.

    register = register_for(services.settings)   # upgraded to the current schema once per process

Every process that opens the register (``kb serve`` at start-up, any ``kb
disputes`` command, ``kb index`` re-syncing the search copies) first brings
the database to the current schema; ``kb db upgrade`` does only that.
Migrating is idempotent and, on PostgreSQL, serialised by an advisory lock,
so several processes starting together are safe.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from disputes.database import create_register_engine, upgrade
from disputes.register import Register
from kb_service.errors import KBError
from kb_service.library import Loaded
from kb_service.service import Services
from kb_service.settings import Settings

log = logging.getLogger("kb_service.disputes")

_registers: dict[str, Register] = {}
_lock = threading.Lock()


def register_for(settings: Settings) -> Register:
    """The register at ``settings.register_url``, shared by the whole process."""
    url = settings.register_url
    with _lock:
        register = _registers.get(url)
        if register is None:
            upgrade(url)
            register = _registers[url] = Register(create_register_engine(url))
        return register


def close_registers() -> None:
    """Close every open register (tests, and processes that end)."""
    with _lock:
        for register in _registers.values():
            register.close()
        _registers.clear()


def start(services: Services) -> None:
    """API start-up: apply migrations now rather than on the first request.

    A database that is down does not stop the service (searching cases needs no
    register): it is logged, and register requests answer 503 until it is back.
    """
    try:
        register_for(services.settings)
    except KBError as exc:
        log.error("纠纷登记数据库未就绪：%s", exc.detail)


def register_records(services: Services) -> Iterator[Loaded]:
    """Every registered dispute, for ``kb index`` (the ``disputes`` collection's source)."""
    from disputes.indexing import from_register

    yield from from_register(register_for(services.settings))

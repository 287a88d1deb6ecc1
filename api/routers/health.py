"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ServicesDep
from kb_service.errors import StoreUnavailableError

router = APIRouter(tags=["health"])

COLLECTIONS = ("cases", "experts", "training")


@router.get("/healthz", summary="进程存活")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="检索库可达、集合齐全、模型已加载；否则 503")
def readyz(services: ServicesDep) -> dict[str, Any]:
    services.store.ping()
    missing = [name for name in COLLECTIONS if not services.store.has_collection(name)]
    if missing:
        raise StoreUnavailableError(f"检索库缺少集合：{'、'.join(missing)}；请先运行 kb index")
    services.embedder.load()
    return {"status": "ready", "backend": services.settings.backend, "model": services.embedder.model_id}

"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ServicesDep
from kb_service.errors import CollectionNotIndexedError
from kb_service.registry import collection_names

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="进程存活")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="检索库可达、集合齐全、模型已加载；否则 503")
def readyz(services: ServicesDep) -> dict[str, Any]:
    services.store.ping()
    collections = collection_names()
    missing = [name for name in collections if not services.store.has_collection(name)]
    if missing:
        raise CollectionNotIndexedError(missing)
    services.embedder.load()
    return {
        "status": "ready",
        "backend": services.settings.backend,
        "model": services.embedder.model_id,
        "collections": list(collections),
    }

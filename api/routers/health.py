"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServicesDep
from api.problems import problem
from kb_service.errors import KBError

router = APIRouter(tags=["health"])

COLLECTIONS = ("cases", "experts", "training")


@router.get("/healthz", summary="进程存活")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="检索库可达、集合齐全、模型已加载")
def readyz(services: ServicesDep) -> JSONResponse:
    try:
        services.store.ping()
        missing = [name for name in COLLECTIONS if not services.store.has_collection(name)]
        services.embedder.load()
    except KBError as exc:
        return problem(503, "未就绪", exc.detail, {"Retry-After": "30"})
    if missing:
        return problem(503, "未就绪", f"检索库缺少集合：{'、'.join(missing)}；请先运行 kb index", {"Retry-After": "30"})
    return JSONResponse({"status": "ready", "backend": services.settings.backend, "model": services.embedder.model_id})

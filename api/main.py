"""The FastAPI application: routers, error mapping, the services loaded once at start-up."""

from __future__ import annotations

import ipaddress
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from api import audit, observability, problems
from api.auth import KeyFile
from api.limits import BodyLimits
from api.pages import common as pages
from api.ratelimit import RateLimits
from api.routers import admin, health
from kb_service.errors import KBError
from kb_service.registry import DOMAINS, resolve, startup_hooks
from kb_service.service import Services

log = logging.getLogger("kb_service.api")

DEV_MODE_NOTICE = "开发模式：未配置 KB_API_KEYS_FILE，只接受本机访问，所有请求均视为管理员（admin）"


def _is_loopback(host: str | None) -> bool:
    if host in (None, "testclient", "localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(services: Services, *, load_model: bool = True) -> FastAPI:
    settings = services.settings
    keyring = KeyFile(settings.api_keys_file) if settings.api_keys_file else None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if keyring is None:
            log.warning(DEV_MODE_NOTICE)
        if load_model:
            try:
                services.embedder.load()  # heavy, once, before the first request
            except KBError as exc:
                log.error("向量模型加载失败：%s", exc.detail)
        try:
            services.store.ping()
        except KBError as exc:  # logged, not raised: /readyz says 503 until the store is back
            log.error("检索库不可用：%s", exc.detail)
        for hook in startup_hooks():  # e.g. the dispute register's migrations
            resolve(hook)(services)
        yield

    app = FastAPI(
        title="调解知识库 API",
        version="0.1.0",
        description="人民调解精品案例库、咨询专家库与培训材料的检索服务。错误以 application/problem+json 返回，detail 为中文。",
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.keyring = keyring
    app.state.rate_limits = RateLimits(settings.rate_limit) if keyring is not None and settings.rate_limit else None
    problems.install(app)

    if keyring is None:

        @app.middleware("http")
        async def loopback_only(request: Request, call_next):
            # Development mode trusts every caller as admin, so it must stay on this machine.
            if not _is_loopback(request.client.host if request.client else None):
                return problems.problem(
                    403, "无权访问", "开发模式只接受本机访问；请配置 KB_API_KEYS_FILE", code="forbidden"
                )
            return await call_next(request)

    audit.install(app)  # inside the body limits and observability: it sees the route and the caller
    app.add_middleware(BodyLimits, settings=settings)
    observability.install(app)  # last added, so outermost: every response gets its headers
    app.include_router(health.router)
    for domain in DOMAINS:
        if domain.router:
            app.include_router(resolve(domain.router))
    app.include_router(admin.router)
    pages.install(app)
    app.include_router(pages.router)
    for domain in DOMAINS:
        if domain.pages:
            app.include_router(resolve(domain.pages))
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app

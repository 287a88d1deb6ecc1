"""Operations (CONTRACT §8): request ids, ``Server-Timing``, Prometheus metrics, JSON logs.

- Every response carries ``X-Request-ID`` (the caller's, when it is a plain
  token, else a new one) and ``Server-Timing`` with ``embed``, ``store`` and
  ``total`` in milliseconds (``kb_service/telemetry.py`` collects them).
- ``GET /metrics`` serves Prometheus metrics: request latency per route
  template (``/v1/cases/{case_id}``, never the raw path), store and encoder
  latency, and the size of every registered collection.
- Access logs are JSON lines: request id, method, route template, status,
  duration. Never the query string, the body or the caller's address: they may
  hold what people typed about a dispute.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from api.problems import problem
from kb_service.errors import KBError
from kb_service.registry import collection_names
from kb_service.telemetry import request_timings

access_log = logging.getLogger("kb_service.access")
log = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "kb_http_request_seconds", "HTTP request latency", ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)  # fmt: skip

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def request_id(request: Request) -> str:
    given = request.headers.get("x-request-id", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def route_template(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class CollectionSizes:
    """A Prometheus collector: documents per registered collection, read at scrape time
    from the app installed last (one service per process)."""

    def __init__(self) -> None:
        self.app: FastAPI | None = None

    def collect(self):
        gauge = GaugeMetricFamily("kb_collection_documents", "Documents per collection", labels=["collection"])
        services = getattr(self.app.state, "services", None) if self.app is not None else None
        if services is not None:
            for name in collection_names():
                try:
                    gauge.add_metric([name], services.store.count(name))
                except KBError:  # not indexed, or the store is down: no sample, not a failed scrape
                    continue
        yield gauge


_SIZES = CollectionSizes()
REGISTRY.register(_SIZES)


def install(app: FastAPI) -> None:
    _SIZES.app = app

    @app.middleware("http")
    async def observe(request: Request, call_next):
        rid = request.state.request_id = request_id(request)  # the audit log keeps it too
        with request_timings() as timings:
            try:
                response: Response = await call_next(request)
            except Exception:
                # Unhandled errors would otherwise skip this middleware (and its headers).
                log.exception("unexpected error on %s", route_template(request))
                response = problem(500, "服务内部错误", "服务内部错误，已记录日志；请稍后重试或联系管理员")
            response.headers["X-Request-ID"] = rid
            response.headers["Server-Timing"] = timings.header()
        elapsed = time.perf_counter() - timings.started
        route = route_template(request)
        REQUEST_SECONDS.labels(request.method, route, str(response.status_code)).observe(elapsed)
        access_log.info(
            "request",
            extra={
                "request_id": rid,
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def configure_json_logging(level: int = logging.INFO, stream=None) -> None:
    """Every log line as one JSON object (``kb serve``; stderr unless ``stream``)."""
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", timestamp=True))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # HTTP client libraries log full URLs (query strings included) at INFO.
    for chatty in ("httpx", "httpcore", "elastic_transport"):
        logging.getLogger(chatty).setLevel(logging.WARNING)

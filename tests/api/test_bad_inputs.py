"""The bad-input corpus (``bad_inputs.jsonl``, one request per line) against every router.

Each case says who sends what and what must come back: the status (a 4xx for
anything malformed; 200 where the input is legitimate text that only looks like
syntax, such as Elasticsearch query syntax in a search), the problem type, and
what the Chinese ``detail`` must name. Every case also checks that nothing was
stored: every table of the register, every search collection, saved courses and
the service's own library files are counted before and after.

A line's keys: ``id``, ``router``, ``method``, ``path`` (``{ours}`` is a dispute
of the mediator's committee), ``role`` (a holder of tests/disputes/wiring.py),
then the request — ``json``; ``dispute`` (overrides of a valid registration);
``raw`` with ``encoding``, ``raw_hex`` or ``raw_parts`` ([text, encoding] pieces)
and ``content_type``; ``file`` (``name`` and ``text``/``hex``/``parts``,
``encoding``, ``times``, ``field``) for uploads; ``repeat`` (``field``, ``text``,
``times``: a huge value put into the body) and ``nest`` (``field``, ``depth``,
``object``: deeply nested JSON) — and the expectation: ``status``, ``type``
(the problem type's last segment), ``names``.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, table

from disputes.queries import DisputeDesk
from disputes.service import register_for
from kb_service.access import Principal, Role
from kb_service.registry import collection_names
from tests.api.fast_world import fast_services
from tests.disputes.conftest import dispute
from tests.disputes.wiring import auth

CORPUS_FILE = Path(__file__).with_name("bad_inputs.jsonl")
CORPUS = [
    json.loads(line)
    for line in CORPUS_FILE.read_text(encoding="utf-8").splitlines()
    if line.strip()
]
CJK = re.compile(r"[\u4e00-\u9fff]")
_serial = itertools.count(1)


class World:
    def __init__(self, folder: Path) -> None:
        from fastapi.testclient import TestClient

        from api.main import create_app

        self.services = fast_services(folder)
        self.client = TestClient(
            create_app(self.services, load_model=False), raise_server_exceptions=False
        )
        self.register = register_for(self.services.settings)
        admin = Principal("测试管理员", Role.admin)
        self.ours = DisputeDesk(self.services, admin).add(dispute())["id"]

    def stored(self) -> dict[str, Any]:
        """Everything a request could have written, counted."""
        counts: dict[str, Any] = {}
        engine = self.register.engine
        with engine.connect() as connection:
            # the audit log records a refused read of a dispute or case (who tried which id) by design
            for name in set(inspect(engine).get_table_names()) - {"audit_log"}:
                counts[f"table {name}"] = connection.execute(
                    select(func.count()).select_from(table(name))
                ).scalar()
        for name in collection_names():
            if self.services.store.has_collection(name):
                counts[f"collection {name}"] = self.services.store.count(name)
        data = self.services.settings.data_dir
        for folder in ("courses", "library"):
            counts[f"files {folder}"] = (
                sorted(str(p) for p in (data / folder).rglob("*"))
                if (data / folder).exists()
                else []
            )
        return counts


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    world = World(tmp_path_factory.mktemp("bad-inputs"))
    yield world
    from disputes.service import close_registers

    close_registers()


def _put(body: Any, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        body = body.setdefault(key, {})
    body[last] = value


def _encode(parts: list[list[str]]) -> bytes:
    return b"".join(text.encode(encoding) for text, encoding in parts)


def request_of(case: dict[str, Any], world: World) -> dict[str, Any]:
    headers = dict(auth(case["role"]))
    kwargs: dict[str, Any] = {}
    body: Any = None
    if "dispute" in case:
        overrides = dict(case["dispute"])
        overrides.setdefault("parties", [{"role": "申请人", "name": f"语料{next(_serial)}号"}])
        body = dispute(**overrides)
    elif "json" in case:
        body = json.loads(json.dumps(case["json"]))
    if "repeat" in case:
        spec = case["repeat"]
        _put(body, spec["field"], spec["text"] * spec["times"])
    if body is not None:
        # \uXXXX escapes: lone surrogates travel as JSON allows them
        kwargs["content"] = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    if "nest" in case:
        depth = case["nest"]["depth"]
        inner = (
            '{"a": ' * depth + "1" + "}" * depth
            if case["nest"].get("object")
            else "[" * depth + "]" * depth
        )
        kwargs["content"] = f'{{"{case["nest"]["field"]}": {inner}}}'.encode()
        headers["content-type"] = "application/json"
    if "raw" in case:
        kwargs["content"] = case["raw"].encode(case.get("encoding", "utf-8"))
    if "raw_hex" in case:
        kwargs["content"] = bytes.fromhex(case["raw_hex"])
    if "raw_parts" in case:
        kwargs["content"] = _encode(case["raw_parts"])
    if any(k in case for k in ("raw", "raw_hex", "raw_parts")):
        headers["content-type"] = case.get("content_type", "application/json")
    if "file" in case:
        spec = case["file"]
        if "hex" in spec:
            data = bytes.fromhex(spec["hex"])
        elif "parts" in spec:
            data = _encode(spec["parts"])
        else:
            data = spec["text"].encode(spec.get("encoding", "utf-8")) * spec.get("times", 1)
        kwargs["files"] = {
            spec.get("field", "file"): (spec["name"], data, "application/octet-stream")
        }
    path = case["path"].replace("{ours}", str(world.ours))
    return {"method": case["method"], "url": path, "headers": headers, **kwargs}


def test_the_corpus_is_large_and_covers_every_router():
    assert len(CORPUS) >= 60
    routers = {case["router"] for case in CORPUS}
    assert routers >= {"cases", "experts", "training", "laws", "disputes", "admin"}
    assert any(case["path"] == "/v1/disputes/import" for case in CORPUS)
    assert len({case["id"] for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[case["id"] for case in CORPUS])
def test_bad_input_is_refused_clearly_and_stores_nothing(world, case):
    before = world.stored()
    response = world.client.request(**request_of(case, world))
    after = world.stored()

    assert response.status_code != 500, response.text[:500]
    assert response.status_code == case["status"], response.text[:500]
    assert after == before, "a refused request left something behind"
    if case["status"] < 400:
        assert isinstance(response.json(), dict | list)  # the input was taken as text, and answered
        return
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == case["status"]
    assert problem["type"].rsplit("/", 1)[-1] == case["type"]
    assert CJK.search(problem["detail"]), problem["detail"]
    assert case["names"] in problem["detail"], problem["detail"][:300]
    assert "Traceback" not in response.text


def test_no_store_ever_hands_query_text_to_a_query_parser():
    """Search text reaches Elasticsearch only as analysed tokens (match queries), never through
    query_string or simple_query_string, whose syntax (``title:*``, ``OR``, ``{``) a user could type."""
    root = Path(__file__).parents[2]
    for module in (root / "kb_service" / "store").rglob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert "query_string" not in source, module

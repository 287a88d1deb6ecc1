"""Access (issue 15 item 7): keys rotated and revoked without a restart, a rate limit per key,
and an audit log of who read which dispute or case that admins can query."""

from __future__ import annotations

import json
import logging
import os
import time

import pytest
import yaml
from typer.testing import CliRunner

from api.auth import KeyRing, digest
from tests.api.fast_world import fast_client, fast_services
from tests.disputes.conftest import dispute
from tests.disputes.wiring import KEYS, auth


@pytest.fixture(autouse=True)
def _close_shared_registers():
    yield
    from disputes.service import close_registers

    close_registers()


def touch_later(path) -> None:
    """A new modification time even on file systems with coarse timestamps."""
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


def test_keys_are_stored_as_digests_and_compared_in_constant_time():
    import inspect

    from api import auth as module

    source = inspect.getsource(module.KeyRing.identify)
    assert "hmac.compare_digest" in source
    ring = KeyRing(((digest("k1"), object()),))  # type: ignore[arg-type]
    assert ring.entries[0][0] != "k1" and len(ring.entries[0][0]) == 64


def test_a_revoked_key_stops_working_and_a_new_one_starts_without_a_restart(tmp_path):
    with fast_client(tmp_path, rate_limit=None) as client:
        keys = client.app.state.services.settings.api_keys_file
        assert client.get("/v1/admin/status", headers=auth("mediator")).status_code == 200
        entries = yaml.safe_load(keys.read_text(encoding="utf-8"))["keys"]
        # revoke the mediator: its entry goes; a new key for a new holder comes
        entries = [e for e in entries if e["name"] != "测试mediator"]
        entries.append(
            {"name": "新培训师", "role": "trainer", "sha256": digest("brand-new-key-0123456789")}
        )
        keys.write_text(yaml.safe_dump({"keys": entries}, allow_unicode=True), encoding="utf-8")
        touch_later(keys)
        assert client.get("/v1/admin/status", headers=auth("mediator")).status_code == 401
        fresh = client.get(
            "/v1/admin/status", headers={"Authorization": "Bearer brand-new-key-0123456789"}
        )
        assert fresh.status_code == 200 and fresh.json()["you"]["name"] == "新培训师"
        assert (
            client.get("/v1/admin/status", headers=auth("admin")).status_code == 200
        )  # the others stay


def test_a_broken_keys_file_keeps_the_previous_keys_and_says_why(tmp_path, caplog):
    with fast_client(tmp_path, rate_limit=None) as client:
        keys = client.app.state.services.settings.api_keys_file
        keys.write_text("keys:\n  - name: 半截\n    role: boss\n", encoding="utf-8")
        touch_later(keys)
        with caplog.at_level(logging.ERROR, logger="kb_service.auth"):
            assert client.get("/v1/admin/status", headers=auth("admin")).status_code == 200
        assert "上一版" in caplog.text and "KB_API_KEYS_FILE" in caplog.text
        assert client.app.state.keyring.problem
        keys.unlink()  # a deleted file is no development mode either
        assert client.get("/v1/admin/status").status_code == 401


def test_kb_keys_writes_and_revokes_for_the_running_service(tmp_path, monkeypatch):
    from cli import main

    with fast_client(tmp_path, rate_limit=None) as client:
        services = client.app.state.services
        monkeypatch.setattr(main, "_services", services)
        runner = CliRunner()
        made = runner.invoke(main.app, ["keys", "new", "--role", "coordinator", "--name", "四平市司法局",
                                        "--region", "吉林省/四平市", "--write", "--json"])  # fmt: skip
        assert made.exit_code == 0, made.output
        key = json.loads(made.stdout)["key"]
        seen = client.get("/v1/admin/status", headers={"Authorization": f"Bearer {key}"})
        assert seen.status_code == 200 and seen.json()["you"]["role"] == "coordinator"
        listed = runner.invoke(main.app, ["keys", "list", "--json"])
        assert "四平市司法局" in listed.stdout and key not in listed.stdout
        revoked = runner.invoke(main.app, ["keys", "revoke", "四平市司法局", "--json"])
        assert revoked.exit_code == 0 and json.loads(revoked.stdout)["revoked"] == 1
        touch_later(services.settings.api_keys_file)
        assert (
            client.get("/v1/admin/status", headers={"Authorization": f"Bearer {key}"}).status_code
            == 401
        )
        unknown = runner.invoke(main.app, ["keys", "revoke", "没有这个人"])
        assert unknown.exit_code == 1 and "没有这个人" in unknown.output


def test_each_key_has_its_own_rate_limit_with_retry_after(tmp_path):
    with fast_client(tmp_path, rate_limit="3/minute") as client:
        for _ in range(3):
            assert client.get("/v1/admin/status", headers=auth("mediator")).status_code == 200
        refused = client.get("/v1/admin/status", headers=auth("mediator"))
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        problem = refused.json()
        assert problem["type"].endswith("/rate-limited") and "KB_RATE_LIMIT" in problem["detail"]
        assert "每 1 分钟 3 次" in problem["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert (
            client.get("/v1/admin/status", headers=auth("coordinator")).status_code == 200
        )  # another key


def test_guessing_keys_is_limited_per_address(tmp_path):
    with fast_client(tmp_path, rate_limit="3/minute") as client:
        statuses = [client.get("/v1/admin/status", headers={"Authorization": f"Bearer guess-{n}"}).status_code
                    for n in range(5)]  # fmt: skip
        assert statuses == [401, 401, 401, 429, 429]


def test_the_rate_limit_is_a_setting_checked_at_start(tmp_path):
    from kb_service.errors import ConfigurationError
    from kb_service.settings import load_settings

    assert (
        load_settings(data_dir=tmp_path, rate_limit="20/second;1000/hour").rate_limit
        == "20/second;1000/hour"
    )
    assert load_settings(data_dir=tmp_path, rate_limit="none").rate_limit is None
    with pytest.raises(ConfigurationError, match="KB_RATE_LIMIT"):
        load_settings(data_dir=tmp_path, rate_limit="lots")


def test_reads_of_disputes_and_cases_are_audited_without_what_was_typed(tmp_path):
    with fast_client(tmp_path, rate_limit=None) as client:
        ours = client.post("/v1/disputes", json=dispute(), headers=auth("mediator")).json()["id"]
        assert client.get(f"/v1/disputes/{ours}", headers=auth("mediator")).status_code == 200
        assert client.get(f"/v1/disputes/{ours}", headers=auth("other_mediator")).status_code == 404
        assert (
            client.get("/v1/disputes?party=王建国", headers=auth("coordinator")).status_code == 200
        )
        assert client.get("/v1/cases/case-neighbor-001", headers=auth("trainer")).status_code == 200
        assert client.get(f"/disputes/{ours}", headers=auth("admin")).status_code == 200
        assert (
            client.post(
                "/v1/cases/search", json={"query": "王建国 楼上噪音"}, headers=auth("mediator")
            ).status_code
            == 200
        )

        log = client.get("/v1/admin/audit?size=100", headers=auth("admin"))
        assert log.status_code == 200
        entries = log.json()["items"]
        seen = {(e["actor"], e["action"], e["kind"], e["object_id"], e["status"]) for e in entries}
        assert ("测试mediator", "read", "dispute", str(ours), 200) in seen
        assert (
            "测试other_mediator",
            "read",
            "dispute",
            str(ours),
            404,
        ) in seen  # a look outside one's scope
        assert ("测试coordinator", "list", "dispute", None, 200) in seen
        assert ("测试trainer", "read", "case", "case-neighbor-001", 200) in seen
        assert ("测试admin", "read", "dispute", str(ours), 200) in seen  # the workbench page
        assert all(e["address"] == "testclient" and e["at"] and e["request_id"] for e in entries)
        assert "王建国" not in log.text and "噪音" not in log.text  # never what was typed

        mine = client.get(
            f"/v1/admin/audit?kind=dispute&object_id={ours}&actor=测试mediator",
            headers=auth("admin"),
        )
        assert [e["status"] for e in mine.json()["items"]] == [200]
        assert client.get("/v1/admin/audit", headers=auth("coordinator")).status_code == 403
        assert (
            client.get("/v1/admin/audit?date_from=昨天", headers=auth("admin")).status_code == 422
        )


def test_kb_audit_prints_the_log(tmp_path, monkeypatch):
    from cli import main

    services = fast_services(tmp_path, rate_limit=None)
    from disputes.audit import Access, AuditLog
    from disputes.service import register_for

    AuditLog(register_for(services.settings)).record(
        Access("测试mediator", "mediator", "read", "dispute", "7", 200, "10.0.0.8", "abc")
    )
    monkeypatch.setattr(main, "_services", services)
    result = CliRunner().invoke(main.app, ["audit", "--kind", "dispute", "--json"])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)["items"]
    assert (entry["actor"], entry["object_id"], entry["address"]) == (
        "测试mediator",
        "7",
        "10.0.0.8",
    )
    human = CliRunner().invoke(main.app, ["audit"])
    assert "测试mediator" in human.stdout and "10.0.0.8" in human.stdout
    bad = CliRunner().invoke(main.app, ["audit", "--from", "昨天"])
    assert bad.exit_code == 1 and "--from" in bad.output


assert KEYS  # the register's keys (tests/disputes/wiring.py) are the ones these tests use

"""API keys and roles (CONTRACT §4).

The keys file (``KB_API_KEYS_FILE``, YAML) holds SHA-256 digests of keys, never
the keys themselves:

    keys:
      - name: 延吉市人民调解委员会
        role: mediator            # mediator | trainer | coordinator | admin
        committee: 延吉市建工街道人民调解委员会   # mediators: the committee whose register it keeps
        sha256: 9f86d081884c7d65…
      - name: 长春市司法局
        role: coordinator
        region: 吉林省/长春市                    # coordinators: the region prefix they oversee
        sha256: 2c26b46b68ffc68f…

``kb keys new --role mediator --name … --committee …`` makes a random key and
prints the entry. API keys are long random strings, so a plain SHA-256 (compared in
constant time) is the right digest; password hashing would only slow every
request down.

What each role may do is ``kb_service/access.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb_service.access import Principal, Role
from kb_service.errors import AuthenticationError, ConfigurationError


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KeyRing:
    entries: tuple[tuple[str, Principal], ...]  # (sha256, who holds the key)

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            entries = []
            for i, item in enumerate(data.get("keys", []), start=1):
                sha = str(item["sha256"]).lower()
                if len(sha) != 64:
                    raise ValueError(f"第 {i} 个密钥的 sha256 应为 64 位十六进制")
                holder = Principal(
                    name=str(item.get("name", f"key-{i}")),
                    role=Role(item["role"]),
                    committee=_optional_text(item.get("committee")),
                    region=_optional_text(item.get("region")),
                )
                entries.append((sha, holder))
        except (OSError, yaml.YAMLError, KeyError, ValueError, AttributeError) as exc:
            raise ConfigurationError(f"配置项 KB_API_KEYS_FILE 指向的密钥文件无效（{path}）：{exc}") from exc
        if not entries:
            raise ConfigurationError(f"配置项 KB_API_KEYS_FILE 指向的密钥文件中没有密钥：{path}")
        return cls(tuple(entries))

    def identify(self, key: str | None) -> Principal:
        if not key:
            raise AuthenticationError("缺少 API 密钥：请在请求头中提供 Authorization: Bearer <密钥>")
        wanted = digest(key)
        for sha, holder in self.entries:
            if hmac.compare_digest(sha, wanted):
                return holder
        raise AuthenticationError("API 密钥无效")


def _optional_text(value: object) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value)


def new_key() -> str:
    return "kb_" + secrets.token_urlsafe(32)

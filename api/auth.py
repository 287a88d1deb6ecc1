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
prints the entry (``--write`` adds it to the file); ``kb keys revoke NAME``
removes a holder's keys. API keys are long random strings, so a plain SHA-256
(compared in constant time, against every entry) is the right digest; password
hashing would only slow every request down.

**Rotation and revocation without a restart.** The service re-reads the file
when it changes on disk (:class:`KeyFile`: its modification time, size or
inode); the next request already sees the new keys. A file that does not parse
(half-edited) is refused with an error in the log and the previous keys stay in
force, so a typo never locks everyone out, nor turns into development mode.
Write the file whole and rename it into place (``kb keys`` does) so that a
reader never sees half of it.

What each role may do is ``kb_service/access.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb_service.access import Principal, Role
from kb_service.errors import AuthenticationError, ConfigurationError

log = logging.getLogger("kb_service.auth")


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
        found = None
        for sha, holder in self.entries:  # every entry, so the time taken says nothing of which matched
            if hmac.compare_digest(sha, wanted) and found is None:
                found = holder
        if found is None:
            raise AuthenticationError("API 密钥无效")
        return found


class KeyFile:
    """The keys file as the running service sees it: re-read whenever it changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp = self._stat()
        self._ring = KeyRing.load(self.path)  # a bad file at start-up stops the service
        self.problem: str | None = None
        """Why the latest version of the file was refused (the previous keys still apply), if it was."""

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size, stat.st_ino

    def ring(self) -> KeyRing:
        stamp = self._stat()
        if stamp == self._stamp:
            return self._ring
        with self._lock:
            if stamp != self._stamp:
                self._reload(stamp)
        return self._ring

    def _reload(self, stamp: tuple[int, int, int] | None) -> None:
        self._stamp = stamp  # once per version: a refused file is not parsed again on every request
        try:
            if stamp is None:
                raise ConfigurationError(f"配置项 KB_API_KEYS_FILE 指向的密钥文件不存在：{self.path}")
            ring = KeyRing.load(self.path)
        except ConfigurationError as exc:
            self.problem = exc.detail
            log.error("密钥文件已更改但无法使用，继续沿用上一版密钥：%s", exc.detail)
            return
        self._ring, self.problem = ring, None
        log.info("密钥文件已重新读取：%d 个密钥", len(ring.entries))

    def identify(self, key: str | None) -> Principal:
        return self.ring().identify(key)


def _optional_text(value: object) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value)


def _entries(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    return list((data or {}).get("keys") or [])


def _write(path: Path, entries: list[dict]) -> None:
    """The whole file, renamed into place: a service re-reading it never sees half of it."""
    text = yaml.safe_dump({"keys": entries}, allow_unicode=True, sort_keys=False)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def add_entry(path: Path, entry: dict) -> None:
    """Add one key's entry to the keys file (created if missing)."""
    _write(Path(path), [*_entries(Path(path)), entry])


def revoke(path: Path, name: str) -> int:
    """Remove every key of holder ``name``; how many were removed. The last key stays refused:
    a keys file without keys would stop the service at its next start."""
    entries = _entries(Path(path))
    kept = [e for e in entries if str(e.get("name")) != name]
    removed = len(entries) - len(kept)
    if removed == 0:
        raise ConfigurationError(f"密钥文件 {path} 中没有持有者“{name}”的密钥")
    if not kept:
        raise ConfigurationError("不能吊销最后一个密钥：先用 kb keys new --write 加入新密钥")
    _write(Path(path), kept)
    return removed


def list_entries(path: Path) -> list[dict]:
    """The keys file's holders, each with the first characters of its digest (never a key)."""
    return [
        {k: e.get(k) for k in ("name", "role", "committee", "region") if e.get(k)} | {"sha256": str(e.get("sha256", ""))[:12]}
        for e in _entries(Path(path))
    ]


def new_key() -> str:
    return "kb_" + secrets.token_urlsafe(32)

"""Requests per API key (``KB_RATE_LIMIT``), counted with the ``limits`` library.

Each key has its own moving window (keyed by the key's digest, never the key);
a caller over it gets 429 problem+json with ``Retry-After``. A wrong key counts
against the caller's address instead, so guessing keys is as slow as using one.
The counts live in the process's memory: one service process, one count (run
several workers and each counts on its own, which multiplies the allowance).
Development mode (no keys file) is not limited.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from kb_service.errors import RateLimitedError

_UNITS = {
    "second": "秒",
    "minute": "分钟",
    "hour": "小时",
    "day": "天",
    "month": "月",
    "year": "年",
}


def describe(item: RateLimitItem) -> str:
    """``600/minute`` → 每 1 分钟 600 次."""
    return f"每 {item.multiples} {_UNITS.get(item.GRANULARITY.name, item.GRANULARITY.name)} {item.amount} 次"


class RateLimits:
    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.items = parse_many(spec)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, who: str, *, what: str = "每个密钥") -> None:
        """Count one request for ``who``; RateLimitedError when one of the limits is used up."""
        for item in self.items:
            if not self._limiter.hit(item, who):
                reset, _ = self._limiter.get_window_stats(item, who)
                wait = max(1, math.ceil(reset - time.time()))
                raise RateLimitedError(
                    f"请求过于频繁：{what}{describe(item)}（KB_RATE_LIMIT）；请 {wait} 秒后重试",
                    wait,
                )

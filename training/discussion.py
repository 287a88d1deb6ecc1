"""Teaching a model case: its minutes, key facts, key issue and discussion questions.

Questions are filled-in Chinese templates, not generated prose: each quotes
the case's key issue (the first sentence of its 案例评析, or of its facts when
there is no commentary) and, where the case has them, its legal basis or
agreement, so trainees discuss this case rather than mediation in general.
"""

from __future__ import annotations

from typing import Any

from kb_service.text import sentences

CASE_MINUTES = (10, 15)
"""Presenting a case: 10 minutes, up to 15 for long facts."""
QUESTION_MINUTES = 5
"""Each discussion question; a case gets one or two (5–10 minutes)."""
_CHARS_PER_EXTRA_MINUTE = 160
_QUOTE_CHARS = 60


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip("，、；：") + "……"


def case_minutes(source: dict[str, Any]) -> int:
    """Longer facts take longer to present; 10 to 15 minutes."""
    extra = len(source.get("facts") or "") // _CHARS_PER_EXTRA_MINUTE
    return min(CASE_MINUTES[1], CASE_MINUTES[0] + extra)


def key_issue(source: dict[str, Any]) -> str:
    """What the case teaches: the commentary's first sentence, else the facts' first."""
    first = (
        sentences(source.get("commentary"))
        or sentences(source.get("facts"))
        or [source.get("title", "")]
    )
    return _clip(first[0].rstrip("。！？!?；;"), _QUOTE_CHARS)


def questions(source: dict[str, Any]) -> list[str]:
    """Two questions when the case has commentary plus legal basis or agreement, otherwise one or two."""
    issue = key_issue(source)
    if source.get("commentary"):
        asked = [
            f"案例评析指出：“{issue}”。结合本案事实，调解员是在哪些环节抓住这一关键的？"
            "如果由你主持调解，第一次约谈当事人时会怎样切入？"
        ]
    else:
        asked = [f"本案的起因是：“{issue}”。双方争议的焦点是什么？你会先从哪一方入手，为什么？"]
    basis = [b for b in source.get("legal_basis") or [] if b]
    if basis:
        cited = "、".join(basis[:2])
        asked.append(
            f"本案调解援引了{cited}。如何向当事人讲清这一规定，并把它转化为明确、可履行的协议条款？"
        )
    elif source.get("agreement"):
        asked.append(
            "对照本案的协议内容，它是否做到了明确、具体、可执行？还可以增加哪些保障履行的条款（如司法确认、回访）？"
        )
    return asked

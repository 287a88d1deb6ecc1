"""Chinese numerals (第一千零八十四条) through cn2an, imported on first use: importing it takes
about a third of a second, which every `kb` command would pay at start-up otherwise."""

from __future__ import annotations


def an2cn(number: int) -> str:
    """1084 → 一千零八十四."""
    import cn2an

    return cn2an.an2cn(number)


def cn2an(text: str) -> int:
    """一千零八十四 → 1084 (cn2an's "normal" mode: well-formed numerals only)."""
    import cn2an as converter

    return int(converter.cn2an(text, "normal"))

"""Charts for the report and the dashboard: matplotlib, drawn on the server as PNG.

No pyplot (its global state is not thread-safe under the API): a ``Figure``
with the Agg canvas per chart.

**Chinese text.** Matplotlib's own fonts have no Chinese glyphs. The first
installed font of :data:`CJK_FAMILIES` is used (on Debian/Ubuntu
``apt-get install fonts-noto-cjk`` or ``fonts-wqy-microhei``; Windows and
macOS have 黑体/微软雅黑/苹方); failing that, a CJK font file shipped by an
installed Python package (``mplfonts``). With none, the charts label series
with their codes (``labor``) and keep Chinese out of the picture rather than
draw empty boxes; the report's captions and tables stay Chinese, and
:func:`cjk_font` returning None lets callers say so.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "Sarasa Gothic SC",
    "AR PL UMing CN", "Droid Sans Fallback",
)  # fmt: skip


@cache
def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs that matplotlib can use, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    for path in _packaged_fonts():
        try:
            font_manager.fontManager.addfont(str(path))
            name = font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
        if any(word in name for word in ("CJK", "SC", "Hei", "Song", "Han")):
            return name
    return None


def _packaged_fonts() -> list[Path]:
    """CJK font files shipped by installed Python packages (mplfonts ships Noto Sans CJK SC)."""
    from importlib.util import find_spec

    found: list[Path] = []
    spec = find_spec("mplfonts")
    if spec and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            found += sorted(
                p for p in Path(folder).rglob("*") if p.suffix.lower() in (".otf", ".ttf", ".ttc")
            )
    return found


def label(chinese: str, fallback: str) -> str:
    """``chinese`` where a CJK font exists, else ``fallback`` (ASCII)."""
    return chinese if cjk_font() else fallback


def _figure(width: float = 8, height: float = 3.6):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=120)
    FigureCanvasAgg(figure)
    font = cjk_font()
    if font:
        from matplotlib import rcParams

        rcParams["font.sans-serif"] = [font, *rcParams["font.sans-serif"]]
        rcParams["axes.unicode_minus"] = False
    return figure


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def counts_chart(
    periods: Sequence[str], counts: Sequence[int], last_year: Sequence[int] | None = None
) -> bytes:
    """Counts per period as a line, last year's same periods dashed."""
    figure = _figure()
    axes = figure.add_subplot()
    x = range(len(periods))
    axes.plot(x, counts, marker="o", color="#c0392b", label=label("本期", "this year"))
    if last_year is not None:
        axes.plot(
            x, last_year, linestyle="--", color="#7f8c8d", label=label("上年同期", "last year")
        )
    step = max(1, len(periods) // 12)
    axes.set_xticks(list(x)[::step], list(periods)[::step], rotation=45, ha="right", fontsize=8)
    axes.set_ylabel(label("件数", "disputes"))
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return _png(figure)


def types_chart(
    names: Sequence[str], codes: Sequence[str], now: Sequence[int], before: Sequence[int]
) -> bytes:
    """This period against the previous one, per dispute type (horizontal bars)."""
    figure = _figure(8, max(2.4, 0.45 * len(names) + 1))
    axes = figure.add_subplot()
    shown = list(names) if cjk_font() else list(codes)
    y = range(len(shown))
    axes.barh(
        [i + 0.2 for i in y], before, height=0.4, color="#95a5a6", label=label("上期", "previous")
    )
    axes.barh(
        [i - 0.2 for i in y], now, height=0.4, color="#c0392b", label=label("本期", "this period")
    )
    axes.set_yticks(list(y), shown, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel(label("件数", "disputes"))
    axes.legend(fontsize=8)
    axes.grid(axis="x", alpha=0.3)
    return _png(figure)

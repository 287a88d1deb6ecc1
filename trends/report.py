"""The 矛盾纠纷分析研判报告: counts, what rose, the alerts and their disputes, lessons from model cases.

    document = trends_report(desk, period="month", as_of=date(2026, 2, 28))
    render(document, "docx")        # kb_service.export: md, html or docx

Sections (一 … 五): the overall count of the last complete period against the
one before and a year before, with a chart of twelve periods; the dispute
types that rose most (chart and table); the regions (counties) that rose
most; the alerts of the last 30 days, most urgent first, each with its
disputes (number, type, committee, received: no personal particulars); and
for the three busiest rising types the lessons (案例评析) of the model cases
most similar to a recent dispute of that type (``cases.queries.CaseLibrary``).

Everything is within the caller's scope: a county coordinator's report is the
county's.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from alerts.model import LEVEL_LABELS, level_rank
from alerts.periods import Period, check_period, period_end, period_label, period_label_zh, shift
from kb_service.errors import CollectionNotIndexedError, InvalidInputError, KBError
from kb_service.export import ExportDocument, Figure, ListBlock, Paragraph, Section, Table
from kb_service.vocabularies import DISPUTE_TYPES
from trends import charts
from trends.desk import TrendsDesk, parse_day
from trends.monitor import judged_period

log = logging.getLogger("kb_service.trends")

WINDOW = 12
TOP = 5
LESSON_TYPES = 3
MAX_ALERTS = 30
MAX_DISPUTES = 10


def _type_label(code: str | None) -> str:
    return DISPUTE_TYPES.label(code) if code in DISPUTE_TYPES.terms else (code or "")


def _change(now: int, before: int) -> str:
    if not before:
        return f"+{now}（上期为0）" if now else "持平"
    pct = (now - before) * 100 / before
    return f"{now - before:+d}（{pct:+.1f}%）"


def trends_report(
    desk: TrendsDesk, *, period: str = "month", as_of: Any = None, region: str | None = None
) -> ExportDocument:
    try:
        period_ = check_period(period)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="period") from exc
    day = parse_day(as_of, "as_of") or dt.date.today()
    judged = judged_period(day, period_)
    first = shift(judged, -(WINDOW - 1), period_)
    by_type = desk.trends(period=period_, by="type", date_from=first, date_to=judged, region=region)
    by_region = desk.trends(
        period=period_, by="region", level="county", date_from=judged, date_to=judged, region=region
    )
    alerts = desk.alerts(as_of=day, region=region)["alerts"]

    label = period_label(judged, period_)
    word = "月" if period_ == "month" else "周"
    scope = desk.scope
    where = region or scope.region or (scope.committee and f"{scope.committee}") or "全部辖区"
    document = ExportDocument(
        title="矛盾纠纷分析研判报告",
        subtitle=f"{where}　{period_label_zh(judged, period_)}",
        meta=[
            f"统计周期：{judged.isoformat()} 至 {period_end(judged, period_).isoformat()}（按{word}统计，截至 {day.isoformat()}）",
            f"生成时间：{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}　生成人：{desk.principal.name}",
            "数据来源：纠纷登记台账（不含已撤回的纠纷）；预警方法见“预警信息”一节",
        ],
    )
    if not charts.cjk_font():
        document.meta.append("说明：服务器未安装中文字体，图中图例以英文和类型代码显示")
    document.sections.append(_overall(by_type, label, period_, word))
    document.sections.append(_rising_types(by_type, label, word))
    document.sections.append(_rising_regions(by_region, label, word))
    document.sections.append(_alerts(desk, alerts))
    document.sections.append(_lessons(desk, by_type, label, judged, period_))
    return document


def _overall(by_type: dict, label: str, period: Period, word: str) -> Section:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # count, previous, last year
    for row in by_type["rows"]:
        t = totals[row["period"]]
        t[0] += row["count"]
        t[1] += row["previous"]
        t[2] += row["last_year"]
    periods = by_type["periods"]
    now, before, year_ago = totals.get(label, [0, 0, 0])
    section = Section("一、总体情况")
    section.blocks.append(Paragraph(
        f"本{word}（{label}）受理矛盾纠纷 {now} 件，环比 {_change(now, before)}，同比 {_change(now, year_ago)}。"
    ))  # fmt: skip
    section.blocks.append(Figure(
        charts.counts_chart(periods, [totals[p][0] for p in periods], [totals[p][2] for p in periods]),
        caption=f"图1　近{len(periods)}{word}纠纷受理量（虚线为上年同期）",
    ))  # fmt: skip
    return section


def _judged_rows(data: dict, label: str) -> list[dict]:
    return [r for r in data["rows"] if r["period"] == label]


def _rising_types(by_type: dict, label: str, word: str) -> Section:
    rows = sorted(_judged_rows(by_type, label), key=lambda r: (-r["change"], -r["count"]))
    rising = [r for r in rows if r["change"] > 0][:TOP]
    section = Section("二、上升较快的纠纷类型")
    if not rising:
        section.blocks.append(Paragraph(f"本{word}没有环比上升的纠纷类型。"))
        return section
    section.blocks.append(Figure(
        charts.types_chart([_type_label(r["dispute_type"]) for r in rising], [r["dispute_type"] for r in rising],
                           [r["count"] for r in rising], [r["previous"] for r in rising]),
        caption=f"图2　环比上升最多的纠纷类型（本{word}与上{word}）",
    ))  # fmt: skip
    section.blocks.append(Table(
        ["纠纷类型", f"本{word}", f"上{word}", "环比", "上年同期", "同比"],
        [[_type_label(r["dispute_type"]), str(r["count"]), str(r["previous"]), _change(r["count"], r["previous"]),
          str(r["last_year"]), _change(r["count"], r["last_year"])] for r in rising],
    ))  # fmt: skip
    return section


def _rising_regions(by_region: dict, label: str, word: str) -> Section:
    rows = sorted(_judged_rows(by_region, label), key=lambda r: (-r["change"], -r["count"]))
    rising = [r for r in rows if r["change"] > 0][:TOP]
    section = Section("三、上升较快的地区（县级）")
    if not rising:
        section.blocks.append(Paragraph(f"本{word}没有环比上升的县（市、区）。"))
        return section
    section.blocks.append(Table(
        ["地区", f"本{word}", f"上{word}", "环比", "同比"],
        [[r["region"] or "", str(r["count"]), str(r["previous"]), _change(r["count"], r["previous"]),
          _change(r["count"], r["last_year"])] for r in rising],
    ))  # fmt: skip
    return section


def _alerts(desk: TrendsDesk, alerts: list[dict]) -> Section:
    section = Section("四、预警信息")
    if not alerts:
        section.blocks.append(Paragraph("近30天没有预警。"))
        return section
    counts = defaultdict(int)
    for a in alerts:
        counts[a["level"]] += 1
    summary = "，".join(
        f"{LEVEL_LABELS[level]}预警 {counts[level]} 条"
        for level in ("red", "orange", "yellow")
        if counts[level]
    )
    section.blocks.append(Paragraph(
        f"近30天共 {len(alerts)} 条预警：{summary}。数量异常上升（surge）按各地区、各类型自身的历史判断"
        "（季节性计数模型与近两期累计似然比检验；历史不足两年时用 EARS C2）；"
        "群体性、重复、激化苗头、超期未结按规则判断。"
    ))  # fmt: skip
    # a coordinator reads the surges and group disputes before the overdue files
    order = {"surge": 0, "group": 1, "escalation": 2, "repeat": 3, "overdue": 4}
    alerts = sorted(
        alerts, key=lambda a: (a["acknowledged"], -level_rank(a["level"]), order.get(a["kind"], 9))
    )
    shown = alerts[:MAX_ALERTS]
    ids = sorted({d for a in shown for d in a["disputes"][:MAX_DISPUTES]})
    records = {r.id: r for r in desk.register.get_many(ids, scope=desk.scope)}
    for n, a in enumerate(shown, start=1):
        sub = Section(
            f"（{n}）【{a['level_label']}】{a['kind_label']}：{a.get('region') or ''} {a.get('dispute_type_label', '')}"
        )
        sub.blocks.append(Paragraph(a["reason"]))
        if a["acks"]:
            last = a["acks"][-1]
            sub.blocks.append(
                Paragraph(f"已处置：{last['actor']}（{last['at'][:10]}）：{last['note']}")
            )
        rows = [
            [r.number, _type_label(r.dispute_type), r.committee, r.received.isoformat(), r.status]
            for r in (records.get(i) for i in a["disputes"][:MAX_DISPUTES])
            if r is not None
        ]
        if rows:
            from disputes.schema import STATUSES

            for row in rows:
                row[4] = STATUSES.label(row[4])
            sub.blocks.append(Table(["编号", "类型", "调解委员会", "受理日期", "状态"], rows))
        if len(a["disputes"]) > MAX_DISPUTES:
            sub.blocks.append(
                Paragraph(f"另有 {len(a['disputes']) - MAX_DISPUTES} 起纠纷，见预警详情。")
            )
        section.subsections.append(sub)
    if len(alerts) > MAX_ALERTS:
        section.blocks.append(Paragraph(f"以下列出最紧急的 {MAX_ALERTS} 条，其余见研判预警页面。"))
    return section


def _lessons(
    desk: TrendsDesk, by_type: dict, label: str, judged: dt.date, period: Period
) -> Section:
    section = Section("五、类案借鉴")
    rows = sorted(_judged_rows(by_type, label), key=lambda r: (-(r["change"] > 0), -r["count"]))
    types = [r["dispute_type"] for r in rows if r["count"] > 0][:LESSON_TYPES]
    if not types:
        section.blocks.append(Paragraph("本期没有受理纠纷。"))
        return section
    try:
        for code in types:
            sub = _lessons_for(desk, code, judged, period)
            if sub is not None:
                section.subsections.append(sub)
    except CollectionNotIndexedError:
        section.blocks.append(Paragraph("案例库尚未建立索引（kb index）：暂无类案借鉴。"))
    except KBError as exc:  # the counts and alerts above are worth having without the case library
        log.warning("研判报告的类案借鉴不可用：%s", exc.detail)
        section.blocks.append(Paragraph(f"类案借鉴暂不可用：{exc.detail}"))
    if not section.subsections and not section.blocks:
        section.blocks.append(Paragraph("案例库中没有可借鉴的类似案例。"))
    return section


def _lessons_for(desk: TrendsDesk, code: str, judged: dt.date, period: Period) -> Section | None:
    from cases.indexing import COLLECTION as CASES
    from cases.queries import CaseFilters, CaseLibrary
    from disputes.assist import dispute_text

    page = desk.register.list(
        {"dispute_type": [code], "received_from": judged, "received_to": period_end(judged, period)},
        scope=desk.scope, size=1,
    )  # fmt: skip
    if not page.items:
        return None
    text = dispute_text(page.items[0])  # masked: names and numbers never reach the search
    library = CaseLibrary(desk._services)
    found = library.similar(text=text, filters=CaseFilters(dispute_type=[code]), size=3)
    if not found["hits"]:
        return None
    stored = desk._services.store.get_many(CASES, [h["id"] for h in found["hits"]])
    sub = Section(f"{_type_label(code)}")
    items = []
    for hit in found["hits"]:
        case = stored.get(hit["id"], {})
        lesson = " ".join(str(case.get("commentary") or "").split())
        if len(lesson) > 240:
            lesson = lesson[:240] + "……"
        items.append(f"{hit.get('title', hit['id'])}（{hit['id']}）：{lesson or '（无案例评析）'}")
    sub.blocks.append(ListBlock(items))
    return sub


def render_report(
    desk: TrendsDesk,
    *,
    period: str = "month",
    as_of: Any = None,
    fmt: str = "docx",
    region: str | None = None,
) -> tuple[str | bytes, str, str]:
    """(content, media type, file name) of the report in ``md``, ``html`` or ``docx``."""
    from kb_service.export import MEDIA_TYPES, render

    if fmt not in MEDIA_TYPES:
        raise InvalidInputError(f"不支持的报告格式“{fmt}”，可选：md、html、docx", field="format")
    document = trends_report(desk, period=period, as_of=as_of, region=region)
    day = parse_day(as_of, "as_of") or dt.date.today()
    return render(document, fmt), MEDIA_TYPES[fmt], f"trends-report-{day.isoformat()}.{fmt}"

"""Course building on both backends: budget, topic, cases, discussion, storage and every export."""

from __future__ import annotations

import io

import docx
import pytest

from kb_service.errors import InvalidInputError, NotFoundError
from training.courses import build_course, export_course, load_course


@pytest.mark.parametrize("minutes", [30, 60, 120])
def test_the_outline_never_exceeds_the_budget(sample, minutes):
    course = build_course(sample, "劳动争议纠纷", minutes=minutes, cases=3)
    assert 0 < course.total_minutes <= minutes
    assert sum(item.minutes for item in course.outline) == course.total_minutes
    kinds = {item.kind for item in course.outline}
    assert {"material", "case", "discussion"} <= kinds
    for item in course.outline:
        if item.kind == "case":
            assert 10 <= item.minutes <= 15
        if item.kind == "discussion":
            assert 5 <= item.minutes <= 10


@pytest.mark.parametrize("minutes", [30, 90])
def test_a_small_budget_still_fits_when_every_item_is_counted(sample, minutes):
    course = build_course(sample, "neighbor", minutes=minutes, cases=10)
    assert course.total_minutes <= minutes


@pytest.mark.parametrize(
    ("topic", "types", "wanted"),
    [
        ("labor", [], {"labor"}),
        ("婚姻家庭", ["婚姻纠纷", "family"], {"婚姻家庭", "marriage", "family"}),
        ("司法确认", [], {"司法确认"}),
    ],
)
def test_no_material_section_is_off_topic(sample, topic, types, wanted):
    course = build_course(sample, topic, dispute_types=types, minutes=120)
    materials = [item for item in course.outline if item.kind == "material"]
    assert materials
    for item in materials:
        source = sample.store.get("training", item.ref)
        assert wanted & set(source["topics"]), (item.ref, source["topics"])


def test_cases_are_of_the_types_asked_and_come_with_questions(sample):
    course = build_course(
        sample,
        "婚姻家庭",
        dispute_types=["marriage", "家庭纠纷（赡养、抚养、继承）"],
        minutes=120,
        cases=3,
    )
    assert course.dispute_types == ["marriage", "family"]
    case_items = [item for item in course.outline if item.kind == "case"]
    assert 1 <= len(case_items) <= 3
    for item in case_items:
        assert sample.store.get("cases", item.ref)["dispute_type"] in {"marriage", "family"}
    assert {c.dispute_type for c in course.cases} == {"marriage", "family"}  # both types taught
    for part in course.discussions:
        assert 1 <= len(part.questions) <= 2
    # the first question quotes the case's key issue
    for case, part in zip(course.cases, course.discussions, strict=True):
        assert f"“{case.key_issue}”" in part.questions[0]


def test_higher_level_cases_are_preferred(sample):
    course = build_course(sample, "neighbor", minutes=120, cases=2)
    levels = [sample.store.get("cases", c.ref).get("level") for c in course.cases]
    order = {"province": 0, "city": 1, "county": 2}
    assert levels and [order[x] for x in levels] == sorted(order[x] for x in levels)
    assert "county" not in levels  # the sample library has city-level neighbour cases


def test_courses_are_saved_and_loaded_by_id(sample):
    course = build_course(sample, "labor", minutes=60, audience="新任调解员")
    assert course.id.startswith("course-")
    assert (sample.settings.data_dir / "courses" / f"{course.id}.json").is_file()
    assert load_course(sample, course.id) == course
    assert course.summary()["outline"][0].keys() == {"kind", "ref", "title", "minutes"}
    with pytest.raises(NotFoundError):
        load_course(sample, "course-00000000-20240101000000")
    with pytest.raises(NotFoundError):
        load_course(sample, "../../etc/passwd")


def test_bad_requests_say_what_to_fix(sample):
    with pytest.raises(InvalidInputError, match="时长"):
        build_course(sample, "labor", minutes=5)
    with pytest.raises(InvalidInputError, match="纠纷类型"):
        build_course(sample, "labor", dispute_types=["labour"])
    with pytest.raises(InvalidInputError, match="主题"):
        build_course(sample, "  ")


def test_every_export_opens_and_shows_the_course(sample):
    course = build_course(sample, "neighbor", minutes=90, cases=2)
    case_titles = [c.title for c in course.cases]
    first_material = course.materials[0]
    questions = [q for d in course.discussions for q in d.questions]

    markdown = export_course(course, "md")
    assert markdown.startswith(f"# {course.title}\n")
    for item in course.outline:
        assert f"| {item.minutes} |" in markdown
    assert first_material.text[:30] in markdown
    assert all(t in markdown for t in case_titles)

    html = export_course(course, "html")
    assert '<meta charset="utf-8">' in html
    assert f"<h1>{course.title}</h1>" in html and html.count("<h2>") >= 3
    assert all(t in html for t in case_titles)
    assert course.cases[0].key_facts[:20] in html

    document = docx.Document(io.BytesIO(export_course(course, "docx")))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", course.title) in paragraphs
    headings = [text for style, text in paragraphs if style.startswith("Heading")]
    assert all(any(t in h for h in headings) for t in case_titles)
    numbered = [text for style, text in paragraphs if style == "List Number"]
    assert set(questions) <= set(numbered)
    schedule = document.tables[0]
    assert [c.text for c in schedule.rows[0].cells] == ["序号", "环节", "内容", "时长（分钟）"]
    assert len(schedule.rows) == len(course.outline) + 1


def test_a_plain_topic_names_its_types_and_fills_the_budget_with_what_belongs(sample):
    # kb course build 婚姻家庭纠纷调解 --minutes 120, no --type: 婚姻家庭 means marriage and family.
    course = build_course(sample, "婚姻家庭纠纷调解", minutes=120)
    assert set(course.inferred_types) == {"marriage", "family"} == set(course.dispute_types)
    assert 96 <= course.total_minutes <= 120
    assert any(item.kind == "material" for item in course.outline)
    assert {"marriage", "family"} <= {part.dispute_type for part in course.cases}
    materials = {s["material_id"]: s for s in sample.store.iter_sources("training")}
    for part in course.materials:
        assert {"marriage", "family"} & set(materials[part.material_id]["topics"]), part.ref
    assert "由主题推断" in export_course(course, "md")

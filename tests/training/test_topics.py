"""Plain course topics: the dispute types their words name (no model needed)."""

from __future__ import annotations

import pytest

from training.topics import named_types


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("婚姻家庭纠纷调解", ["marriage", "family"]),
        ("赡养老人", ["family"]),
        ("继承纠纷实务", ["family"]),
        ("土地承包", ["forest_land"]),
        ("交通事故赔偿", ["damages", "traffic"]),
        ("物业纠纷化解", ["property_mgmt"]),
        ("调解技巧培训", []),
        ("司法确认", []),
    ],
)
def test_the_types_a_topic_names(analyzer, topic, expected):
    assert sorted(named_types(analyzer, topic)) == sorted(expected)

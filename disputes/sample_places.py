"""The sample register's places and committees: 吉林省's real counties, invented townships.

Every county of the nine cities gets two or three invented townships (街道 in
districts, 镇/乡 elsewhere) with villages or communities under them, and
committees: one per township and per village, a court-stationed and a
police-stationed 工作室, sometimes an enterprise committee or a personal
studio, plus each city's professional committees (medical, traffic).
:data:`ROUTES` says where each type of dispute is usually taken. None of it
depends on the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from disputes import sample_text as words


@dataclass(frozen=True)
class County:
    city: str
    name: str
    weight: int
    code: str
    """Six-digit area code used in invented ID numbers."""

    @property
    def region(self) -> str:
        return f"{words.PROVINCE}/{self.city}/{self.name}"

    @property
    def urban(self) -> bool:
        return self.name.endswith("区")


@dataclass(frozen=True)
class CommitteeSpec:
    name: str
    org_level: str
    region: str
    county: County
    kind: str
    """township, village, court, police, enterprise, medical, traffic, studio."""
    mediators: tuple[str, ...]
    places: tuple[str, ...] = ()


def counties() -> list[County]:
    found = []
    for city, (prefix, counties) in words.CITIES.items():
        for index, (name, weight) in enumerate(counties, start=2):
            found.append(County(city, name, weight, f"{prefix}{index:02d}"))
    return found


def person_name(rng: random.Random) -> str:
    given = rng.choice(words.GIVEN_CHARS) + (
        rng.choice(words.GIVEN_CHARS) if rng.random() < 0.7 else ""
    )
    return rng.choice(words.SURNAMES) + given


def build_committees() -> dict[str, list[CommitteeSpec]]:
    """County region → its committees, plus each city's professional ones. Seed-independent."""
    rng = random.Random("吉林省人民调解委员会")
    by_county: dict[str, list[CommitteeSpec]] = {}
    professional: dict[str, list[CommitteeSpec]] = {}
    for county in counties():
        mediators = lambda k: tuple(person_name(rng) for _ in range(k))  # noqa: E731
        committees: list[CommitteeSpec] = []
        stems = words.STREET_STEMS if county.urban else words.TOWN_STEMS
        for town_stem in rng.sample(stems, rng.choice((2, 3))):
            suffix = "街道" if county.urban else ("乡" if rng.random() < 0.2 else "镇")
            town = town_stem + suffix
            town_region = f"{county.region}/{town}"
            committees.append(
                CommitteeSpec(
                    f"{county.name}{town}人民调解委员会",
                    "township",
                    town_region,
                    county,
                    "township",
                    mediators(3),
                    (town,),
                )
            )
            village_stems = words.COMMUNITY_STEMS if county.urban else words.VILLAGE_STEMS
            for village_stem in rng.sample(village_stems, rng.choice((1, 2))):
                village = village_stem + ("社区" if county.urban else "村")
                committees.append(
                    CommitteeSpec(
                        f"{county.name}{town}{village}人民调解委员会", "village",
                        f"{town_region}/{village}", county, "village", mediators(2), (town, village),
                    )
                )  # fmt: skip
        committees.append(
            CommitteeSpec(
                f"{county.name}人民法院诉调对接人民调解工作室",
                "stationed",
                county.region,
                county,
                "court",
                mediators(2),
            )
        )
        committees.append(
            CommitteeSpec(
                f"{county.name}公安局警调衔接人民调解工作室",
                "stationed",
                county.region,
                county,
                "police",
                mediators(2),
            )
        )
        if rng.random() < 0.35:
            company = rng.choice(words.COMPANY_STEMS) + rng.choice(words.COMPANY_TRADES)
            committees.append(
                CommitteeSpec(
                    f"{county.name}{company}有限公司人民调解委员会",
                    "enterprise",
                    county.region,
                    county,
                    "enterprise",
                    mediators(1),
                )
            )
        if rng.random() < 0.15:
            founder = person_name(rng)
            committees.append(
                CommitteeSpec(
                    f"{county.name}{founder}个人调解工作室",
                    "studio",
                    county.region,
                    county,
                    "studio",
                    (founder,),
                )
            )
        by_county[county.region] = committees
        if county.city not in professional:
            city_region = f"{words.PROVINCE}/{county.city}"
            professional[county.city] = [
                CommitteeSpec(f"{county.city}医疗纠纷人民调解委员会", "professional", city_region, county, "medical", mediators(3)),
                CommitteeSpec(f"{county.city}道路交通事故纠纷人民调解委员会", "professional", city_region, county, "traffic", mediators(3)),
            ]  # fmt: skip
    for committees in by_county.values():
        committees.extend(professional[committees[0].county.city])
    return by_county


# Where each type of dispute is taken: committee kind → weight.
ROUTES: dict[str, dict[str, float]] = {
    "medical": {"medical": 8, "township": 2},
    "traffic": {"traffic": 4.5, "police": 3.5, "township": 2},
    "labor": {"township": 4.5, "enterprise": 2, "court": 1.5, "village": 2},
    "property_mgmt": {"township": 6, "village": 3, "court": 1},
    "land_acquisition": {"township": 7, "court": 1, "village": 2},
    "petition": {"township": 8, "village": 2},
    "contract": {"township": 5, "court": 3, "village": 2},
    "damages": {"township": 4, "court": 2, "village": 3, "police": 1},
    "consumer": {"township": 6, "court": 2, "village": 2},
    "ecommerce": {"township": 6, "court": 4},
    "logistics": {"township": 6, "court": 4},
}
DEFAULT_ROUTE = {"village": 5.5, "township": 3.5, "studio": 0.5, "court": 0.3, "police": 0.2}

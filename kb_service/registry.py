"""Every domain of the service, registered once.

A domain brings some of: a search collection (its ``CollectionSpec``), an
HTTP router, web pages with their navigation links, and ``kb`` commands. The
indexer (``kb index``), ``/readyz``, ``/v1/admin/status``, the API app, the
pages' navigation and the CLI all read :data:`DOMAINS`; nothing else keeps a
list of collections. Adding a domain is its package, its router/pages/CLI
modules, and one line here.

Entries name their parts as ``"module:attribute"`` strings (like entry
points): the core never imports the outer layers (API, CLI) at import time,
and a process imports only what it uses (``kb search`` never loads FastAPI).
``tests/kb_service/test_registry.py`` imports every string, so a typo fails
the fast suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from indexer.spec import CollectionSpec


@dataclass(frozen=True)
class PageLink:
    """A navigation entry of the web pages."""

    path: str
    label: str
    permission: str = "read"
    """The permission (``api.auth.Permission`` value) a visitor needs to see the link."""


@dataclass(frozen=True)
class Domain:
    name: str
    collection: str | None = None
    """``module:SPEC`` of the domain's search collection, if it has one."""
    router: str | None = None
    """``module:router`` of its JSON API."""
    pages: str | None = None
    """``module:router`` of its web pages."""
    cli: str | None = None
    """A module whose ``register(cli)`` adds the domain's ``kb`` commands."""
    nav: tuple[PageLink, ...] = ()
    startup: str | None = None
    """``module:function`` the API calls with the Services at start-up (e.g. applying migrations)."""


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "cases",
        collection="cases.indexing:SPEC",
        router="api.routers.cases:router",
        pages="api.pages.cases:router",
        cli="cli.cases",
        nav=(PageLink("/", "案例检索"),),
    ),
    Domain(
        "experts",
        collection="experts.indexing:SPEC",
        router="api.routers.experts:router",
        pages="api.pages.experts:router",
        cli="cli.experts",
        nav=(PageLink("/experts", "专家匹配", "experts"),),
    ),
    Domain(
        "training",
        collection="training.indexing:SPEC",
        router="api.routers.training:router",
        pages="api.pages.training:router",
        cli="cli.training",
        nav=(PageLink("/training", "培训与课程"),),
    ),
    Domain("laws", collection="laws.indexing:SPEC", router="api.routers.laws:router", pages="api.pages.laws:router", cli="cli.laws", nav=(PageLink("/laws", "法条"),)),  # fmt: skip
    Domain(
        "disputes",
        collection="disputes.indexing:SPEC",
        router="api.routers.disputes:router",
        pages="api.pages.disputes:router",
        cli="cli.disputes",
        nav=(PageLink("/disputes", "纠纷登记", "disputes"),),
        startup="disputes.service:start",
    ),
    Domain(
        "trends",
        router="api.routers.trends:router",
        pages="api.pages.trends:router",
        cli="cli.trends",
        nav=(PageLink("/dashboard", "研判预警", "alerts"),),
    ),
)


def resolve(reference: str) -> Any:
    """The object a ``module:attribute`` string names (a module for a plain module path)."""
    module_name, _, attribute = reference.partition(":")
    module = import_module(module_name)
    return getattr(module, attribute) if attribute else module


@cache
def collection_specs() -> tuple[CollectionSpec, ...]:
    """The search collections, in registration order (the order of ``kb index`` output)."""
    return tuple(resolve(d.collection) for d in DOMAINS if d.collection)


def collection_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in collection_specs())


def nav_links() -> tuple[PageLink, ...]:
    return tuple(link for d in DOMAINS for link in d.nav)


def startup_hooks() -> tuple[str, ...]:
    """What the API runs once at start-up, in registration order."""
    return tuple(d.startup for d in DOMAINS if d.startup)

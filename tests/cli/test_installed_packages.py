"""The installed ``kb`` sees every package of the service, not only what the checkout's
folder on ``sys.path`` lends the tests (``kb serve`` once failed on a package left out)."""

from __future__ import annotations

import fnmatch
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
NOT_SHIPPED = {"tests", "benchmarks", "scripts"}


def test_every_top_level_package_is_in_the_distribution():
    include = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in NOT_SHIPPED)
    assert "trends" in packages and "api" in packages
    left_out = [name for name in packages if not any(fnmatch.fnmatch(name, pattern) for pattern in include)]
    assert left_out == [], f"pyproject.toml [tool.setuptools.packages.find] include lacks {left_out}"


def test_every_module_imports_from_outside_the_checkout(tmp_path):
    # as the kb console script runs it: from another folder, the checkout not on sys.path
    packages = [p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in NOT_SHIPPED]
    code = (
        "import importlib, pkgutil\n"
        f"for name in {packages!r}:\n"
        "    package = importlib.import_module(name)\n"
        "    for module in pkgutil.walk_packages(package.__path__, name + '.'):\n"
        "        if '.migrations' not in module.name:  # alembic's scripts: alembic runs them\n"
        "            importlib.import_module(module.name)\n"
        "print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=120)  # fmt: skip
    # (the environment is shared: scripts/setup-venv.sh points its editable install at the
    # checkout that ran it last, as scripts/test.sh does before pytest)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]

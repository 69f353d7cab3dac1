"""The house's floors (issue 19), checked in every `make test`: ruff's lint
rules and formatting, and the import-linter contracts in pyproject.toml.
They read the source only, no database."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command, cwd=ROOT):
    return subprocess.run([str(BIN / command[0]), *command[1:]], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_ruff_lint_passes():
    result = run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_kept():
    result = run("ruff", "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, "ruff format would change:\n" + result.stdout


def test_import_contracts_are_kept():
    result = run("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_upward_import_breaks_the_build_and_names_the_rule(tmp_path):
    """A copy of the tree where core imports cases: the layers contract fails
    and says which rule and which import."""
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "var", "staticfiles", "__pycache__", "bench", "docs", "static"
        ),
    )
    (copy / "core" / "upward.py").write_text(
        textwrap.dedent("""\
        from cases import models  # an upward import, on purpose
    """)
    )
    result = run("lint-imports", "--no-cache", cwd=copy)
    assert result.returncode != 0
    assert "Layers: an app imports only the apps below it" in result.stdout
    assert "core.upward -> cases.models" in result.stdout


def test_the_engine_contract_catches_django(tmp_path):
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "var", "staticfiles", "__pycache__", "bench", "docs", "static"
        ),
    )
    (copy / "matching" / "engine" / "leak.py").write_text("from django.db import models  # on purpose\n")
    result = run("lint-imports", "--no-cache", cwd=copy)
    assert result.returncode != 0
    assert (
        "The matching engine imports no Django" in result.stdout and "matching.engine.leak -> django" in result.stdout
    )

"""The type checks (issue 19): mypy over the targets pyproject.toml names (matching/engine
strict, core with its untyped functions checked), with django-stubs. A change that breaks a
type fails here with mypy's own report."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_passes_on_the_configured_targets(tmp_path_factory):
    # A cache kept outside the repository; mypy reads pyproject.toml from the root.
    cache = tmp_path_factory.getbasetemp() / "mypy-cache"
    mypy = ROOT / ".venv" / "bin" / "mypy"
    command = [str(mypy)] if mypy.exists() else [sys.executable, "-m", "mypy"]
    result = subprocess.run(
        [*command, "--cache-dir", str(cache), "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"mypy found type errors:\n{result.stdout}{result.stderr}"

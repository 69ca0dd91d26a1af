"""The README's quick start and .ci/run must not drift apart."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readme_test_command_verbatim():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = next(line for line in ci_lines if "pytest" in line and "pip install" in line)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert command in readme


def test_readme_quick_start_starts_the_demo():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "workstation --demo" in readme

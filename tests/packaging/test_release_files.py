"""The release files agree with each other: the CI workflow, the spec, the installer scripts.

None of them can run here (no Windows or macOS), so these checks catch the mistakes that would
otherwise surface only on a runner: a renamed file, an output the upload step does not match.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
ISS = ROOT / "packaging" / "windows" / "workstation.iss"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps() -> list[dict]:
    return _workflow()["jobs"]["installer"]["steps"]


def test_workflow_builds_on_windows_and_macos_and_runs_on_tags_and_by_hand():
    workflow = _workflow()
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "workflow_dispatch" in triggers and "tags" in triggers["push"]
    oses = {entry["os"] for entry in workflow["jobs"]["installer"]["strategy"]["matrix"]["include"]}
    assert oses == {"windows-latest", "macos-latest"}


def test_every_file_the_workflow_runs_exists():
    commands = "\n".join(step.get("run", "") for step in _steps())
    for path in re.findall(r"packaging[/\\][\w/\\.-]+\.(?:spec|py|sh|iss)", commands):
        assert (ROOT / path.replace("\\", "/")).is_file(), path


def test_smoke_tested_programs_are_what_the_spec_builds():
    spec = (ROOT / "packaging" / "workstation.spec").read_text(encoding="utf-8")
    assert 'program("workstation", console=False)' in spec  # the program, dist/workstation/workstation(.exe)
    assert re.search(r'COLLECT\(.*name="workstation"\)', spec)  # its folder, dist/workstation
    assert 'APP_NAME = "Workstation"' in spec and 'name=f"{APP_NAME}.app"' in spec
    programs = {entry["program"] for entry in _workflow()["jobs"]["installer"]["strategy"]["matrix"]["include"]}
    assert programs == {"dist/workstation/workstation.exe", "dist/Workstation.app/Contents/MacOS/workstation"}


def test_uploaded_artifacts_match_the_installer_names():
    upload = next(step for step in _steps() if step.get("uses", "").startswith("actions/upload-artifact"))
    patterns = upload["with"]["path"].split()
    iss = ISS.read_text(encoding="utf-8-sig")
    setup_name = re.search(r"^OutputBaseFilename=(.+)$", iss, re.MULTILINE).group(1).replace("{#AppVersion}", "0.1.0")
    dmg_name = "Workstation-0.1.0-macos-arm64.dmg"
    assert re.search(r'DMG="\$OUT/Workstation-\$VERSION-macos-\$ARCH\.dmg"',
                     (ROOT / "packaging" / "macos" / "build_dmg.sh").read_text(encoding="utf-8"))
    for produced in (f"dist/{setup_name}.exe", f"dist/{dmg_name}"):
        assert any(fnmatch.fnmatch(produced, pattern) for pattern in patterns), produced


def test_installer_script_is_utf8_with_bom_and_keeps_its_app_id():
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads the Chinese names correctly only with a BOM"
    # Changing AppId would make Windows treat an upgrade as a second, separate program.
    assert "AppId={{6F1B7C52-9A3E-4D1F-8B27-3C5E9D04A1B6}" in raw.decode("utf-8-sig")

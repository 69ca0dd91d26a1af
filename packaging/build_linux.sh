#!/usr/bin/env bash
# Build the frozen Linux app with PyInstaller and smoke-test the result.
#
#   packaging/build_linux.sh            # builds dist/workstation/, then tests it
#
# Environment (all optional):
#   PYTHON            interpreter with the project and PyInstaller installed (default .venv/bin/python;
#                     if .venv does not exist it is created and `.[build]` installed into it)
#   WORKSTATION_DIST  output folder (default dist)      WORKSTATION_WORK  PyInstaller's work folder
#   SMOKE_JSON        also write the smoke test's numbers to this JSON file
#
# The smoke test (packaging/smoke_test.py, also used by CI on Windows and macOS) runs
# `workstation --version`, then `--demo --screenshot` offscreen, checks the PNG, and prints the
# bundle size and the time from launch to the first painted window.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIST="${WORKSTATION_DIST:-$ROOT/dist}"
WORK="${WORKSTATION_WORK:-$ROOT/build/pyinstaller}"

if [[ -z "${PYTHON:-}" ]]; then
    PYTHON="$ROOT/.venv/bin/python"
    if [[ ! -x "$PYTHON" ]]; then
        echo "== creating .venv"
        python3 -m venv "$ROOT/.venv"
        "$PYTHON" -m pip install --quiet --upgrade pip
        "$PYTHON" -m pip install --quiet -e ".[build]"
    fi
fi
if ! "$PYTHON" -c "import PyInstaller, workstation" 2>/dev/null; then
    echo "== installing the project with its build tools"
    "$PYTHON" -m pip install --quiet -e ".[build]"
fi

echo "== building with PyInstaller $("$PYTHON" -m PyInstaller --version) (version $("$PYTHON" -c 'from importlib.metadata import version; print(version("workstation"))'))"
started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/workstation.spec
echo "== built $DIST/workstation in $(( $(date +%s) - started )) s"

APP="$DIST/workstation/workstation"
INTERNAL="$DIST/workstation/_internal"

# Every Qt library a bundled binary links to must be in the bundle: this catches an exclusion in
# the spec that went too far. System libraries the README asks for (libxcb-*, libEGL) may be absent
# on a build server; those are listed, not fatal.
echo "== checking shared-library links"
missing=$(find "$INTERNAL" -type f \( -name '*.so' -o -name '*.so.*' \) -print0 \
    | LD_LIBRARY_PATH="$INTERNAL:$INTERNAL/PySide6/Qt/lib" xargs -0 -n 50 ldd 2>/dev/null \
    | awk '/not found/ {print $1}' | sort -u || true)
if [[ -n "$missing" ]]; then
    echo "   not in the bundle (expected from the system): $(tr '\n' ' ' <<<"$missing")"
    if grep -Eq '^lib(Qt6|pyside6|shiboken6)' <<<"$missing"; then
        echo "FAIL: a bundled binary needs a Qt library the spec left out" >&2
        exit 1
    fi
fi

echo "== largest parts of the bundle"
( cd "$INTERNAL" && du -s --block-size=1M -- * | sort -rn | head -8 | awk '{printf "   %5d MiB  %s\n", $1, $2}' )

echo "== smoke test"
"$PYTHON" packaging/smoke_test.py "$APP" ${SMOKE_JSON:+--json "$SMOKE_JSON"}

#!/usr/bin/env bash
# Wrap the frozen macOS app in a compressed disk image with the usual "drag to Applications" layout.
#
#   packaging/macos/build_dmg.sh [dist/Workstation.app] [dist]
#
# Run after `pyinstaller packaging/workstation.spec` on a Mac (hdiutil is macOS-only). Writes
# <out>/Workstation-<version>-macos-<arch>.dmg, the version read from the app's Info.plist.
#
# The app is only ad-hoc signed (PyInstaller does that, arm64 requires it); with a Developer ID,
# sign and notarise the .app before this step and the .dmg after it. Until then Gatekeeper asks
# the agent to confirm the first start (docs/install.md says how).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP="${1:-$ROOT/dist/Workstation.app}"
OUT="${2:-$ROOT/dist}"

if [[ ! -d "$APP/Contents/MacOS" ]]; then
    echo "no app bundle at $APP; build it first: pyinstaller packaging/workstation.spec" >&2
    exit 1
fi
VERSION=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$APP/Contents/Info.plist")
ARCH=$(uname -m)
DMG="$OUT/Workstation-$VERSION-macos-$ARCH.dmg"

STAGING=$(mktemp -d)
trap 'rm -rf "$STAGING"' EXIT
# ditto keeps symlinks, extended attributes and the code signature intact (cp -R may not).
ditto "$APP" "$STAGING/Workstation.app"
ln -s /Applications "$STAGING/Applications"

mkdir -p "$OUT"
rm -f "$DMG"
# hdiutil on CI runners now and then fails with "Resource busy"; a retry is the known cure.
for attempt in 1 2 3; do
    if hdiutil create -volname "Workstation $VERSION" -srcfolder "$STAGING" -fs HFS+ -format UDZO -ov "$DMG"; then
        break
    fi
    [[ $attempt == 3 ]] && exit 1
    sleep $((attempt * 5))
done
hdiutil verify "$DMG"
echo "$DMG"

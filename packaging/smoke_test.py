"""Smoke test of a frozen Workstation build, the same on Linux, Windows and macOS.

    python packaging/smoke_test.py dist/workstation/workstation            # Linux
    python packaging/smoke_test.py dist\\workstation\\workstation.exe      # Windows
    python packaging/smoke_test.py dist/Workstation.app/Contents/MacOS/workstation

1. `--version` prints `workstation <version>` (the version the build was made from);
2. every file under resources/ is inside the bundle;
3. `compliance check` blocks a word from the bundled word lists and `compliance check-image` reads a
   picture (OpenCV, zxing-cpp): the resources are found and the native libraries load when frozen;
4. `--demo --screenshot` (offscreen) exits 0 and leaves a PNG that shows a window, not a blank;
5. reports the bundle size and the start-up time: from launching the program until the app logs
   "first window painted" — the whole cold start, including the interpreter and imports, which the
   app's own "(first paint N ms)" does not see. The first launch runs with the bundle's files
   evicted from the page cache (Linux), as after a reboot; later launches are warm.

Uses the standard library and Pillow only (both are in the build environment). Exit status 0 if
every check passed; the numbers are printed either way, and written as JSON with --json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from resource_manifest import resource_files

FIRST_PAINT = re.compile(r"first window painted (\d+) ms after start")
TIMEOUT_S = 120


class SmokeFailure(Exception):
    pass


def bundle_root(program: Path) -> Path:
    """The folder that is shipped: dist/workstation, or the .app on macOS."""
    for parent in program.parents:
        if parent.suffix == ".app":
            return parent
    return program.parent


def bundled_resources(program: Path) -> Path | None:
    root = bundle_root(program)
    for candidate in (root / "_internal" / "resources", root / "Contents" / "Resources" / "resources",
                      root / "Contents" / "Frameworks" / "resources", root / "resources"):
        if candidate.is_dir():
            return candidate
    return None


def bundle_size_bytes(root: Path) -> int:
    """Unpacked size: every regular file once (macOS bundles link data files; links are not counted)."""
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath, name)
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def evict_from_page_cache(root: Path) -> bool:
    """Drop the bundle's files from the page cache so the next start reads them from disk (Linux only)."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fdatasync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            except OSError:
                pass
            finally:
                os.close(fd)
    return True


def console_program(program: Path) -> Path:
    """A windowed Windows .exe has no stdin/stdout; its console twin is the same program with them."""
    console_twin = program.with_name("workstation-cli.exe")
    return console_twin if console_twin.exists() else program


def run_cli(program: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(console_program(program)), *args], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=TIMEOUT_S, check=False)


def check_version(program: Path, expected: str | None) -> str:
    result = run_cli(program, "--version")
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or not re.fullmatch(r"workstation \S+", output):
        raise SmokeFailure(f"--version: exit {result.returncode}, output {output!r}")
    version = output.split()[1]
    if expected and version != expected:
        raise SmokeFailure(f"--version says {version}, the build was made from {expected}")
    return version


def check_resources(program: Path, source: Path) -> int:
    wanted = resource_files(source)
    bundled = bundled_resources(program)
    if wanted and bundled is None:
        raise SmokeFailure("no resources/ folder in the bundle")
    missing = [str(p) for p in wanted if not (bundled / p).is_file()]
    if missing:
        raise SmokeFailure(f"resources missing from the bundle: {', '.join(missing[:10])}")
    return len(wanted)


def check_compliance(program: Path, resources: Path, workdir: Path) -> str | None:
    """The bundled word lists are found and the image check's native libraries (OpenCV, zxing-cpp)
    load: the demo's start-up touches neither. Skipped (None) in a build without the subcommand."""
    if "compliance" not in run_cli(program, "--help").stdout:
        return None
    data_dir = str(workdir / "data")
    words = [line.strip() for line in (resources / "compliance" / "counterfeit.txt").read_text(
        encoding="utf-8-sig").splitlines() if line.strip() and line.strip()[0] not in "#!"]
    if words:
        message = workdir / "message.txt"
        message.write_text(f"亲，这款是{words[0]}的哦\n", encoding="utf-8")
        result = run_cli(program, "compliance", "--data-dir", data_dir, "check", str(message))
        if result.returncode != 1:  # 1: blocked
            raise SmokeFailure(f"compliance check did not block “{words[0]}” from the bundled word list: "
                               f"exit {result.returncode}\n{result.stdout}{result.stderr[-2000:]}")
    from PIL import Image, ImageDraw

    picture = workdir / "plain.png"
    image = Image.new("RGB", (640, 480), "white")
    ImageDraw.Draw(image).rectangle((100, 100, 400, 300), outline="black", width=8)
    image.save(picture)
    result = run_cli(program, "compliance", "--data-dir", data_dir, "check-image", str(picture))
    if result.returncode != 0:  # 0: passed
        raise SmokeFailure(f"compliance check-image failed on a plain picture: exit {result.returncode}\n"
                           f"{result.stdout}{result.stderr[-2000:]}")
    return f"blocked “{words[0]}”, passed a plain picture" if words else "passed a plain picture"


def check_screenshot(png: Path) -> tuple[int, int]:
    from PIL import Image

    if not png.is_file():
        raise SmokeFailure(f"no screenshot at {png}")
    with Image.open(png) as image:
        image.load()
        if image.format != "PNG":
            raise SmokeFailure(f"screenshot is {image.format}, not PNG")
        width, height = image.size
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    if width < 400 or height < 300:
        raise SmokeFailure(f"screenshot is only {width}×{height}")
    if colours is not None and len(colours) < 8:
        raise SmokeFailure(f"screenshot is nearly blank ({len(colours)} colours)")
    return width, height


def _tail(log_file: Path, chars: int = 3000) -> str:
    if not log_file.exists():
        return "(no log file)"
    return "log: …" + log_file.read_text(encoding="utf-8", errors="replace")[-chars:]


def launch_demo(program: Path, workdir: Path) -> dict:
    """One `--demo --screenshot` run; returns the timings it saw."""
    data_dir = workdir / "data"
    png = workdir / "shot.png"
    log_file = data_dir / "logs" / "workstation.log"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [str(program), "--demo", "--data-dir", str(data_dir), "--screenshot", str(png)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    to_window_ms = None
    app_ms = None
    deadline = started + TIMEOUT_S
    while time.perf_counter() < deadline:
        if to_window_ms is None and log_file.exists():
            match = FIRST_PAINT.search(log_file.read_text(encoding="utf-8", errors="replace"))
            if match:
                to_window_ms = (time.perf_counter() - started) * 1000
                app_ms = int(match.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.005)
    else:
        process.kill()
        stdout, stderr = process.communicate()
        shot = "the screenshot was saved, then it did not exit" if png.exists() else "no screenshot"
        raise SmokeFailure(f"--demo --screenshot did not finish in {TIMEOUT_S} s ({shot})\n"
                           f"{stdout[-1000:]}{stderr[-2000:]}\n{_tail(log_file)}")
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SmokeFailure(f"--demo --screenshot exit {process.returncode}\n{stdout}\n{stderr[-3000:]}\n{_tail(log_file)}")
    if to_window_ms is None and log_file.exists():  # painted and exited between two polls
        match = FIRST_PAINT.search(log_file.read_text(encoding="utf-8", errors="replace"))
        app_ms = int(match.group(1)) if match else None
    size = check_screenshot(png)
    printed = re.search(r"\(first paint (\d+) ms\)", stdout)
    return {"to_window_ms": to_window_ms, "app_first_paint_ms": app_ms,
            "printed_first_paint_ms": int(printed.group(1)) if printed else None,
            "screenshot": f"{size[0]}x{size[1]}", "total_ms": (time.perf_counter() - started) * 1000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("program", type=Path, help="the frozen workstation executable")
    parser.add_argument("--expect-version", help="fail unless --version prints this (default: installed package's)")
    parser.add_argument("--resources", type=Path, default=ROOT / "resources", help="the source resources/ folder")
    parser.add_argument("--runs", type=int, default=3, help="start-ups to time (the first one cold)")
    parser.add_argument("--keep", type=Path, help="keep the screenshot of the first run here")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    program = args.program.resolve()
    expected = args.expect_version
    if expected is None:
        from importlib import metadata

        try:
            expected = metadata.version("workstation")
        except metadata.PackageNotFoundError:
            expected = None
    root = bundle_root(program)
    results: dict = {"program": str(program), "platform": sys.platform}
    try:
        results["version"] = check_version(program, expected)
        print(f"ok  --version: workstation {results['version']}")
        results["resources"] = check_resources(program, args.resources)
        print(f"ok  resources: all {results['resources']} files of {args.resources.name}/ are bundled")
        with tempfile.TemporaryDirectory(prefix="workstation-smoke-") as tmp:
            results["compliance"] = check_compliance(program, args.resources, Path(tmp))
        if results["compliance"]:
            print(f"ok  compliance: {results['compliance']}")
        results["bundle_mb"] = round(bundle_size_bytes(root) / 1_000_000, 1)
        runs = []
        for index in range(max(1, args.runs)):
            cold = index == 0 and evict_from_page_cache(root)
            with tempfile.TemporaryDirectory(prefix="workstation-smoke-") as tmp:
                run = launch_demo(program, Path(tmp))
                if index == 0 and args.keep:
                    args.keep.parent.mkdir(parents=True, exist_ok=True)
                    args.keep.write_bytes((Path(tmp) / "shot.png").read_bytes())
            run["cold"] = cold
            runs.append(run)
            window = f"{run['to_window_ms']:.0f} ms" if run["to_window_ms"] is not None else "not seen"
            print(f"ok  --demo --screenshot ({'cold' if cold else 'warm'}): {run['screenshot']} PNG, "
                  f"first window {window} after launch (app's own count {run['app_first_paint_ms']} ms)")
        results["runs"] = runs
        warm = [r["to_window_ms"] for r in runs[1:] if r["to_window_ms"] is not None]
        results["first_window_ms"] = runs[0]["to_window_ms"]
        results["first_window_warm_median_ms"] = statistics.median(warm) if warm else None
    except SmokeFailure as failure:
        results["failure"] = str(failure)
        print(f"FAIL {failure}", file=sys.stderr)
    finally:
        if "bundle_mb" not in results and root.exists():
            results["bundle_mb"] = round(bundle_size_bytes(root) / 1_000_000, 1)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")

    if results.get("bundle_mb") is not None:
        print(f"bundle size: {results['bundle_mb']} MB = {results['bundle_mb'] * 1e6 / 2**20:.0f} MiB unpacked ({root})")
    if results.get("first_window_ms") is not None:
        warm = results.get("first_window_warm_median_ms")
        print(f"start to first window: {results['first_window_ms']:.0f} ms "
              f"({'cold' if results['runs'][0]['cold'] else 'first run'})"
              + (f", warm median {warm:.0f} ms" if warm else ""))
    return 1 if "failure" in results else 0


if __name__ == "__main__":
    sys.exit(main())

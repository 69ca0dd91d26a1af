"""The JSON library file: what is published, cached, and saved as a personal library.

```
{"format": "workstation.quickreply", "version": 1, "scope": "team", "name": "", "revision": 3,
 "updated_at": "2026-11-25T09:30:00+08:00", "updated_by": "主管A",
 "groups": [{"name": "发货", "phrases": [{"code": "fh", "text": "亲，48小时内发货~",
             "images": ["3f1c….png"], "platforms": ["pdd"], "shops": ["1001"]}]}],
 "images": {"3f1c….png": "<base64>"}}
```
Images travel inside the file so one publish (one ETag) carries a consistent library.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

from workstation.quickreply.model import (
    Group, Library, LibraryInvalid, Phrase, Problem, Scope, parse_platforms,
)

FORMAT = "workstation.quickreply"
VERSION = 1
_IMAGE_TYPES = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpg", b"GIF8": "gif", b"RIFF": "webp"}


class LibraryFileError(ValueError):
    """A library file cannot be read; the message says why in Chinese."""


def library_to_dict(library: Library) -> dict:
    def phrase(p: Phrase) -> dict:
        item: dict = {"code": p.code, "text": p.text}
        if p.images:
            item["images"] = list(p.images)
        if p.platforms:
            item["platforms"] = [pl.value for pl in p.platforms]
        if p.shops:
            item["shops"] = list(p.shops)
        return item

    return {
        "format": FORMAT,
        "version": VERSION,
        "scope": library.scope.value,
        "name": library.name,
        "revision": library.revision,
        "updated_at": library.updated_at.isoformat() if library.updated_at else None,
        "updated_by": library.updated_by,
        "groups": [{"name": g.name, "phrases": [phrase(p) for p in g.phrases]} for g in library.groups],
        "images": {ref: base64.b64encode(data).decode("ascii")
                   for ref, data in sorted(library.images.items())},
    }


def dump_library(library: Library) -> bytes:
    return json.dumps(library_to_dict(library), ensure_ascii=False, indent=1).encode("utf-8")


def library_from_dict(data: object, *, scope: Scope | None = None) -> Library:
    """Build a library from parsed JSON; raise LibraryFileError for anything that is not one."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LibraryFileError("这不是工作台的话术库文件。")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise LibraryFileError("话术库文件缺少版本号，可能已损坏。")
    if version > VERSION:
        raise LibraryFileError(f"话术库文件版本 {version} 比本程序新，请升级工作台后再打开。")
    try:
        file_scope = Scope(data.get("scope", "team"))
        groups = []
        for g in _list(data.get("groups"), "groups"):
            phrases = []
            for p in _list(_dict(g, "group").get("phrases"), "phrases"):
                p = _dict(p, "phrase")
                phrases.append(Phrase(
                    code=_str(p.get("code")), text=_str(p.get("text")),
                    images=tuple(_str(x) for x in _list(p.get("images", []), "images")),
                    platforms=parse_platforms(_str(x) for x in _list(p.get("platforms", []), "platforms")),
                    shops=tuple(_str(x) for x in _list(p.get("shops", []), "shops")),
                ))
            groups.append(Group(_str(g.get("name")), tuple(phrases)))
        images = {}
        for ref, encoded in _dict(data.get("images", {}), "images").items():
            images[ref] = base64.b64decode(_str(encoded), validate=True)
        updated_at = data.get("updated_at")
        updated = datetime.fromisoformat(updated_at) if updated_at else None
        revision = data.get("revision", 0)
        if not isinstance(revision, int):
            raise TypeError("revision")
        name = _str(data.get("name") or "")
        updated_by = _str(data.get("updated_by") or "")
    except (TypeError, ValueError, binascii.Error) as exc:
        raise LibraryFileError(f"话术库文件内容不完整或已损坏（{exc}）。") from exc
    return Library(scope=scope or file_scope, groups=tuple(groups), images=images, name=name,
                   revision=revision, updated_at=updated, updated_by=updated_by)


def parse_library(raw: bytes, *, scope: Scope | None = None) -> Library:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LibraryFileError("话术库文件不是有效的 JSON，可能已损坏或不完整。") from exc
    return library_from_dict(data, scope=scope)


def check_parsed(library: Library) -> Library:
    """Parsing succeeded; refuse a library that breaks the rules (e.g. duplicate codes)."""
    from workstation.quickreply.model import problems_in

    problems = problems_in(library)
    if problems:
        raise LibraryInvalid(problems)
    return library


def image_ref(data: bytes) -> str:
    """Content-addressed name for an image, so the same picture is stored once."""
    kind = next((ext for magic, ext in _IMAGE_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        raise LibraryInvalid([Problem("图片格式不支持，请使用 PNG、JPG、GIF 或 WebP。")])
    return f"{hashlib.sha256(data).hexdigest()[:32]}.{kind}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write a temp file in the same folder, then os.replace: a crash leaves old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def _list(value: object, what: str) -> list:
    if not isinstance(value, list):
        raise TypeError(f"{what} 应为列表")
    return value


def _dict(value: object, what: str) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"{what} 应为对象")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("应为文本")
    return value

"""Team-lead-editable word lists: one UTF-8 file per category in resources/compliance/.

File format (also written at the top of every list):

    # 注释行以 # 开头
    高仿
    !复刻版      ← 以 ! 开头的词已停用（保留在词库里，不参与检查）

`allowed_domains.txt` is different: each line is `平台代码 域名` (`* 域名` for every platform).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from workstation.domain.verdict import Action, Category

# Which file holds which category, and what a hit from it does.
WORD_CATEGORIES: dict[str, tuple[Category, Action]] = {
    "counterfeit": (Category.COUNTERFEIT, Action.BLOCK),
    "insult": (Category.INSULT, Action.BLOCK),
    "threat": (Category.THREAT, Action.BLOCK),
    "illegal": (Category.ILLEGAL, Action.BLOCK),
    "impersonation": (Category.IMPERSONATION, Action.BLOCK),
    "disparage": (Category.DISPARAGE, Action.BLOCK),
    "store": (Category.STORE, Action.BLOCK),
    "contact": (Category.CONTACT, Action.BLOCK),
    "confrontational": (Category.CONFRONTATIONAL, Action.WARN),
    "shirking": (Category.SHIRKING, Action.WARN),
}
BENIGN_LIST = "benign"            # words that contain a forbidden one but are honest (仿佛, 正品保证)
ALLOWED_DOMAINS_LIST = "allowed_domains"

LIST_TITLES = {
    "counterfeit": "假货用语",
    "insult": "辱骂与不文明用语",
    "threat": "威胁恐吓",
    "illegal": "违法内容",
    "impersonation": "冒充平台",
    "disparage": "诋毁平台或他店",
    "store": "实体店与站外交易",
    "contact": "索要或引导站外联系",
    "confrontational": "对抗式语言（提醒）",
    "shirking": "推诿用语（提醒）",
    BENIGN_LIST: "放行词（含敏感字的正常词）",
    ALLOWED_DOMAINS_LIST: "允许的域名",
}

HEADER = (
    "# {title}\n"
    "# 每行一个词；以 # 开头的是注释；以 ! 开头的词已停用。修改后无需重启，稍后自动生效。\n"
)


@dataclass(slots=True)
class WordEntry:
    word: str
    enabled: bool = True


@dataclass(slots=True)
class WordList:
    name: str
    entries: list[WordEntry] = field(default_factory=list)

    @property
    def enabled_words(self) -> list[str]:
        return [e.word for e in self.entries if e.enabled]


def parse_list(text: str, name: str = "") -> WordList:
    result = WordList(name)
    seen: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        enabled = not line.startswith("!")
        word = line.lstrip("!").strip()
        if word and word not in seen:
            seen.add(word)
            result.entries.append(WordEntry(word, enabled))
    return result


def format_list(words: WordList) -> str:
    title = LIST_TITLES.get(words.name, words.name)
    lines = [HEADER.format(title=title)]
    for entry in words.entries:
        lines.append(("" if entry.enabled else "!") + entry.word + "\n")
    return "".join(lines)


def list_path(word_dir: Path, name: str) -> Path:
    return word_dir / f"{name}.txt"


class WordListError(ValueError):
    """A list file exists but cannot be read; the message says which and what to do."""


def load_list(word_dir: Path, name: str) -> WordList:
    path = list_path(word_dir, name)
    try:
        return parse_list(path.read_text(encoding="utf-8"), name)
    except FileNotFoundError:
        return WordList(name)
    except UnicodeDecodeError as exc:
        raise WordListError(f"词库文件 {path} 不是 UTF-8 编码，请用记事本“另存为 UTF-8”后再保存。") from exc
    except OSError as exc:
        raise WordListError(f"无法读取词库文件 {path}：{exc.strerror or exc}") from exc


def save_list(word_dir: Path, words: WordList) -> None:
    """Write atomically, so a filter reloading at that moment reads the old or the new list."""
    path = list_path(word_dir, words.name)
    tmp = path.with_suffix(".txt.tmp")
    tmp.write_text(format_list(words), encoding="utf-8")
    os.replace(tmp, path)


def all_list_names() -> list[str]:
    return [*WORD_CATEGORIES, BENIGN_LIST, ALLOWED_DOMAINS_LIST]


def parse_allowed_domains(words: WordList) -> dict[str, set[str]]:
    """`pdd yangkeduo.com` lines → {"pdd": {"yangkeduo.com"}}; "*" applies to every platform."""
    allowed: dict[str, set[str]] = {}
    for word in words.enabled_words:
        parts = word.split()
        if len(parts) != 2:
            continue
        platform, domain = parts[0].lower(), parts[1].lower().strip(".")
        allowed.setdefault(platform, set()).add(domain)
    return allowed


def lists_signature(word_dir: Path) -> tuple:
    """Changes whenever a list file is added, removed or rewritten."""
    sig = []
    for name in all_list_names():
        try:
            st = list_path(word_dir, name).stat()
            sig.append((name, st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            sig.append((name, None, None))
    return tuple(sig)

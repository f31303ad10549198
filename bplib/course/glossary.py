"""The course's bilingual glossary (术语表): one list of terms, shown by both editions of chapter 00.

    from bplib.course.glossary import glossary_table
    glossary_table()            # a Markdown table in the current language (bplib.i18n.get_language())
    glossary_table("en")        # English first: | English | 中文 | chapters |
    glossary_table("zh")        # Chinese first: | 中文 | English | 章节 |

The terms live in `glossary.json` next to this file, a list of entries
    {"zh": Chinese term, "en": English term, "chapter": "NN" (the chapter that introduces it),
     "also": ["NN", ...] (other chapters that use it), "symbol": "$z$" (its symbol, if any),
     "variants": [other English names or abbreviations used in the chapters, e.g. "MSE"],
     "article": the article's own Chinese word, where the course uses another (e.g. 全局最优解)}
Only zh, en and chapter are required. Chinese terms follow 《动手学深度学习》 (zh.d2l.ai) where it has the term.
"""
import json
from pathlib import Path

from IPython.display import Markdown

from ..i18n import LANGUAGES, get_language

GLOSSARY_FILE = Path(__file__).resolve().parent / "glossary.json"
_HEADERS = {"en": ("English", "中文", "chapters"), "zh": ("中文", "English", "章节")}


def load_glossary():
    """The glossary's entries, a list of dicts, in the order of glossary.json."""
    return json.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))


def _english(entry):
    text = entry["en"]
    variants = [v for v in entry.get("variants", []) if v not in text]     # "one-hot" adds nothing to "one-hot encoding"
    if variants:
        text += " (" + ", ".join(variants) + ")"
    return text


def _chinese(entry, language):
    text = entry["zh"]
    if entry.get("article"):
        text += f"（原文：{entry['article']}）" if language == "zh" else f" (article: {entry['article']})"
    return text


def glossary_markdown(language=None):
    """The glossary as a Markdown table (a str): English columns first for "en", Chinese first for "zh"."""
    language = get_language() if language is None else language
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, got {language!r}")
    rows = []
    for entry in load_glossary():
        en, zh = _english(entry), _chinese(entry, language)
        if entry.get("symbol"):
            en, zh = f"{en} {entry['symbol']}", f"{zh} {entry['symbol']}"
        chapters = ", ".join([entry["chapter"], *entry.get("also", [])])
        rows.append((zh, en, chapters) if language == "zh" else (en, zh, chapters))
    header = _HEADERS[language]
    lines = ["| " + " | ".join(header) + " |", "|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def glossary_table(language=None):
    """The glossary for a notebook cell to display (IPython Markdown), in `language` or the current language."""
    return Markdown(glossary_markdown(language))

"""The reader's language: English (the default) or Chinese (zh), for everything bplib says to a learner.

    bplib.set_language("zh")        # the Chinese edition's chapters call bplib.course.setup(language="zh")
    tr("{name} has shape {got}, expected {expected}", name="dW", got=(3, 2), expected=(2, 3))

`tr` takes an English template (a literal str.format string) and returns it in the current language, filled in.
The translations live in `bplib/locale/<language>/*.json`, one file per area (exercises, engine, widgets,
figures), each a JSON object {English template: translation}. The English template is the key, so an English
text that changes no longer finds its old translation: the test that every `tr("...")` literal in bplib has a
translation (and that no translation is left without its English template) fails until the catalogue is updated.
A template without a translation falls back to English, never to an error in front of a learner.
"""
import json
from pathlib import Path

LANGUAGES = ("en", "zh")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_state = {"language": "en"}
_catalogues = {}


def set_language(language):
    """Speak `language` ("en" or "zh") from now on: hints, messages, widget labels, figure titles. Returns it."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, got {language!r}")
    _state["language"] = language
    return language


def get_language():
    """The current language, "en" or "zh"."""
    return _state["language"]


def catalogue(language):
    """{English template: translation} for `language`, merged from every file in bplib/locale/<language>/."""
    if language not in _catalogues:
        merged = {}
        for path in sorted((LOCALE_DIR / language).glob("*.json")):
            merged.update(json.loads(path.read_text(encoding="utf-8")))
        _catalogues[language] = merged
    return _catalogues[language]


def tr(template, **values):
    """`template` (English, str.format syntax) in the current language, formatted with `values`."""
    language = _state["language"]
    if language != "en":
        template = catalogue(language).get(template, template)
    return template.format(**values) if values else template

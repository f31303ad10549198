"""Every chapter as a reader sees it, in both editions: JupyterLab in chromium, at 1024×768 and at 1920×1080.

For each notebook (as stored, outputs included; nothing is executed): MathJax typeset the mathematics (no raw
`$...$` or `_{` left in the rendered text), no output image is stretched beyond its own pixels, and a screenshot of
the whole chapter goes to the test artifacts (`chapter-<size>-<notebook>.png`: the viewport is made as tall as the
chapter, so one picture shows all of it at the reader's width). The server runs on a temporary copy of
notebooks/ and is stopped by PID, as in test_browser.py.

The Chinese edition (notebooks/zh/, one chapter for every English one) gets the same checks (screenshots
`chapter-<size>-zh-<notebook>.png`) in a JupyterLab whose own interface is Chinese (the language pack from
requirements.txt, Settings → Language → 中文): its menus say 文件, 编辑, ..., every chapter's first heading is
Chinese, and chromium draws it with a CJK font (the fonts it used, asked through the DevTools protocol, include
one that fontconfig lists for Chinese: Debian's fonts-noto-cjk, which .ci/run installs), not as empty boxes.
"""
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from support import require_or_skip
from test_browser import ROOT, Server, browser  # noqa: F401  (browser is a fixture)

SIZES = {"1024x768": (1024, 768), "1920x1080": (1920, 1080)}
CHAPTERS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: the Chinese edition: one notebooks/zh/ chapter for every English one
CHAPTERS_ZH = [f"zh/{name}" for name in CHAPTERS]
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# what is left in the rendered text when MathJax did not typeset: a $…$ pair, or TeX's subscript braces
RAW_MATH = re.compile(r"\$[^$\n]+\$|_\{")


def _start_lab(tmp_path_factory, locale):
    """JupyterLab on a temporary copy of notebooks/ (both editions), its interface in `locale` ("en", "zh_CN")."""
    tmp = tmp_path_factory.mktemp(f"chapters-{locale}")
    root = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # the interface language is a user setting (Settings → Language); set, so that a Chinese system locale does
    # not turn the English run's interface Chinese either
    setting = tmp / "jupyter-lab" / "settings" / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"
    setting.parent.mkdir(parents=True, exist_ok=True)
    setting.write_text(json.dumps({"locale": locale}))
    return Server("lab", root, tmp)


@pytest.fixture(scope="module")
def labs(tmp_path_factory):
    """{"en": JupyterLab with an English interface, "zh": one with a Chinese interface}, started on first use."""
    servers = {}

    def get(edition):
        if edition not in servers:
            servers[edition] = _start_lab(tmp_path_factory, {"en": "en", "zh": "zh_CN"}[edition])
            servers[edition].wait_ready()
        return servers[edition]

    try:
        yield get
    finally:
        for server in servers.values():
            server.stop()


def _open(page, server, name):
    """Open one notebook in a fresh workspace (no tabs left from the previous chapter), file browser closed."""
    page.goto(f"{server.base}/lab/tree/{name}?reset&token={server.token}", wait_until="domcontentloaded")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    notebook.wait_for(timeout=60_000)
    notebook.locator(".jp-MarkdownCell").last.wait_for(state="attached", timeout=30_000)
    if page.locator("#jp-left-stack:not(.lm-mod-hidden)").count():
        page.keyboard.press("Control+b")                 # a reader on a small screen closes the file browser
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:                 # MathJax typesets asynchronously, cell by cell
        if not RAW_MATH.search(_markdown_text(page)):
            break
        page.wait_for_timeout(300)


def _markdown_text(page):
    return "\n".join(page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").all_inner_texts())


def _cjk_families():
    """Font families that fontconfig lists as covering Chinese (None where fc-list is missing)."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {family.strip() for line in out.splitlines() for family in line.split(",") if family.strip()}


def _fonts_used(page, selector):
    """{font family: glyphs drawn} for the text of the first element matching `selector`, as chromium reports
    it (DevTools protocol, CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {f["familyName"]: f["glyphCount"] for f in fonts}
    finally:
        cdp.detach()


def _chinese_checks(page, name, cjk_families):
    """The Chinese edition's extra checks on an open chapter: a Chinese first heading drawn with a CJK font, and
    JupyterLab's own menus in Chinese. Returns the problems found."""
    problems = []
    heading = page.locator(".jp-RenderedMarkdown h1, .jp-RenderedMarkdown h2").first
    text = heading.inner_text() if heading.count() else ""
    if not CJK.search(text):
        problems.append(f"{name}: the first heading has no Chinese text: {text!r}")
    else:
        selector = ".jp-RenderedMarkdown h1" if page.locator(".jp-RenderedMarkdown h1").count() else \
            ".jp-RenderedMarkdown h2"
        used = _fonts_used(page, selector)
        cjk = {f: n for f, n in used.items() if n and (f in cjk_families if cjk_families is not None
                                                       else re.search(r"CJK|Hei|Song|Ming|Kai|YaHei|SC", f))}
        if not cjk:
            problems.append(f"{name}: the heading {text!r} was drawn without a CJK font (fonts used: {used}): "
                            f"Chinese shows as empty boxes")
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    if "文件" not in menus:
        problems.append(f"{name}: JupyterLab's menus are not Chinese (the language pack did not load): {menus}")
    return problems


EDITIONS = {"en": CHAPTERS, "zh": CHAPTERS_ZH}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("edition", list(EDITIONS))
def test_every_chapter_renders_typeset_and_unstretched(edition, size, labs, browser, artifacts):
    width, height = SIZES[size]
    problems, chapters = [], EDITIONS[edition]
    cjk_families = None
    if edition == "zh":
        cjk_families = _cjk_families()
        require_or_skip(cjk_families is None or cjk_families,
                        "no font for Chinese (apt-get install fonts-noto-cjk; .ci/run does it)")
        missing = [name for name in chapters if not (ROOT / "notebooks" / name).exists()]
        problems += [f"{name}: missing (tools/make_chinese_edition.py makes it)" for name in missing]
        chapters = [name for name in chapters if name not in missing]
    lab = labs(edition)
    for name in chapters:
        page = browser.new_page(viewport={"width": width, "height": height})
        shot = Path(name).stem if edition == "en" else f"zh-{Path(name).stem}"
        try:
            _open(page, lab, name)
            page.wait_for_timeout(1500)                  # time for an autosave, had opening changed the file
            if page.locator(".jp-mod-dirty").count():
                problems.append(f"{name}: opening it marked it modified (its stored metadata differs from what "
                                f"JupyterLab writes)")
            raw = sorted(set(RAW_MATH.findall(_markdown_text(page))))
            if raw:
                problems.append(f"{name}: mathematics not typeset: {raw[:5]}")
            if page.locator(".jp-RenderedMarkdown mjx-container, .jp-RenderedMarkdown .MathJax").count() == 0 \
                    and "$" in (ROOT / "notebooks" / name).read_text(encoding="utf-8"):
                problems.append(f"{name}: no typeset formula at all")
            stretched = page.evaluate("""() => [...document.querySelectorAll('.jp-OutputArea-output img')]
                .filter(img => img.naturalWidth > 0 && img.getBoundingClientRect().width > img.naturalWidth + 1)
                .map(img => `${img.naturalWidth} px shown at ${Math.round(img.getBoundingClientRect().width)} px`)""")
            if stretched:
                problems.append(f"{name}: images stretched beyond their pixels: {stretched[:3]}")
            if edition == "zh":
                problems += _chinese_checks(page, name, cjk_families)
            page.screenshot(path=str(artifacts / f"chapter-{size}-{shot}-top.png"))
            full = page.evaluate("() => document.querySelector('.jp-WindowedPanel-outer, .jp-Notebook')"
                                 ".scrollHeight")
            page.set_viewport_size({"width": width, "height": min(int(full) + 200, 30_000)})
            page.wait_for_timeout(500)
            page.screenshot(path=str(artifacts / f"chapter-{size}-{shot}.png"))
        finally:
            page.close()
    assert not problems, "\n".join(problems)

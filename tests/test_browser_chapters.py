"""Every chapter as a reader sees it: JupyterLab in chromium, at 1024×768 and at 1920×1080.

For each notebook (as stored, outputs included; nothing is executed): MathJax typeset the mathematics (no raw
`$...$` or `_{` left in the rendered text), no output image is stretched beyond its own pixels, and a screenshot of
the whole chapter goes to the test artifacts (`chapter-<size>-<notebook>.png`: the viewport is made as tall as the
chapter, so one picture shows all of it at the reader's width). The server runs on a temporary copy of
notebooks/ and is stopped by PID, as in test_browser.py.
"""
import re
import shutil
import time
from pathlib import Path

import pytest

from test_browser import ROOT, Server, browser  # noqa: F401  (browser is a fixture)

SIZES = {"1024x768": (1024, 768), "1920x1080": (1920, 1080)}
CHAPTERS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# what is left in the rendered text when MathJax did not typeset: a $…$ pair, or TeX's subscript braces
RAW_MATH = re.compile(r"\$[^$\n]+\$|_\{")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chapters")
    root = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = Server("lab", root, tmp)
    try:
        server.wait_ready()
        yield server
    finally:
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


@pytest.mark.parametrize("size", list(SIZES))
def test_every_chapter_renders_typeset_and_unstretched(size, lab, browser, artifacts):
    width, height = SIZES[size]
    problems = []
    for name in CHAPTERS:
        page = browser.new_page(viewport={"width": width, "height": height})
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
            page.screenshot(path=str(artifacts / f"chapter-{size}-{Path(name).stem}-top.png"))
            full = page.evaluate("() => document.querySelector('.jp-WindowedPanel-outer, .jp-Notebook')"
                                 ".scrollHeight")
            page.set_viewport_size({"width": width, "height": min(int(full) + 200, 30_000)})
            page.wait_for_timeout(500)
            page.screenshot(path=str(artifacts / f"chapter-{size}-{Path(name).stem}.png"))
        finally:
            page.close()
    assert not problems, "\n".join(problems)

"""The Chinese edition's playground chapter run in a real browser: JupyterLab, chromium, notebooks/zh/05.

On a temporary copy of notebooks/: open zh/05_sgd_training.ipynb, clear its outputs and Run All (as
test_browser.py does for the English chapter), then check that every cell ran without a traceback, no "Error
displaying widget" appears, the playground renders its picture and speaks Chinese (its labels and status line go
through bplib's catalogue), and that one step of training changes its status line and picture. Screenshots:
`playground-zh-1-rendered.png`, `playground-zh-2-after-step.png` and, on failure, `playground-zh-failure.png`.
The server and its kernel are stopped by PID. Chapter 05 of the Chinese edition must exist (a failure, not a
skip, without it: every chapter exists in both editions).
"""
import re
import shutil
import time

from test_browser import (ROOT, Server, browser, clear_and_run_all, picture_src,  # noqa: F401 (browser: a fixture)
                          status_text, still_running, wait_until)

NOTEBOOK = "zh/05_sgd_training.ipynb"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def test_chinese_playground_chapter_runs_in_jupyterlab(tmp_path, browser, artifacts):
    assert (ROOT / "notebooks" / NOTEBOOK).exists(), f"notebooks/{NOTEBOOK} is missing"
    start = time.monotonic()
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # (the menus this test clicks are English: Server sets the interface language to English)
    shot = artifacts / "playground-zh"
    for stale in artifacts.glob("playground-zh-*.png"):
        stale.unlink()
    server = Server("lab", root, tmp_path)
    page, errors = None, []
    try:
        server.wait_ready()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.base}/lab/tree/{NOTEBOOK}?reset&token={server.token}", wait_until="domcontentloaded")
        page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=60_000)
        server.wait_one_kernel()
        page.on("pageerror", lambda exc: errors.append(f"{exc}\n{exc.stack}"))

        clear_and_run_all(page, timeout=240)

        tracebacks = [t[:300] for t in page.locator(".jp-OutputArea-output").all_inner_texts()
                      if "Traceback" in t or re.search(r"^\w+Error\b", t, re.M)]
        assert not tracebacks, tracebacks
        pg = page.locator(".bplib-playground").first
        pg.locator(".bplib-pg-picture").wait_for(state="visible", timeout=30_000)
        wait_until(lambda: (picture_src(pg) or "").startswith("blob:"), 20, "the playground picture")
        assert page.get_by_text("Error displaying widget").count() == 0
        pg.scroll_into_view_if_needed()
        page.screenshot(path=f"{shot}-1-rendered.png")
        shown = pg.inner_text()
        assert CJK.search(shown), f"the playground speaks no Chinese: {shown[:300]!r}"

        before_text, before_src = status_text(pg), picture_src(pg)
        pg.locator("button.bplib-pg-step").click()
        wait_until(lambda: status_text(pg) != before_text, 15, "step to change the status line")
        wait_until(lambda: picture_src(pg) != before_src, 10, "the picture to change after step")
        assert page.get_by_text("Error displaying widget").count() == 0
        assert not errors, errors
        pg.screenshot(path=f"{shot}-2-after-step.png")
    except Exception:
        if page is not None:
            page.screenshot(path=f"{shot}-failure.png")
            print("page errors:", errors)
        print(server.log())
        raise
    finally:
        server.stop()
        print(f"zh playground: {time.monotonic() - start:.1f} s; screenshots in {artifacts}")
    assert not still_running(server.kernel_pids | {server.proc.pid})

"""The playground in a real browser: JupyterLab and Notebook 7, driven by Playwright with Debian's chromium.

For each frontend: start a Jupyter server on 127.0.0.1 (a token, a temporary copy of notebooks/ as its root, so
the stored notebooks are never touched), open the chapter-05 notebook, wait until exactly one kernel is up and
stable, clear outputs and Run All, wait for the last cell's execution count, check the playground renders without
"Error displaying widget", drag the learning-rate and depth sliders with the mouse, press step, and assert
that the displayed state (status line and picture) changed; then press run, see it advance, press pause, see it
stop; then click a point of the decision-boundary plot (ipyevents) and walk forward and backward through every
layer with "next", with a screenshot at each backward step. Screenshots go to $BPLIB_TEST_ARTIFACTS if set, else to pytest's temporary directory (the `artifacts`
fixture; the checkout may be read-only). The server and its kernels are stopped by PID, also on failure.

Skips (with the reason) when chromium or Playwright is missing; `.ci/run` installs chromium with apt-get, and where
the environment variable CI is set a missing one is a failure instead (support.require_or_skip).
BPLIB_BROWSER_NOTEBOOK=<name in notebooks/> tests another notebook; a notebook without a playground cell (or a
checkout without 05) falls back to a generated one-cell notebook.
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from support import require_or_skip

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/lib/chromium/chromium")
NOTEBOOK = os.environ.get("BPLIB_BROWSER_NOTEBOOK", "05_sgd_training.ipynb")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]   # never any host but ours
FIXTURE_CELL = 'import bplib\n\npg = bplib.widgets.playground(dataset="spirals", depth=2, width=8)\npg'

try:
    from playwright import sync_api
except ImportError:
    sync_api = None


# ---------------------------------------------------------------------- the notebook and the server
def notebook_under_test(tmp_path):
    """Copy notebooks/ to tmp_path; return (root_dir, notebook name) with a playground cell in the notebook."""
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    path = root / NOTEBOOK
    if path.exists() and "widgets.playground(" in path.read_text(encoding="utf-8"):
        return root, NOTEBOOK
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("Playground fixture"), nbformat.v4.new_code_cell(FIXTURE_CELL)]
    nbformat.write(nb, root / "playground_fixture.ipynb")
    return root, "playground_fixture.ipynb"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A Jupyter server (app "lab" or "notebook") in its own session; stop() ends it and its kernels by PID."""

    def __init__(self, app, root_dir, tmp_path):
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        home = tmp_path / f"jupyter-{app}"
        env = dict(os.environ, PYTHONHASHSEED="0", JUPYTER_CONFIG_DIR=str(home / "config"),
                   JUPYTER_RUNTIME_DIR=str(home / "runtime"),
                   JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), IPYTHONDIR=str(home / "ipython"))
        # render every cell (no windowing: the last cell's prompt must exist in the DOM), and no news prompt
        settings = [("notebook-extension/tracker", {"windowingMode": "none"}),
                    # the menus the test clicks are English, whatever the system locale (the language pack in
                    # requirements.txt would otherwise follow a Chinese one)
                    ("translation-extension/plugin", {"locale": "en"})]
        if app == "lab":
            settings.append(("apputils-extension/notification", {"fetchNews": "false"}))
        for plugin, values in settings:
            path = home / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
            if path.exists():                         # a caller's own setting (e.g. a Chinese interface) stays
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        module = {"lab": "jupyterlab", "notebook": "notebook"}[app]
        cmd = [sys.executable, "-m", module, "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root_dir}"]
        if app == "lab":
            cmd += ["--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
                    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        self.log_path = tmp_path / f"jupyter-{app}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=root_dir,
                                     start_new_session=True)
        self.kernel_pids = set()

    def api(self, path):
        req = urllib.request.Request(self.base + path, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=5) as response:
            return json.loads(response.read())

    def wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Jupyter server exited early:\n{self.log()}")
            try:
                self.api("/api/status")
                return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"the Jupyter server did not answer within {timeout} s:\n{self.log()}")

    def wait_one_kernel(self, stable_for=1.5, timeout=60):
        """Wait until /api/kernels lists exactly one idle kernel, the same one for `stable_for` seconds."""
        deadline, since, seen = time.monotonic() + timeout, None, None
        while time.monotonic() < deadline:
            self.remember_kernel_pids()
            kernels = self.api("/api/kernels")
            ids = tuple(k["id"] for k in kernels)
            ok = len(kernels) == 1 and kernels[0]["execution_state"] == "idle"
            if ok and ids == seen:
                if time.monotonic() - since >= stable_for:
                    return kernels[0]
            else:
                seen, since = (ids if ok else None), time.monotonic()
            time.sleep(0.25)
        raise TimeoutError(f"no single stable kernel within {timeout} s: {self.api('/api/kernels')}")

    def remember_kernel_pids(self):
        """Record the PIDs of the server's child processes (the kernels), to stop them by PID at the end."""
        try:
            import psutil                      # installed with ipykernel
            self.kernel_pids |= {c.pid for c in psutil.Process(self.proc.pid).children(recursive=True)}
        except Exception:
            pass

    def log(self):
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self):
        self.remember_kernel_pids()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)     # the server shuts its kernels down on SIGTERM
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        for pid in self.kernel_pids:                  # whatever survived: by PID, never by name
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()


@pytest.fixture
def browser():
    """Chromium driven by Playwright. Checked here, not at import: on CI a missing one fails each test while
    the rest of the suite still runs (a module-level failure would stop the whole collection)."""
    require_or_skip(CHROMIUM.exists(),
                    f"chromium not installed at {CHROMIUM} (apt-get install chromium; .ci/run does it)")
    require_or_skip(sync_api is not None, "playwright (requirements.txt) is not installed")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield b
        finally:
            b.close()


# ---------------------------------------------------------------------- page helpers (same for Lab and Notebook 7)
def run_menu_command(page, menu, label):
    """Click a top menu (e.g. "Run") and then its item labelled `label` (e.g. "Run All Cells"), as a user would."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{menu}$")).first.click()
    item = page.locator(".lm-Menu-item", has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{label}$")))
    item.first.wait_for(state="visible", timeout=10_000)
    item.first.click()


def prompts(page):
    """The input prompts ("[ ]:", "[*]:", "[7]:") of the code cells, in order."""
    return page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what() if callable(what) else what}")


def status_text(pg):
    return pg.locator(".bplib-pg-status").inner_text()


def picture_src(pg):
    return pg.locator(".bplib-pg-picture").get_attribute("src")


def clear_and_run_all(page, timeout):
    """Clear the stored outputs (their execution counts would look like this run's), Run All, wait for the end."""
    run_menu_command(page, "Edit", "Clear Outputs of All Cells")
    wait_until(lambda: all(re.fullmatch(r"\[\s*\]:", p.strip()) for p in prompts(page)), 20,
               lambda: f"cleared prompts, got {prompts(page)}")
    run_menu_command(page, "Run", "Run All Cells")
    started = lambda: any(re.search(r"\[(\*|\d+)\]", p) for p in prompts(page))   # noqa: E731
    try:
        wait_until(started, 8, "Run All to start")
    except TimeoutError:                              # a dropped click: the kernel was not ready; click once more
        run_menu_command(page, "Run", "Run All Cells")
        wait_until(started, 15, "Run All to start (second click)")
    wait_until(lambda: re.fullmatch(r"\[\d+\]:", prompts(page)[-1].strip()), timeout,
               "the last cell's execution count")
    assert not any("[*]" in p for p in prompts(page))


def drag_slider(page, pg, key, fraction):
    """Move a slider like a user: drag its handle to `fraction` (0..1) of the track and let go."""
    pg.locator(f".bplib-pg-{key}").scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    track = pg.locator(f".bplib-pg-{key} .noUi-target").bounding_box()
    handle = pg.locator(f".bplib-pg-{key} .noUi-handle").bounding_box()
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + fraction * track["width"], y, steps=8)
    page.mouse.up()


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_playground_runs_and_responds_in_the_browser(app, tmp_path, browser, artifacts):
    start = time.monotonic()
    root_dir, name = notebook_under_test(tmp_path)
    shot = artifacts / f"playground-{app}"
    for stale in artifacts.glob(f"playground-{app}-*.png"):    # only this run's screenshots remain
        stale.unlink()
    server = Server(app, root_dir, tmp_path)
    page = None
    try:
        server.wait_ready()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors, phases = [], []
        # errors thrown once the notebook and its kernel are up (Notebook 7.6 throws one of its own while starting,
        # "Cannot read properties of undefined (reading 'schema')" in notebook_core, with or without bplib)
        page.on("pageerror", lambda exc: errors.append(f"{exc}\n{exc.stack}") if phases else None)
        route = "lab/tree" if app == "lab" else "notebooks"
        page.goto(f"{server.base}/{route}/{name}?token={server.token}", wait_until="domcontentloaded")
        page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=60_000)
        server.wait_one_kernel()
        phases.append("kernel ready")

        clear_and_run_all(page, timeout=120)

        phases.append("ran all")
        pg = page.locator(".bplib-playground").first
        pg.locator(".bplib-pg-picture").wait_for(state="visible", timeout=30_000)
        wait_until(lambda: (picture_src(pg) or "").startswith("blob:"), 20, "the playground picture")
        assert page.get_by_text("Error displaying widget").count() == 0
        pg.scroll_into_view_if_needed()
        page.screenshot(path=f"{shot}-1-rendered.png", full_page=False)
        before_text, before_src = status_text(pg), picture_src(pg)
        alpha = re.search(r"α = (\S+)", before_text).group(1)
        net = re.search(r"network (\S+)", before_text).group(1)

        # the α slider spans log10(α) from -4 to 1: drag it to α × 10^0.5; the depth slider 0..8: one more layer
        drag_slider(page, pg, "lr", (np.log10(float(alpha)) + 0.5 + 4) / 5)
        wait_until(lambda: re.search(r"α = (\S+)", status_text(pg)).group(1) != alpha, 15, "α to change")
        new_alpha = float(re.search(r"α = (\S+)", status_text(pg)).group(1))
        assert float(alpha) < new_alpha < 10 * float(alpha), (alpha, new_alpha)
        depth = net.count("-") - 1
        drag_slider(page, pg, "depth", (depth + 1) / 8)
        wait_until(lambda: re.search(r"network (\S+)", status_text(pg)).group(1) != net, 15, "the depth to change")
        new_net = re.search(r"network (\S+)", status_text(pg)).group(1)
        assert new_net.count("-") == net.count("-") + 1, (net, new_net)
        assert "epoch 0" in status_text(pg)           # a rebuilt network starts at epoch 0
        src_rebuilt = picture_src(pg)
        phases.append("sliders moved")
        pg.locator("button.bplib-pg-step").click()
        wait_until(lambda: "epoch 0" not in status_text(pg), 15, "step to train")
        wait_until(lambda: picture_src(pg) != src_rebuilt, 10, "the picture to change after step")
        after_text, after_src = status_text(pg), picture_src(pg)
        assert after_text != before_text and after_src != before_src
        assert re.search(r"epoch [1-9]\d*", after_text), after_text
        pg.screenshot(path=f"{shot}-2-after-step.png")

        # run: a background thread trains and updates the page; pause: it stops
        epoch = lambda: int(re.search(r"epoch (\d+)", status_text(pg)).group(1))   # noqa: E731
        stepped = epoch()
        pg.locator("button.bplib-pg-run").click()
        wait_until(lambda: epoch() >= stepped + 15, 20, "a running playground to advance 15 epochs")
        pg.locator("button.bplib-pg-run").click()
        wait_until(lambda: "run" in pg.locator("button.bplib-pg-run").inner_text(), 10, "the run button to say run")
        page.wait_for_timeout(400)
        paused = epoch()
        page.wait_for_timeout(600)
        assert epoch() == paused, "the playground kept training after pause"
        assert page.get_by_text("Error displaying widget").count() == 0
        assert not errors, errors
        page.screenshot(path=f"{shot}-3-page.png")

        # the backward view: click a point of the decision-boundary plot (ipyevents sends the click to the kernel,
        # which selects the nearest training example), then walk forward and back through every layer
        trace = lambda: pg.locator(".bplib-pg-trace").inner_text()   # noqa: E731
        picture = pg.locator(".bplib-pg-picture")
        picture.scroll_into_view_if_needed()
        box = picture.bounding_box()
        natural = page.evaluate("(img) => [img.naturalWidth, img.naturalHeight]", picture.element_handle())
        top_height = natural[1] * 288 / (288 + 240)        # the upper figure (3.6 in of 6.6 in at 80 dpi)
        example = lambda: int(pg.locator(".bplib-pg-example input").input_value())   # noqa: E731
        previous = example()                           # (chapter 05 itself selected example 0 from code)
        page.mouse.click(box["x"] + 0.17 * box["width"], box["y"] + 0.5 * top_height * box["height"] / natural[1])
        # a new selection shows that example's whole backward pass ("frames coloured by δ ..."), no step yet
        wait_until(lambda: example() not in (-1, previous) and f"example {example()} " in trace()
                   and "frames coloured" in trace(), 15, lambda: f"the clicked example, got {trace()!r}")
        layers = status_text(pg).split("network ")[1].split(" ")[0].count("-")      # L = number of "-" in 2-8-8-2
        pg.screenshot(path=f"{shot}-4-selected.png")
        seen = []
        for _ in range(2 * layers):                        # forward 1..L, then backward L..1
            before = trace()
            pg.locator("button.bplib-pg-next").click()
            wait_until(lambda: trace() != before, 15, "the walk-through to take a step")
            step = re.search(r"(forward|backward), (output|layer (\d+))", trace())
            assert step, trace()
            seen.append((step.group(1), layers if step.group(2) == "output" else int(step.group(3))))
            if step.group(1) == "backward":
                pg.screenshot(path=f"{shot}-5-backward-{seen[-1][1]}.png")
        assert seen == [("forward", l) for l in range(1, layers + 1)] + \
            [("backward", l) for l in range(layers, 0, -1)], seen
        assert "δ(1) = (W(2)ᵀ δ(2)) ⊙ σ'(z(1))" in trace()
        assert page.get_by_text("Error displaying widget").count() == 0
        assert not errors, errors
    except Exception:
        if page is not None:
            page.screenshot(path=f"{shot}-failure.png")
            print("page errors:", errors)
        print(server.log())
        raise
    finally:
        server.stop()
        print(f"{app}: {time.monotonic() - start:.1f} s; screenshots in {artifacts}")
    assert not still_running(server.kernel_pids | {server.proc.pid})


def still_running(pids):
    """The PIDs that still run (zombies, which chromium and kernels leave under this container's init, don't)."""
    import psutil
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive

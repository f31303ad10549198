"""A real JupyterHub (deploy/jupyterhub_config.py) with three students running one chapter at the same time.

Each student logs in through the hub's login form, starts a server, opens its own student copy of the MNIST
chapter through the hub's proxy, runs every code cell over the kernel websocket and steps a playground
(benchmarks/hubload.py does the driving; benchmarks/bench_hub.py is the same with N = 5, 10, 20).

Needs `jupyterhub` (requirements.txt) and `configurable-http-proxy` (npm). Without them the tests skip, except
in CI (env CI set), where they fail: .ci/run installs both, so a missing one is a broken install.
"""
import os
import pathlib
import shutil
import signal
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import hubload  # noqa: E402

N_STUDENTS = 3


def _require_hub():
    missing = [name for name, path in [
        ("jupyterhub (pip install -r requirements.txt)", pathlib.Path(sys.executable).with_name("jupyterhub")),
        ("configurable-http-proxy (npm install -g configurable-http-proxy)", shutil.which("configurable-http-proxy")),
    ] if not path or not pathlib.Path(path).exists()]
    if missing:
        message = "missing: " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " (CI installs both, so this is a broken install)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    _require_hub()
    return hubload.make_student_copies(tmp_path_factory.mktemp("student"))


@pytest.fixture
def hub(tmp_path, student_dir):
    """A running hub; stopped at teardown, with every process it started killed if still alive."""
    h = hubload.Hub(tmp_path / "hub", student_dir=student_dir)
    try:
        h.start()
        yield h
    finally:
        h.stop()
        assert not h.leftovers(), f"processes left running: {h.leftovers()}"


def test_three_students_run_the_mnist_chapter_at_once(hub):
    chapter = hubload.chapter_path("*mnist*").name
    intruder = hubload.Student(hub, "intruder", time.monotonic() + 30)
    assert not intruder.login("not-the-class-password"), "the hub let in a wrong password"

    results = hubload.run_class(hub, N_STUDENTS, chapter, deadline_s=45)

    for r in results:
        assert r["failures"] == [], (r["name"], r["failures"], hub.log_tail())
        assert r["playground"]["epochs_after"] > r["playground"]["epochs_before"]
        assert r["kernel"]["cpu_s"] > 0 and r["kernel"]["peak_rss_mb"] > 50
        print(f"{r['name']}: spawn {r['spawn_s']:.1f} s, chapter {r['chapter_s']:.1f} s, "
              f"kernel {r['kernel']['cpu_s']:.1f} CPU-s, {r['kernel']['peak_rss_mb']:.0f} MB")
    homes = sorted(p.name for p in (hub.workdir / "data" / "home").iterdir())
    assert homes == [r["name"] for r in results], homes       # the intruder got no home, each student one
    for name in homes:                                          # the pre-spawn hook copied the student copies
        copied = hub.workdir / "data" / "home" / name / hubload.COURSE_FOLDER / chapter
        assert "# BEGIN SOLUTION" not in copied.read_text()
    kinds = sorted(hub.processes().values())
    assert kinds.count("server") == N_STUDENTS and kinds.count("proxy") == 1, kinds
    assert kinds.count("kernel") == 0, kinds                   # each kernel was shut down with its session


def test_stop_cleans_up_after_a_hub_that_died(hub):
    """If the hub itself is killed, its proxy and the students' servers and kernels are still found and killed."""
    student = hubload.Student(hub, "student00", time.monotonic() + 60)
    assert student.login()
    student.get_token()
    student.spawn()
    started = hub.processes()
    assert sorted(set(started.values())) == ["proxy", "server"], started
    hub.proc.send_signal(signal.SIGKILL)             # no chance to stop anything
    hub.proc.wait(10)
    assert all(hubload.alive(pid) for pid in started)   # orphans, no longer under the hub
    hub.stop()
    assert {pid for pid, _, _ in hub.killed} >= set(started)
    assert not hub.leftovers()

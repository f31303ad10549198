"""The test suite itself, wherever it runs: from any working directory, in a read-only checkout, on CI (where a
missing system package is a failure, not a skip), and `.ci/run` cleaning up its virtual environment."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import artifacts_dir, in_ci, require_or_skip

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------- any working directory
def test_sanitize_file_is_an_absolute_path(pytestconfig):
    """nbval opens --nbval-sanitize-with relative to the cwd, so the default must be absolute."""
    given = pytestconfig.invocation_params.args
    if any(str(a).startswith(("--nbval-sanitize-with", "--sanitize-with")) for a in given):
        pytest.skip("a sanitize file was given on the command line: it is used as given")
    path = Path(pytestconfig.getoption("nbval_sanitize_with"))
    assert path.is_absolute() and path.is_file(), path


def test_a_notebook_passes_when_pytest_runs_from_another_directory():
    """`cd notebooks && python -m pytest NOTEBOOK`: each cell used to error, FileNotFoundError: tests/sanitize.cfg."""
    notebook = min((ROOT / "notebooks").glob("*.ipynb"), key=lambda p: p.stat().st_size)   # the cheapest one
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", notebook.name], cwd=notebook.parent,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "error" not in summary, summary


def test_figures_show_and_nbval_passes_with_mplbackend_agg_exported():
    """MPLBACKEND=Agg (common in Docker and CI images) used to remove every static figure: 33 of 135 cells
    failed, and in class the figures vanished. bplib.course.setup() selects the inline backend in a kernel."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "notebooks/01_forward_pass.ipynb"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "default"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "failed" not in proc.stdout.strip().splitlines()[-1]


def test_setup_hides_other_libraries_deprecation_warnings_but_keeps_bplibs():
    code = (
        "import warnings\n"
        "import bplib.course\n"
        "bplib.course.setup()\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.warn_explicit('old', DeprecationWarning, 'x.py', 1, module='matplotlib.cbook')\n"
        "    warnings.warn_explicit('ours', DeprecationWarning, 'y.py', 1, module='bplib.train')\n"
        "    warnings.warn_explicit('user', UserWarning, 'z.py', 1, module='matplotlib.cbook')\n"
        "print(sorted(str(w.message) for w in caught))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONWARNINGS": "default"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['ours', 'user']"


# ---------------------------------------------------------------------------------------------- test artifacts
def test_artifacts_go_to_a_temporary_folder_by_default(monkeypatch, tmp_path_factory):
    """A read-only checkout: nothing may be written into the repository (screenshots used to go to test-artifacts/)."""
    monkeypatch.delenv("BPLIB_TEST_ARTIFACTS", raising=False)
    folder = artifacts_dir(tmp_path_factory)
    assert folder.is_dir()
    assert ROOT not in folder.resolve().parents
    assert tmp_path_factory.getbasetemp().resolve() in folder.resolve().parents


def test_artifacts_go_where_bplib_test_artifacts_says(monkeypatch, tmp_path_factory, tmp_path):
    """CI sets BPLIB_TEST_ARTIFACTS so that screenshots survive the run; the folder is created if needed."""
    monkeypatch.setenv("BPLIB_TEST_ARTIFACTS", str(tmp_path / "kept" / "shots"))
    assert artifacts_dir(tmp_path_factory) == tmp_path / "kept" / "shots"
    assert (tmp_path / "kept" / "shots").is_dir()


def test_tests_that_take_screenshots_use_the_artifacts_fixture():
    """The browser test skips where chromium is missing, so check its code: every test that saves a screenshot
    takes the `artifacts` fixture, and no code names the checkout's test-artifacts/ folder."""
    for path in set((ROOT / "tests").glob("test_*.py")) - {Path(__file__).resolve()}:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(f.body[0].value) for f in ast.walk(tree)
                      if isinstance(f, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(f)}
        strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                   and id(n) not in docstrings]
        assert not any("test-artifacts" in s for s in strings), path.name
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef) and func.name.startswith("test_") and any(
                    isinstance(n, ast.Attribute) and n.attr == "screenshot" for n in ast.walk(func)):
                assert "artifacts" in [a.arg for a in func.args.args], f"{path.name}::{func.name}"


# ---------------------------------------------------------------------------------------- skips that fail on CI
@pytest.mark.parametrize("value, expected", [("true", True), ("1", True), ("yes", True), ("", False),
                                             ("0", False), ("false", False), (None, False)])
def test_in_ci_reads_the_ci_variable(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_require_or_skip_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is missing"):
        require_or_skip(False, "chromium is missing")
    require_or_skip(True, "never shown")


def test_require_or_skip_fails_on_ci(monkeypatch):
    """On CI (.ci/run installs the package) a missing package is a broken setup: fail, saying why."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium is missing.*CI"):
        require_or_skip(False, "chromium is missing")
    require_or_skip(True, "never shown")


PROBE = """
import sys
sys.path.insert(0, {tests!r})
from support import require_or_skip
{module_level}
def test_needs_a_package():
    require_or_skip(False, "the package is missing")
"""


@pytest.mark.parametrize("where", ["module", "test"])
@pytest.mark.parametrize("ci", ["", "true"])
def test_a_missing_package_skips_but_fails_on_ci(tmp_path, where, ci):
    """End to end through pytest, at module level (test_browser.py) and inside a test or fixture (Fashion-MNIST)."""
    module_level = 'require_or_skip(False, "the package is missing")' if where == "module" else ""
    (tmp_path / "test_probe.py").write_text(PROBE.format(tests=str(ROOT / "tests"), module_level=module_level))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env.update(CI=ci, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")   # no nbval & co.: 0.3 s instead of 2 s
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "test_probe.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    if ci:
        assert proc.returncode != 0 and "the package is missing [CI is set" in proc.stdout, proc.stdout
    else:
        assert proc.returncode in (0, 5) and "1 skipped" in proc.stdout, proc.stdout   # 5: the module skipped
        assert "SKIPPED [1] test_probe.py:" in proc.stdout and "the package is missing" in proc.stdout, proc.stdout


# ---------------------------------------------------------------------------------------------- .ci/run
STUB = """#!/bin/sh
# stand-in for {name}: records the call; `python3 -m venv DIR` makes DIR; `pip install -r` exits with $FAKE_PIP_RC
# and `python -m pytest` with $FAKE_PYTEST_RC
echo "{name} $*" >> "$STUB_LOG"
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && : > "$3/bin/activate" && head -c 100000 /dev/zero > "$3/big"; fi
if [ "$1 $2" = "install -r" ]; then exit "$FAKE_PIP_RC"; fi
if [ "$1 $2" = "-m pytest" ]; then exit "$FAKE_PYTEST_RC"; fi
exit 0
"""


@pytest.mark.parametrize("pip_rc, pytest_rc, expected_rc", [(0, 0, 0), (0, 1, 1), (0, 5, 1), (2, 0, 2)],
                         ids=["pass", "tests-fail", "no-tests", "install-fails"])
def test_ci_run_removes_its_virtual_environment_and_keeps_the_exit_code(tmp_path, pip_rc, pytest_rc, expected_rc):
    """.ci/run on a copy, with python/pip/apt-get stubbed: its temporary venv (600 MB for real) must be gone."""
    repo, bin_dir, tmp = tmp_path / "repo", tmp_path / "bin", tmp_path / "tmp"
    (repo / ".ci").mkdir(parents=True)
    (repo / ".ci" / "run").write_bytes((ROOT / ".ci" / "run").read_bytes())
    (repo / "requirements.txt").write_text("")
    bin_dir.mkdir()
    tmp.mkdir()
    for name in ("python3", "python", "pip", "apt-get", "npm", "npx"):
        (bin_dir / name).write_text(STUB.format(name=name))
        (bin_dir / name).chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp),
           "STUB_LOG": str(tmp_path / "calls.log"), "FAKE_PYTEST_RC": str(pytest_rc),
           "FAKE_PIP_RC": str(pip_rc)}
    proc = subprocess.run(["bash", str(repo / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60)
    calls = (tmp_path / "calls.log").read_text()
    assert "python3 -m venv" in calls and ("python -m pytest" in calls) == (pip_rc == 0), calls   # the stubs ran
    assert proc.returncode == expected_rc, (proc.stdout, proc.stderr)
    assert list(tmp.iterdir()) == [], f"left behind in TMPDIR: {list(tmp.rglob('*'))}"

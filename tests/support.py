"""Helpers that test modules import (`from support import ...`; tests/ is on sys.path under pytest's default
import mode). They live here rather than in conftest.py because importing from conftest.py is unreliable: the
repository has two, and both are imported as the module `conftest`."""
import os
from pathlib import Path

import pytest


def in_ci():
    """True where the environment variable CI says so (GitHub Actions, GitLab CI and most others set CI=true)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_or_skip(condition, reason):
    """Skip the test (or, at module level, the module) unless `condition` holds: for what a test needs from the
    system, such as Debian's chromium or dataset-fashion-mnist. On CI, which installs them (`.ci/run`), fail
    instead: a skip there would silently hide that the test never ran. Not for the genuinely optional (torch).
    Call it from a test or fixture: at module level, a failure on CI stops pytest's whole collection."""
    __tracebackhide__ = True   # report the caller's line, not this one
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} [CI is set, where this is a failure, not a skip: the CI setup must provide it]",
                    pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def artifacts_dir(tmp_path_factory):
    """The folder for files to look at after a run (screenshots): $BPLIB_TEST_ARTIFACTS if set (CI sets it so
    they survive the run), else a fresh folder under pytest's temporary directory; never the checkout itself,
    which may be read-only."""
    folder = os.environ.get("BPLIB_TEST_ARTIFACTS")
    if not folder:
        return tmp_path_factory.mktemp("artifacts")
    path = Path(folder).absolute()
    path.mkdir(parents=True, exist_ok=True)
    return path

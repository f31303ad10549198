"""Helpers that test modules import (`from support import ...`; tests/ is on sys.path under pytest's default
import mode). They live here rather than in conftest.py because importing from conftest.py is unreliable: the
repository has two, and both are imported as the module `conftest`."""
import os
from pathlib import Path


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

"""Fixtures shared by the unit tests (plain helpers are in support.py, which test modules can import)."""
import pytest

from support import artifacts_dir


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory):
    """Where tests save screenshots: $BPLIB_TEST_ARTIFACTS, else pytest's temporary directory (support.py)."""
    return artifacts_dir(tmp_path_factory)

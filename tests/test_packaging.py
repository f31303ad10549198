"""A regular (non-editable) install gives the whole library, and the MNIST sample loads from any directory.

The package is built from a copy of the sources (a read-only checkout stays untouched), installed with
`pip install --target` and imported from an unrelated working directory, so nothing can come from the checkout.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = r"""
import sys
import bplib
assert "matplotlib" not in sys.modules and "ipywidgets" not in sys.modules, "import bplib loaded the GUI stack"
import bplib.course, bplib.data, bplib.exercises, bplib.widgets
from bplib.exercises import ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09
print(bplib.__file__)
X_train, y_train, X_test, y_test = bplib.data.load_mnist()
print(X_train.shape, y_test.shape)
print(bplib.data.default_data_dir())
from bplib.course import glossary
from bplib import i18n
print(len(glossary.load_glossary()), len(i18n.catalogue("zh")))   # package data: the glossary and the catalogues
"""


def test_a_regular_install_has_every_subpackage_and_the_sample(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "bplib", src / "bplib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", src)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(src)], check=True, capture_output=True, text=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "HOME": str(tmp_path / "home")}
    env.pop("BPLIB_DATA_DIR", None)
    out = subprocess.run([sys.executable, "-c", CHECK], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    module_file, shapes, data_dir, counts = out.stdout.strip().splitlines()
    assert Path(module_file).resolve().is_relative_to(target.resolve())   # not the checkout's bplib
    assert shapes == "(4000, 784) (1000,)"
    assert Path(data_dir) == tmp_path / "home" / ".cache" / "bplib"       # no checkout: the user's cache
    import json
    n_terms, n_zh = map(int, counts.split())
    assert n_terms == len(json.loads((ROOT / "bplib" / "course" / "glossary.json").read_text(encoding="utf-8")))
    assert n_zh == sum(len(json.loads(f.read_text(encoding="utf-8")))
                       for f in (ROOT / "bplib" / "locale" / "zh").glob("*.json"))

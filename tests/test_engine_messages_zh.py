"""The engine's and the data layer's messages in Chinese (bplib.i18n.set_language("zh")).

A Chinese-edition learner who passes a wrong shape, an unknown name or bad targets, whose training diverges or
who loads a file that is not a network reads the message in Chinese, with the same numbers and names as the
English one. The catalogue bplib/locale/zh/engine.json has exactly one entry per `tr("...")` literal in the
engine's and data layer's source files, with the same placeholders.
"""
import ast
import json
import re
import string
from pathlib import Path

import numpy as np
import pytest

import bplib
from bplib import i18n

ROOT = Path(bplib.__file__).resolve().parent
CATALOGUE = ROOT / "locale" / "zh" / "engine.json"
#: the source files whose messages engine.json translates
SOURCES = sorted([ROOT / name for name in ("_checks.py", "train.py", "gradcheck.py", "serialize.py", "network.py",
                                           "deepnets.py", "optim.py", "activations.py", "losses.py", "init.py",
                                           "_blas.py")] + list((ROOT / "data").glob("*.py")))
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def zh():
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language("en")


def chinese(text):
    assert CHINESE.search(text), f"not Chinese: {text!r}"
    return text


# ---------------------------------------------------------------------------------------------- the messages
def test_a_wrong_input_shape_is_explained_in_chinese(zh):
    net = bplib.MLP([2, 3, 2], seed=0)
    with pytest.raises(ValueError) as err:
        net.forward(np.zeros((4, 3)))
    text = chinese(str(err.value))
    assert "X 有 3 个特征（形状为 (4, 3)）" in text and "输入层有 2 个单元" in text and "(m, 2)" in text
    with pytest.raises(ValueError) as err:
        net.forward(np.zeros(2))                               # one example as a 1-D array
    assert "X.reshape(1, -1)" in chinese(str(err.value))


def test_an_unknown_activation_is_named_in_chinese(zh):
    with pytest.raises(ValueError) as err:
        bplib.MLP([2, 3, 2], activation="swish")
    text = chinese(str(err.value))
    assert text.startswith("未知的 activation：'swish'") and "'relu'" in text and "'tanh'" in text


def test_a_softmax_target_row_that_does_not_sum_to_1_is_explained_in_chinese(zh):
    net = bplib.MLP([2, 3, 2], output="softmax", seed=0)
    Y = np.array([[1.0, 0.0], [0.5, 0.2], [0.0, 1.0]])
    with pytest.raises(ValueError) as err:
        net.loss(np.zeros((3, 2)), Y)
    text = chinese(str(err.value))
    assert "第 1 行的和为 0.7" in text and "从 0.2 到 0.5" in text and "(3,)" in text and "one_hot(y)" in text


def test_a_diverging_run_prints_and_records_its_message_in_chinese(zh, capsys):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3))
    Y = X @ rng.standard_normal((3, 2))
    net = bplib.MLP([3, 8, 2], activation="relu", output="identity", seed=0)
    history = bplib.train(net, X, Y, epochs=20, lr=1e4, batch_size=16, seed=0, progress=False,
                          diverge_factor=None)
    diverged = history["diverged"]
    assert diverged is not None
    out = capsys.readouterr().out
    assert diverged["message"] in out
    message = chinese(diverged["message"])
    assert f"训练在第 {diverged['epoch']} 轮、第 {diverged['batch']} 个小批量发散了" in message
    assert "lr = 10000" in message and "更小的学习率" in message


def test_divergence_by_growth_names_the_reference_in_chinese(zh):
    X, y = bplib.data.make_moons(n=64, seed=0)
    net = bplib.MLP([2, 16, 2], activation="relu", output="softmax", seed=0)
    history = bplib.train(net, X, y, epochs=30, lr=50.0, batch_size=64, seed=0, progress=False, verbose=False)
    message = chinese(history["diverged"]["message"])
    assert "lr = 50" in message
    assert "损失增长到" in message or "损失变成了" in message or "权重变成了" in message
    assert "Training" not in message and "loss" not in message


def test_loading_a_file_that_is_not_a_network_is_explained_in_chinese(zh, tmp_path):
    path = tmp_path / "weights.npz"
    np.savez(path, a=np.zeros(3), b=np.ones(2))
    with pytest.raises(ValueError) as err:
        bplib.load(path)
    text = chinese(str(err.value))
    assert text.startswith(str(path)) and "这不是 bplib 网络文件" in text and "['a', 'b']" in text
    with pytest.raises(FileNotFoundError) as err:
        bplib.load(tmp_path / "missing.npz")
    assert str(tmp_path / "missing.npz") in chinese(str(err.value))


def test_gradcheck_and_data_messages_speak_chinese(zh):
    with pytest.raises(ValueError) as err:
        bplib.data.one_hot(np.array([0, 3]), k=3)
    assert "从 0 到 3" in chinese(str(err.value)) and "k=3" in str(err.value)
    with pytest.raises(ValueError) as err:
        bplib.data.make_toy("stars")
    assert "玩具数据集" in chinese(str(err.value)) and "'stars'" in str(err.value)
    with pytest.raises(ValueError) as err:
        bplib.data.idx.parse_idx(b"\x00\x00\x08\x01\x00\x00\x00\x05\x01", name="labels.idx")
    text = chinese(str(err.value))
    assert text.startswith("labels.idx: ") and "(5,)" in text


def test_english_stays_the_default_and_comes_back(zh):
    i18n.set_language("en")
    with pytest.raises(ValueError, match=r"^unknown activation 'swish'; expected one of"):
        bplib.MLP([2, 3, 2], activation="swish")


# ---------------------------------------------------------------------------------------------- the catalogue
def tr_literals():
    """{English template: ["file:line", ...]} for every tr(...) call in SOURCES (the first argument a literal)."""
    found = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tr":
                first = node.args[0] if node.args else None
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), \
                    f"{where}: tr's first argument must be a literal English template"
                found.setdefault(first.value, []).append(where)
    return found


def fields(template):
    return sorted({(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(template)
                   if name is not None})


def test_the_catalogue_translates_every_message_and_nothing_else():
    literals = tr_literals()
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    assert len(literals) > 100
    missing = sorted(set(literals) - set(catalogue))
    unused = sorted(set(catalogue) - set(literals))
    assert not missing, f"no Chinese for {missing[:5]} (at {[literals[k] for k in missing[:5]]})"
    assert not unused, f"Chinese entries whose English template is gone: {unused[:5]}"
    for english, chinese_text in catalogue.items():
        assert fields(english) == fields(chinese_text), f"placeholders differ: {english!r} -> {chinese_text!r}"
        assert CHINESE.search(chinese_text), f"untranslated: {english!r}"


def test_the_fashion_hint_is_the_one_the_catalogue_translates(zh):
    from bplib.data import mnist
    assert mnist._system_hint(mnist.FASHION_MNIST) != mnist.FASHION_MNIST.system_hint
    assert "sudo apt-get install dataset-fashion-mnist" in chinese(mnist._system_hint(mnist.FASHION_MNIST))


def test_the_missing_data_message_says_where_to_get_the_files_in_chinese(zh, tmp_path):
    import dataclasses

    from bplib.data import mnist
    spec = dataclasses.replace(mnist.FASHION_MNIST, mirrors=("https://example.invalid/fashion/",),
                               system_dirs=(str(tmp_path / "system"),))
    with pytest.raises(FileNotFoundError) as err:
        mnist.locate(spec, data_dir=tmp_path, download=False)
    text = chinese(str(err.value))
    assert text.startswith("找不到 Fashion-MNIST：缺少 train-images-idx3-ubyte.gz")
    assert "https://example.invalid/fashion/" in text and f"{tmp_path / 'fashion-mnist'}/" in text
    assert "sudo apt-get install dataset-fashion-mnist" in text

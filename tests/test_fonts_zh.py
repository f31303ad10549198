"""Chinese text in figures: setup(language="zh") picks a CJK font that has the glyphs (no tofu boxes, no "Glyph
missing" warning), prints one install hint where there is none, and setup(language="en") switches everything back."""
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest

import bplib
from bplib.course import fonts
from bplib.i18n import get_language, tr
from support import require_or_skip

CHINESE = "反向传播：损失函数、学习率与梯度（每层）"


@pytest.fixture(autouse=True)
def english_afterwards():
    """Every test leaves the process as it found it: English, matplotlib's rcParams unchanged."""
    with matplotlib.rc_context():
        yield
        bplib.course.setup(language="en")
    plt.close("all")


def _cjk_font():
    name = fonts.find_cjk_font()
    require_or_skip(name is not None, "no Chinese font for matplotlib (Debian: apt-get install fonts-noto-cjk)")
    return name


def test_the_font_list_covers_windows_macos_and_linux():
    for name in ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans SC",
                 "Droid Sans Fallback", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Microsoft YaHei", "SimHei"):
        assert name in fonts.CJK_FONTS


def test_the_chosen_font_has_glyphs_for_chinese_text(capsys):
    name = _cjk_font()
    assert fonts.covers(name, fonts.SAMPLE + CHINESE)
    assert bplib.course.setup(language="zh") is None and capsys.readouterr().out == ""   # no hint: a font is there
    assert get_language() == "zh"
    assert matplotlib.rcParams["font.sans-serif"][0] == name            # in front of the sans-serif list
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans", name]  # Latin and maths from DejaVu Sans
    assert "DejaVu Sans" in matplotlib.rcParams["font.sans-serif"]
    # matplotlib's own font resolution, character by character, finds a font that has each glyph
    font_files = matplotlib.font_manager.fontManager._find_fonts_by_props(
        matplotlib.font_manager.FontProperties(family=matplotlib.rcParams["font.family"]))
    faces = [matplotlib.font_manager.get_font(f) for f in font_files]
    for char in CHINESE + "αδ‖∂−":
        assert any(face.get_char_index(ord(char)) for face in faces), char


def test_a_chinese_title_draws_without_missing_glyph_warnings():
    _cjk_font()
    bplib.course.setup(language="zh")
    from bplib.widgets import learning_rate

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title(CHINESE + " α = 0.5, ‖∂J/∂W‖")
        ax.set(xlabel=tr("epoch"), ylabel=tr("loss J"))
        fig.canvas.draw()
        learning_rate.regimes_figure().canvas.draw()                    # the library's own Chinese figure
    missing = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
    assert missing == []
    assert fig.axes[0].get_xlabel() == "轮次"


def test_one_line_hint_when_no_chinese_font_is_installed(monkeypatch, capsys):
    monkeypatch.setattr(fonts, "CJK_FONTS", ("No Such Font SC", "Neither This One"))
    monkeypatch.setattr(fonts, "_register_new_font_files", lambda: None)
    before = list(matplotlib.rcParams["font.sans-serif"])
    bplib.course.setup(language="zh")
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "fonts-noto-cjk" in out and "apt-get install" in out
    assert matplotlib.rcParams["font.sans-serif"] == before              # fonts left as they were
    assert get_language() == "zh"                                         # the text is still Chinese
    assert "中文字体" in out                                              # and so is the hint


def test_language_en_restores_english_and_the_fonts():
    _cjk_font()
    family = list(matplotlib.rcParams["font.family"])
    sans = list(matplotlib.rcParams["font.sans-serif"])
    bplib.course.setup(language="zh")
    assert tr("Decision boundary") == "决策边界"
    bplib.course.setup(language="en")
    assert get_language() == "en" and tr("Decision boundary") == "Decision boundary"
    assert matplotlib.rcParams["font.family"] == family and matplotlib.rcParams["font.sans-serif"] == sans
    bplib.course.setup(language="zh")
    bplib.course.setup(language="zh")                                    # twice: still one CJK font, undone once
    assert matplotlib.rcParams["font.sans-serif"].count(fonts.find_cjk_font()) == 1
    bplib.course.setup()                                                 # the default is English
    assert get_language() == "en" and matplotlib.rcParams["font.sans-serif"] == sans


def test_an_unknown_language_changes_nothing():
    with pytest.raises(ValueError, match="language"):
        bplib.course.setup(language="fr")
    assert get_language() == "en"


def test_widgets_and_figures_speak_chinese():
    _cjk_font()
    bplib.course.setup(language="zh")
    from bplib.course import descent, diagnostics
    from bplib.widgets import depth, learning_rate

    panel = learning_rate.learning_rate_widget(lr=0.3)
    assert "合适" in panel.status.value and repr(panel) == "[学习率交互控件]"
    panel.slider.value = 5.0
    assert "发散" in panel.status.value and "停止" in panel.status.value
    deep = depth.depth_widget(depth=12, activation="sigmoid", kind="plain")
    assert "梯度消失" in deep.status.value and deep.depth.description == "深度"
    titles = [ax.get_title() for ax in learning_rate.regimes_figure().axes]
    assert titles[0].startswith("过小") and titles[3].startswith("发散")
    ax, _ = diagnostics.depth_figure(5)
    assert "隐藏层" in ax.get_title() and "第 l 层" in ax.get_xlabel()
    with pytest.raises(ValueError, match="必须"):
        descent.gradient_descent(lambda w: w, 0.0, 0.1, steps=-1)
    assert descent.lr_regime(0.1, 1.0) == "too small"                    # the regime key stays English

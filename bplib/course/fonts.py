"""A Chinese (CJK) font for matplotlib, so Chinese titles and labels never show as empty boxes (tofu).

    fonts.use_cjk_font()       # the Chinese edition: bplib.course.setup(language="zh") calls it
    fonts.use_latin_fonts()    # back to matplotlib's own fonts: bplib.course.setup(language="en")

The first font of `CJK_FONTS` that matplotlib can find is put in front of rcParams["font.sans-serif"], and
rcParams["font.family"] becomes ["DejaVu Sans", <that font>]: through matplotlib's per-glyph font fallback, Latin
letters, Greek and maths symbols still come from DejaVu Sans (as in the English edition) and only the Chinese
characters from the CJK font; $...$ maths keeps its own mathtext fonts. If no font of the list is installed,
`use_cjk_font` prints one line saying which font to install.
"""
import re

import matplotlib
import matplotlib.font_manager as font_manager

from ..i18n import tr

#: Chinese sans-serif fonts, best first: common Linux packages, then macOS, then Windows, then last resorts
CJK_FONTS = (
    "Noto Sans CJK SC",          # Debian/Ubuntu fonts-noto-cjk, Fedora google-noto-sans-cjk-fonts, Arch noto-fonts-cjk
    "Source Han Sans SC",        # Adobe's release of the same design
    "Source Han Sans CN",
    "Noto Sans SC",              # Google Fonts' single-language release
    "WenQuanYi Micro Hei",       # fonts-wqy-microhei
    "WenQuanYi Zen Hei",         # fonts-wqy-zenhei
    "PingFang SC",               # macOS
    "Hiragino Sans GB",          # macOS
    "Heiti SC",                  # macOS
    "STHeiti",                   # macOS
    "Microsoft YaHei",           # Windows
    "SimHei",                    # Windows
    "DengXian",                  # Windows
    "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK HK",   # other regions' Noto CJK
    "Droid Sans Fallback",       # fonts-droid-fallback (Android's fallback font)
    "Arial Unicode MS",          # older macOS and Microsoft Office
)

#: Chinese characters that a usable font must have (the words of the course's figures and widgets)
SAMPLE = "反向传播损失函数学习率梯度消失爆炸训练验证测试集每层网络初始化步数类别预测准确率，：（）"

#: font files whose names suggest a Chinese font, looked at when matplotlib's font cache predates their install
_FILE_HINT = re.compile(r"cjk|sourcehan|wqy|wenquanyi|droidsansfallback|msyh|simhei|deng|pingfang|hiragino|"
                        r"stheiti|heiti|notosanssc", re.IGNORECASE)
_state = {"latin": None}      # rcParams["font.sans-serif"] before use_cjk_font changed it


def installed_families():
    """The font family names matplotlib knows about (a set)."""
    return {entry.name for entry in font_manager.fontManager.ttflist}


def covers(family, text=SAMPLE):
    """True if matplotlib's font for `family` has a glyph for every character of `text`."""
    try:
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return False
    font = font_manager.get_font(path)
    return all(font.get_char_index(ord(c)) != 0 for c in text if not c.isspace())


def _register_new_font_files():
    """Add CJK font files installed after matplotlib built its font cache (it does not rescan by itself)."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known and _FILE_HINT.search(path.rsplit("/", 1)[-1]):
            try:
                font_manager.fontManager.addfont(path)
            except Exception:        # an unreadable file is simply not a candidate
                pass


def find_cjk_font(candidates=None):
    """The first family of `candidates` (default CJK_FONTS) that is installed and covers SAMPLE, or None."""
    candidates = CJK_FONTS if candidates is None else candidates

    def first():
        families = installed_families()
        return next((name for name in candidates if name in families and covers(name)), None)

    found = first()
    if found is None:
        _register_new_font_files()
        found = first()
    return found


def install_hint():
    """The one line printed when no Chinese font is found."""
    return tr("No Chinese font found for matplotlib, so Chinese text in figures would show as empty boxes: install one (Debian/Ubuntu: sudo apt-get install fonts-noto-cjk; Fedora: sudo dnf install google-noto-sans-cjk-fonts; macOS and Windows include one), then restart the kernel.")  # noqa: E501


def use_cjk_font(candidates=None, verbose=True):
    """Use the first installed Chinese font for Chinese glyphs; returns its name, or None if there is none.

    The font goes in front of rcParams["font.sans-serif"], and rcParams["font.family"] becomes
    ["DejaVu Sans", <it>]: matplotlib takes each glyph from the first family that has it, so Latin letters,
    Greek and maths symbols (α, δ, ‖, ∂, −) look as in the English edition and Chinese comes from the CJK font
    (a CJK font first would draw ‖ and ∂ full-width). If none is found the fonts are left as they are and, with
    verbose, the one-line `install_hint` is printed.
    """
    name = find_cjk_font(candidates)
    if name is None:
        if verbose:
            print(install_hint())
        return None
    rc = matplotlib.rcParams
    if _state["latin"] is None:
        _state["latin"] = {"font.family": list(rc["font.family"]), "font.sans-serif": list(rc["font.sans-serif"])}
    sans = [f for f in _state["latin"]["font.sans-serif"] if f not in CJK_FONTS]
    rc["font.sans-serif"] = [name] + sans + ([] if "DejaVu Sans" in sans else ["DejaVu Sans"])
    rc["font.family"] = ["DejaVu Sans", name]
    return name


def use_latin_fonts():
    """Undo `use_cjk_font`: rcParams["font.family"] and ["font.sans-serif"] as they were before it."""
    if _state["latin"] is not None:
        matplotlib.rcParams.update(_state["latin"])
        _state["latin"] = None

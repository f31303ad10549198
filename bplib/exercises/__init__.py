"""Exercise self-checks: tell a reader at once whether an answer is right, and if not, what is likely wrong.

Conventions (every chapter follows them; chapter NN keeps its checks in ``bplib/exercises/chNN.py``)
------------------------------------------------------------------------------------------------------
In a notebook an exercise is three cells:

1. markdown: the task;
2. code: the reader's function; the solution sits between two lines ``# BEGIN SOLUTION`` and ``# END SOLUTION``
   (indented like the body). ``tools/make_student_copies.py`` replaces that region by
   ``raise NotImplementedError("Exercise: ...")`` and keeps the ``def`` line and docstring above it, so the
   function must not be *used* by later cells that the student copy has to run;
3. code, right after it: the self-check, its last line a call such as ``ex.ch01.check_layer_forward(layer_forward)``.
   The returned `Result` shows as one line: ``✅ Correct: ...`` or ``❌ Not yet: <specific hint>``.

Writing a check (in chNN.py)::

    from bplib.exercises import Hint, check, expect_array, run

    @check
    def check_layer_forward(layer_forward):
        \"\"\"Exercise 01.1: Z = A_prev @ W.T + b for a batch.\"\"\"
        A, W, b = ...fixed, seeded inputs...
        Z = run(layer_forward, A, W, b)                  # NotImplementedError / other errors -> failing Result
        expect_array(Z, A @ W.T + b, "Z",               # shape first (transpose hint), then values
                     mistakes={"you added b twice": A @ W.T + 2 * b})
        return "Z = A_prev @ W.T + b, one row per example."   # a returned str becomes the ✅ message

- ``@check`` turns the function into a self-check: it first makes sure the reader passed a function (else a clear
  TypeError), then any `Hint` raised inside becomes ``Result(False, "❌ Not yet: <hint>")`` and a returned
  string becomes ``Result(True, "✅ Correct: <text>")``. Other exceptions in the *check's own* code propagate
  (they are bugs of the check, not of the reader).
- `run(func, *args)` calls the reader's function on copies of the arguments (so it cannot change the check's
  data) and fails with a hint naming the argument if the function changed one in place (unless the parameter is
  listed in ``may_modify``); NotImplementedError -> Hint "not implemented yet", a matmul shape mismatch ->
  "did you transpose?" with the arguments' shapes, any other exception -> Hint naming its type and text.
- `expect_array` / `expect_scalar` compare shape first (a transposed shape gets "did you transpose?"), then
  NaN/inf, then each typical mistake (``mistakes={hint: wrong_value}``: if the answer matches a wrong value, that
  hint is given), then values with tolerance (rtol, atol). `expect_array` spots a transposed square answer on its
  own. Build the wrong values from the same inputs (e.g. ``expected * m`` for "missing 1/m").
- Checks are deterministic: fixed inputs or a seeded ``np.random.default_rng``.
- Every text a reader sees (hints, names of what is compared, success messages) goes through ``bplib.i18n.tr``
  with a literal English template and its values as keywords, e.g. ``tr("you forgot to add the bias b")`` or
  ``tr("a(L) of the {arch} network", arch=arch)``, and has its Chinese entry in ``bplib/locale/zh/``. Translate
  whole sentences: where a hint varies, write one template per variant rather than gluing pieces together.
  In Chinese a Result reads ``✅ 正确：...`` or ``❌ 还没有通过：...``, a stub's hint starts with ``尚未实现``.
- Tests (tests/test_exercises_*.py): each check passes on the solution, fails with its hint on a stub raising
  NotImplementedError and on at least one typical wrong answer. `Result` is truthy iff passed.
"""
import functools

import numpy as np

from ..i18n import tr

__all__ = ["Result", "Hint", "check", "run", "expect_array", "expect_scalar", "expect_true", "passed", "failed",
           "NOT_IMPLEMENTED"]

#: the English prefixes (Chinese: "✅ 正确：" and "❌ 还没有通过："; see `passed` and `failed`)
PASS_PREFIX = "✅ Correct: "
FAIL_PREFIX = "❌ Not yet: "
#: the start of the English hint given for a stub that still raises NotImplementedError (Chinese: "尚未实现")
NOT_IMPLEMENTED = "not implemented yet"


class Result:
    """The outcome of a self-check: truthy iff passed; shown in a notebook as its message (one line)."""

    __slots__ = ("passed", "message")

    def __init__(self, passed, message):
        if not isinstance(message, str):
            raise TypeError(f"Result message must be a str, got {type(message).__name__}")
        self.passed = bool(passed)
        self.message = message

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return self.message

    __str__ = __repr__


def passed(text):
    """A passing Result: "✅ Correct: <text>" (in the reader's language)."""
    return Result(True, tr("✅ Correct: {text}", text=text))


def failed(hint):
    """A failing Result: "❌ Not yet: <hint>" (in the reader's language)."""
    return Result(False, tr("❌ Not yet: {hint}", hint=hint))


class Hint(Exception):
    """Raised inside a check to fail it with a specific hint for the reader."""


def check(func):
    """Decorator: make `func(student_function, ...)` a self-check returning a `Result` (see module docstring)."""

    @functools.wraps(func)
    def wrapper(student, *args, **kwargs):
        if not callable(student):
            raise TypeError(tr("{check} expects your function itself, e.g. {check}(my_function), not its result; "
                               "got {got}", check=func.__name__, got=type(student).__name__))
        try:
            text = func(student, *args, **kwargs)
        except Hint as hint:
            return failed(str(hint))
        if not isinstance(text, str):
            raise TypeError(f"check {func.__name__} must return its success message as a str")
        return passed(text)

    return wrapper


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _same(a, b):
    """True if `a` (the argument as passed) still equals `b` (a copy taken before the call)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=True)))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return True                                      # numbers, generators, functions: not compared


def _name(func):
    return getattr(func, "__name__", type(func).__name__)


def _argument_names(func, args, kwargs):
    """The reader's parameter name for each positional and keyword argument (positions where unknown)."""
    import inspect
    try:
        bound = inspect.signature(func).bind_partial(*args, **kwargs)
    except (TypeError, ValueError):
        return [tr("argument {number}", number=i + 1) for i in range(len(args))], list(kwargs)
    names = list(bound.arguments)
    return names[:len(args)], list(kwargs)


def _transpose_hint(exc, args):
    """For NumPy's matmul shape error, a hint listing the array arguments' shapes ("did you transpose?")."""
    text = str(exc)
    if not ("matmul" in text and "mismatch in its core dimension" in text or "shapes" in text and "not aligned" in text):
        return None
    shapes = tr(", ").join(tr("{name} has shape {shape}", name=n, shape=a.shape)
                           for n, a in args if isinstance(a, np.ndarray) and a.ndim >= 1)
    return tr("a matrix product has mismatched shapes: did you transpose, or multiply in the wrong order? {shapes}. "
              "Remember W(l) has shape (n_l, n_{{l-1}}) and a batch has one example per row.", shapes=shapes)


def run(func, *args, may_modify=(), **kwargs):
    """Call the reader's func on copies of the arguments; turn its failures into a `Hint`.

    NotImplementedError -> "not implemented yet: ..."; a matmul shape mismatch -> "did you transpose?" with every
    array argument's shape; any other exception -> a hint naming its type, message and line.
    An argument that the function changed in place fails the check with a hint naming it, unless its parameter
    name is listed in `may_modify` (for tasks that say in-place changes are fine).
    """
    name = _name(func)
    call_args, call_kwargs = _copy(args), {k: _copy(v) for k, v in kwargs.items()}
    try:
        result = func(*call_args, **call_kwargs)
    except NotImplementedError:
        raise Hint(tr("not implemented yet: write the body of `{name}` where it says `raise NotImplementedError`, "
                      "run that cell, then run this check again.", name=name)) from None
    except Hint:
        raise
    except Exception as exc:  # the reader's code failed: say how, do not show a traceback
        line = None
        tb = exc.__traceback__
        while tb is not None:  # the innermost line of the reader's own function, if it is there
            if tb.tb_frame.f_code is getattr(func, "__code__", None):
                line = tb.tb_lineno - func.__code__.co_firstlineno + 1
            tb = tb.tb_next
        positional, keywords = _argument_names(func, args, kwargs)
        hint = _transpose_hint(exc, list(zip(positional, args)) + [(k, kwargs[k]) for k in keywords])
        if hint is not None:
            if line is None:
                raise Hint(tr("`{name}`: {hint}", name=name, hint=hint)) from None
            raise Hint(tr("`{name}` (line {line} of `{name}`): {hint}", name=name, line=line, hint=hint)) from None
        if line is None:
            raise Hint(tr("`{name}` raised {error}: {message}", name=name, error=type(exc).__name__,
                          message=exc)) from None
        raise Hint(tr("`{name}` raised {error} (line {line} of `{name}`): {message}", name=name,
                      error=type(exc).__name__, line=line, message=exc)) from None
    positional, keywords = _argument_names(func, args, kwargs)
    for arg_name, original, passed_in in [*zip(positional, args, call_args),
                                          *((k, kwargs[k], call_kwargs[k]) for k in keywords)]:
        if arg_name not in may_modify and not _same(passed_in, original):
            raise Hint(tr("`{name}` changed its argument `{argument}` in place, but the task asks for the inputs "
                          "to stay unchanged: work on a copy (`{argument}.copy()`) or build a new array (e.g. "
                          "`W - lr * dW` makes a new array, `W -= lr * dW` changes W)", name=name, argument=arg_name))
    return result


def _as_array(value, name):
    if value is None:
        raise Hint(tr("{name} is None: did you forget the `return` statement?", name=name))
    if isinstance(value, tuple) and not isinstance(value, np.ndarray):
        raise Hint(tr("{name} is a tuple of {count} items, expected one array: return a single array", name=name,
                      count=len(value)))
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Hint(tr("{name} should be an array of numbers, got {got}", name=name,
                      got=type(value).__name__)) from None
    return arr


def _close(a, b, rtol, atol):
    b = np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def expect_array(got, expected, name, rtol=1e-6, atol=1e-9, mistakes=None):
    """Compare the reader's array `got` with `expected`; raise a `Hint` that says what differs.

    Order: None / not numeric -> shape (transposed shape: "did you transpose?") -> NaN/inf -> each entry of
    `mistakes` ({hint: wrong value}) -> a transposed square answer -> values within rtol/atol.
    Returns `got` as a float64 array when it matches.
    """
    expected = np.asarray(expected, dtype=np.float64)
    arr = _as_array(got, name)
    if arr.shape != expected.shape:
        if arr.ndim == 2 and arr.shape == expected.T.shape:
            raise Hint(tr("{name} has shape {got}, expected {expected}: did you transpose?", name=name,
                          got=arr.shape, expected=expected.shape))
        if arr.size == expected.size:
            raise Hint(tr("{name} has shape {got}, expected {expected} (same number of entries: a reshape or a "
                          "missing/extra axis?)", name=name, got=arr.shape, expected=expected.shape))
        raise Hint(tr("{name} has shape {got}, expected {expected}", name=name, got=arr.shape,
                      expected=expected.shape))
    if not np.all(np.isfinite(arr)):
        raise Hint(tr("{name} contains NaN or inf: an overflow (exp of a large number?) or a division by zero",
                      name=name))
    for hint, wrong in (mistakes or {}).items():
        if _close(arr, wrong, rtol, atol) and not _close(arr, expected, rtol, atol):
            raise Hint(tr("{name} is not right: {hint}", name=name, hint=hint))
    if _close(arr, expected, rtol, atol):
        return arr
    if arr.ndim == 2 and arr.shape[0] == arr.shape[1] and _close(arr, expected.T, rtol, atol):
        raise Hint(tr("{name} equals the transpose of the right answer: check the order of your matrix product",
                      name=name))
    err = np.abs(arr - expected)
    idx = np.unravel_index(int(np.argmax(err)), arr.shape)
    where = f"[{', '.join(str(int(i)) for i in idx)}]" if arr.ndim else ""
    raise Hint(tr("{name} has the right shape {shape} but wrong values: {name}{where} = {got:.6g}, expected "
                  "{expected:.6g}", name=name, shape=arr.shape, where=where, got=arr[idx], expected=expected[idx]))


def expect_scalar(got, expected, name, rtol=1e-6, atol=1e-9, mistakes=None):
    """Compare the reader's number with `expected` (a float); raise a `Hint` naming the mistake if known."""
    if got is None:
        raise Hint(tr("{name} is None: did you forget the `return` statement?", name=name))
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise Hint(tr("{name} should be a number, got {got}", name=name, got=type(got).__name__)) from None
    if arr.size != 1:
        raise Hint(tr("{name} should be one number, got an array of shape {shape}: did you forget to sum or average "
                      "(np.mean) over the batch?", name=name, shape=arr.shape))
    value = float(arr.reshape(-1)[0])
    if not np.isfinite(value):
        raise Hint(tr("{name} is {value}: an overflow (exp of a large number?) or log(0)?", name=name, value=value))
    for hint, wrong in (mistakes or {}).items():
        if np.isclose(value, wrong, rtol=rtol, atol=atol) and not np.isclose(value, expected, rtol=rtol, atol=atol):
            raise Hint(tr("{name} = {value:.6g} is not right: {hint}", name=name, value=value, hint=hint))
    if not np.isclose(value, expected, rtol=rtol, atol=atol):
        raise Hint(tr("{name} = {value:.6g}, expected {expected:.6g}", name=name, value=value, expected=expected))
    return value


def expect_true(condition, hint):
    """Raise Hint(hint) unless condition holds (for checks that are not a single comparison)."""
    if not condition:
        raise Hint(hint)


def __getattr__(name):
    """Load chapter modules on first use: `bplib.exercises.ch01.check_layer_forward(...)`."""
    import importlib

    if name.startswith("ch") and name[2:].isdigit():
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                raise AttributeError(tr("bplib.exercises has no chapter module {name!r}", name=name)) from None
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

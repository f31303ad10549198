"""The exercise machinery (bplib.exercises) and the self-checks of chapters 01-04.

Every check must pass on a correct solution and fail, with its specific hint, on a stub that raises
NotImplementedError and on typical wrong answers.
"""
import numpy as np
import pytest

import bplib
from bplib import exercises as ex


# ---------------------------------------------------------------- the machinery
@ex.check
def _double_check(f):
    X = np.arange(6.0).reshape(2, 3)
    ex.expect_array(ex.run(f, X), 2 * X, "Y", mistakes={"you returned X itself": X})
    return "Y = 2 X."


def _stub(X):
    raise NotImplementedError("Exercise: write the body of _stub()")


def test_result_is_truthy_iff_passed_and_shows_its_message():
    good = _double_check(lambda X: 2 * X)
    assert good and good.passed and repr(good) == str(good) == "✅ Correct: Y = 2 X."
    bad = _double_check(lambda X: X)
    assert not bad and not bad.passed and bad.message.startswith("❌ Not yet: ")


@pytest.mark.parametrize("answer, hint", [
    (_stub, "not implemented yet"),
    (lambda X: X, "you returned X itself"),
    (lambda X: (2 * X).T, "has shape (3, 2), expected (2, 3): did you transpose?"),
    (lambda X: None, "forget the `return`"),
    (lambda X: 1 / 0, "raised ZeroDivisionError"),
    (lambda X: 2 * X + np.eye(2, 3), "wrong values: Y[0, 0] = 1, expected 0"),
    (lambda X: np.full((2, 3), np.nan), "NaN or inf"),
    (lambda X: "text", "array of numbers"),
    (lambda X: (2 * X).reshape(6), "same number of entries"),
])
def test_failures_give_specific_hints(answer, hint):
    result = _double_check(answer)
    assert not result
    assert hint in result.message, result.message


def test_run_passes_copies_so_the_reader_cannot_change_the_checks_data():
    def mutating(X):
        X[...] = 0
        return X

    X = np.ones(3)
    ex.run(mutating, X)
    assert np.all(X == 1)


def test_square_transpose_is_detected():
    with pytest.raises(ex.Hint, match="transpose"):
        ex.expect_array([[1.0, 3.0], [2.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]], "dW")


def test_expect_scalar_hints():
    assert ex.expect_scalar(np.float64(0.5), 0.5, "J") == 0.5
    with pytest.raises(ex.Hint, match="one number"):
        ex.expect_scalar(np.ones(3), 0.5, "J")
    with pytest.raises(ex.Hint, match="missing 1/m"):
        ex.expect_scalar(1.5, 0.5, "J", mistakes={"missing 1/m": 1.5})
    with pytest.raises(ex.Hint, match="expected 0.5"):
        ex.expect_scalar(0.7, 0.5, "J")


def test_check_rejects_a_non_function_with_a_clear_type_error():
    with pytest.raises(TypeError, match="expects your function itself"):
        _double_check(np.ones(3))


def test_unknown_chapter_module_is_an_attribute_error():
    with pytest.raises(AttributeError, match="ch99"):
        ex.ch99

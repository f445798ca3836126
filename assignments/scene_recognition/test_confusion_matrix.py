"""generate_confusion_matrix: a course-style 12-sample case, then random cases against the judge.

Arguments are passed by keyword, so either order of predictions and targets works. A class
that never occurs may get a row of zeros or, as the course's plain division gives, of NaNs.
"""

import numpy as np
import pytest

from grader.toolkit import checks

# 12 samples of 3 classes; rows: true class, columns: predicted class, each row normalized.
TARGETS = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
PREDICTIONS = np.array([0, 0, 1, 2, 1, 1, 1, 0, 2, 2, 1, 2])
NORMALIZED = np.array([[0.5, 0.25, 0.25], [0.25, 0.75, 0.0], [0.0, 0.25, 0.75]])
HINT = "entry [i, j] counts samples of true class i predicted as j; normalize each row"


def matrix(submission, predictions, targets, num_classes: int, normalize: bool) -> np.ndarray:
    """The student's matrix; a row of NaNs (0 / 0, the course's plain division) for a class
    that never occurs in ``targets`` reads as the row of zeros the docstring asks for."""
    result = submission.confusion_matrix.generate_confusion_matrix(
        predictions=predictions, targets=targets, num_classes=num_classes, normalize=normalize)
    result = checks.check_array(result, shape=(num_classes, num_classes), finite=False,
                                name="confusion matrix", hint="a numpy array, num_classes square")
    absent = ~np.isin(np.arange(num_classes), targets)
    if normalize and result.dtype.kind == "f":
        result = result.copy()
        result[absent & np.isnan(result).all(axis=1)] = 0
    return checks.check_array(result, finite=True, name="confusion matrix",
                              hint=HINT + "; only a class that never occurs may get NaNs")


def judge_matrix(predictions, targets, num_classes: int, normalize: bool) -> np.ndarray:
    counts = np.zeros((num_classes, num_classes))
    np.add.at(counts, (targets, predictions), 1)
    if not normalize:
        return counts
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def check_random_case(submission, case, *, normalize: bool, name: str) -> None:
    predictions, targets = case
    checks.check_close(matrix(submission, predictions, targets, 15, normalize),
                       judge_matrix(predictions, targets, 15, normalize), rtol=0, atol=1e-9,
                       name=name, hint=HINT)


@pytest.fixture
def random_case(np_rng):
    """500 labels of 15 classes, class 7 never a target and class 3 once, predictions right
    60% of the time."""
    targets = np_rng.integers(0, 13, size=500)
    targets = targets + (targets >= 3) + (targets >= 6)  # neither 3 nor 7 occurs as a target
    targets[np_rng.integers(500)] = 3
    guesses = np_rng.integers(0, 15, size=500)
    return np.where(np_rng.random(500) < 0.6, targets, guesses), targets


@pytest.mark.weight(2)
@pytest.mark.number("6.1")
def test_course_case(submission):
    """A 12-sample, 3-class case: rows are true classes, each row sums to 1"""
    checks.check_close(matrix(submission, PREDICTIONS, TARGETS, 3, True), NORMALIZED, rtol=0,
                       atol=1e-2, name="normalized confusion matrix", hint=HINT)


@pytest.mark.weight(2)
@pytest.mark.number("6.2")
def test_counts(submission, random_case):
    """Without normalizing: entry [i, j] counts true class i predicted as j"""
    check_random_case(submission, random_case, normalize=False, name="confusion matrix counts")


@pytest.mark.weight(2)
@pytest.mark.number("6.3")
def test_normalized(submission, random_case):
    """Normalized: each row holds fractions (a class seen once, a single 1); a class never seen, 0s"""
    check_random_case(submission, random_case, normalize=True, name="normalized confusion matrix")

"""The checks library: right answers pass, wrong ones fail with a useful message."""

import math

import numpy as np
import pytest
import torch

from grader.toolkit import checks
from grader.toolkit.checks import CheckFailed


def test_check_tensor_accepts_a_matching_plain_tensor():
    checks.check_tensor(torch.zeros(2, 3), shape=(2, 3), dtype=torch.float32)


@pytest.mark.parametrize("value, kwargs, words", [
    (np.zeros((2, 3)), {}, "expected Tensor, got a ndarray of shape (2, 3)"),
    (torch.zeros(2).as_subclass(type("Sub", (torch.Tensor,), {})), {}, "expected Tensor"),
    (torch.zeros(3, 2), {"shape": (2, 3)}, "output shape: expected (2, 3), got (3, 2)"),
    (torch.zeros(2, dtype=torch.float64), {"dtype": torch.float32}, "expected torch.float32"),
    (torch.tensor([1.0, math.nan]), {}, "1 NaN/inf values (first at index (1,): nan)"),
])
def test_check_tensor_failures_say_what_and_where(value, kwargs, words):
    with pytest.raises(CheckFailed) as info:
        checks.check_tensor(value, **kwargs)
    assert words in str(info.value)


def test_check_array():
    checks.check_array(np.ones(3, dtype=np.float32), shape=(3,), dtype=np.float32)
    with pytest.raises(CheckFailed, match="dtype: expected float64, got float32"):
        checks.check_array(np.ones(3, dtype=np.float32), dtype=np.float64)
    with pytest.raises(CheckFailed, match="expected ndarray"):
        checks.check_array([1, 2, 3])


def test_check_close_reports_the_worst_element():
    expected = torch.zeros(3, 4)
    actual = expected.clone()
    actual[2, 1] = 0.5
    actual[0, 0] = 1e-7
    checks.check_close(expected + 1e-7, expected, rtol=0, atol=1e-6)
    with pytest.raises(CheckFailed) as info:
        checks.check_close(actual, expected, rtol=1e-5, atol=1e-6, name="logits")
    message = str(info.value)
    assert "logits differs from the expected values in 1 of 12 elements" in message
    assert "at index (2, 1): got 0.5, expected 0" in message
    assert "atol=1e-06, rtol=1e-05" in message


def test_check_close_treats_nan_and_shape_as_failures():
    with pytest.raises(CheckFailed, match="1 of 2"):
        checks.check_close(torch.tensor([0.0, math.nan]), torch.zeros(2), rtol=0, atol=1)
    with pytest.raises(CheckFailed, match="shape"):
        checks.check_close(torch.zeros(2), torch.zeros(3), rtol=0, atol=1)


def test_check_scalar_and_equal_use_exact_types():
    assert checks.check_scalar(torch.tensor(0.5), 0.5, rtol=0, atol=1e-9) == 0.5
    with pytest.raises(CheckFailed, match="expected 0.5"):
        checks.check_scalar(0.6, 0.5, rtol=0, atol=0.01)
    with pytest.raises(CheckFailed, match="expected float or int, got str"):
        checks.check_scalar("0.5", 0.5, rtol=0, atol=1)
    with pytest.raises(CheckFailed, match="expected int 1, got bool True"):
        checks.check_equal(True, 1)
    with pytest.raises(CheckFailed, match="Hint: count the bias"):
        checks.check_equal(7840, 7850, name="parameters", hint="count the bias")


def test_an_accuracy_computed_in_float32_matches_and_one_sample_off_does_not():
    """(pred == y).float().mean().item() is the judge's fraction rounded to float32."""
    pred, labels = torch.zeros(100, dtype=torch.int64), torch.arange(100) % 25
    in_float32 = (pred == labels).float().mean().item()  # 0.03999999910593033
    checks.check_loss_and_accuracy((1.0, in_float32), 1.0, 4 / 100, "evaluate")
    checks.check_loss_and_accuracy((1.0, torch.tensor(0.5)), 1.0, 0.5, "evaluate")  # 0-d
    with pytest.raises(CheckFailed, match=r"accuracy: expected 0.4 .* got 0.399999"):
        checks.check_loss_and_accuracy((1.0, 399_999 / 1_000_000), 1.0, 0.4, "evaluate")


def test_a_scalar_failure_prints_enough_digits_to_show_the_difference():
    with pytest.raises(CheckFailed, match=r"expected 0.12 \(within .*\), got 0.1200001\."):
        checks.check_scalar(0.1200001, 0.12, rtol=0, atol=1e-9)

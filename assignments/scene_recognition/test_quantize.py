"""quantize and dequantize: exact integers against the judge's own computation of the rule.

Cases include one-signed, constant and all-zero tensors, and a bfloat16
tensor whose rounding reaches past the integer range, where only the clamp
keeps the result in [0, 2**num_bits - 1].
"""

import pytest
import torch

from grader.toolkit import checks

HINT = ("low = min(x.min(), 0), high = max(x.max(), 0), scale = (high - low) / (2**num_bits - 1) "
        "(1.0 if that is 0), zero_point = round(-low / scale); q = clamp(round(x / scale) + "
        "zero_point, 0, 2**num_bits - 1), computed in the tensor's own dtype")


def judge_quantize(x: torch.Tensor, num_bits: int) -> tuple[torch.Tensor, float, int]:
    qmax = 2**num_bits - 1
    low, high = min(x.min().item(), 0.0), max(x.max().item(), 0.0)
    scale = (high - low) / qmax or 1.0
    zero_point = round(-low / scale)
    return torch.clamp(torch.round(x / scale) + zero_point, 0, qmax).long(), scale, zero_point


def reaches_past_the_range(x: torch.Tensor) -> bool:
    _, scale, zero_point = judge_quantize(x, 8)
    raw = torch.round(x / scale) + zero_point
    return bool(raw.max() > 255 or raw.min() < 0)


def case(name: str, rng: torch.Generator) -> tuple[torch.Tensor, int]:
    """(tensor, num_bits) of one case, fresh from the test's generator."""
    x = torch.randn(6, 7, generator=rng)
    if name == "extreme":
        return next(c for c in (torch.randn(50, generator=rng).mul(3).bfloat16()
                                for _ in range(500)) if reaches_past_the_range(c)), 8
    return {"random": (x, 8), "4-bit": (x, 4), "positive": (x.abs() + 0.5, 8),
            "negative": (-x.abs(), 8), "constant": (torch.full((3, 4), float(x[0, 0])), 8),
            "zeros": (torch.zeros(5), 8)}[name]


@pytest.mark.weight(7, split=True)
@pytest.mark.number("9.1")
@pytest.mark.parametrize("name", ["random", "4-bit", "positive", "negative", "constant", "zeros",
                                  "extreme"])
def test_quantize(submission, rng, name):
    """quantize: integers, scale and zero point of the affine rule"""
    x, num_bits = case(name, rng)
    result = submission.quantization.quantize(x, num_bits=num_bits)
    checks.check_type(result, tuple, name="quantize's return value",
                      hint="return (q, scale, zero_point)")
    q, scale, zero_point = result
    expected_q, expected_scale, expected_zero_point = judge_quantize(x, num_bits)
    checks.check_scalar(scale, expected_scale, rtol=1e-9, atol=0, name="scale", hint=HINT)
    checks.check_equal(zero_point, expected_zero_point, name="zero_point",
                       hint="a Python int: " + HINT)
    checks.check_tensor(q, shape=tuple(x.shape), dtype=torch.int64, name="q")
    checks.check_close(q, expected_q, rtol=0, atol=0, name=f"q of the {name} case", hint=HINT)


@pytest.mark.weight(1)
@pytest.mark.number("9.2")
def test_dequantize(submission, rng):
    """dequantize: (q - zero_point) * scale, as float32"""
    q = torch.randint(0, 256, (4, 9), generator=rng)
    scale = float(torch.rand(1, generator=rng)) / 50 + 1e-3
    zero_point = int(torch.randint(0, 256, (1,), generator=rng))
    out = checks.check_tensor(submission.quantization.dequantize(q, scale, zero_point),
                              shape=(4, 9), dtype=torch.float32, name="dequantized tensor")
    checks.check_close(out, (q.float() - zero_point) * scale, rtol=1e-6, atol=1e-7,
                       name="dequantized values", hint="(q - zero_point) * scale, float32")

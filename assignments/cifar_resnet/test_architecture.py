"""Hidden: each SimpleNN variant computes exactly the specified function.

The judge copies your weights into its own SimpleNN (canonical.py; nn.SiLU
stands in for your Swish) and compares outputs on fresh inputs.
"""

import pytest
import torch

from grader.toolkit import checks


@pytest.mark.weight(3, split=True)  # 1 point a variant: exact in results.json
@pytest.mark.number("1.4")
def test_forward_matches_specification(build, simple_twin, images, model_id):
    """Model computes the specified function (the judge's model with your weights)"""
    model = build(model_id).eval()
    judge = simple_twin(model_id, model)
    x = images(6)
    with torch.no_grad():
        expected = judge(x)
    checks.check_close(model(x), expected, rtol=1e-4, atol=1e-5, name=f"{model_id} output",
                       hint="check the order of layers, every activation, and the flatten")

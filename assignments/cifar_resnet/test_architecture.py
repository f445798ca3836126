"""Hidden: each SimpleNN variant computes exactly the specified function.

The judge draws weights into its own SimpleNN (canonical.py; nn.SiLU stands in
for your Swish) and into yours, and compares outputs on fresh inputs.
"""

import pytest

from grader.kit.forward import check_spec_forward


@pytest.mark.weight(3, split=True)  # 1 point a variant: exact in results.json
@pytest.mark.number("1.4")
def test_forward_matches_specification(build, simple_twin, images, model_id):
    """Model computes the specified function (with weights the judge draws, in both models)"""
    model = build(model_id)
    check_spec_forward(model, simple_twin(model_id, model), images(6), name=model_id,
                       hint="check the order of layers, every activation, and the flatten")

"""Hidden: each model computes exactly the specified function, at the specified cost."""

import pytest

from grader.kit.forward import check_spec_forward
from grader.toolkit import checks

pytestmark = pytest.mark.visibility("after_due_date")

MACS = {"LogisticRegression": 7_840, "SimpleFC": 566_528, "SimpleCNN": 3_869_824,
        "SimpleCNN(batch_norm=True)": 3_894_912}


@pytest.mark.weight(8, split=True)
@pytest.mark.number("2.1")
def test_macs(build, structure, model_id):
    """Model's multiply-accumulates per image match the architecture"""
    macs = structure(build(model_id)).macs((1, 1, 28, 28))
    checks.check_equal(macs, MACS[model_id], name=f"{model_id} MACs per image",
                       hint="check kernel sizes, padding and where the pooling happens")


@pytest.mark.weight(12, split=True)
@pytest.mark.number("2.2")
def test_forward_matches_specification(build, judge_twin, images, model_id):
    """Model computes the specified function (with weights the judge draws, in both models)"""
    model = build(model_id)
    check_spec_forward(model, judge_twin(model_id, model), images(6), name=model_id,
                       hint="check the order of layers, every ReLU, and the flatten; the "
                            "forward must compute with the weights in your model's state_dict")

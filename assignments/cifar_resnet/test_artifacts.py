"""Hidden: the files you trained for, graded against test labels only the grader holds.

- predictions.csv: your labels for the images in test_images.safetensors.
- resnet20.safetensors: your trained ResNet-20's weights, loaded into the grader's
  own ResNet-20 (never unpickled), which predicts the test images itself.
"""

import pytest

from grader.toolkit import artifacts
from grader.toolkit.datasets import get_dataset
from grader.toolkit.training import predict

TEST_SET = "cifar10-standin-test"


def graded(accuracy: float, threshold: float, what: str, record_property) -> None:
    record_property("accuracy", accuracy)  # for the TA's batch report
    record_property("threshold", threshold)
    assert accuracy >= threshold, (
        f"{what} reached {accuracy:.2%} accuracy on the test images; at least "
        f"{threshold:.0%} is needed.")


@pytest.mark.weight(10)
@pytest.mark.number("6.1")
def test_predictions_csv(submitted, assignment, record_property):
    """predictions.csv reaches the accuracy threshold on the hidden test labels"""
    test = get_dataset(TEST_SET, "heldout")
    artifact = assignment.settings.artifacts["predictions"]
    labels = artifacts.read_predictions(submitted("predictions"), len(test),
                                        num_classes=10, name=artifact.file,
                                        max_bytes=artifact.max_kb * 1024)
    accuracy = (labels == test.labels).float().mean().item()
    graded(accuracy, artifact.threshold,
           "Your predictions.csv", record_property)


@pytest.mark.weight(10)
@pytest.mark.number("6.2")
def test_resnet20_checkpoint(submitted, assignment, canonical, record_property):
    """resnet20.safetensors, in the grader's own ResNet-20, reaches the accuracy threshold"""
    artifact = assignment.settings.artifacts["checkpoint"]
    state = artifacts.load_checkpoint(submitted("checkpoint"), max_bytes=artifact.max_kb * 1024)
    model = canonical.resnet20_from_state(state)
    test = get_dataset(TEST_SET, "heldout")
    predictions = predict(model, test.images, mean=test.mean, std=test.std)
    accuracy = (predictions == test.labels).float().mean().item()
    graded(accuracy, artifact.threshold,
           f"Your {artifact.file} in the grader's ResNet-20", record_property)

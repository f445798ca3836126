"""Hidden: the files you trained for, graded against test labels only the grader holds.

- predictions.csv: your labels for the images in test_images.safetensors.
- resnet20.safetensors: your trained ResNet-20's weights, loaded into the grader's
  own ResNet-20 (never unpickled), which predicts the test images itself.
"""

import pytest

from grader.toolkit import artifacts, secret
from grader.toolkit.datasets import get_dataset
from grader.toolkit.training import predict

TEST_SET = "cifar10-standin-test"


def graded(accuracy: float, artifact, what: str, record_property) -> None:
    record_property("accuracy", accuracy)  # for the TA's batch report, never shown to students
    record_property("threshold", artifact.threshold)
    assert accuracy >= artifact.threshold, (
        f"{what} reached {secret.told(accuracy, artifact.resolution)} accuracy on the test "
        f"images; at least {artifact.threshold:.0%} is needed.")


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
    graded(accuracy, artifact, "Your predictions.csv", record_property)


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
    graded(accuracy, artifact, f"Your {artifact.file} in the grader's ResNet-20",
           record_property)

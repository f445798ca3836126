"""Wrong submissions of mnist_nets lose exactly the points of their mistake.

Each case is the reference solution with one realistic mistake patched in.
Graded without the training tests (they are covered by the accuracy cases below).
"""

import pytest

# name -> (file, reference text, wrong text, numbers of the tests that must fail)
MISTAKES = {
    "SimpleFC without ReLU": (
        "models.py", "nn.Linear(256, 128), nn.ReLU(), nn.Dropout(dropout)",
        "nn.Linear(256, 128), nn.Dropout(dropout)", {"1.3", "2.2.2"}),
    "SimpleCNN flattens to the wrong size": (
        "models.py", "self.fc = nn.Linear(64 * 7 * 7, 10)", "self.fc = nn.Linear(64 * 7, 10)",
        # Structure is read from what the forward calls: a forward that crashes has none.
        {"1.1.3", "1.1.4", "1.2.3", "1.2.4", "1.4", "1.6", "2.1.3", "2.1.4", "2.2.3", "2.2.4",
         "7.1"}),
    "dropout stays on in eval mode": (
        "models.py", "return self.fc_layers(x.flatten(1))",
        "return self.fc_layers.train()(x.flatten(1))", {"1.5"}),
    "transform without normalization": (
        "data.py", "    if normalize:\n", "    if False:\n", {"3.1.2", "3.2.2"}),
    "evaluate averages batch means": (
        "train.py", 'criterion = nn.CrossEntropyLoss(reduction="sum")',
        "criterion = nn.CrossEntropyLoss()", {"4.3"}),
    "train loop without zero_grad": (
        "train.py", "        optimizer.zero_grad()\n", "", {"4.1"}),
    "SimpleCNN with too many parameters": (
        "models.py", "self.fc = nn.Linear(64 * 7 * 7, 10)",
        "self.fc = nn.Sequential(nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))",
        {"1.2.3", "1.2.4", "1.4", "2.1.3", "2.1.4", "2.2.3", "2.2.4", "7.1"}),
    "model size in MB, not MiB": (
        "metrics.py", "/ 2**20\n    # END SOLUTION\n\n\ndef saved",
        "/ 1e6\n    # END SOLUTION\n\n\ndef saved", {"5.2"}),
    "count_macs profiles the model itself": (
        "metrics.py", "clone = copy.deepcopy(model).eval()", "clone = model.eval()", {"5.4"}),
    "inference time in seconds": (
        "metrics.py", "(time.perf_counter() - start) * 1000 / len(images)",
        "(time.perf_counter() - start) / len(images)", {"5.5"}),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_mistake_loses_exactly_its_points(mistake, wrong_submissions):
    file, old, new, expected = MISTAKES[mistake]
    graded = wrong_submissions.grade("mnist_nets",
                                     wrong_submissions.make("mnist_nets", file, old, new),
                                     "-m", "not training")
    assert graded.failed == expected
    assert graded.lost == pytest.approx(graded.worth(expected)) and graded.lost > 0


@pytest.mark.slow
def test_logits_squashed_by_softmax_miss_the_accuracy_threshold(wrong_submissions):
    submission = wrong_submissions.make("mnist_nets", "models.py",
                                        "return self.fc(self.conv_layers(x).flatten(1))",
                                        "return self.fc(self.conv_layers(x).flatten(1)).softmax(1)")
    graded = wrong_submissions.grade("mnist_nets", submission, "-k", "test_accuracy and SimpleCNN")
    assert graded.failed == {"6.1.3"}
    assert "threshold" in graded.document["tests"][0]["output"]

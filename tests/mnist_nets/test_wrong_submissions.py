"""Wrong submissions of mnist_nets lose exactly the points of their mistake.

Each case is the reference solution with one realistic mistake patched in.
Graded without the training tests (they are covered by the accuracy cases below).
"""

import shutil

import pytest

from grader.judge import config, runner

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


def mutate(root, tmp_path, file, old, new):
    target = tmp_path / "submission"
    shutil.copytree(root / "solutions/mnist_nets", target)
    source = (target / file).read_text()
    assert source.count(old) == 1, f"the reference no longer contains {old!r}"
    (target / file).write_text(source.replace(old, new))
    return target


def grade(root, submission, tmp_path, *selection):
    doc = runner.grade(config.load(root / "assignments/mnist_nets"), submission,
                       tmp_path / "results.json", sandbox=False, extra_args=selection)
    failed = {t["number"] for t in doc["tests"] if t["status"] == "failed"}
    lost = sum(t["max_score"] - t["score"] for t in doc["tests"])
    return doc, failed, lost


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_mistake_loses_exactly_its_points(mistake, tmp_path, request, valid_results):
    file, old, new, expected = MISTAKES[mistake]
    root = request.config.rootpath
    doc, failed, lost = grade(root, mutate(root, tmp_path, file, old, new), tmp_path,
                              "-m", "not training")
    valid_results(doc)
    assert failed == expected
    worth = sum(t["max_score"] for t in doc["tests"] if t["number"] in expected)
    assert lost == pytest.approx(worth) and worth > 0


@pytest.mark.slow
def test_logits_squashed_by_softmax_miss_the_accuracy_threshold(tmp_path, request):
    root = request.config.rootpath
    submission = mutate(root, tmp_path, "models.py",
                        "return self.fc(self.conv_layers(x).flatten(1))",
                        "return self.fc(self.conv_layers(x).flatten(1)).softmax(1)")
    doc, failed, _ = grade(root, submission, tmp_path, "-k", "test_accuracy and SimpleCNN")
    assert failed == {"6.1.3"}
    assert "threshold" in doc["tests"][0]["output"]

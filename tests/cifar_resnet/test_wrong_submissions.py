"""Wrong submissions of cifar_resnet lose exactly the points of their mistake.

Each case is the reference solution with one realistic mistake patched into a
module or into one of its graded files. To stay quick, a case is graded on the
test files its mistake can reach (in-process); within them, exactly the listed
tests must fail, and the points lost must be exactly theirs.
"""

import csv
import io
import shutil

import pytest
import torch
from safetensors.torch import load_file

from grader.assignment import loading
from grader.judge import runner

RESNET = "(test_resnet or test_timing) and not checkpoint"
SIMPLE = "test_models or test_architecture"
RESNET20_INIT = """        self.layer1 = make_stage(16, 16, 1, shortcut)
        self.layer2 = make_stage(16, 32, 2, shortcut)
        self.layer3 = make_stage(32, 64, 2, shortcut)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)
"""
RESNET18_INIT = """        self.layer1 = make_stage(16, 64, 1, shortcut, blocks=2)
        self.layer2 = make_stage(64, 128, 2, shortcut, blocks=2)
        self.layer3 = nn.Sequential(make_stage(128, 256, 2, shortcut, blocks=2),
                                    make_stage(256, 512, 2, shortcut, blocks=2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, 10)
"""

# name -> (file, reference text, wrong text, selection (-k), numbers of the tests that must fail)
MISTAKES = {
    "a ResNet-18 layout": (
        "models.py", RESNET20_INIT, RESNET18_INIT, RESNET,
        {"2.2.1", "2.2.2", "2.3", "2.4.1", "2.4.2", "8.1"}),
    "blocks without the skip connection": (
        "models.py", "return self.relu(out + self.shortcut(x))", "return self.relu(out)", RESNET,
        {"2.4.1", "2.4.2", "8.1"}),
    "a shortcut that does not downsample": (
        "models.py", "        x = x[:, :, ::self.stride, ::self.stride]\n", "", RESNET,
        {"2.1.1", "2.2.1", "2.3", "2.4.1", "2.5", "8.1"}),
    "blocks whose convolutions never downsample": (
        "models.py",
        "out_channels, 3, stride=stride, padding=1, bias=False)",
        "out_channels, 3, padding=1, bias=False)", RESNET,
        {"2.1.1", "2.1.2", "2.2.1", "2.2.2", "2.3", "2.4.1", "2.4.2", "8.1"}),
    "batch norm after the ReLU": (
        "models.py", "*norm,\n                    make_activation(activation), nn.MaxPool2d(2)]",
        "\n                    make_activation(activation), *norm, nn.MaxPool2d(2)]", SIMPLE,
        {"1.3", "1.4.2"}),
    "Swish as x * tanh(x)": (
        "models.py", "return x * torch.sigmoid(x)", "return x * torch.tanh(x)", SIMPLE,
        {"1.4.3", "1.5", "1.6"}),
    "the flip applied to test images": (
        "data.py", "    return transforms.Compose([\n        transforms.ToTensor(),",
        ("    return transforms.Compose([\n        transforms.RandomHorizontalFlip(),\n"
        "        transforms.ToTensor(),"), "test_data", {"3.1.2", "3.3"}),
    "a crop without padding": (
        "data.py", "transforms.RandomCrop(32, padding=4)", "transforms.RandomCrop(32)",
        "test_data", {"3.2"}),
    "weight decay applied twice": (
        "train.py", "        loss = criterion(logits, labels)\n",
        ("        decay = optimizer.param_groups[0][\"weight_decay\"]\n"
        "        loss = criterion(logits, labels) + decay / 2 * sum(\n"
        "            p.pow(2).sum() for p in model.parameters())\n"), "test_train", {"4.3"}),
    "the scheduler stepped per batch": (
        "train.py", "\n    if scheduler is not None:\n        scheduler.step()",
        "\n        if scheduler is not None:\n            scheduler.step()",
        "test_train", {"4.4"}),
    "step decay every epoch": (
        "train.py", "StepLR(optimizer, step_size=step_size, gamma=gamma)",
        "StepLR(optimizer, step_size=1, gamma=gamma)", "test_train", {"4.2"}),
    "prediction ids counted from 1": (
        "predict.py", "enumerate(labels.tolist())", "enumerate(labels.tolist(), start=1)",
        "test_predict", {"5.1"}),
}


def edit_predictions(rows: list[list[str]], mistake: str) -> list[list[str]]:
    header, body = rows[0], rows[1:]
    if mistake == "off by one row":  # the last image's row is lost
        return [header, *body[:-1]]
    order = torch.randperm(len(body), generator=torch.Generator().manual_seed(0)).tolist()
    return [header, *([row[0], body[i][1]] for row, i in zip(body, order, strict=True))]


def copy_reference(root, tmp_path):
    target = tmp_path / "submission"
    shutil.copytree(root / "solutions/cifar_resnet", target)
    return target


def mutate(root, tmp_path, file, old, new):
    target = copy_reference(root, tmp_path)
    source = (target / file).read_text()
    assert source.count(old) == 1, f"the reference no longer contains {old!r}"
    (target / file).write_text(source.replace(old, new))
    return target


def load(root):
    return loading.load(root / "assignments/cifar_resnet")


def grade(root, submission, tmp_path, selection):
    doc = runner.grade(load(root), submission,
                       tmp_path / "results.json", sandbox=False,
                       extra_args=("-m", "not training", "-k", selection))
    failed = {t["number"] for t in doc["tests"] if t["status"] == "failed"}
    lost = sum(t["max_score"] - t["score"] for t in doc["tests"])
    return doc, failed, lost


def assert_loses_exactly(doc, failed, lost, expected):
    assert failed == expected, {t["number"]: t["output"][:300] for t in doc["tests"]
                                if t["status"] == "failed"}
    worth = sum(t["max_score"] for t in doc["tests"] if t["number"] in expected)
    assert lost == pytest.approx(worth) and worth > 0


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_mistake_loses_exactly_its_points(mistake, tmp_path, request, valid_results):
    file, old, new, selection, expected = MISTAKES[mistake]
    root = request.config.rootpath
    doc, failed, lost = grade(root, mutate(root, tmp_path, file, old, new), tmp_path, selection)
    valid_results(doc)
    assert_loses_exactly(doc, failed, lost, expected)


@pytest.mark.parametrize("mistake", ["off by one row", "shuffled"])
def test_wrong_predictions_file_loses_its_test(mistake, tmp_path, request):
    root = request.config.rootpath
    submission = copy_reference(root, tmp_path)
    path = submission / "predictions.csv"
    rows = list(csv.reader(io.StringIO(path.read_text())))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(edit_predictions(rows, mistake))
    path.write_text(buffer.getvalue())
    doc, failed, lost = grade(root, submission, tmp_path, "test_predictions_csv")
    assert_loses_exactly(doc, failed, lost, {"6.1"})
    words = "rows after the header" if mistake == "off by one row" else "accuracy"
    assert words in doc["tests"][0]["output"]


def test_pickled_checkpoint_is_refused_with_the_conversion(tmp_path, request):
    root = request.config.rootpath
    submission = copy_reference(root, tmp_path)
    checkpoint = submission / "resnet20.safetensors"
    torch.save(load_file(checkpoint), submission / "resnet20.pt")
    checkpoint.unlink()
    doc, failed, lost = grade(root, submission, tmp_path, "test_resnet20_checkpoint")
    assert_loses_exactly(doc, failed, lost, {"6.2"})
    output = doc["tests"][0]["output"]
    assert "resnet20.pt is a pickle" in output and "save_file(" in output


def test_missing_files_say_how_to_make_them(tmp_path, request):
    root = request.config.rootpath
    submission = copy_reference(root, tmp_path)
    (submission / "predictions.csv").unlink()
    (submission / "resnet20.safetensors").unlink()
    doc, failed, _ = grade(root, submission, tmp_path, "test_artifacts")
    assert failed == {"6.1", "6.2"}
    outputs = {t["number"]: t["output"] for t in doc["tests"]}
    assert "no predictions.csv" in outputs["6.1"] and "test_images.safetensors" in outputs["6.1"]
    assert "no resnet20.safetensors" in outputs["6.2"] and "save_file" in outputs["6.2"]


@pytest.mark.slow
def test_simple_nn_without_activations_misses_the_accuracy_threshold(tmp_path, request):
    root = request.config.rootpath
    submission = mutate(root, tmp_path, "models.py", "        return nn.ReLU()\n",
                        "        return nn.Identity()\n")
    doc = runner.grade(load(root), submission, tmp_path / "results.json", sandbox=False,
                       extra_args=("-k", "test_accuracy"))
    assert {t["number"] for t in doc["tests"] if t["status"] == "failed"} == {"7.1.1"}
    assert "threshold" in doc["tests"][0]["output"]

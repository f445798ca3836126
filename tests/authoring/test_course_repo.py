"""A course repository outside the framework's tree, with its own dataset and helper.

It goes through what a TA does: calibrate (with a negative control that must
fail), template, build (which runs the selftest), then grades the reference
and the skeleton with the autograder zip in a Gradescope layout, and prepares
its dataset the way setup.sh does; the framework's files stay untouched.
"""

import textwrap
import zipfile
from pathlib import Path

from course import grade_in_layout, run_script

from grader import cli
from grader.assignment import PACKAGE_ROOT
from grader.authoring.skeleton import transform_tree

NAME = "stripes"

DATASETS = '''
"""Stripes: 1 x 8 x 8 images, bright on the left (class 0) or on the right (class 1)."""

import torch

from grader.toolkit.datasets import ImageDataset

SIZES = {"train": 256, "heldout": 128}


def load_stripes(split, data_root, download):
    """Stripes: left or right half bright, with noise (256 train / 128 held-out)."""
    g = torch.Generator().manual_seed(len(split))
    labels = torch.randint(2, (SIZES[split],), generator=g)
    images = torch.rand(SIZES[split], 1, 8, 8, generator=g) * 0.4
    images[labels == 0, :, :, :4] += 0.6
    images[labels == 1, :, :, 4:] += 0.6
    return ImageDataset((images * 255).to(torch.uint8), labels, (0.5,), (0.3,), "stripes")


DATASETS = {"stripes": load_stripes}
'''

HELPERS = '''
"""Worker-side helpers of stripes: they run next to the student's model."""

import torch

from grader.toolkit.training import Recipe, train


def parameter_total(model):
    return sum(p.numel() for p in model.parameters())


def seed_torch(seed):
    torch.manual_seed(seed)


def fit_and_predict(model, recipe, images, labels, eval_images, *, mean, std, seed):
    result = train(model, recipe=Recipe.from_dict(recipe), train_images=images,
                   train_labels=labels, eval_images=eval_images, mean=mean, std=std,
                   seed=seed, progress=False)
    return result.predictions
'''

CONTROLS = '''
"""Negative controls: wrong models the accuracy threshold must fail."""

from torch import nn


class Blind(nn.Module):
    """Sees only the mean brightness, the same for both classes."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(1, 2)

    def forward(self, x):
        return self.fc(x.mean(dim=(1, 2, 3)).unsqueeze(1))
'''

CONFIG = f'''
[assignment]
name = "{NAME}"
seed = 5
requirements = ["scikit-learn==1.7.2"]

[submission]
files = ["models.py"]

[template]
public_tests = ["conftest.py", "test_public.py"]

[extensions]
datasets = "datasets.py"
helpers = "helpers.py"

[training]
dataset = "stripes"
optimizer = "sgd"
lr = 0.1
batch_size = 32
steps = 40

[calibration]
models = ["models.Net"]
controls = ["controls.Blind"]
margin = 0.05
'''

CONFTEST = '''
import pytest

from grader.toolkit.datasets import get_dataset


@pytest.fixture
def splits(assignment):
    name = assignment.settings.training.dataset
    return get_dataset(name, "train"), get_dataset(name, "heldout")
'''

PUBLIC = '''
import pytest

from grader.toolkit import checks


@pytest.mark.weight(1)
@pytest.mark.number("1.1")
def test_net_is_one_linear_layer(submission):
    """Net maps 64 pixels to 2 logits: 130 parameters"""
    total = submission.helpers.parameter_total(submission.models.Net())
    checks.check_equal(total, 130, name="Net's parameter count")
'''

HIDDEN = '''
import pytest
import torch

from grader.toolkit import checks


@pytest.mark.weight(2)
@pytest.mark.number("2.1")
@pytest.mark.visibility("hidden")
def test_net_learns_the_stripes(submission, assignment, splits, device):
    """Net reaches the calibrated accuracy on held-out stripes"""
    train, heldout = splits
    submission.helpers.seed_torch(0)
    predictions = submission.helpers.fit_and_predict(
        submission.models.Net(), assignment.recipe("Net").to_dict(), train.images,
        train.labels, heldout.images, mean=train.mean, std=train.std, seed=0)
    predictions = checks.check_tensor(predictions, shape=(len(heldout),), dtype=torch.int64)
    accuracy = (predictions == heldout.labels).double().mean().item()
    threshold = assignment.settings.thresholds[device.type]["Net"]
    assert accuracy >= threshold, f"accuracy {accuracy:.2%} is below {threshold:.2%}"
'''

SOLUTION = '''
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        # BEGIN SOLUTION
        # TODO: one linear layer from the 64 pixels to 2 logits, called self.fc
        self.fc = nn.Linear(64, 2)
        # END SOLUTION

    def forward(self, x):
        # BEGIN SOLUTION
        return self.fc(x.flatten(1))
        # END SOLUTION
'''

WRONG = '''
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 2)

    def forward(self, x):
        return self.fc(x.flatten(1).mean(1, keepdim=True).expand(-1, 64))
'''


def course_repository(root: Path) -> Path:
    files = {
        f"assignments/{NAME}/assignment.toml": CONFIG,
        f"assignments/{NAME}/datasets.py": DATASETS,
        f"assignments/{NAME}/helpers.py": HELPERS,
        f"assignments/{NAME}/controls.py": CONTROLS,
        f"assignments/{NAME}/conftest.py": CONFTEST,
        f"assignments/{NAME}/test_public.py": PUBLIC,
        f"assignments/{NAME}/test_hidden.py": HIDDEN,
        f"assignments/{NAME}/test_submissions/averages/models.py": WRONG,
        f"assignments/{NAME}/test_submissions/averages/expected.toml": 'failed = ["2.1"]\n',
        f"solutions/{NAME}/models.py": SOLUTION,
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(textwrap.dedent(text).lstrip())
    return root


def test_a_course_repository_with_its_own_dataset_and_helpers(tmp_path, capsys, valid_results):
    root = course_repository(tmp_path / "course")
    project = ["--project", str(root)]

    assert cli.main(["list", "--datasets", *project]) == 0
    listed = capsys.readouterr().out
    assert ("stripes                  Stripes: left or right half bright, with noise (256 train "
            f"/ 128 held-out). (from {root}/assignments/{NAME}/datasets.py)") in listed

    # The control must land below the threshold on every seed, or nothing is written.
    assert cli.main(["calibrate", NAME, "--seeds", "20", *project]) == 0
    calibrated = capsys.readouterr().out
    assert "Blind                    seed 5      accuracy 0." in calibrated
    config = (root / f"assignments/{NAME}/assignment.toml").read_text()
    assert "[thresholds.cpu]\nNet = 0.9" in config and "control_max = 0." in config

    assert cli.main(["template", *project]) == 0
    handout = root / "student_template" / NAME
    assert (handout / "helpers.py").is_file()  # public tests call its helpers
    assert not (handout / "datasets.py").exists() and not (handout / "controls.py").exists()
    public_config = (handout / "assignment.toml").read_text()
    assert '[extensions]\nhelpers = "helpers.py"\n' in public_config
    assert "datasets.py" not in public_config and "controls" not in public_config
    assert "scikit-learn==1.7.2" in (handout / "requirements.txt").read_text()

    # From here on, grading is sandboxed (build's selftest, run_autograder): the tests call the
    # assignment's own helpers, which the sandboxed worker loads from [extensions] helpers.
    dist = tmp_path / "dist"
    assert cli.main(["build", NAME, "-o", str(dist), *project]) == 0
    built = capsys.readouterr().out
    assert f"selftest {NAME}: reference: 3/3, ok" in built
    assert f"selftest {NAME}: skeleton: 0/3, ok" in built
    assert f"selftest {NAME}: test_submissions/averages: 1/3, ok" in built

    autograder = dist / f"{NAME}-autograder.zip"
    with zipfile.ZipFile(autograder) as z:
        names = set(z.namelist())
        assert "scikit-learn==1.7.2" in z.read("requirements.txt").decode()
    assert {f"assignments/{NAME}/datasets.py", f"assignments/{NAME}/helpers.py",
            "grader/judge/plugin.py", f"solutions/{NAME}/models.py"} <= names
    with zipfile.ZipFile(dist / f"{NAME}-student.zip") as z:
        student = set(z.namelist())
    assert f"{NAME}/helpers.py" in student and f"{NAME}/datasets.py" not in student
    assert not [name for name in student if "/embedded/" in name]  # no MNIST labels

    reference = grade_in_layout(tmp_path / "reference", autograder,
                                root / "solutions" / NAME, valid_results)
    assert reference["score"] == 3 and len(reference["tests"]) == 2, reference
    transform_tree(root / "solutions" / NAME, tmp_path / "skeleton")
    zero = grade_in_layout(tmp_path / "zero", autograder, tmp_path / "skeleton", valid_results)
    assert zero["score"] == 0 and len(zero["tests"]) == 2

    setup = run_script(tmp_path / "reference" / "autograder",
                       tmp_path / "reference" / "autograder" / "source" / "setup.sh",
                       GRADER_SETUP_STEPS="datasets")
    assert setup.returncode == 0, setup.stderr[-3000:]
    assert "stripes/heldout: 128 images from stripes" in setup.stdout

    for folder in ("assignments", "solutions", "student_template"):
        assert not (PACKAGE_ROOT / folder / NAME).exists()

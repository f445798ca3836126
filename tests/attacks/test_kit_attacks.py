"""The kit's checks of scene_recognition and cifar_resnet trust no claim: a cheat scores what
its honest twin scores.

Each case is a wrong submission (a reference with mistakes in one module) and the same
submission with a cheat appended to that module that claims what the mistakes do not do:
classes that do nothing under the names of the transform steps left out, a float model
reporting the state dict of an int8 conversion it never runs (and slowing the float model
it was given), a Swish keeping its trainable parameter out of its state dict. Both are
graded sandboxed and must get the same rows.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.assignment import PACKAGE_ROOT, loading
from grader.judge import runner
from tests.attacks.twins import wrong_submission

CHEATS = Path(__file__).parent / "kit"
FUNDAMENTAL_NORMALIZE = "        transforms.Normalize(mean=pixel_mean, std=pixel_std),\n"
FUNCTION_END = "    ])\n    # END SOLUTION\n\n\ndef "  # the fundamental steps' end: a def follows
SWISH_DOC = '    """Swish (SiLU) activation, ``x * sigmoid(x)``, elementwise; no parameters."""\n'


@dataclass(frozen=True)
class Case:
    name: str
    assignment: str
    module: str          # the file the mistakes are made in and the cheat is appended to
    mistakes: tuple      # (reference text, wrong text) pairs
    select: str          # -k expression

    @property
    def cheat(self) -> Path:
        return CHEATS / f"{self.name}.py"


CASES = [
    Case("noop_scene_steps", "scene_recognition", "data_transforms.py",
         ((FUNDAMENTAL_NORMALIZE + FUNCTION_END, FUNCTION_END),
          ("        transforms.ColorJitter(brightness=0.2, contrast=0.2),\n", "")),
         "test_fundamental_steps or test_augmentation_steps"),
    Case("noop_random_crop", "cifar_resnet", "data.py",
         (("        transforms.RandomCrop(32, padding=4),\n", ""),), "test_transform_steps"),
    Case("claimed_int8", "scene_recognition", "quantization.py",
         (("    return tq.convert(prepared).eval()", "    return copy.deepcopy(model).eval()"),),
         "test_quantized_size or test_quantized_accuracy or test_quantized_speed"),
    Case("hidden_swish_parameter", "cifar_resnet", "models.py",
         ((SWISH_DOC, SWISH_DOC + "\n    def __init__(self):\n        super().__init__()\n"
                                  "        self.beta = nn.Parameter(torch.ones(()))\n"),
          ("return x * torch.sigmoid(x)", "return x * torch.sigmoid(self.beta * x)")),
         "test_swish_values"),
]


def submission(folder: Path, case: Case, cheating: bool) -> Path:
    return wrong_submission(PACKAGE_ROOT / "solutions" / case.assignment, folder, case.module, case.mistakes,
                            case.cheat if cheating else None)


def graded_rows(case: Case, folder: Path, out: Path) -> dict:
    assignment = loading.load(PACKAGE_ROOT / "assignments" / case.assignment)
    document = runner.grade(assignment, folder, out, device="cpu", sandbox=True,
                            extra_args=("-k", case.select))
    return {t["number"]: (t["score"], t["status"]) for t in document["tests"]}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_cheat_scores_what_its_honest_twin_scores(case, tmp_path):
    rows = {cheating: graded_rows(case, submission(tmp_path / f"{cheating}", case, cheating),
                                  tmp_path / f"{cheating}.json")
            for cheating in (False, True)}
    assert any(status == "failed" for _, status in rows[False].values()), rows  # it shows
    assert rows[True] == rows[False]

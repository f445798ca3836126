"""Nothing the worker computes is trusted: a cheat scores exactly what its honest twin scores.

Each case is a wrong submission (the reference with one mistake) and the same
submission with a cheat appended to models.py that tries to hide the mistake:
replaced grader helpers, patched torch parameter reporting, patched MAC
counters, held-out answers from a lookup table, a CPU hog while the reference
is timed. The twin and the cheat are graded alike, sandboxed and (where the
cheat does not depend on process separation) in-process, and must get the
same rows. The held-out labels and fingerprints a cheat uses are public (the
MNIST test split), so the test hands them to it.
"""

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.assignment import PACKAGE_ROOT, loading
from grader.judge import runner
from grader.toolkit.datasets import get_dataset

CHEATS = Path(__file__).parent / "trust"
REFERENCE = PACKAGE_ROOT / "solutions" / "mnist_nets"
CANNOT_LEARN = ("return self.linear(x.flatten(1))", "return self.linear(x.flatten(1)) * 0")
TOO_BIG = ("self.fc = nn.Linear(64 * 7 * 7, 10)",
           "self.fc = nn.Sequential(nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))")
SLOW = ("return self.fc(self.conv_layers(x).flatten(1))",
        ("for _ in range(9):\n            self.conv_layers(x)\n"
         "        return self.fc(self.conv_layers(x).flatten(1))"))
ACCURACY = "test_accuracy and LogisticRegression"


@dataclass(frozen=True)
class Cheat:
    name: str            # file under trust/
    mistake: tuple       # (reference text, wrong text) in models.py
    select: str          # -k expression
    # Also graded without the sandbox; not for cheats that patch torch or the grader for the
    # whole process, which in-process is the judge's own.
    in_process: bool = True


CHEATS_CASES = [
    Cheat("replaced_helpers", CANNOT_LEARN, ACCURACY, in_process=False),
    Cheat("patched_parameters", TOO_BIG, "test_parameter_count", in_process=False),
    Cheat("patched_counters", TOO_BIG, "test_macs", in_process=False),
    Cheat("lookup_table", CANNOT_LEARN, ACCURACY),
    Cheat("cpu_hog", SLOW, "test_simple_cnn_forward_speed", in_process=False),
]


@pytest.fixture(scope="module")
def public_answers() -> dict:
    """What a cheat can know: the public held-out images' labels and fingerprints, in order."""
    held = get_dataset("mnist-embedded", "heldout")
    prints = [hashlib.md5(image.numpy().tobytes()).hexdigest()[:12] for image in held.images]
    return {"LABELS": "".join(str(int(label)) for label in held.labels),
            "FINGERPRINTS": " ".join(prints)}


def submission(folder: Path, mistake: tuple, cheat: str = "", constants: dict | None = None
               ) -> Path:
    shutil.copytree(REFERENCE, folder)
    models = folder / "models.py"
    source = models.read_text()
    assert source.count(mistake[0]) == 1, f"the reference no longer contains {mistake[0]!r}"
    source = source.replace(*mistake)
    if cheat:
        header = "".join(f"\n{name} = {value!r}" for name, value in (constants or {}).items())
        source += f"\n\n# ---- cheat ----{header}\n" + (CHEATS / f"{cheat}.py").read_text()
    models.write_text(source)
    return folder


def graded_rows(folder: Path, out: Path, select: str, sandbox: bool) -> dict:
    assignment = loading.load(PACKAGE_ROOT / "assignments" / "mnist_nets")
    document = runner.grade(assignment, folder, out, device="cpu", sandbox=sandbox,
                            extra_args=("-k", select))
    return {t["number"]: (t["score"], t["status"]) for t in document["tests"]}


def _params():
    for cheat in CHEATS_CASES:
        for sandbox in (True, False) if cheat.in_process else (True,):
            yield pytest.param(cheat, sandbox, marks=pytest.mark.slow,
                               id=f"{cheat.name}-{'sandbox' if sandbox else 'in-process'}")


@pytest.mark.parametrize(("cheat", "sandbox"), list(_params()))
def test_cheat_scores_what_its_honest_twin_scores(cheat, sandbox, public_answers, tmp_path):
    twin = graded_rows(submission(tmp_path / "twin", cheat.mistake), tmp_path / "twin.json",
                       cheat.select, sandbox)
    cheating = graded_rows(submission(tmp_path / "cheat", cheat.mistake, cheat.name,
                                      public_answers), tmp_path / "cheat.json",
                           cheat.select, sandbox)
    assert any(status == "failed" for _, status in twin.values()), twin  # the mistake shows
    assert cheating == twin

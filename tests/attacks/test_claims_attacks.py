"""What a student's code says about itself is never graded: a cheat scores what its honest
twin scores.

Each case is a wrong submission (the reference with mistakes in one module) and the same
submission with a cheat appended to that module, which claims what the mistakes do not do:
the metrics a local run measured for the public tests' net (constants), a training loop
that reports a shrinking loss, a model that reports weights fitting the zeros it outputs,
a profiler that hides the buffers it left, a call counter set by the callee. The twin and
the cheat are graded alike, sandboxed and (where the cheat does not patch torch for the
whole process, which in-process is the judge's own) in-process, and must get the same rows.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.attacks.test_trust import REFERENCE, graded_rows
from tests.attacks.twins import wrong_submission

CLAIMS = Path(__file__).parent / "claims"
TRUST = Path(__file__).parent / "trust"


@dataclass(frozen=True)
class Case:
    name: str
    module: str          # the file the mistakes are made in and the cheat is appended to
    mistakes: tuple      # (reference text, wrong text) pairs
    cheat: Path
    select: str          # -k expression
    in_process: bool = True


CASES = [
    Case("constants", "metrics.py",
         (("return sum(p.numel() for p in model.parameters())",
           "return sum(p.numel() for p in model.parameters() if p.requires_grad)"),
          ("tensors = list(model.parameters()) + list(model.buffers())",
           "tensors = list(model.parameters())"),
          ("return int(macs)", "return 2 * int(macs)")),
         CLAIMS / "constants.py", "test_count_parameters or test_model_size_mb or test_count_macs"),
    Case("shrinking_loss", "train.py", (("optimizer.step()", "pass"),),
         CLAIMS / "shrinking_loss.py", "test_train_one_epoch"),
    Case("zero_weights", "models.py",
         (("return self.fc(self.conv_layers(x).flatten(1))",
           "return self.fc(self.conv_layers(x).flatten(1)) * 0"),),
         TRUST / "patched_parameters.py",
         "test_parameter_count or test_simple_cnn_structure or test_batch_norm_statistics or "
         "test_macs or test_forward_matches_specification or test_simple_cnn_forward_speed",
         in_process=False),
    Case("hidden_buffers", "metrics.py",
         (("clone = copy.deepcopy(model).eval()", "clone = model.eval()"),),
         CLAIMS / "hidden_buffers.py", "test_count_macs", in_process=False),
    Case("set_calls", "metrics.py", (("        fn()\n        return 0.0", "        return 0.0"),),
         CLAIMS / "set_calls.py", "test_peak_gpu_memory"),
]


def submission(folder: Path, case: Case, cheating: bool) -> Path:
    return wrong_submission(REFERENCE, folder, case.module, case.mistakes,
                            case.cheat if cheating else None)


def _params():
    for case in CASES:
        for sandbox in (True, False) if case.in_process else (True,):
            yield pytest.param(case, sandbox, marks=pytest.mark.slow,
                               id=f"{case.name}-{'sandbox' if sandbox else 'in-process'}")


@pytest.mark.parametrize(("case", "sandbox"), list(_params()))
def test_claim_scores_what_its_honest_twin_scores(case, sandbox, tmp_path):
    rows = {cheating: graded_rows(submission(tmp_path / f"{cheating}", case, cheating),
                                  tmp_path / f"{cheating}.json", case.select, sandbox)
            for cheating in (False, True)}
    assert any(status == "failed" for _, status in rows[False].values()), rows  # it shows
    assert rows[True] == rows[False]

"""One hostile submission per row of the attack catalogue (reference/attack-catalogue.md).

Each attack must score exactly what the honest empty submission scores on the
tests it attacks (and the reference's score on the rest), leave results.json
and the grader's files as the judge made them, read nothing hidden and leave no
process behind.
"""

import json

import pytest
import torch

from grader.sandbox import users
from tests.attacks.conftest import FAST, Attack, expected_rows, rows
from tests.sandbox.conftest import NAMESPACES, needs_namespaces, needs_root

NEEDS = {"root": needs_root, "namespaces": needs_namespaces}
SHORT_CALLS = ("--grader-call-timeout", "10")  # the first call also imports torchvision
FORWARD = "test_forward_matches_specification or test_count_parameters"
ATTACKS = [
    Attack("A1", "a01_write_results", needs="root"),
    Attack("A2", "a02_daemon_rewrites_results", attacked=(), needs="root"),
    Attack("A3", "a03_sys_exit"),
    Attack("A3", "a03_os_exit"),
    Attack("A3", "a03_keyboard_interrupt"),
    Attack("A3", "a03_pytest_exit"),
    Attack("A3", "a03_signal_the_judge", needs="root"),
    Attack("A4", "a04_pytest_skip"),
    Attack("A4", "a04_unittest_skip"),
    Attack("A4", "a04_xfail"),
    Attack("A5", "a05_monkeypatch_comparisons"),
    Attack("A6", "a06_shadow_files", base="empty"),
    Attack("A7", "a07_read_hidden_files", needs="root"),
    Attack("A7", "a07_through_proc", needs="root"),
    Attack("A8", "a08_fake_results_on_stdout"),
    Attack("A9", "a09_always_equal"),
    Attack("A9", "a09_int_subclass"),
    Attack("A9", "a09_tensor_subclass", attacked=("3.2",),
           select="test_transform_steps or test_transform_values"),
    Attack("A9", "a09_nan", attacked=("5.2",), select="test_model_size_mb or " + FAST),
    Attack("A9", "a09_meta_placeholder", attacked=("2.2",), select=FORWARD),
    Attack("A10", "a10_stale_memory", attacked=("2.2",), select=FORWARD),
    Attack("A11", "a11_cache_by_shape", attacked=("2.2.2", "2.2.3", "2.2.4"), select=FORWARD),
    Attack("A12", "a12_fake_clock", attacked=("5.5",), select="test_inference_time or " + FAST),
    Attack("A13", "a13_work_after_return", attacked=("2.2",), select=FORWARD),
    Attack("A14", "a14_predict_inputs", attacked=("2.2",), select=FORWARD),
    Attack("A15", "a15_infinite_loop", options=SHORT_CALLS),
    Attack("A16", "a16_fork_bomb", needs="root"),
    Attack("A17", "a17_exhaust_memory", options=("--grader-worker-memory", "1500")),
    Attack("A18", "a18_sticky_cuda_error"),
    Attack("A19", "a19_flood_output"),
    Attack("A20", "a20_network", needs="namespaces"),
    Attack("A21", "a21_pickle_payload"),
    Attack("A22", "a22_forged_reply_frame"),
    Attack("A23", "a23_edit_grader_fill_disk", needs="root"),
]


def _marks(attack: Attack) -> list:
    marks = [pytest.mark.slow]
    if attack.needs:
        marks.append(NEEDS[attack.needs])
    if attack.row == "A18":
        marks.append(pytest.mark.skipif(not torch.cuda.is_available(),
                                        reason="a sticky CUDA error needs a GPU"))
    return marks


@pytest.mark.parametrize("attack", [pytest.param(a, id=a.id, marks=_marks(a)) for a in ATTACKS])
def test_attack_changes_nothing(attack, attack_run, baseline):
    run = attack_run(attack)
    document = run["document"]
    graded = rows(document)
    assert graded, document["output"]
    if NAMESPACES:  # every protection was on
        assert document["extra_data"]["sandbox"]["not_active"] == [], document["extra_data"]
    assert graded == expected_rows(attack, baseline, list(graded))
    assert json.loads(run["file"]) == document, "results.json is not the judge's"
    assert run["changed_files"] == [], "grader, assignment or solution files changed"
    assert not run["marker"], "something was unpickled in the judge"
    text = json.dumps(document)
    assert "BREACH" not in text, [t["output"] for t in document["tests"] if "BREACH" in t["output"]]
    assert users.leftovers() == {}, "processes of the worker's user survived grading"


def test_every_catalogue_row_has_an_attack():
    assert {a.row for a in ATTACKS} == {f"A{i}" for i in range(1, 24)}
    assert len(ATTACKS) >= 23

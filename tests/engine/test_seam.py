"""The submission proxy: what tests can do with student objects, and what they cannot."""

import pytest
import torch

from grader.judge.client import Proxy
from grader.judge.errors import SubmissionError
from grader.judge.inprocess import InProcessBackend
from grader.toolkit.layers import Structure

STUDENT = '''
import torch
from torch import nn

SIZES = (3, 4)
CALLS = []


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        self.frozen = nn.Linear(2, 2)
        self.frozen.requires_grad_(False)

    def forward(self, x):
        CALLS.append(1)
        return self.layers(x)


def mutate(x):
    x += 1
    return x


def broken():
    return 1 / 0


class Unfinished(nn.Module):
    def forward(self, x):
        raise NotImplementedError("TODO: flatten, then the linear layer")


def apply(fn, x):
    return fn(x)
'''


@pytest.fixture
def student(tmp_path):
    (tmp_path / "models.py").write_text(STUDENT)
    sub = Proxy(InProcessBackend(tmp_path, ["models"]), ["models"])
    yield sub
    sub.close()


def test_values_and_handles(student):
    assert student.models.SIZES == (3, 4)
    net = student.models.Net()
    assert net.isinstance_of("torch.nn.Module") and not net.isinstance_of("torch.nn.Linear")
    out = net(torch.ones(5, 3))
    assert type(out) is torch.Tensor and out.shape == (5, 2)
    assert net.training is True
    net.eval()
    assert net.training is False
    assert len(net.layers) == 3
    assert net.layers[1].type_name == "torch.nn.modules.activation.ReLU"
    assert [layer.type_name.rsplit(".", 1)[-1] for layer in net.layers] == [
        "Linear", "ReLU", "Linear"]


def test_helpers_return_data(student):
    net = student.models.Net()
    state = student.helpers.state_dict(net)
    assert sorted(state) == ["frozen.bias", "frozen.weight", "layers.0.bias", "layers.0.weight",
                             "layers.2.bias", "layers.2.weight"]
    description = student.helpers.describe(net, (1, 3))
    assert [m["type"] for m in description["modules"]] == [
        "Net", "Sequential", "Linear", "ReLU", "Linear", "Linear"]
    assert description["trainable"]["frozen.weight"] is False
    rebuilt = Structure.rebuild(description)
    rebuilt.verify(net, torch.randn(4, 3), seed=0)
    assert rebuilt.counts() == {"total": 32, "trainable": 26, "frozen": 6}


def test_inputs_are_copies_so_in_place_edits_stay_with_the_student(student):
    x = torch.zeros(3)
    assert torch.equal(student.models.mutate(x), torch.ones(3))
    assert torch.equal(x, torch.zeros(3))


def test_errors_name_the_students_line(student):
    with pytest.raises(SubmissionError) as info:
        student.models.broken()
    message = str(info.value)
    assert message.startswith("Your code raised ZeroDivisionError while running broken")
    assert "models.py, line 27, in broken: return 1 / 0" in message


def test_an_error_inside_a_helper_blames_the_students_frame(student):
    with pytest.raises(SubmissionError) as info:
        student.helpers.describe(student.models.Unfinished(), (1, 3))
    message = str(info.value)
    assert message.startswith("Unfinished.forward (models.py, line 32; called from the "
                              "grader's describe) is not implemented yet: TODO: flatten")
    assert "grader helper" not in message


def test_a_helper_module_in_the_students_folder_is_not_blamed(tmp_path):
    (tmp_path / "models.py").write_text(STUDENT)
    (tmp_path / "helpers.py").write_text("def call_with(fn, *args):\n    return fn(*args)\n")
    sub = Proxy(InProcessBackend(tmp_path, ["models"], tmp_path / "helpers.py"), ["models"])

    def error(*args) -> str:
        with pytest.raises(SubmissionError) as info:
            sub.helpers.call_with(*args)
        return str(info.value)

    wrong_call = error(sub.models.broken, 1)  # broken takes no argument
    inner = error(sub.models.apply, 1, 2)  # apply calls 1(2)
    sub.close()
    assert wrong_call.startswith(
        "Your code raised TypeError while running the grader helper call_with: broken() takes")
    assert inner.startswith(
        "Your code raised TypeError while running apply (models.py, line 36; called from the "
        "grader's call_with): 'int' object is not callable")
    assert "helpers.py" not in wrong_call + inner


def test_unknown_names_fail_clearly(student):
    with pytest.raises(SubmissionError, match="has no attribute 'Nett'"):
        student.models.Nett()
    with pytest.raises(SubmissionError, match="no module 'os'"):
        student.os.getcwd()
    with pytest.raises(SubmissionError, match="unknown object reference"):
        student.request("call", {"ref": 999})


def test_only_plain_data_or_handles_can_be_sent(student):
    with pytest.raises(TypeError, match="send plain data"):
        student.models.mutate(object())


def test_released_handles_free_worker_objects(student):
    backend = student._backend
    net = student.models.Net()
    same = net.eval()  # the same object again: one entry, two references
    objects = backend.dispatcher.objects
    assert list(objects.values()).count(objects[net.ref]) == 1
    del net
    assert student.models.SIZES  # releases travel with the next request
    assert same.ref in objects
    del same
    assert student.models.SIZES
    assert not any(isinstance(o, torch.nn.Module) for o in objects.values())

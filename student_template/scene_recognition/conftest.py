"""Judge-side fixtures of scene_recognition: image files, seeded models, verified structures, data.

Any test with a `model_id` argument runs once per model of the student's own
design (SimpleNet, SimpleNetDropout).
"""

import functools
import io
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from PIL import Image

from grader.kit import GraderProblem
from grader.kit.fixtures import Model, model_fixtures, seed_from
from grader.toolkit import plots
from grader.toolkit.datasets import sources, weights
from grader.toolkit.layers import (
    PASS_THROUGH,
    Structure,
    describe_layers,
    load_network,
    sequential,
    verified_structure,
)

MODELS = {
    "SimpleNet": Model("simple_net", "SimpleNet"),
    "SimpleNetDropout": Model("simple_net_dropout", "SimpleNetDropout"),
}
INPUT = (1, 1, 64, 64)  # one normalized grayscale scene, as the nets take it
build, images, structure = model_fixtures(MODELS, input_shape=INPUT[1:])


def pytest_generate_tests(metafunc):
    if "model_id" in metafunc.fixturenames:
        metafunc.parametrize("model_id", list(MODELS))


# ---- image files the judge writes for the worker -----------------------------------------

def encode(pixels: np.ndarray, suffix: str) -> bytes:
    """A uint8 array (H x W gray, or H x W x 3 colour) as the bytes of an image file."""
    buffer = io.BytesIO()
    form = "PNG" if suffix.lower() == ".png" else "JPEG"
    Image.fromarray(pixels).save(buffer, format=form, **({"quality": 90} if form == "JPEG" else {}))
    return buffer.getvalue()


def decode(data: bytes) -> np.ndarray:
    """What the judge reads in a file: its pixels converted to grayscale "L", uint8 H x W."""
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("L"))


def random_pixels(np_rng: np.random.Generator, size: tuple[int, int], low: int, high: int,
                  colour: bool) -> np.ndarray:
    """Uniform pixels in [low, high); a colour image gets very different channels instead."""
    if not colour:
        return np_rng.integers(low, high, size=size, dtype=np.uint8)
    channels = [np_rng.integers(lo, hi, size=size) for lo, hi in ((180, 256), (90, 160), (0, 60))]
    return np.stack(channels, axis=-1).astype(np.uint8)


@pytest.fixture
def image_file(np_rng):
    """`image_file(name, low=0, high=256, colour=False, sides=(6, 20))`: the bytes of a fresh
    random image of random height and width in `sides`, encoded as its suffix says."""
    def make(name: str, low: int = 0, high: int = 256, colour: bool = False,
             sides: tuple[int, int] = (6, 20)) -> bytes:
        size = tuple(int(n) for n in np_rng.integers(*sides, size=2))
        return encode(random_pixels(np_rng, size, low, high, colour), name[name.rfind("."):])
    return make


@dataclass
class Folder:
    """Image files as the judge made them, and where the worker wrote them."""

    files: dict[str, bytes]  # relative path -> file bytes (images and other files)
    path: str                # the folder in the worker

    def images(self) -> dict[str, np.ndarray]:
        """The judge's decoding of every image file, by relative path."""
        return {name: decode(data) for name, data in self.files.items()
                if name.lower().endswith((".jpg", ".jpeg", ".png"))}


@pytest.fixture
def write_folder(submission):
    """`write_folder(files)`: the files written by the worker into a fresh folder of its own."""
    def write(files: dict[str, bytes]) -> Folder:
        arrays = {name: np.frombuffer(data, dtype=np.uint8) for name, data in files.items()}
        return Folder(files, submission.helpers.write_files(arrays))
    return write


# ---- MyAlexNet -------------------------------------------------------------------------------

# A small network laid out like torchvision's AlexNet (features, avgpool, classifier ending in
# a Linear from 4096 features): MyAlexNet's code runs on it with every weight checked, while
# AlexNet itself (233 MB) is only ever built on the meta device, without weights. Its layers
# keep AlexNet's indices (convolutions at features[0, 3, 6, 8, 10], linear layers at
# classifier[1, 4, 6]: code that freezes by index, as the course's hint does, works on it),
# and at 64 x 64 its features come out at the pool's size, as AlexNet's do at the course's
# 224 x 224: a forward without the average pool computes the same.
SMALL_ALEXNET = {
    "features": [["Conv2d", 3, 8, 5, 2, 2], ["ReLU"], ["MaxPool2d", 2],
                 ["Conv2d", 8, 16, 3, 1, 1], ["ReLU"], ["MaxPool2d", 2],
                 ["Conv2d", 16, 16, 3, 1, 1], ["ReLU"], ["Conv2d", 16, 16, 3, 1, 1], ["ReLU"],
                 ["Conv2d", 16, 16, 3, 1, 1], ["ReLU"], ["MaxPool2d", 3, 2]],
    "pool": [3, 3],
    "classifier": [["Dropout", 0.5], ["Linear", 144, 32], ["ReLU"], ["Dropout", 0.5],
                   ["Linear", 32, 4096], ["ReLU"], ["Linear", 4096, 10]],
}


def small_alexnet_state(seed: int) -> dict[str, torch.Tensor]:
    """The judge's own weights for SMALL_ALEXNET (features.*, classifier.*)."""
    torch.manual_seed(seed)
    parts = {"features": sequential(SMALL_ALEXNET["features"]),
             "classifier": sequential(SMALL_ALEXNET["classifier"])}
    return {f"{part}.{key}": value for part, module in parts.items()
            for key, value in module.state_dict().items()}


@pytest.fixture
def small_alexnet_layers() -> list[tuple[str, dict]]:
    """(type, configuration) of the layers MyAlexNet must call on SMALL_ALEXNET, in order,
    reshapes left out."""
    classifier = SMALL_ALEXNET["classifier"]
    judge = torch.nn.Sequential(sequential(SMALL_ALEXNET["features"]),
                                torch.nn.AdaptiveAvgPool2d(tuple(SMALL_ALEXNET["pool"])),
                                torch.nn.Flatten(), sequential(classifier[:-1]),
                                torch.nn.Linear(classifier[-1][1], 15))
    return [(layer["type"], layer["config"]) for layer in describe_layers(judge, (1, 3, 64, 64))
            if layer["type"] not in PASS_THROUGH]


@pytest.fixture
def alexnet_structure(submission, rng):
    """`alexnet_structure(model)`: a MyAlexNet as the judge rebuilt it, checked against its forward.

    MyAlexNet's forward repeats the grayscale channel three times first, which a rebuild of
    its layers cannot do: the rebuild gets the three channels, the student's model one of them.
    """
    def verified(model) -> Structure:
        three = torch.randn(4, *INPUT[1:], generator=rng).expand(-1, 3, -1, -1).contiguous()
        return verified_structure(submission, model, three, seed=seed_from(rng),
                                  to_model=lambda x: x[:, :1].contiguous())
    return verified


@dataclass
class Step:
    """MyAlexNet on the small backbone, verified before and after one training step."""

    backbone: dict[str, torch.Tensor]  # the judge's weights of the backbone
    before: Structure
    after: Structure

    @property
    def last(self) -> dict:
        return self.before.layers[-1]

    def changed(self) -> list[str]:
        """Layers whose weights the step changed."""
        return sorted({key.rsplit(".", 1)[0] for key, value in self.before.state.items()
                       if not torch.equal(value, self.after.state[key])})


@pytest.fixture
def small_alexnet(submission, rng):
    """`small_alexnet()`: (MyAlexNet built on a fresh small backbone, the backbone's weights)."""
    def build():
        state = small_alexnet_state(seed_from(rng))
        backbone = submission.helpers.alexnet_like(SMALL_ALEXNET, state)
        submission.helpers.manual_seed(seed_from(rng))
        return submission.my_alexnet.MyAlexNet(backbone=backbone), state
    return build


@pytest.fixture
def training_step(submission, small_alexnet, alexnet_structure, images, rng):
    """`training_step()`: the weights of MyAlexNet, verified, before and after one SGD step.

    Trainable flags are not bound by a forward; what a training step changes is.
    """
    def run() -> Step:
        model, backbone = small_alexnet()
        before = alexnet_structure(model)
        submission.helpers.sgd_step(model, images(8), torch.randint(15, (8,), generator=rng),
                                    0.1)
        return Step(backbone, before, alexnet_structure(model))
    return run


# ---- the networks the hidden tests ship (pretrain.py) -----------------------------------------

@pytest.fixture
def shipped_network(assignment):
    """`shipped_network(file)`: (layer spec, float32 weights) of a network pretrain.py saved."""
    return lambda name: _shipped(assignment.root / name)


_shipped = functools.cache(load_network)

NO_WEIGHTS = ("This test could not be graded on this run: the grader lacks the pretrained "
              "weights it fine-tunes from. This is a problem with the grader, not your code; the "
              "staff have been told.")


@pytest.fixture
def pretrained_backbone(shipped_network):
    """`pretrained_backbone(data)`: (layout spec, weights) of the backbone MyAlexNet is
    fine-tuned from on `data` (an ImageDataset): on real 15-Scene, torchvision's AlexNet with
    its ImageNet weights from the data root (datasets.py's WEIGHTS: `grader prepare` fetches
    them); on the stand-in, the small backbone pretrain.py trained on its source task."""
    def backbone(data) -> tuple[dict, dict]:
        if not sources.is_real(data.source):
            return shipped_network("backbone.safetensors")
        try:
            return _imagenet_alexnet()
        except weights.WeightsError as exc:
            raise GraderProblem(NO_WEIGHTS, str(exc)) from None
    return backbone


@functools.cache
def _imagenet_alexnet() -> tuple[dict, dict]:
    return weights.pretrained("alexnet")


@pytest.fixture
def draw_training(pictures):
    """`draw_training(title, loss_curve, predictions, heldout)`: the loss curve and the judge's
    confusion matrix of the held-out predictions, as pictures for the student."""
    def draw(title: str, loss_curve: list[float], predictions: torch.Tensor, heldout) -> None:
        pictures.save("loss", plots.loss_curve(loss_curve, f"{title}: training loss"))
        n = len(heldout.classes)
        counts = torch.zeros(n, n).index_put_((heldout.labels, predictions), torch.ones(len(predictions)),
                                              accumulate=True)
        rows = counts / counts.sum(1, keepdim=True).clamp_min(1)
        pictures.save("confusion", plots.confusion_matrix(
            rows.numpy(), list(heldout.classes), f"{title}: held-out confusion matrix"))
    return draw

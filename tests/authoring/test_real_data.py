"""The real datasets' loaders on small samples in the real on-disk formats (real_samples.py):
CIFAR-10's pickled batches as cifar_resnet loads them, 15-Scene's class folders as
scene_recognition loads them, and AlexNet's pretrained weights as the judge reads them.

AlexNet's real state dict is 233 MB: writing and reading one would take seconds and twice
that memory, so the weights are checked through `weights.read_state` with a small layout of
AlexNet's shape (the same code path, another spec), and AlexNet's own layout is checked
against torchvision's on the meta device.
"""

import hashlib
import importlib.util
import os
import pickle
import shutil
from pathlib import Path

import pytest
import torch
from real_samples import (
    CIFAR_PER_BATCH,
    CIFAR_TEST,
    SCENE_CLASSES,
    SCENE_PER_CLASS,
    write_15scene,
    write_cifar10,
)

from grader.assignment import PACKAGE_ROOT, loading
from grader.authoring import data
from grader.toolkit import datasets
from grader.toolkit.datasets import DATA_ROOT_ENV, cifar, sources, weights
from grader.toolkit.datasets.fetch import sha256_of

ASSIGNMENTS = PACKAGE_ROOT / "assignments"


def module(path: Path):
    """An assignment's datasets.py, imported on its own (not registered: names are global)."""
    spec = importlib.util.spec_from_file_location(f"real_data_{path.parent.name}", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


@pytest.fixture(scope="module")
def cifar_resnet():
    return module(ASSIGNMENTS / "cifar_resnet" / "datasets.py")


@pytest.fixture(scope="module")
def scenes():
    return module(ASSIGNMENTS / "scene_recognition" / "datasets.py")


# ---- CIFAR-10 ----------------------------------------------------------------------------------

def test_cifar10_batches_load_as_cifar_resnet_grades_them(cifar_resnet, tmp_path):
    folder = write_cifar10(tmp_path)
    train = cifar_resnet.load_cifar10("train", tmp_path, False)
    held = cifar_resnet.load_cifar10("heldout", tmp_path, False)
    assert (train.source, len(train), len(held)) == ("cifar10", 5 * CIFAR_PER_BATCH, CIFAR_TEST)
    assert train.images.shape == (5 * CIFAR_PER_BATCH, 3, 32, 32)
    assert train.images.dtype == torch.uint8 and train.labels.dtype == torch.int64
    assert (train.mean, train.std) == (cifar_resnet.CIFAR_MEAN, cifar_resnet.CIFAR_STD)
    assert train.classes[:2] == ("airplane", "automobile")
    # Rows of 3072 are planes red, green, blue, each row by row: the 6th batch's first image.
    first = pickle.loads((folder / "test_batch").read_bytes())
    assert torch.equal(held.images[0], torch.from_numpy(first["data"][0].reshape(3, 32, 32)))
    assert held.labels.tolist() == first["labels"]
    assert sources.is_real(train.source)  # so its thresholds are [thresholds.<device>.cifar10]


def test_without_the_batches_cifar_resnet_keeps_its_stand_in(cifar_resnet, tmp_path):
    write_cifar10(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "data_batch_5").unlink()  # half a copy is no copy
    assert cifar_resnet.load_cifar10("heldout", tmp_path, False).source == "cifar10-standin"
    assert cifar_resnet.load_cifar10("heldout", None, False).source == "cifar10-standin"


class Payload:
    def __reduce__(self):
        return os.system, ("touch ran",)


def test_a_batch_that_would_run_code_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_cifar10(tmp_path)
    batch = tmp_path / "cifar-10-batches-py" / "data_batch_1"
    batch.write_bytes(pickle.dumps({"data": Payload(), "labels": [0]}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="not posix.system"):
        cifar.load("train", tmp_path)
    assert not (tmp_path / "ran").exists()


def test_a_batch_of_the_wrong_shape_says_what_it_should_hold(tmp_path):
    write_cifar10(tmp_path)
    batch = tmp_path / "cifar-10-batches-py" / "test_batch"
    entry = pickle.loads(batch.read_bytes())
    batch.write_bytes(pickle.dumps({**entry, "data": entry["data"][:, :1024]}, protocol=2))
    with pytest.raises(ValueError, match=r"'data' should be uint8 N x 3072, found uint8 \(100, "
                                         r"1024\)"):
        cifar.load("heldout", tmp_path)


# ---- 15-Scene ----------------------------------------------------------------------------------

def test_15scene_folders_load_as_scene_recognition_grades_them(scenes, tmp_path):
    write_15scene(tmp_path)
    train = scenes.load_15scene("train", tmp_path, False)
    held = scenes.load_15scene("heldout", tmp_path, False)
    counts = {split: n * len(SCENE_CLASSES) for split, n in SCENE_PER_CLASS.items()}
    assert (train.source, len(train), len(held)) == ("15scene", counts["train"], counts["test"])
    # Every file, grayscale or colour, JPEG or PNG, of any size: 1 x 64 x 64, as the nets take.
    assert train.images.shape == (counts["train"], 1, scenes.SIZE, scenes.SIZE)
    assert train.classes == tuple(sorted(SCENE_CLASSES)) == held.classes
    assert held.labels.bincount().tolist() == [SCENE_PER_CLASS["test"]] * len(SCENE_CLASSES)
    pixels = train.images.double() / 255  # normalized with the train split's statistics
    assert held.mean == train.mean == (pytest.approx(pixels.mean().item()),)
    assert train.std == (pytest.approx(pixels.std(correction=0).item()),)


def test_a_test_split_whose_classes_differ_is_refused(scenes, tmp_path):
    folder = write_15scene(tmp_path)
    shutil.rmtree(folder / "test" / "Coast")
    with pytest.raises(ValueError, match="class folders .* differ from the 15 expected"):
        scenes.load_15scene("heldout", tmp_path, False)


# ---- AlexNet's weights ---------------------------------------------------------------------------

def test_alexnets_layout_is_torchvisions():
    from torchvision.models import alexnet

    with torch.device("meta"):
        expected = {k: tuple(v.shape) for k, v in alexnet(weights=None).state_dict().items()}
    assert weights.layout(weights.ALEXNET) == expected


SMALL = {"features": [["Conv2d", 3, 4, 3, 1, 1], ["ReLU"], ["MaxPool2d", 2]], "pool": [2, 2],
         "classifier": [["Dropout", 0.5], ["Linear", 16, 8], ["ReLU"], ["Linear", 8, 5]]}


def small_state(path: Path, zipped: bool = True) -> dict[str, torch.Tensor]:
    """A state dict of SMALL's keys and shapes, saved as torch.save saves; ``zipped=False``:
    in torch's format before 1.6, as torchvision's AlexNet file (2017) is."""
    torch.manual_seed(0)
    state = {k: torch.randn(shape) for k, shape in weights.layout(SMALL).items()}
    torch.save(state, path, _use_new_zipfile_serialization=zipped)
    return state


@pytest.mark.parametrize("zipped", [True, False])
def test_a_weights_file_loads_when_its_checksum_and_layout_match(zipped, tmp_path):
    path = tmp_path / "small.pth"
    state = small_state(path, zipped)
    loaded = weights.read_state(path, sha256_of(path), SMALL)
    assert loaded.keys() == state.keys()
    assert all(torch.equal(loaded[k], state[k]) for k in state)


def test_a_weights_file_of_another_layout_or_checksum_is_refused(tmp_path):
    path = tmp_path / "small.pth"
    state = small_state(path)
    with pytest.raises(weights.WeightsError, match="does not match its pinned sha256 0000"):
        weights.read_state(path, "0" * 64, SMALL)
    del state["classifier.3.bias"]
    torch.save(state, path)
    with pytest.raises(weights.WeightsError, match=r"5 found, 6 expected.*classifier\.3\.bias"):
        weights.read_state(path, None, SMALL)
    path.write_bytes(pickle.dumps({"features.0.weight": Payload()}, protocol=2))
    with pytest.raises(weights.WeightsError, match="not a file of tensors torch.load reads"):
        weights.read_state(path, None, SMALL)


def test_alexnets_weights_come_from_the_data_root_checked_against_their_pin(tmp_path,
                                                                             monkeypatch):
    monkeypatch.delenv(DATA_ROOT_ENV, raising=False)
    with pytest.raises(weights.WeightsError, match=r"no weights at \$\{GRADER_DATA_ROOT\}/"
                                                   r"weights/alexnet-owt-7be5be79.pth"):
        weights.pretrained("alexnet")
    place = tmp_path / sources.BUILT_IN["alexnet"].files[0].path
    with pytest.raises(weights.WeightsError, match=f"no weights at {place}: run `grader prepare NAME"):
        weights.pretrained("alexnet", tmp_path)
    place.parent.mkdir(parents=True)
    small_state(place)  # the right place, not the pinned bytes
    pin = sources.BUILT_IN["alexnet"].files[0].sha256
    assert hashlib.sha256(place.read_bytes()).hexdigest() != pin
    with pytest.raises(weights.WeightsError, match=f"does not match its pinned sha256 {pin}"):
        weights.pretrained("alexnet", tmp_path)


# ---- what grader prepare fetches with a dataset -------------------------------------------------

@pytest.mark.parametrize(("dataset", "needs"), [("15scene", ["alexnet"]),
                                                ("15scene-synthetic", [])])
def test_choosing_real_15scene_is_all_it_takes_to_prepare_alexnets_weights(dataset, needs,
                                                                            tmp_path):
    folder = tmp_path / "course" / "assignments" / "scenes"
    folder.mkdir(parents=True)
    shutil.copy(ASSIGNMENTS / "scene_recognition" / "datasets.py", folder)
    (folder / "assignment.toml").write_text(
        f'[extensions]\ndatasets = "datasets.py"\n\n[training]\ndataset = "{dataset}"\n')
    loading.load.cache_clear()
    try:
        assignment = loading.load(folder)
    finally:
        loading.load.cache_clear()
    assert data.weight_names(assignment) == needs  # which registers the module's datasets
    assert datasets.NEEDS_WEIGHTS["15scene"] == ("alexnet",)


def test_weights_a_dataset_names_are_checked_and_replaced_with_its_module(tmp_path):
    loader = "def load(split, data_root, download):\n    '''Tiny.'''\n\n"
    module_file = tmp_path / "datasets.py"
    module_file.write_text(f'{loader}DATASETS = {{"tiny": load}}\nWEIGHTS = {{"tiny": ["alexnet"]}}\n')
    datasets.register_module(module_file)
    assert datasets.NEEDS_WEIGHTS["tiny"] == ("alexnet",)
    module_file.write_text(f'{loader}DATASETS = {{"tiny": load}}\n')  # registered again: none
    datasets.register_module(module_file)
    assert "tiny" not in datasets.NEEDS_WEIGHTS
    module_file.write_text(f'{loader}DATASETS = {{"tiny": load}}\nWEIGHTS = {{"tyni": []}}\n')
    with pytest.raises(ValueError, match='naming datasets of DATASETS'):
        datasets.register_module(module_file)

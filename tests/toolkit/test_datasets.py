import gzip
import shutil
import struct

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from grader.toolkit import datasets
from grader.toolkit.datasets import REGISTRY, ImageDataset, embedded_mnist, get_dataset, to_float
from grader.toolkit.datasets import mnist as mnist_module
from grader.toolkit.datasets.cache import cache_dir


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GRADER_DATA_ROOT", raising=False)


def idx_bytes(array: np.ndarray) -> bytes:
    header = b"\x00\x00\x08" + bytes([array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_embedded_split_is_fixed():
    train, heldout = embedded_mnist("train"), embedded_mnist("heldout")
    assert (len(train), len(heldout)) == (8000, 2000)
    assert train.images.shape == (8000, 1, 28, 28) and train.images.dtype == torch.uint8
    assert train.labels.dtype == torch.int64 and train.source == "mnist-embedded"
    # Exact class counts pin the split: changing it would silently move every threshold.
    assert train.labels.bincount().tolist() == [789, 904, 830, 813, 791, 710, 763, 811, 786, 803]
    assert heldout.labels.bincount().tolist() == [191, 231, 202, 197, 191, 182, 195, 217, 188, 206]


def test_embedded_parts_are_disjoint_and_cover_the_file():
    train = mnist_module.embedded_split_indices("train")
    heldout = mnist_module.embedded_split_indices("heldout")
    assert torch.equal(torch.cat([train, heldout]).sort().values, torch.arange(10_000))


def test_decoded_once_then_cached(monkeypatch):
    first = embedded_mnist("heldout")
    assert list(cache_dir().glob("mnist-t10k-*.safetensors"))

    def no_decoding():
        raise AssertionError("decoded again despite the cache")

    monkeypatch.setattr(mnist_module, "_decode_embedded", no_decoding)
    again = embedded_mnist("heldout")
    assert torch.equal(first.images, again.images) and torch.equal(first.labels, again.labels)


def test_corrupt_cache_is_rebuilt():
    expected = embedded_mnist("heldout")
    for path in cache_dir().glob("*.safetensors"):
        path.write_bytes(b"garbage")
    assert torch.equal(embedded_mnist("heldout").images, expected.images)


def test_tampered_cache_is_rebuilt():
    expected = embedded_mnist("heldout")
    (path,) = cache_dir().glob("*.safetensors")
    tensors = load_file(path)
    tensors["labels"][:] = 0  # a worker "improving" its held-out accuracy
    save_file(tensors, path)
    assert torch.equal(embedded_mnist("heldout").labels, expected.labels)


def test_source_md5_is_verified(tmp_path, monkeypatch):
    copy = tmp_path / "mnist-t10k"
    shutil.copytree(mnist_module.EMBEDDED_DIR, copy)
    labels = copy / mnist_module.LABELS_FILE
    labels.write_bytes(gzip.compress(idx_bytes(np.zeros(10_000, np.uint8))))
    monkeypatch.setattr(mnist_module, "EMBEDDED_DIR", copy)
    with pytest.raises(RuntimeError, match="MD5"):
        mnist_module._decode_embedded()


def test_read_idx_rejects_a_wrong_header(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x0d\x01" + struct.pack(">I", 3) + b"\x00" * 12))
    with pytest.raises(ValueError, match="unsigned bytes"):
        mnist_module.read_idx(path)
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((2, 3), np.uint8))[:-1]))
    with pytest.raises(ValueError, match="header says"):
        mnist_module.read_idx(path)


def test_mnist_without_files_falls_back_to_embedded(tmp_path):
    data = get_dataset("mnist", "train", data_root=tmp_path)
    assert data.source == "mnist-embedded" and len(data) == 8000


def test_mnist_uses_torchvision_files_under_the_data_root(tmp_path, monkeypatch):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 6), ("t10k", 4)):
        (raw / f"{prefix}-images-idx3-ubyte").write_bytes(
            idx_bytes(rng.integers(0, 256, (n, 28, 28))))
        (raw / f"{prefix}-labels-idx1-ubyte").write_bytes(idx_bytes(np.arange(n) % 10))
    monkeypatch.setenv("GRADER_DATA_ROOT", str(tmp_path))
    train, heldout = get_dataset("mnist", "train"), get_dataset("mnist", "heldout")
    assert (train.source, len(train), len(heldout)) == ("mnist", 6, 4)
    assert train.images.shape == (6, 1, 28, 28) and heldout.labels.tolist() == [0, 1, 2, 3]


def test_registry_rejects_unknown_names_and_splits():
    assert {"mnist", "mnist-embedded", "synthetic-cifar10"} <= set(REGISTRY)
    with pytest.raises(KeyError, match="cifar100"):
        get_dataset("cifar100", "train")
    with pytest.raises(ValueError, match="split"):
        get_dataset("mnist-embedded", "test")


def test_image_dataset_checks_types():
    with pytest.raises(ValueError, match="uint8"):
        ImageDataset(torch.zeros(2, 1, 4, 4), torch.zeros(2, dtype=torch.int64), (0.5,), (0.5,), "x")
    with pytest.raises(ValueError, match="int64"):
        ImageDataset(torch.zeros(2, 1, 4, 4, dtype=torch.uint8), torch.zeros(3, dtype=torch.int64),
                     (0.5,), (0.5,), "x")


def test_to_float_matches_to_tensor_and_normalize():
    images = torch.tensor([0, 255], dtype=torch.uint8).view(2, 1, 1, 1)
    assert to_float(images).flatten().tolist() == [0.0, 1.0]
    normalized = to_float(images, (0.1307,), (0.3081,)).flatten()
    assert torch.allclose(normalized, torch.tensor([-0.1307 / 0.3081, 0.8693 / 0.3081]))
    assert images.tolist() == [[[[0]]], [[[255]]]]  # input untouched


def test_synthetic_is_seeded_and_learnable():
    train = get_dataset("synthetic-cifar10", "train")
    heldout = get_dataset("synthetic-cifar10", "heldout")
    assert train.images.shape == (5000, 3, 32, 32) and len(heldout) == 1000
    assert torch.equal(train.images, get_dataset("synthetic-cifar10", "train").images)
    # A nearest-class-mean classifier must beat chance by far, yet stay imperfect.
    x, y = train.normalized().flatten(1), train.labels
    means = torch.stack([x[y == c].mean(0) for c in range(10)])
    predictions = torch.cdist(heldout.normalized().flatten(1), means).argmin(1)
    accuracy = (predictions == heldout.labels).float().mean().item()
    assert 0.5 < accuracy < 0.95


STRIPES = '''
import torch
from grader.toolkit.datasets import ImageDataset


def load_stripes(split, data_root, download):
    """Stripes: two classes of 1 x 4 x 4 images."""
    labels = torch.arange(6) % 2
    images = (labels.view(-1, 1, 1, 1) * 255).to(torch.uint8).expand(-1, 1, 4, 4).contiguous()
    return ImageDataset(images, labels, (0.5,), (0.5,), "stripes")


DATASETS = {"stripes": load_stripes}
'''


def module(folder, text, name="datasets.py"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_an_assignment_module_adds_datasets_by_name(tmp_path):
    path = module(tmp_path / "hw", STRIPES)
    assert datasets.register_module(path) == ["stripes"]
    stripes = get_dataset("stripes", "heldout")
    assert stripes.labels.tolist() == [0, 1, 0, 1, 0, 1] and stripes.source == "stripes"
    assert datasets.register_module(path) == ["stripes"]  # the same file again: reloaded
    described = datasets.describe()["stripes"]
    assert described == f"Stripes: two classes of 1 x 4 x 4 images. (from {path})"


@pytest.mark.parametrize("text, problem", [
    ("DATASETS = {}", "define DATASETS = {\"name\": loader, ...}"),
    ("DATASETS = {'mnist': lambda split, root, download: None}",
     "'mnist' is a built-in dataset; choose another name"),
    ("DATASETS = {'odd': lambda split: None}",
     "DATASETS['odd'] must be a function loader(split, data_root, download)"),
    ("import helpers_beside_it",
     "ModuleNotFoundError: No module named 'helpers_beside_it' (it is loaded on its own"),
])
def test_a_wrong_module_is_refused_with_what_to_fix(tmp_path, text, problem):
    with pytest.raises(ValueError) as info:
        datasets.register_module(module(tmp_path / "hw", text))
    assert problem in str(info.value) and str(tmp_path / "hw" / "datasets.py") in str(info.value)
    assert "odd" not in datasets.REGISTRY


def test_two_files_cannot_register_the_same_name(tmp_path):
    first = module(tmp_path / "a", STRIPES)
    datasets.register_module(first)
    with pytest.raises(ValueError, match=f"'stripes' is already registered by {first}"):
        datasets.register_module(module(tmp_path / "b", STRIPES))

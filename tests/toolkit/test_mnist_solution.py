"""The reference solution of mnist_nets meets the interface its docstrings promise."""

import pytest
import torch
import torch.nn.functional as F
from mnist_solution import load
from PIL import Image
from torch.utils.data import DataLoader, TensorDataset

from grader.toolkit.complexity import model_size_bytes

models, data, train, metrics = (load(name) for name in ("models", "data", "train", "metrics"))


@pytest.fixture
def batches():
    g = torch.Generator().manual_seed(0)
    images, labels = torch.randn(10, 1, 28, 28, generator=g), torch.arange(10)
    return images, labels, DataLoader(TensorDataset(images, labels), batch_size=4)  # 4, 4, 2


@pytest.mark.parametrize("make", [models.LogisticRegression, models.SimpleFC, models.SimpleCNN,
                                  lambda: models.SimpleCNN(batch_norm=True)])
def test_models_map_images_to_logits(make):
    assert make()(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_dropout_only_in_training_mode():
    model = models.SimpleFC(dropout=0.5)
    x = torch.randn(4, 1, 28, 28)
    model.eval()
    assert torch.equal(model(x), model(x))
    model.train()
    assert not torch.equal(model(x), model(x))


def test_transforms():
    image = Image.fromarray(torch.tensor([0, 255], dtype=torch.uint8).repeat(28, 14).numpy())
    plain, normalized = data.get_transforms(False)(image), data.get_transforms(True)(image)
    assert plain.shape == (1, 28, 28) and plain.min() == 0 and plain.max() == 1
    assert torch.allclose(normalized, (plain - 0.1307) / 0.3081)


def test_train_one_epoch_weights_batches_by_size(batches):
    images, labels, loader = batches
    model = models.LogisticRegression()
    # lr = 0 keeps the model fixed, so the epoch's figures equal a full-batch pass.
    loss, accuracy = train.train_one_epoch(model, loader, torch.optim.SGD(model.parameters(), lr=0),
                                           torch.device("cpu"))
    logits = model(images)
    assert loss == pytest.approx(F.cross_entropy(logits, labels).item(), rel=1e-5)
    assert accuracy == pytest.approx((logits.argmax(1) == labels).float().mean().item())
    assert isinstance(loss, float) and isinstance(accuracy, float) and model.training


def test_train_one_epoch_updates_the_model(batches):
    model = models.LogisticRegression()
    before = model.linear.weight.clone()
    train.train_one_epoch(model, batches[2], torch.optim.SGD(model.parameters(), lr=0.1), "cpu")
    assert not torch.equal(before, model.linear.weight)


def test_evaluate_in_eval_mode_without_gradients(batches):
    images, labels, loader = batches
    model = models.SimpleFC(dropout=0.5)
    loss, accuracy = train.evaluate(model, loader, torch.device("cpu"))
    with torch.no_grad():
        logits = model(images)
    assert not model.training and all(p.grad is None for p in model.parameters())
    assert loss == pytest.approx(F.cross_entropy(logits, labels).item(), rel=1e-5)
    assert 0.0 <= accuracy <= 1.0


@pytest.mark.filterwarnings("ignore:distutils:DeprecationWarning")  # inside thop
def test_metrics(tmp_path):
    model = models.SimpleCNN(batch_norm=True)
    assert metrics.count_parameters(model) == 50_250
    assert metrics.model_size_mb(model) == model_size_bytes(model) / 2**20
    path = tmp_path / "model.pt"
    assert metrics.saved_model_size_kb(model, str(path)) == path.stat().st_size / 1024
    assert metrics.count_macs(model, (1, 1, 28, 28)) == 3_894_912
    assert not any("total_ops" in key for key in model.state_dict())
    assert metrics.inference_time_ms_per_image(model, torch.zeros(8, 1, 28, 28), "cpu") > 0


def test_peak_gpu_memory_on_cpu_is_zero_and_still_runs_fn():
    calls = []
    if torch.cuda.is_available():
        pytest.skip("CPU behaviour")
    assert metrics.peak_gpu_memory_mb(lambda: calls.append(1)) == 0.0 and calls == [1]

import inspect
import math
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from grader.toolkit.datasets import embedded_mnist
from grader.toolkit.training import Recipe, batch_indices, predict, train

RECIPE = Recipe(optimizer="sgd", lr=0.05, momentum=0.9, batch_size=64, epochs=2)


@pytest.fixture(scope="module")
def mnist():
    part = embedded_mnist("train")
    return SimpleNamespace(images=part.images[:1000], labels=part.labels[:1000],
                           heldout=embedded_mnist("heldout"), mean=part.mean, std=part.std)


def small_cnn(seed=0, dropout=0.0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4),
                         nn.Flatten(), nn.Dropout(dropout), nn.Linear(8 * 7 * 7, 10))


def run(mnist, model, seed=0, recipe=RECIPE, **kwargs):
    kwargs.setdefault("eval_images", mnist.heldout.images)
    return train(model, recipe=recipe, train_images=mnist.images, train_labels=mnist.labels,
                 seed=seed, mean=mnist.mean, std=mnist.std, progress=False, **kwargs)


def test_same_seed_same_run_bit_for_bit(mnist):
    first, second = run(mnist, small_cnn(dropout=0.3)), run(mnist, small_cnn(dropout=0.3))
    assert first.loss_curve == second.loss_curve
    assert torch.equal(first.predictions, second.predictions)


def test_another_seed_another_order(mnist):
    assert run(mnist, small_cnn(), seed=0).loss_curve != run(mnist, small_cnn(), seed=1).loss_curve


def test_budget_in_epochs_or_steps(mnist):
    assert len(run(mnist, small_cnn()).loss_curve) == 2 * math.ceil(1000 / 64)
    steps = Recipe(batch_size=64, epochs=5, steps=20)
    assert len(run(mnist, small_cnn(), recipe=steps).loss_curve) == 20


def test_learns_and_predicts_every_heldout_image(mnist):
    result = run(mnist, small_cnn())
    assert result.predictions.dtype == torch.int64 and result.predictions.shape == (2000,)
    assert result.loss_curve[-1] < result.loss_curve[0] / 3
    assert (result.predictions == mnist.heldout.labels).float().mean() > 0.8
    assert result.seconds > 0


def test_heldout_labels_never_enter_the_harness(mnist):
    label_params = [p for p in inspect.signature(train).parameters if "label" in p]
    assert label_params == ["train_labels"]
    # Predicting the held-out images must not change training, and must equal
    # plain eval-mode predictions of the trained model.
    model = small_cnn(dropout=0.3)
    with_eval = run(mnist, model)
    without_eval = run(mnist, small_cnn(dropout=0.3), eval_images=None)
    assert with_eval.loss_curve == without_eval.loss_curve and without_eval.predictions is None
    assert torch.equal(with_eval.predictions,
                       predict(model, mnist.heldout.images, mean=mnist.mean, std=mnist.std))


def test_float_images_equal_uint8_images(mnist):
    as_uint8 = run(mnist, small_cnn())
    as_float = train(small_cnn(), recipe=RECIPE, train_images=mnist.images.float() / 255,
                     train_labels=mnist.labels, mean=mnist.mean, std=mnist.std, progress=False)
    assert as_uint8.loss_curve == as_float.loss_curve


def test_every_epoch_sees_every_sample_once():
    recipe = Recipe(batch_size=3, epochs=2)
    batches = list(batch_indices(10, recipe, torch.Generator().manual_seed(0), "cpu"))
    assert [len(b) for b in batches] == [3, 3, 3, 1] * 2
    epochs = torch.cat(batches[:4]), torch.cat(batches[4:])
    assert all(sorted(e.tolist()) == list(range(10)) for e in epochs)
    assert not torch.equal(*epochs)


def test_global_flags_are_restored(mnist):
    run(mnist, small_cnn(), recipe=Recipe(steps=1))
    assert not torch.are_deterministic_algorithms_enabled()


def test_recipe_from_dict():
    assert Recipe.from_dict({"optimizer": "adam", "lr": 1e-3}) == Recipe(optimizer="adam", lr=1e-3)
    assert isinstance(Recipe(optimizer="adam").make_optimizer([nn.Parameter(torch.ones(1))]),
                      torch.optim.Adam)
    with pytest.raises(ValueError, match="unknown recipe keys"):
        Recipe.from_dict({"learning_rate": 0.1})
    with pytest.raises(ValueError, match="optimizer"):
        Recipe(optimizer="lbfgs")
    with pytest.raises(ValueError, match="positive"):
        Recipe(batch_size=0)


def test_rejects_bad_labels(mnist):
    with pytest.raises(ValueError, match="int64"):
        train(small_cnn(), recipe=RECIPE, train_images=mnist.images,
              train_labels=mnist.labels.float(), progress=False)

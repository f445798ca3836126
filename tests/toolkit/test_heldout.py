"""Secret order and noisy copies: a real model passes, a lookup table cannot line up."""

import torch

from grader.toolkit.heldout import MIN_AGREEMENT, disguise


def images(n=200, seed=0):
    return torch.randint(0, 256, (n, 1, 8, 8), generator=torch.Generator().manual_seed(seed),
                         dtype=torch.uint8)


def brightness_model(x: torch.Tensor) -> torch.Tensor:
    """A 'real' model: predicts from smooth image statistics."""
    return (x.double().mean(dim=(1, 2, 3)) / 256 * 10).long().clamp(0, 9)


def test_a_real_model_gets_its_own_predictions_back_in_order():
    x = images()
    disguised = disguise(x, seed=5)
    assert len(disguised.images) == 240 and int(disguised.is_copy.sum()) == 40
    predictions, agreement = disguised.unscramble(brightness_model(disguised.images))
    assert torch.equal(predictions, brightness_model(x))
    assert agreement >= MIN_AGREEMENT


def test_the_order_is_secret_and_depends_on_the_seed():
    x = images()
    first, second = disguise(x, seed=1), disguise(x, seed=2)
    assert not torch.equal(first.source, second.source)
    assert torch.equal(disguise(x, seed=1).images, first.images)  # deterministic per seed


def test_a_label_list_in_the_public_order_scores_like_chance():
    x = images(500)
    labels = brightness_model(x)
    disguised = disguise(x, seed=3)
    stored = torch.cat([labels, labels[:len(disguised.images) - len(labels)]])
    predictions, _ = disguised.unscramble(stored)
    assert (predictions == labels).double().mean() < 0.5


def test_a_table_keyed_on_exact_bytes_gives_itself_away():
    x = images(500)
    labels = brightness_model(x)
    table = {bytes(img.numpy()): int(label) for img, label in zip(x, labels)}
    disguised = disguise(x, seed=4)
    answers = torch.tensor([table.get(bytes(img.numpy()), 0) for img in disguised.images])
    predictions, agreement = disguised.unscramble(answers)
    assert torch.equal(predictions, labels)  # the originals are answered perfectly...
    assert agreement < MIN_AGREEMENT         # ...but the copies are not


def test_float_images_stay_in_range():
    x = torch.rand(50, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    shown = disguise(x, seed=0).images
    assert shown.dtype == x.dtype and shown.min() >= 0 and shown.max() <= 1

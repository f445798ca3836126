"""Writes the graded artifacts of the reference, and the images students predict.

    .venv/bin/python assignments/cifar_resnet/make_artifacts.py [--steps N] [--secret-files]

- ``solutions/cifar_resnet/resnet20.safetensors``: the reference ResNet-20 (option A)
  trained on 20,000 images of the stand-in's training stream with the grader's harness
  (Adam 1e-3, batch 64, ``--steps``, default 400, seed 661): deterministic on a CPU; 0.15 s
  a step on 2 idle cores (94 s in all), several times that on a busy machine. It reached
  0.54 on the test images; the thresholds in assignment.toml are 0.45.
- ``solutions/cifar_resnet/predictions.csv``: that network's predictions for the test
  images, written by the reference's ``write_predictions``.
- ``assignments/cifar_resnet/test_images.safetensors``: the test images (uint8, no labels;
  the student template ships them), drawn from the course's grading secret. Their labels
  exist only in the judge's datasets.py, for whoever holds the secret.

Run it again after changing the stand-in or the reference's models; it prints the
held-out accuracy of the checkpoint, which the thresholds in assignment.toml must stay under.
``--secret-files`` writes only what depends on the grading secret (the images and the
reference's predictions of them, from the saved checkpoint, in seconds): ``grader build
--new-secret`` runs it through ``[secret_files] make``.
"""

import argparse
import importlib.util
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from grader.toolkit.datasets.base import to_float
from grader.toolkit.recipe import Recipe
from grader.toolkit.training import predict, train

HERE = Path(__file__).resolve().parent
SOLUTION = HERE.parents[1] / "solutions" / "cifar_resnet"
SEED = 661
TRAIN_IMAGES = 20_000  # the stand-in's training stream (seed 1), more of it than grading uses


def _save(tensors: dict, path: Path, **metadata) -> None:
    save_file(tensors, str(path), metadata=metadata or None)
    path.chmod(0o644)  # save_file writes 0600; the zips and a sandboxed worker read these


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=400)  # what the shipped files used
    parser.add_argument("--secret-files", action="store_true",
                        help="only the files drawn from the grading secret: the test images "
                             "and the reference's predictions.csv (no training)")
    args = parser.parse_args()
    datasets = _module(HERE / "datasets.py", "cifar_resnet_datasets")
    sys.path.insert(0, str(SOLUTION))
    import models  # the reference's
    import predict as reference_predict

    test = datasets.test_split()
    _save({"images": test.images.contiguous()}, datasets.PUBLIC_TEST_IMAGES,
          format="uint8 N x 3 x 32 x 32, pixels 0-255; Id = row index")
    model = models.ResNet20("A")
    if args.secret_files:
        model.load_state_dict(load_file(str(SOLUTION / "resnet20.safetensors")))
    else:
        _train(model, datasets, args.steps)
    held = predict(model, test.images, mean=test.mean, std=test.std)
    print(f"checkpoint accuracy on the test images: {(held == test.labels).float().mean():.4f}")
    reference_predict.write_predictions(model, to_float(test.images, test.mean, test.std),
                                        str(SOLUTION / "predictions.csv"))


def _train(model, datasets, steps: int) -> None:
    """Train the reference ResNet-20 and save its checkpoint."""
    images, labels = datasets._generator().generate(TRAIN_IMAGES, 1)
    train_split = datasets.ImageDataset(images, labels, datasets.CIFAR_MEAN, datasets.CIFAR_STD,
                                        "cifar10-standin")
    torch.manual_seed(SEED)
    recipe = Recipe(optimizer="adam", lr=1e-3, batch_size=64, steps=steps)
    result = train(model, recipe=recipe, train_images=train_split.images,
                   train_labels=train_split.labels, mean=train_split.mean, std=train_split.std,
                   seed=SEED)
    print(f"trained {steps} steps in {result.seconds:.0f} s; "
          f"last losses {result.loss_curve[-5:]}")
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    _save(state, SOLUTION / "resnet20.safetensors")


if __name__ == "__main__":
    main()

"""Benchmark: grader.toolkit.training's tensor harness against the DataLoader loop a student writes.

Same model (SimpleCNN by default), same initial weights, same recipe, one
epoch on the embedded MNIST train split (8,000 images). Baselines:

- ``per-sample``: what torchvision.datasets.MNIST does for each sample (uint8
  array -> PIL image -> ToTensor -> Normalize) behind a DataLoader, trained
  with the reference ``train_one_epoch``;
- ``tensor-loader``: pre-normalized float tensors in a TensorDataset behind a
  DataLoader, same loop (what the data pipeline costs without PIL).

Usage: python bench/bench_training.py [--device cpu|cuda] [--epochs 1] [--model SimpleCNN]
       [--repeats 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset, TensorDataset

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "solutions" / "mnist_nets")]

import models
from data import get_transforms
from train import train_one_epoch

from grader.toolkit.datasets import embedded_mnist
from grader.toolkit.training import Recipe, synchronize, train

RECIPE = Recipe(optimizer="sgd", lr=0.01, momentum=0.9, batch_size=128, epochs=1)


class PerSampleMNIST(Dataset):
    """Decodes one sample at a time, as torchvision.datasets.MNIST.__getitem__ does."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor):
        self.images, self.labels = images[:, 0], labels
        self.transform = get_transforms(normalize=True)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        image = Image.fromarray(self.images[i].numpy())  # mode "L"
        return self.transform(image), int(self.labels[i])


def fresh_model(name: str, initial: dict) -> torch.nn.Module:
    model = getattr(models, name)()
    model.load_state_dict(initial)
    return model


def loader_seconds(dataset: Dataset, initial: dict, args) -> float:
    device = args.device
    model = fresh_model(args.model, initial).to(device)
    optimizer = RECIPE.make_optimizer(model.parameters())
    loader = DataLoader(dataset, batch_size=RECIPE.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    synchronize(device)
    start = time.perf_counter()
    for _ in range(args.epochs):
        train_one_epoch(model, loader, optimizer, torch.device(device))
    synchronize(device)
    return time.perf_counter() - start


def harness_seconds(data, initial: dict, args) -> float:
    recipe = dataclasses.replace(RECIPE, epochs=args.epochs)
    result = train(fresh_model(args.model, initial), recipe=recipe, train_images=data.images,
                   train_labels=data.labels, device=args.device, seed=0, mean=data.mean,
                   std=data.std, progress=False)
    return result.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="SimpleCNN",
                        choices=["SimpleCNN", "SimpleFC", "LogisticRegression"])
    args = parser.parse_args()

    data = embedded_mnist("train")
    torch.manual_seed(0)
    initial = getattr(models, args.model)().state_dict()
    normalized = TensorDataset(data.normalized(), data.labels)
    # Warm up kernels (and CUDA context) so that neither side pays for them.
    harness_seconds(data, initial, args)

    runs = {
        "harness": lambda: harness_seconds(data, initial, args),
        "per-sample": lambda: loader_seconds(PerSampleMNIST(data.images, data.labels), initial,
                                             args),
        "tensor-loader": lambda: loader_seconds(normalized, initial, args),
    }
    # Median of a few runs: CI machines are shared and single runs are noisy.
    times = {name: statistics.median(run() for _ in range(args.repeats))
             for name, run in runs.items()}
    print(f"torch {torch.__version__}, device {args.device}, {torch.get_num_threads()} threads, "
          f"{args.model}, {len(data)} images, {args.epochs} epoch(s), "
          f"median of {args.repeats}, {RECIPE}")
    for name, seconds in times.items():
        print(f"{name:>14}: {seconds:7.2f} s   harness speed-up x{seconds / times['harness']:.2f}")


if __name__ == "__main__":
    main()

"""`grader calibrate`: accuracy thresholds from the reference, trained over several seeds.

Reads the assignment's training setup, the same one its accuracy tests use:

    [training]                         # grader.training.Recipe fields, and the dataset
    dataset = "mnist-embedded"
    optimizer = "adam"
    lr = 0.001
    batch_size = 64
    epochs = 2

    [training.SimpleCNN]               # optional: one model's own budget
    steps = 100

    [calibration]
    models = ["models.SimpleCNN"]      # reference constructors, called without arguments
    margin = 0.02                      # threshold = worst seed's accuracy - margin

and writes `[thresholds.<device>]` (one entry per model, keyed by its name, as
tests read `config["thresholds"][device.type][name]`) and
`[calibration.<device>]` (seeds, torch version, per-model statistics).
Other keys of those tables, and the rest of the file, are kept.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import tomllib
from dataclasses import dataclass

import torch

from grader.authoring.project import Project, imported
from grader.authoring.tomltext import replace_tables
from grader.config import CONFIG_NAME, Assignment, ConfigError
from grader.datasets import get_dataset
from grader.training import Recipe, train

DEFAULT_MARGIN = 0.02


@dataclass(frozen=True)
class Run:
    model: str
    seed: int
    accuracy: float
    seconds: float


def recipe_of(assignment: Assignment, model: str) -> tuple[Recipe, str]:
    """The model's budget: [training]'s Recipe fields, updated by a [training.<model>] table."""
    training = assignment.config.get("training", {})
    if "dataset" not in training:
        raise ConfigError(f"{assignment.name}: calibration needs [training] dataset = ...")
    names = {f.name for f in dataclasses.fields(Recipe)}
    recipe = {k: v for k, v in training.items() if k in names}
    return Recipe.from_dict({**recipe, **training.get(model, {})}), training["dataset"]


def models_of(assignment: Assignment) -> list[str]:
    models = assignment.config.get("calibration", {}).get("models", [])
    if not models or not all(isinstance(m, str) and m.count(".") == 1 for m in models):
        raise ConfigError(f"{assignment.name}: [calibration] models must list the reference's "
                          "constructors as \"module.Name\"")
    return list(models)


def seeds_for(assignment: Assignment, count: int) -> list[int]:
    return [assignment.seed + i for i in range(count)]


def run(project: Project, assignment: Assignment, seeds: list[int], device: str,
        report=print) -> list[Run]:
    """Train every model once per seed on the train split; accuracy on the held-out split."""
    runs = []
    with imported(project.reference(assignment), assignment.modules) as reference:
        for spec in models_of(assignment):
            module, name = spec.split(".")
            recipe, dataset = recipe_of(assignment, name)
            train_set, heldout = get_dataset(dataset, "train"), get_dataset(dataset, "heldout")
            for seed in seeds:
                torch.manual_seed(seed)  # the initial weights
                model = getattr(getattr(reference, module), name)()
                result = train(model, recipe=recipe, train_images=train_set.images,
                               train_labels=train_set.labels, eval_images=heldout.images,
                               mean=train_set.mean, std=train_set.std, device=device, seed=seed,
                               progress=False)
                accuracy = (result.predictions == heldout.labels).double().mean().item()
                runs.append(Run(name, seed, accuracy, result.seconds))
                report(f"  {name:<24} seed {seed:<6} accuracy {accuracy:.4f}  "
                       f"{result.seconds:7.2f} s")
    return runs


def summarize(runs: list[Run], margin: float) -> dict[str, dict]:
    """Per model: min/mean/max accuracy, mean seconds and the suggested threshold."""
    summary = {}
    for name in dict.fromkeys(r.model for r in runs):
        accuracies = [r.accuracy for r in runs if r.model == name]
        summary[name] = {
            "accuracy_min": round(min(accuracies), 4),
            "accuracy_mean": round(statistics.fmean(accuracies), 4),
            "accuracy_max": round(max(accuracies), 4),
            "seconds_mean": round(statistics.fmean(r.seconds for r in runs if r.model == name),
                                  3),
            # Floored to 3 decimals: a rounded-up threshold could fail the reference itself.
            "threshold": math.floor((min(accuracies) - margin) * 1000) / 1000,
        }
    return summary


def write(assignment: Assignment, device: str, seeds: list[int], margin: float,
          summary: dict[str, dict]) -> str:
    """Rewrite the thresholds and calibration tables of assignment.toml; return the new text."""
    path = assignment.root / CONFIG_NAME
    text = path.read_text()
    config = tomllib.loads(text)
    thresholds = config.get("thresholds", {})
    thresholds[device] = {**thresholds.get(device, {}),
                          **{name: s["threshold"] for name, s in summary.items()}}
    calibration = config.get("calibration", {})
    calibration[device] = {
        "seeds": seeds, "margin": margin, "torch_version": torch.__version__,
        **{name: {k: v for k, v in s.items() if k != "threshold"} for name, s in summary.items()},
    }
    text = replace_tables(text, {"thresholds": thresholds, "calibration": calibration})
    path.write_text(text)
    return text


def calibrate(project: Project, name: str, seeds: int, device: str, report=print) -> dict:
    assignment = project.assignment(name)
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda, but this machine has no usable CUDA device")
    margin = float(assignment.config.get("calibration", {}).get("margin", DEFAULT_MARGIN))
    chosen = seeds_for(assignment, seeds)
    report(f"calibrating {name} on {device} over seeds {chosen}")
    summary = summarize(run(project, assignment, chosen, device, report), margin)
    for model, s in summary.items():
        report(f"{model:<24} accuracy min {s['accuracy_min']:.4f} mean {s['accuracy_mean']:.4f} "
               f"max {s['accuracy_max']:.4f}  time {s['seconds_mean']:.2f} s  "
               f"-> threshold {s['threshold']:.3f}")
    write(assignment, device, chosen, margin, summary)
    report(f"wrote [thresholds.{device}] and [calibration.{device}] to "
           f"{assignment.root / CONFIG_NAME}")
    return summary

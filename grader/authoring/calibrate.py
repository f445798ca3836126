"""`grader calibrate`: accuracy thresholds from the reference, trained over several seeds.

Reads the assignment's training setup, the same one its accuracy tests use
(`Assignment.recipe`):

    [training]                         # grader.toolkit.training.Recipe fields, and the dataset
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
    controls = ["controls.Linear"]     # optional negative controls (see below)

and writes `[thresholds.<device>]` (one entry per model, keyed by its name, as
tests read `config["thresholds"][device.type][name]`) and
`[calibration.<device>]` (seeds, torch version, per-model statistics).
Other keys of those tables, and the rest of the file, are kept.

A negative control is a wrong model (a reference module's class, or a class in
a module beside assignment.toml) that an accuracy test must fail. Each is
trained like the model it stands in for, with that model's budget, over the
same seeds; calibration refuses to write a threshold that any control reaches
on any seed, and says by how much it fails.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from contextlib import ExitStack
from dataclasses import dataclass
from types import SimpleNamespace

import torch

from grader.authoring.project import Project, imported
from grader.authoring.tomltext import replace_tables
from grader.judge import config as configs
from grader.judge.config import Assignment, ConfigError
from grader.toolkit.datasets import get_dataset
from grader.toolkit.training import train


class CalibrationRefused(Exception):
    """The thresholds would not separate the reference from a negative control."""


@dataclass(frozen=True)
class Run:
    model: str                  # the model whose budget (and threshold) this run is about
    seed: int
    accuracy: float
    seconds: float
    control: str | None = None  # the negative control trained in its place, if any


def models_of(assignment: Assignment) -> list[str]:
    models = list(assignment.settings.calibration.models)
    if not models:
        raise ConfigError(f"{assignment.path}: [calibration] models must list the reference's "
                          "constructors as \"module.Name\"")
    return models


def seeds_for(assignment: Assignment, count: int) -> list[int]:
    return [assignment.seed + i for i in range(count)]


def constructors(project: Project, assignment: Assignment, stack: ExitStack) -> SimpleNamespace:
    """The modules that models and controls name: the reference's, then those beside the config.

    Imported for the lifetime of `stack`.
    """
    reference = stack.enter_context(imported(project.reference(assignment), assignment.modules))
    local = sorted({spec.split(".")[0] for spec in assignment.settings.calibration.all_controls}
                   - set(assignment.modules))
    missing = [m for m in local if not (assignment.root / f"{m}.py").is_file()]
    if missing:
        raise ConfigError(f"{assignment.path}: [calibration] controls: no module {missing[0]!r} "
                          "in the reference or beside assignment.toml")
    beside = stack.enter_context(imported(assignment.root, local)) if local else SimpleNamespace()
    return SimpleNamespace(**vars(reference), **vars(beside))


def run(project: Project, assignment: Assignment, seeds: list[int], device: str,
        report=print) -> list[Run]:
    """Train every model, and its controls, once per seed; accuracy on the held-out split."""
    dataset = assignment.settings.training.dataset
    if dataset is None:
        raise ConfigError(f"{assignment.path}: [training] dataset: calibration needs the "
                          "dataset the accuracy tests train on")
    train_set, heldout = get_dataset(dataset, "train"), get_dataset(dataset, "heldout")
    calibration = assignment.settings.calibration
    runs = []
    with ExitStack() as stack:
        modules = constructors(project, assignment, stack)
        for spec in models_of(assignment):
            name = spec.split(".")[1]
            for built, control in [(spec, None)] + [(c, c) for c in calibration.controls_for(name)]:
                module, cls = built.split(".")
                for seed in seeds:
                    torch.manual_seed(seed)  # the initial weights
                    model = getattr(getattr(modules, module), cls)()
                    result = train(model, recipe=assignment.recipe(name),
                                   train_images=train_set.images, train_labels=train_set.labels,
                                   eval_images=heldout.images, mean=train_set.mean,
                                   std=train_set.std, device=device, seed=seed, progress=False)
                    accuracy = (result.predictions == heldout.labels).double().mean().item()
                    runs.append(Run(name, seed, accuracy, result.seconds, control))
                    role = f"  (negative control for {name})" if control else ""
                    report(f"  {cls:<24} seed {seed:<6} accuracy {accuracy:.4f}  "
                           f"{result.seconds:7.2f} s{role}")
    return runs


def summarize(runs: list[Run], margin: float) -> dict[str, dict]:
    """Per model: min/mean/max accuracy, mean seconds, the suggested threshold, and the best
    accuracy of its negative controls (when it has some)."""
    summary = {}
    for name in dict.fromkeys(r.model for r in runs):
        own = [r for r in runs if r.model == name and r.control is None]
        accuracies = [r.accuracy for r in own]
        summary[name] = {
            "accuracy_min": round(min(accuracies), 4),
            "accuracy_mean": round(statistics.fmean(accuracies), 4),
            "accuracy_max": round(max(accuracies), 4),
            "seconds_mean": round(statistics.fmean(r.seconds for r in own), 3),
            # Floored to 3 decimals: a rounded-up threshold could fail the reference itself.
            "threshold": math.floor((min(accuracies) - margin) * 1000) / 1000,
        }
        controls = [r.accuracy for r in runs if r.model == name and r.control]
        if controls:
            summary[name]["control_max"] = round(max(controls), 4)
    return summary


def unseparated(runs: list[Run], summary: dict[str, dict]) -> list[str]:
    """Why each control that reaches its model's threshold on some seed is not separated."""
    problems = []
    for best in _best_control_runs(runs):
        stats = summary[best.model]
        threshold = stats["threshold"]
        if best.accuracy < threshold:
            continue
        gap = stats["accuracy_min"] - best.accuracy
        advice = (f"a margin below {gap:.4f} would separate them" if gap > 0 else
                  f"no margin can: the reference's worst seed ({stats['accuracy_min']:.4f}) is "
                  "not above it; make the budget or the test tell them apart")
        problems.append(
            f"negative control {best.control} reached {best.accuracy:.4f} (seed {best.seed}) "
            f"with {best.model}'s budget; the threshold {threshold:.3f} fails to separate it "
            f"by {best.accuracy - threshold:.4f} ({advice})")
    return problems


def _best_control_runs(runs: list[Run]) -> list[Run]:
    best: dict[tuple[str, str], Run] = {}
    for r in runs:
        key = (r.model, r.control)
        if r.control and (key not in best or r.accuracy > best[key].accuracy):
            best[key] = r
    return list(best.values())


def write(assignment: Assignment, device: str, seeds: list[int], margin: float,
          summary: dict[str, dict]) -> str:
    """Rewrite the thresholds and calibration tables of assignment.toml; return the new text."""
    path = assignment.path
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
    configs.load.cache_clear()  # later reads in this process see the new thresholds
    return text


def calibrate(project: Project, name: str, seeds: int, device: str, report=print) -> dict:
    """Train, summarize, check the controls, and write the thresholds (or refuse)."""
    assignment = project.assignment(name)
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda, but this machine has no usable CUDA device")
    margin = assignment.settings.calibration.margin
    chosen = seeds_for(assignment, seeds)
    report(f"calibrating {name} on {device} over seeds {chosen}")
    runs = run(project, assignment, chosen, device, report)
    summary = summarize(runs, margin)
    for model, s in summary.items():
        controls = f"  controls max {s['control_max']:.4f}" if "control_max" in s else ""
        report(f"{model:<24} accuracy min {s['accuracy_min']:.4f} mean {s['accuracy_mean']:.4f} "
               f"max {s['accuracy_max']:.4f}  time {s['seconds_mean']:.2f} s  "
               f"-> threshold {s['threshold']:.3f}{controls}")
    problems = unseparated(runs, summary)
    if problems:
        raise CalibrationRefused(f"{assignment.path} left unchanged:\n  " + "\n  ".join(problems))
    write(assignment, device, chosen, margin, summary)
    report(f"wrote [thresholds.{device}] and [calibration.{device}] to {assignment.path}")
    return summary

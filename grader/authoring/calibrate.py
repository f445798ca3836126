"""`grader calibrate`: accuracy thresholds from correct models trained over many seeds.

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
    max_false_failure = 0.001          # the most a threshold may fail correct work (estimated)

and writes `[thresholds.<device>]` (one entry per model, keyed by its name, as
tests read `assignment.threshold(device, name, data)`; real data in
`[thresholds.<device>.<data>]`, grader.assignment.thresholds) and `[calibration.<device>]`
(the data and weights used, seeds, torch version, per-model statistics).
Other keys of those tables, and the rest of the file, are kept.

Each model is trained over the seeds as the reference writes it and as every
member of the fairness corpus (`test_submissions/valid_*`) writes it: these
are the correct designs a threshold must let through. A design is first trained
on the first seeds only; where it ends with the reference's trained weights on
each of them (the same numbers, however named), it computes what the reference
computes, and the reference's runs stand for its other seeds. For each design the
report gives the spread and the estimated chance that a correct run falls
below the threshold (`grader.authoring.tails`); a threshold whose estimate
exceeds `max_false_failure` for any design is refused, with advice.

A negative control is a wrong model (a reference module's class, or a class in
a module beside assignment.toml) that an accuracy test must fail. Each is
trained like the model it stands in for, with that model's budget, over the
same seeds; calibration refuses to write a threshold that any control reaches
on any seed, and reports the estimated chance that one would.

Everything trained here is trusted code (the reference, the corpus, the
controls), so it trains in this process's children, one seed per core, each
with its share of the cores' threads: the time of the trainings themselves.
"""

from __future__ import annotations

import ast
import hashlib
import multiprocessing
import os
import statistics
import tempfile
import tomllib
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import torch

from grader.assignment import Assignment, ConfigError, loading
from grader.assignment.thresholds import placed
from grader.authoring import tails
from grader.authoring.calibration_runs import (
    REFERENCE,
    Risk,
    Run,
    risks,
    summarize,
    too_risky,
    unseparated,
)
from grader.authoring.data import weights_used
from grader.authoring.project import Project, imported
from grader.authoring.selftest import corpus
from grader.authoring.tomltext import replace_tables
from grader.judge.files import stage
from grader.judge.registration import register_datasets
from grader.toolkit.datasets import get_dataset
from grader.toolkit.training import train


class CalibrationRefused(Exception):
    """The thresholds would fail correct work too often, or let a negative control pass."""


@dataclass(frozen=True)
class Job:
    """One training run: a model (or a control in its place) of one design, one seed."""

    model: str                  # the model whose budget (and threshold) this run is about
    build: str                  # "module.Class" to construct
    design: str                 # REFERENCE, a corpus member's folder name, or the control's
    folder: Path                # where the design's modules are
    seed: int
    control: str | None = None  # the negative control trained in the model's place, if any


def models_of(assignment: Assignment) -> list[str]:
    models = list(assignment.settings.calibration.models)
    if not models:
        raise ConfigError(f"{assignment.path}: [calibration] models must list the reference's "
                          "constructors as \"module.Name\"")
    return models


def check_specs(project: Project, assignment: Assignment) -> None:
    """Each model and control names a class its module defines: a misspelt name is a clear
    error now, not a traceback from a training process later."""
    table = assignment.settings.calibration
    for key, specs in (("models", models_of(assignment)), ("controls", table.all_controls)):
        for spec in specs:
            module, name = spec.split(".")
            folder = (project.reference(assignment) if module in assignment.modules
                      else assignment.root)
            path = folder / f"{module}.py"
            defined = _top_level_names(path) if path.is_file() else None
            if defined is None:
                raise ConfigError(f"{assignment.path}: [calibration] {key}: {spec!r}: no "
                                  f"{module}.py in {folder}")
            if name not in defined:
                raise ConfigError(f"{assignment.path}: [calibration] {key}: {spec!r}: "
                                  f"{path.name} defines no {name} (it defines "
                                  f"{', '.join(sorted(defined)) or 'nothing'})")


def _top_level_names(path: Path) -> set[str]:
    """The classes and functions a module defines or imports at its top level (read, not
    run)."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def seeds_for(assignment: Assignment, count: int) -> list[int]:
    return [assignment.seed + i for i in range(count)]


def jobs(project: Project, assignment: Assignment, seeds: list[int], staging: Path
         ) -> list[Job]:
    """Every model of every correct design, and every control, once per seed.

    Corpus members are staged into `staging` first, as grading stages them, so a member
    submitted as a notebook trains from its tagged cells.
    """
    designs = [(REFERENCE, project.reference(assignment))]
    designs += [(case.name, stage(case, assignment, staging / case.name).root)
                for case in corpus(assignment)]
    found = []
    for spec in models_of(assignment):
        name = spec.split(".")[1]
        for design, folder in designs:
            found += [Job(name, spec, design, folder, seed) for seed in seeds]
        for control in assignment.settings.calibration.controls_for(name):
            found += [Job(name, control, control, project.reference(assignment), seed, control)
                      for seed in seeds]
    return found


def constructors(assignment: Assignment, folder: Path, stack: ExitStack) -> SimpleNamespace:
    """The modules a job names: the design's, then those beside the config (controls).

    Imported for the lifetime of `stack`.
    """
    design = stack.enter_context(imported(folder, assignment.modules))
    local = sorted({spec.split(".")[0] for spec in assignment.settings.calibration.all_controls}
                   - set(assignment.modules))
    missing = [m for m in local if not (assignment.root / f"{m}.py").is_file()]
    if missing:
        raise ConfigError(f"{assignment.path}: [calibration] controls: no module {missing[0]!r} "
                          "in the reference or beside assignment.toml")
    beside = stack.enter_context(imported(assignment.root, local)) if local else SimpleNamespace()
    return SimpleNamespace(**vars(design), **vars(beside))


@cache
def _data(root: Path) -> tuple:
    """The assignment and its training and held-out splits, loaded once per process."""
    assignment = loading.load(root)
    register_datasets(assignment)
    dataset = assignment.settings.training.dataset
    if dataset is None:
        raise ConfigError(f"{assignment.path}: [training] dataset: calibration needs the "
                          "dataset the accuracy tests train on")
    return assignment, get_dataset(dataset, "train"), get_dataset(dataset, "heldout")


def train_one(root: Path, job: Job, device: str) -> Run:
    """Train one job's model with its budget; its accuracy on the held-out split."""
    assignment, train_set, heldout = _data(root)
    module, cls = job.build.split(".")
    with ExitStack() as stack:
        modules = constructors(assignment, job.folder, stack)
        torch.manual_seed(job.seed)  # the initial weights
        model = getattr(getattr(modules, module), cls)()
        result = train(model, recipe=assignment.recipe(job.model),
                       train_images=train_set.images, train_labels=train_set.labels,
                       eval_images=heldout.images, mean=train_set.mean, std=train_set.std,
                       device=device, seed=job.seed, progress=False)
    accuracy = (result.predictions == heldout.labels).double().mean().item()
    return Run(job.model, job.seed, accuracy, result.seconds, job.control, job.design,
               weights_digest(model))


def weights_digest(model: torch.nn.Module) -> str:
    """The trained numbers as a multiset: a design that names or orders its layers
    differently but computes the same has the same digest."""
    tensors = sorted(hashlib.sha256(t.detach().cpu().contiguous().numpy().tobytes()).hexdigest()
                     for t in model.state_dict().values())
    return hashlib.sha256("".join(tensors).encode()).hexdigest()


def _threads(count: int) -> None:
    torch.set_num_threads(count)


GPU_PROCESSES = 4  # the assignments' models leave most of one GPU idle: share it


def parallel(device: str, jobs_count: int) -> int:
    """Processes to train in: one per core on a CPU, a few sharing a GPU; never more than
    the jobs."""
    cores = len(os.sched_getaffinity(0))
    return max(1, min(cores if device == "cpu" else min(cores, GPU_PROCESSES), jobs_count))


PROBES = 2  # the seeds a corpus design trains on before it may borrow the reference's runs


def run(project: Project, assignment: Assignment, seeds: list[int], device: str,
        report=print) -> list[Run]:
    """Train every job, one process per core; the runs in job order. A design that
    trains to the reference's weights on the first seeds borrows the reference's runs
    for the others (see the module's notes)."""
    _data(assignment.root)  # a missing dataset fails here, before any process starts
    with tempfile.TemporaryDirectory(prefix="grader-calibrate-") as staging:
        todo = jobs(project, assignment, seeds, Path(staging))
        first = [j for j in todo if j.design == REFERENCE or j.control or j.seed in seeds[:PROBES]]
        done = dict(zip(first, _train_all(assignment, first, device, report), strict=True))
        twins = _reference_twins(done, seeds[:PROBES])
        for model, design in twins:
            report(f"  {model:<24} {design}: the reference's trained weights on seeds "
                   f"{', '.join(map(str, seeds[:PROBES]))}: the reference's runs stand for it")
        rest = [j for j in todo if j not in done and (j.model, j.design) not in twins]
        done.update(zip(rest, _train_all(assignment, rest, device, report), strict=True))
    reference = _reference_runs(done)
    return [done.get(j) or replace(reference[j.model, j.seed], design=j.design, borrowed=True)
            for j in todo]


def _reference_runs(done: dict[Job, Run]) -> dict[tuple[str, int], Run]:
    """The reference's own runs, by model and seed."""
    return {(r.model, r.seed): r for r in done.values()
            if r.design == REFERENCE and not r.control}


def _reference_twins(done: dict[Job, Run], probes: list[int]) -> set[tuple[str, str]]:
    """(model, design) pairs whose runs on the probe seeds are the reference's, weights and
    accuracy alike."""
    reference = _reference_runs(done)
    found: dict[tuple[str, str], bool] = {}
    for job, r in done.items():
        if job.design == REFERENCE or job.control or job.seed not in probes:
            continue
        twin = reference[job.model, job.seed]
        same = (r.weights, r.accuracy) == (twin.weights, twin.accuracy)
        found[job.model, job.design] = found.get((job.model, job.design), True) and same
    return {pair for pair, same in found.items() if same}


def _train_all(assignment: Assignment, todo: list[Job], device: str, report) -> list[Run]:
    processes = parallel(device, len(todo))
    cores = len(os.sched_getaffinity(0))
    done: dict[Job, Run] = {}
    if processes == 1:
        for job in todo:
            done[job] = train_one(assignment.root, job, device)
            _report_run(done[job], report)
        return [done[job] for job in todo]
    # Spawned, not forked: the parent's torch has started its thread pools.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_threads,
                             initargs=(max(1, cores // processes),)) as pool:
        futures = {pool.submit(train_one, assignment.root, job, device): job for job in todo}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            _report_run(done[futures[future]], report)
    return [done[job] for job in todo]


def _report_run(r: Run, report) -> None:
    role = f"  (negative control for {r.model})" if r.control else (
        f"  ({r.design})" if r.design != REFERENCE else "")
    shown = r.control.split(".")[-1] if r.control else r.model
    report(f"  {shown:<24} seed {r.seed:<6} accuracy {r.accuracy:.4f}  "
           f"{r.seconds:7.2f} s{role}")


def write(assignment: Assignment, device: str, seeds: list[int], margin: float,
          summary: dict[str, dict], found: list[Risk]) -> str:
    """Rewrite the thresholds and calibration tables of assignment.toml; return the new text."""
    path = assignment.path
    text = path.read_text()
    config = tomllib.loads(text)
    data = _data(assignment.root)[1].source  # thresholds belong to the data trained on
    thresholds = placed(config.get("thresholds", {}), device, data,
                        {name: s["threshold"] for name, s in summary.items()})
    calibration = config.get("calibration", {})
    stats = {name: {k: v for k, v in s.items() if k != "threshold"}
             for name, s in summary.items()}
    for name, values in stats.items():
        worst = max((r.estimate.probability for r in found
                     if r.model == name and not r.control), default=None)
        if worst is not None:
            values["false_failure"] = float(f"{worst:.3g}")
    weights = weights_used(assignment)
    calibration[device] = {"dataset": data, **({"weights": weights} if weights else {}),
                           "seeds": seeds, "margin": margin, "torch_version": torch.__version__,
                           **stats}
    text = replace_tables(text, {"thresholds": thresholds, "calibration": calibration})
    path.write_text(text)
    loading.load.cache_clear()  # later reads in this process see the new thresholds
    return text


def markdown(assignment: Assignment, device: str, seeds: list[int], margin: float,
             summary: dict[str, dict], found: list[Risk], refused: list[str]) -> str:
    """The calibration report (docs/calibration/<name>.md)."""
    limit = assignment.settings.calibration.max_false_failure
    lines = [f"# Calibration of {assignment.name} on {device}", "",
             (f"`grader calibrate {assignment.name} --seeds {len(seeds)} --device {device}`: "
             f"seeds {seeds[0]}-{seeds[-1]}, margin {margin}, torch {torch.__version__}, "
             f"max_false_failure {limit:.2%}. Each row is one design trained over every seed "
             "with the model's budget; the estimate is the chance that one more run lands on "
             "the wrong side of the threshold (peaks over threshold, grader/authoring/tails.py; "
             "floored at one run in the count when the threshold lies among the runs). A "
             "design marked as the reference trained to the reference's very weights on the "
             f"first {PROBES} seeds; the reference's runs stand for its other seeds."), "",
             "| model | threshold | design | min | mean | max | sd | runs beyond | estimate |",
             "|---|---|---|---|---|---|---|---|---|"]
    for risk in found:
        design = (f"control {risk.design}" if risk.control else
                  f"{risk.design} (as the reference)" if risk.borrowed else risk.design)
        values = risk.accuracies
        lines.append(
            f"| {risk.model} | {summary[risk.model]['threshold']:.3f} | {design} | "
            f"{min(values):.4f} | {statistics.fmean(values):.4f} | {max(values):.4f} | "
            f"{statistics.stdev(values):.4f} | {risk.estimate.beyond}/{risk.estimate.runs} | "
            f"{risk.estimate.probability:.2e} |")
    verdict = (["", "**Refused:**", ""] + [f"- {problem}" for problem in refused]
               if refused else ["", "Written to assignment.toml."])
    return "\n".join(lines + verdict) + "\n"


def calibrate(project: Project, name: str, seeds: int, device: str, report=print,
              markdown_path: Path | None = None) -> dict:
    """Train, summarize, check the designs and the controls, and write the thresholds (or
    refuse). `markdown_path` receives the report either way."""
    assignment = project.assignment(name)
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda, but this machine has no usable CUDA device")
    if seeds < tails.MIN_RUNS:
        raise ConfigError(f"--seeds {seeds}: a false-failure rate needs at least "
                          f"{tails.MIN_RUNS} seeds")
    check_specs(project, assignment)
    margin = assignment.settings.calibration.margin
    chosen = seeds_for(assignment, seeds)
    report(f"calibrating {name} on {device} over seeds {chosen}")
    runs = run(project, assignment, chosen, device, report)
    summary = summarize(runs, margin)
    found = risks(runs, summary)
    for model, s in summary.items():
        controls = f"  controls max {s['control_max']:.4f}" if "control_max" in s else ""
        report(f"{model:<24} accuracy min {s['accuracy_min']:.4f} mean {s['accuracy_mean']:.4f} "
               f"max {s['accuracy_max']:.4f}  time {s['seconds_mean']:.2f} s  "
               f"-> threshold {s['threshold']:.3f}{controls}")
    for risk in found:
        kind = "passes" if risk.control else "fails"
        report(f"  {risk.model:<22} {risk.design:<28} {kind} {risk.estimate.beyond}/"
               f"{risk.estimate.runs}, estimated {risk.estimate.probability:.2e}")
    limit = assignment.settings.calibration.max_false_failure
    problems = unseparated(runs, summary) + too_risky(found, summary, limit)
    if markdown_path is not None:
        markdown_path.parent.mkdir(parents=True, exist_ok=True)
        markdown_path.write_text(markdown(assignment, device, chosen, margin, summary, found,
                                          problems))
    if problems:
        raise CalibrationRefused(f"{assignment.path} left unchanged:\n  " + "\n  ".join(problems))
    write(assignment, device, chosen, margin, summary, found)
    report(f"wrote [thresholds.{device}] and [calibration.{device}] to {assignment.path}")
    return summary

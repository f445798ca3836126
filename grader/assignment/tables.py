"""The tables of an `assignment.toml`, one frozen dataclass per table, and `parse`.

Every table and key an assignment.toml may hold is declared below. Parsing checks a
document against them (`checking`): an unknown table or key (a typo) or a value of the
wrong type is a ConfigError naming the table and the key, with the closest known key
when there is one. Nothing is ignored silently.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass, field
from typing import Any

from grader.assignment.checking import SUBTABLES, error, parse_table, unknown
from grader.assignment.errors import ConfigError
from grader.toolkit.recipe import Recipe

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
DEVICES = ("cpu", "cuda")  # device classes with thresholds of their own
MODEL_SPEC = re.compile(r"[A-Za-z_]\w*\.[A-Za-z_]\w*")  # "module.Class"


@dataclass(frozen=True)
class AssignmentTable:
    name: str | None = None                 # default: the folder's name
    title: str | None = None                # default: the name
    visibility: str = field(default="visible", metadata={"choices": VISIBILITIES})
    seed: int = 0
    reference: str | None = None            # the reference solution, relative to this file
    requirements: tuple[str, ...] = ()      # pip requirements beyond the course's
    public_tests_only: bool = False         # set in the student template's copy


@dataclass(frozen=True)
class SubmissionTable:
    files: tuple[str, ...] = ()             # the allow-list
    max_file_kb: int = 1024
    local: str | None = None                # where local runs find the code


@dataclass(frozen=True)
class WorkerTable:
    """Limits of the sandboxed worker; unset keys keep grader.sandbox.policy.Limits' defaults."""

    processes: int | None = None
    file_size_mb: int | None = None
    open_files: int | None = None
    tmp_mb: int | None = None
    memory_mb: int | None = None


@dataclass(frozen=True)
class GradingTable:
    time_budget_s: float = 540.0
    call_timeout_s: float = 120.0   # CPU seconds per CPU (grader.sandbox.process)
    call_wall_factor: float = 4.0   # a call's wall-clock cap, in call_timeout_s
    worker: WorkerTable = field(default_factory=WorkerTable)


def _recipe_fields(cls_name: str, *extra: tuple) -> type:
    """A table type holding Recipe's fields, each optional (None: not given), plus `extra`."""
    hints = typing.get_type_hints(Recipe)
    given = [(f.name, hints[f.name] | None, field(default=None))
             for f in dataclasses.fields(Recipe)]
    return dataclasses.make_dataclass(cls_name, [*given, *extra], frozen=True)


# [training.<Model>]: one model's budget over the shared one.
RecipeOverride = _recipe_fields("RecipeOverride")
# [training]: the shared budget of the accuracy tests and calibration, and the dataset.
TrainingTable = _recipe_fields(
    "TrainingTable", ("dataset", str | None, field(default=None)),
    ("models", dict[str, RecipeOverride], field(default_factory=dict, metadata=SUBTABLES)))


@dataclass(frozen=True)
class TemplateTable:
    public_tests: tuple[str, ...]           # test files students receive; the rest stay hidden
    public_data: tuple[str, ...] = ()       # data files those tests read


@dataclass(frozen=True)
class DataTable:
    datasets: tuple[str, ...] = ()          # loaded by `grader prepare`
    weights: tuple[str, ...] = ()           # weight files `grader prepare` fetches (by source)


@dataclass(frozen=True)
class ExtensionsTable:
    datasets: str | None = None             # a module beside this file: DATASETS = {name: loader}
    helpers: str | None = None              # a module of worker-side helper functions


@dataclass(frozen=True)
class SecretFilesTable:
    """[secret_files]: files drawn from the course's grading secret (grader.toolkit.secret)."""

    # A script beside assignment.toml, with its arguments, that writes them again for the
    # current secret; `grader build --new-secret` runs it with the project's Python.
    make: str | None = None


@dataclass(frozen=True)
class ModelStats:
    """[calibration.<device>.<Model>], written by `grader calibrate`."""

    accuracy_min: float | None = None
    accuracy_mean: float | None = None
    accuracy_max: float | None = None
    seconds_mean: float | None = None
    control_max: float | None = None        # the best negative control's best seed
    false_failure: float | None = None      # the worst design's estimated false-failure rate


@dataclass(frozen=True)
class CalibrationRun:
    """[calibration.<device>], written by `grader calibrate`: its latest run on that device."""

    dataset: str | None = None              # the data it trained on (an ImageDataset's source)
    weights: dict[str, str] = field(default_factory=dict)  # [data] weights present: sha256
    seeds: tuple[int, ...] = ()
    margin: float | None = None
    torch_version: str | None = None
    models: dict[str, ModelStats] = field(default_factory=dict, metadata=SUBTABLES)


@dataclass(frozen=True)
class CalibrationTable:
    models: tuple[str, ...] = ()            # reference constructors, "module.Class"
    # Negative controls, "module.Class": wrong models that must score below a model's threshold
    # when trained with its budget. A list: every model's; a table: {Model = [...]}.
    controls: tuple[str, ...] | dict[str, tuple[str, ...]] = ()
    margin: float = 0.02
    # The most a threshold may fail correct runs (estimated per design: grader.authoring.tails).
    max_false_failure: float = 0.001
    devices: dict[str, CalibrationRun] = field(
        default_factory=dict, metadata={**SUBTABLES, "keys": DEVICES})

    def controls_for(self, model: str) -> tuple[str, ...]:
        """The controls checked against `model` (a class name)."""
        if isinstance(self.controls, dict):
            return self.controls.get(model, ())
        return self.controls

    @property
    def model_names(self) -> list[str]:
        return [spec.split(".")[1] for spec in self.models]

    @property
    def all_controls(self) -> list[str]:
        lists = self.controls.values() if isinstance(self.controls, dict) else [self.controls]
        return list(dict.fromkeys(spec for specs in lists for spec in specs))


@dataclass(frozen=True)
class Equivalent:
    """[[mutation.equivalent]]: a mutant that cannot change behaviour, and why."""

    id: str
    reason: str


@dataclass(frozen=True)
class Design:
    """[[mutation.design]]: a function that is the student's own design within the course's
    rules (a net's layers, augmentation strengths), so that a mutant of it the tests accept
    is another valid design, not a wrong solution; and why."""

    function: str  # "file.py:Qualified.name", as the report names it
    reason: str


@dataclass(frozen=True)
class MutationTable:
    bar: float | None = None                # the mutation score `grader mutate` requires
    # A full run grades every mutant with the tests these pytest arguments select first
    # (e.g. ["-m", "not training"]); only the survivors are graded again with every test.
    prescreen: tuple[str, ...] = ()
    equivalent: tuple[Equivalent, ...] = ()
    design: tuple[Design, ...] = ()


ARTIFACT_KINDS = ("predictions", "checkpoint")
ARTIFACT_SUFFIXES = {"predictions": ".csv", "checkpoint": ".safetensors"}


@dataclass(frozen=True)
class ArtifactTable:
    """[artifacts.<name>]: an optional file the judge grades as data (grader.toolkit.artifacts).

    Staged beside the submission's modules when present (a pickled checkpoint of
    the same stem too, so that its test can refuse it by name); never required.
    """

    file: str                               # its name in the submission, e.g. "predictions.csv"
    kind: str = field(metadata={"choices": ARTIFACT_KINDS})
    max_kb: int = 1024                      # larger files are not staged
    how: str = ""                           # told to a submission without it: how to make it
    threshold: float | None = None          # the accuracy its test requires, when it has one
    # Accuracy on the secret test set is told to students only to this resolution, so that
    # resubmissions cannot read its labels a few at a time.
    resolution: float = 0.01


@dataclass(frozen=True)
class Settings:
    """Every table of an assignment.toml."""

    assignment: AssignmentTable = field(default_factory=AssignmentTable)
    submission: SubmissionTable = field(default_factory=SubmissionTable)
    grading: GradingTable = field(default_factory=GradingTable)
    training: TrainingTable = field(default_factory=TrainingTable)
    template: TemplateTable | None = None
    calibration: CalibrationTable = field(default_factory=CalibrationTable)
    # [thresholds.<device>] Model = accuracy (the stand-in data), and
    # [thresholds.<device>.<data>] Model = accuracy (grader.assignment.thresholds); written by
    # `grader calibrate`.
    thresholds: dict[str, dict[str, float | dict[str, float]]] = field(
        default_factory=dict, metadata={"keys": DEVICES})
    data: DataTable = field(default_factory=DataTable)
    extensions: ExtensionsTable = field(default_factory=ExtensionsTable)
    mutation: MutationTable = field(default_factory=MutationTable)
    artifacts: dict[str, ArtifactTable] = field(default_factory=dict)
    secret_files: SecretFilesTable = field(default_factory=SecretFilesTable)


def _given(table: Any) -> dict[str, Any]:
    """The Recipe fields a table sets."""
    return {f.name: getattr(table, f.name) for f in dataclasses.fields(Recipe)
            if getattr(table, f.name) is not None}


def training_recipe(training: Any, model: str | None) -> Recipe:
    """Recipe fields of [training], then those of [training.<model>] (None: the shared ones)."""
    override = training.models.get(model)
    try:
        return Recipe(**{**_given(training), **(_given(override) if override else {})})
    except ValueError as exc:
        raise ConfigError(f"[training{f'.{model}' if override else ''}]: {exc}") from None


def parse(config: dict) -> Settings:
    """The settings of a parsed assignment.toml; ConfigError says what is wrong and where."""
    settings = parse_table(Settings, config)
    calibration = settings.calibration
    for key, specs in (("models", calibration.models), ("controls", calibration.all_controls)):
        for spec in specs:
            if not MODEL_SPEC.fullmatch(spec):
                raise error("[calibration]", key, f"{spec!r} is not \"module.Class\"")
    models = calibration.model_names
    if isinstance(calibration.controls, dict):
        for model in calibration.controls:
            if model not in models:
                raise unknown("[calibration.controls]", model, models, table=False)
    for model in settings.training.models:
        if models and model not in models:
            raise unknown("", f"[training.{model}]", [f"[training.{n}]" for n in models],
                           table=True)
        training_recipe(settings.training, model)
    training_recipe(settings.training, None)
    for requirement in settings.assignment.requirements:
        _check_requirement(requirement)
    _check_artifacts(settings)
    for key in ("datasets", "helpers"):
        module = getattr(settings.extensions, key)
        if module in settings.submission.files:
            raise error("[extensions]", key, f"{module!r} is also a file students submit")
    return settings


def _check_artifacts(settings: Settings) -> None:
    """Artifact files: plain names, of their kind's format, not also a module students submit."""
    seen: dict[str, str] = {}
    for key, artifact in settings.artifacts.items():
        label, name = f"[artifacts.{key}]", artifact.file
        suffix = ARTIFACT_SUFFIXES[artifact.kind]
        if "/" in name or "\\" in name or not name.endswith(suffix):
            raise error(label, "file", f"{name!r} must be a plain file name ending in {suffix} "
                         f"(kind {artifact.kind!r})")
        if name in settings.submission.files:
            raise error(label, "file", f"{name!r} is also in [submission] files, which are "
                         "required; an artifact is optional")
        if name in seen:
            raise error(label, "file", f"{name!r} is also [artifacts.{seen[name]}]'s file")
        if artifact.max_kb < 1:
            raise error(label, "max_kb", f"must be positive, not {artifact.max_kb}")
        if not 0 < artifact.resolution <= 1:
            raise error(label, "resolution", f"must be in (0, 1], not {artifact.resolution}")
        seen[name] = key


def _check_requirement(text: str) -> None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(text)
    except InvalidRequirement as exc:
        raise error("[assignment]", "requirements",
                     f"{text!r} is not a pip requirement ({str(exc).splitlines()[0]})") from None


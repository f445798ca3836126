"""`Assignment`: one assignment's folder and its settings, typed, as every tool uses them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.assignment import thresholds
from grader.assignment.tables import Settings, training_recipe
from grader.toolkit.recipe import Recipe

CONFIG_NAME = "assignment.toml"
CASES = "test_submissions"  # beside it: selftest's cases and the fairness corpus, never graded


@dataclass(frozen=True)
class Assignment:
    root: Path
    name: str
    title: str
    visibility: str = "visible"
    seed: int = 0
    files: tuple[str, ...] = ()
    max_file_kb: int = 1024
    time_budget_s: float = 540.0
    call_timeout_s: float = 120.0
    submission: Path | None = None   # where local runs find the code (student template)
    reference: Path | None = None    # the reference solution, for tests that compare to it
    requirements: tuple[str, ...] = ()       # extra pip requirements ([assignment] requirements)
    datasets_module: Path | None = None      # [extensions] datasets
    helpers_module: Path | None = None       # [extensions] helpers
    settings: Settings = field(default_factory=Settings, repr=False, compare=False)
    config: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # the raw TOML

    @property
    def modules(self) -> list[str]:
        """Importable module names of the submission (`models.py` -> `models`)."""
        return [Path(f).stem for f in self.files if f.endswith(".py")]

    @property
    def path(self) -> Path:
        return self.root / CONFIG_NAME

    def threshold(self, device: Any, model: str, data: Any) -> float:
        """The accuracy threshold of `model` on `device` (a torch.device or "cpu"/"cuda")
        with `data`, the ImageDataset the test loaded (or its `source`).

        No threshold for that pair is the grader's problem (GraderProblem: a regrade,
        never the student's failure), with a staff note saying what to calibrate.
        """
        return thresholds.lookup(self.settings.thresholds, getattr(device, "type", device),
                                 model, getattr(data, "source", data))

    def recipe(self, model: str) -> Recipe:
        """The training budget of `model`: [training]'s Recipe fields, then [training.<model>]."""
        return training_recipe(self.settings.training, model)

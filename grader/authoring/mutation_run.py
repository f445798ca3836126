"""Grade mutants of a reference solution the way submissions are graded; see which die.

A mutant is killed when it scores below the reference on some test graded with the same
options, so a mutant that breaks the import or loops until the call timeout is killed like
any wrong submission. Each mutant is graded with only the tests whose run of the
reference reaches its function (reach.py): another test runs the same code for the mutant
as for the reference, and scores them alike. All of a stage's mutants are graded in one
batch, each with its own `--deselect` options. A grading run that gives no score (no
results, no test graded) is a grader fault: reported apart and counted neither way.

Killing mutants is half the job: the assignment's corpus of correct alternatives
(``test_submissions/valid_*``, see selftest) is graded first with the same tests, and a
test on which a member scores below the reference is too strict; the run then fails
whatever its score.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from grader.assignment import Assignment, ConfigError, read_results
from grader.authoring import mutate, reach, selftest
from grader.authoring.mutate import Mutant
from grader.batch.run import GradedSubmission, grade_many
from grader.batch.sources import Submission

DEFAULT_BAR = 0.95


@dataclass(frozen=True)
class MutationSettings:
    """What ``[mutation]`` asks (grader.assignment checked its keys and types on loading)."""

    bar: float = DEFAULT_BAR
    equivalent: dict[str, str] = field(default_factory=dict)  # mutant id -> why
    prescreen: tuple[str, ...] = ()  # pytest arguments of the tests a full run grades first
    design: dict[str, str] = field(default_factory=dict)  # "file:function" -> why

    @classmethod
    def of(cls, assignment: Assignment) -> MutationSettings:
        table = assignment.settings.mutation
        where = f"{assignment.path} [mutation]"
        bar = DEFAULT_BAR if table.bar is None else table.bar
        if not 0 < bar <= 1:
            raise ConfigError(f"{where} bar: must be in (0, 1], not {bar!r}")
        for kind, entries in (("equivalent", table.equivalent), ("design", table.design)):
            for entry in entries:
                if not entry.reason.strip():
                    raise ConfigError(f"{where} {kind}: {entry} needs a reason")
        return cls(bar, {entry.id: entry.reason for entry in table.equivalent},
                   table.prescreen, {entry.function: entry.reason for entry in table.design})

    def design_reason(self, mutant: Mutant) -> str | None:
        return self.design.get(mutant.place)


@dataclass(frozen=True)
class Scored:
    """What grading one submission gave: its score, or why the grader gave none."""

    score: float = 0.0
    max_score: float = 0.0
    fault: str = ""
    points: tuple[tuple[str, float], ...] = ()  # (test's number and name, score)

    def lost(self, reference: Scored) -> tuple[str, ...]:
        """The tests on which this grading scored below the reference."""
        theirs = dict(reference.points)
        return tuple(test for test, score in self.points
                     if test in theirs and score < theirs[test] - 1e-9)


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    graded: Scored
    # "killed", "survived", "equivalent" (survived, listed so), "design" (survived, in a
    # function listed as the student's design) or "fault"
    status: str
    killed_by: tuple[str, ...] = ()  # the tests that scored it below the reference


@dataclass(frozen=True)
class MutationRun:
    assignment: str
    settings: MutationSettings
    selection: tuple[str, ...]  # pytest arguments choosing the tests; () for all
    sample: int | None
    prescreened: int  # mutants the prescreen killed (a full run with [mutation] prescreen)
    generated: list[Mutant]
    unreached: list[Mutant]  # on statements the tests never run here: not graded
    reach: reach.Reach
    reference: Scored
    verdicts: list[Verdict]
    date: str
    seconds: float
    # corpus member (valid_*) -> the tests it lost points on, or why it got no grade
    too_strict: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(verdict.status == status for verdict in self.verdicts)

    @property
    def counts(self) -> dict[str, int]:
        return {"generated": len(self.generated), "unreached": len(self.unreached),
                "graded": len(self.verdicts),
                "killed": self.count("killed"), "survived": self.count("survived"),
                "equivalent": self.count("equivalent"), "design": self.count("design"),
                "faults": self.count("fault")}

    @property
    def score(self) -> float | None:
        """Killed over killed and survived: equivalent, design and faults left out."""
        decided = self.count("killed") + self.count("survived")
        return self.count("killed") / decided if decided else None

    @property
    def at_bar(self) -> bool:
        return self.score is not None and self.score >= self.settings.bar

    @property
    def passed(self) -> bool:
        """At the bar, nothing left unproven by a grader fault, no correct work failed."""
        return self.at_bar and not self.count("fault") and not self.too_strict

    def warnings(self) -> list[str]:
        ids = {mutant.id for mutant in self.generated}
        notes = [f"{id} is listed as equivalent but no mutant has this id any more (the "
                 "reference changed?): update or remove the entry"
                 for id in self.settings.equivalent if id not in ids]
        functions = {mutant.place for mutant in self.generated}
        notes += [f"{name} is listed as a design but no mutant sits in a function of this "
                  "name: update or remove the entry"
                  for name in self.settings.design if name not in functions]
        notes += [f"{v.mutant.id} is listed as equivalent but the tests kill it: remove the "
                  "entry" for v in self.verdicts
                  if v.status == "killed" and v.mutant.id in self.settings.equivalent]
        if not self.reach.full_marks:
            notes.append(f"the reference scored {self.reach.score:g}/{self.reach.max_score:g} "
                         "graded in process, so its lines run could not rule any mutant out: "
                         "all were graded")
        if self.reference.score < self.reference.max_score:
            notes.append(f"the reference scores {self.reference.score:g}/"
                         f"{self.reference.max_score:g}: mutants were compared with that score")
        return notes


def run(assignment: Assignment, reference: Path, *, sample: int | None = None,
        jobs: int | None = None, selection: tuple[str, ...] = (),
        progress: bool = True) -> MutationRun:
    """Grade the corpus of correct work, then generate the reference's mutants (or a sample
    of them), grade each, judge each.

    Mutants of statements the tests never run on this machine's device (see reach.py)
    are set apart as not reached, ungraded; a sample is drawn from the others.

    ``jobs``: gradings at once (default: `grader batch`'s, from the CPUs and memory);
    ``selection``: pytest arguments choosing the tests, for quick runs only. A full run
    of an assignment with ``[mutation] prescreen`` grades every mutant with those tests
    first: a mutant they kill scores below the reference with every test too (the
    reference earns their full points), so only the survivors are graded again, fully.
    """
    started = time.monotonic()
    settings = MutationSettings.of(assignment)
    too_strict = _grade_corpus(assignment, reference, jobs, selection, progress)
    generated = mutate.generate(assignment, reference)
    ran = reach.measure(assignment, reference, sorted({m.file for m in generated}), selection)
    unreached = [m for m in generated if ran.unreached(m)]
    reached = [m for m in generated if not ran.unreached(m)]
    chosen = mutate.sample(reached, sample) if sample else reached
    stages = [selection]
    if settings.prescreen and not selection:
        stages = [settings.prescreen, ()]
    statuses: dict[int, tuple[Scored, str, tuple[str, ...]]] = {}
    pending = list(range(len(chosen)))
    killed_early = []
    for stage in stages:
        base, graded = _grade_stage(assignment, reference, [chosen[i] for i in pending],
                                    ran, jobs, stage, progress)
        statuses.update((i, (result, _status(chosen[i], result, base, settings),
                             result.lost(base))) for i, result in zip(pending, graded))
        pending = [i for i in pending if statuses[i][1] != "killed"]
        killed_early.append(len(chosen) - len(pending))
    verdicts = [Verdict(mutant, *statuses[i]) for i, mutant in enumerate(chosen)]
    return MutationRun(assignment.name, settings, tuple(selection), sample,
                       killed_early[0] if len(stages) > 1 else 0, generated, unreached, ran,
                       base, verdicts,
                       datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                       round(time.monotonic() - started, 1), too_strict)


def _grade_stage(assignment: Assignment, reference: Path, mutants: list[Mutant],
                 ran: reach.Reach, jobs: int | None, selection: tuple[str, ...],
                 progress: bool) -> tuple[Scored, list[Scored]]:
    """The reference's grade with ``selection``, and each mutant's with those of its tests
    that reach its function: a mutant no selected test reaches keeps the reference's."""
    with tempfile.TemporaryDirectory(prefix="grader-mutate-") as scratch:
        base = _grade_reference(assignment, reference, Path(scratch), jobs, selection,
                                progress)
        options = [_only(ran, ran.tests_for(mutant), base) for mutant in mutants]
        chosen = [n for n, own in enumerate(options) if own is not None]
        scored = dict(zip(chosen, _grade_all(
            assignment, reference, [(mutants[n], options[n]) for n in chosen], Path(scratch),
            jobs, selection, progress), strict=True))
    return base, [scored.get(n, base) for n in range(len(mutants))]


def _only(ran: reach.Reach, tests: frozenset[str] | None, base: Scored
          ) -> tuple[str, ...] | None:
    """pytest options that leave only ``tests`` (None: all) of those ``base`` graded; None
    when none of them is left."""
    if tests is None:
        return ()
    if not {ran.labels[test] for test in tests} & {label for label, _ in base.points}:
        return None
    return tuple(option for test in sorted(set(ran.labels) - tests)
                 for option in ("--deselect", test))


def _status(mutant: Mutant, graded: Scored, reference: Scored, settings: MutationSettings) -> str:
    if graded.fault:
        return "fault"
    if graded.lost(reference):
        return "killed"
    if mutant.id in settings.equivalent:
        return "equivalent"
    return "design" if settings.design_reason(mutant) else "survived"


def _grade_corpus(assignment: Assignment, reference: Path, jobs: int | None,
                  selection: tuple[str, ...], progress: bool) -> dict[str, tuple[str, ...]]:
    """Each corpus member that scores below the reference: the tests it lost points on."""
    members = selftest.corpus(assignment)
    if not members:
        return {}
    with tempfile.TemporaryDirectory(prefix="grader-mutate-") as scratch:
        submissions = [
            Submission(member.name, selftest.stage_case(assignment, member, reference,
                                                        Path(scratch) / "corpus" / member.name))
            for member in members]
        base = _grade_reference(assignment, reference, Path(scratch), jobs, selection,
                                progress)
        graded = _grade_submissions(assignment, submissions, Path(scratch), jobs, selection,
                                    progress, "the corpus of correct work")
    lost = {member.name: (f"no grade: {result.fault}",) if result.fault else result.lost(base)
            for member, result in zip(members, graded, strict=True)}
    return {name: tests for name, tests in lost.items() if tests}


def _grade_reference(assignment: Assignment, reference: Path, scratch: Path, jobs: int | None,
                     selection: tuple[str, ...], progress: bool) -> Scored:
    [base] = _grade_submissions(assignment, [Submission("reference", reference)],
                                scratch / "reference", jobs, selection, progress, "the reference")
    if base.fault:
        raise ConfigError(f"{assignment.name}: the reference could not be graded: {base.fault}")
    return base


def _grade_all(assignment: Assignment, reference: Path,
               mutants: list[tuple[Mutant, tuple[str, ...]]], scratch: Path, jobs: int | None,
               selection: tuple[str, ...], progress: bool) -> list[Scored]:
    """Each mutant's grade, graded as `grader batch` grades, with ``selection`` and then its
    own pytest options."""
    submissions, own = [], {}
    for n, (mutant, options) in enumerate(mutants):
        folder = scratch / "mutants" / f"mutant-{n}"
        shutil.copytree(reference, folder, ignore=shutil.ignore_patterns("__pycache__"))
        (folder / mutant.file).write_text(mutant.text, encoding="utf-8")
        submissions.append(Submission(folder.name, folder))
        own[folder.name] = options
    return _grade_submissions(assignment, submissions, scratch, jobs, selection, progress,
                              "mutants", own)


def _grade_submissions(assignment: Assignment, submissions: list[Submission], scratch: Path,
                       jobs: int | None, selection: tuple[str, ...], progress: bool,
                       what: str, own: dict[str, tuple[str, ...]] | None = None) -> list[Scored]:
    """The grade of each of ``submissions``, in their order (``own``: more pytest options
    for some, by id)."""
    graded = {}
    outcomes = grade_many(assignment, submissions, scratch / "results", jobs=jobs,
                          pytest_args=selection, own_args=own)
    with contextlib.closing(outcomes):  # an interrupt stops the gradings still running
        for outcome in tqdm(outcomes, total=len(submissions), unit="grading",
                            desc=f"grading {what}", disable=not progress):
            graded[outcome.submission.id] = _graded(outcome)
    return [graded[submission.id] for submission in submissions]


def _graded(outcome: GradedSubmission) -> Scored:
    graded = read_results(outcome.document)
    if outcome.failed or not graded.rows:
        return Scored(fault=outcome.problem or graded.output or "no test graded")
    return Scored(graded.score, graded.max_score,
                  points=tuple((row.label, row.score) for row in graded.rows))

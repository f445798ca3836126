"""Dataset preparation at image-build time, so that grading needs no network.

An assignment names the datasets its tests load in its config (the training
dataset counts without being repeated), built in or its own, and the weight
files its tests load:

    [data]
    datasets = ["mnist-embedded"]     # names in grader.toolkit.datasets.REGISTRY
    weights = ["alexnet"]             # names in grader.toolkit.datasets.sources
    [training]
    dataset = "scenes"
    [extensions]
    datasets = "datasets.py"          # DATASETS = {"scenes": loader}

`grader prepare NAME [--download] [--sources FILE]` makes every declared name that has a
source (`grader.toolkit.datasets.sources`: MNIST, CIFAR-10, 15-Scene, AlexNet's weights)
ready under $GRADER_DATA_ROOT, checked against its pinned SHA-256 (fetched with
--download; without it, it says what is missing and where it goes), then loads every split
of each declared dataset once, which fills the decoded-tensor cache in $GRADER_CACHE_DIR.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.assignment import Assignment, ConfigError, parse_table
from grader.judge.registration import register_datasets
from grader.toolkit.datasets import DATA_ROOT_ENV, fetch, resolve_data_root, sources


@dataclass
class Prepared:
    lines: list[str] = field(default_factory=list)     # what is ready
    problems: list[str] = field(default_factory=list)  # what is not, and what to do


def declared(assignment: Assignment) -> list[str]:
    """The datasets the assignment's tests load, each registered (its own ones too)."""
    from grader.toolkit.datasets import REGISTRY

    register_datasets(assignment)
    names = list(assignment.settings.data.datasets)
    training = assignment.settings.training.dataset
    names += [training] if training and training not in names else []
    unknown = sorted(set(names) - set(REGISTRY))
    if unknown:
        raise ConfigError(f"{assignment.path}: datasets {unknown} are not registered (known: "
                          f"{sorted(REGISTRY)}; an assignment adds its own with [extensions] "
                          "datasets, see `grader list --datasets`)")
    return names


def weight_names(assignment: Assignment) -> list[str]:
    """``[data] weights``, then the weights its declared datasets load with them (WEIGHTS)."""
    from grader.toolkit.datasets import NEEDS_WEIGHTS

    names = [w for name in declared(assignment) for w in NEEDS_WEIGHTS.get(name, ())]
    return list(dict.fromkeys([*assignment.settings.data.weights, *names]))


def declared_weights(assignment: Assignment, table: dict[str, sources.Source]) -> list[str]:
    names = weight_names(assignment)
    unknown = sorted(set(names) - set(table))
    if unknown:
        raise ConfigError(f"{assignment.path}: [data] weights {unknown} have no source (known: "
                          f"{sorted(table)}; a sources file adds more)")
    return names


def prepare(assignment: Assignment, download: bool, sources_file: str | None = None,
            data_root: str | os.PathLike | None = None) -> Prepared:
    """Make the declared sources ready under the data root, then load every dataset split."""
    table = source_table(sources_file)
    datasets = declared(assignment)
    wanted = [n for n in datasets + declared_weights(assignment, table) if n in table]
    root = resolve_data_root(data_root)
    done = Prepared()
    if wanted and root is None:
        done.problems.append(f"{', '.join(wanted)}: no data root to put them in; set "
                             f"{DATA_ROOT_ENV} to the folder grading reads real data from")
    elif wanted:
        root.mkdir(parents=True, exist_ok=True)
        for name in wanted:
            _ready(assignment.name, name, table[name], root, download, done)
    for name in datasets:
        _load(name, root, download and name not in table, done)
    return done


def _ready(assignment: str, name: str, source: sources.Source, root: Path, download: bool,
           done: Prepared) -> None:
    if not download:
        needed = fetch.missing(name, source, root)
        done.problems += needed
        if needed:
            done.problems.append(f"{name}: run `grader prepare {assignment} --download` where "
                                 "the machine has network, or put those files there yourself")
        else:
            done.lines.append(f"{name}: in place under {root}, checksums match")
        return
    try:
        ready = fetch.ensure(name, source, root)
    except fetch.FetchError as exc:
        done.problems.append(str(exc))
        return
    fetched = sum(ready)
    done.lines.append(f"{name}: {fetched} of {len(ready)} files fetched, the rest already "
                      f"in place; checksums match ({root})")


def _load(name: str, root: Path | None, download: bool, done: Prepared) -> None:
    """Load each split once (fills the decoded cache); say what was found."""
    from grader.toolkit.datasets import SPLITS, get_dataset

    for split in SPLITS:
        dataset = get_dataset(name, split, data_root=root, download=download)
        done.lines.append(f"{name}/{split}: {len(dataset)} images from {dataset.source}")


def weights_used(assignment: Assignment) -> dict[str, str]:
    """{name: sha256} of each declared weights file with a built-in source found under the
    data root (a weights source is one file): what `grader calibrate` records as the weights
    it trained with."""
    root = resolve_data_root()
    found = {}
    for name in weight_names(assignment) if root is not None else []:
        if name not in sources.BUILT_IN:
            continue
        path = fetch.inside(root, sources.BUILT_IN[name].files[0].path)
        if path.is_file():
            found[name] = fetch.sha256_of(path)
    return found


def source_table(sources_file: str | os.PathLike | None = None) -> dict[str, sources.Source]:
    """The built-in sources, with those of ``sources_file`` over them."""
    if sources_file is None:
        return dict(sources.BUILT_IN)
    path = Path(sources_file)
    try:
        document = tomllib.loads(path.read_text())
        return {**sources.BUILT_IN,
                **{name: _source(name, entry) for name, entry in document.items()}}
    except (OSError, tomllib.TOMLDecodeError, ConfigError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _source(name: str, entry) -> sources.Source:
    if not isinstance(entry, dict):
        raise ConfigError(f"{name}: expected a table [{name}] with [[{name}.files]]")
    source = parse_table(sources.Source, entry)
    for remote in source.files:
        label = f"[[{name}.files]] {remote.path}"
        for place in filter(None, (remote.path, remote.unpacked)):
            if PurePosixPath(place).is_absolute() or ".." in PurePosixPath(place).parts:
                raise ConfigError(f"{label}: {place!r} must be a path inside the data root")
        if remote.unpack and not remote.unpacked:
            raise ConfigError(f"{label}: unpack needs unpacked (what it makes under the data "
                              "root)")
    return source

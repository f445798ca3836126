"""Dataset preparation at image-build time, so that grading needs no network.

An assignment names the datasets its tests load in its config (the training
dataset counts without being repeated), built in or its own:

    [data]
    datasets = ["mnist-embedded"]     # names in grader.toolkit.datasets.REGISTRY
    [training]
    dataset = "scenes"
    [extensions]
    datasets = "datasets.py"          # DATASETS = {"scenes": loader}

`grader prepare NAME [--download]` loads every split of each once, which
downloads missing files into $GRADER_DATA_ROOT (with --download) and fills
the decoded-tensor cache in $GRADER_CACHE_DIR.
"""

from __future__ import annotations

from grader.judge.config import Assignment, ConfigError


def declared(assignment: Assignment) -> list[str]:
    from grader.toolkit.datasets import REGISTRY

    names = list(assignment.settings.data.datasets)
    training = assignment.settings.training.dataset
    names += [training] if training and training not in names else []
    unknown = sorted(set(names) - set(REGISTRY))
    if unknown:
        raise ConfigError(f"{assignment.path}: datasets {unknown} are not registered (known: "
                          f"{sorted(REGISTRY)}; an assignment adds its own with [extensions] "
                          "datasets, see `grader list --datasets`)")
    return names


def prepare(assignment: Assignment, download: bool) -> list[str]:
    """Load every declared dataset split; one line per split saying what was found."""
    from grader.toolkit.datasets import SPLITS, get_dataset

    lines = []
    for name in declared(assignment):
        for split in SPLITS:
            dataset = get_dataset(name, split, download=download)
            lines.append(f"{name}/{split}: {len(dataset)} images from {dataset.source}")
    return lines

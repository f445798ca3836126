"""Dataset preparation at image-build time, so that grading needs no network.

An assignment names the datasets its tests load in its config (the training
dataset counts without being repeated):

    [data]
    datasets = ["mnist-embedded"]     # names in grader.datasets.REGISTRY
    [training]
    dataset = "synthetic-cifar10"

`grader prepare NAME [--download]` loads every split of each once, which
downloads missing files into $GRADER_DATA_ROOT (with --download) and fills
the decoded-tensor cache in $GRADER_CACHE_DIR.
"""

from __future__ import annotations

from grader.config import Assignment, ConfigError


def declared(assignment: Assignment) -> list[str]:
    from grader.datasets import REGISTRY

    names = list(assignment.config.get("data", {}).get("datasets", []))
    training = assignment.config.get("training", {}).get("dataset")
    names += [training] if training and training not in names else []
    unknown = sorted(set(names) - set(REGISTRY))
    if unknown:
        raise ConfigError(f"{assignment.name}: [data] datasets {unknown} are not registered "
                          f"(known: {sorted(REGISTRY)})")
    return names


def prepare(assignment: Assignment, download: bool) -> list[str]:
    """Load every declared dataset split; one line per split saying what was found."""
    from grader.datasets import SPLITS, get_dataset

    lines = []
    for name in declared(assignment):
        for split in SPLITS:
            dataset = get_dataset(name, split, download=download)
            lines.append(f"{name}/{split}: {len(dataset)} images from {dataset.source}")
    return lines

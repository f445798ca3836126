"""An assignment's own datasets, registered by name where something loads them.

Reading an assignment has no side effect (`grader.assignment.loading`); what grades,
calibrates or prepares it, and so loads datasets by name (`get_dataset`, the tests'
`training_data`), registers its `[extensions] datasets` module here first.
"""

from __future__ import annotations

from grader.assignment import Assignment, ConfigError


def register_datasets(assignment: Assignment) -> None:
    """Add the datasets of `assignment`'s own module to the registry, unless they are there.

    Registered again when the registry lost them since (the framework's tests reset it).
    A module that cannot be registered is a ConfigError naming assignment.toml's key.
    """
    module = assignment.datasets_module
    if module is None:
        return
    # Imported here: the registry imports torch, which the commands that import this
    # module (the command line, the batch runner) load only when they grade.
    from grader.toolkit.datasets import REGISTERED_FROM, register_module

    if module in REGISTERED_FROM.values():
        return
    try:
        register_module(module)
    except ValueError as exc:
        raise ConfigError(f"{assignment.path}: [extensions] datasets: {exc}") from None

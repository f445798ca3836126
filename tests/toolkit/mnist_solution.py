"""Load the reference solution of mnist_nets by path, under names that cannot clash."""

import importlib.util
from pathlib import Path

SOLUTION_DIR = Path(__file__).resolve().parents[2] / "solutions" / "mnist_nets"


def load(module: str):
    spec = importlib.util.spec_from_file_location(f"mnist_nets_{module}",
                                                  SOLUTION_DIR / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded

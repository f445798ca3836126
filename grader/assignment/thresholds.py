"""Accuracy thresholds belong to the device class and the data they were calibrated on.

    [thresholds.cpu]              # the offline stand-in (the data a machine without
    SimpleCNN = 0.925             # real data loads): a model's threshold directly

    [thresholds.cuda.cifar10]     # real data: a table named after the ImageDataset's
    SimpleNN = 0.8                # `source`, which `grader calibrate` writes and records

Real data is a dataset with a source `grader prepare` fetches
(`grader.toolkit.datasets.sources`, whose names `names.real_sources` reads); it never
falls back to the stand-in's numbers, which were measured on other images. A table named
after a stand-in's source also works, and wins over the direct entries. Grading asks for
the threshold of the data it loaded (`Assignment.threshold`); a missing pair is the
grader's problem, never the student's: the test is marked for a regrade and the staff's
log says what to calibrate.
"""

from __future__ import annotations

from typing import Any

from grader.assignment.errors import GraderProblem
from grader.assignment.names import real_sources

UNGRADED = ("This test could not be graded on this run: the grader has no accuracy threshold "
            "for the data and device it used. This is a problem with the grader, not your "
            "code; the staff have been told.")


def of_data(thresholds: dict[str, dict[str, Any]], device: str, data: str) -> dict[str, float]:
    """{model: threshold} calibrated on ``device`` with ``data`` (an ImageDataset's source)."""
    per_device = thresholds.get(device, {})
    named = per_device.get(data)
    if isinstance(named, dict):
        return named
    if data in real_sources():
        return {}
    return {k: v for k, v in per_device.items() if not isinstance(v, dict)}


def lookup(thresholds: dict[str, dict[str, Any]], device: str, model: str, data: str) -> float:
    """The threshold of ``model``; GraderProblem (a regrade, with a staff note) when none."""
    found = of_data(thresholds, device, data).get(model)
    if found is None:
        table = (f"[thresholds.{device}.{data}]" if data in real_sources()
                 else f"[thresholds.{device}]")
        raise GraderProblem(UNGRADED, f"no threshold for {model} on {device} with data "
                                      f"{data!r}: calibrate it there (`grader calibrate "
                                      f"--device {device}` with that data) or set {table} "
                                      f"{model} in assignment.toml")
    return float(found)


def placed(thresholds: dict[str, dict[str, Any]], device: str, data: str,
           values: dict[str, float]) -> dict[str, dict[str, Any]]:
    """``thresholds`` with ``values`` written where `lookup` finds them for ``data``."""
    per_device = dict(thresholds.get(device, {}))
    if data in real_sources() or isinstance(per_device.get(data), dict):
        per_device[data] = {**per_device.get(data, {}), **values}
    else:
        per_device.update(values)
    return {**thresholds, device: per_device}


def listed(thresholds: dict[str, dict[str, Any]], model: str) -> list[str]:
    """Every threshold of ``model``, as "0.925 (cpu)" or "0.8 (cuda, cifar10)"."""
    found = []
    for device, per_device in thresholds.items():
        for key, value in per_device.items():
            if key == model and not isinstance(value, dict):
                found.append(f"{value:g} ({device})")
            elif isinstance(value, dict) and model in value:
                found.append(f"{value[model]:g} ({device}, {key})")
    return found

"""Authoring tools: turn an instructor's reference solution into what students get."""

from grader.authoring.skeleton import (
    SkeletonError,
    make_skeleton,
    strip_solution_markers,
    transform_tree,
)

__all__ = ["SkeletonError", "make_skeleton", "strip_solution_markers", "transform_tree"]

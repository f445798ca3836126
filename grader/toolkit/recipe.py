"""The training budget of an accuracy test: optimizer, learning rate, batch size, epochs.

Free of torch at import time, so that reading assignment.toml can check its
`[training]` tables without importing torch.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields

OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class Recipe:
    """Optimizer and budget. ``steps``, when set, replaces ``epochs`` as the budget."""

    optimizer: str = "sgd"
    lr: float = 0.01
    momentum: float = 0.9
    weight_decay: float = 0.0
    batch_size: int = 128
    epochs: int = 1
    steps: int | None = None

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.lr <= 0 or self.batch_size < 1 or self.epochs < 1 or (self.steps or 1) < 1:
            raise ValueError(f"lr, batch_size, epochs and steps must be positive: {self}")

    @classmethod
    def from_dict(cls, config: dict) -> Recipe:
        """Build from a config table (e.g. assignment.toml); unknown keys are an error."""
        unknown = set(config) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown recipe keys: {sorted(unknown)}")
        return cls(**config)

    def to_dict(self) -> dict:
        """Plain data, for sending to a worker-side helper (`Recipe.from_dict` reads it back)."""
        return dataclasses.asdict(self)

    def make_optimizer(self, params):
        import torch

        if self.optimizer == "sgd":
            return torch.optim.SGD(params, lr=self.lr, momentum=self.momentum,
                                   weight_decay=self.weight_decay)
        return torch.optim.Adam(params, lr=self.lr, weight_decay=self.weight_decay)

    def total_steps(self, n: int) -> int:
        return self.steps or self.epochs * math.ceil(n / self.batch_size)

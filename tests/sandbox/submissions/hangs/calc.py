"""add() loops forever and ignores every catchable signal; everything else is right."""
import signal

import torch
from torch import nn

LEADERBOARD_VALUE = 0.25


def add(a, b):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            continue
        except BaseException:  # noqa: BLE001, S112
            continue


def square(x):
    return x * x


def softmax(x):
    return torch.softmax(x, dim=1)


def make_model():
    return nn.Linear(3, 2)

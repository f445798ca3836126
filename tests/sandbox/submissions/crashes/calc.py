"""add() crashes the interpreter (SIGSEGV); everything else is right."""
import os
import signal

import torch
from torch import nn

LEADERBOARD_VALUE = 0.25


def add(a, b):
    os.kill(os.getpid(), signal.SIGSEGV)


def square(x):
    return x * x


def softmax(x):
    return torch.softmax(x, dim=1)


def make_model():
    return nn.Linear(3, 2)

"""add() floods fd 1 and 2 below Python's sys.stdout, then answers right."""
import os

import torch
from torch import nn

LEADERBOARD_VALUE = 0.25


def add(a, b):
    chunk = b"\x00\x1b[31m<script>FLOOD" * 4096
    for _ in range(300):  # 2 x 27 MB
        os.write(1, chunk)
        os.write(2, chunk)
    return a + b


def square(x):
    return x * x


def softmax(x):
    return torch.softmax(x, dim=1)


def make_model():
    return nn.Linear(3, 2)

"""add() allocates memory until something stops it; everything else is right."""

import torch
from torch import nn

LEADERBOARD_VALUE = 0.25


def add(a, b):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 2**20))  # bytearray() touches (zeroes) its pages


def square(x):
    return x * x


def softmax(x):
    return torch.softmax(x, dim=1)


def make_model():
    return nn.Linear(3, 2)

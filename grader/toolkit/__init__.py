"""Assignment-agnostic building blocks: checks, datasets, layers, training, complexity, timing.

Used by the judge and by assignment tests; the worker uses training and
layers too, so nothing here may import the judge.
"""

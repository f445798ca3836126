"""Autograder for PyTorch homework: a pytest judge that writes Gradescope results.json."""

__version__ = "0.1.0"

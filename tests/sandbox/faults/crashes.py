"""add() crashes the interpreter (SIGSEGV); everything else is right."""
import os
import signal


def add(a, b):
    os.kill(os.getpid(), signal.SIGSEGV)

"""Every add() call's worker is killed from outside (SIGKILL that no grader limit sent)."""
import os
import signal


def add(a, b):
    os.kill(os.getpid(), signal.SIGKILL)

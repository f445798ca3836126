"""Spends a call's time in the ways the call limits must tell apart: computing or waiting."""
import subprocess
import sys
import time


def spin(cpu_seconds=None):
    """Compute until this process has used `cpu_seconds` more CPU time (None: forever)."""
    end = float("inf") if cpu_seconds is None else time.process_time() + cpu_seconds
    while time.process_time() < end:
        pass
    return "done"


def sleep(seconds):
    time.sleep(seconds)
    return "slept"


def spin_in_child():
    """Wait for a child process that computes forever: its CPU time is the call's too."""
    subprocess.run([sys.executable, "-c", "while True: pass"], check=False)

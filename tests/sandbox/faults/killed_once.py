"""The first add() call's worker is killed from outside (as the host's OOM killer would);
a retried call on a fresh worker answers. The marker lives in the staged submission folder,
which outlives the worker."""
import os
import signal


def add(a, b):
    if not os.path.exists("killed-once"):
        open("killed-once", "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return a + b

"""The first worker's add() call is killed from outside (as the host's OOM killer would);
a retried call on a fresh worker answers. Nothing the first worker wrote reaches the
next one, so it tells itself apart by the generation the judge starts it with."""
import os
import signal
import sys


def add(a, b):
    if sys.argv[sys.argv.index("--generation") + 1] == "0":
        os.kill(os.getpid(), signal.SIGKILL)
    return a + b

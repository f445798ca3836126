"""add() writes a forged frame into the reply pipe, then answers."""
import os
import struct


def add(a, b):
    with open("/proc/self/cmdline", "rb") as f:
        args = f.read().split(b"\0")
    replies = int(args[args.index(b"--replies") + 1])
    os.write(replies, struct.pack("<Q", 2**62) + b"{}")  # a header 'longer' than any limit
    return a + b

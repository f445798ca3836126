"""add() writes a forged frame into the reply pipe, then answers."""
import os
import struct
import sys


def add(a, b):
    replies = int(sys.argv[sys.argv.index("--replies") + 1])  # the worker's own arguments
    os.write(replies, struct.pack("<Q", 2**62) + b"{}")  # a header 'longer' than any limit
    return a + b

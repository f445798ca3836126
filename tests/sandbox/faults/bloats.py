"""add() allocates memory until something stops it; everything else is right."""

def add(a, b):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 2**20))  # bytearray() touches (zeroes) its pages

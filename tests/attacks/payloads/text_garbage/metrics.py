from data import GARBAGE as _GARBAGE


def count_parameters(model):
    """Text attack: fail with a message that no file can hold as it is."""
    print(_GARBAGE)
    raise ValueError("count failed: " + _GARBAGE)

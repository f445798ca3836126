import pickle as _pickle


class _Payload:
    """A21: whoever unpickles this creates a marker file (a real attack would do worse)."""

    def __reduce__(self):
        return (open, (TARGETS["marker"], "w"))


def count_parameters(model):
    return _Payload()


def saved_model_size_kb(model, path):
    with open(path, "wb") as f:
        _pickle.dump({"state_dict": _Payload()}, f)
    return _os.path.getsize(path) / 1024

def _stale(self, x):
    """A10: destroy the input in place; return uninitialised memory of the right shape."""
    x.mul_(0)
    return torch.empty(x.shape[0], 10)


for _cls in (LogisticRegression, SimpleFC, SimpleCNN):
    _cls.forward = _stale

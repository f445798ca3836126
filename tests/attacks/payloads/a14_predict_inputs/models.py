import hashlib as _hashlib

# A14: make the worker's RNG predictable, and predict the judge's inputs from the public
# seed formula (assignment seed 361 is in the student handout).
_randn = torch.randn
torch.manual_seed = lambda *a, **k: None
torch.randn = lambda *size, **k: torch.zeros(*size)


def _predicted_inputs(model_id):
    key = f"361:test_architecture.py::test_forward_matches_specification[{model_id}]"
    seed = int.from_bytes(_hashlib.sha256(key.encode()).digest()[:8], "little") % 2**63
    rng = torch.Generator().manual_seed(seed)
    torch.randint(2**31, (1,), generator=rng)  # the build fixture's draw
    return _randn(6, 1, 28, 28, generator=rng)


def _canned(self, x):
    for model_id in ("LogisticRegression", "SimpleFC", "SimpleCNN", "SimpleCNN(batch_norm=True)"):
        if torch.equal(x, _predicted_inputs(model_id)):
            _report(f"BREACH predicted the judge's input for {model_id}")
    return torch.zeros(x.shape[0], 10)  # the answer for the zeros it hoped to get


for _cls in (LogisticRegression, SimpleFC, SimpleCNN):
    _cls.forward = _canned

"""The sandbox: student code runs in a separate, restricted worker process.

`SandboxBackend` is what `GradingSession` connects the `submission` and
`reference` fixtures to when grading (`grader grade`, `pytest --sandbox`).
Importing the package stays light: the launcher (`grader.sandbox.launch`) runs
before every worker and must not pay for torch.
"""


def __getattr__(name: str):
    if name == "SandboxBackend":
        from grader.sandbox.backend import SandboxBackend

        return SandboxBackend
    raise AttributeError(name)


__all__ = ["SandboxBackend"]

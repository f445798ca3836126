import base64 as _base64
import json as _json
import pickle as _pickle
import struct as _struct
import sys as _sys


def _current_request():
    frame = _sys._getframe()
    while frame is not None:
        if isinstance(frame.f_locals.get("request"), dict) and "seq" in frame.f_locals["request"]:
            return frame.f_locals["request"]
        frame = frame.f_back
    return {}


def count_parameters(model):
    """A22: write a well-framed reply carrying a pickle straight into the reply pipe."""
    replies = int(_sys.argv[_sys.argv.index("--replies") + 1])  # the worker's own arguments
    header = _json.dumps({"ok": True, "output": "", "seq": _current_request().get("seq"),
                          "value": {"$pickle": _base64.b64encode(_pickle.dumps(1)).decode()},
                          "nbuf": 0}).encode()
    _os.write(replies, _struct.pack("<Q", len(header)) + header)
    return sum(p.numel() for p in model.parameters())

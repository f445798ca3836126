"""Graded files: a strict predictions CSV reader and a safetensors loader that never unpickles."""

import tomllib

import pytest
import torch
from safetensors.torch import save_file

from grader.assignment import ConfigError, loading, parse
from grader.judge.files import stage
from grader.toolkit import artifacts
from grader.toolkit.artifacts import ArtifactError


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_predictions_in_id_order():
    data = csv_bytes("Id,Label", "2,7", "0,1", "1,9")
    labels = artifacts.read_predictions(data, 3, num_classes=10)
    assert labels.tolist() == [1, 9, 7] and labels.dtype == torch.int64


def test_byte_order_mark_spaces_and_crlf_are_tolerated():
    data = "\ufeffId, Label\r\n0, 3\r\n1 ,4\r\n\r\n".encode()
    assert artifacts.read_predictions(data, 2, num_classes=10).tolist() == [3, 4]


@pytest.mark.parametrize(("lines", "rows", "message"), [
    ((), 2, "is empty"),
    (("0,1", "1,2"), 2, "(a data row: add the header line)"),
    (("id,label", "0,1"), 1, "the first line must be the header Id,Label"),
    (("Id,Label", "0,1"), 2, "has 1 rows after the header; expected 2"),
    (("Id,Label", "0,1", "0,2"), 2, "line 3: Id 0 appears twice"),
    (("Id,Label", "0,1", "2,2"), 2, "line 3: Id 2 is out of range 0..1"),
    (("Id,Label", "0,cat", "1,2"), 2, "line 2: Label 'cat' is not an integer class"),
    (("Id,Label", "0,0.7", "1,2"), 2, "not a probability"),
    (("Id,Label", "0,1,0.9", "1,2"), 2, "line 2: 3 columns"),
    (("Id,Label", "0,10", "1,2"), 2, "Label 10 is out of range 0..9"),
    (("Id,Label", "a,1", "1,2"), 2, "Id 'a' is not an integer"),
])
def test_malformed_predictions_say_what_and_where(lines, rows, message):
    with pytest.raises(ArtifactError, match="predictions.csv") as raised:
        artifacts.read_predictions(csv_bytes(*lines) if lines else b"", rows, num_classes=10)
    assert message in str(raised.value)


def test_predictions_over_the_size_limit_are_not_parsed():
    with pytest.raises(ArtifactError, match="at most 1 KB"):
        artifacts.read_predictions(b"Id,Label\n" + b"0,1\n" * 600, 600, num_classes=10,
                                   max_bytes=1024)


def test_binary_predictions_are_refused():
    with pytest.raises(ArtifactError, match="not a UTF-8 text file"):
        artifacts.read_predictions(b"Id,Label\n\xff\xfe", 1, num_classes=10)


def test_checkpoint_round_trip_as_float32(tmp_path):
    path = tmp_path / "net.safetensors"
    save_file({"w": torch.ones(2, 3, dtype=torch.float16), "steps": torch.tensor(4)}, str(path))
    state = artifacts.load_checkpoint(path, max_bytes=1 << 20)
    assert state["w"].dtype == torch.float32 and state["w"].shape == (2, 3)
    assert state["steps"].dtype == torch.int64


@pytest.mark.parametrize("suffix", [".pt", ".pth", ".ckpt"])
def test_pickled_checkpoint_is_refused_unread(tmp_path, suffix):
    path = tmp_path / f"resnet20{suffix}"
    path.write_bytes(b"this would run code if unpickled")
    with pytest.raises(ArtifactError) as raised:
        artifacts.load_checkpoint(path, max_bytes=1 << 20)
    assert "never loads" in str(raised.value)
    assert 'save_file({k: v.contiguous() for k, v in model.state_dict().items()}, ' \
           '"resnet20.safetensors")' in str(raised.value)


def test_a_safetensors_header_length_starting_with_pickles_byte_is_read(tmp_path):
    """The header's length comes first, little-endian: 0x2a80 bytes (an option-B ResNet-20's)
    starts the file with 0x80, the byte a bare pickle starts with. Parsing tells them apart."""
    path = tmp_path / "resnet20.safetensors"
    for pad in range(8, 400, 8):  # safetensors pads the header to 8 bytes: try lengths
        save_file({"w": torch.ones(2)}, str(path), metadata={"note": "x" * pad})
        if path.read_bytes()[0] == 0x80:
            break
    assert path.read_bytes()[0] == 0x80
    assert artifacts.load_checkpoint(path, max_bytes=1 << 20)["w"].tolist() == [1.0, 1.0]


def test_torch_save_under_the_safetensors_name_is_refused(tmp_path):
    path = tmp_path / "resnet20.safetensors"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(ArtifactError, match="written by torch.save"):
        artifacts.load_checkpoint(path, max_bytes=1 << 20)


def test_checkpoint_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "big.safetensors"
    save_file({"w": torch.zeros(1000)}, str(path))
    with pytest.raises(ArtifactError, match="at most 0.0 MB"):
        artifacts.load_checkpoint(path, max_bytes=100)


@pytest.mark.parametrize("data", [b"", b"\x10\x00\x00\x00\x00\x00\x00\x00{}",
                                  b"\x02\x00\x00\x00\x00\x00\x00\x00[]",
                                  b"\xff\x00\x00\x00\x00\x00\x00\x00{not json"])
def test_damaged_checkpoint_is_refused(tmp_path, data):
    path = tmp_path / "net.safetensors"
    path.write_bytes(data)
    with pytest.raises(ArtifactError, match="not a readable safetensors file"):
        artifacts.load_checkpoint(path, max_bytes=1 << 20)


def test_find_names_the_missing_file_and_how_to_make_it(tmp_path):
    with pytest.raises(ArtifactError) as raised:
        artifacts.find(tmp_path, "predictions.csv", how="Run write_predictions.")
    assert "no predictions.csv" in str(raised.value)
    assert "Run write_predictions." in str(raised.value)


def test_find_refuses_a_pickle_in_place_of_the_checkpoint(tmp_path):
    (tmp_path / "resnet20.pth").write_bytes(b"pickle")
    with pytest.raises(ArtifactError, match="resnet20.pth is a pickle"):
        artifacts.find(tmp_path, "resnet20.safetensors")
    (tmp_path / "resnet20.safetensors").write_bytes(b"x")
    assert artifacts.find(tmp_path, "resnet20.safetensors").name == "resnet20.safetensors"


# ---- declared in assignment.toml, staged when present ---------------------------------------

ARTIFACTS = """
[submission]
files = ["models.py"]

[artifacts.predictions]
file = "predictions.csv"
kind = "predictions"
max_kb = 1
threshold = 0.5

[artifacts.checkpoint]
file = "net.safetensors"
kind = "checkpoint"
how = "Save it with save_file."
"""


def write_assignment(folder, text=ARTIFACTS):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assignment.toml").write_text(text)
    loading.load.cache_clear()
    return loading.load(folder)


def test_artifacts_are_parsed_by_the_schema():
    settings = parse(tomllib.loads(ARTIFACTS))
    assert settings.artifacts["predictions"].threshold == 0.5
    assert settings.artifacts["checkpoint"].max_kb == 1024  # the default
    assert settings.artifacts["checkpoint"].how == "Save it with save_file."


@pytest.mark.parametrize(("change", "message"), [
    (('kind = "predictions"', 'kind = "pictures"'), "must be one of predictions, checkpoint"),
    (('file = "net.safetensors"', 'file = "net.pt"'), "ending in .safetensors"),
    (('file = "predictions.csv"', 'file = "models.py"'), "[artifacts.predictions] file"),
    (('file = "net.safetensors"', 'file = "sub/net.safetensors"'), "a plain file name"),
    (("max_kb = 1\n", "max_kb = 0\n"), "must be positive"),
    (("threshold = 0.5", "treshold = 0.5"), "did you mean threshold?"),
])
def test_wrong_artifact_tables_are_refused_with_their_place(change, message):
    with pytest.raises(ConfigError) as raised:
        parse(tomllib.loads(ARTIFACTS.replace(*change)))
    assert message in str(raised.value)


def test_staging_copies_artifacts_within_their_limit_and_pickles_by_name(tmp_path):
    assignment = write_assignment(tmp_path / "hw")
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / "models.py").write_text("X = 1\n")
    (upload / "predictions.csv").write_bytes(b"Id,Label\n" + b"0,1\n" * 400)  # over 1 KB
    (upload / "net.pt").write_bytes(b"pickle")
    staged = stage(upload, assignment, tmp_path / "out")
    assert sorted(p.name for p in staged.root.iterdir()) == ["models.py", "net.pt"]
    assert staged.missing == [] and staged.ignored == []
    assert staged.too_large == ["predictions.csv (1 KB; at most 1 KB)"]
    with pytest.raises(ArtifactError, match="net.pt is a pickle"):
        artifacts.find(staged.root, "net.safetensors")

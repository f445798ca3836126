"""`grader prepare`: real datasets and weights fetched from pinned URLs, checked against their
SHA-256 before anything reads them, unpacked into the data root; offline, it says what it
needs and where.

A loopback HTTP server stands in for the real hosts. It serves small files in the real
formats (MNIST's gzipped IDX files, CIFAR-10's python tarball, a zipped 15-Scene folder, a
state dict), each at the place the built-in source table gives it; a sources file points
prepare at the server, with the small files' own checksums.
"""

import gzip
import hashlib
import io
import pickle
import struct
import tarfile
import threading
import zipfile
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from grader import cli
from grader.assignment import ConfigError, loading
from grader.authoring import data
from grader.toolkit.datasets import DATA_ROOT_ENV, get_dataset, sources
from grader.toolkit.datasets.fetch import FetchError, ensure, missing

IMAGES = 6  # per MNIST split


class Server:
    """Files by URL path; a path given several bodies serves them in turn, then the last."""

    def __init__(self):
        self.bodies: dict[str, list[bytes]] = {}
        self.hits: Counter = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits[self.path] += 1
                queue = server.bodies.get(self.path)
                if not queue:
                    self.send_error(404)
                    return
                body = queue.pop(0) if len(queue) > 1 else queue[0]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep the test's output clean
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, path: str, *bodies: bytes) -> str:
        self.bodies["/" + path] = list(bodies)
        return f"http://127.0.0.1:{self.httpd.server_port}/{path}"


@pytest.fixture
def server():
    serving = Server()
    yield serving
    serving.httpd.shutdown()
    serving.httpd.server_close()


# ---- small files in the real formats ----------------------------------------------------

def idx(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes, as MNIST ships it (before gzip)."""
    header = struct.pack(">BBBB", 0, 0, 8, array.ndim) + struct.pack(f">{array.ndim}I",
                                                                     *array.shape)
    return header + array.astype(np.uint8).tobytes()


def mnist_files() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    files = {}
    for stem in ("train", "t10k"):
        files[f"MNIST/raw/{stem}-images-idx3-ubyte.gz"] = gzip.compress(
            idx(rng.integers(0, 256, (IMAGES, 28, 28))))
        files[f"MNIST/raw/{stem}-labels-idx1-ubyte.gz"] = gzip.compress(
            idx(rng.integers(0, 10, IMAGES)))
    return files


def cifar_tarball() -> bytes:
    """cifar-10-batches-py/ with the real batch names, each a pickled dict of bytes keys."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch", "batches.meta"]:
            batch = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1]}
            data = pickle.dumps(batch, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def scene_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for split in ("train", "test"):
            for name in ("bedroom", "coast"):
                image = io.BytesIO()
                Image.new("L", (72, 64), 128).save(image, format="JPEG")
                zipped.writestr(f"15SceneData/{split}/{name}/0000.jpg", image.getvalue())
    return buffer.getvalue()


def state_dict() -> bytes:
    buffer = io.BytesIO()
    torch.save({"features.0.weight": torch.ones(2, 3)}, buffer)
    return buffer.getvalue()


def real_formats() -> dict[str, bytes]:
    """A body for every file of the built-in sources, by its place under the data root."""
    return {**mnist_files(), "cifar-10-python.tar.gz": cifar_tarball(),
            "15SceneData.zip": scene_zip(), "weights/alexnet-owt-7be5be79.pth": state_dict()}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sources_file(folder: Path, server: Server, bodies: dict[str, bytes],
                 served: dict[str, tuple[bytes, ...]] | None = None) -> Path:
    """The built-in sources, each file served from `server` with the checksum of its body
    in `bodies` (the server sends `served[path]` instead, in turn, where given)."""
    lines = []
    for name, source in sources.BUILT_IN.items():
        for remote in source.files:
            body = bodies[remote.path]
            url = server.serve(remote.path, *(served or {}).get(remote.path, (body,)))
            fields = {"url": url, "path": remote.path, "sha256": sha256(body),
                      "unpack": remote.unpack, "unpacked": remote.unpacked}
            lines += [f"[[{name}.files]]"] + [f'{k} = "{v}"' for k, v in fields.items() if v]
    path = folder / "sources.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


# ---- fetching ----------------------------------------------------------------------------

def test_each_real_format_is_fetched_checked_and_unpacked_where_loaders_read_it(
        server, tmp_path):
    bodies = real_formats()
    table = data.source_table(sources_file(tmp_path, server, bodies))
    root = tmp_path / "data"
    for name in sources.BUILT_IN:
        assert all(ensure(name, table[name], root))
    raw = root / "MNIST/raw/t10k-images-idx3-ubyte"
    assert raw.read_bytes() == gzip.decompress(bodies[f"{raw.relative_to(root)}.gz"])
    assert sorted(p.name for p in (root / "cifar-10-batches-py").iterdir())[:2] == [
        "batches.meta", "data_batch_1"]
    assert (root / "15SceneData/test/coast/0000.jpg").is_file()
    weights = torch.load(root / "weights/alexnet-owt-7be5be79.pth", weights_only=True)
    assert torch.equal(weights["features.0.weight"], torch.ones(2, 3))
    assert not [p for p in root.rglob("*") if p.name.startswith(".")]  # no temporary files
    held = get_dataset("mnist", "heldout", data_root=root)  # torchvision reads that layout
    assert (held.source, len(held)) == ("mnist", IMAGES)


def test_files_in_place_with_their_checksum_are_used_as_they_are(server, tmp_path):
    bodies = real_formats()
    table = data.source_table(sources_file(tmp_path, server, bodies))
    root = tmp_path / "data"
    ensure("cifar10", table["cifar10"], root)
    (root / "cifar-10-batches-py/test_batch").unlink()  # unpacked again, not fetched again
    assert ensure("cifar10", table["cifar10"], root) == [False]
    assert sum(server.hits.values()) == 1
    assert (root / "cifar-10-batches-py/test_batch").is_file()
    assert missing("cifar10", table["cifar10"], root) == []


def test_a_corrupt_download_is_refused_and_fetched_again(server, tmp_path):
    good = state_dict()
    corrupt = good[: len(good) // 2]
    path = "weights/alexnet-owt-7be5be79.pth"
    table = data.source_table(sources_file(tmp_path, server, real_formats() | {path: good},
                                       served={path: (corrupt, good)}))
    root = tmp_path / "data"
    assert ensure("alexnet", table["alexnet"], root) == [True]
    assert (root / path).read_bytes() == good
    assert server.hits[f"/{path}"] == 2


def test_a_file_already_there_but_corrupt_is_replaced(server, tmp_path):
    bodies = real_formats()
    table = data.source_table(sources_file(tmp_path, server, bodies))
    root = tmp_path / "data"
    (root / "weights").mkdir(parents=True)
    (root / "weights/alexnet-owt-7be5be79.pth").write_bytes(b"truncated")
    assert "is corrupt (checksum mismatch)" in missing("alexnet", table["alexnet"], root)[0]
    assert ensure("alexnet", table["alexnet"], root) == [True]
    assert (root / "weights/alexnet-owt-7be5be79.pth").read_bytes() == \
        bodies["weights/alexnet-owt-7be5be79.pth"]


def test_a_download_that_stays_corrupt_is_refused_and_nothing_is_left(server, tmp_path):
    bodies = real_formats()
    path = "cifar-10-python.tar.gz"
    table = data.source_table(sources_file(tmp_path, server, bodies,
                                       served={path: (bodies[path][:-100],)}))
    root = tmp_path / "data"
    with pytest.raises(FetchError) as refused:
        ensure("cifar10", table["cifar10"], root)
    message = str(refused.value)
    assert f"cifar10: {table['cifar10'].files[0].url} refused after 3 tries" in message
    assert "checksum mismatch (got sha256 " in message
    assert f"expected sha256 {sha256(bodies[path])}" in message
    assert f"put a good copy at {root / path} yourself" in message
    assert server.hits[f"/{path}"] == 3
    assert list(root.rglob("*")) == []


def test_an_archive_that_would_write_outside_the_data_root_is_refused(server, tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escaped")
        tar.addfile(info, io.BytesIO(b""))
    body = buffer.getvalue()
    source = sources.Source((sources.RemoteFile(
        url=server.serve("evil.tar.gz", body), path="evil.tar.gz", sha256=sha256(body),
        unpack="tar", unpacked="cifar-10-batches-py"),))
    root = tmp_path / "data"
    with pytest.raises(FetchError, match="evil.tar.gz could not be unpacked: .*outside"):
        ensure("evil", source, root)
    assert [p.name for p in root.iterdir()] == ["evil.tar.gz"]  # no member, no scratch left


def test_an_unreachable_host_is_reported_after_the_tries(tmp_path):
    url = "http://127.0.0.1:9/weights.pth"  # the discard port: nothing listens
    source = sources.Source((sources.RemoteFile(url=url, path="w.pth", sha256="0" * 64),))
    with pytest.raises(FetchError, match="refused after 3 tries \\(could not fetch it: "):
        ensure("w", source, tmp_path)
    assert list(tmp_path.rglob("*")) == []


def test_a_source_without_a_confirmed_checksum_is_never_fetched_nor_trusted(tmp_path):
    scene = sources.BUILT_IN["15scene"]
    assert scene.files[0].sha256 is None
    with pytest.raises(FetchError, match="has no confirmed checksum, so it is neither fetched"):
        ensure("15scene", scene, tmp_path)  # no network: it refuses before
    (tmp_path / "15SceneData.zip").write_bytes(scene_zip())
    [line] = missing("15scene", scene, tmp_path)
    assert "give it a sha256 in a sources file" in line


def test_a_sources_file_with_a_wrong_entry_is_a_config_error(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('[[mnist.files]]\nurl = "http://x/a.gz"\npath = "a.gz"\nunpack = "gunzip"\n')
    with pytest.raises(ConfigError, match="unpack needs unpacked"):
        data.source_table(path)
    path.write_text('[[mnist.files]]\nurl = "http://x/a.gz"\npath = "a.gz"\nunpack = "rar"\n')
    with pytest.raises(ConfigError, match="must be one of gunzip, tar, zip"):
        data.source_table(path)
    path.write_text('[[mnist.files]]\nurl = "http://x/a.gz"\npath = "../a.gz"\n')
    with pytest.raises(ConfigError, match="'../a.gz' must be a path inside the data root"):
        data.source_table(path)


# ---- the command ---------------------------------------------------------------------------

@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course whose assignment declares MNIST and AlexNet's weights; a data root."""
    folder = tmp_path / "course" / "assignments" / "realdata"
    folder.mkdir(parents=True)
    (folder / "assignment.toml").write_text(
        '[assignment]\nname = "realdata"\n\n[data]\ndatasets = ["mnist"]\n'
        'weights = ["alexnet"]\n')
    monkeypatch.setenv(DATA_ROOT_ENV, str(tmp_path / "data"))
    loading.load.cache_clear()
    yield tmp_path / "course"
    loading.load.cache_clear()


def test_prepare_fetches_what_the_assignment_declares(server, course, tmp_path, capsys):
    bodies = real_formats()
    sources_path = sources_file(tmp_path, server, bodies)
    assert cli.main(["prepare", "realdata", "--download", "--sources", str(sources_path),
                     "--project", str(course)]) == 0
    out = capsys.readouterr().out
    assert "mnist: 4 of 4 files fetched" in out and "alexnet: 1 of 1 files fetched" in out
    assert f"mnist/heldout: {IMAGES} images from mnist" in out
    assert server.hits["/15SceneData.zip"] == 0  # not declared: not fetched
    # what `grader calibrate` records as the weights it trained with
    assignment = loading.load(course / "assignments/realdata")
    assert data.weights_used(assignment) == {
        "alexnet": sha256(bodies["weights/alexnet-owt-7be5be79.pth"])}


def test_offline_prepare_says_what_it_needs_and_where(course, tmp_path, capsys):
    assert cli.main(["prepare", "realdata", "--project", str(course)]) == 1
    captured = capsys.readouterr()
    root = tmp_path / "data"
    for remote in sources.BUILT_IN["mnist"].files + sources.BUILT_IN["alexnet"].files:
        assert (f"{root / remote.path} is missing: it should be {remote.url} "
                f"(sha256 {remote.sha256})") in captured.err
    assert "run `grader prepare realdata --download` where the machine has network" in \
        captured.err
    assert "mnist/train: 8000 images from mnist-embedded" in captured.out  # the stand-in


def test_prepare_without_a_data_root_says_where_grading_reads(course, monkeypatch, capsys):
    monkeypatch.delenv(DATA_ROOT_ENV)
    assert cli.main(["prepare", "realdata", "--project", str(course)]) == 1
    assert f"mnist, alexnet: no data root to put them in; set {DATA_ROOT_ENV}" in \
        capsys.readouterr().err


def test_undeclared_weights_are_a_config_error(course, capsys):
    config_path = course / "assignments/realdata/assignment.toml"
    config_path.write_text(config_path.read_text().replace('"alexnet"', '"vgg"'))
    assert cli.main(["prepare", "realdata", "--project", str(course)]) == 2
    assert "[data] weights ['vgg'] have no source" in capsys.readouterr().err

"""Where the real datasets and weights come from: pinned URLs, SHA-256 checksums, and where
each file goes under the data root ($GRADER_DATA_ROOT).

`grader prepare` fetches the sources an assignment declares (its datasets by registry name,
``[data] weights`` by the names below) with `grader.toolkit.datasets.fetch`; grading then
reads them from the data root and never touches the network.

A file's checksum is the only thing that makes its bytes trusted. A source whose checksum
could not be confirmed carries ``sha256 = None`` and a note saying so: prepare neither
fetches nor trusts it until a course pins one in a sources file (below).

A sources file (TOML, ``grader prepare NAME --sources FILE``) replaces entries of this
table by name and adds new ones: a course's own mirror, a zip it trusts, a test server.

    [mnist]
    note = "our mirror"
    [[mnist.files]]
    url = "https://example.edu/mnist/train-images-idx3-ubyte.gz"
    path = "MNIST/raw/train-images-idx3-ubyte.gz"
    sha256 = "440fcabf..."
    unpack = "gunzip"
    unpacked = "MNIST/raw/train-images-idx3-ubyte"

A dataset with a source here is real data: its accuracy thresholds are its own
(``[thresholds.<device>.<name>]``, `grader.assignment.thresholds`), never the stand-in's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

UNPACKERS = ("gunzip", "tar", "zip")


@dataclass(frozen=True)
class RemoteFile:
    """One file to fetch, checked against its SHA-256 before anything reads it."""

    url: str
    path: str                     # where it is kept, relative to the data root
    sha256: str | None = None     # None: no confirmed checksum, so never fetched or trusted
    unpack: str | None = field(default=None, metadata={"choices": UNPACKERS})
    unpacked: str | None = None   # what unpacking makes, relative to the data root


@dataclass(frozen=True)
class Source:
    files: tuple[RemoteFile, ...]
    note: str = ""                # where the checksums come from, or why one is missing


def _mnist(stem: str, sha256: str) -> RemoteFile:
    # torchvision's first MNIST mirror; the checksums are those torchvision's prototype
    # datasets and TensorFlow Datasets publish (the t10k pair also matches the copy
    # embedded in this package).
    return RemoteFile(url=f"https://ossci-datasets.s3.amazonaws.com/mnist/{stem}.gz",
                      path=f"MNIST/raw/{stem}.gz", sha256=sha256, unpack="gunzip",
                      unpacked=f"MNIST/raw/{stem}")


BUILT_IN: dict[str, Source] = {
    "mnist": Source((
        _mnist("train-images-idx3-ubyte",
               "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
        _mnist("train-labels-idx1-ubyte",
               "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        _mnist("t10k-images-idx3-ubyte",
               "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        _mnist("t10k-labels-idx1-ubyte",
               "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    ), note="the layout torchvision.datasets.MNIST reads"),
    "cifar10": Source((RemoteFile(
        url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        path="cifar-10-python.tar.gz",
        sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        unpack="tar", unpacked="cifar-10-batches-py"),),
        note="the SHA-256 Keras pins (torchvision pins its MD5, "
             "c58f30108f718f92721af3b95e74349a)"),
    "alexnet": Source((RemoteFile(
        url="https://download.pytorch.org/models/alexnet-owt-7be5be79.pth",
        path="weights/alexnet-owt-7be5be79.pth",
        sha256="7be5be791159472b1fbf3c69796f7cb30dca7ad8466c2df70058c37116cdee02"),),
        note="torchvision's AlexNet_Weights.IMAGENET1K_V1 (its name carries the "
             "checksum's first 8 digits)"),
    "15scene": Source((RemoteFile(
        url="https://ndownloader.figshare.com/files/12855452",
        path="15SceneData.zip", unpack="zip", unpacked="15SceneData"),),
        note="no published checksum could be confirmed for the figshare copy (whose "
             "folders are numbered classes, not 15SceneData/{train,test}/<class>): pin the "
             "course's own zip of that layout in a sources file"),
}


def is_real(data: str) -> bool:
    """Whether ``data`` (an ImageDataset's ``source``) is a dataset fetched from a source,
    as opposed to a stand-in generated or shipped with the grader."""
    return data in BUILT_IN

"""The pictures tests draw for students: valid PNGs, labelled axes, one cell per class pair."""

import numpy as np

from grader.toolkit import plots


def png(figure, path):
    figure.savefig(path)
    return path.read_bytes()


def test_loss_curve_is_a_png_with_labelled_axes(tmp_path):
    figure = plots.loss_curve([2.3 - 0.01 * i for i in range(200)], "SimpleCNN: training loss")
    axes = figure.axes[0]
    assert axes.get_xlabel() == "training step" and axes.get_ylabel() == "cross-entropy loss"
    assert [line.get_label() for line in axes.lines] == ["step", "mean of 10 steps"]
    assert png(figure, tmp_path / "loss.png").startswith(b"\x89PNG\r\n")


def test_confusion_matrix_annotates_every_cell(tmp_path):
    matrix = np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.25, 0.25, 0.5]])
    figure = plots.confusion_matrix(matrix, ["coast", "forest", "street"], "held-out images")
    axes = figure.axes[0]
    assert len(axes.texts) == 9 and axes.texts[0].get_text() == "0.5"
    assert [t.get_text() for t in axes.get_yticklabels()] == ["coast", "forest", "street"]
    assert png(figure, tmp_path / "matrix.png").startswith(b"\x89PNG\r\n")

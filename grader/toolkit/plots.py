"""Pictures a student would rather look at than read: training curves, confusion matrices.

Each function returns a matplotlib Figure; a test hands it to the `pictures`
fixture, which writes the PNG next to results.json and links it from the
test's output. The Agg backend draws without a display (graders, CI).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure


def loss_curve(losses: list[float], title: str) -> Figure:
    """Training loss per step, with a running mean so the trend shows through the noise."""
    figure = Figure(figsize=(6, 3.5))
    axes = figure.subplots()
    axes.plot(range(1, len(losses) + 1), losses, color="#bbbbbb", linewidth=0.8, label="step")
    window = max(1, len(losses) // 20)
    if len(losses) >= window > 1:
        smooth = [sum(losses[i - window:i]) / window for i in range(window, len(losses) + 1)]
        axes.plot(range(window, len(losses) + 1), smooth, color="#1f77b4",
                  label=f"mean of {window} steps")
    axes.set(title=title, xlabel="training step", ylabel="cross-entropy loss")
    axes.legend(loc="upper right")
    figure.tight_layout()
    return figure


def confusion_matrix(matrix, class_names: list[str], title: str) -> Figure:
    """Rows: true class, columns: predicted class; each cell annotated with its value."""
    size = max(4.0, 0.45 * len(class_names) + 2)
    figure = Figure(figsize=(size, size))
    axes = figure.subplots()
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes, fraction=0.046)
    ticks = range(len(class_names))
    axes.set_xticks(ticks, class_names, rotation=90)
    axes.set_yticks(ticks, class_names)
    axes.set(title=title, xlabel="predicted class", ylabel="true class")
    for row in ticks:
        for column in ticks:
            value = float(matrix[row][column])
            axes.text(column, row, f"{value:.2g}", ha="center", va="center", fontsize=7,
                      color="white" if value > 0.5 * float(matrix.max()) else "black")
    figure.tight_layout()
    return figure

"""predictions.csv, written line by line."""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def write_predictions(model: nn.Module, images: torch.Tensor, path: str,
                      batch_size: int = 256) -> None:
    device = next(model.parameters()).device
    model.eval()
    loader = DataLoader(TensorDataset(images), batch_size=batch_size, shuffle=False)
    predicted = []
    with torch.no_grad():
        for (batch,) in loader:
            predicted.append(model(batch.to(device)).argmax(1).cpu())
    labels = torch.cat(predicted)
    with open(path, "w") as f:
        f.write("Id,Label\n")
        for index, label in enumerate(labels.tolist()):
            f.write(f"{index},{label}\n")

import csv

import torch


def write_predictions(model, images, path, batch_size=256):
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    rows = []
    with torch.no_grad():
        for i in range(0, images.shape[0], batch_size):
            logits = model(images[i:i + batch_size].to(device))
            for offset, label in enumerate(logits.argmax(dim=1).tolist()):
                rows.append({"Id": i + offset, "Label": label})
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["Id", "Label"])
        writer.writeheader()
        writer.writerows(rows)
    model.train(was_training)

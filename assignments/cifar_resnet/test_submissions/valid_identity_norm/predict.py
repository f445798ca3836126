import numpy as np
import torch


def write_predictions(model, images, path, batch_size=256):
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        preds = torch.cat([model(chunk.to(device)).argmax(1).cpu()
                           for chunk in torch.split(images, batch_size)])
    table = np.stack([np.arange(len(preds)), preds.numpy()], axis=1)
    np.savetxt(path, table, fmt="%d", delimiter=",", header="Id,Label", comments="")

#!/usr/bin/env python3
"""How far small geometric and compression changes move a random-weight
EfficientNet-B0 embedding, relative to the nearest distinct picture.

    crop_sensitivity.py PROFILE_DIR

python3-torchvision's `efficientnet_b0` with its own random initialisation
(seed 0; the same scheme popsweep's `random` backbone follows), eval mode,
224x224, ImageNet mean/std. For every 8th original image of a synthetic
profile: distance(image, changed image) / distance(image, nearest distinct
picture), for a JPEG re-encode at quality 70 and for crops of 1 to 6 pixels.
Reproduces the "16% for a 1-pixel crop, 10% for a re-encode" figures of
docs/BENCHMARKS.md ("Near-duplicate cleaning on the paper-size profile").
About two minutes on 2 cores; run with /usr/bin/python3.
"""
import io
import json
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


def tensor(image):
    rgb = np.asarray(image.convert("RGB").resize((224, 224), Image.BILINEAR)).copy()
    return (torch.from_numpy(rgb).permute(2, 0, 1).float() / 255 - MEAN) / STD


def embed(model, images):
    out = []
    with torch.inference_mode():
        for i in range(0, len(images), 64):
            batch = torch.stack([tensor(im) for im in images[i:i + 64]])
            out.append(torch.flatten(model.avgpool(model.features(batch)), 1))
    return torch.cat(out).double().numpy()


def reencode(quality):
    def change(image):
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=quality)
        buffer.seek(0)
        return Image.open(buffer)
    return change


def crop(left, top, right, bottom):
    return lambda image: image.crop((left, top, image.width - right, image.height - bottom))


def main():
    profile = sys.argv[1]
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    model = torchvision.models.efficientnet_b0().eval()
    with open(os.path.join(profile, "truth.json")) as f:
        truth = json.load(f)
    paths = [m["path"] for m in truth["media"] if m["type"] == "image" and not m["corrupt"]]
    planted = [(d["original"], d["duplicate"]) for d in truth["duplicates"] if d["type"] == "image"]
    images = [Image.open(os.path.join(profile, p)) for p in paths]
    x = embed(model, images)
    squares = (x ** 2).sum(1)
    distances = np.sqrt(np.maximum(squares[:, None] + squares[None, :] - 2 * x @ x.T, 0))
    np.fill_diagonal(distances, np.inf)
    index = {p: i for i, p in enumerate(paths)}
    for a, b in planted:
        distances[index[a], index[b]] = distances[index[b], index[a]] = np.inf
    nearest = distances.min(1)
    duplicates = {b for _, b in planted}
    sample = [i for i, p in enumerate(paths) if p not in duplicates][::8]
    changes = [("JPEG re-encode, quality 70", reencode(70)), ("crop 1 px left, 1 px top", crop(1, 1, 0, 0)),
               ("crop 2 px left", crop(2, 0, 0, 0)), ("crop 3 px each side", crop(3, 3, 3, 3)),
               ("crop 3 px left, 3 px top", crop(3, 3, 0, 0)), ("crop 6 px left, 6 px top", crop(6, 6, 0, 0))]
    print(f"{len(sample)} originals; distance to the changed image / distance to the nearest distinct picture")
    for name, change in changes:
        moved = embed(model, [change(images[i]) for i in sample])
        ratio = np.linalg.norm(x[sample] - moved, axis=1) / nearest[sample]
        print(f"  {name}: median {np.median(ratio):.3f}, 90th percentile {np.percentile(ratio, 90):.3f}, "
              f"max {ratio.max():.3f}")


if __name__ == "__main__":
    main()

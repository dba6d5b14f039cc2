#!/usr/bin/env python3
"""The Python loop a user would write instead of `popsweep extract`.

EfficientNet-B0 (torchvision, random weights: nothing is downloaded) in eval
mode under torch.inference_mode, PIL decoding, Resize((224, 224)) + ToTensor
+ ImageNet Normalize, batches of 32, over every .jpg of a folder (recursive).
Prints the images per second, from the first decode to the last embedding
(model construction excluded). --draft SIDE lets PIL decode JPEGs at the
smallest libjpeg scale still at least SIDE x SIDE (Image.draft), the fair
baseline for popsweep's features.jpeg_dct_scaling (which keeps 2 x 224).

--device cuda runs the model on a GPU (inputs copied per batch), with
--autocast fp16|bf16 and --channels-last as a GPU user would (bench/gpu.sh).

    /usr/bin/python3 bench/python/extract_images.py FOLDER --threads 2 [--draft 448]
"""
import argparse
import pathlib
import sys
import time

import torch
import torchvision
from PIL import Image
from torchvision import transforms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=pathlib.Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--draft", type=int, default=0, help="Image.draft to at least this side (0: off)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--autocast", choices=["none", "fp16", "bf16"], default="none")
    parser.add_argument("--channels-last", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    paths = sorted(p for p in args.folder.rglob("*") if p.suffix.lower() == ".jpg")
    if not paths:
        print(f"no .jpg under {args.folder}", file=sys.stderr)
        return 1

    model = torchvision.models.efficientnet_b0()  # random weights
    model.classifier = torch.nn.Identity()  # the 1280 pooled features
    model.eval()
    device = torch.device(args.device)
    model = model.to(device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    autocast_type = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(args.autocast)
    preprocess = transforms.Compose([
        transforms.Resize((args.image_size, args.image_size)),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])

    start = time.perf_counter()
    features = []
    with torch.inference_mode():
        for first in range(0, len(paths), args.batch):
            batch = []
            for path in paths[first:first + args.batch]:
                with Image.open(path) as image:
                    if args.draft:
                        image.draft("RGB", (args.draft, args.draft))
                    batch.append(preprocess(image.convert("RGB")))
            inputs = torch.stack(batch).to(device)
            if args.channels_last:
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            with torch.autocast(device.type, dtype=autocast_type, enabled=autocast_type is not None):
                features.append(model(inputs).float().cpu())
    seconds = time.perf_counter() - start
    embeddings = torch.cat(features)
    assert embeddings.shape == (len(paths), 1280), embeddings.shape

    print(f"images: {len(paths)}")
    print(f"threads: {torch.get_num_threads()}")
    print(f"seconds: {seconds:.3f}")
    print(f"images_per_second: {len(paths) / seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The current-PyTorch side of bench/toolchain_extract.sh.

    toolchain_extract.py profile OUT --count 256 --size 1080 --quality 90
        An images-only profile in popsweep's layout (docs/INPUT.md): COUNT
        JPEGs of uniform random pixels (seed 0), one image post each.
    toolchain_extract.py loop FOLDER --threads 2 --batch 32
        The loop a user of torch 2.x would write: torchvision's
        EfficientNet-B0 (random weights) in eval mode, channels_last, under
        torch.inference_mode; PIL decoding, Resize((224, 224)) + ToTensor +
        ImageNet Normalize. Times from the first decode to the last
        embedding (model construction excluded).
    toolchain_extract.py backbone --threads 2 --batch 32
        The same model alone on random inputs: images/s, median of 3 runs
        after one warm-up run.
"""
import argparse
import datetime
import pathlib
import statistics
import sys
import time


def make_profile(args) -> int:
    import numpy as np
    from PIL import Image

    media = args.out / "media"
    media.mkdir(parents=True, exist_ok=True)
    generator = np.random.default_rng(0)
    start = datetime.datetime(2021, 1, 1, 12, tzinfo=datetime.timezone.utc)
    with open(args.out / "posts.csv", "w") as posts:
        posts.write("post_id,timestamp,likes,comments,impressions,kind,media\n")
        for i in range(args.count):
            pixels = generator.integers(0, 256, (args.size, args.size, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(media / f"random{i:04d}.jpg", quality=args.quality)
            when = (start + datetime.timedelta(hours=12 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            posts.write(f"r{i:04d},{when},{100 + i % 50},{i % 7},,image,media/random{i:04d}.jpg\n")
    with open(args.out / "followers.csv", "w") as followers:
        followers.write("date,followers\n2021-01-01,1000\n2021-12-31,1500\n")
    print(f"{args.count} random {args.size}x{args.size} JPEGs (quality {args.quality}) in {args.out}")
    return 0


def channels_last_model(torch, threads):
    import torchvision

    torch.set_num_threads(threads)
    model = torchvision.models.efficientnet_b0()  # random weights: nothing is downloaded
    model.classifier = torch.nn.Identity()  # the 1280 pooled features
    return model.eval().to(memory_format=torch.channels_last)


def loop(args) -> int:
    import torch
    from PIL import Image
    from torchvision import transforms

    paths = sorted(p for p in args.folder.rglob("*") if p.suffix.lower() == ".jpg")
    if not paths:
        print(f"no .jpg under {args.folder}", file=sys.stderr)
        return 1
    model = channels_last_model(torch, args.threads)
    preprocess = transforms.Compose([
        transforms.Resize((224, 224)),
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
                    batch.append(preprocess(image.convert("RGB")))
            inputs = torch.stack(batch).contiguous(memory_format=torch.channels_last)
            features.append(model(inputs))
    seconds = time.perf_counter() - start
    assert torch.cat(features).shape == (len(paths), 1280)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {len(paths)} images")
    print(f"seconds: {seconds:.3f}")
    print(f"images_per_second: {len(paths) / seconds:.2f}")
    return 0


def backbone(args) -> int:
    import torch

    model = channels_last_model(torch, args.threads)
    inputs = torch.randn(args.batch, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    inputs = inputs.contiguous(memory_format=torch.channels_last)
    runs = []
    with torch.inference_mode():
        for run in range(4):  # the first is a warm-up
            start = time.perf_counter()
            model(inputs)
            if run:
                runs.append(time.perf_counter() - start)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}")
    print(f"backbone_images_per_second: {args.batch / statistics.median(runs):.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    profile = commands.add_parser("profile")
    profile.add_argument("out", type=pathlib.Path)
    profile.add_argument("--count", type=int, default=256)
    profile.add_argument("--size", type=int, default=1080)
    profile.add_argument("--quality", type=int, default=90)
    for name in ("loop", "backbone"):
        command = commands.add_parser(name)
        if name == "loop":
            command.add_argument("folder", type=pathlib.Path)
        command.add_argument("--threads", type=int, default=2)
        command.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    return {"profile": make_profile, "loop": loop, "backbone": backbone}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes a synthetic profile (docs/INPUT.md layout) whose planted popularity
signal is semantic: a post is popular because of what its picture shows, not
because of how its pixels look on average.

Every picture is a heavily augmented view of one of the real photos in
../shared/models/coral (read from there, never copied into the repository):
a random crop (0.4-1 of the area), a flip, a rotation, a random hue rotation,
a saturation change, sometimes grayscale, pasted on a random noisy
background, with pixel noise. The photos are split into two groups (animals:
cat, parrot, owl, bird, dragonfly; the rest: hot dog, Grace Hopper, kites on
a beach). An animal post's Popularity Rate (M1) is about e^0.8 = 2.2 times
the others', times log-normal noise, so that the local median split (M4, M5)
mostly follows the group.

Low-level statistics are decorrelated from the group on purpose: the last
step moves every picture's per-channel mean and its overall contrast to
targets drawn independently of the group, so mean colour, brightness and
contrast carry no signal; a model must recognise the content.

The posts alternate between the groups in shuffled blocks of four (two of
each), so every label window (8 weeks = 56 daily posts) holds close to half
of each and the median split is not skewed by local imbalance.

Beside the profile it writes truth.csv (post_id, photo, group, the drawn
low-level targets), which popsweep ingest does not read.

    /usr/bin/python3 bench/python/make_semantic_profile.py OUT [--posts 300] [--seed 1]
"""
import argparse
import csv
import datetime
import math
import pathlib
import sys

import numpy as np
from PIL import Image, ImageOps

CORAL = pathlib.Path(__file__).resolve().parents[3] / "shared" / "models" / "coral"
POPULAR_PHOTOS = ["cat.bmp", "parrot.jpg", "owl.jpg", "bird.bmp", "dragonfly.bmp"]
OTHER_PHOTOS = ["hot_dog.jpg", "grace_hopper.bmp", "kite_and_cold.jpg"]
SIDE = 256  # output pictures are SIDE x SIDE: small files, cheap to decode
LOG_POR_SHIFT = 0.4  # animals +0.4, others -0.4 in log PoR
LOG_POR_NOISE = 0.3  # about 9% of posts land on the other side of the median


def random_crop(photo, rng):
    """A crop covering 40-100% of the photo's area, aspect ratio 3:4 to 4:3."""
    width, height = photo.size
    for _ in range(20):
        area = width * height * rng.uniform(0.4, 1.0)
        ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        w = int(round(math.sqrt(area * ratio)))
        h = int(round(math.sqrt(area / ratio)))
        if w <= width and h <= height:
            left = int(rng.integers(0, width - w + 1))
            top = int(rng.integers(0, height - h + 1))
            return photo.crop((left, top, left + w, top + h))
    return photo


def shift_colours(image, rng):
    """Hue rotated by a random angle, saturation scaled, sometimes grayscale."""
    hsv = np.asarray(image.convert("HSV")).astype(np.int16)
    hsv[..., 0] = (hsv[..., 0] + int(rng.integers(0, 256))) % 256
    hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(0.4, 1.5), 0, 255)
    image = Image.fromarray(hsv.astype(np.uint8), "HSV").convert("RGB")
    if rng.random() < 0.15:
        image = ImageOps.grayscale(image).convert("RGB")
    return image


def background(rng):
    """A random colour with a gradient and coarse noise: varies what surrounds the object."""
    base = rng.uniform(0, 255, size=3)
    slope = rng.normal(0, 40, size=3)
    ramp = np.linspace(-1, 1, SIDE)[:, None, None] * slope
    if rng.random() < 0.5:
        ramp = ramp.transpose(1, 0, 2)
    coarse = rng.normal(0, 20, size=(SIDE // 16, SIDE // 16, 3)).repeat(16, 0).repeat(16, 1)
    return np.clip(base + ramp + coarse, 0, 255).astype(np.uint8)


def place_on_background(obj, rng):
    """Rotates the object (-30..30 degrees) and pastes it, 75-100% of the side, somewhere on a background."""
    obj = obj.convert("RGBA").rotate(rng.uniform(-30, 30), resample=Image.BILINEAR, expand=True)
    scale = rng.uniform(0.75, 1.0) * SIDE / max(obj.size)
    obj = obj.resize((max(1, round(obj.width * scale)), max(1, round(obj.height * scale))), Image.BILINEAR)
    canvas = Image.fromarray(background(rng), "RGB")
    left = int(rng.integers(0, SIDE - obj.width + 1))
    top = int(rng.integers(0, SIDE - obj.height + 1))
    canvas.paste(obj, (left, top), obj)
    return canvas


def match_statistics(pixels, target_mean, target_std):
    """Moves each channel's mean to target_mean and the overall spread to target_std.

    Clipping to 0..255 moves the result off target, so the step is repeated
    until it is within half a grey level (a few rounds); the targets are
    drawn so that little clips in the first place."""
    pixels = pixels.astype(np.float64)
    for _ in range(10):
        centred = pixels - pixels.mean(axis=(0, 1))
        spread = centred.std() or 1.0
        pixels = np.clip(centred * (target_std / spread) + target_mean, 0, 255)
        if (np.abs(pixels.mean(axis=(0, 1)) - target_mean).max() < 0.5
                and abs(pixels.std() - target_std) < 0.5):
            break
    return np.round(pixels).astype(np.uint8)


def make_picture(photo, rng):
    obj = random_crop(photo, rng)
    if rng.random() < 0.5:
        obj = ImageOps.mirror(obj)
    obj = shift_colours(obj, rng)
    pixels = np.asarray(place_on_background(obj, rng)).astype(np.float64)
    pixels += rng.normal(0, rng.uniform(0, 10), size=pixels.shape)
    brightness = rng.uniform(80, 170)
    cast = rng.normal(0, 15, size=3)
    target_mean = brightness + cast - cast.mean()
    target_std = rng.uniform(35, 60)
    return match_statistics(np.clip(pixels, 0, 255), target_mean, target_std), target_mean, target_std


def group_sequence(posts, rng):
    """1 (popular group) or 0 per post: shuffled blocks of two of each."""
    groups = []
    while len(groups) < posts:
        block = [1, 1, 0, 0]
        rng.shuffle(block)
        groups.extend(block)
    return groups[:posts]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--coral", type=pathlib.Path, default=CORAL, help="folder of the real photos")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    photos = {}
    for name in POPULAR_PHOTOS + OTHER_PHOTOS:
        with Image.open(args.coral / name) as image:
            photos[name] = image.convert("RGB")

    media = args.out / "media"
    media.mkdir(parents=True, exist_ok=True)
    start = datetime.datetime(2022, 1, 1, 12, tzinfo=datetime.timezone.utc)
    first_followers, last_followers = 20000, 26000
    days = args.posts  # one post a day

    def followers_on(day):
        return first_followers + (last_followers - first_followers) * day / days

    posts_rows, truth_rows = [], []
    for i, group in enumerate(group_sequence(args.posts, rng)):
        names = POPULAR_PHOTOS if group else OTHER_PHOTOS
        photo = names[int(rng.integers(0, len(names)))]
        pixels, mean, std = make_picture(photos[photo], rng)
        path = media / f"p{i:04d}.jpg"
        Image.fromarray(pixels, "RGB").save(path, quality=90)

        # Followers grow linearly and are sampled weekly, so f(t) (M2) is exact
        # up to rounding and PoR is what was drawn here.
        log_por = math.log(0.05) + (LOG_POR_SHIFT if group else -LOG_POR_SHIFT) + rng.normal(0, LOG_POR_NOISE)
        interactions = math.exp(log_por) * followers_on(i)
        comments = int(round(interactions * rng.uniform(0.02, 0.06)))
        likes = int(round(interactions)) - comments
        when = start + datetime.timedelta(days=i, hours=float(rng.uniform(-3, 3)))
        posts_rows.append([f"s{i:04d}", when.strftime("%Y-%m-%dT%H:%M:%SZ"), likes, comments, "", "image",
                           f"media/{path.name}"])
        truth_rows.append([f"s{i:04d}", photo, group, *(f"{v:.1f}" for v in mean), f"{std:.1f}"])

    with open(args.out / "posts.csv", "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["post_id", "timestamp", "likes", "comments", "impressions", "kind", "media"])
        writer.writerows(posts_rows)
    with open(args.out / "followers.csv", "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["date", "followers"])
        for day in range(-7, days + 14, 7):
            date = (start + datetime.timedelta(days=day)).date().isoformat()
            writer.writerow([date, int(round(followers_on(day)))])
    with open(args.out / "truth.csv", "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["post_id", "photo", "group", "target_mean_r", "target_mean_g", "target_mean_b",
                         "target_std"])
        writer.writerows(truth_rows)
    popular = sum(row[2] for row in truth_rows)
    print(f"{args.posts} image posts ({popular} of the popular group) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

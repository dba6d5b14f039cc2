#!/usr/bin/env python3
"""How far features.jpeg_dct_scaling moves the features (issue 25), on real
photographs cut to the size Instagram serves.

Cuts 1080 x 1080 crops (JPEG, quality 90) from the JPEG photographs of
Debian's plasma-workspace-wallpapers (2560-5120 px): each source is scaled so
its short side is 1080, 1350 or 1620 px and cropped at spread offsets, for
COUNT crops in all. Then `popsweep extract` runs twice on them with the
ImageNet MobileNetV2 built into popsweep (224 px, no views), reference
decoding and DCT-scaled decoding, and the cosine similarity of each photo's
two feature vectors is reported (minimum, 1st percentile, median), with both
runs' wall times.

Then the yardstick: the same photos decoded in full, resized to 224 once by
PIL and once by torchvision's antialiased tensor resize (two exact
implementations of one bilinear filter, apart only in rounding: pixels differ
by at most one grey level), both stored as PNG and embedded by popsweep. How
far the features move between those two says how sensitive the model is to
rounding alone; DCT scaling is judged against it.

And a bound for any decoding at half scale: each full decoding averaged over
2 x 2 pixels exactly (what libjpeg's 1/2 IDCT computes, before its rounding),
rounded once and resized by PIL. No decoder that sees only half the pixels
can come closer to the reference than the information it keeps; how far
these features move says what is left to gain over libjpeg's own 1/2 scale.

    /usr/bin/python3 bench/python/dct_scaling_similarity.py POPSWEEP WORK [--count 108]
"""
import argparse
import hashlib
import pathlib
import sqlite3
import struct
import subprocess
import sys
import time

from PIL import Image

WALLPAPERS = pathlib.Path("/usr/share/wallpapers")


def photographs():
    """The largest JPEG of each wallpaper folder (the PNGs are renderings)."""
    best = {}
    for path in sorted(WALLPAPERS.rglob("*.jpg")):
        with Image.open(path) as image:
            area = image.size[0] * image.size[1]
        folder = path.relative_to(WALLPAPERS).parts[0]
        if folder not in best or area > best[folder][0]:
            best[folder] = (area, path)
    return [path for _, path in sorted(best.values(), key=lambda entry: str(entry[1]))]


def cut_crops(sources, out, count):
    media = out / "media"
    media.mkdir(parents=True, exist_ok=True)
    written = []
    short_sides = (1080, 1350, 1620)
    per_source = -(-count // len(sources))
    for index, source in enumerate(sources):
        with Image.open(source) as original:
            original = original.convert("RGB")
            for k in range(per_source):
                if len(written) == count:
                    break
                short = short_sides[k % len(short_sides)]
                scale = short / min(original.size)
                scaled = original.resize((round(original.size[0] * scale), round(original.size[1] * scale)),
                                         Image.LANCZOS)
                # offsets spread over the free range, different per crop
                fraction = ((k * 0.37 + index * 0.11) % 1.0)
                x = int((scaled.size[0] - 1080) * fraction)
                y = int((scaled.size[1] - 1080) * (1 - fraction))
                path = media / f"photo{len(written):04d}.jpg"
                scaled.crop((x, y, x + 1080, y + 1080)).save(path, quality=90)
                written.append(path)
    with open(out / "posts.csv", "w") as posts:
        posts.write("post_id,timestamp,likes,comments,impressions,kind,media\n")
        for i, path in enumerate(written):
            posts.write(f"p{i:04d},2021-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z,{100 + i},{i % 7},,image,"
                        f"media/{path.name}\n")
    with open(out / "followers.csv", "w") as followers:
        followers.write("date,followers\n2021-01-01,1000\n2021-12-31,1500\n")
    return written


def features(db, preprocessing_suffix):
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT f.content_hash, f.data FROM features f JOIN feature_sets s ON s.id = f.feature_set_id "
        "WHERE f.role = 'image' AND f.view = 0 AND s.preprocessing LIKE ?", (f"%{preprocessing_suffix}",)).fetchall()
    return {content: struct.unpack(f"<{len(blob) // 4}f", blob) for content, blob in rows}


def resize_noise_floor(popsweep, crops, work):
    """Cosines between features of PIL-resized and torchvision-resized copies
    of the same fully decoded photos (module docstring)."""
    import numpy
    import torch
    import torchvision.transforms.functional as functional
    profile = work / "resize-pairs"
    media = profile / "media"
    media.mkdir(parents=True, exist_ok=True)
    names, pixel_gaps, half_gaps = [], [], []
    for path in crops:
        with Image.open(path) as opened:
            decoded = opened.convert("RGB")
        resized_by_pil = decoded.resize((224, 224), Image.BILINEAR)
        resized_by_pil.save(media / f"{path.stem}-pil.png")
        by_pil = numpy.asarray(resized_by_pil, dtype=numpy.int16)
        full = numpy.asarray(decoded, dtype=numpy.float64)
        height, width = full.shape[0] // 2 * 2, full.shape[1] // 2 * 2
        quads = full[:height:2, :width:2] + full[1:height:2, :width:2] + full[:height:2, 1:width:2] + \
            full[1:height:2, 1:width:2]
        half = Image.fromarray(numpy.clip(numpy.round(quads / 4), 0, 255).astype(numpy.uint8))
        resized_from_half = half.resize((224, 224), Image.BILINEAR)
        resized_from_half.save(media / f"{path.stem}-half.png")
        half_gaps.append(float((numpy.asarray(resized_from_half, dtype=numpy.int16) != by_pil).mean()))
        tensor = torch.from_numpy(numpy.asarray(decoded).copy()).permute(2, 0, 1)
        by_torchvision = functional.resize(tensor, [224, 224], antialias=True).permute(1, 2, 0).numpy()
        Image.fromarray(by_torchvision).save(media / f"{path.stem}-tv.png")
        apart = numpy.abs(by_pil - by_torchvision.astype(numpy.int16))
        pixel_gaps.append((int(apart.max()), float((apart > 0).mean())))
        names += [f"{path.stem}-pil.png", f"{path.stem}-tv.png", f"{path.stem}-half.png"]
    with open(profile / "posts.csv", "w") as posts:
        posts.write("post_id,timestamp,likes,comments,impressions,kind,media\n")
        for i, name in enumerate(names):
            posts.write(f"q{i:04d},2021-02-{1 + i % 28:02d}T{i % 24:02d}:00:00Z,{100 + i},0,,image,media/{name}\n")
    (profile / "followers.csv").write_text("date,followers\n2021-01-01,1000\n2021-12-31,1500\n")
    db = work / "resize-pairs.db"
    db.unlink(missing_ok=True)
    subprocess.run([popsweep, "ingest", "--profile", str(profile), "--db", str(db)], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([popsweep, "extract", "--db", str(db), "--backbone", "mobilenet_v2", "--weights",
                    "builtin:mobilenet_v2", "--views", "0", "--image-size", "224", "--threads", "2"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT m.path, f.data FROM features f JOIN media m ON m.content_hash = f.content_hash "
                       "WHERE f.role = 'image' AND f.view = 0").fetchall()
    by_name = {pathlib.Path(path).name: struct.unpack(f"<{len(blob) // 4}f", blob) for path, blob in rows}
    print(f"the two resizes' pixels: at most {max(g for g, _ in pixel_gaps)} grey level(s) apart, on "
          f"{100 * sorted(f for _, f in pixel_gaps)[len(pixel_gaps) // 2]:.1f}% of the values of the median photo "
          f"({100 * max(f for _, f in pixel_gaps):.1f}% at most)")
    print(f"exact 2 x 2 averages against the reference: pixels apart on {100 * sorted(half_gaps)[len(half_gaps) // 2]:.1f}% "
          f"of the values of the median photo ({100 * max(half_gaps):.1f}% at most)")
    floor = sorted(cosine(by_name[f"{path.stem}-pil.png"], by_name[f"{path.stem}-tv.png"]) for path in crops)
    half_bound = sorted(cosine(by_name[f"{path.stem}-pil.png"], by_name[f"{path.stem}-half.png"]) for path in crops)
    return floor, half_bound


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    norm = (sum(x * x for x in a) * sum(y * y for y in b)) ** 0.5
    return dot / norm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("popsweep")
    parser.add_argument("work", type=pathlib.Path)
    parser.add_argument("--count", type=int, default=108)
    args = parser.parse_args()
    sources = photographs()
    if not sources:
        print("no photographs: apt-get install plasma-workspace-wallpapers", file=sys.stderr)
        return 1
    profile = args.work / "photos"
    if not (profile / "posts.csv").exists():
        cut_crops(sources, profile, args.count)
    db = args.work / "photos.db"
    db.unlink(missing_ok=True)
    subprocess.run([args.popsweep, "ingest", "--profile", str(profile), "--db", str(db)], check=True,
                   stdout=subprocess.DEVNULL)
    seconds = {}
    for scaled in ("false", "true"):
        started = time.monotonic()
        subprocess.run([args.popsweep, "extract", "--db", str(db), "--backbone", "mobilenet_v2", "--weights",
                        "builtin:mobilenet_v2", "--views", "0", "--image-size", "224", "--threads", "2",
                        f"features.jpeg_dct_scaling={scaled}"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        seconds[scaled] = time.monotonic() - started
    reference = features(db, "view-seed=0")
    reduced = features(db, "jpeg-dct-scaled")
    common = sorted(set(reference) & set(reduced))
    similarities = sorted(cosine(reference[h], reduced[h]) for h in common)
    if len(similarities) < len(reference):
        print(f"only {len(similarities)} of {len(reference)} photos in both runs", file=sys.stderr)
        return 1
    n = len(similarities)
    print(f"photos: {n} crops of 1080 x 1080 from {len(sources)} photographs")
    print(f"cosine similarity, reduced against reference decoding: min {similarities[0]:.5f}, "
          f"1st percentile {similarities[max(0, n // 100 - 1)]:.5f}, median {similarities[n // 2]:.5f}, "
          f"mean {sum(similarities) / n:.5f}")
    print(f"extract seconds (whole process, 2 threads): reference {seconds['false']:.2f}, "
          f"dct-scaled {seconds['true']:.2f}")
    # What a user of the features would notice: each photo's nearest other
    # photo (crops of one photograph lie close), found with either decoding.
    def nearest(vectors):
        def closest(h):
            return max((other for other in common if other != h), key=lambda other: cosine(vectors[h], vectors[other]))
        return {h: closest(h) for h in common}
    same = sum(a == b for a, b in zip(nearest(reference).values(), nearest(reduced).values()))
    print(f"nearest other photo unchanged by reduced decoding: {same} of {n}")
    crops = sorted((profile / "media").glob("*.jpg"))
    floor, half_bound = resize_noise_floor(args.popsweep, crops, args.work)
    m = len(floor)
    print(f"yardstick, PIL against torchvision resize of the same full decoding: min {floor[0]:.5f}, "
          f"1st percentile {floor[max(0, m // 100 - 1)]:.5f}, median {floor[m // 2]:.5f}, mean {sum(floor) / m:.5f}")
    print(f"bound for any half-scale decoding, exact 2 x 2 averages of the full decoding: min {half_bound[0]:.5f}, "
          f"1st percentile {half_bound[max(0, m // 100 - 1)]:.5f}, median {half_bound[m // 2]:.5f}, "
          f"mean {sum(half_bound) / m:.5f}")
    below = sum(value < 0.999 for value in similarities)
    below_floor = sum(value < 0.999 for value in floor)
    below_half = sum(value < 0.999 for value in half_bound)
    print(f"photos under 0.999: {below} of {n} reduced, {below_floor} of {m} for the two resizes, "
          f"{below_half} of {m} for the exact 2 x 2 averages")
    return 0


if __name__ == "__main__":
    sys.exit(main())

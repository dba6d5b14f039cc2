#!/usr/bin/env python3
"""Builds an images-only profile in popsweep's layout (docs/INPUT.md) for the
extraction benchmark, so that `popsweep extract` and the Python loop see
exactly the same files and no videos.

Takes the images of a source profile (e.g. `popsweep synth --preset tiny`)
that PIL can decode, leaving out video thumbnails, and writes COUNT distinct
JPEG files (the originals, then mirrored, flipped, rotated and re-encoded
variants, so that every file has its own content hash), one image post each,
plus a followers.csv.

    /usr/bin/python3 bench/python/make_image_profile.py SOURCE OUT --count 200
"""
import argparse
import hashlib
import pathlib
import sys

from PIL import Image, ImageOps

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from profile_files import write_image_posts  # noqa: E402

VIDEO_EXTENSIONS = {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi"}


def variants(image):
    yield image
    yield ImageOps.mirror(image)
    yield ImageOps.flip(image)
    yield image.rotate(180)
    yield ImageOps.mirror(ImageOps.flip(image.rotate(90, expand=True)))
    yield image.rotate(90, expand=True)
    yield image.rotate(270, expand=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=pathlib.Path)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()

    files = sorted(p for p in args.source.rglob("*") if p.is_file())
    video_stems = {p.with_suffix("") for p in files if p.suffix.lower() in VIDEO_EXTENSIONS}
    sources = []
    for path in files:
        if path.suffix.lower() != ".jpg" or path.with_suffix("") in video_stems:
            continue
        try:
            with Image.open(path) as image:
                sources.append(image.convert("RGB"))
        except OSError:
            pass  # the synthetic profile's deliberately corrupt files
    if not sources:
        print(f"no readable images under {args.source}", file=sys.stderr)
        return 1

    media = args.out / "media"
    media.mkdir(parents=True, exist_ok=True)
    seen = set()
    written = []
    quality = 95
    while len(written) < args.count:
        for generation in zip(*(variants(image) for image in sources)):
            for image in generation:
                if len(written) == args.count:
                    break
                path = media / f"img{len(written):04d}.jpg"
                image.save(path, quality=quality)
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                if digest in seen:
                    path.unlink()
                    continue
                seen.add(digest)
                written.append(path)
        quality -= 5  # another pass gives other bytes

    write_image_posts(args.out, [path.name for path in written], "b")
    print(f"{len(written)} images from {len(sources)} readable source images in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

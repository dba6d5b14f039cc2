#!/usr/bin/env python3
"""An images-only profile of full-size real photographs, for the dedup
stage's cost on the media users have (issue 21).

    photo_crops_profile.py OUT --count 1600 --size 1080 --quality 90

COUNT JPEGs of SIZE x SIZE cut from the wallpapers on this machine: the
largest file of each of Debian's plasma-workspace-wallpapers (30 pictures
of 1920 to 5120 px, most of them photographs, a few drawn). Each picture is a square crop of 40 to 100%
of a photograph's shorter side at a random place (seed 0), resized to SIZE
with Lanczos, so the files carry a real photograph's detail and its
entropy-coded size (what decoding costs), and many pairs share a scene the
way a profile's posts do. One picture in 20 is followed by an edited copy
of it (a crop of up to 3% per side, a colour gain, quality 75), the
duplicates verification must keep finding. One image post each, 12 hours
apart (profile_files.py). Nothing is downloaded.
"""
import argparse
import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from profile_files import write_image_posts  # noqa: E402


def largest_photographs():
    folders = sorted(pathlib.Path("/usr/share/wallpapers").glob("*/contents/images"))
    photos = []
    for folder in folders:
        files = [p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png") and not p.is_symlink()]
        if files:
            photos.append(max(files, key=lambda p: p.stat().st_size))
    if not photos:
        raise SystemExit("no photographs in /usr/share/wallpapers: install plasma-workspace-wallpapers")
    return photos


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--count", type=int, default=1600)
    parser.add_argument("--size", type=int, default=1080)
    parser.add_argument("--quality", type=int, default=90)
    args = parser.parse_args()
    from PIL import Image, ImageEnhance

    rng = random.Random(0)
    photos = [Image.open(p).convert("RGB") for p in largest_photographs()]
    media = args.out / "media"
    media.mkdir(parents=True, exist_ok=True)
    rows = []
    copies = 0
    while len(rows) < args.count:
        photo = rng.choice(photos)
        side = round(min(photo.size) * rng.uniform(0.4, 1.0))
        left, top = rng.randrange(0, photo.width - side + 1), rng.randrange(0, photo.height - side + 1)
        picture = photo.crop((left, top, left + side, top + side)).resize((args.size, args.size), Image.LANCZOS)
        name = f"crop{len(rows):04d}.jpg"
        picture.save(media / name, quality=args.quality)
        rows.append(name)
        if len(rows) % 20 == 0 and len(rows) < args.count:
            cut = [round(rng.uniform(0, 0.03) * args.size) for _ in range(4)]
            copy = picture.crop((cut[0], cut[1], args.size - cut[2], args.size - cut[3]))
            copy = ImageEnhance.Brightness(copy).enhance(rng.uniform(0.92, 1.08))
            name = f"copy{len(rows):04d}.jpg"
            copy.save(media / name, quality=75)
            rows.append(name)
            copies += 1
    write_image_posts(args.out, rows, "p")
    print(f"{len(rows)} JPEGs of {args.size} x {args.size} from {len(photos)} wallpapers "
          f"({copies} edited copies) in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Planted truth for near-duplicate cleaning on real photos (issue 21).

Builds a popsweep-layout profile from real photographs (the coral photos
and Debian's plasma-workspace-wallpapers) in which every picture belongs to
a group: an original and its edited copies (crops of up to 5% of a side,
JPEG re-encodes, resizes, mild colour changes, the same wallpaper at another
resolution) share a group; every hard negative is its own group:

  text          the same background with other text (font, size, position, language)
  patch         the same layout with another product / face / object pasted in
  crop-overlap  two crops of one large photo sharing less than half their area
  other-colours gradient cards of one layout in other colours, beyond what a
                mild colour change reaches (a channel's range at least 1.8
                times the other's, or its mean 45 grey levels away)

Gradient cards (a linear or radial wash between two colours, as poll and
quote backgrounds are) are originals too, with the same edited copies: a
picture with almost no detail is its colours, so only how far those moved
tells a filtered repost from another card.

`split="dev"` uses only the fonts and languages the verification was tuned
on; `split="test"` adds fonts and languages held out of development, so the
test sees text it was never tuned against. Everything is drawn from a seeded
random generator: the same seed gives the same files.
"""
import csv
import glob
import io
import json
import math
import os
import random

from PIL import Image, ImageDraw, ImageEnhance, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
WALLPAPER_DIR = "/usr/share/wallpapers"
DEV_FONTS = ["DejaVuSans.ttf", "DejaVuSerif.ttf"]
HELD_OUT_FONTS = ["DejaVuSansMono-Bold.ttf", "DejaVuSerifCondensed-Italic.ttf", "DejaVuSans-ExtraLight.ttf",
                  "DejaVuSansCondensed-Bold.ttf"]
DEV_TEXTS = [
    "Summer sale: 20% off", "New collection out now", "Join us this Friday", "Thank you 10k followers!",
    "Poll: coffee or tea?", "Nouvelle collection", "Soldes d'ete -30%", "Rendez-vous vendredi",
]
HELD_OUT_TEXTS = [
    "Wochenangebot: 2 fur 1", "Neue Farben im Laden", "Летняя распродажа", "Новая коллекция",
    "Καλό καλοκαίρι", "Νέα συλλογή", "Week 12 results: 48 votes", "Quote of the day",
]
WORKING_SIDE = 480  # originals are shrunk to this longer side, so the profile stays small


def source_photos(shared_dir):
    """The real photographs: coral's, then the largest file of each wallpaper."""
    paths = sorted(glob.glob(os.path.join(shared_dir, "models", "coral", "*.jpg")) +
                   glob.glob(os.path.join(shared_dir, "models", "coral", "*.bmp")))
    for folder in sorted(glob.glob(os.path.join(WALLPAPER_DIR, "*", "contents", "images"))):
        files = sorted(glob.glob(os.path.join(folder, "*.*")))
        if files:
            paths.append(max(files, key=lambda f: Image.open(f).size[0] * Image.open(f).size[1]))
    return paths


def same_aspect_resolutions(original):
    """Other files of the same wallpaper with the same aspect ratio: natural positives."""
    folder = os.path.dirname(original)
    if not folder.startswith(WALLPAPER_DIR):
        return []
    width, height = Image.open(original).size
    out = []
    for other in sorted(glob.glob(os.path.join(folder, "*.*"))):
        if other == original:
            continue
        w, h = Image.open(other).size
        if abs(w / h - width / height) < 0.01 * width / height and w >= 480:
            out.append(other)
    return out


def shrink(image, side=WORKING_SIDE):
    image = image.convert("RGB")
    scale = side / max(image.size)
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.LANCZOS)


def crop_by(image, rng, total):
    """Removes `total` of each side's length, split at random between its two ends."""
    w, h = image.size
    left = rng.uniform(0, total) * w
    top = rng.uniform(0, total) * h
    return image.crop((round(left), round(top), round(w - (total * w - left)), round(h - (total * h - top))))


def reencode(image, quality):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def recolour(image, rng):
    """Mild colour change: brightness, contrast and a per-channel gain."""
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.88, 1.12))
    image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.9, 1.1))
    gains = [rng.uniform(0.92, 1.08) for _ in range(3)]
    channels = [c.point(lambda v, g=g: min(255, round(v * g))) for c, g in zip(image.split(), gains)]
    return Image.merge("RGB", channels)


POSITIVE_EDITS = {
    "crop-3%": lambda im, rng: crop_by(im, rng, 0.03),
    "crop-5%": lambda im, rng: crop_by(im, rng, 0.05),
    "jpeg-q55": lambda im, rng: reencode(im, 55),
    "resize-60%": lambda im, rng: im.resize((round(im.width * 0.6), round(im.height * 0.6)), Image.BILINEAR),
    "colour": recolour,
    "crop+jpeg+resize": lambda im, rng: reencode(
        crop_by(im, rng, 0.02).resize((round(im.width * 0.8), round(im.height * 0.8)), Image.BICUBIC), 70),
}


def text_card(background, text, font_path, size_share, position, colour):
    card = background.copy()
    draw = ImageDraw.Draw(card)
    font = ImageFont.truetype(font_path, max(10, round(size_share * card.height)))
    x = round(position[0] * card.width)
    y = round(position[1] * card.height)
    draw.text((x, y), text, font=font, fill=colour, stroke_width=1, stroke_fill=(0, 0, 0))
    return card


def random_colour(rng):
    return [rng.randrange(30, 220) for _ in range(3)]


def template_background(photo, rng, flat):
    """A post template: a darkened photo, or a flat two-colour gradient (a poll card)."""
    if not flat:
        return ImageEnhance.Brightness(photo).enhance(0.7)
    w, h = 480, 480
    a = random_colour(rng)
    b = random_colour(rng)
    gradient = Image.new("RGB", (w, h))
    pixels = gradient.load()
    for y in range(h):
        t = y / (h - 1)
        row = tuple(round(a[c] * (1 - t) + b[c] * t) for c in range(3))
        for x in range(w):
            pixels[x, y] = row
    return gradient


def gradient_card(layout, start, end, side=WORKING_SIDE):
    """A wash from `start` to `end`: linear along layout["angle"], or radial
    from layout["centre"] (fractions of the side)."""
    card = Image.new("RGB", (side, side))
    pixels = card.load()
    if layout["kind"] == "linear":
        cos, sin = math.cos(layout["angle"]), math.sin(layout["angle"])
        along = [[x * cos + y * sin for x in range(side)] for y in range(side)]
    else:
        cx, cy = layout["centre"][0] * side, layout["centre"][1] * side
        along = [[math.hypot(x - cx, y - cy) for x in range(side)] for y in range(side)]
    low = min(min(row) for row in along)
    high = max(max(row) for row in along)
    for y in range(side):
        for x in range(side):
            t = (along[y][x] - low) / (high - low)
            pixels[x, y] = tuple(round(start[c] * (1 - t) + end[c] * t) for c in range(3))
    return card


def beyond_a_mild_change(first, second):
    """Whether two cards' colours (start, end) differ by more than the mild
    colour change can make: a channel's range 1.8 times the other's (ranges
    of at least 20 grey levels), or its mean 45 grey levels away."""
    for c in range(3):
        ranges = sorted(abs(card[1][c] - card[0][c]) for card in (first, second))
        if ranges[1] >= 20 and ranges[1] >= 1.8 * max(ranges[0], 1):
            return True
        if abs((first[0][c] + first[1][c]) / 2 - (second[0][c] + second[1][c]) / 2) >= 45:
            return True
    return False


def paste_patch(background, patch_source, box):
    card = background.copy()
    x0, y0, x1, y1 = box
    card.paste(patch_source.resize((x1 - x0, y1 - y0), Image.LANCZOS), (x0, y0))
    return card


class ProfileWriter:
    def __init__(self, folder):
        self.folder = folder
        os.makedirs(os.path.join(folder, "media"), exist_ok=True)
        self.rows = []
        self.group_of = {}  # media path (relative) -> group
        self.kind_of = {}   # media path (relative) -> kind of picture
        self.positive_pairs = []  # (original, copy, edit)
        self.negative_pairs = []  # (first, second, kind)

    def add(self, image, group, kind, quality=92):
        name = f"media/p{len(self.rows):04d}.jpg"
        image.save(os.path.join(self.folder, name), "JPEG", quality=quality)
        day = len(self.rows)
        self.rows.append([f"p{len(self.rows):04d}", f"2022-01-01T00:00:00Z", 100 + day, 5, "", "image", name])
        self.rows[-1][1] = f"2022-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{day // 336 % 24:02d}:00:00Z"
        self.group_of[name] = group
        self.kind_of[name] = kind
        return name

    def finish(self):
        with open(os.path.join(self.folder, "posts.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["post_id", "timestamp", "likes", "comments", "impressions", "kind", "media"])
            writer.writerows(self.rows)
        with open(os.path.join(self.folder, "followers.csv"), "w") as f:
            f.write("date,followers\n2022-01-01,1000\n2023-06-01,2000\n")
        with open(os.path.join(self.folder, "truth.json"), "w") as f:
            json.dump({"group_of": self.group_of, "kind_of": self.kind_of, "positive_pairs": self.positive_pairs,
                       "negative_pairs": self.negative_pairs}, f, indent=0)


def build_profile(folder, shared_dir, split="test", seed=21, sources=None):
    """Writes the profile; returns the ProfileWriter holding the truth."""
    rng = random.Random(seed)
    fonts = DEV_FONTS + (HELD_OUT_FONTS if split == "test" else [])
    texts = DEV_TEXTS + (HELD_OUT_TEXTS if split == "test" else [])
    out = ProfileWriter(folder)
    photos = source_photos(shared_dir)
    if sources:
        photos = photos[:sources]
    shrunk = [shrink(Image.open(p)) for p in photos]
    # Positives: each original with its edited copies, and other resolutions of a wallpaper.
    for index, (path, photo) in enumerate(zip(photos, shrunk)):
        group = f"photo{index}"
        original = out.add(photo, group, "original")
        for edit, apply in POSITIVE_EDITS.items():
            copy = out.add(apply(photo, rng), group, edit)
            out.positive_pairs.append((original, copy, edit))
        for other in same_aspect_resolutions(path)[:1]:
            copy = out.add(shrink(Image.open(other), rng.choice([360, 420, 480])), group, "other-resolution")
            out.positive_pairs.append((original, copy, "other-resolution"))
    # Gradient cards: one per three photos, each with the same edited copies
    # as a photo, and two other cards of its layout in other colours.
    def negative(image, kind):
        return out.add(image, f"negative{len(out.rows)}", kind)

    for index in range(max(1, len(photos) // 3)):
        layout = ({"kind": "linear", "angle": rng.uniform(0, 2 * math.pi)} if index % 2 == 0 else
                  {"kind": "radial", "centre": (rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8))})
        colours = (random_colour(rng), random_colour(rng))
        card = gradient_card(layout, *colours)
        group = f"card{index}"
        original = out.add(card, group, "card")
        for edit, apply in POSITIVE_EDITS.items():
            copy = out.add(apply(card, rng), group, edit)
            out.positive_pairs.append((original, copy, edit))
        others = []
        while len(others) < 2:
            candidate = (random_colour(rng), random_colour(rng))
            if beyond_a_mild_change(colours, candidate) and all(beyond_a_mild_change(o, candidate) for o in others):
                others.append(candidate)
        cards = [original] + [negative(gradient_card(layout, *o), "other-colours") for o in others]
        out.negative_pairs += [(cards[0], cards[1], "other-colours"), (cards[0], cards[2], "other-colours"),
                               (cards[1], cards[2], "other-colours")]

    # Hard negatives, each picture its own group.

    for index, photo in enumerate(shrunk):
        # Three posts on one template, other words (several fonts, sizes, places, languages).
        background = template_background(photo, rng, flat=index % 3 == 2)
        size = rng.uniform(0.06, 0.11)
        position = (rng.uniform(0.04, 0.3), rng.uniform(0.1, 0.75))
        colour = tuple(rng.randrange(200, 256) for _ in range(3))
        font = rng.choice(fonts)
        cards = [negative(text_card(background, text, font, size, position, colour), "text")
                 for text in rng.sample(texts, 3)]
        out.negative_pairs += [(cards[0], cards[1], "text"), (cards[0], cards[2], "text"),
                               (cards[1], cards[2], "text")]
        # The same layout with another object pasted in (a product sheet, a face on a card).
        w, h = background.size
        side = round(0.35 * min(w, h))
        x0, y0 = round(rng.uniform(0.05, 0.6) * w), round(rng.uniform(0.05, 0.5) * h)
        box = (x0, y0, min(w, x0 + side), min(h, y0 + side))
        others = [shrunk[(index + k) % len(shrunk)] for k in (1, 2, 3)]
        sheets = [negative(paste_patch(background, other, box), "patch") for other in others]
        out.negative_pairs += [(sheets[0], sheets[1], "patch"), (sheets[0], sheets[2], "patch"),
                               (sheets[1], sheets[2], "patch")]
        # Two crops of one large photo sharing less than half their area.
        large = Image.open(photos[index]).convert("RGB")
        large = large.resize((960, round(960 * large.height / large.width)), Image.LANCZOS)
        cw, ch = round(0.62 * large.width), round(0.62 * large.height)
        shift = round(rng.uniform(0.32, 0.37) * large.width)  # overlap (0.62 - shift) / 0.62 < 0.49
        top = rng.randrange(0, large.height - ch + 1)
        left = rng.randrange(0, large.width - cw - shift + 1)
        first = negative(shrink(large.crop((left, top, left + cw, top + ch))), "crop-overlap")
        second = negative(shrink(large.crop((left + shift, top, left + shift + cw, top + ch))), "crop-overlap")
        out.negative_pairs.append((first, second, "crop-overlap"))
    out.finish()
    return out

"""The semantic benchmark profile (bench/python/make_semantic_profile.py)
plants what it claims: popsweep's own labels (M1, M4, M5) are balanced and
follow the photo's group, while mean colour, brightness and contrast do not.

A small version (64 posts) is generated, ingested and labelled; the pictures'
low-level statistics are measured from the written JPEG files."""
import csv
import hashlib
import os
import subprocess
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "pylib"))
from popsweep_test_support import SOURCE_DIR, Checks, run_popsweep, scratch_dir  # noqa: E402

GENERATOR = os.path.join(SOURCE_DIR, "bench", "python", "make_semantic_profile.py")


def coral_folder():
    """The real photos: CMake's POPSWEEP_SHARED_DIR, else ../shared beside the checkout, else /work/shared."""
    candidates = [os.environ.get("POPSWEEP_SHARED_DIR", ""), os.path.join(SOURCE_DIR, "..", "shared"), "/work/shared"]
    for shared in candidates:
        if shared and os.path.isdir(os.path.join(shared, "models", "coral")):
            return os.path.join(shared, "models", "coral")
    sys.exit("models/coral not found in " + ", ".join(c for c in candidates if c) + " (set POPSWEEP_SHARED_DIR)")


CORAL = coral_folder()
POSTS = 64


def generate(folder, posts, seed):
    subprocess.run([sys.executable, GENERATOR, folder, "--posts", str(posts), "--seed", str(seed), "--coral", CORAL],
                   check=True, capture_output=True)


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def low_level(path):
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    return [*pixels.mean(axis=(0, 1)), pixels.mean(), pixels.std()]


def file_hashes(folder):
    media = os.path.join(folder, "media")
    return {name: hashlib.sha256(open(os.path.join(media, name), "rb").read()).hexdigest()
            for name in sorted(os.listdir(media))}


checks = Checks()
with scratch_dir() as scratch:
    profile = os.path.join(scratch, "profile")
    db = os.path.join(scratch, "semantic.db")
    labels_csv = os.path.join(scratch, "labels.csv")
    generate(profile, POSTS, seed=3)
    run_popsweep("ingest", "--profile", profile, "--db", db)
    run_popsweep("label", "--db", db, "--classes", 2, "--window-weeks", 8, "--mode", "centered",
                 "--csv", labels_csv)

    truth = {row["post_id"]: row for row in read_csv(os.path.join(profile, "truth.csv"))}
    media = {row["post_id"]: row["media"] for row in read_csv(os.path.join(profile, "posts.csv"))}
    labels = read_csv(labels_csv)
    groups = np.array([int(truth[row["post_id"]]["group"]) for row in labels])
    classes = np.array([int(row["class"]) for row in labels])

    checks.check(len(labels) == POSTS, f"{len(labels)} labelled media, expected {POSTS}")
    checks.check(groups.sum() == POSTS // 2, f"{groups.sum()} of {POSTS} posts in the popular group, expected half")
    checks.check(abs(classes.mean() - 0.5) <= 0.05, f"class 1 share {classes.mean():.3f}, expected about 0.5 (M4/M5)")
    agreement = (classes == groups).mean()
    checks.check(agreement >= 0.8, f"labels agree with the planted group on {agreement:.3f}, expected >= 0.8")
    checks.check(agreement <= 0.99, f"labels agree with the group on {agreement:.3f}: the PoR noise is missing")
    photos = {row["photo"] for row in truth.values()}
    checks.check(len(photos) == 8, f"{len(photos)} distinct source photos used, expected all 8")

    statistics = np.array([low_level(os.path.join(profile, media[row["post_id"]])) for row in labels])
    names = ["mean red", "mean green", "mean blue", "brightness", "contrast"]
    for name, column in zip(names, statistics.T):
        r = np.corrcoef(column, groups)[0, 1]
        # n = 64: one standard error of r is about 0.125, so 0.35 is 2.8 of
        # them; the target check below is the exact one.
        checks.check(abs(r) < 0.35, f"{name} correlates with the group: r = {r:.3f}")
    # The written pictures keep the targets drawn independently of the group
    # (JPEG moves the channel means by a grey level or so).
    targets = np.array([[float(truth[row["post_id"]][k]) for k in ("target_mean_r", "target_mean_g", "target_mean_b")]
                        for row in labels])
    worst = np.abs(statistics[:, :3] - targets).max()
    checks.check(worst < 3, f"a picture's channel mean is {worst:.1f} grey levels off its drawn target")

    # Seeded: the same seed writes the same bytes.
    first, second = os.path.join(scratch, "again-1"), os.path.join(scratch, "again-2")
    generate(first, 8, seed=5)
    generate(second, 8, seed=5)
    checks.check(file_hashes(first) == file_hashes(second), "the same seed wrote different pictures")
    checks.check(open(os.path.join(first, "posts.csv")).read() == open(os.path.join(second, "posts.csv")).read(),
                 "the same seed wrote a different posts.csv")
checks.finish()

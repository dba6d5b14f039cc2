"""Helpers shared by the Python reference tests (run with Debian's /usr/bin/python3).

The tests compare popsweep with an independent computation (numpy, pandas,
sklearn, torchvision, instaloader); these helpers only run the binary,
make scratch folders and placeholder media."""
import os
import subprocess
import sys
import tempfile

BINARY = os.environ.get("POPSWEEP_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "popsweep"))
SOURCE_DIR = os.environ.get("POPSWEEP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def run_popsweep(*args, check=True):
    """Runs the popsweep binary; returns the completed process (text output)."""
    result = subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise AssertionError(f"popsweep {' '.join(map(str, args))} exited {result.returncode}")
    return result


def random_post_media(rng, folder, i, kind_probabilities, max_carousel_items):
    """A random post's kind and media (placeholder files written under folder/media: ingest never decodes
    them): image, video or a carousel of 2..max_carousel_items images and videos."""
    kind = rng.choice(["image", "video", "carousel"], p=kind_probabilities)
    if kind == "image":
        media = [f"media/p{i}.jpg"]
    elif kind == "video":
        media = [f"media/p{i}.mp4"]
    else:
        media = [f"media/p{i}_{j}.{rng.choice(['jpg', 'mp4'])}" for j in range(rng.integers(2, max_carousel_items + 1))]
    for m in media:
        with open(os.path.join(folder, m), "wb") as f:
            f.write(f"placeholder {m}".encode())
    return kind, media


def scratch_dir():
    return tempfile.TemporaryDirectory(prefix="popsweep-pytest-")


class Checks:
    """Counts assertions so a test prints '<n> passed, <m> failed' and exits non-zero on failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, condition, message):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print("FAILED:", message)

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)

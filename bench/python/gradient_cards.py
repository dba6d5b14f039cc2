#!/usr/bin/env python3
"""Gradient cards against pixel verification: the figures behind the
contrast bound (docs/METHOD.md, "Contrast that moved too far").

    gradient_cards.py POPSWEEP WORK [--count 40]

COUNT gradient cards (linear and radial washes between two random colours,
as poll and quote backgrounds are), each with the planted truth's six edited
copies (tests/worker/features/near_duplicate_truth.py: the same cards and
edits), in one profile; `popsweep dedup --verify true` with the built-in
ImageNet MobileNetV2 (no views). Prints how many copy pairs were kept and how
many candidate pairs of different cards were kept, with how far colours and
contrast moved (`--pairs` columns; a binary from before the contrast bound
has none). Run it with another POPSWEEP to compare. Seed 5: the same files
each time.
"""
import argparse
import csv
import json
import pathlib
import random
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests" / "worker" / "features"))
import near_duplicate_truth as planted  # noqa: E402


def make_cards(folder, count):
    rng = random.Random(5)
    out = planted.ProfileWriter(str(folder))
    for index in range(count):
        layout = ({"kind": "linear", "angle": rng.uniform(0, 6.283185307179586)} if index % 2 == 0 else
                  {"kind": "radial", "centre": (rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8))})
        card = planted.gradient_card(layout, planted.random_colour(rng), planted.random_colour(rng))
        original = out.add(card, f"card{index}", "card")
        for edit, apply in planted.POSITIVE_EDITS.items():
            out.positive_pairs.append((original, out.add(apply(card, rng), f"card{index}", edit), edit))
    out.finish()


def number(row, column):
    return float(row[column]) if row.get(column) else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("popsweep")
    parser.add_argument("work", type=pathlib.Path)
    parser.add_argument("--count", type=int, default=40)
    args = parser.parse_args()
    profile = args.work / "cards"
    if not (profile / "truth.json").exists():
        make_cards(profile, args.count)
    database = args.work / "cards.db"
    for stale in args.work.glob("cards.db*"):
        stale.unlink()
    features = ["--db", str(database), "--backbone", "mobilenet_v2", "--weights", "builtin:mobilenet_v2",
                "--views", "0"]
    subprocess.run([args.popsweep, "ingest", "--profile", str(profile), "--db", str(database)], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([args.popsweep, "extract", *features], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    pairs_csv = args.work / "cards-pairs.csv"
    subprocess.run([args.popsweep, "dedup", *features, "--verify", "true", "--pairs", str(pairs_csv)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    group_of = json.loads((profile / "truth.json").read_text())["group_of"]
    copies, others = [], []
    with open(pairs_csv) as f:
        for row in csv.DictReader(f):
            first, second = (str(pathlib.Path(row[c]).relative_to(profile)) for c in ("first_path", "second_path"))
            (copies if group_of[first] == group_of[second] else others).append(row)
    kept_copies = [r for r in copies if r["kept"] == "1"]
    kept_others = [r for r in others if r["kept"] == "1"]
    print(f"{args.count} cards: copy pairs kept {len(kept_copies)} of {len(copies)}; "
          f"pairs of different cards kept {len(kept_others)} of {len(others)}")
    for label, rows in (("copies kept", kept_copies), ("different cards kept", kept_others),
                        ("different cards whose blocks agreed",
                         [r for r in others if r["reason"] in ("blocks-agree", "colour-differs", "contrast-differs")])):
        shifts = [v for v in (number(r, "colour_shift") for r in rows) if v is not None]
        contrasts = [v for v in (number(r, "contrast_change") for r in rows) if v is not None]
        if shifts:
            print(f"  {label}: colour shift {min(shifts):.1f}-{max(shifts):.1f}, "
                  f"contrast change {min(contrasts):.3f}-{max(contrasts):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Precision and recall of `popsweep dedup --pairs` against a synthetic
profile's truth.json (its planted near-duplicate pairs).

    dedup_recall.py PAIRS.csv PROFILE_DIR [--type image|video|all] [--min 0.95]

Prints one line; with --min, exits 1 when precision or recall is below it.
"""
import argparse
import csv
import json
import os
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pairs")
    parser.add_argument("profile")
    parser.add_argument("--type", default="all", choices=["image", "video", "all"])
    parser.add_argument("--min", type=float, default=None)
    args = parser.parse_args()
    profile = os.path.abspath(args.profile)
    wanted = lambda kind: args.type == "all" or kind == args.type
    with open(os.path.join(profile, "truth.json")) as f:
        truth = {frozenset((d["original"], d["duplicate"])) for d in json.load(f)["duplicates"] if wanted(d["type"])}
    found = set()
    with open(args.pairs) as f:
        for row in csv.DictReader(f):
            # With verification the file lists every candidate; `kept` says
            # which were duplicates (all are without it).
            if wanted(row["media_type"]) and row.get("kept", "1") == "1":
                found.add(frozenset(os.path.relpath(row[k], profile) for k in ("first_path", "second_path")))
    hits = len(truth & found)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 1.0
    print(f"dedup: {hits} of {len(truth)} planted pairs found, {len(found)} reported: "
          f"precision {precision:.2f}, recall {recall:.2f}")
    if args.min is not None and (precision < args.min or recall < args.min):
        sys.exit(1)


if __name__ == "__main__":
    main()

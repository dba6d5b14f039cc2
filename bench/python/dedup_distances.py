#!/usr/bin/env python3
"""Where a synthetic profile's planted near duplicates lie among the image
embeddings of a popsweep database, and the best any single threshold could do.

    dedup_distances.py DB PROFILE_DIR [--feature-set N]

For each transform (reencode, rescale, crop): the median and largest distance
between a planted pair; the distances of every image to its nearest *distinct*
picture (planted partners left out); and the recall a threshold just under
the closest distinct pair would reach (precision 1). Reproduces the figures
of docs/BENCHMARKS.md, "Near-duplicate cleaning on the paper-size profile".
Needs Debian's python3-numpy (run with /usr/bin/python3).
"""
import argparse
import json
import os
import sqlite3

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("profile")
    parser.add_argument("--feature-set", type=int, default=1, help="feature_sets.id (default 1)")
    args = parser.parse_args()
    profile = os.path.abspath(args.profile)
    con = sqlite3.connect(args.db)
    paths = {}
    for content_hash, path in con.execute("SELECT content_hash, path FROM media WHERE media_type = 'image'"):
        # Stored as ingested: relative to the profile, or absolute.
        paths.setdefault(content_hash, []).append(os.path.relpath(path, profile) if os.path.isabs(path) else path)
    names, rows = [], []
    for content_hash, blob in con.execute(
            "SELECT content_hash, data FROM features WHERE role = 'image' AND view = 0 AND feature_set_id = ?",
            (args.feature_set,)):
        for path in paths.get(content_hash, []):
            names.append(path)
            rows.append(np.frombuffer(blob, dtype="<f4"))
    x = np.array(rows, dtype=np.float64)
    index = {name: i for i, name in enumerate(names)}
    with open(os.path.join(profile, "truth.json")) as f:
        truth = json.load(f)
    pairs = [(index[d["original"]], index[d["duplicate"]], d["transform"]) for d in truth["duplicates"]
             if d["type"] == "image" and d["original"] in index and d["duplicate"] in index]
    squares = (x ** 2).sum(1)
    distances = np.sqrt(np.maximum(squares[:, None] + squares[None, :] - 2 * x @ x.T, 0))
    np.fill_diagonal(distances, np.inf)
    planted = np.array([distances[a, b] for a, b, _ in pairs])
    for a, b, _ in pairs:
        distances[a, b] = distances[b, a] = np.inf
    nearest_distinct = distances.min(1)
    print(f"{len(names)} images, {len(pairs)} planted pairs; nearest distinct picture: "
          f"min {nearest_distinct.min():.3f}, 1st percentile {np.percentile(nearest_distinct, 1):.3f}, "
          f"median {np.median(nearest_distinct):.3f}")
    for transform in ("reencode", "rescale", "crop"):
        d = [planted[i] for i, p in enumerate(pairs) if p[2] == transform]
        if d:
            print(f"  {transform}: {len(d)} pairs, median {np.median(d):.3f}, max {np.max(d):.3f}")
    best = nearest_distinct.min()
    print(f"best threshold (just under {best:.3f}): recall {np.mean(planted < best):.3f} at precision 1.00")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference lines for bench/semantic.sh, computed from the profile written
by make_semantic_profile.py and the labels popsweep gave it.

- ceiling: the accuracy of predicting each image's class (2 classes) by its
  planted group alone (animal -> popular). No model that sees only the
  picture can expect more, because the rest of the label is PoR noise.
- low-level statistics: a logistic regression on each picture's per-channel
  mean, overall brightness and contrast (5 stratified folds x the given
  repeats, pooled-fold accuracy, mean and std over repeats as M19 does).
  It should stay near the majority baseline: the generator decorrelates
  these from the group, so beating random-weight features must come from
  what the pictures show.
- with --db, for every feature set stored there, probes of the features
  popsweep extracted, independent of popsweep's own head and trainer: a
  standardised logistic regression predicting (a) the class, as above, and
  (b) which of the 8 photos a picture comes from; and (c) the planted group
  of each photo's pictures when that photo is left out of training
  (leave-one-photo-out), which asks whether the features carry the category
  beyond recognising the same photo again.

Prints `name value std` lines (feature probes: `probe BACKBONE WEIGHTS
class_acc photo_acc unseen_photo_acc photo=acc,...`, the last per held-out
photo).

    /usr/bin/python3 bench/python/semantic_baselines.py PROFILE LABELS.csv [--repeats 2] [--db DB]
"""
import argparse
import csv
import pathlib
import sqlite3
import sys

import numpy as np
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def low_level_statistics(path):
    """Per-channel mean and std, brightness and contrast of one picture."""
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    means = pixels.mean(axis=(0, 1))
    stds = pixels.std(axis=(0, 1))
    return np.concatenate([means, stds, [pixels.mean(), pixels.std()]])


def pooled_cv_accuracy(features, classes, repeats, folds=5):
    """Mean and std over repeats of the accuracy over pooled validation folds."""
    scores = []
    for repeat in range(repeats):
        predicted = np.empty_like(classes)
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=repeat)
        for train, valid in splitter.split(features, classes):
            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
            model.fit(features[train], classes[train])
            predicted[valid] = model.predict(features[valid])
        scores.append(float((predicted == classes).mean()))
    return float(np.mean(scores)), float(np.std(scores))


def probe_model():
    # Strong regularisation: 1280 features against 240 training pictures.
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=3000))


def feature_probes(db_path, media_to_post, classes_by_post, truth):
    """One (backbone, weights, class acc, photo acc, unseen-photo acc) per stored feature set."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    post_by_hash = {content_hash: media_to_post[path]
                    for content_hash, path in db.execute("SELECT content_hash, path FROM media")}
    probes = []
    for feature_set, backbone, weights, dim in db.execute(
            "SELECT id, backbone, weights_hash, dim FROM feature_sets ORDER BY id").fetchall():
        rows = db.execute("SELECT content_hash, data FROM features WHERE feature_set_id = ? AND role = 'image' "
                          "AND view = 0 ORDER BY content_hash", (feature_set,)).fetchall()
        rows = [(post_by_hash[h], data) for h, data in rows if post_by_hash.get(h) in classes_by_post]
        features = np.stack([np.frombuffer(data, dtype="<f4", count=dim) for _, data in rows])
        classes = np.array([classes_by_post[post] for post, _ in rows])
        photos = np.array([truth[post]["photo"] for post, _ in rows])
        groups = np.array([int(truth[post]["group"]) for post, _ in rows])
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        class_acc = (cross_val_predict(probe_model(), features, classes, cv=folds) == classes).mean()
        photo_acc = (cross_val_predict(probe_model(), features, photos, cv=folds) == photos).mean()
        unseen = cross_val_predict(probe_model(), features, groups, cv=LeaveOneGroupOut(), groups=photos)
        shown = "random" if weights.startswith("random") else "imported"
        per_photo = ",".join(f"{photo.split('.')[0]}={(unseen[photos == photo] == groups[photos == photo]).mean():.2f}"
                             for photo in sorted(set(photos)))
        probes.append((backbone, shown, class_acc, photo_acc, (unseen == groups).mean(), per_photo))
    return probes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=pathlib.Path)
    parser.add_argument("labels", type=pathlib.Path)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--db", type=pathlib.Path, help="database holding extracted features to probe")
    args = parser.parse_args()

    with open(args.profile / "truth.csv") as f:
        truth = {row["post_id"]: row for row in csv.DictReader(f)}
    group = {post: int(row["group"]) for post, row in truth.items()}
    with open(args.profile / "posts.csv") as f:
        media = {row["post_id"]: row["media"] for row in csv.DictReader(f)}
    with open(args.labels) as f:
        rows = [row for row in csv.DictReader(f) if row["media_type"] == "image"]

    classes = np.array([int(row["class"]) for row in rows])
    groups = np.array([group[row["post_id"]] for row in rows])
    print(f"ceiling {float((classes == groups).mean()):.4f} 0")
    features = np.stack([low_level_statistics(args.profile / media[row["post_id"]]) for row in rows])
    mean, std = pooled_cv_accuracy(features, classes, args.repeats)
    print(f"low_level {mean:.4f} {std:.4f}")
    if args.db:
        media_to_post = {path: post for post, path in media.items()}
        classes_by_post = {row["post_id"]: int(row["class"]) for row in rows}
        for backbone, shown, class_acc, photo_acc, unseen_acc, per_photo in feature_probes(
                args.db, media_to_post, classes_by_post, truth):
            print(f"probe {backbone} {shown} {class_acc:.4f} {photo_acc:.4f} {unseen_acc:.4f} {per_photo}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

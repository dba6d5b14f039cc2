"""The carousel-leak and drift presets plant what they claim (issue 17).

An independent check with scikit-learn, before popsweep's own split
protocols exist: each preset is generated, ingested, labelled (K=2) and
embedded by popsweep (random EfficientNet-B0 weights, as the tests' sweeps
use), then a LogisticRegression on the image features is validated two ways.

- carousel-leak: the only thing that predicts a post's class is the post
  itself (its carousel shows one scene, popularity is noise). Folds over
  media items (StratifiedKFold) put siblings on both sides and must score at
  least 0.10 above the majority baseline; folds over posts (GroupKFold by
  post) must stay within 0.03 of it.
- drift: each period's new look is popular and turns stale the next period,
  and pictures are tinted by period. Random folds learn each period's
  mapping (at least 0.05 above the baseline); forward chaining in time
  (TimeSeriesSplit, a gap of the label window, trailing labels) meets each
  look just as it turns stale, and one never seen, and must score at least
  0.05 below random folds.

Accuracies and baselines are computed here from the features and labels in
the database, and printed."""
import os
import sqlite3
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "pylib"))
from popsweep_test_support import Checks, run_popsweep, scratch_dir  # noqa: E402

FOLDS = 5
WINDOW_WEEKS = 8


def prepare(work, preset, label_mode):
    """Generates, ingests, labels and embeds a preset; returns the images as
    (features, classes, post ids, timestamps), in time order."""
    profile = os.path.join(work, preset)
    database = profile + ".db"
    labels_csv = profile + "-labels.csv"
    run_popsweep("synth", "--preset", preset, "--out", profile, "--threads", "2")
    run_popsweep("ingest", "--profile", profile, "--db", database)
    run_popsweep("label", "--db", database, "--classes", "2", "--window-weeks", WINDOW_WEEKS, "--mode", label_mode)
    run_popsweep("extract", "--db", database, "--backbone", "efficientnet_b0", "--weights", "random",
                 "--image-size", "64", "--views", "0", "--threads", "2")
    con = sqlite3.connect(database)
    rows = con.execute(
        "SELECT f.data, l.class, p.post_key, p.posted_at FROM media m "
        "JOIN posts p ON p.id = m.post_id "
        "JOIN labels l ON l.media_id = m.id "
        "JOIN label_configs c ON c.id = l.label_config_id AND c.classes = 2 AND c.mode = ? "
        "JOIN features f ON f.content_hash = m.content_hash AND f.role = 'image' AND f.view = 0 "
        "WHERE m.media_type = 'image' ORDER BY p.posted_at, m.media_index", (label_mode,)).fetchall()
    x = np.array([np.frombuffer(r[0], dtype="<f4") for r in rows], dtype=np.float64)
    y = np.array([r[1] for r in rows])
    posts = np.array([r[2] for r in rows])
    days = np.array([r[3] / 86400 for r in rows])
    return x, y, posts, days


def model():
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))


def pooled_accuracy(x, y, splits):
    """Accuracy over the pooled validation items of `splits`, and the majority
    baseline of those same items."""
    hits, validated = 0, []
    for train, valid in splits:
        fitted = model().fit(x[train], y[train])
        hits += int((fitted.predict(x[valid]) == y[valid]).sum())
        validated.extend(valid)
    truth = y[validated]
    majority = np.bincount(truth).max() / len(truth)
    return hits / len(truth), majority, len(truth)


def carousel_leak(work, checks):
    x, y, posts, _ = prepare(work, "carousel-leak", "centered")
    media_folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(x, y)
    media, media_baseline, n = pooled_accuracy(x, y, media_folds)
    post_folds = StratifiedGroupKFold(FOLDS, shuffle=True, random_state=0).split(x, y, groups=posts)
    post, post_baseline, _ = pooled_accuracy(x, y, post_folds)
    print(f"carousel-leak: {n} images in {len(set(posts))} posts")
    print(f"  media folds (StratifiedKFold): accuracy {media:.3f}, majority baseline {media_baseline:.3f}")
    print(f"  post folds (StratifiedGroupKFold by post): accuracy {post:.3f}, majority baseline {post_baseline:.3f}")
    checks.check(media >= media_baseline + 0.10, f"media folds {media:.3f} not 0.10 above {media_baseline:.3f}")
    checks.check(abs(post - post_baseline) <= 0.03, f"post folds {post:.3f} not within 0.03 of {post_baseline:.3f}")


def drift(work, checks):
    x, y, _, days = prepare(work, "drift", "trailing")
    random_folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(x, y)
    shuffled, shuffled_baseline, n = pooled_accuracy(x, y, random_folds)
    # Forward chaining as train.split: time will do it: FOLDS consecutive
    # blocks, block 0 never validated, training ends a label window before
    # the validated block starts (as many images as that window holds).
    gap = int(round(len(x) * WINDOW_WEEKS * 7 / (days[-1] - days[0])))
    time_folds = TimeSeriesSplit(n_splits=FOLDS - 1, gap=gap).split(x)
    forward, forward_baseline, validated = pooled_accuracy(x, y, time_folds)
    print(f"drift: {n} images over {days[-1] - days[0]:.0f} days")
    print(f"  random folds (StratifiedKFold): accuracy {shuffled:.3f}, majority baseline {shuffled_baseline:.3f}")
    print(f"  forward chaining (TimeSeriesSplit, gap {gap} images): accuracy {forward:.3f} over {validated} "
          f"images, majority baseline {forward_baseline:.3f}")
    checks.check(shuffled >= shuffled_baseline + 0.05,
                 f"random folds {shuffled:.3f} learn no period mapping (baseline {shuffled_baseline:.3f})")
    checks.check(forward <= shuffled - 0.05, f"forward chaining {forward:.3f} not 0.05 below {shuffled:.3f}")


def main():
    checks = Checks()
    started = time.monotonic()
    with scratch_dir() as work:
        carousel_leak(work, checks)
        drift(work, checks)
    print(f"{time.monotonic() - started:.1f} s")
    checks.finish()


if __name__ == "__main__":
    main()

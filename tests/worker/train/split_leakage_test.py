"""The split protocols close the leaks they claim to close (issue 17), shown
on planted truth with popsweep's own sweeps.

- carousel-leak: the only popularity signal is the post itself (each
  carousel shows one scene 2-4 times; PoR is noise; truth.json lists the
  carousels). Folds over media items (`train.split: media`, the paper's) let
  a model recognise the scene of a validated picture's siblings: it must
  score at least 0.10 above the majority baseline. Folds over posts (`post`,
  the default) must stay within 0.03 of it. The leakage audit of the report
  must count the shared posts under `media` and report none under `post`.
- drift: each period's new look is popular and turns stale the next
  period, and pictures carry their period's tint. Random folds (`media`)
  learn each period's mapping; forward chaining (`time`, trailing labels)
  must score at least 0.05 below them.

Accuracies and baselines are recomputed here from the stored per-item
predictions (last epoch: the best epoch is chosen on the validation folds
themselves) and the label table; the count of validation items sharing a
post with a training item is recomputed from truth.json's carousels and the
media each job recorded it trained on. Dedup is disabled so the planted
siblings stay. The figures are printed."""
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "pylib"))
from popsweep_test_support import BINARY, Checks, run_popsweep, scratch_dir  # noqa: E402

COMMON = """
seed: 5
features:
  backbone: efficientnet_b0
  weights: random
  image_size: 64
  views: 0
  shards: 1
dedup:
  enabled: false
train:
  experiments: [image]
  classes: [2]
  folds: 5
  repeats: 3
  epochs: 30
run:
  workers: 1
  threads_per_worker: 2
"""


def run_sweep(work, name, preset, protocols, label_mode):
    spec = os.path.join(work, name + ".yaml")
    with open(spec, "w") as f:
        f.write(f"name: {name}\nprofile:\n  synth:\n    preset: {preset}\n    seed: 1\n"
                f"labels:\n  mode: {label_mode}\n" + COMMON + f"sweep:\n  train.split: [{', '.join(protocols)}]\n")
    database = os.path.join(work, name + ".db")
    result = subprocess.run([BINARY, "run", spec, "--db", database], capture_output=True, text=True,
                            env=dict(os.environ, OMP_WAIT_POLICY="PASSIVE"))
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise AssertionError(f"popsweep run {name} exited {result.returncode}")
    return database, os.path.join(work, f"synth-{preset}-1")


def protocol_of(params):
    return json.loads(params).get("split", "media")


def scores(con):
    """Pooled last-epoch accuracy and majority baseline per protocol."""
    labels = dict(con.execute("SELECT media_id, class FROM labels"))
    by_protocol = {}
    for params, media_id, predicted in con.execute(
            "SELECT j.params, p.media_id, p.predicted_last FROM predictions p JOIN jobs j ON j.id = p.job_id"):
        by_protocol.setdefault(protocol_of(params), []).append((media_id, predicted))
    out = {}
    for protocol, rows in by_protocol.items():
        ids = [m for m, _ in rows]
        accuracy = sum(labels[m] == predicted for m, predicted in rows) / len(rows)
        majority = max(Counter(labels[m] for m in ids).values()) / len(rows)
        out[protocol] = (accuracy, majority, len(rows))
    return out


def shared_post_leaks(con, profile):
    """Validation items whose carousel (truth.json) has an item in the job's
    training set, per protocol, from the media each job recorded."""
    with open(os.path.join(profile, "truth.json")) as f:
        truth = json.load(f)
    path_to_post = {m["path"]: m["post_id"] for m in truth["media"]}
    post_of = {}
    for media_id, path in con.execute("SELECT id, path FROM media"):
        relative = os.path.relpath(path, profile) if os.path.isabs(path) else path
        post_of[media_id] = path_to_post[relative]
    leaks = Counter()
    for job_id, params, blob in con.execute(
            "SELECT r.job_id, j.params, r.training_media_ids FROM train_results r JOIN jobs j ON j.id = r.job_id"):
        assert blob is not None, "a job did not record what it trained on"
        trained = {int.from_bytes(blob[i:i + 8], "little", signed=True) for i in range(0, len(blob), 8)}
        trained_posts = {post_of[m] for m in trained}
        for (media_id,) in con.execute("SELECT media_id FROM predictions WHERE job_id = ?", (job_id,)):
            leaks[protocol_of(params)] += post_of[media_id] in trained_posts
    return leaks


def audit_lines(database, work):
    report = run_popsweep("report", "--db", database, "--out", os.path.join(work, "report"))
    return [line for line in report.stdout.splitlines() if re.search(r"(?i)leak|audit", line)]


def main():
    checks = Checks()
    with scratch_dir() as work:
        database, profile = run_sweep(work, "carousels", "carousel-leak", ["media", "post"], "centered")
        con = sqlite3.connect(database)
        figures = scores(con)
        leaks = shared_post_leaks(con, profile)
        for protocol in ("media", "post"):
            accuracy, majority, n = figures[protocol]
            print(f"carousel-leak, split {protocol}: accuracy {accuracy:.3f}, majority baseline {majority:.3f}, "
                  f"gain {accuracy - majority:+.3f} over {n} pictures; {leaks[protocol]} validated pictures "
                  f"share a post with a training picture")
        media_gain = figures["media"][0] - figures["media"][1]
        post_gain = figures["post"][0] - figures["post"][1]
        checks.check(media_gain >= 0.10, f"media split gains {media_gain:+.3f} (needs >= +0.10): no leak to measure")
        checks.check(abs(post_gain) <= 0.03, f"post split is {post_gain:+.3f} from the baseline (needs within 0.03)")
        checks.check(leaks["media"] > 0.5 * figures["media"][2], f"media split: only {leaks['media']} shared posts")
        checks.check(leaks["post"] == 0, f"post split: {leaks['post']} validated pictures share a training post")
        lines = audit_lines(database, work)
        print("report's audit:", *lines, sep="\n  ")
        warnings = [line for line in lines if "WARNING" in line]
        checks.check(any("train.split=media" in line and re.search(r"\b" + str(leaks["media"]) + r"\b", line)
                         for line in warnings),
                     f"the report's audit does not warn of the {leaks['media']} shared posts of the media split")
        checks.check(not any("train.split=post" in line for line in warnings), "the audit warns of the post split")
        with open(os.path.join(work, "report", "report.md")) as f:
            audit_rows = [line for line in f if line.startswith("|") and "train.split=post" in line]
        print("report.md's audit rows for the post split:", *audit_rows, sep="\n  ")
        checks.check(any(line.count("none") >= 2 for line in audit_rows),
                     "report.md does not say 'none' for the post split's shared posts and duplicates")

        database, _ = run_sweep(work, "drift", "drift", ["media", "time"], "trailing")
        figures = scores(sqlite3.connect(database))
        for protocol in ("media", "time"):
            accuracy, majority, n = figures[protocol]
            print(f"drift, split {protocol}: accuracy {accuracy:.3f}, majority baseline {majority:.3f} "
                  f"over {n} pictures")
        gap = figures["media"][0] - figures["time"][0]
        print(f"drift: forward chaining scores {gap:.3f} below random folds")
        checks.check(gap >= 0.05, f"time split only {gap:.3f} below random folds (needs >= 0.05)")
    checks.finish()


if __name__ == "__main__":
    main()

"""`popsweep predict` with a context model (issue 18). A context-only sweep
of carousel-leak with `--hour-effect 1.5` (evening posts do better, nothing
else in the pictures) trains image heads on the context vector. Then:

- predict without the candidate's planned post is refused before any file
  is scored, saying what to give;
- the same picture planned for 19:30 UTC (the planted peak) gets a higher
  probability of the popular class than at 08:00, from flags and from a
  `--context` CSV alike (planted truth; both figures printed);
- a CSV without a row for a candidate is refused naming the file."""
import csv
import datetime
import io
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from popsweep_test_support import Checks, run_popsweep, scratch_dir  # noqa: E402

SPEC = """name: hours
seed: 4
profile:
  path: {profile}
labels:
  mode: trailing
features:
  backbone: mobilenet_v2
  weights: random
  image_size: 64
  views: 0
  shards: 1
dedup:
  enabled: false
train:
  experiments: [image]
  classes: [2]
  folds: 2
  repeats: 1
  epochs: 20
  lr: 0.01
  inputs: context
run:
  workers: 1
  threads_per_worker: 2
"""


def popular_probability(result, file):
    rows = {row["file"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    return float(rows[file]["p_class1"])


def main():
    checks = Checks()
    with scratch_dir() as work:
        profile = os.path.join(work, "profile")
        run_popsweep("synth", "--preset", "carousel-leak", "--seed", "18", "--out", profile, "--hour-effect", "1.5")
        spec = os.path.join(work, "hours.yaml")
        with open(spec, "w") as f:
            f.write(SPEC.format(profile=profile))
        database = os.path.join(work, "hours.db")
        run_popsweep("run", spec, "--db", database)
        with open(os.path.join(profile, "truth.json")) as f:
            picture = os.path.join(profile, json.load(f)["media"][0]["path"])
        # Three days after the profile's last post: a time like those the
        # models learned from (followers, history and gaps alike).
        with open(os.path.join(profile, "posts.csv")) as f:
            last = max(datetime.datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00"))
                       for row in csv.DictReader(f))
        day = (last + datetime.timedelta(days=3)).strftime("%Y-%m-%d")
        at_evening, at_morning = f"{day}T19:30:00Z", f"{day}T08:00:00Z"
        predict = ["predict", "--db", database, "--sweep", "hours", "--experiment", "image", "--classes", "2"]

        refused = run_popsweep(*predict, picture, check=False)
        print("without context:", refused.stderr.strip().splitlines()[-1] if refused.stderr else "")
        checks.check(refused.returncode != 0 and "--posted-at" in refused.stderr and
                     "train.inputs context" in refused.stderr and refused.stdout == "",
                     "a context model without the planned post is refused, saying what to give")

        caption = "#sun, at last 🌅"
        evening = popular_probability(
            run_popsweep(*predict, "--posted-at", at_evening, "--caption", caption, picture), picture)
        morning = popular_probability(
            run_popsweep(*predict, "--posted-at", at_morning, "--caption", caption, picture), picture)
        print(f"p(popular) of one picture planned at 19:30 UTC {evening:.3f}, at 08:00 UTC {morning:.3f}")
        checks.check(evening > morning + 0.2, "the planted evening advantage shows in predict's probabilities")

        table = os.path.join(work, "planned.csv")
        copy = os.path.join(work, "copy.jpg")
        with open(picture, "rb") as source, open(copy, "wb") as target:
            target.write(source.read())
        with open(table, "w", encoding="utf-8") as f:
            f.write(f"file,posted_at,caption,carousel_size\n{picture},{at_evening},\"{caption}\",1\n"
                    f"{copy},{at_morning},\"{caption}\",1\n")
        from_csv = run_popsweep(*predict, "--context", table, picture, copy)
        print("from the CSV:\n" + from_csv.stdout.strip())
        checks.check(abs(popular_probability(from_csv, picture) - evening) < 1e-6 and
                     abs(popular_probability(from_csv, copy) - morning) < 1e-6,
                     "the CSV gives each candidate its own planned post, as the flags do")
        with open(table, "w", encoding="utf-8") as f:
            f.write(f"file,posted_at\n{picture},{at_evening}\n")
        missing = run_popsweep(*predict, "--context", table, picture, copy, check=False)
        checks.check(missing.returncode != 0 and "no row for the candidate" in missing.stderr and copy in missing.stderr,
                     f"a candidate missing from the CSV is refused naming it: {missing.stderr.strip()[-200:]}")
    checks.finish()


if __name__ == "__main__":
    main()

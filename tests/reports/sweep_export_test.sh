#!/usr/bin/env bash
# `popsweep export` (issue 22): a sweep of the tiny synthetic profile (image,
# 3 and 2 classes, 2 folds, 2 repeats) is exported, and pandas
# (/usr/bin/python3) recomputes from the export alone every mean and std of
# the report's results.csv (accuracy, top-2 and majority baseline at the best
# and the last epoch; M19: pooled folds per repeat, population std over
# repeats) to 1e-12. The probabilities are checked against the database's
# float32 blobs read with sqlite3 and numpy, the parameter columns against the
# jobs' JSON, and the report's calibration (ECE, Brier) against numpy and
# sklearn on the exported probabilities. Bad input: a non-empty folder is refused unless --force, and an
# unknown sweep lists the sweeps.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
python=/usr/bin/python3
source "$(dirname "$0")/../support/skip_or_fail.sh"
source "$(dirname "$0")/../support/tiny_sweep_spec.sh"
"$python" -c 'import pandas, numpy' 2> /dev/null || skip_or_fail "$python has no pandas"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$work"
"$bin" synth --preset tiny --out profile > /dev/null
tiny_sweep_spec exported 11 "[3, 2]" 2 3 centered > spec.yaml
"$bin" run spec.yaml --db t.db > run.log 2>&1 || { cat run.log; fail "the sweep failed"; }
"$bin" report --db t.db --out report > report.log 2>&1 || { cat report.log; fail "the report failed"; }
"$bin" export --db t.db --sweep exported --out export > export.log 2>&1 || { cat export.log; fail "the export failed"; }
for file in jobs epochs predictions groups; do [ -s "export/$file.csv" ] || fail "no export/$file.csv"; done

"$python" - report/results.csv export t.db <<'PY' || fail "the export does not reproduce the report (above)"
import json, sqlite3, sys
import numpy as np, pandas as pd
results_path, export, db_path = sys.argv[1:]
# round_trip: pandas' default float parser may miss the last bit.
read = lambda path: pd.read_csv(path, float_precision="round_trip")
results = read(results_path)
jobs = read(f"{export}/jobs.csv")
predictions = read(f"{export}/predictions.csv")
epochs = read(f"{export}/epochs.csv")
groups = read(f"{export}/groups.csv")
problems = []

# groups.csv holds the report's cells.
if not groups.equals(results):
    problems.append("groups.csv differs from the report's results.csv")

# Every mean and std of results.csv, recomputed from predictions.csv + jobs.csv.
majority = jobs.set_index("job_id")["training_majority_class"]
predictions["majority"] = predictions["job_id"].map(majority)
def run_scores(rows, epoch, classes):
    p = rows[[f"probability_{epoch}_{c}" for c in range(classes)]].to_numpy()
    truth = rows["true_class"].to_numpy()
    accuracy = np.mean(p.argmax(axis=1) == truth)
    mine = p[np.arange(len(truth)), truth]
    above = sum((p[:, c] > mine) | ((p[:, c] == mine) & (c > truth)) for c in range(classes))
    top2 = np.mean(above < 2) if classes > 2 else None
    return accuracy, top2, np.mean(truth == rows["majority"].to_numpy())
checked = 0
for (point, experiment, classes), group in predictions.groupby(["point", "experiment", "classes"]):
    per_repeat = {epoch: [run_scores(r, epoch, classes) for _, r in group.groupby("repeat")] for epoch in ("best", "last")}
    expected = {"accuracy_best": [s[0] for s in per_repeat["best"]], "accuracy_last": [s[0] for s in per_repeat["last"]],
                "majority_baseline": [s[2] for s in per_repeat["best"]]}
    if classes > 2:
        expected["top2_best"] = [s[1] for s in per_repeat["best"]]
        expected["top2_last"] = [s[1] for s in per_repeat["last"]]
    rows = results[(results.point == point) & (results.experiment == experiment) & (results.classes == classes)]
    if set(rows.metric) != set(expected):
        problems.append(f"{experiment} K={classes}: metrics {sorted(rows.metric)} != {sorted(expected)}")
    for metric, values in expected.items():
        row = rows[rows.metric == metric].iloc[0]
        mean, std = np.mean(values), np.std(values, ddof=0)
        if abs(row["mean"] - mean) > 1e-12 or abs(row["std"] - std) > 1e-12 or row["runs"] != len(values):
            problems.append(f"{experiment} K={classes} {metric}: report {row['mean']} ± {row['std']} ({row['runs']} runs), "
                            f"export {mean} ± {std} ({len(values)} runs)")
        checked += 2
print(f"recomputed {checked} means and stds of results.csv from the export; largest K {predictions.classes.max()}")
if checked != 2 * len(results):
    problems.append(f"checked {checked} numbers, results.csv has {2 * len(results)}")

# Calibration (results.json) recomputed from the export: ECE over 10 equal-width
# bins of the top-class probability, multi-class Brier; for K = 2 the Brier
# score is twice sklearn's brier_score_loss.
from sklearn.metrics import brier_score_loss
report = json.load(open(results_path[:-len("results.csv")] + "results.json"))
for g in report["groups"]:
    rows = predictions[(predictions.experiment == g["experiment"]) & (predictions.classes == g["classes"])]
    for epoch in ("best", "last"):
        k = g["classes"]
        p = rows[[f"probability_{epoch}_{c}" for c in range(k)]].to_numpy()
        truth = rows["true_class"].to_numpy()
        brier = np.mean(np.sum((p - np.eye(k)[truth]) ** 2, axis=1))
        confidence, right = p.max(axis=1), p.argmax(axis=1) == truth
        bins = np.minimum(np.floor(confidence * 10).astype(int), 9)
        ece = sum(abs(right[bins == b].mean() - confidence[bins == b].mean()) * np.sum(bins == b) / len(p)
                  for b in range(10) if np.any(bins == b))
        stored = g["calibration"][f"{epoch}_epoch"]
        if abs(stored["brier"] - brier) > 1e-9 or abs(stored["expected_calibration_error"] - ece) > 1e-9:
            problems.append(f"{g['experiment']} K={k} {epoch}: report ECE {stored['expected_calibration_error']} "
                            f"Brier {stored['brier']}, numpy ECE {ece} Brier {brier}")
        # float32 pairs sum to 1 only to about 1e-7, so twice sklearn's agrees to about that.
        if k == 2 and abs(2 * brier_score_loss(truth, p[:, 1]) - brier) > 1e-6:
            problems.append(f"{g['experiment']} K=2 {epoch}: Brier {brier} is not twice sklearn's")
        if stored["items"] != len(p):
            problems.append(f"{g['experiment']} K={k}: calibration over {stored['items']} items, export has {len(p)}")
    print(f"calibration {g['experiment']} K={g['classes']}: ECE last {g['calibration']['last_epoch']['expected_calibration_error']:.3f}, "
          f"Brier last {g['calibration']['last_epoch']['brier']:.3f}")

# Probabilities and rows against the database, read independently.
db = sqlite3.connect(db_path)
stored = pd.read_sql("SELECT p.job_id, p.media_id, p.true_class, p.probabilities_best, p.probabilities_last, "
                     "po.post_key, po.posted_at FROM predictions p JOIN sweep_jobs s ON s.job_id = p.job_id "
                     "JOIN sweeps w ON w.id = s.sweep_id AND w.name = 'exported' "
                     "JOIN media m ON m.id = p.media_id JOIN posts po ON po.id = m.post_id", db)
if len(stored) != len(predictions):
    problems.append(f"predictions.csv has {len(predictions)} rows, the database {len(stored)}")
merged = predictions.merge(stored, on=["job_id", "media_id"], suffixes=("", "_db"))
for _, row in merged.iterrows():
    for epoch in ("best", "last"):
        blob = np.frombuffer(row[f"probabilities_{epoch}"], dtype="<f4").astype(np.float64)
        exported = row[[f"probability_{epoch}_{c}" for c in range(len(blob))]].to_numpy(dtype=np.float64)
        if not np.array_equal(blob, exported):
            problems.append(f"job {row.job_id} media {row.media_id} {epoch}: {exported} != {blob}"); break
    if row.true_class != row.true_class_db or row.post != row.post_key or row.posted_at != row.posted_at_db:
        problems.append(f"job {row.job_id} media {row.media_id}: class, post or time differ from the database")
stored_epochs = pd.read_sql("SELECT e.* FROM epochs e JOIN train_results r ON r.job_id = e.job_id "
                            "JOIN sweep_jobs s ON s.job_id = e.job_id JOIN sweeps w ON w.id = s.sweep_id "
                            "AND w.name = 'exported' ORDER BY e.job_id, e.epoch", db)
if not np.allclose(stored_epochs.drop(columns="job_id").to_numpy(),
                   epochs.sort_values(["job_id", "epoch"]).drop(columns="job_id").to_numpy(), rtol=0, atol=0):
    problems.append("epochs.csv differs from the epochs table")

# Every job parameter its own column.
stored_jobs = pd.read_sql("SELECT j.id, j.params FROM jobs j JOIN sweep_jobs s ON s.job_id = j.id "
                          "JOIN sweeps w ON w.id = s.sweep_id AND w.name = 'exported'", db)
if len(stored_jobs) != len(jobs):
    problems.append(f"jobs.csv has {len(jobs)} rows, the sweep {len(stored_jobs)} jobs")
def flat(value, prefix=""):
    if isinstance(value, dict) and value:
        for key, child in value.items():
            yield from flat(child, f"{prefix}.{key}" if prefix else key)
    elif prefix:
        yield prefix, value
# As text: seeds are 64-bit integers that a float column would round.
by_id = pd.read_csv(f"{export}/jobs.csv", dtype=str, keep_default_na=False).set_index("job_id")
for _, job in stored_jobs.iterrows():
    for key, value in flat(json.loads(job.params)):
        cell = by_id.loc[str(job.id), "param." + key]
        same = cell == value if isinstance(value, str) else (cell == "" if value is None else json.loads(cell) == value)
        if not same:
            problems.append(f"job {job.id} param.{key}: {cell!r} != {value!r}")
by_id = jobs.set_index("job_id")
train_jobs = by_id[by_id.stage == "train"]
if not (train_jobs["param.fold"] == train_jobs["fold"]).all() or train_jobs["param.train.epochs"].ne(3).any():
    problems.append("param.fold or param.train.epochs of the train jobs is wrong")
print(f"{len(predictions)} predictions, {len(epochs)} epochs, {len(jobs)} jobs with {sum(c.startswith('param.') for c in jobs.columns)} parameter columns")
if problems:
    print("\n".join(problems[:20]))
    sys.exit(1)
PY

# A folder that holds files is refused unless --force.
if "$bin" export --db t.db --out export > again.log 2>&1; then fail "export wrote into a non-empty folder"; fi
grep -q "not empty" again.log && grep -q -- "--force" again.log || { cat again.log; fail "the refusal does not say why or how"; }
"$bin" export --db t.db --out export --force > forced.log 2>&1 || { cat forced.log; fail "--force did not export"; }
cmp -s export/predictions.csv <("$bin" export --db t.db --out fresh > /dev/null && cat fresh/predictions.csv) ||
  fail "the same sweep exported twice differs"
# An unknown sweep lists the sweeps.
if "$bin" export --db t.db --sweep nosuch --out other > unknown.log 2>&1; then fail "export of an unknown sweep succeeded"; fi
grep -q "nosuch" unknown.log && grep -q "'exported'" unknown.log || { cat unknown.log; fail "the error does not list the sweeps"; }
[ ! -e other ] || fail "an unknown sweep left a folder behind"
echo "export: OK"

#!/usr/bin/env bash
# train.calibration: temperature is kept with the models (issue 22). Two
# sweeps of the tiny synthetic profile, with the popularity its visual
# families decide (tests/support/trained_intervals.sh, plant_likes signal,
# so the models learn something and the least-NLL T lies inside (0.05, 20)
# rather than at its bound), share their training jobs:
#   calibrated: train.calibration: temperature
#   plain:      train.calibration: none
# Checked:
#   - the coordinator stored one T for the calibrated sweep's point (none for
#     the plain one), equal to the least-NLL temperature that Python fits
#     itself on the best-epoch out-of-fold probabilities read from the
#     predictions table (numpy, a grid then a finer grid);
#   - predict says it uses the stored T, and its probabilities are
#     softmax(log p / T) of the plain sweep's with that T, same class;
#   - with the stored value changed to 2.5 in a copy of the database, predict
#     tempers with 2.5 (it reads the table, it does not refit);
#   - without the row (a database from before model_temperatures), predict
#     refits, says so, and finds the same T;
#   - export writes the row to temperatures.csv, schema version 2.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
python=/usr/bin/python3
source "$(dirname "$0")/../support/skip_or_fail.sh"
source "$(dirname "$0")/../support/tiny_sweep_spec.sh"
source "$(dirname "$0")/../support/trained_intervals.sh"
"$python" -c 'import pandas, numpy' 2> /dev/null || skip_or_fail "$python has no pandas"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$work"
"$bin" synth --preset tiny --out profile > /dev/null
cp profile/posts.csv posts.original.csv
plant_likes signal
tiny_sweep_spec calibrated 5 "[2]" 1 10 global "  calibration: temperature" > calibrated.yaml
tiny_sweep_spec plain 5 "[2]" 1 10 global "  calibration: none" > plain.yaml
for name in calibrated plain; do
  "$bin" run $name.yaml --db t.db > $name.log 2>&1 || { cat $name.log; fail "sweep $name failed"; }
done
grep -q "temperature stored for 1 group" calibrated.log || { cat calibrated.log; fail "the coordinator stored no temperature"; }
grep -q "temperature stored" plain.log && { cat plain.log; fail "a temperature stored for train.calibration: none"; }

"$python" - t.db > stored.txt <<'PY' || fail "the stored temperature is wrong (above)"
import sqlite3, sys
import numpy as np
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT w.name, t.point, t.experiment, t.classes, t.temperature, t.jobs, t.items "
                  "FROM model_temperatures t JOIN sweeps w ON w.id = t.sweep_id").fetchall()
assert len(rows) == 1 and rows[0][0] == "calibrated", f"expected one row, of the calibrated sweep: {rows}"
_, point, experiment, classes, stored, jobs, items = rows[0]
probabilities, truth = [], []
for blob, true_class in db.execute(
        "SELECT p.probabilities_best, p.true_class FROM predictions p JOIN train_results r ON r.job_id = p.job_id "
        "JOIN sweep_jobs s ON s.job_id = r.job_id JOIN sweeps w ON w.id = s.sweep_id AND w.name = 'calibrated' "
        "WHERE r.experiment = ? AND r.classes = ?", (experiment, classes)):
    probabilities.append(np.frombuffer(blob, dtype="<f4").astype(float))
    truth.append(true_class)
log_p = np.log(np.maximum(np.array(probabilities), 1e-12))
truth = np.array(truth)
def nll(t):
    z = log_p / t
    z = z - z.max(axis=1, keepdims=True)
    return -np.mean(z[np.arange(len(truth)), truth] - np.log(np.exp(z).sum(axis=1)))
grid = np.arange(0.05, 20.0, 0.001)
coarse = grid[np.argmin([nll(t) for t in grid])]
fine = np.arange(coarse - 0.001, coarse + 0.001, 1e-6)
fitted = fine[np.argmin([nll(t) for t in fine])]
print(f"stored T {stored!r} from {items} predictions of {jobs} jobs; fitted here {fitted:.6f}", file=sys.stderr)
assert items == len(truth), f"{items} items stored, {len(truth)} predictions"
assert abs(stored - fitted) <= 2e-6, f"stored {stored}, least NLL at {fitted}"
assert 0.1 < stored < 19, f"T = {stored} is at a bound of the search: the fit shows nothing"
print(repr(stored))
PY
stored=$(cat stored.txt)

image=$("$python" -c "import json; t = json.load(open('profile/truth.json'))
bad = {c['path'] for c in t['corrupt']}
print(' '.join(sorted('profile/' + m['path'] for m in t['media'] if m['path'].endswith('.jpg') and m['path'] not in bad)[:3]))")
predict() {  # predict DB SWEEP OUT
  "$bin" predict --db "$1" --sweep "$2" --experiment image --classes 2 $image > "$3.csv" 2> "$3.err" ||
    { cat "$3.err"; fail "predict on $2 ($1) failed"; }
}
predict t.db plain plain
predict t.db calibrated stored
grep -q "stored with the models" stored.err || { cat stored.err; fail "predict does not say it uses the stored T"; }
cp t.db changed.db
"$python" -c "import sqlite3; c = sqlite3.connect('changed.db'); c.execute('UPDATE model_temperatures SET temperature = 2.5'); c.commit()"
predict changed.db calibrated changed
cp t.db old.db
"$python" -c "import sqlite3; c = sqlite3.connect('old.db'); c.execute('DELETE FROM model_temperatures'); c.commit()"
predict old.db calibrated refitted
grep -q "refitted on their out-of-fold predictions" refitted.err || { cat refitted.err; fail "predict does not say it refitted"; }

"$python" - "$stored" <<'PY' || fail "predict's tempered probabilities are wrong (above)"
import re, sys
import numpy as np, pandas as pd
stored = float(sys.argv[1])
plain = pd.read_csv("plain.csv").set_index("file")
def tempered(t):
    p = plain[["p_class0", "p_class1"]].to_numpy()
    z = np.exp(np.log(np.maximum(p, 1e-12)) / t)
    return z / z.sum(axis=1, keepdims=True)
for name, t in (("stored", stored), ("changed", 2.5), ("refitted", stored)):
    got = pd.read_csv(f"{name}.csv").set_index("file").loc[plain.index]
    expected = tempered(t)
    error = np.abs(got[["p_class0", "p_class1"]].to_numpy() - expected).max()
    print(f"{name}: T = {t}, largest difference from softmax(log p / T) {error:.2e}")
    # predict prints probabilities to 6 decimals.
    assert error <= 2e-6, f"{name}: not softmax(log p / {t})"
    assert (got.predicted == plain.predicted).all(), f"{name}: tempering changed the class"
printed = float(re.search(r"tempered with T = ([0-9.]+)", open("refitted.err").read()).group(1))
assert abs(printed - stored) <= 1e-5 * stored, f"refitted T {printed}, stored {stored}"
PY

"$bin" export --db t.db --sweep calibrated --out export > /dev/null || fail "export failed"
grep -q "schema 2" export/schema.txt || { cat export/schema.txt; fail "export schema is not 2"; }
"$python" - "$stored" <<'PY' || fail "temperatures.csv is wrong (above)"
import sys
import pandas as pd
rows = pd.read_csv("export/temperatures.csv", float_precision="round_trip")
print(rows.to_string())
assert len(rows) == 1 and rows.temperature[0] == float(sys.argv[1]) and rows.experiment[0] == "image"
assert rows.classes[0] == 2
PY
echo "predict stored temperature: OK (T = $stored)"

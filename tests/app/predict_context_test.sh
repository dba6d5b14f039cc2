#!/usr/bin/env bash
# `popsweep predict` says what its numbers rest on (issue 22). Three sweeps of
# the tiny synthetic profile (first post 2019, so its history is years old):
#   calibrated: centred labels (the default), train.calibration: temperature
#   plain:      the same jobs, train.calibration: none
#   trailing:   labels.mode: trailing
# predict prints the sweep point and the date of the newest post the models
# learned from (checked against the training items the database recorded,
# read with Python's sqlite3); warns on centred labels (not for trailing)
# and on the stale profile (always here); and with a temperature its
# probabilities are softmax(log p / T) of the plain sweep's, same class.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
python=/usr/bin/python3
source "$(dirname "$0")/../support/tiny_sweep_spec.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$work"
"$bin" synth --preset tiny --out profile > /dev/null
tiny_sweep_spec calibrated 5 "[2]" 1 2 centered "  calibration: temperature" > calibrated.yaml
tiny_sweep_spec plain 5 "[2]" 1 2 centered "  calibration: none" > plain.yaml
tiny_sweep_spec trailing 5 "[2]" 1 2 trailing > trailing.yaml
for name in calibrated plain trailing; do
  "$bin" run $name.yaml --db t.db > $name.log 2>&1 || { cat $name.log; fail "sweep $name failed"; }
done
image=profile/$("$python" -c "import json; t = json.load(open('profile/truth.json'))
bad = {c['path'] for c in t['corrupt']}
print(sorted(m['path'] for m in t['media'] if m['path'].endswith('.jpg') and m['path'] not in bad)[0])")
for name in calibrated plain trailing; do
  "$bin" predict --db t.db --sweep $name --experiment image --classes 2 "$image" > $name.csv 2> $name.err ||
    { cat $name.err; fail "predict on $name failed"; }
done

newest=$("$python" - t.db <<'PY'
import sqlite3, sys, numpy as np, datetime
db = sqlite3.connect(sys.argv[1])
newest = 0
for (blob,) in db.execute("SELECT r.training_media_ids FROM train_results r JOIN sweep_jobs s ON s.job_id = r.job_id "
                          "JOIN sweeps w ON w.id = s.sweep_id AND w.name = 'calibrated'"):
    ids = np.frombuffer(blob, dtype="<i8").tolist()
    q = "SELECT max(p.posted_at) FROM media m JOIN posts p ON p.id = m.post_id WHERE m.id IN (%s)" % ",".join(map(str, ids))
    newest = max(newest, db.execute(q).fetchone()[0])
print(datetime.datetime.fromtimestamp(newest, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
PY
)
grep -q "predict: sweep point" calibrated.err || { cat calibrated.err; fail "no sweep point printed"; }
grep -q "newest post the models learned from: $newest" calibrated.err ||
  { cat calibrated.err; fail "the newest training post is not $newest"; }
grep -q "WARNING: the models were trained with centred labels" calibrated.err || { cat calibrated.err; fail "no centred-label warning"; }
grep -q "centred labels" trailing.err && { cat trailing.err; fail "a centred-label warning for trailing labels"; }
for name in calibrated trailing; do
  grep -q "WARNING: the profile's last post" $name.err || { cat $name.err; fail "no stale-profile warning ($name)"; }
done
temperature=$(sed -n 's/.*tempered with T = \([0-9.]*\).*/\1/p' calibrated.err)
[ -n "$temperature" ] || { cat calibrated.err; fail "no temperature printed"; }
grep -q "train.calibration: none" plain.err || { cat plain.err; fail "plain predict does not say it is untempered"; }

"$python" - plain.csv calibrated.csv "$temperature" <<'PY' || fail "the tempered probabilities are wrong (above)"
import sys, numpy as np, pandas as pd
plain, tempered, t = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2]), float(sys.argv[3])
p = plain[["p_class0", "p_class1"]].to_numpy()
expected = np.exp(np.log(np.maximum(p, 1e-12)) / t)
expected /= expected.sum(axis=1, keepdims=True)
got = tempered[["p_class0", "p_class1"]].to_numpy()
print(f"T = {t}: plain {p[0]}, tempered {got[0]}, expected {expected[0]}")
# T is printed to 3 decimals and the probabilities to 6.
assert np.allclose(got, expected, atol=2e-4), "not softmax(log p / T)"
assert (plain.predicted == tempered.predicted).all(), "tempering changed the class"
PY
echo "predict context: OK (newest training post $newest, T = $temperature)"

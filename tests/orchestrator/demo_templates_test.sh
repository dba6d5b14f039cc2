#!/usr/bin/env bash
# The plain `popsweep demo` shows near-duplicate cleaning that keeps distinct
# look-alike posts (issue 21): its spec (experiments/quick.yaml) plants
# template posts in the tiny profile (the same card, other words) and
# dedup.verify is on by default. Checked against the profile's truth.json:
#   - every planted duplicate pair lost one of its media, the other kept;
#   - no media of a template sibling pair was removed, and each pair was a
#     candidate of the feature search that pixel verification rejected (close
#     enough to be looked at, kept apart on its pixels);
#   - the demo's log and the report's pair sheet name every template pair, so
#     a user sees them survive;
#   - the dedup stage glanced at pictures extraction stored, decoding none.
# Training is cut to one short job and the augmented feature views to none:
# the claim is about cleaning, and the dedup stage reads only the plain view,
# so its pairs and decisions are the plain demo's (same backbone, image size
# and defaults).
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v sqlite3 > /dev/null || fail "the sqlite3 command-line tool is missing (scripts/setup installs it)"

"$bin" demo --out "$work/demo" features.views=0 train.epochs=1 "train.classes=[2]" train.folds=2 "train.experiments=[image]" \
  > "$work/demo.log" 2>&1 || { cat "$work/demo.log"; fail "popsweep demo failed"; }
grep "dedup:" "$work/demo.log" || fail "the demo's log has no dedup line"
# The extraction jobs' workers sent each picture's glance square with its
# features, so the dedup stage decodes none of them again.
grep -E "glance [0-9.]+ s over [0-9]+ pictures \(0 decoded\)" "$work/demo.log" ||
  fail "the dedup stage decoded glance pictures that extraction should have stored"

/usr/bin/python3 - "$work/demo" "$work/demo.log" <<'PY'
import glob, json, sqlite3, sys

demo, log_path = sys.argv[1], sys.argv[2]
profiles = glob.glob(f"{demo}/synth-tiny-1*/truth.json")
if len(profiles) != 1:
    sys.exit(f"FAIL: expected one synthetic profile beside the demo's database, found {profiles}")
truth = json.load(open(profiles[0]))
siblings = [(s["first"], s["second"]) for s in truth.get("template_siblings", [])]
planted = [(d["original"], d["duplicate"]) for d in truth["duplicates"]]
if not siblings:
    sys.exit("FAIL: the plain demo planted no template posts (truth.json has no template_siblings)")

con = sqlite3.connect(f"{demo}/popsweep.db")
path_of = dict(con.execute("SELECT id, path FROM media"))
removed = {path_of[r]: path_of[k] for r, k in con.execute("SELECT removed_media_id, kept_media_id FROM duplicates")}
candidates = {}
for first, second, kept, block, reason in con.execute(
        "SELECT first_media_id, second_media_id, kept, block_difference, reason FROM dedup_candidates"):
    candidates[frozenset((path_of[first], path_of[second]))] = (kept, block, reason)
verified = con.execute("SELECT count(*) FROM dedup_candidates WHERE verified = 1").fetchone()[0]
if verified == 0:
    sys.exit("FAIL: no candidate was verified on its pixels: dedup.verify is not on by default")

duplicates_removed = sum(1 for original, copy in planted if removed.get(copy) == original or removed.get(original) == copy)
siblings_removed = [pair for pair in siblings if pair[0] in removed or pair[1] in removed]
siblings_rejected = [pair for pair in siblings if candidates.get(frozenset(pair), (1,))[0] == 0]
other_removals = len(removed) - duplicates_removed
print(f"planted duplicates: {duplicates_removed} of {len(planted)} removed; other removals: {other_removals}")
print(f"template sibling pairs: {len(siblings)}, removed {len(siblings_removed)}, "
      f"candidates rejected by verification {len(siblings_rejected)}")
for pair in siblings:
    kept, block, reason = candidates.get(frozenset(pair), (None, None, "not a candidate"))
    print(f"  {pair[0]} / {pair[1]}: worst block {block}, {reason}")

log = open(log_path).read()
sheet = open(f"{demo}/report/charts/data_duplicate_pairs.svg").read()
near_misses = sheet[sheet.find("near-misses pixel verification rejected"):]
def named(text, pair):
    names = [path.split("/")[-1] for path in pair]
    return f"{names[0]} / {names[1]}" in text or f"{names[1]} / {names[0]}" in text
unlogged = [pair for pair in siblings if not named("\n".join(l for l in log.splitlines() if "kept apart" in l), pair)]
unsheeted = [pair for pair in siblings if not named(near_misses, pair)]
print(f"template pairs named in the demo's log: {len(siblings) - len(unlogged)} of {len(siblings)}; "
      f"in the report's near-miss sheet: {len(siblings) - len(unsheeted)} of {len(siblings)}")

problems = []
if duplicates_removed != len(planted):
    problems.append(f"only {duplicates_removed} of {len(planted)} planted duplicates removed")
if other_removals != 0:
    problems.append(f"{other_removals} media removed that are no planted duplicate")
if siblings_removed:
    problems.append(f"template siblings removed: {siblings_removed}")
if len(siblings_rejected) != len(siblings):
    problems.append("template pairs not looked at and rejected by verification: "
                    f"{[p for p in siblings if p not in siblings_rejected]}")
if unlogged:
    problems.append(f"template pairs the demo's log does not name: {unlogged}")
if unsheeted:
    problems.append(f"template pairs missing from the report's near-miss sheet: {unsheeted}")
if problems:
    sys.exit("FAIL: " + "; ".join(problems))
PY
echo "the plain demo removed every planted duplicate and kept every template sibling"

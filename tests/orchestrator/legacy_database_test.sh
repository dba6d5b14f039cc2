#!/usr/bin/env bash
# Old databases keep working (issue: split protocols). The fixture database
# was written by the release before train.split existed (legacy_database/
# README.md). Today's binary migrates it and resumes its sweep with the same
# spec, which does not mention train.split:
#   - the rerun is not refused and runs no job again (every job keeps its
#     attempts and finish time), and every result stays as recorded;
#   - the sweep's identity is stamped train.split media, and the run says it
#     kept the old protocol;
#   - the same spec under a new sweep name gets today's default (post) and
#     trains new jobs, while naming train.split media explicitly reuses the
#     old jobs.
#   - likewise dedup.verify, true by default since: the rerun keeps false
#     (the sweep ran with it) and says so; a new sweep that reuses the old
#     jobs names it too.
set -euo pipefail
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v sqlite3 > /dev/null || fail "the sqlite3 command-line tool is missing (scripts/setup installs it)"

cp "$here/legacy_database/legacy.yaml" "$work/"
xz -dc "$here/legacy_database/popsweep.db.xz" > "$work/popsweep.db"
# The synthetic profile the fixture was made from, as Debian 12's libraries
# wrote it: regenerated elsewhere (Debian 13's FFmpeg 7 and OpenCV 4.10) its
# media bytes differ, the profile's fingerprint with them, and every job
# would be new. popsweep reuses a complete synth folder beside the database.
tar -xJf "$here/legacy_database/synth-tiny-1.tar.xz" -C "$work"
db=$work/popsweep.db
[[ $(sqlite3 "$db" "PRAGMA user_version") == 6 ]] || fail "the fixture should be a schema-6 database"
jobs_state() { sqlite3 "$db" "SELECT id, job_key, status, attempts, finished_at FROM jobs WHERE stage != 'ingest' ORDER BY id"; }
results() {
  sqlite3 "$db" "SELECT r.job_id, r.experiment, r.fold, printf('%.9f', r.accuracy_best), printf('%.9f', r.accuracy_last),
                        (SELECT group_concat(media_id || ':' || predicted_best) FROM predictions p WHERE p.job_id = r.job_id)
                 FROM train_results r JOIN sweep_jobs s USING (job_id) JOIN sweeps w ON w.id = s.sweep_id
                 WHERE w.name = '${1:-legacy}' ORDER BY r.job_id"
}
jobs_before=$(jobs_state)
results_before=$(results)
(( $(sqlite3 "$db" "SELECT count(*) FROM train_results") == 6 )) || fail "the fixture should hold 6 training results"

cd "$work"
"$bin" run legacy.yaml --db "$db" > rerun.log 2>&1 || { cat rerun.log; fail "resuming the old sweep failed"; }
grep -q "keeps train.split media" rerun.log || { cat rerun.log; fail "the rerun did not say it kept the old protocol"; }
# Keys whose default changed after the sweep was recorded keep the value it ran with.
for kept in features.jpeg_dct_scaling=false dedup.verify=false; do
  grep -q "recorded with $kept, .*it keeps it" rerun.log || { cat rerun.log; fail "the rerun did not say it kept $kept"; }
done
[[ $(sqlite3 "$db" "PRAGMA user_version") -ge 7 ]] || fail "the database was not migrated"
[[ "$(jobs_state)" == "$jobs_before" ]] || { diff <(echo "$jobs_before") <(jobs_state); fail "jobs were run again"; }
[[ "$(results)" == "$results_before" ]] || fail "recorded results changed"
# The migration "pruned jobs" rebuilt the jobs table (issue 19): its CHECK
# takes 'pruned', and every row id, index and reference to it survived.
sqlite3 "$db" "SELECT sql FROM sqlite_schema WHERE name = 'jobs'" | grep -q "'pruned'" || fail "jobs.status does not take 'pruned'"
[[ -z $(sqlite3 "$db" "PRAGMA foreign_key_check") ]] || fail "the rebuilt jobs table left dangling references"
[[ $(sqlite3 "$db" "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'jobs_by_status' AND tbl_name = 'jobs'") == 1 ]] ||
  fail "the index jobs_by_status was lost"
for child in sweep_jobs job_dependencies epochs train_results predictions checkpoints; do
  sqlite3 "$db" "PRAGMA foreign_key_list($child)" | grep -q "|jobs|" || fail "$child no longer references jobs"
done
cp "$db" "$work/pruned-check.db"
sqlite3 "$work/pruned-check.db" "PRAGMA foreign_keys = ON; UPDATE jobs SET status = 'pruned' WHERE stage = 'train';
                                 DELETE FROM jobs WHERE stage = 'train';" || fail "a job cannot be pruned"
[[ $(sqlite3 "$work/pruned-check.db" "SELECT count(*) FROM train_results") == 0 ]] ||
  fail "deleting jobs no longer cascades to their results: the references point elsewhere"
stamped=$(sqlite3 "$db" "SELECT count(*) FROM sweeps, json_each(sweeps.spec_text, '\$.points') p
                         WHERE json_extract(p.value, '\$.\"train.split\"') = 'media'")
(( stamped == 2 )) || fail "expected both identity points stamped train.split media, found $stamped"
"$bin" report --db "$db" --out report > report.log 2>&1 || { cat report.log; fail "report on the migrated database failed"; }
echo "old sweep resumed: 0 of $(echo "$jobs_before" | wc -l) jobs rerun, 6 results unchanged, identity stamped media"

# A new sweep from the same spec gets today's defaults and new jobs; naming the
# old protocol (and the decoding and dedup rule it ran with) explicitly finds
# the old jobs.
"$bin" run legacy.yaml --db "$db" --new-sweep explicit-media train.split=media features.jpeg_dct_scaling=false \
  dedup.verify=false > explicit.log 2>&1 ||
  { cat explicit.log; fail "the explicit media sweep failed"; }
[[ "$(jobs_state)" == "$jobs_before" ]] ||
  fail "train.split=media dedup.verify=false under a new name recomputed the old jobs"
"$bin" run legacy.yaml --db "$db" --new-sweep by-post > post.log 2>&1 || { cat post.log; fail "the post sweep failed"; }
post_jobs=$(sqlite3 "$db" "SELECT count(*) FROM jobs WHERE stage = 'train' AND json_extract(params, '\$.split') = 'post'")
(( post_jobs == 6 )) || fail "the default protocol should have trained 6 new jobs, found $post_jobs"
echo "new sweeps: train.split=media reused the 6 old jobs; the default (post) trained $post_jobs new ones"

# Under post, the mixed experiment trained on no image of a post whose video
# it validated (the tiny profile has carousels mixing images and videos).
python3 - "$db" <<'PY' || fail "a post-split video_to_image job trained on an image of a validated post"
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
post_of = dict(con.execute("SELECT m.id, p.post_key FROM media m JOIN posts p ON p.id = m.post_id"))
shared = checked = mixed_posts = 0
for job_id, params, blob in con.execute(
        "SELECT r.job_id, j.params, r.training_media_ids FROM train_results r JOIN jobs j ON j.id = r.job_id "
        "WHERE r.experiment = 'video_to_image'"):
    if json.loads(params).get("split") != "post":
        continue
    trained = {post_of[int.from_bytes(blob[i:i + 8], "little", signed=True)] for i in range(0, len(blob), 8)}
    validated = {post_of[m] for (m,) in con.execute("SELECT media_id FROM predictions WHERE job_id = ?", (job_id,))}
    shared += len(trained & validated)
    checked += 1
image_posts = {post for (post,) in con.execute("SELECT p.post_key FROM media m JOIN posts p ON p.id = m.post_id WHERE m.media_type = 'image'")}
video_posts = {post for (post,) in con.execute("SELECT p.post_key FROM media m JOIN posts p ON p.id = m.post_id WHERE m.media_type = 'video'")}
mixed_posts = len(image_posts & video_posts)
print(f"post split, video_to_image: {checked} jobs, {mixed_posts} posts mix images and videos, {shared} validated posts trained on")
sys.exit(0 if checked == 3 and mixed_posts > 0 and shared == 0 else 1)
PY

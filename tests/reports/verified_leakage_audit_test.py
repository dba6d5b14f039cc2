"""The leakage audit of a sweep that verified its duplicates (issue 21), on planted truth.

A tiny synthetic profile with six pairs of template posts
(`profile.synth.template_posts: 6`: the same card, other words; distinct
posts, truth.json's "template_siblings") runs through a whole sweep with
`dedup.verify: true` (media split, two folds). Checked against truth.json
and the database, independently of the audit's code:

- dedup removes no template post, and stores the sibling pairs it met as
  rejected candidates;
- template siblings do land on both sides of a fold (counted here from each
  job's recorded training items and validated items): the feature rule
  would call them leaks;
- the report's leakage audit says it used the verified decisions and counts
  no duplicate leak: the planted duplicates were removed, and a rejected
  template pair is no leak.
The number of validated items with a template sibling in their training set
is printed: the false alarms verification spares the audit."""
import json
import os
import sqlite3
import sys
import textwrap

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from popsweep_test_support import Checks, run_popsweep, scratch_dir  # noqa: E402

SPEC = textwrap.dedent("""\
    name: verified
    seed: 3
    profile:
      synth:
        preset: tiny
        seed: 1
        template_posts: 6
    features:
      backbone: efficientnet_b0
      weights: random
      views: 0
      image_size: 64
      shards: 1
    dedup:
      # On these features the planted duplicates lie under 3.2, the template
      # pairs at 8 to 11.2, every other pair above 15
      # (tests/worker/synth/template_posts_test.py): the feature rule alone
      # would match the template pairs; verification has few candidates.
      threshold: 13
      verify: true
    train:
      experiments: [image]
      classes: [2]
      folds: 2
      repeats: 1
      epochs: 1
    run:
      workers: 1
      threads_per_worker: 2
    """)


def main():
    checks = Checks()
    with scratch_dir() as work:
        spec = os.path.join(work, "verified.yaml")
        with open(spec, "w") as f:
            f.write(SPEC)
        database = os.path.join(work, "v.db")
        run_popsweep("run", spec, "--db", database)
        profile = os.path.join(work, "synth-tiny-1-templates-6")
        with open(os.path.join(profile, "truth.json")) as f:
            truth = json.load(f)
        siblings = [(s["first"], s["second"]) for s in truth["template_siblings"]]
        checks.check(len(siblings) == 6, f"{len(siblings)} template pairs planted, expected 6")

        con = sqlite3.connect(database)

        def relative(path):
            return os.path.relpath(path, profile) if os.path.isabs(path) else path

        id_of = {relative(p): i for i, p in con.execute("SELECT id, path FROM media")}
        removed = {r for (r,) in con.execute("SELECT removed_media_id FROM duplicates")}
        sibling_ids = [(id_of[a], id_of[b]) for a, b in siblings]
        checks.check(not any(a in removed or b in removed for a, b in sibling_ids), "a template post was removed")
        rejected = {frozenset(p) for p in con.execute("SELECT first_media_id, second_media_id FROM dedup_candidates "
                                                      "WHERE verified = 1 AND kept = 0")}
        met = [p for p in sibling_ids if frozenset(p) in rejected]
        print(f"dedup: {len(removed)} media removed, {len(met)} of {len(sibling_ids)} template pairs stored as "
              f"rejected candidates")
        checks.check(len(met) > 0, "no template pair among the rejected candidates")
        planted = [(id_of[d["original"]], id_of[d["duplicate"]]) for d in truth["duplicates"] if d["type"] == "image"]
        caught = sum(1 for a, b in planted if a in removed or b in removed)
        print(f"planted image duplicates removed: {caught} of {len(planted)}")

        # Template siblings on both sides of a fold, from what each job trained and validated on.
        partner = {}
        for a, b in sibling_ids:
            partner[a], partner[b] = b, a
        split_siblings = 0
        for job_id, blob in con.execute("SELECT job_id, training_media_ids FROM train_results"):
            trained = set(np.frombuffer(blob, dtype="<i8").tolist())
            validated = [m for (m,) in con.execute("SELECT media_id FROM predictions WHERE job_id = ?", (job_id,))]
            split_siblings += sum(1 for m in validated if m in partner and partner[m] in trained)
        print(f"validated items whose template sibling was trained on: {split_siblings} "
              f"(leaks by the feature rule alone, none by verification)")
        checks.check(split_siblings > 0, "no template pair crossed a fold: the planted case is not exercised")

        report_dir = os.path.join(work, "report")
        run_popsweep("report", "--db", database, "--out", report_dir)
        with open(os.path.join(report_dir, "results.json")) as f:
            audit = json.load(f)["leakage_audit"]
        for group in audit:
            print(f"audit: {group['experiment']} {group['classes']} classes: duplicates {group['duplicates']}, "
                  f"rule: {group['duplicate_rule']}")
            checks.check(group["duplicate_rule_verified"] is True, "the audit did not use the verified decisions")
            checks.check(group["duplicates"] == 0, f"the audit counted {group['duplicates']} duplicate leaks")
            checks.check("pixel verification accepted" in group["duplicate_rule"], "the audit does not say its rule")
    checks.finish()


if __name__ == "__main__":
    main()

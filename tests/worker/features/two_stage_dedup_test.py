"""Near-duplicate cleaning on real photos: feature search, then pixel verification (issue 21).

near_duplicate_truth.py plants, in a profile of real photographs, >= 200
positive pairs (crops of up to 5% of a side, JPEG re-encodes, resizes,
colour changes, other resolutions of a wallpaper) and >= 200 hard-negative
pairs (same background with other text in fonts and languages held out of
development, same layout with another object pasted in, two crops of one
photo sharing less than half their area). `popsweep dedup --verify true`
with a suggested threshold must reach precision and recall >= 0.95 with the
real ImageNet MobileNetV2 (builtin:mobilenet_v2) and with random
EfficientNet-B0 weights. Every accepted pair across groups is a false
positive. Recall per kind of edit and precision per kind of hard negative
are printed, beside the same figures without verification (the effect).
The paper's fixed `dedup.threshold 5` must run with verification on and
off, and verification may only remove pairs from it.

Needs the coral photos (shared folder) and plasma-workspace-wallpapers;
missing ones fail under CI (scripts/setup installs them) and skip here."""
import collections
import contextlib
import csv
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "pylib"))
sys.path.insert(0, os.path.dirname(__file__))
from popsweep_test_support import Checks, run_popsweep, scratch_dir  # noqa: E402

SHARED_DIR = os.environ.get("POPSWEEP_SHARED_DIR", "/work/shared")


def skip_or_fail(reason):
    if os.environ.get("CI", "").lower() not in ("", "false", "0"):
        print(f"FAIL: {reason} (in CI nothing may be skipped; scripts/setup installs it)")
        sys.exit(1)
    print(f"SKIP: {reason}")
    sys.exit(0)


def accepted_pairs(pairs_csv, profile):
    kept = set()
    with open(pairs_csv) as f:
        for row in csv.DictReader(f):
            if row["kept"] == "1":
                kept.add(frozenset(os.path.relpath(p, profile) if os.path.isabs(p) else p
                                   for p in (row["first_path"], row["second_path"])))
    return kept


# Why the glance rejects a pair: its layout (the grey squares) or, past
# that, its detail (the squares less their blur) does not correlate.
GLANCE_REASONS = ("unrelated", "unrelated-detail")


def pairs_with_reason(pairs_csv, profile, *reasons):
    """The candidates verification rejected for one of `reasons`: `unrelated`
    or `unrelated-detail` (the glance), `block-differs-64px` (the early check)."""
    with open(pairs_csv) as f:
        return {frozenset(os.path.relpath(p, profile) if os.path.isabs(p) else p
                          for p in (row["first_path"], row["second_path"]))
                for row in csv.DictReader(f) if row["reason"] in reasons}


def unrelated_pairs(pairs_csv, profile):
    """The candidates verification's glance rejected as unrelated pictures."""
    return pairs_with_reason(pairs_csv, profile, *GLANCE_REASONS)


def check_phase_counts(checks, stdout, pairs_csv, label):
    """The dedup line says where verification's time went; its counts must be
    the pairs file's: every candidate's pictures glanced at, the pictures of the
    pairs past the glance prepared, those pairs checked."""
    found = re.search(r"glance [0-9.]+ s over (\d+) pictures \(\d+ decoded\), preparing [0-9.]+ s for (\d+), "
                      r"checks [0-9.]+ s of (\d+) pairs", stdout)
    checks.check(found is not None, f"{label}: the dedup line gives verification's phases")
    if not found:
        return
    with open(pairs_csv) as f:
        rows = list(csv.DictReader(f))
    past_glance = [r for r in rows if r["reason"] not in GLANCE_REASONS + ("unreadable",)]
    expected = (len({m for r in rows for m in (r["first_media_id"], r["second_media_id"])}),
                len({m for r in past_glance for m in (r["first_media_id"], r["second_media_id"])}),
                len(past_glance))
    got = tuple(int(g) for g in found.groups())
    print(f"  phases: {got[0]} pictures glanced at, {got[1]} prepared, {got[2]} pairs checked")
    checks.check(got == expected, f"{label}: phase counts {got} are the pairs file's {expected}")


def decoded_glances(stdout):
    found = re.search(r"over \d+ pictures \((\d+) decoded\)", stdout)
    return int(found.group(1)) if found else None


def check_stored_glances(checks, database, features, profile, pairs_csv, stdout, label):
    """Extraction stores each picture's glance square, so the dedup stage
    decodes none for its glance; a database without them (extracted before)
    decodes them at an eighth instead. Both must decide every pair alike."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        set_id = db.execute("SELECT max(feature_set_id) FROM glance_squares").fetchone()[0]
        squares = db.execute("SELECT count(*) FROM glance_squares WHERE feature_set_id = ?", (set_id,)).fetchone()[0]
        # One square per file content: a picture planted twice with the same bytes has one.
        files = db.execute("SELECT count(DISTINCT content_hash) FROM media").fetchone()[0]
    checks.check(squares == files, f"{label}: extraction stored {squares} glance squares for {files} distinct files")
    checks.check(decoded_glances(stdout) == 0, f"{label}: no glance square decoded when extraction stored them")
    stored = accepted_pairs(pairs_csv, profile)
    with open(pairs_csv) as f:
        stored_rows = {(r["first_media_id"], r["second_media_id"]): r["reason"] for r in csv.DictReader(f)}
    without = database + ".without-glances"
    if os.path.exists(without):
        os.remove(without)
    # SQLite's backup, not a file copy: the database is in WAL mode and its
    # latest pages may still be in the -wal file.
    with contextlib.closing(sqlite3.connect(database)) as source, \
            contextlib.closing(sqlite3.connect(without)) as copy:
        source.backup(copy)
        copy.execute("DELETE FROM glance_squares")
        copy.commit()
    old_csv = pairs_csv + ".decoded"
    at_eighth = run_popsweep("dedup", *(["--db", without] + features[2:]), "--verify", "true", "--pairs", old_csv)
    with open(old_csv) as f:
        decoded_rows = {(r["first_media_id"], r["second_media_id"]): r["reason"] for r in csv.DictReader(f)}
    moved = sum(stored_rows[k] != decoded_rows.get(k) for k in stored_rows)
    print(f"  glance squares: {squares} stored; without them {decoded_glances(at_eighth.stdout)} decoded, "
          f"{moved} of {len(stored_rows)} candidates settled by another stage")
    checks.check(decoded_glances(at_eighth.stdout) > 0, f"{label}: without stored squares the glance decodes")
    checks.check(accepted_pairs(old_csv, profile) == stored,
                 f"{label}: stored and decoded glance squares accept the same pairs")
    os.remove(without)


def evaluate(truth, kept):
    """Precision over every accepted pair, recall over the planted positive pairs."""
    true_pairs = {p for p in kept if len({truth.group_of[m] for m in p}) == 1}
    precision = len(true_pairs) / len(kept) if kept else 1.0
    found = [frozenset((a, b)) in kept for a, b, _ in truth.positive_pairs]
    recall = sum(found) / len(found)
    by_edit = collections.defaultdict(list)
    for (a, b, edit), hit in zip(truth.positive_pairs, found):
        by_edit[edit].append(hit)
    # A false pair is charged to the kinds of hard negative it involves.
    false_by_kind = collections.Counter()
    for pair in kept - true_pairs:
        for kind in {truth.kind_of[m] for m in pair if truth.group_of[m].startswith("negative")} or {"other"}:
            false_by_kind[kind] += 1
    designed_by_kind = collections.Counter(kind for _, _, kind in truth.negative_pairs)
    return precision, recall, by_edit, false_by_kind, designed_by_kind


def planted_negatives_accepted(truth, kept):
    """Per kind of hard negative: (planted pairs accepted as one picture, planted pairs)."""
    counts = collections.defaultdict(lambda: [0, 0])
    for a, b, kind in truth.negative_pairs:
        counts[kind][0] += frozenset((a, b)) in kept
        counts[kind][1] += 1
    return {kind: tuple(c) for kind, c in counts.items()}


def report(label, truth, kept):
    precision, recall, by_edit, false_by_kind, designed = evaluate(truth, kept)
    print(f"  {label}: {len(kept)} pairs accepted, precision {precision:.3f}, recall {recall:.3f}")
    print("    recall per edit: " + ", ".join(f"{e} {sum(h)}/{len(h)}" for e, h in sorted(by_edit.items())))
    true_count = len(kept) - sum(1 for p in kept if len({truth.group_of[m] for m in p}) > 1)
    print("    precision per hard negative: " + ", ".join(
        f"{kind} {true_count / (true_count + false_by_kind[kind]) if true_count + false_by_kind[kind] else 1:.3f} "
        f"({false_by_kind[kind]} false of {designed[kind]} planted)" for kind in sorted(designed)))
    accepted = planted_negatives_accepted(truth, kept)
    print("    planted hard-negative pairs accepted as one picture: " + ", ".join(
        f"{kind} {n}/{total}" for kind, (n, total) in sorted(accepted.items())))
    return precision, recall, {kind: (false_by_kind[kind], designed[kind]) for kind in designed}


def main(full=False):
    """`full`: every photo, both backbones, the >= 200 / >= 200 pairs (slow,
    two_stage_dedup_slow_test.py); otherwise the coral photos and two
    wallpapers with the real MobileNetV2 only, for the default run."""
    checks = Checks()
    if not os.path.isdir(os.path.join(SHARED_DIR, "models", "coral")):
        skip_or_fail(f"{SHARED_DIR}/models/coral (the coral photos) is missing")
    if not os.path.isdir("/usr/share/wallpapers/Autumn"):
        skip_or_fail("/usr/share/wallpapers is missing: install plasma-workspace-wallpapers")
    import near_duplicate_truth as planted  # PIL is only needed past the checks above

    with scratch_dir() as work:
        profile = os.path.join(work, "profile")
        truth = planted.build_profile(profile, SHARED_DIR, split=os.environ.get("DEDUP_TRUTH_SPLIT", "test"),
                                      sources=None if full else 10)
        print(f"planted: {len(truth.rows)} pictures, {len(truth.positive_pairs)} positive pairs, "
              f"{len(truth.negative_pairs)} hard-negative pairs")
        if full:
            checks.check(len(truth.positive_pairs) >= 200, "at least 200 positive pairs")
            checks.check(len(truth.negative_pairs) >= 200, "at least 200 hard-negative pairs")
        database = os.path.join(work, "p.db")
        run_popsweep("ingest", "--profile", profile, "--db", database)
        backbones = [("mobilenet_v2", "builtin:mobilenet_v2")] + ([("efficientnet_b0", "random")] if full else [])
        for backbone, weights in backbones:
            features = ["--db", database, "--backbone", backbone, "--weights", weights, "--views", "0",
                        "--image-size", "224", "--threads", "2"]
            run_popsweep("extract", *features)
            print(f"{backbone} ({weights}):")
            pairs_csv = os.path.join(work, f"{backbone}.csv")
            plain = run_popsweep("dedup", *features, "--verify", "false", "--pairs", pairs_csv)
            print("  " + plain.stdout.strip())
            report("features alone (suggested threshold)", truth, accepted_pairs(pairs_csv, profile))
            verified = run_popsweep("dedup", *features, "--verify", "true", "--pairs", pairs_csv)
            print("  " + verified.stdout.strip())
            precision, recall, false_by_kind = report("features + pixel verification", truth,
                                                      accepted_pairs(pairs_csv, profile))
            # Each kind of hard negative on its own: a kind verification cannot tell apart
            # would hide in the overall precision (before the contrast bound, 7 false pairs
            # joined gradient cards of other colours to a card or its copies, against 9
            # planted pairs: precision 0.969 overall).
            for kind, (false, planted_pairs) in sorted(false_by_kind.items()):
                checks.check(false <= 0.05 * planted_pairs,
                             f"{backbone}: {false} false pairs with {kind} pictures, <= 5% of its "
                             f"{planted_pairs} planted pairs")
            check_phase_counts(checks, verified.stdout, pairs_csv, backbone)
            # The glance (the cheap first stage) settles most candidates; it must not be what
            # loses a planted duplicate: same-group pairs go on to the full check.
            glanced = unrelated_pairs(pairs_csv, profile)
            same_group_glanced = [p for p in glanced if len({truth.group_of[m] for m in p}) == 1]
            by_detail = pairs_with_reason(pairs_csv, profile, "unrelated-detail")
            print(f"  {len(glanced)} candidates rejected at a glance as unrelated ({len(by_detail)} of them "
                  f"by their detail), {len(same_group_glanced)} of them the same picture")
            checks.check(not same_group_glanced, f"{backbone}: no copy of one picture rejected at a glance")
            # Nor by the early check at 64 pixels (its bound, 80, was set on the development split).
            early = pairs_with_reason(pairs_csv, profile, "block-differs-64px")
            same_group_early = [p for p in early if len({truth.group_of[m] for m in p}) == 1]
            print(f"  {len(early)} candidates rejected by the early check at 64 pixels, "
                  f"{len(same_group_early)} of them the same picture")
            checks.check(not same_group_early, f"{backbone}: no copy of one picture rejected by the early check")
            # Verification runs on --threads threads; one thread and three must decide every
            # pair alike (and as the two threads above did).
            pairs_files = [open(pairs_csv).read()]
            for threads in ("1", "3"):
                on_threads = features[:features.index("--threads") + 1] + [threads]
                run_popsweep("dedup", *on_threads, "--verify", "true", "--pairs", pairs_csv)
                with open(pairs_csv) as f:
                    pairs_files.append(f.read())
            checks.check(pairs_files[0] == pairs_files[1] == pairs_files[2],
                         f"{backbone}: the same pairs file on 1, 2 and 3 threads")
            check_stored_glances(checks, database, features, profile, pairs_csv, verified.stdout, backbone)
            checks.check(precision >= 0.95, f"{backbone}: precision {precision:.3f} >= 0.95")
            checks.check(recall >= 0.95, f"{backbone}: recall {recall:.3f} >= 0.95")
            # The paper's fixed threshold, with verification off and on: on only removes pairs.
            run_popsweep("dedup", *features, "--threshold", "5", "--verify", "false", "--pairs", pairs_csv)
            paper = accepted_pairs(pairs_csv, profile)
            run_popsweep("dedup", *features, "--threshold", "5", "--verify", "true", "--pairs", pairs_csv)
            paper_verified = accepted_pairs(pairs_csv, profile)
            print(f"  threshold 5: {len(paper)} pairs without verification, {len(paper_verified)} with, "
                  f"{len(unrelated_pairs(pairs_csv, profile))} rejected at a glance")
            checks.check(paper_verified <= paper, f"{backbone}: verification only removes pairs at threshold 5")
    checks.finish()


if __name__ == "__main__":
    main()

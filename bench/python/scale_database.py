#!/usr/bin/env python3
"""Grows a popsweep database into the size of a 100,000-job sweep, for timing
`popsweep status` and `popsweep report` (bench/status_scale.sh).

Starts from a real small sweep's database (the legacy test database, brought
to today's schema by popsweep itself, so its profile, labels and feature sets
are real) and adds a sweep `scale` of generated training jobs laid out as the
paper's are: POINTS sweep points (train.lr) x 4 experiments x 2 and 3 classes
x 5 repeats x 5 folds, each validating ITEMS media (fold f validates media
f*ITEMS+1 .. (f+1)*ITEMS, so experiments pair up), with 2 epochs of history,
the media it trained on, and one prediction row per validated item. 1 in 100
jobs failed, 1 in 200 pending. The rows are made by SQL (recursive CTEs)
inside SQLite, so 10 million predictions take a minute, not an hour.

    scale_database.py DB [--jobs 100000] [--items 102]
"""
import argparse
import sqlite3
import struct

EXPERIMENTS = ["image", "cnn_rnn", "image_to_video", "video_to_image"]
FOLDS = 5
REPEATS = 5


def probability_blobs():
    """(classes, predicted class) -> float32 probabilities favouring it."""
    blobs = []
    for classes in (2, 3):
        for predicted in range(classes):
            values = [0.6 if c == predicted else 0.4 / (classes - 1) for c in range(classes)]
            blobs.append((classes, predicted, struct.pack("<%df" % classes, *values)))
    return blobs


def training_blobs(items):
    """fold -> the int64 ids of the media it trains on (every other fold's)."""
    everything = range(1, FOLDS * items + 1)
    return [(f, struct.pack("<%dq" % ((FOLDS - 1) * items),
                            *[m for m in everything if not f * items < m <= (f + 1) * items]))
            for f in range(FOLDS)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--jobs", type=int, default=100000)
    parser.add_argument("--items", type=int, default=102)
    args = parser.parse_args()
    per_point = len(EXPERIMENTS) * 2 * REPEATS * FOLDS

    db = sqlite3.connect(args.db, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    db.execute("CREATE TEMP TABLE probability_blob (classes INTEGER, predicted INTEGER, data BLOB)")
    db.executemany("INSERT INTO probability_blob VALUES (?, ?, ?)", probability_blobs())
    db.execute("CREATE TEMP TABLE training_blob (fold INTEGER PRIMARY KEY, data BLOB)")
    db.executemany("INSERT INTO training_blob VALUES (?, ?)", training_blobs(args.items))
    db.execute("CREATE TEMP TABLE experiment_name (number INTEGER PRIMARY KEY, name TEXT)")
    db.executemany("INSERT INTO experiment_name VALUES (?, ?)", list(enumerate(EXPERIMENTS)))

    db.execute("""INSERT INTO sweeps (name, spec_text, result_hash, seed, created_at, updated_at)
                  SELECT 'scale', spec_text, 'scale', seed, created_at, updated_at FROM sweeps ORDER BY id LIMIT 1""")
    sweep = db.execute("SELECT id FROM sweeps WHERE name = 'scale'").fetchone()[0]
    template = db.execute("SELECT params FROM jobs WHERE stage = 'train' ORDER BY id LIMIT 1").fetchone()[0]

    # The layout of job number i (fold fastest, then repeat, classes, experiment, point).
    db.execute("""CREATE TEMP TABLE layout AS
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
        SELECT i, i % 5 AS fold, i / 5 % 5 AS repeat, 2 + i / 25 % 2 AS classes,
               i / 50 % 4 AS experiment, i / ? AS point FROM n""", (args.jobs, per_point))
    db.execute("""INSERT INTO jobs (job_key, stage, params, seed, status, attempts, error, worker, created_at,
                                    started_at, finished_at, seconds)
        SELECT 'scale-train-' || i, 'train',
               json_set(?, '$.experiment', e.name, '$.classes', classes, '$.fold', fold, '$.repeat', repeat,
                        '$.train.lr', 0.001 * (1 + point), '$.folds', 5, '$.labels.classes', classes),
               i,
               CASE WHEN i % 100 = 7 THEN 'failed' WHEN i % 200 = 99 THEN 'pending' ELSE 'done' END,
               CASE WHEN i % 100 = 7 THEN 3 WHEN i % 200 = 99 THEN 0 ELSE 1 END,
               CASE WHEN i % 100 = 7 THEN 'generated failure of job ' || i END,
               'rank ' || (1 + i % 3), 1700000000, 1700000000 + i, 1700000001 + i, 1.0 + (i % 7) * 0.25
        FROM layout JOIN experiment_name e ON e.number = layout.experiment ORDER BY i""", (template,))
    first = db.execute("SELECT MIN(id) FROM jobs WHERE job_key LIKE 'scale-train-%'").fetchone()[0]
    db.execute("""INSERT INTO sweep_jobs (sweep_id, job_id, point)
        SELECT ?, ? + i, json_object('train.lr', printf('%g', 0.001 * (1 + point))) FROM layout""",
               (sweep, first))
    db.execute("""INSERT INTO sweep_jobs (sweep_id, job_id, point)
        SELECT ?, id, '{}' FROM jobs WHERE stage != 'train'""", (sweep,))
    db.execute("""INSERT INTO train_results (job_id, experiment, classes, fold, repeat, best_epoch, epochs_run,
                      accuracy_best, accuracy_last, top2_best, top2_last, majority_baseline, confusion_best,
                      confusion_last, train_items, val_items, training_majority_class, training_media_ids)
        SELECT ? + i, e.name, classes, layout.fold, repeat, 2, 2, 0.6, 0.55,
               CASE WHEN classes = 3 THEN 0.9 END, CASE WHEN classes = 3 THEN 0.85 END, 0.5,
               CASE WHEN classes = 2 THEN '[[30,20],[20,30]]' ELSE '[[20,7,6],[7,20,7],[6,7,20]]' END,
               CASE WHEN classes = 2 THEN '[[28,22],[23,27]]' ELSE '[[18,8,7],[8,18,8],[7,8,18]]' END,
               ? * 4, ?, 0, t.data
        FROM layout JOIN experiment_name e ON e.number = layout.experiment JOIN training_blob t ON t.fold = layout.fold
        WHERE i % 100 != 7 AND i % 200 != 99""", (first, args.items, args.items))
    db.execute("""INSERT INTO epochs (job_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy)
        SELECT job_id, e.epoch, 1.0 / e.epoch, 0.5 + 0.05 * e.epoch, 1.1 / e.epoch, 0.5 + 0.04 * e.epoch
        FROM train_results, (SELECT 1 AS epoch UNION ALL SELECT 2) e WHERE job_id >= ?""", (first,))
    db.execute("""INSERT INTO predictions (job_id, media_id, true_class, predicted_best, predicted_last,
                                           probabilities_best, probabilities_last)
        WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j + 1 < ?)
        SELECT r.job_id, r.fold * ? + k.j + 1, (r.fold * ? + k.j + 1) % r.classes,
               (k.j * 7 + r.job_id) % r.classes, (k.j * 5 + r.job_id) % r.classes, b.data, l.data
        FROM train_results r CROSS JOIN k
        JOIN probability_blob b ON b.classes = r.classes AND b.predicted = (k.j * 7 + r.job_id) % r.classes
        JOIN probability_blob l ON l.classes = r.classes AND l.predicted = (k.j * 5 + r.job_id) % r.classes
        WHERE r.job_id >= ? ORDER BY r.job_id, k.j""", (args.items, args.items, args.items, first))
    db.execute("COMMIT")
    counts = {table: db.execute("SELECT COUNT(*) FROM " + table).fetchone()[0]
              for table in ("jobs", "train_results", "epochs", "predictions")}
    print("sweep 'scale' (id %d): %s" % (sweep, ", ".join("%d %s" % (v, k) for k, v in counts.items())))


if __name__ == "__main__":
    main()

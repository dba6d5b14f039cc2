"""Compares a sweep run on one rank per job with the same sweep on gangs
(run.ranks_per_job > 1, issue 20): same predictions and best epochs,
accuracies within 1e-6, losses within 1e-5 (float sums in another order:
tests/worker/train/process_group_test.cc), every training job run by a gang.
Prints the largest differences.

usage: same_numbers_on_gangs.py ONE_RANK.db GANGS.db JOBS EPOCHS"""
import sqlite3
import sys

one, two = (sqlite3.connect(path) for path in sys.argv[1:3])
jobs, epochs = int(sys.argv[3]), int(sys.argv[4])


def rows(db, sql):
    return db.execute(sql).fetchall()


# Jobs match by their key (same spec and seed: same keys in both databases).
history = ("SELECT j.job_key, e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy "
           "FROM epochs e JOIN jobs j ON j.id = e.job_id ORDER BY 1, 2")
a, b = rows(one, history), rows(two, history)
assert len(a) == len(b) == jobs * epochs, (len(a), len(b), jobs * epochs)
assert all(x[:2] == y[:2] for x, y in zip(a, b))
loss_gap = max(max(abs(x[2] - y[2]), abs(x[4] - y[4])) for x, y in zip(a, b))
accuracy_gap = max(max(abs(x[3] - y[3]), abs(x[5] - y[5])) for x, y in zip(a, b))
print(f"1 rank vs gangs over {len(a)} epochs: largest loss difference {loss_gap:.3g}, "
      f"largest accuracy difference {accuracy_gap:.3g}")
assert loss_gap <= 1e-5, loss_gap
assert accuracy_gap <= 1e-6, accuracy_gap
assert len({x[2] for x in a}) > 1, "every epoch of the 1-rank run has the same loss: it learned nothing"
predictions = ("SELECT j.job_key, p.media_id, p.predicted_best, p.predicted_last "
               "FROM predictions p JOIN jobs j ON j.id = p.job_id ORDER BY 1, 2")
pa, pb = rows(one, predictions), rows(two, predictions)
assert pa == pb and len(pa) > 0, "predictions differ"
results = ("SELECT j.job_key, r.best_epoch, r.accuracy_best, r.accuracy_last "
           "FROM train_results r JOIN jobs j ON j.id = r.job_id ORDER BY 1")
ra, rb = rows(one, results), rows(two, results)
assert len(ra) == len(rb) == jobs, (len(ra), len(rb))
for x, y in zip(ra, rb):
    assert x[:2] == y[:2] and abs(x[2] - y[2]) <= 1e-6 and abs(x[3] - y[3]) <= 1e-6, (x, y)
gangs = rows(two, "SELECT worker FROM jobs WHERE stage = 'train'")
assert len(gangs) == jobs and all(' + ' in w for (w,) in gangs), gangs
print(f"same predictions ({len(pa)}), best epochs and accuracies; each job ran on a gang: {gangs[0][0]}")

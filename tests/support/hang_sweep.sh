# Sourced by the hung-worker tests (tests/orchestrator/*worker_hang_test.sh):
# the sweep they run and the numbers they compare with a run without a hang.

# A 30 s job time limit: far above a healthy job of this sweep (a few
# seconds), short enough for a test. It is operational, so the spec is the same.
hang_sweep_overrides=(train.epochs=3 "train.classes=[2]" train.folds=2 run.threads_per_worker=1
                      train.batch_size=8 features.image_size=64 run.job_timeout_minutes=0.5)

# Every training result and every epoch's losses, to 9 digits, of a database.
sweep_numbers() {
  sqlite3 "$1" "SELECT r.experiment, r.fold, r.best_epoch, printf('%.9f', r.accuracy_best),
                       printf('%.9f', r.accuracy_last), e.epoch, printf('%.9f', e.train_loss),
                       printf('%.9f', e.val_loss)
                FROM train_results r JOIN epochs e USING (job_id) ORDER BY 1, 2, 6"
}

"""M1-M6 checked against an independent computation with numpy and pandas.

A random profile (posts, carousels, follower samples with a gap before the
first and after the last sample, impressions on some posts) is ingested and
labelled by popsweep for several label settings; every follower estimate,
PoR, extrapolation flag and class in `popsweep label --csv`, and the numbers
it prints (M2 count, M3 correlation, M6 means), are recomputed here from the
raw CSV files with numpy/pandas."""
import os
import re
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "pylib"))
from popsweep_test_support import Checks, random_post_media, run_popsweep, scratch_dir  # noqa: E402

DAY = 86400
rng = np.random.default_rng(20211)


def write_random_profile(folder):
    os.makedirs(os.path.join(folder, "media"))
    start = pd.Timestamp("2019-01-01T00:00:00Z").value // 10**9
    n_posts = 400
    times = np.sort(start + rng.integers(0, 700 * DAY, n_posts))
    times[5] = times[4]  # two posts at the same second
    rows = []
    for i, t in enumerate(times):
        kind, media = random_post_media(rng, folder, i, [0.6, 0.2, 0.2], 4)
        likes = int(rng.integers(50, 5000))
        comments = int(rng.integers(0, 200))
        impressions = str(int(likes * rng.uniform(5, 20))) if i > 250 else ""
        stamp = pd.Timestamp(int(t), unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(f"p{i},{stamp},{likes},{comments},{impressions},{kind},{';'.join(media)}")
    with open(os.path.join(folder, "posts.csv"), "w") as f:
        f.write("post_id,timestamp,likes,comments,impressions,kind,media\n" + "\n".join(rows) + "\n")
    # Weekly samples with random gaps, starting 60 days in and ending 40 days early.
    sample_days = [d for d in range(60, 660, 7) if rng.random() > 0.3]
    followers = [int(2000 * np.exp(d / 400) + rng.integers(-30, 30)) for d in sample_days]
    with open(os.path.join(folder, "followers.csv"), "w") as f:
        f.write("date,followers\n")
        for d, n in zip(sample_days, followers):
            f.write(pd.Timestamp(start + d * DAY, unit="s", tz="UTC").strftime("%Y-%m-%d") + f",{n}\n")


def reference_followers(t, sample_t, sample_f, fit_points=8):
    """M2 the straightforward way: np.interp inside, np.polyfit on ln outside."""
    if sample_t[0] <= t <= sample_t[-1]:
        return float(np.interp(t, sample_t, sample_f)), False
    chosen = slice(0, fit_points) if t < sample_t[0] else slice(len(sample_t) - fit_points, None)
    x = sample_t[chosen] / DAY
    slope, intercept = np.polyfit(x, np.log(np.maximum(sample_f[chosen], 1.0)), 1)
    return max(1.0, float(np.exp(intercept + slope * t / DAY))), True


def reference_classes(frame, classes, weeks, mode):
    """M4/M5: per media type, quantiles of the window's PoR with numpy's default interpolation."""
    result = pd.Series(0, index=frame.index)
    span = weeks * 7 * DAY
    for _, group in frame.groupby("media_type"):
        t = group["t"].to_numpy()
        por = group["por"].to_numpy()
        for idx, tp, p in zip(group.index, t, por):
            if mode == "centered":
                window = por[np.abs(t - tp) <= span / 2]
            elif mode == "trailing":
                window = por[(t > tp - span) & (t <= tp)]
            else:
                window = por
            cuts = np.quantile(window, [k / classes for k in range(1, classes)])
            result[idx] = int(np.sum(cuts < p))
    return result


def check_profile(checks, folder, db, settings_list):
    run_popsweep("ingest", "--profile", folder, "--db", db)
    posts = pd.read_csv(os.path.join(folder, "posts.csv"), dtype={"post_id": str})
    followers = pd.read_csv(os.path.join(folder, "followers.csv"))
    sample_t = (pd.to_datetime(followers["date"], utc=True).astype("int64") // 10**9).to_numpy()
    sample_f = followers["followers"].to_numpy(dtype=float)
    order = np.argsort(sample_t)
    sample_t, sample_f = sample_t[order], sample_f[order]
    for classes, weeks, mode in settings_list:
        csv_path = os.path.join(os.path.dirname(db), f"labels_{classes}_{weeks}_{mode}.csv")
        out = run_popsweep("label", "--db", db, "--classes", classes, "--window-weeks", weeks,
                           "--mode", mode, "--csv", csv_path).stdout
        got = pd.read_csv(csv_path, dtype={"post_id": str})
        tag = f"K={classes} W={weeks} {mode}"
        # Every non-excluded media of every post, once.
        expected_media = sum(len(m.split(";")) for m in posts["media"])
        checks.check(len(got) == expected_media, f"{tag}: {len(got)} rows, expected {expected_media}")
        merged = got.merge(posts, on="post_id", suffixes=("", "_post"))
        merged["t"] = pd.to_datetime(merged["timestamp_post"], utc=True).astype("int64") // 10**9
        ref = merged["t"].apply(lambda t: reference_followers(t, sample_t, sample_f))
        merged["ref_followers"] = [r[0] for r in ref]
        merged["ref_extrapolated"] = [r[1] for r in ref]
        rel = np.abs(merged["followers"] - merged["ref_followers"]) / merged["ref_followers"]
        checks.check(rel.max() < 1e-9, f"{tag}: followers differ by {rel.max():.3g} relative")
        checks.check((merged["extrapolated"].astype(bool) == merged["ref_extrapolated"]).all(),
                     f"{tag}: extrapolation flags differ")
        merged["ref_por"] = (merged["likes_post"] + merged["comments_post"]) / merged["ref_followers"]
        rel = np.abs(merged["por"] - merged["ref_por"]) / merged["ref_por"]
        checks.check(rel.max() < 1e-9, f"{tag}: PoR differs by {rel.max():.3g} relative")
        # The windows and quantiles are recomputed on popsweep's own PoR (equal
        # to ours within 1e-9 above), so ties at a cut point compare exactly.
        ref_classes = reference_classes(merged, classes, weeks, mode)
        wrong = ref_classes != merged["class"]
        checks.check(not wrong.any(), f"{tag}: {int(wrong.sum())} classes differ, e.g.\n"
                     f"{merged[wrong].head(3)[['media_id', 'por', 'class']]}\n{ref_classes[wrong].head(3)}")
        # Printed summary: M2 count, M3 correlation per post, M6 means per post.
        n_extra = int(merged["ref_extrapolated"].sum())
        checks.check(f"extrapolated for {n_extra} " in out, f"{tag}: M2 count {n_extra} not in output:\n{out}")
        per_post = merged.groupby("post_id").agg(por=("ref_por", "first"), likes=("likes_post", "first"),
                                                 comments=("comments_post", "first"),
                                                 impressions=("impressions", "first"),
                                                 has_video=("media_type", lambda s: (s == "video").any()))
        with_imp = per_post.dropna(subset=["impressions"])
        r = ((with_imp["likes"] + with_imp["comments"]) / with_imp["impressions"]).corr(with_imp["por"])
        match = re.search(r"Pearson r = (-?[0-9.]+)", out)
        checks.check(match is not None and abs(float(match.group(1)) - r) < 5e-4,
                     f"{tag}: M3 r={r:.4f}, output: {match and match.group(1)}")
        image_only = per_post.loc[~per_post["has_video"], "por"].mean()
        with_video = per_post.loc[per_post["has_video"], "por"].mean()
        match = re.search(r"mean PoR ([0-9.]+) over (\d+) image-only posts vs ([0-9.]+) over (\d+)", out)
        checks.check(match is not None and abs(float(match.group(1)) - image_only) < 5e-6 * max(1, image_only)
                     and abs(float(match.group(3)) - with_video) < 5e-6 * max(1, with_video)
                     and int(match.group(2)) == int((~per_post["has_video"]).sum()),
                     f"{tag}: M6 {image_only:.5f} vs {with_video:.5f}, output: {match and match.groups()}")
        counts = got.groupby(["media_type", "class"]).size()
        for media_type in ["image", "video"]:
            if media_type in counts.index.get_level_values(0):
                checks.check(counts[media_type].index.max() < classes, f"{tag}: class out of range")


def main():
    checks = Checks()
    settings = [(2, 8, "centered"), (3, 8, "centered"), (3, 4, "trailing"), (2, 12, "global"), (3, 2.5, "centered")]
    with scratch_dir() as scratch:
        folder = os.path.join(scratch, "random")
        write_random_profile(folder)
        check_profile(checks, folder, os.path.join(scratch, "random.db"), settings)
        # The synthetic profile generator's output, when it is built in.
        synth = os.path.join(scratch, "synth")
        if run_popsweep("synth", "--preset", "tiny", "--out", synth, "--seed", "3", check=False).returncode == 0:
            check_profile(checks, synth, os.path.join(scratch, "synth.db"), settings[:3])
        else:
            checks.check(False, "popsweep synth --preset tiny failed")
    checks.finish()


main()

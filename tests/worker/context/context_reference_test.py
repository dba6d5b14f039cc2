"""Issue 18: every context feature recomputed independently with pandas.

A random profile (carousels mixing images and videos, two posts at the same
second, posts on both sides of summer-time changes, follower samples that
start after the first posts and one taken at a post's exact second, awkward
captions: emoji and ZWJ sequences, decomposed accents, newlines, CJK and
Arabic hashtags, e-mail addresses, "##", a 10,000-character caption) is
ingested; `popsweep context` must give, for every media item and feature,
what pandas computes from the raw CSV files with the formulas of
docs/METHOD.md (context features): tz_convert for the local time,
merge_asof (strictly backward) for the followers, np.polyfit for the trend,
unicodedata for the caption rules. Also: a posts.csv without a caption
column gives empty captions, and an unknown time zone is refused naming the
option."""
import os
import sys
import unicodedata

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "pylib"))
from popsweep_test_support import Checks, random_post_media, run_popsweep, scratch_dir  # noqa: E402

DAY = 86400
rng = np.random.default_rng(18)
FEATURES = ["hour_sin", "hour_cos", "weekday_sin", "weekday_cos", "days_since_previous_post",
            "caption_characters", "hashtags", "mentions", "carousel_size", "carousel_position",
            "log_followers", "history_mean_log_por", "history_trend_log_por"]

AWKWARD_CAPTIONS = [
    "",
    "Sunset 🌅 #travel #Italia @friend_1",
    "Cafe\u0301 (decomposed accent) #cafe\u0301 and caf\u00e9",
    "line one\nline two\r\n#second_line\n\n@x",
    "👩‍👩‍👧‍👦 family #家族 #عائلة #_ #1 # not a tag",
    "mail me at someone@example.com or @someone, ##double, a#b, x@y",
    "emoji only 😀😀😀🏳️‍🌈",
    "#" * 5 + "tag @",
    "long " + ("🔥#fire @fan " * 833)[: 10000 - 5],
    "quotes \"inside\" and, commas",
    "tab\tseparated\t#tab",
    "Ω≈ç√ #Ωmega @ünicode @_under",
]


def write_profile(folder, with_captions=True):
    os.makedirs(os.path.join(folder, "media"))
    start = pd.Timestamp("2020-01-01T00:00:00Z").value // 10**9
    n_posts = 120
    times = np.sort(start + rng.integers(0, 500 * DAY, n_posts))
    times[7] = times[6]  # two posts at the same second
    # Posts just before and after the 2020-03-29 and 2020-10-25 changes in Rome.
    times[30] = pd.Timestamp("2020-03-29T00:59:59Z").value // 10**9
    times[31] = pd.Timestamp("2020-03-29T01:00:00Z").value // 10**9
    times[80] = pd.Timestamp("2020-10-25T00:30:00Z").value // 10**9
    times[81] = pd.Timestamp("2020-10-25T01:30:00Z").value // 10**9
    times = np.sort(times)
    posts = []
    for i, t in enumerate(times):
        kind, media = random_post_media(rng, folder, i, [0.5, 0.2, 0.3], 5)
        caption = AWKWARD_CAPTIONS[i % len(AWKWARD_CAPTIONS)] if with_captions else ""
        posts.append(dict(key=f"p{i}", t=int(t), likes=int(rng.integers(0, 5000)) if i % 17 else 0,
                          comments=int(rng.integers(0, 200)) if i % 17 else 0, kind=kind, media=media,
                          caption=caption))
    with open(os.path.join(folder, "posts.csv"), "w", encoding="utf-8", newline="") as f:
        frame = pd.DataFrame([{
            "post_id": p["key"],
            "timestamp": pd.Timestamp(p["t"], unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
            "likes": p["likes"], "comments": p["comments"], "impressions": "", "kind": p["kind"],
            "media": ";".join(p["media"]), **({"caption": p["caption"]} if with_captions else {})}
            for p in posts])
        frame.to_csv(f, index=False)
    # Weekly samples starting 30 days in, with gaps; one at a post's exact second.
    samples = {start + d * DAY: int(1000 * np.exp(d / 300)) for d in range(30, 520, 7) if rng.random() > 0.3}
    samples[int(times[60])] = 4321
    with open(os.path.join(folder, "followers.csv"), "w") as f:
        f.write("date,followers\n")
        for at, n in sorted(samples.items()):
            f.write(pd.Timestamp(at, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ") + f",{n}\n")
    return posts, samples


def is_word(ch):
    return ch == "_" or unicodedata.category(ch)[0] == "L" or unicodedata.category(ch) == "Nd"


def caption_counts(text):
    text = unicodedata.normalize("NFC", text.strip(" \t\r\n"))
    hashtags = mentions = 0
    for i in range(len(text) - 1):
        if i > 0 and is_word(text[i - 1]):
            continue
        if text[i] == "#" and is_word(text[i + 1]):
            hashtags += 1
        if text[i] == "@" and (text[i + 1].isascii() and (text[i + 1].isalnum() or text[i + 1] == "_")):
            mentions += 1
    return len(text), hashtags, mentions


def reference_context(posts, samples, zone, history_n):
    frame = pd.DataFrame(posts).sort_values(["t", "key"]).reset_index(drop=True)
    frame["when"] = pd.to_datetime(frame["t"], unit="s", utc=True)
    followers = pd.DataFrame(sorted(samples.items()), columns=["at", "followers"])
    known = pd.merge_asof(frame[["t"]], followers, left_on="t", right_on="at",
                          direction="backward", allow_exact_matches=False)
    frame["known_followers"] = known["followers"].to_numpy()
    frame["log_por"] = np.log((frame["likes"] + frame["comments"] + 1) / np.maximum(frame["known_followers"], 1))
    frame["has_image"] = frame["media"].map(lambda m: any(not x.endswith(".mp4") for x in m))
    frame["has_video"] = frame["media"].map(lambda m: any(x.endswith(".mp4") for x in m))
    local = frame["when"].dt.tz_convert(zone)
    hour = local.dt.hour + local.dt.minute / 60 + local.dt.second / 3600
    weekday = local.dt.dayofweek
    rows = []
    for i, post in frame.iterrows():
        earlier = frame[frame["t"] < post["t"]]
        chars, tags, mentions = caption_counts(post["caption"])
        shared = dict(
            hour_sin=np.sin(2 * np.pi * hour[i] / 24), hour_cos=np.cos(2 * np.pi * hour[i] / 24),
            weekday_sin=np.sin(2 * np.pi * weekday[i] / 7), weekday_cos=np.cos(2 * np.pi * weekday[i] / 7),
            days_since_previous_post=(post["t"] - earlier["t"].max()) / DAY if len(earlier) else np.nan,
            caption_characters=chars, hashtags=tags, mentions=mentions, carousel_size=len(post["media"]),
            log_followers=np.log1p(post["known_followers"]))
        for index, path in enumerate(post["media"]):
            video = path.endswith(".mp4")
            history = earlier[earlier["has_video" if video else "has_image"] & earlier["log_por"].notna()]
            y = history["log_por"].to_numpy()[-history_n:]
            rows.append(dict(post_id=post["key"], media_index=index, media_type="video" if video else "image",
                             carousel_position=index, **shared,
                             history_mean_log_por=y.mean() if len(y) else np.nan,
                             history_trend_log_por=np.polyfit(np.arange(len(y)), y, 1)[0] if len(y) > 1 else np.nan))
    return pd.DataFrame(rows)


def compare(checks, tag, got, expected):
    merged = expected.merge(got, on=["post_id", "media_index"], how="outer", suffixes=("_want", "_got"),
                            indicator=True)
    checks.check((merged["_merge"] == "both").all() and len(got) == len(expected),
                 f"{tag}: rows differ ({len(got)} got, {len(expected)} expected)")
    checks.check((merged["media_type_want"] == merged["media_type_got"]).all(), f"{tag}: media types differ")
    for name in FEATURES:
        want = merged[f"{name}_want"].astype(float).to_numpy()
        have = merged[f"{name}_got"].astype(float).to_numpy()
        same_missing = np.array_equal(np.isnan(want), np.isnan(have))
        both = ~np.isnan(want) & ~np.isnan(have)
        error = np.max(np.abs(want[both] - have[both])) if both.any() else 0.0
        checks.check(same_missing and error < 1e-9,
                     f"{tag}: {name}: max |difference| {error:.3g}, missing in the same rows: {same_missing} "
                     f"({int(np.isnan(want).sum())} missing)")
    print(f"{tag}: {len(got)} media items x {len(FEATURES)} features agree with pandas")


def main():
    checks = Checks()
    with scratch_dir() as scratch:
        folder = os.path.join(scratch, "profile")
        posts, samples = write_profile(folder)
        db = os.path.join(scratch, "profile.db")
        run_popsweep("ingest", "--profile", folder, "--db", db)
        for zone, history_n in [("UTC", 10), ("Europe/Rome", 4), ("Asia/Kolkata", 1), ("America/St_Johns", 25)]:
            out = os.path.join(scratch, f"context_{history_n}.csv")
            args = ["context", "--db", db, "--history-posts", history_n, "--out", out]
            run_popsweep(*args, *(["--time-zone", zone] if zone != "UTC" else []))
            got = pd.read_csv(out, keep_default_na=False, na_values=[""], dtype={"post_id": str})
            compare(checks, f"{zone}, N={history_n}", got, reference_context(posts, samples, zone, history_n))
        long_caption = max(AWKWARD_CAPTIONS, key=len)
        print(f"longest caption: {len(long_caption)} code points, {caption_counts(long_caption)[1]} hashtags")

        # No caption column: empty captions, not an error.
        bare = os.path.join(scratch, "bare")
        bare_posts, bare_samples = write_profile(bare, with_captions=False)
        bare_db = os.path.join(scratch, "bare.db")
        run_popsweep("ingest", "--profile", bare, "--db", bare_db)
        bare_out = os.path.join(scratch, "bare.csv")
        run_popsweep("context", "--db", bare_db, "--out", bare_out)
        got = pd.read_csv(bare_out, keep_default_na=False, na_values=[""], dtype={"post_id": str})
        checks.check((got[["caption_characters", "hashtags", "mentions"]] == 0).all().all(),
                     "no caption column: captions must be empty")
        compare(checks, "no caption column", got, reference_context(bare_posts, bare_samples, "UTC", 10))

        # An unknown time zone is refused, naming the option.
        refused = run_popsweep("context", "--db", db, "--time-zone", "Mars/Olympus_Mons", check=False)
        checks.check(refused.returncode != 0 and "--time-zone" in refused.stderr
                     and "Mars/Olympus_Mons" in refused.stderr,
                     f"unknown zone: exit {refused.returncode}, stderr {refused.stderr.strip()!r}")
    checks.finish()


main()

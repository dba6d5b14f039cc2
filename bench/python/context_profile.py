"""Writes a profile of the paper's size for bench/context.sh: 1450 posts over
five years (1613 images, 575 videos, 320 carousels), weekly follower samples,
and a caption on every post (100-2,000 code points with emoji, hashtags and
mentions). The media are placeholder files: the context features never read
them, so rendering real pictures would only slow the set-up."""
import os
import sys

import numpy as np
import pandas as pd

folder = sys.argv[1]
rng = np.random.default_rng(2016)
os.makedirs(os.path.join(folder, "media"), exist_ok=True)
start = pd.Timestamp("2016-01-04T00:00:00Z").value // 10**9
times = np.sort(start + rng.integers(0, 5 * 365 * 86400, 1450))
carousel_posts = set(rng.choice(1450, 320, replace=False).tolist())
rows = []
for i, t in enumerate(times):
    if i in carousel_posts:
        media = [f"media/p{i}_{j}.{'mp4' if rng.random() < 0.25 else 'jpg'}" for j in range(rng.integers(2, 4))]
        kind = "carousel"
    elif rng.random() < 0.38:
        media, kind = [f"media/p{i}.mp4"], "video"
    else:
        media, kind = [f"media/p{i}.jpg"], "image"
    for m in media:
        with open(os.path.join(folder, m), "wb") as f:
            f.write(m.encode())
    words = ["🔥", "#travel", "@friend", "sunset", "#日本", "café", "\n"] + ["word"] * 10
    caption = " ".join(rng.choice(words, rng.integers(20, 400)))
    rows.append(dict(post_id=f"p{i}", timestamp=pd.Timestamp(int(t), unit="s", tz="UTC").isoformat(),
                     likes=int(rng.integers(100, 9000)), comments=int(rng.integers(0, 300)), impressions="",
                     kind=kind, media=";".join(media), caption=caption))
pd.DataFrame(rows).to_csv(os.path.join(folder, "posts.csv"), index=False)
days = np.arange(150, 5 * 365 - 40, 7)
pd.DataFrame(dict(date=[pd.Timestamp(start + d * 86400, unit="s").strftime("%Y-%m-%d") for d in days],
                  followers=(8000 * np.exp(days / (5 * 365) * np.log(15))).astype(int))).to_csv(
    os.path.join(folder, "followers.csv"), index=False)

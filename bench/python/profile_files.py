"""The posts and followers files of an images-only benchmark profile in
popsweep's layout (docs/INPUT.md): one image post per file, 12 hours apart."""
import datetime


def write_image_posts(out, names, post_prefix):
    """posts.csv and followers.csv in `out` for media/NAME of each of `names`."""
    start = datetime.datetime(2021, 1, 1, 12, tzinfo=datetime.timezone.utc)
    with open(out / "posts.csv", "w") as posts:
        posts.write("post_id,timestamp,likes,comments,impressions,kind,media\n")
        for i, name in enumerate(names):
            when = (start + datetime.timedelta(hours=12 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            posts.write(f"{post_prefix}{i:04d},{when},{100 + i % 50},{i % 7},,image,media/{name}\n")
    with open(out / "followers.csv", "w") as followers:
        followers.write("date,followers\n2021-01-01,1000\n2021-12-31,1500\n")

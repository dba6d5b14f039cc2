"""The Instaloader reader checked against Instaloader's own writer, offline.

Posts are instaloader.Post objects built from hand-written GraphQL nodes and
laid out on disk by Instaloader's own Instaloader.download_post, with the
network replaced by local media (a tiny JPEG and PNG from PIL, small MP4s
from the ffmpeg CLI) served under a Content-Type. So the file names, the
extensions, the carousel numbering, the caption files and the .json.xz
metadata are exactly what Debian's Instaloader writes. `popsweep ingest
--format instaloader` must store what the nodes say (checked in SQLite),
`popsweep label` must run on the result, and bad directories (a missing
media file, a corrupt .xz, a missing field, no posts) must fail naming the
file while leaving the database as it was."""
import io
import os
import shutil
import sqlite3
import subprocess
import sys

import instaloader
import requests
from instaloader.nodeiterator import FrozenNodeIterator
from instaloader.structures import save_structure_to_file
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "pylib"))
from popsweep_test_support import Checks, run_popsweep, scratch_dir  # noqa: E402

checks = Checks()
check = checks.check
TARGET = "brandprofile"


# --- media served instead of the network ------------------------------------
def image_bytes(color, image_format):
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), color).save(buffer, format=image_format)
    return buffer.getvalue()


def video_bytes(folder, color):
    path = os.path.join(folder, f"clip-{color}.mp4")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"color=c={color}:s=32x32:d=1:r=5",
                    "-pix_fmt", "yuv420p", path], check=True)
    with open(path, "rb") as f:
        return f.read()


class OfflineLoader:
    """An Instaloader whose downloads come from a dict of url -> (bytes, Content-Type)."""

    def __init__(self, root, served, compress_json=True):
        self.loader = instaloader.Instaloader(quiet=True, dirname_pattern=os.path.join(root, "{target}"),
                                              compress_json=compress_json)
        context = self.loader.context
        context.get_raw = self._get_raw
        for name in ("graphql_query", "get_json", "get_iphone_json", "head"):
            setattr(context, name, self._no_network)
        self.served = served

    def _get_raw(self, url, _attempt=1):
        content, content_type = self.served[url]
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = content_type
        response.raw = io.BytesIO(content)
        return response

    @staticmethod
    def _no_network(*args, **kwargs):
        raise AssertionError(f"the test tried to reach the network: {args}")

    def post(self, node):
        return instaloader.Post(self.loader.context, node)

    def download(self, node):
        self.loader.download_post(self.post(node), target=TARGET)


# --- the posts -----------------------------------------------------------------
def caption(text):
    return {"edges": [{"node": {"text": text}}]}


IMAGE_NODE = {  # 2021-01-02 03:04:05 UTC
    "__typename": "GraphImage", "id": "1001", "shortcode": "CJimage0001", "taken_at_timestamp": 1609556645,
    "is_video": False, "display_url": "https://cdn.test/image.jpg?sig=1",
    "edge_media_preview_like": {"count": 120}, "edge_media_to_comment": {"count": 7},
    "edge_media_to_caption": caption("first post"), "owner": {"id": "42", "username": TARGET},
}
VIDEO_NODE = {  # 2021-02-03 10:20:30 UTC; older node shape: likes and comments under other edges
    "__typename": "GraphVideo", "id": "1002", "shortcode": "CKvideo0002", "taken_at_timestamp": 1612347630,
    "is_video": True, "display_url": "https://cdn.test/video-cover.jpg?sig=2",
    "video_url": "https://cdn.test/video.mp4?sig=2",
    "edge_liked_by": {"count": 300}, "edge_media_to_parent_comment": {"count": 11},
    "owner": {"id": "42", "username": TARGET},
}
CAROUSEL_NODE = {  # 2021-03-04 05:06:07 UTC: image, video, image served as PNG
    "__typename": "GraphSidecar", "id": "1003", "shortcode": "CMcarousel3", "taken_at_timestamp": 1614834367,
    "is_video": False, "display_url": "https://cdn.test/carousel-1.jpg?sig=3",
    "edge_media_preview_like": {"count": 450}, "edge_liked_by": {"count": 1},
    "edge_media_to_comment": {"count": 25}, "edge_media_to_parent_comment": {"count": 20},
    # Issue 18: a caption with a decomposed accent, emoji, a newline and tags.
    "edge_media_to_caption": caption("three media \U0001F3A0 Cafe\u0301 #multi\nline @friend"),
    "edge_sidecar_to_children": {"edges": [
        {"node": {"__typename": "GraphImage", "is_video": False,
                  "display_url": "https://cdn.test/carousel-1.jpg?sig=3"}},
        {"node": {"__typename": "GraphVideo", "is_video": True,
                  "display_url": "https://cdn.test/carousel-2.jpg?sig=3",
                  "video_url": "https://cdn.test/carousel-2.mp4?sig=3"}},
        {"node": {"__typename": "GraphImage", "is_video": False,
                  "display_url": "https://cdn.test/carousel-3.png?sig=3"}},
    ]},
    "owner": {"id": "42", "username": TARGET},
}
MOBILE_NODE = {  # 2021-04-05 06:07:08 UTC, shaped like Post.from_iphone_struct: `code` and `date`
    "__typename": "GraphImage", "id": "1004", "code": "CNmobile004", "date": 1617602828, "is_video": False,
    "display_url": "https://cdn.test/mobile.jpg?sig=4", "edge_media_preview_like": {"count": 80},
    "edge_media_to_comment": {"count": 0},
}
STEMS = {"CJimage0001": "2021-01-02_03-04-05_UTC", "CKvideo0002": "2021-02-03_10-20-30_UTC",
         "CMcarousel3": "2021-03-04_05-06-07_UTC", "CNmobile004": "2021-04-05_06-07-08_UTC"}


def served_media(scratch):
    jpeg = "image/jpeg"
    return {
        "https://cdn.test/image.jpg?sig=1": (image_bytes("red", "JPEG"), jpeg),
        "https://cdn.test/video-cover.jpg?sig=2": (image_bytes("green", "JPEG"), jpeg),
        "https://cdn.test/video.mp4?sig=2": (video_bytes(scratch, "green"), "video/mp4"),
        "https://cdn.test/carousel-1.jpg?sig=3": (image_bytes("blue", "JPEG"), jpeg),
        "https://cdn.test/carousel-2.jpg?sig=3": (image_bytes("yellow", "JPEG"), jpeg),
        "https://cdn.test/carousel-2.mp4?sig=3": (video_bytes(scratch, "yellow"), "video/mp4"),
        "https://cdn.test/carousel-3.png?sig=3": (image_bytes("white", "PNG"), "image/png"),
        "https://cdn.test/mobile.jpg?sig=4": (image_bytes("black", "JPEG"), jpeg),
    }


def write_followers(path):
    with open(path, "w") as f:
        f.write("date,followers\n2020-12-01,1000\n2021-02-01,1500\n2021-05-01,2000\n")


def write_instaloader_profile(root, served):
    offline = OfflineLoader(root, served)
    for node in (IMAGE_NODE, VIDEO_NODE, CAROUSEL_NODE, MOBILE_NODE):
        offline.download(node)
    folder = os.path.join(root, TARGET)
    # Re-downloading a post whose caption and counts changed: Instaloader keeps
    # the media, rewrites the metadata and moves the old caption to `_old_01.txt`.
    offline.download({**IMAGE_NODE, "edge_media_preview_like": {"count": 125},
                      "edge_media_to_caption": caption("first post, edited")})
    # What else `instaloader PROFILE` leaves beside the posts, none of it a post.
    profile = instaloader.Profile(offline.loader.context, {"username": TARGET, "id": "42", "full_name": "Brand"})
    offline.loader.save_metadata_json(os.path.join(folder, f"{TARGET}_42"), profile)
    # Fields by name, every other one None: Instaloader 4.14 (Debian 13) added
    # doc_id to the tuple that 4.9 (Debian 12) builds positionally.
    iterator_fields = dict.fromkeys(FrozenNodeIterator._fields)
    iterator_fields.update(query_hash="hash", query_variables={}, total_index=4)
    save_structure_to_file(FrozenNodeIterator(**iterator_fields),
                           os.path.join(folder, "iterator_abc123.json.xz"))
    with open(os.path.join(folder, "2021-01-02_03-04-05_UTC_profile_pic.jpg"), "wb") as f:
        f.write(image_bytes("gray", "JPEG"))
    with open(os.path.join(folder, "id"), "w") as f:
        f.write("42\n")
    return folder


EXPECTED_POSTS = {  # post_key -> (posted_at, likes, comments, kind)
    "CJimage0001": (1609556645, 125, 7, "image"),
    "CKvideo0002": (1612347630, 300, 11, "video"),
    "CMcarousel3": (1614834367, 450, 25, "carousel"),  # Instaloader's preference: preview likes, all comments
    "CNmobile004": (1617602828, 80, 0, "image"),
}


def expected_media():
    image, video, carousel, mobile = (STEMS[key] for key in EXPECTED_POSTS)
    return {  # (post_key, media_index) -> (media_type, path, thumbnail_path)
        ("CJimage0001", 0): ("image", f"{image}.jpg", None),
        ("CKvideo0002", 0): ("video", f"{video}.mp4", f"{video}.jpg"),
        ("CMcarousel3", 0): ("image", f"{carousel}_1.jpg", None),
        ("CMcarousel3", 1): ("video", f"{carousel}_2.mp4", f"{carousel}_2.jpg"),
        ("CMcarousel3", 2): ("image", f"{carousel}_3.png", None),
        ("CNmobile004", 0): ("image", f"{mobile}.jpg", None),
    }


# --- checks ----------------------------------------------------------------------
def ingest(folder, db, followers, check_exit=True):
    return run_popsweep("ingest", "--profile", folder, "--db", db, "--format", "instaloader",
                        "--followers", followers, check=check_exit)


def database_dump(db):
    with sqlite3.connect(db) as connection:
        return "\n".join(connection.iterdump())


def instaloaders_own_captions(folder):
    """Post.caption of every metadata file, as Instaloader itself reads it back (NFC, None when absent)."""
    context = instaloader.Instaloader(quiet=True).context
    captions = {}
    for name in os.listdir(folder):
        if name.endswith(".json.xz") and not name.startswith(("iterator_", TARGET)):
            post = instaloader.load_structure_from_file(context, os.path.join(folder, name))
            captions[post.shortcode] = post.caption or ""
    return captions


def check_stored_profile(folder, db):
    with sqlite3.connect(db) as connection:
        captions = dict(connection.execute("SELECT post_key, caption FROM posts").fetchall())
        profiles = connection.execute("SELECT name, source_dir, source_format FROM profiles").fetchall()
        posts = connection.execute(
            "SELECT post_key, posted_at, likes, comments, impressions, kind FROM posts").fetchall()
        media = connection.execute(
            "SELECT p.post_key, m.media_index, m.media_type, m.path, m.thumbnail_path, m.size_bytes "
            "FROM media m JOIN posts p ON p.id = m.post_id").fetchall()
    check(profiles == [(TARGET, os.path.abspath(folder), "instaloader")], f"profile row {profiles}")
    stored = {key: (at, likes, comments, kind) for key, at, likes, comments, _, kind in posts}
    check(stored == EXPECTED_POSTS, f"posts {stored}")
    own = instaloaders_own_captions(folder)
    check(captions == own and "Caf\u00e9" in captions["CMcarousel3"] and captions["CKvideo0002"] == "",
          f"captions {captions!r}, Instaloader reads {own!r}")
    check(all(row[4] is None for row in posts), "impressions are unknown for Instaloader posts")
    stored_media = {(key, index): (kind, path, thumb) for key, index, kind, path, thumb, _ in media}
    check(stored_media == expected_media(), f"media {stored_media}")
    for key, index, kind, path, thumb, size in media:
        check(size == os.path.getsize(os.path.join(folder, path)), f"size of {path}")


def check_good_profile(scratch, served, followers):
    folder = write_instaloader_profile(os.path.join(scratch, "good"), served)
    names = sorted(os.listdir(folder))
    # Instaloader's layout, as the reader expects it (guards the test's assumptions).
    for (kind, path, thumb) in expected_media().values():
        check(path in names and (thumb is None or thumb in names), f"Instaloader wrote {path} ({names})")
    check(f"{STEMS['CJimage0001']}_old_01.txt" in names, f"an _old_01 caption beside the re-downloaded post: {names}")
    db = os.path.join(scratch, "good.db")
    result = ingest(folder, db, followers)
    check("4 posts, 4 images, 2 videos" in result.stdout, f"ingest summary: {result.stdout}")
    check("belong to no post" not in result.stdout + result.stderr, "no same-second warning for a clean folder")
    check_stored_profile(folder, db)

    again = ingest(folder, db, followers)
    check("nothing changed" in again.stdout, f"a second ingest changes nothing: {again.stdout}")

    labels = os.path.join(scratch, "labels.csv")
    run_popsweep("label", "--db", db, "--csv", labels)
    with open(labels) as f:
        rows = [line.split(",") for line in f.read().splitlines()[1:]]
    check(len(rows) == len(expected_media()), f"one label per media: {len(rows)}")
    check({row[1] for row in rows} == set(EXPECTED_POSTS), "labels cover every post")
    return folder, db


def check_rejected(case, folder, db, followers, expected_fragments):
    before = database_dump(db)
    result = ingest(folder, db, followers, check_exit=False)
    message = result.stderr
    check(result.returncode != 0, f"{case}: non-zero exit")
    for fragment in expected_fragments:
        check(fragment in message, f"{case}: message names {fragment!r}: {message.strip()}")
    check(database_dump(db) == before, f"{case}: the database is unchanged")


def broken_copy(good_folder, scratch, case):
    folder = os.path.join(scratch, case, TARGET)
    shutil.copytree(good_folder, folder)
    return folder


def check_bad_profiles(scratch, good_folder, db, followers, served):
    carousel = STEMS["CMcarousel3"]
    folder = broken_copy(good_folder, scratch, "missing-media")
    os.remove(os.path.join(folder, f"{carousel}_2.mp4"))
    check_rejected("missing media", folder, db, followers, [f"{carousel}.json.xz", f"{carousel}_2.mp4"])

    folder = broken_copy(good_folder, scratch, "corrupt-xz")
    metadata = os.path.join(folder, f"{STEMS['CKvideo0002']}.json.xz")
    os.truncate(metadata, os.path.getsize(metadata) // 2)
    check_rejected("truncated xz", folder, db, followers, [metadata])

    folder = broken_copy(good_folder, scratch, "not-xz")
    metadata = os.path.join(folder, f"{STEMS['CJimage0001']}.json.xz")
    with open(metadata, "wb") as f:
        f.write(b"this is not compressed at all")
    check_rejected("not xz", folder, db, followers, [metadata, "not xz"])

    # The brief's example: a node without its time, written by Instaloader itself.
    folder = broken_copy(good_folder, scratch, "missing-field")
    offline = OfflineLoader(scratch, served)
    node = {key: value for key, value in IMAGE_NODE.items() if key != "taken_at_timestamp"}
    metadata = os.path.join(folder, f"{STEMS['CJimage0001']}.json.xz")
    save_structure_to_file(offline.post(node), metadata)
    check_rejected("missing field", folder, db, followers,
                   [f"{STEMS['CJimage0001']}.json.xz: field 'node.taken_at_timestamp': missing"])

    folder = broken_copy(good_folder, scratch, "negative-likes")
    metadata = os.path.join(folder, f"{STEMS['CJimage0001']}.json.xz")
    save_structure_to_file(offline.post({**IMAGE_NODE, "edge_media_preview_like": {"count": -1}}), metadata)
    check_rejected("negative likes", folder, db, followers, [metadata, "node.edge_media_preview_like.count"])

    folder = broken_copy(good_folder, scratch, "no-posts")
    for name in os.listdir(folder):
        if name.startswith("2021-") and name.endswith(".json.xz"):
            os.remove(os.path.join(folder, name))
    check_rejected("no posts", folder, db, followers, ["no Instaloader post metadata"])


def check_same_second_posts(scratch, served, followers):
    """Instaloader names files by the second: an image and a carousel posted in
    the same second share one metadata file (the last one written wins), and
    the other post's media stay behind. popsweep reads the surviving post and
    warns about the leftover media."""
    root = os.path.join(scratch, "same-second")
    offline = OfflineLoader(root, served)
    same_time = CAROUSEL_NODE["taken_at_timestamp"]
    offline.download({**IMAGE_NODE, "taken_at_timestamp": same_time})
    offline.download(CAROUSEL_NODE)
    folder = os.path.join(root, TARGET)
    stem = STEMS["CMcarousel3"]
    check(os.path.exists(os.path.join(folder, f"{stem}.jpg")), "the image post's media stayed behind")
    result = ingest(folder, os.path.join(scratch, "same-second.db"), followers)
    output = result.stdout + result.stderr
    check("belong to no post" in output and f"{stem}.jpg" in output, f"warning about the leftover media: {output}")
    with sqlite3.connect(os.path.join(scratch, "same-second.db")) as connection:
        keys = connection.execute("SELECT post_key, kind FROM posts").fetchall()
    check(keys == [("CMcarousel3", "carousel")], f"the post whose metadata survived: {keys}")


def check_uncompressed_metadata(scratch, served, followers):
    """--no-compress-json writes `<stem>.json`; `--comments` adds `<stem>_comments.json`, a list to skip."""
    root = os.path.join(scratch, "uncompressed")
    OfflineLoader(root, served, compress_json=False).download(VIDEO_NODE)
    folder = os.path.join(root, TARGET)
    stem = STEMS["CKvideo0002"]
    check(sorted(n for n in os.listdir(folder) if ".json" in n) == [f"{stem}.json"], "Instaloader wrote plain JSON")
    with open(os.path.join(folder, f"{stem}_comments.json"), "w") as f:
        f.write('[{"id": 1, "text": "nice", "answers": []}]')
    db = os.path.join(scratch, "uncompressed.db")
    ingest(folder, db, followers)
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT post_key, posted_at, likes, comments, kind FROM posts").fetchall()
    check(rows == [("CKvideo0002", *EXPECTED_POSTS["CKvideo0002"])], f"post from plain JSON: {rows}")


def main():
    with scratch_dir() as scratch:
        served = served_media(scratch)
        followers = os.path.join(scratch, "followers.csv")
        write_followers(followers)
        good_folder, db = check_good_profile(scratch, served, followers)
        check_bad_profiles(scratch, good_folder, db, followers, served)
        check_same_second_posts(scratch, served, followers)
        check_uncompressed_metadata(scratch, served, followers)
    checks.finish()


if __name__ == "__main__":
    main()

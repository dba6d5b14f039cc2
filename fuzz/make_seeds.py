"""Writes the seed inputs of every fuzz target into OUT/<target>/.

Seeds are valid (and a few nearly valid) files of each format, made here
from nothing but Debian's Python, ffmpeg and the shared real files, so the
repository holds no binary fixtures: libFuzzer mutates them from there.
  /usr/bin/python3 fuzz/make_seeds.py OUT [--shared DIR]
  /usr/bin/python3 fuzz/make_seeds.py fuzz/corpus --corpus 8192   (the committed corpus)
The real MobileNetV2 and photos come from DIR/models/coral (default
../shared beside the checkout, else /work/shared); without them the tflite
and image targets start from synthetic seeds only. torch.save seeds need
python3-torch, video seeds the ffmpeg command, image seeds python3-pil;
a missing one is reported and its seeds are left out.
"""
import argparse
import io
import json
import lzma
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile


def write(out, target, name, data):
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


# --- profile readers ---------------------------------------------------------
def csv_seeds(out):
    header = "post_id,timestamp,likes,comments,impressions,kind,media\n"
    write(out, "posts_csv", "layout.csv", header +
          "B1a2,2021-01-01T10:00:00Z,1520,34,18000,image,a.jpg\n"
          "C3d4,2021-01-08T18:30:00+01:00,980,12,,video,clip.mp4\n"
          "E5f6,2021-01-15 09:00:00-0130,2210,51,,carousel,b.png;clip.mp4;sub/d.bmp\n")
    write(out, "posts_csv", "quoted.csv", "\ufeff" + header +
          '"x,1",2021-02-03,1,0,5,image,"c.webp"\n\n"y""2",2021-02-04T01:02:03.5,0,0,,carousel,"e.mov; a.jpg"\n')
    write(out, "posts_csv", "one.csv", header + "p,2020-12-31,0,0,0,image,a.jpg")
    write(out, "followers_csv", "samples.csv",
          "date,followers\n2021-01-01,1000\n2021-03-01T12:00:00Z,1210\n2021-02-01,1100\n2021-02-01,1100\n")
    write(out, "followers_csv", "one.csv", "date,followers\n2020-06-30 23:59:59+14:00,0\n")
    write(out, "followers_csv", "long.csv", "date,followers\n" + "".join(
        f"2019-{m:02d}-01,{1000 + 37 * m * m}\n" for m in range(1, 13)))
    write(out, "exclusion_csv", "reasons.csv", "post_id,media_index,reason\np2,1,product sheet\np3,0,\n")
    write(out, "exclusion_csv", "plain.csv", "post_id,media_index\np1,0\np2,2\np2,2\n")


def instaloader_node(typename, **extra):
    node = {
        "__typename": typename, "shortcode": "CxYz123", "taken_at_timestamp": 1614834367,
        "edge_media_preview_like": {"count": 120}, "edge_media_to_comment": {"count": 4},
        "is_video": typename == "GraphVideo", "id": "2541",
    }
    node.update(extra)
    return {"node": node, "instaloader": {"version": "4.9.5", "node_type": "Post"}}


def instaloader_seeds(out):
    sidecar = {"edges": [{"node": {"is_video": False}}, {"node": {"is_video": True}},
                         {"node": {"is_video": False}}, {"node": {"is_video": True}}]}
    documents = {
        "image.json": instaloader_node("GraphImage"),
        "video.json": instaloader_node("GraphVideo", video_duration=6.5),
        "carousel.json": instaloader_node("GraphSidecar", edge_sidecar_to_children=sidecar),
        "mobile.json": instaloader_node("XDTGraphImage", date=1614834367.25, code="Cq1",
                                        edge_liked_by={"count": 9}),
        "profile.json": {"node": {"username": "x"}, "instaloader": {"version": "4.9", "node_type": "Profile"}},
    }
    del documents["mobile.json"]["node"]["shortcode"]
    for name, document in documents.items():
        text = json.dumps(document)
        write(out, "instaloader_json", name, text)
        write(out, "xz", name + ".xz", lzma.compress(text.encode()))
    write(out, "xz", "two-streams.xz", lzma.compress(b"{}") + lzma.compress(b"[1]"))
    write(out, "xz", "no-check.xz", lzma.compress(b'{"a": 1}', check=lzma.CHECK_NONE))
    write(out, "xz", "crc32.xz", lzma.compress(b"x" * 5000, check=lzma.CHECK_CRC32, preset=9))


def spec_seeds(out, source_dir):
    experiments = os.path.join(source_dir, "experiments")
    for name in sorted(os.listdir(experiments)):
        if name.endswith(".yaml"):
            with open(os.path.join(experiments, name), "rb") as f:
                write(out, "spec_yaml", name, f.read())
    write(out, "spec_yaml", "sweep.yaml",
          "name: s\nprofile: {path: ., format: instaloader, followers: f.csv}\n"
          "sweep:\n  labels.window_weeks: [4, 8.5]\n  train.classes: [[2], [3, 4]]\n"
          "  features.backbone: [efficientnet_b0, mobilenet_v2]\ndedup: {threshold: auto}\n"
          "#overrides\ntrain.epochs=3\nsweep.train.lr=[0.1,0.01]\nrun.device=cpu\n")
    write(out, "spec_yaml", "anchors.yaml",
          "base: &b {epochs: 2}\ntrain: *b\nprofile:\n  synth: {preset: tiny, seed: 3}\n"
          "dedup:\n  enabled: no\n")


# --- weight files ------------------------------------------------------------
def safetensors_bytes(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, payload) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds(out):
    floats = struct.pack("<6f", 0, 1, 2, 3, 4, 5)
    write(out, "safetensors", "two.safetensors", safetensors_bytes(
        {"w": ("F32", [2, 3], floats), "b": ("I64", [2], struct.pack("<2q", -1, 7))},
        {"architecture": "mobilenet_v2", "input_mean": "0.5,0.5,0.5"}))
    write(out, "safetensors", "types.safetensors", safetensors_bytes(
        {"h": ("F16", [2], b"\x00\x3c\x00\xc0"), "bf": ("BF16", [1, 1], b"\x80\x3f"),
         "d": ("F64", [], struct.pack("<d", 2.5)), "u": ("U8", [3], b"\x01\x02\x03"),
         "t": ("BOOL", [1], b"\x01"), "i": ("I32", [0, 4], b""), "e": ("F32", [0], b"")}))


def torch_seeds(out, scratch):
    script = r"""
import collections, sys, torch
state = torch.nn.BatchNorm2d(3).state_dict()
base = torch.arange(10, dtype=torch.float32)
state['base'] = base
state['view'] = base[2:5]
state['transposed'] = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()
state['half'] = torch.tensor([1.5, -2.0], dtype=torch.float16)
state['bfloat'] = torch.tensor([0.5, 4.0], dtype=torch.bfloat16)
state['count'] = torch.tensor(7)
state['flags'] = torch.tensor([True, False])
state['bytes'] = torch.tensor([1, 2], dtype=torch.uint8)
state['ints'] = torch.tensor([[3]], dtype=torch.int32)
state['double'] = torch.tensor([1.0], dtype=torch.float64)
torch.save(state, sys.argv[1] + '/state.pth')
torch.save(torch.nn.Sequential(torch.nn.Conv2d(2, 2, 1), torch.nn.ReLU(), torch.nn.Linear(2, 3)).state_dict(),
           sys.argv[1] + '/sequential.pth')
torch.save(collections.OrderedDict(empty=torch.zeros(0, 3)), sys.argv[1] + '/empty.pth')
"""
    result = subprocess.run(["/usr/bin/python3", "-c", script, scratch], capture_output=True, text=True)
    if result.returncode != 0:
        print("make_seeds: no torch.save seeds (python3-torch missing?):", result.stderr.strip()[-200:],
              file=sys.stderr)
        return
    for name in ("state.pth", "sequential.pth", "empty.pth"):
        with open(os.path.join(scratch, name), "rb") as f:
            archive = f.read()
        write(out, "torch_archive", name, archive)
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            pickle_name = next(n for n in z.namelist() if n.endswith("/data.pkl"))
            write(out, "state_dict_pickle", name.replace(".pth", ".pkl"), z.read(pickle_name))
    # A hostile pickle: the unpickler must refuse os.system without running it.
    write(out, "state_dict_pickle", "hostile.pkl", b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.")
    write(out, "state_dict_pickle", "plain-dict.pkl", pickle.dumps({"a": 1}, protocol=2))


def tflite_seeds(out, coral):
    model = os.path.join(coral, "mobilenet_v2_1.0_224_quant.tflite")
    if not os.path.exists(model):
        print("make_seeds: no real TFLite model at", model, file=sys.stderr)
        return
    with open(model, "rb") as f:
        data = f.read()
    write(out, "tflite", "mobilenet_v2_1.0_224_quant.tflite", data)


# --- media -------------------------------------------------------------------
def image_seeds(out, coral):
    if os.path.isdir(coral):
        for name in ("owl.jpg", "hot_dog.jpg"):  # real camera JPEGs, 150-200 KB
            with open(os.path.join(coral, name), "rb") as f:
                write(out, "image", name, f.read())
    try:
        from PIL import Image
    except ImportError:
        print("make_seeds: python3-pil missing; small images from ffmpeg only", file=sys.stderr)
        ffmpeg_image_seeds(out)
        return
    picture = Image.new("RGB", (24, 16))
    for x in range(24):
        for y in range(16):
            picture.putpixel((x, y), (x * 10, y * 15, (x * y) % 256))
    for image_format, name, mode, options in [
            ("JPEG", "small.jpg", "RGB", {"quality": 80}), ("JPEG", "grey.jpg", "L", {}),
            ("JPEG", "progressive.jpg", "RGB", {"progressive": True}), ("PNG", "small.png", "RGB", {}),
            ("PNG", "alpha.png", "RGBA", {}), ("PNG", "palette.png", "P", {}), ("PNG", "grey16.png", "I", {}),
            ("WEBP", "lossy.webp", "RGB", {"quality": 50}), ("WEBP", "lossless.webp", "RGBA", {"lossless": True}),
            ("BMP", "small.bmp", "RGB", {}), ("BMP", "palette.bmp", "P", {})]:
        buffer = io.BytesIO()
        picture.convert(mode).save(buffer, format=image_format, **options)
        write(out, "image", name, buffer.getvalue())
    # EXIF orientation 6 (rotate 90 clockwise to display).
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", exif=exif.tobytes())
    write(out, "image", "exif-rotated.jpg", buffer.getvalue())


def ffmpeg_image_seeds(out):
    if shutil.which("ffmpeg") is None:
        print("make_seeds: no synthetic image seeds (neither python3-pil nor ffmpeg)", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as scratch:
        for name, arguments in [("small.jpg", ["-q:v", "5"]), ("grey.jpg", ["-pix_fmt", "gray"]),
                                ("small.png", []), ("alpha.png", ["-pix_fmt", "rgba"]),
                                ("small.bmp", []), ("lossy.webp", ["-c:v", "libwebp", "-quality", "50"])]:
            ffmpeg_seed(out, "image", scratch, name,
                        ["-f", "lavfi", "-i", "testsrc=s=24x16:d=1:r=1", "-frames:v", "1", *arguments])


def ffmpeg_seed(out, target, scratch, name, arguments):
    """Writes one ffmpeg-made file as a seed of `target`; says so if ffmpeg cannot."""
    path = os.path.join(scratch, name)
    result = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *arguments, path],
                            capture_output=True, text=True)
    if result.returncode != 0:
        print(f"make_seeds: ffmpeg could not write {name}: {result.stderr.strip()[-200:]}", file=sys.stderr)
        return
    with open(path, "rb") as f:
        write(out, target, name, f.read())


# --- the committed corpus ----------------------------------------------------
def make_corpus(seeds, out, max_bytes):
    """fuzz/corpus/: every seed of at most max_bytes, and from each seed the
    damage real files suffer, so each target's refusals are replayed too: its
    first half (a cut download) and one byte flipped in the middle (a bad
    sector, a bit error). Of a larger seed (the real photos and MobileNetV2)
    only its first max_bytes stand in for the whole."""
    for target in sorted(os.listdir(seeds)):
        for name in sorted(os.listdir(os.path.join(seeds, target))):
            with open(os.path.join(seeds, target, name), "rb") as f:
                data = f.read()
            if len(data) > max_bytes:
                name, data = name + ".prefix", data[:max_bytes]
            write(out, target, name, data)
            if len(data) >= 2:
                write(out, target, name + ".truncated", data[:len(data) // 2])
                flipped = bytearray(data)
                flipped[len(data) // 2] ^= 0xFF
                write(out, target, name + ".flipped", bytes(flipped))


def video_seeds(out, scratch):
    if shutil.which("ffmpeg") is None:
        print("make_seeds: no video seeds (the ffmpeg command is missing)", file=sys.stderr)
        return
    clips = {
        "h264.mp4": ["-f", "lavfi", "-i", "testsrc=s=32x24:d=2:r=5", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                     "-g", "4"],
        "audio.mp4": ["-f", "lavfi", "-i", "testsrc=s=32x24:d=1:r=4", "-f", "lavfi", "-i",
                      "sine=d=1:r=8000", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-shortest"],
        "rotated.mp4": ["-f", "lavfi", "-i", "testsrc=s=32x16:d=1:r=3", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                        "-metadata:s:v", "rotate=90"],
        "vp9.webm": ["-f", "lavfi", "-i", "testsrc=s=32x24:d=1:r=4", "-c:v", "libvpx-vp9", "-b:v", "50k"],
        "mpeg4.avi": ["-f", "lavfi", "-i", "testsrc=s=32x24:d=1:r=4", "-c:v", "mpeg4"],
        "mjpeg.mov": ["-f", "lavfi", "-i", "testsrc=s=16x16:d=1:r=3", "-c:v", "mjpeg"],
    }
    for name, arguments in clips.items():
        ffmpeg_seed(out, "video", scratch, name, arguments)


def main():
    source_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--shared", default="")
    parser.add_argument("--corpus", type=int, metavar="MAX_BYTES", default=0,
                        help="write the committed corpus instead (fuzz/corpus: small seeds and damaged copies)")
    arguments = parser.parse_args()
    shared = arguments.shared or next(
        (d for d in (os.path.join(source_dir, "..", "shared"), "/work/shared")
         if os.path.isdir(os.path.join(d, "models", "coral"))), "")
    coral = os.path.join(shared, "models", "coral") if shared else ""
    out = arguments.out
    if arguments.corpus:
        with tempfile.TemporaryDirectory() as seeds:
            write_seeds(seeds, source_dir, coral)
            make_corpus(seeds, out, arguments.corpus)
    else:
        write_seeds(out, source_dir, coral)
    for target in sorted(os.listdir(out)):
        print(f"{target}: {len(os.listdir(os.path.join(out, target)))} files")


def write_seeds(out, source_dir, coral):
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        csv_seeds(out)
        instaloader_seeds(out)
        spec_seeds(out, source_dir)
        safetensors_seeds(out)
        torch_seeds(out, scratch)
        tflite_seeds(out, coral)
        image_seeds(out, coral)
        video_seeds(out, scratch)


if __name__ == "__main__":
    main()

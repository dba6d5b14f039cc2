"""Parity with torchvision (M11, M13): `popsweep embed` gives the feature
torchvision's efficientnet_b0 gives, for a state dict saved exactly as
torchvision's weights are (torch.save of an OrderedDict with _metadata) and
for the same weights as safetensors, through the optimised path (batch norms
folded, channels-last) and through the unfolded reference path.

Weights are seeded random with batch norms far from the identity, so a
folding or preprocessing mistake shows; the image is 224x224, so no resize is
involved. Run by ctest with Debian's /usr/bin/python3 and POPSWEEP_BIN;
bench/gpu.sh runs it with POPSWEEP_TEST_DEVICE=cuda against a CUDA build."""

import collections
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy
import torch
import torchvision
from PIL import Image

DEVICE = os.environ.get("POPSWEEP_TEST_DEVICE", "cpu")
# Max abs difference over max abs value of the feature. On a GPU, cuDNN may
# run fp32 convolutions in TF32 (10-bit mantissa; LibTorch's default on
# Ampere and later), so the bar there is that of TF32 rounding.
TOLERANCE = 1e-4 if DEVICE == "cpu" else 5e-3
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def model_with_random_statistics(seed):
    torch.manual_seed(seed)
    model = torchvision.models.efficientnet_b0()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.1)
                module.running_mean.normal_(0.0, 0.1)
                module.running_var.uniform_(0.5, 2.0)
                module.num_batches_tracked.fill_(1000)
    return model.eval()


def write_safetensors(state_dict, path):
    """The format by hand: 8-byte header length, JSON header, raw data."""
    codes = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, tensor in state_dict.items():
        data = tensor.contiguous().numpy().tobytes()
        header[name] = {"dtype": codes[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def torchvision_feature(model, pixels):
    image = torch.from_numpy(pixels).permute(2, 0, 1).float().div(255.0)
    image = (image - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1)
    with torch.no_grad():
        return torch.flatten(model.avgpool(model.features(image.unsqueeze(0))), 1)[0]


def popsweep_embed(weights, image, *extra):
    command = [os.environ["POPSWEEP_BIN"], "embed", "--backbone", "efficientnet_b0", "--weights", weights,
               "--image", image, "--device", DEVICE, "--json", *extra]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)}\n{result.stderr}")
    return json.loads(result.stdout), result.stderr


def relative_error(ours, reference):
    ours = torch.tensor(ours, dtype=torch.float64)
    reference = reference.to(torch.float64)
    if ours.shape != reference.shape:
        sys.exit(f"FAIL: feature shape {tuple(ours.shape)}, expected {tuple(reference.shape)}")
    return ((ours - reference).abs().max() / reference.abs().max()).item()


def main():
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        model = model_with_random_statistics(seed=2021)
        state_dict = model.state_dict()
        assert isinstance(state_dict, collections.OrderedDict) and hasattr(state_dict, "_metadata")
        archive = os.path.join(folder, "efficientnet_b0_random.pth")
        torch.save(state_dict, archive)
        safetensors = os.path.join(folder, "efficientnet_b0_random.safetensors")
        write_safetensors(state_dict, safetensors)

        pixels = numpy.random.default_rng(7).integers(0, 256, size=(224, 224, 3), dtype=numpy.uint8)
        image = os.path.join(folder, "image.png")
        Image.fromarray(pixels, "RGB").save(image)
        reference = torchvision_feature(model, pixels)

        for weights, extra, expected_path in [(archive, [], "folded"), (safetensors, [], "folded"),
                                              (archive, ["--reference"], "reference")]:
            output, _ = popsweep_embed(weights, image, *extra)
            error = relative_error(output["feature"], reference)
            label = f"{os.path.basename(weights)} {output['path']}"
            print(f"{label}: max relative error {error:.3g} (feature scale {reference.abs().max().item():.3g})")
            if output["path"] != expected_path:
                failures.append(f"{label}: ran the {output['path']} path, expected {expected_path}")
            if not output["pretrained"] is True:
                failures.append(f"{label}: a weight file must count as pretrained")
            if not error <= TOLERANCE:
                failures.append(f"{label}: relative error {error:.3g} above {TOLERANCE}")

        # Random weights: reproducible from the seed, and loudly not pretrained.
        first, warning = popsweep_embed("random", image, "--seed", "3")
        second, _ = popsweep_embed("random", image, "--seed", "3")
        other, _ = popsweep_embed("random", image, "--seed", "4")
        if first["feature"] != second["feature"] or first["feature"] == other["feature"]:
            failures.append("random weights are not a function of the seed")
        if first["pretrained"] is not False or "RANDOM" not in warning:
            failures.append(f"random weights are not flagged: pretrained={first['pretrained']}, stderr={warning!r}")

    if failures:
        sys.exit("FAIL:\n" + "\n".join(failures))
    print("OK")


if __name__ == "__main__":
    main()

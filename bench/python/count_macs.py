#!/usr/bin/env python3
"""Multiply-adds of torchvision's efficientnet_b0 per 224x224 image, counted
with forward hooks on every Conv2d and Linear (an independent check of
bench/backbone_profile.cc, which counts popsweep's frozen path from the
shapes of the ops it runs). Prints a Markdown table per top-level block.

    /usr/bin/python3 bench/python/count_macs.py
"""
import collections

import torch
import torchvision


def main():
    model = torchvision.models.efficientnet_b0().eval()
    per_block = collections.OrderedDict()

    def hook_for(name):
        # "features.3.1.block.0.0" -> "features.3.1"; "classifier.1" -> "classifier"
        parts = name.split(".")
        block = ".".join(parts[:3]) if parts[0] == "features" and len(parts) > 2 and parts[1] not in ("0", "8") \
            else ".".join(parts[:2]) if parts[0] == "features" else parts[0]

        def hook(module, inputs, output):
            if isinstance(module, torch.nn.Conv2d):
                out_channels, in_per_group, kh, kw = module.weight.shape
                macs = output.shape[0] * output.shape[2] * output.shape[3] * out_channels * in_per_group * kh * kw
            else:
                macs = output.numel() // output.shape[-1] * module.in_features * module.out_features
            per_block[block] = per_block.get(block, 0) + macs
        return hook

    for name, module in model.named_modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            module.register_forward_hook(hook_for(name))
    with torch.inference_mode():
        model(torch.zeros(1, 3, 224, 224))
    total = sum(per_block.values())
    print("| block (torchvision names) | MMAC |")
    print("|---|---|")
    for block, macs in per_block.items():
        print(f"| {block} | {macs / 1e6:.2f} |")
    without = total - per_block.get("classifier", 0)
    print(f"| **total** | **{total / 1e6:.2f}** |")
    print()
    print(f"torchvision efficientnet_b0 by forward hooks: {total / 1e9:.4f} GMAC with the classifier, "
          f"{without / 1e9:.4f} GMAC without")


if __name__ == "__main__":
    main()

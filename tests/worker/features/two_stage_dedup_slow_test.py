"""The whole of two_stage_dedup_test.py (issue 21): every coral photo and
wallpaper, >= 200 positive and >= 200 hard-negative pairs, the real
MobileNetV2 and random EfficientNet-B0 weights. Minutes on two cores, so it
carries the `slow` label; the default run has the smaller version."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import two_stage_dedup_test  # noqa: E402

if __name__ == "__main__":
    two_stage_dedup_test.main(full=True)

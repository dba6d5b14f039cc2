"""The fuller version of context_models_test.py (issue 18): the same three
claims on the `small` profile (330 images, 96-pixel pictures, two augmented
views per image, 30 epochs at learning rate 0.003), where random-weight features
learn the visual families: context-only beats the majority baseline on an
hour signal alone (`--hour-effect 1.5 --no-visual-signal`) while visual-only
does not; with the visual families and `--hour-effect 0.5` planted,
visual+context beats each alone; under a pure time trend context-only stays
within 0.03 of chance (trailing labels, `train.split: time`). Figures
printed."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import context_models_test as claims  # noqa: E402

claims.COMMON = claims.COMMON.replace("image_size: 64", "image_size: 96").replace(
    "views: 0", "views: 2").replace("epochs: 20", "epochs: 30").replace("lr: 0.01", "lr: 0.003")

if __name__ == "__main__":
    claims.run_claims({"context_only": ("small", ["--no-visual-signal"]), "both": ("small", []),
                       "trend": ("small", ["--no-visual-signal"])}, both_hour_effect="0.5")

"""Helpers shared by the Python reference tests (run with Debian's /usr/bin/python3).

The tests compare popsweep with an independent computation (numpy, pandas,
sklearn, torchvision, instaloader); these helpers only run the binary and
make scratch folders."""
import os
import subprocess
import sys
import tempfile

BINARY = os.environ.get("POPSWEEP_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "popsweep"))
SOURCE_DIR = os.environ.get("POPSWEEP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def run_popsweep(*args, check=True):
    """Runs the popsweep binary; returns the completed process (text output)."""
    result = subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise AssertionError(f"popsweep {' '.join(map(str, args))} exited {result.returncode}")
    return result


def scratch_dir():
    return tempfile.TemporaryDirectory(prefix="popsweep-pytest-")


class Checks:
    """Counts assertions so a test prints '<n> passed, <m> failed' and exits non-zero on failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, condition, message):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print("FAILED:", message)

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)

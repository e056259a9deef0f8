"""The main job of `make demo` (grows as capabilities land)."""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="demo-output")
    parser.parse_args()
    print("kartoteka demo: nothing to show yet")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The table of README.md's liquid-cooling study (cases/scans/integration-depth-60s-liquid.yaml) from its results.csv.

Usage: docs/study/liquid_table.py [results/integration-depth-60s/liquid/results.csv]   (prints Markdown rows)"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gather import columns, done_rows, markdown  # noqa: E402

COLUMNS = [("depth", "---", lambda r: r["label"]),
           ("coolant flows", "---", lambda r: "ASIC to optics" if r["boundaries.top.direction"] == "+x" else "optics to ASIC"),
           ("flow", "---", lambda r: r["boundaries.top.flow"])] + columns("plate")


def main(argv):
    path = argv[0] if argv else "results/integration-depth-60s/liquid/results.csv"
    markdown(done_rows(path, lambda r: (r["label"], r["boundaries.top.direction"], float(r["boundaries.top.flow"].split()[0]))), COLUMNS)


if __name__ == "__main__":
    main(sys.argv[1:])

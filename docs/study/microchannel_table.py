#!/usr/bin/python3
"""The table of README.md's inter-tier (micro-channel) cooling study (cases/scans/integration-depth-60s-microchannel.yaml)
from its results.csv.

Usage: docs/study/microchannel_table.py [results/integration-depth-60s/microchannel/results.csv]   (prints Markdown rows)"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gather import columns, done_rows, markdown  # noqa: E402

COLUMNS = [("flow", "---", lambda r: r["cavity_flow"])] + columns("cavity", heat=True, energy=True)


def main(argv):
    path = argv[0] if argv else "results/integration-depth-60s/microchannel/results.csv"
    markdown(done_rows(path, lambda r: float(r["cavity_flow"].split()[0])), COLUMNS)


if __name__ == "__main__":
    main(sys.argv[1:])

#!/bin/sh
# 3D-ICE comparison (README.md in this directory): 50 fixed backward-Euler steps of 20 ms and the default adaptive run,
# on 1 and 2 ranks, with wall time, peak memory and the accuracy of /series/sources/t_max against tight references.
# Usage: benchmarks/3dice-scaling/run.sh [--quick] [--ranks 1,2]     (needs bin/photherm: run make first)
# Results: benchmarks/results/3dice-scaling/<date>-<host>.json and .md.
exec /usr/bin/python3 "$(dirname "$0")/run.py" "$@"

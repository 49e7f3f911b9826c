#!/usr/bin/python3
"""Split the ring temperature swing of the 60 s integration-depth study (README.md, "The integration-depth study")
into its slow part (the package heating up over seconds) and its fast part (within one training step or batch).

Usage: docs/study/slow_and_fast.py OUT/results.csv [MORE/results.csv ...] [--csv FILE]

For every finished point of the scans, from its result file's /series/rings/temperature (the mean over the 16 rings
of the link) and /series/time:
  idle          ring temperature at t = 0 (the idle steady state the 60 s traces start from), degC
  slow_rise     largest rise of the 400 ms moving average above its value at t = 0, K: the package heating
  t90           time after the workload starts (t = 2 s) at which the moving average first reaches 90% of that rise, s
  drift         rise of the 400 ms moving average from t = 4 s (2 s of work) to t = 19.5 s, K: the part of the heating
                slower than the dies themselves (lid, cold plate, heat sink, substrate)
  fast_swing    largest max - min of the ring temperature within a 400 ms window between 10 s and 19.5 s, K: the swing
                of a step (on the training traces the package is near its plateau there, before the first checkpoint)
  total_swing   max - min over the whole run, K (the summary's ring_temperature_swing is the same per ring)
Prints a table (or writes it as CSV with --csv)."""
import argparse
import csv
import os
import sys

import h5py
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from scan import safe  # noqa: E402  (the point names of scripts/scan.py)

START = 2.0   # s: the 60 s traces start the workload after 2 s of idle
WINDOW = 0.4  # s: one training step
FAST = (10.0, 19.5)  # s: steady training, before the first checkpoint of training-60s.csv


def analyse(path):
    with h5py.File(path, "r") as f:
        t = f["series/time"][:]
        ring = f["series/rings/temperature"][:].mean(axis=1)
    dt = t[1] - t[0]
    n = max(1, int(round(WINDOW / dt)))
    kernel = np.ones(n) / n
    avg = np.convolve(ring, kernel, mode="valid")  # avg[i] is the mean over samples i .. i + n - 1
    tavg = t[: len(avg)] + WINDOW / 2
    rise = avg - ring[0]
    slow = float(rise.max())
    after = np.nonzero((tavg >= START) & (rise >= 0.9 * slow))[0]
    t90 = float(tavg[after[0]] - START) if len(after) and slow > 0 else float("nan")
    drift = float(np.interp(FAST[1] - WINDOW / 2, tavg, avg) - np.interp(START + 2.0, tavg, avg))
    late = ring[(t >= FAST[0]) & (t <= FAST[1])]
    fast = float((sliding_window_view(late, n).max(axis=1) - sliding_window_view(late, n).min(axis=1)).max()) if len(late) > n else 0.0
    return {"idle": float(ring[0]), "slow_rise": slow, "t90": t90, "drift": drift, "fast_swing": fast, "total_swing": float(ring.max() - ring.min())}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("--csv")
    args = ap.parse_args(argv)
    table = []
    for res in args.results:
        scan = os.path.basename(os.path.dirname(os.path.abspath(res)))
        with open(res, newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames
            grid = header[header.index("error") + 1:header.index("peak_temperature")]
            for row in reader:
                if row["status"] != "done":
                    continue
                params = {k: row[k] for k in ("asic_scale", "heater_eff", "h_cold_plate") if k in row}
                name = safe(row["label"]) + "".join(f"__{safe(k)}={safe(row[k])}" for k in grid if row[k] != "")
                h5 = os.path.join(os.path.dirname(os.path.abspath(res)), "points", name + ".h5")
                if not os.path.exists(h5):
                    continue
                table.append(dict(workload=scan, label=row["label"], **params, **analyse(h5)))
    keys = ["workload", "label", "asic_scale", "heater_eff", "h_cold_plate", "idle", "slow_rise", "t90", "drift", "fast_swing", "total_swing"]
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
            w.writeheader()
            w.writerows(table)
    for r in table:
        print(" ".join(f"{r.get(k):.3g}" if isinstance(r.get(k), float) else str(r.get(k, "")) for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/python3
"""Per-die maximum and mean temperatures of photherm and 3D-ICE on the transient_mc4rm example, at every output instant.

Usage: compare_3dice.py PHOTHERM.h5 ICE_DIR [CASE.yaml]  (the case defaults to transient_mc4rm.yaml beside this script)
ICE_DIR holds 3D-ICE's outputs of the stack file with the output section of benchmarks/microchannel/run.sh:
core_max.txt, core_avg.txt, mem_max.txt, mem_avg.txt (Tflp per floorplan element, every step, in K). A die's maximum is
the largest over its elements, its mean the area-weighted mean of the elements' averages (the elements tile the die).
photherm's are the same over its sources (one per element, in the die's source layer)."""
import sys

import h5py
import numpy as np


def ice_table(path):
    rows = [l.split() for l in open(path) if l.strip() and not l.startswith("%")]
    head = [l for l in open(path) if l.startswith("% Time")][0].split()[2:]
    names = [h.replace("(K)", "") for h in head]
    data = np.array([[float(v) for v in r] for r in rows])
    return names, data[:, 0], data[:, 1:] - 273.15


def main():
    h5, ice = sys.argv[1], sys.argv[2]
    yaml = open(sys.argv[3] if len(sys.argv) > 3 else __file__.replace("compare_3dice.py", "transient_mc4rm.yaml")).read()
    with h5py.File(h5, "r") as f:
        t = f["series/time"][()]
        tmax = f["series/sources/t_max"][()]
        tmean = f["series/sources/t_mean"][()]
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["series/sources/t_max"].attrs["names"]]
    worst = worst_end = 0.0
    print(f"{'die':10s} {'quantity':5s} {'largest |photherm - 3D-ICE| K':>32s} {'at t s':>8s} {'3D-ICE degC':>12s} {'photherm degC':>14s} {'at slot ends K':>16s}")
    for die, tag in (("CORE_DIE", "core"), ("MEMORY_DIE", "mem")):
        enames, ti, imax = ice_table(f"{ice}/{tag}_max.txt")
        _, _, iavg = ice_table(f"{ice}/{tag}_avg.txt")
        cols = [names.index(f"{die}.{n}") for n in enames]
        # element areas from the flp, in the order of the table
        area = []
        for n in enames:
            import re
            m = re.search(r"name: " + re.escape(f"{die}.{n}") + r", layer: \w+, x: \[([\d.e+-]+) um, ([\d.e+-]+) um\], y: \[([\d.e+-]+) um, ([\d.e+-]+) um\]", yaml)
            area.append((float(m.group(2)) - float(m.group(1))) * (float(m.group(4)) - float(m.group(3))) if m else np.nan)
        area = np.array(area)
        rows = [int(np.argmin(np.abs(t - x))) for x in ti]
        pmax = tmax[rows][:, cols].max(axis=1)
        pavg = (tmean[rows][:, cols] * area).sum(axis=1) / area.sum()
        for q, p, i in (("max", pmax, imax.max(axis=1)), ("mean", pavg, (iavg * area).sum(axis=1) / area.sum())):
            d = np.abs(p - i)
            k = int(np.argmax(d))
            worst = max(worst, d.max())
            ends = np.isclose(np.mod(ti + 1e-9, 0.2), 0, atol=1e-6)  # the ends of the 0.2 s power slots
            slot = d[ends].max() if ends.any() else np.nan
            worst_end = max(worst_end, slot)
            print(f"{die:10s} {q:5s} {d.max():32.3f} {ti[k]:8.3f} {i[k]:12.2f} {p[k]:14.2f} {slot:16.3f}")
    print(f"largest difference {worst:.3f} K over {len(ti)} instants, {worst_end:.3f} K at the ends of the power slots")


main()

#!/usr/bin/python3
"""photherm against 3D-ICE on the CFD validation set-up (benchmarks/README.md section 11): each die's largest and mean
source-layer temperature (3D-ICE's Tflp maximum and average of the die's one floorplan element), 3D-ICE's probe
T(die1, 5000 um, 4800 um) (the source-layer cell holding that point) and the coolant's outlet.

Usage: compare_cfd.py PHOTHERM.h5 ICE_DIR"""
import sys

import h5py
import numpy as np


def ice(path):
    return float([l.split() for l in open(path) if l.strip() and not l.startswith("%")][-1][1]) - 273.15


def main():
    h5, d = sys.argv[1], sys.argv[2]
    with h5py.File(h5, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["series/sources/t_max"].attrs["names"]]
        tmax, tmean = f["series/sources/t_max"][-1], f["series/sources/t_mean"][-1]
        T = f["fields/temperature"][-1]
        x, y, z = f["mesh/x"][()], f["mesh/y"][()], f["mesh/z"][()]
        outlet = f["series/coolant/outlet_temperature"][-1, 0]
    i = int(np.searchsorted(x, 5000e-6, side="right") - 1)
    j = int(np.searchsorted(y, 4800e-6, side="right") - 1)
    k = int(np.searchsorted(z, 1e-6) - 1)  # the 2 um source layer of die1 at the bottom
    rows = [("die1 largest", ice(f"{d}/die1_max.txt"), tmax[names.index("die1")]),
            ("die1 mean", ice(f"{d}/die1_avg.txt"), tmean[names.index("die1")]),
            ("die2 largest", ice(f"{d}/die2_max.txt"), tmax[names.index("die2")]),
            ("die2 mean", ice(f"{d}/die2_avg.txt"), tmean[names.index("die2")]),
            ("T(die1, 5000 um, 4800 um)", ice(f"{d}/die1_node.txt"), T[k, j, i])]
    print(f"{'quantity':28s} {'3D-ICE degC':>12s} {'photherm degC':>14s} {'difference K':>13s}")
    for n, a, b in rows:
        print(f"{n:28s} {a:12.3f} {b:14.3f} {b - a:13.3f}")
    print(f"largest |photherm - 3D-ICE| over these: {max(abs(b - a) for _, a, b in rows):.3f} K")
    print(f"coolant outlet (flow-weighted mean): photherm {outlet:.3f} degC; 3D-ICE's Tcoolant maximum {ice(f'{d}/outlet_max.txt'):.3f}, "
          f"average {ice(f'{d}/outlet_avg.txt'):.3f} degC")


if __name__ == "__main__":
    main()

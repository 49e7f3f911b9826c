#!/usr/bin/python3
"""Early-time response of a thick silicon slab to a step flux on its top face (semi-infinite solid).

A 5 mm silicon slab (k 148 W/m/K, rho 2330 kg/m^3, cp 712 J/kg/K) at a uniform 25 C receives q = 1 MW/m^2 on its
top face from t = 0; every other face is adiabatic. While the heated depth sqrt(alpha t) is small against the
thickness the slab is semi-infinite, and at depth z below the surface (Carslaw & Jaeger §2.9)
    T - T0 = (2q/k) sqrt(alpha t / pi) exp(-z^2 / (4 alpha t)) - (q z / k) erfc(z / (2 sqrt(alpha t))),
so the surface rises as 2 q sqrt(t / (pi k rho cp)). The z grid is graded (max_ratio 1.1) from a 2 um top cell (a
2 um layer of the same silicon) to 50 um cells. The top cell centre is compared with the exact value at its own
depth (1 um; the surface value differs from it by q 1um/k, 0.9% of the rise at 0.1 ms), at every series sample,
and the whole profile at every snapshot. Tolerance: 1% of the surface rise at that time, with integrator tolerances
-ts_atol 1e-8 -ts_rtol 1e-9 (the backward-Euler time error is then ~0.05%, the space error ~0.07%).
The bottom face is far away: the image of the surface flux in the adiabatic bottom adds about
(4q/k) sqrt(alpha t) ierfc(L / sqrt(alpha t)) < 1e-12 K at the last time.
"""
import math

import numpy as np

import phverify

tap = phverify.Tap(__file__)

K, RHO, CP = 148.0, 2330.0, 712.0
ALPHA = K / (RHO * CP)
Q = 1e6
T0 = 25.0
THICK = 5e-3
END = 5e-3
TOL = 0.01

CASE = f"""version: 1
name: semi
materials:
  si: {{k: {K} W/m/K, rho: {RHO} kg/m^3, cp: {CP} J/kg/K}}
footprint: {{x: [0, 1 mm], y: [0, 1 mm]}}
grid: {{max_cell_xy: 1 mm, max_cell_z: 50 um, max_ratio: 1.1}}
stack:
  - {{name: bulk, thickness: {THICK * 1e3} mm, material: si}}
  - {{name: skin, thickness: 2 um, material: si}}
boundaries:
  top: {{type: flux, value: {Q} W/m^2}}
sources:
  - {{name: skin, layer: skin, x: [0, 1 mm], y: [0, 1 mm], power: 0 W}}
time: {{end: {END * 1e3} ms, dt: 1 us, dt_max: 1 ms, initial: "{T0} C"}}
output: {{series_every: 0.1 ms, fields_every: 0.5 ms}}
"""


def exact(depth, t):
    """Exact rise [K] at depths [m] below the heated surface at time t > 0."""
    depth = np.atleast_1d(np.asarray(depth, dtype=float))
    s = math.sqrt(ALPHA * t)
    erfc = np.array([math.erfc(d / (2 * s)) for d in depth])
    return 2 * Q / K * s / math.sqrt(math.pi) * np.exp(-depth ** 2 / (4 * ALPHA * t)) - Q * depth / K * erfc


def surface(t):
    return 2 * Q * math.sqrt(t / (math.pi * K * RHO * CP))


def check_run(work, name, args, tol, info_only=False):
    r = phverify.run(work, name, CASE, args=args)
    z = r["mesh/z"]
    depth = z[-1] - phverify.centres(z)
    dz = np.diff(z)
    steps = int(r["summary"]["steps"])
    t = r["series/time"]
    Ttop = r["sources/t_mean"][:, 0]
    worst, where = 0.0, 0.0
    lines = []
    for i in range(1, len(t)):
        e = exact(depth[-1], t[i])[0]
        rel = abs(Ttop[i] - T0 - e) / surface(t[i])
        if rel > worst:
            worst, where = rel, t[i]
        if any(abs(t[i] - c) < 1e-12 for c in (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3)):
            lines.append(f"t = {t[i] * 1e3:g} ms: surface {surface(t[i]):.5f} K, exact at {depth[-1] * 1e6:g} um "
                         f"{e:.5f} K, photherm {Ttop[i] - T0:.5f} K ({(Ttop[i] - T0 - e) / surface(t[i]):+.2e})")
    tf = r["fields/time"]
    F = r["fields/temperature"][:, :, 0, 0]
    pworst = 0.0
    for i in range(1, len(tf)):
        pworst = max(pworst, np.max(np.abs(F[i] - T0 - exact(depth, tf[i]))) / surface(tf[i]))
    print(f"# {name}: {len(dz)} z cells from {dz.min() * 1e6:.3g} um (top) to {dz.max() * 1e6:.3g} um, {steps} steps")
    for line in lines:
        print(f"#   {line}")
    if info_only:
        print(f"# {name}: largest top-cell error {worst:.2e} of the surface rise at t = {where * 1e3:g} ms (not checked)")
        return
    tap.check(f"semi-infinite {name} top-cell grid", abs(dz[-1] - 2e-6) < 1e-12 and np.max(dz[1:] / dz[:-1]) < 1.1 + 1e-9,
                f"top cell {dz[-1] * 1e6:.4g} um (expected 2 um), grading {max(np.max(dz[1:] / dz[:-1]), np.max(dz[:-1] / dz[1:])):.4f} <= 1.1")
    tap.check(f"semi-infinite {name} top cell", worst <= tol,
                f"max |T_top - exact(z_c, t)| / surface rise = {worst:.2e} at t = {where * 1e3:g} ms over {len(t) - 1} samples "
                f"0.1 to {t[-1] * 1e3:g} ms (tolerance {tol:.0e})")
    tap.check(f"semi-infinite {name} profile", pworst <= tol,
                f"max |T - exact| / surface rise over all cells of {len(tf) - 1} snapshots = {pworst:.2e} (tolerance {tol:.0e})")


def main():
    work = phverify.workdir("semi")
    print(f"# alpha = {ALPHA:.4e} m^2/s; heated depth 4 sqrt(alpha t) at the end {4 * math.sqrt(ALPHA * END) * 1e3:.2f} mm "
          f"of {THICK * 1e3:g} mm")
    tap.guard("semi-infinite tight", check_run, work, "tight", ["-ts_atol", "1e-8", "-ts_rtol", "1e-9"], TOL)
    # for the record: the default tolerances (0.01 K, 1e-3 relative on kelvin) start with a 5% error at 0.1 ms
    tap.guard("semi-infinite default", check_run, work, "default", [], TOL, info_only=True)
    tap.finish()


if __name__ == "__main__":
    main()

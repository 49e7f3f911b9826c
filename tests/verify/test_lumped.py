#!/usr/bin/python3
"""Lumped (Biot << 1) cooling of a thin copper plate: the transient integrator against an exponential.

A 10 x 10 x 1 mm copper plate starts at 85 C and convects from its top face (h = 1000 W/m^2/K, 25 C); every other
face is adiabatic. With one cell in z the semi-discrete model is exactly one node: C dT/dt = -G (T - T_amb) with
C = rho cp A L and G = A / (L/(2k) + 1/h) (README.md, Thermal model: the convection face of a cell-centred cell), so
T(t) = T_amb + (T0 - T_amb) exp(-t/tau), tau = rho cp L / h_eff, h_eff = 1/(1/h + L/(2k)). Biot = hL/k = 2.5e-3.

What remains is the time error of backward Euler. With local error control to eps per step (eps = atol + rtol |T|,
T in kelvin, the state photherm integrates) the step settles where dt^2/2 |T''| = eps, so the global error obeys
e' = -e/tau + sqrt(eps |T''| / 2) with |T''| = dT0 exp(-t/tau) / tau^2; its solution
e(t) = sqrt(2 eps dT0) (exp(-t/2tau) - exp(-t/tau)) peaks at t = 2 tau ln 2 at
    e_max = sqrt(eps dT0 / 2) / 2.
That is the justified tolerance of each run; steps cut shorter by the output samples only reduce the error. The
global error of a first-order method grows like the square root of the local tolerance, so 1e-4 of the rise needs
a local tolerance near 1e-8 K (third run); the first-order scaling itself is checked between the second and third.

Small rise: the same plate heated from the ambient by 22 mW (samples every 1.75 s) rises by P/G = 0.22 K, T = T_amb + P/G (1 - exp(-t/tau)).
The default absolute tolerance is 1e-4 of the case's rise scale (here the steady rise, 0.22 K), so that a small rise
is integrated to the same relative accuracy as a large one: the bound sqrt(eps dT/2)/2 with eps = (1e-4 + 1e-3) dT
is 1.2% of the rise. With the former fixed 0.01 K the error was 4.2% of the rise, beyond that bound.
"""
import math

import numpy as np

import phverify

tap = phverify.Tap(__file__)

K, RHO, CP = 400.0, 8960.0, 385.0
L, H = 1e-3, 1000.0
T_AMB, T0 = 25.0, 85.0
H_EFF = 1.0 / (1.0 / H + L / (2 * K))
TAU = RHO * CP * L / H_EFF
END = 14.0

CASE = f"""version: 1
name: lumped
materials:
  cu: {{k: {K} W/m/K, rho: {RHO} kg/m^3, cp: {CP} J/kg/K}}
footprint: {{x: [0, 10 mm], y: [0, 10 mm]}}
grid: {{max_cell_xy: 10 mm}}
stack:
  - {{name: plate, thickness: {L * 1e3} mm, material: cu, cells: 1}}
boundaries:
  top: {{type: convection, h: {H} W/m^2/K, ambient: {T_AMB} C}}
sources:
  - {{name: plate, layer: plate, x: [0, 10 mm], y: [0, 10 mm], power: 0 W}}
time: {{end: {END} s, dt: 10 ms, dt_max: {END} s, initial: "{T0} C"}}
output: {{series_every: 0.25 s, fields_every: 3.5 s}}
"""


def be_bound(atol, rtol):
    eps = atol + rtol * (T0 + phverify.ZERO_C)
    return 0.5 * math.sqrt(eps * (T0 - T_AMB) / 2)


def run(work, name, args):
    r = phverify.run(work, name, CASE, args=args)
    t = r["series/time"]
    T = r["sources/t_mean"][:, 0]
    exact = T_AMB + (T0 - T_AMB) * np.exp(-t / TAU)
    err = np.abs(T - exact)
    i = int(np.argmax(err))
    # the field snapshots hold the same single cell
    tf = r["fields/time"]
    ef = np.max(np.abs(r["fields/temperature"].reshape(len(tf), -1) - (T_AMB + (T0 - T_AMB) * np.exp(-tf / TAU))[:, None]))
    steps = int(r["summary"]["steps"])
    print(f"# {name}: {steps} steps, {len(t)} samples to {t[-1]:g} s, largest error {err[i]:.3e} K at t = {t[i]:g} s "
          f"(peak of the theory at {2 * TAU * math.log(2):.2f} s), snapshots {ef:.3e} K")
    ok_times = len(t) == int(round(END / 0.25)) + 1 and np.allclose(t, 0.25 * np.arange(len(t)), rtol=0, atol=1e-12)
    tap.check(f"lumped {name} samples", ok_times, f"{len(t)} samples at multiples of 0.25 s (expected {int(END / 0.25) + 1})")
    return max(err.max(), ef), steps


def main():
    work = phverify.workdir("lumped")
    dT = T0 - T_AMB
    print(f"# tau = rho cp L / h_eff = {TAU:.6f} s, Biot = {H * L / K:.1e}")
    errs = {}

    def one(name, atol, rtol, args, tol_rel=None):
        e, _ = run(work, name, args)
        bound = be_bound(atol, rtol)
        errs[name] = e
        tap.check(f"lumped {name}", e <= bound,
                    f"max |T - exact| = {e:.3e} K = {e / dT:.2e} of the rise (tolerance: backward-Euler bound "
                    f"sqrt(eps dT/2)/2 = {bound:.3e} K = {bound / dT:.2e} of the rise, atol {atol:g} K, rtol {rtol:g})")
        if tol_rel is not None:
            tap.check(f"lumped {name} relative", e / dT <= tol_rel,
                        f"max |T - exact| / (T0 - T_amb) = {e / dT:.2e} (tolerance {tol_rel:.0e})")

    tap.guard("lumped default tolerances", one, "default tolerances", 1e-4 * dT, 1e-3, [])
    tap.guard("lumped tight", one, "tight (-ts_atol 1e-6 -ts_rtol 1e-7)", 1e-6, 1e-7, ["-ts_atol", "1e-6", "-ts_rtol", "1e-7"])
    print("# with backward Euler the global error scales as the square root of the local tolerance: 1e-4 of the rise "
          "needs atol/rtol near 1e-8/1e-9, not 1e-6/1e-7")
    tap.guard("lumped tighter", one, "tighter (-ts_atol 1e-8 -ts_rtol 1e-9)", 1e-8, 1e-9, ["-ts_atol", "1e-8", "-ts_rtol", "1e-9"],
                  tol_rel=1e-4)

    def order():
        a, b = errs["tight (-ts_atol 1e-6 -ts_rtol 1e-7)"], errs["tighter (-ts_atol 1e-8 -ts_rtol 1e-9)"]
        tap.check("lumped first-order convergence", 5 <= a / b <= 20,
                    f"error ratio for 100x smaller local tolerances {a / b:.2f} (backward Euler: sqrt(100) = 10; accepted 5 to 20)")

    tap.guard("lumped first-order convergence", order)
    tap.guard("lumped small rise", small_rise, work)
    tap.finish()


SMALL_POWER = 0.022  # W


def small_rise(work):
    """Heating by 22 mW from the ambient (a 0.22 K rise) at the default tolerances, and at the former atol of 0.01 K."""
    g = H_EFF * 1e-4  # W/K: the convection face is 10 x 10 mm
    rise = SMALL_POWER / g
    case = CASE.replace(f'initial: "{T0} C"', f'initial: "{T_AMB} C"').replace("power: 0 W", f"power: {SMALL_POWER} W")
    case = case.replace("series_every: 0.25 s", "series_every: 1.75 s")  # few landings: the error control sets the steps
    errs = {}
    for name, args in (("default", []), ("atol 0.01 K", ["-ts_atol", "0.01"])):
        r = phverify.run(work, "small_" + name.replace(" ", "_").replace(".", ""), case, args=args)
        t = r["series/time"]
        errs[name] = float(np.max(np.abs(r["sources/t_mean"][:, 0] - (T_AMB + rise * (1 - np.exp(-t / TAU))))))
        print(f"# small rise, {name}: {int(r['summary']['steps'])} steps, largest error {errs[name]:.3e} K = {errs[name] / rise:.2e} of the "
              f"{rise:.4f} K rise")
    bound = 0.5 * math.sqrt((1e-4 + 1e-3) * rise * rise / 2)
    tap.check("lumped small rise relative accuracy", errs["default"] <= bound,
              f"max |T - exact| = {errs['default'] / rise:.2e} of the rise at the default tolerances (bound sqrt(eps dT/2)/2 = {bound / rise:.2e} "
              f"with eps = 1.1e-3 dT)")
    tap.check("lumped small rise former atol", errs["atol 0.01 K"] > bound and errs["default"] <= errs["atol 0.01 K"] / 3,
              f"with the former fixed atol of 0.01 K the error is {errs['atol 0.01 K'] / rise:.2e} of the rise, beyond the bound "
              f"and at least 3 times the default's")


if __name__ == "__main__":
    main()

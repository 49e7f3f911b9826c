#!/usr/bin/python3
"""Energy balance (README.md, Thermal model): a transient with a trace source, a square-pattern source, convection on top and a
flux into a region of the bottom.

1. Adaptive stepping: /series/energy_error below 1e-9 at every sample with tightly converged linear solves; at the
   default tolerances (rtol 1e-5, floor 1e-6 of a step's heat) the residuals the solves leave account for about 1e-6,
   checked below 1e-5.
2. Fixed steps that each end on a snapshot (-ts_adapt_type none, dt = fields_every = series_every): the balance is
   recomputed from the file alone and the case text, independently of photherm's own bookkeeping:
     stored   = sum over cells of rho*cp*V * (T_last - T_first)     (materials from /case/yaml, V from /mesh)
     out      = sum over steps of dt * sum over top cells of G (T_cell - T_ambient),  G = A / (h_cell/(2 k_z) + 1/h)
                (backward Euler's end-point quadrature)
     generated = exact integral of the trace and of the square pattern (both piecewise constant, edges on steps)
     flux in  = value * region area * end time
   and |stored + out - generated - flux in| / max(...) must be below 1e-8.
3. Steady mode: the heat leaving through the convection faces, computed from the top-cell temperatures, equals the
   source power at t = 0 plus the flux in, to 1e-8; also when the case names an initial temperature."""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import Tap, cell_properties, must_run, workdir, write  # noqa: E402

END = 2e-3
H_TOP, T_AMB = 5e3, 30.0
FLUX, REGION = 2e4, ((2e-3, 6e-3), (1.5e-3, 4.5e-3))
TRACE_T = [0.0, 0.4e-3, 1.1e-3, 1.7e-3]  # s
TRACE_P = [3.0, 5.0, 2.0, 4.0]            # W
SQUARE = {"period": 0.8e-3, "duty": 0.25, "high": 2.0, "low": 0.5}

TRACE = "# energy-balance test trace: held values, edges on multiples of 0.1 ms\ntime [ms],die [W]\n" + "".join(
    f"{t * 1e3:g},{p:g}\n" for t, p in zip(TRACE_T, TRACE_P))

CASE = f"""version: 1
name: energy
materials:
  si: {{k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}}
  uf: {{k: 0.5 W/m/K, rho: 1800 kg/m^3, cp: 1000 J/kg/K}}
  sub: {{k: "[30, 30, 0.8] W/m/K", rho: 2000 kg/m^3, cp: 900 J/kg/K}}
  lidmat: {{k: [390 W/m/K, 390 W/m/K, 200 W/m/K], rho: 8900 kg/m^3, cp: 390 J/kg/K}}
footprint: {{x: [0, 8 mm], y: [0, 6 mm]}}
grid: {{max_cell_xy: 400 um}}
stack:
  - {{name: substrate, thickness: 500 um, material: sub, cells: 2}}
  - name: dies
    thickness: 100 um
    material: uf
    cells: 2
    blocks:
      - {{name: die, material: si, x: [1.5 mm, 5.5 mm], y: [1 mm, 4.6 mm]}}
  - {{name: lid, thickness: 500 um, material: lidmat, cells: 2}}
boundaries:
  top: {{type: convection, h: {H_TOP:g} W/m^2/K, ambient: {T_AMB:g} C}}
  bottom: {{type: flux, value: {FLUX:g} W/m^2, region: {{x: [2 mm, 6 mm], y: [1.5 mm, 4.5 mm]}}}}
sources:
  - {{name: die, block: die, power: {{trace: trace.csv, column: die}}}}
  - {{name: hot, layer: dies, x: [6 mm, 7 mm], y: [2 mm, 3 mm],
     power: {{pattern: square, period: 0.8 ms, duty: 0.25, high: 2 W, low: 0.5 W}}}}
time: {{end: 2 ms, dt: 0.1 ms, dt_max: 0.1 ms, initial: 30 C}}
output: {{fields_every: 0.1 ms, series_every: 0.1 ms}}
"""


def trace_energy(t0, t1):
    """Exact integral of the held trace over [t0, t1]."""
    edges = TRACE_T[1:] + [np.inf]
    e = 0.0
    for start, stop, p in zip(TRACE_T, edges, TRACE_P):
        start = t0 if start == TRACE_T[0] else start  # before the first row the first value holds
        e += p * max(0.0, min(stop, t1) - max(start, t0))
    return e


def trace_power(t):
    return TRACE_P[max(i for i, s in enumerate(TRACE_T) if s <= t * (1 + 1e-12))]


def square_energy(t0, t1):
    per, duty, hi, lo = SQUARE["period"], SQUARE["duty"], SQUARE["high"], SQUARE["low"]
    e, k = 0.0, 0
    while k * per < t1:
        a, b, c = k * per, k * per + duty * per, (k + 1) * per
        e += hi * max(0.0, min(b, t1) - max(a, t0)) + lo * max(0.0, min(c, t1) - max(b, t0))
        k += 1
    return e


def square_power(t):
    """The pattern's value at t: high for the first duty fraction of each period (edges to 1e-9 of a period)."""
    phase = t / SQUARE["period"]
    phase -= np.floor(phase + 1e-9)
    return SQUARE["high"] if phase < SQUARE["duty"] - 1e-9 else SQUARE["low"]


def top_conductance(cp):
    """Boundary conductance of every top cell [ny][nx] (README.md, Thermal model: G = A / (h_cell/(2k) + 1/h_conv))."""
    area = cp["dy"][:, None] * cp["dx"][None, :]
    return area / (cp["dz"][-1] / (2 * cp["k"][2][-1]) + 1.0 / H_TOP)


def region_area(cp):
    xc = 0.5 * (cp["x"][1:] + cp["x"][:-1])
    yc = 0.5 * (cp["y"][1:] + cp["y"][:-1])
    inside = ((yc > REGION[1][0]) & (yc < REGION[1][1]))[:, None] & ((xc > REGION[0][0]) & (xc < REGION[0][1]))[None, :]
    return float((cp["dy"][:, None] * cp["dx"][None, :])[inside].sum())


def steady_check(tap, name, f):
    cp = cell_properties(f)
    T = f["fields/temperature"][...]
    out = float((top_conductance(cp) * (T[0, -1] - T_AMB)).sum())
    want = trace_power(0.0) + SQUARE["high"] + FLUX * region_area(cp)
    rel = abs(out - want) / want
    tap.close(name, rel, 1e-8, f"convective loss from the top cells {out:.12g} W, sources at t = 0 plus flux in {want:.12g} W; |difference| / power")
    return rel


def main():
    tap = Tap(__file__)
    wd = workdir("energy")
    write(os.path.join(wd, "trace.csv"), TRACE)
    write(os.path.join(wd, "case.yaml"), CASE)
    e_gen = trace_energy(0.0, END) + square_energy(0.0, END)
    tap.note(f"exact generated energy {e_gen * 1e3:.6g} mJ (trace {trace_energy(0, END) * 1e3:g} mJ, pattern {square_energy(0, END) * 1e3:g} mJ)")

    # 1. default adaptive stepping, snapshots only at the start and the end
    if tap.guard("run_adaptive", must_run, ["run", "case.yaml", "-o", "adaptive.h5", "-quiet", "-P", "time.dt_max=0.5 ms",
                                            "-P", "output.fields_every=2 ms", "-P", "output.series_every=0.25 ms"], wd):
        with h5py.File(os.path.join(wd, "adaptive.h5"), "r") as f:
            err = f["series/energy_error"][...]
            steps = int(f["summary"].attrs["steps"])
            tap.close("energy_error_every_sample_adaptive_default_tolerances", float(err.max()), 1e-5,
                      f"{len(err)} samples, {steps} steps; max /series/energy_error")
            tap.check("adaptive_two_snapshots", np.allclose(f["fields/time"][...], [0, END], rtol=0, atol=1e-15),
                      f"/fields/time = {f['fields/time'][...].tolist()} with fields_every = end")
            cp = cell_properties(f)
            T = f["fields/temperature"][...]
            stored = float((cp["rhocp"] * cp["volume"] * (T[-1] - T[0])).sum())
            e_flux = FLUX * region_area(cp) * END
            implied_out = e_gen + e_flux - stored
            # the convective loss lies between what the first and the last state would lose over the whole run
            lo, hi = (float((top_conductance(cp) * (T[i, -1] - T_AMB)).sum()) * END for i in (0, -1))
            tap.check("adaptive_stored_energy", stored > 0 and min(lo, hi) <= implied_out <= max(lo, hi),
                      f"stored {stored * 1e3:.6g} mJ from the two snapshots; generated + flux in - stored = {implied_out * 1e3:.6g} mJ "
                      f"lies within the loss rates of the first and last state times the run, [{lo * 1e3:.4g}, {hi * 1e3:.4g}] mJ")

    if tap.guard("run_adaptive_tight", must_run, ["run", "case.yaml", "-o", "adaptive_tight.h5", "-quiet", "-P", "time.dt_max=0.5 ms",
                                                  "-P", "output.series_every=0.25 ms", "-ksp_rtol", "1e-11", "-ph_ksp_floor", "0"], wd):
        with h5py.File(os.path.join(wd, "adaptive_tight.h5"), "r") as f:
            err = f["series/energy_error"][...]
            tap.close("energy_error_every_sample_adaptive", float(err.max()), 1e-9, f"{len(err)} samples, tight solves; max /series/energy_error")

    # 2. fixed steps, a snapshot after every step: the whole balance from the file
    if tap.guard("run_fixed", must_run, ["run", "case.yaml", "-o", "fixed.h5", "-quiet", "-ts_adapt_type", "none", "-ksp_rtol", "1e-11", "-ph_ksp_floor", "0"], wd):
        with h5py.File(os.path.join(wd, "fixed.h5"), "r") as f:
            cp = cell_properties(f)
            t = f["fields/time"][...]
            T = f["fields/temperature"][...]
            steps = int(f["summary"].attrs["steps"])
            nsteps = len(t) - 1
            tap.check("fixed_snapshots", np.allclose(t, np.linspace(0, END, 21), rtol=0, atol=1e-15),
                      f"{len(t)} snapshots at 0, 0.1 ms, ..., {t[-1] * 1e3:g} ms")
            # every edge of the trace and the pattern is a multiple of the step: 20 steps, none of them spurious
            tap.check("fixed_step_count", steps == nsteps, f"{steps} accepted steps for {nsteps} steps of 0.1 ms")
            err = f["series/energy_error"][...]
            tap.close("energy_error_every_sample_fixed", float(err.max()), 1e-9, f"{len(err)} samples; max /series/energy_error")
            stored = float((cp["rhocp"] * cp["volume"] * (T[-1] - T[0])).sum())
            G = top_conductance(cp)
            rates = np.array([(G * (T[n, -1] - T_AMB)).sum() for n in range(1, len(t))])
            out = float((np.diff(t) * rates).sum())
            e_flux = FLUX * region_area(cp) * END
            gap = stored + out - e_gen - e_flux
            denom = max(e_gen + e_flux, abs(out), abs(stored))
            tap.note(f"stored {stored * 1e3:.9g} mJ, out {out * 1e3:.9g} mJ, generated {e_gen * 1e3:.9g} mJ, flux in {e_flux * 1e3:.9g} mJ")
            tap.close("energy_balance_recomputed", abs(gap) / denom, 1e-8, "|stored + out - generated - flux in| / max(...)")
            tap.close("energy_error_matches_recomputed", abs(abs(gap) / denom - float(err[-1])), 1e-9,
                      f"file {float(err[-1]):.3g} vs recomputed {abs(gap) / denom:.3g}; absolute difference")
            # sources as written: /series/sources/power at the samples, and the power density at t = 0
            pw = f["series/sources/power"][...]
            ts = f["series/time"][...]
            want = np.array([[trace_power(s), square_power(s)] for s in ts])
            bad = [f"t = {s * 1e3:.6g} ms {f['series/sources/power'].attrs['names'][j].decode()}: {pw[i, j]:g} W, expected {want[i, j]:g} W"
                   for i, s in enumerate(ts) for j in range(2) if abs(pw[i, j] - want[i, j]) > 1e-12]
            tap.check("source_power_series", not bad, "every sample equals the trace/pattern value at its time (to 1e-12 W)" if not bad
                      else "; ".join(bad))
            # the summary's time averages (left-rectangle rule over samples that fall on every edge: exact means)
            for j, name in enumerate(("die", "hot")):
                exact = (trace_energy(0, END) if j == 0 else square_energy(0, END)) / END
                got = float(f[f"summary/sources/{name}"].attrs["power_mean"])
                tap.close(f"summary_power_mean_{name}", abs(got - exact) / exact, 1e-9,
                          f"/summary/sources/{name}/power_mean {got:.10g} W vs exact mean {exact:.10g} W; relative difference")
            pd = f["fields/power_density"][...]
            total = float((pd * cp["volume"]).sum())
            tap.close("power_density_integral", abs(total - 5.0) / 5.0, 1e-12, f"sum(power_density * V) = {total:.15g} W vs 5 W; relative")

    # 3. steady state: the convective loss equals the heat put in
    if tap.guard("run_steady", must_run, ["run", "case.yaml", "-o", "steady.h5", "-quiet", "-P", "time.mode=steady",
                                          "-P", "time.initial=steady"], wd):
        with h5py.File(os.path.join(wd, "steady.h5"), "r") as f:
            steady_check(tap, "steady_convective_loss", f)
            tap.close("steady_energy_error", float(f["series/energy_error"][0]), 1e-9, "/series/energy_error[0]")
    # the case file names initial: 30 C; mode: steady must still solve the steady state
    if tap.guard("run_steady_initial", must_run, ["run", "case.yaml", "-o", "steady_initial.h5", "-quiet", "-P", "time.mode=steady"], wd):
        with h5py.File(os.path.join(wd, "steady_initial.h5"), "r") as f:
            steady_check(tap, "steady_with_initial_temperature", f)
    tap.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The reduced model (time.method: reduced) against exact solutions of the same semi-discrete equations.

1. Lumped plate (one cell, Biot << 1) heated by a square-wave power: one node C dT/dt = -G (T - T_amb) + P(t), whose
   exact solution is a chain of exponentials, one per held interval. The reduced basis holds the node exactly, so
   every sample must agree to rounding (1e-9 of the rise).
2. A 1D slab of four layers (one cell in x and y, graded cells in z), a source in the bottom layer, convection on top,
   driven by a step and by a square wave. The script builds the finite-volume system itself (the conductances of
   README.md, Thermal model: half-cell resistances in series, the convection face of a cell-centred cell) and
   propagates it exactly through the eigenvectors of C^-1/2 A C^-1/2 (numpy). At every sample the reduced model's
   source mean and source maximum must be within time.reduced.tolerance of that; the steady state the step settles to
   must equal A^-1 f P exactly (to 1e-9 of the rise: every steady gain of the reduced model is exact); the energy
   balance closes to 1e-9; a tighter tolerance gives a smaller error; -ph_reduced_check, with the full model tightly
   solved, reports a difference of the size of that error.
3. Reuse: `photherm reduce` writes the model of the step case; a run with a square-wave power reuses it
   (-ph_reduced_model) within the tolerance of the exact answer; a model of another mesh is refused (exit 2, nothing
   written).
4. Rank independence: the square-wave slab on 1, 2 and 3 ranks agrees to 1e-9 of the rise with tight solves, and to 5%
   of the model's tolerance at the default ones.
5. Maxima: the reduced model finds t_max of every block from a tree of bounds without reconstructing every cell; on the
   2.5D example (1 and 2 ranks) the series' t_max at every field snapshot must equal the largest cell of the written
   field over that block's cells (which is the reconstruction of every cell), to 1e-9 K.
6. k(T) frozen: on the 2.5D example (silicon and copper with k(T)) the run reports reduced_freeze_error, the change of
   the steady temperatures at the highest powers that freezing the conductances causes; it warns when that exceeds
   the tolerance; and the difference to the full nonlinear model measured by -ph_reduced_check over the run stays
   within reduced_freeze_error + reduced_error_estimate (the freeze bound and the basis estimate together). A case
   with constant conductivities records no freeze error.
7. k(T) during a heat-up: the 3D example heating up from idle (the 60 s training trace, 2 s idle then 400 ms steps;
   2 mm cells, to 2.6 s, ASIC x1.2) moves silicon's k by 20%; with the operator frozen once (-ph_reduced_k_tiles 0
   -ph_reduced_k_lag 0) the difference to the full nonlinear model (-ph_reduced_check) is about 1.1 K; re-formed
   whenever k may have moved 2% (-ph_reduced_k_tiles 0 -ph_reduced_k_lag 0.02) it must be under a fifth of that and
   the run must say it re-formed; with k(T) by regions (the default) it must be under a fifth too, without re-forming.
8. Cold plates: the coolant makes K_r non-symmetric; a two-plate case (inlet of one plate from a trace, square-wave
   power, constant flows) against the full model run tightly (BDF3, rtol 1e-9): source means and maxima, outlets and
   heats within time.reduced.tolerance at every sample (the heat within tolerance times m cp), and a tighter tolerance
   gives a smaller error; heat = m cp (outlet - inlet) at every sample (1e-9); the energy balance closes (1e-9); the
   steady gain is exact (a constant power settles to the steady state of the full model's steady solve, 1e-9 of the
   rise, and with the plates as the only sinks the coolant carries all of it: outlet - inlet = P / (m cp)); 1 and 2
   ranks agree (1e-9 of the rise, tight solves); -ph_reduced_check reports about the measured error; photherm reduce's
   model is reused for another power and refused for another flow, and -ph_reduced_cache builds one model per flow.
9. The 3D example at 2 mm cells over 200 ms against the full nonlinear model solved tightly (BDF, rtol 1e-6): rings,
   sources and blocks within time.reduced.tolerance and the same lock states, with k(T) by regions (tests/long/examples_window.py does the
   shipped examples over 1 s, `make verify-long`); the basis checked in time on the run's own inputs (the default) is
   smaller than the one checked over every trace (-ph_reduced_any_trace, as photherm reduce builds), both within the tolerance.
10. Rank independence on a shipped example: the 2.5D example at 2 mm cells, 20 ms, 1, 2 and 3 ranks with the linear
   solves at 1e-13: fields and series to 1e-9 of the rise.
11. Micro-channel cavities: the coolant's advection makes A itself non-symmetric, and each cavity's inlet is an input.
   A die over a cavity of ten channels (inlet from a trace, square-wave power, top convection) against the full model
   run tightly (BDF3, rtol 1e-9): source means and maxima, the outlet and the coolant profile within
   time.reduced.tolerance at every sample, the heat within the tolerance times m cp, and a tighter tolerance gives a
   smaller error; heat = m cp (outlet - inlet) at every sample with the inlet of the trace (1e-9); the energy balance
   closes (1e-9). The steady gain is exact: a constant power from a uniform start with the cavity as the only sink
   settles to the full model's steady solve (1e-9 of the rise), and the coolant carries all of it, outlet - inlet =
   P / (m cp) (1e-9). 1, 2 and 3 ranks (the channels split along and across their flow) agree to 1e-9 of the rise
   with the solves at 1e-13 (see cavity_ranks for why it was 1e-7 before). A model of photherm reduce, checked over
   every trace, reused at a tolerance its estimate exceeds is checked again for the run's inputs: within the tolerance
   and at least half the error, no warning (a warning where even that exceeds it). A model of
   photherm reduce is refused for another flow (exit 2), and a flow that changes over time is refused with
   time.method: reduced (exit 2, at the file, line and column of the layer's flow; the full model does not take one
   either).
"""
import os

import h5py
import numpy as np

import phverify

tap = phverify.Tap(__file__)
ZERO_C = phverify.ZERO_C

# ---------------------------------------------------------------------------------------------------------- lumped
KCU, RHO, CP, L, H, A = 400.0, 8960.0, 385.0, 1e-3, 1000.0, 1e-4
LUMPED = f"""version: 1
name: lumped
materials:
  cu: {{k: {KCU} W/m/K, rho: {RHO} kg/m^3, cp: {CP} J/kg/K}}
footprint: {{x: [0, 10 mm], y: [0, 10 mm]}}
grid: {{max_cell_xy: 10 mm}}
stack:
  - {{name: plate, thickness: 1 mm, material: cu, cells: 1}}
boundaries:
  top: {{type: convection, h: {H} W/m^2/K, ambient: 25 C}}
sources:
  - {{name: p, layer: plate, x: [0, 10 mm], y: [0, 10 mm], power: {{pattern: square, period: 4 s, duty: 0.25, high: 2 W, low: 0.5 W}}}}
time: {{end: 20 s, initial: 25 C, method: reduced}}
output: {{series_every: 0.1 s, fields_every: 10 s}}
"""


def square(t, period=4.0, duty=0.25, high=2.0, low=0.5):
    return high if (t % period) < duty * period else low


def lumped(work):
    r = phverify.run(work, "lumped", LUMPED)
    t, tm = r["series/time"], r["sources/t_mean"][:, 0]
    g = A / (L / (2 * KCU) + 1 / H)
    c = RHO * CP * A * L
    theta, exact = 0.0, [0.0]
    for i in range(1, len(t)):
        # the power is held between the pattern's edges, which are sample times here (0, 1, 4, 5, ... s)
        p = square(0.5 * (t[i - 1] + t[i]))
        e = np.exp(-g / c * (t[i] - t[i - 1]))
        theta = theta * e + p / g * (1 - e)
        exact.append(theta)
    exact = np.array(exact) + 25.0
    rise = np.max(exact) - 25.0
    err = np.max(np.abs(tm - exact)) / rise
    tap.check("reduced lumped plate, square-wave power: every sample exact", err <= 1e-9,
              f"largest |T - exact| / rise = {err:.2e} over {len(t)} samples (tolerance 1e-9; rise {rise:.3f} K)")
    tap.check("reduced lumped plate energy balance", r["summary"]["energy_balance_error_max"] <= 1e-9,
              f"energy_balance_error_max {r['summary']['energy_balance_error_max']:.1e} (tolerance 1e-9)")


# ---------------------------------------------------------------------------------------------------------- slab
LAYERS = [("sub", 1.0e-3, 0.5, 1.9e6, 4), ("si", 0.7e-3, 148.0, 1.66e6, 6), ("tim", 0.05e-3, 5.0, 2.0e6, 2), ("cu", 2.0e-3, 390.0, 3.45e6, 5)]
HS = 2e4
SIDE = 1e-3  # one cell of 1 mm x 1 mm laterally


def slab_case(power, tol, end, every):
    mats = "\n".join(f"  m{n}: {{k: {k} W/m/K, rho: {rc / 1000} kg/m^3, cp: 1000 J/kg/K}}" for n, _, k, rc, _ in LAYERS)
    stack = "\n".join(f"  - {{name: {n}, thickness: {t * 1e3} mm, material: m{n}, cells: {c}}}" for n, t, _, _, c in LAYERS)
    return f"""version: 1
name: slab
materials:
{mats}
footprint: {{x: [0, 1 mm], y: [0, 1 mm]}}
grid: {{max_cell_xy: 1 mm}}
stack:
{stack}
boundaries:
  top: {{type: convection, h: {HS} W/m^2/K, ambient: 30 C}}
sources:
  - {{name: s, layer: sub, x: [0, 1 mm], y: [0, 1 mm], power: {power}}}
time: {{end: {end} s, initial: 30 C, method: reduced, reduced: {{tolerance: {tol} K}}}}
output: {{series_every: {every} s, fields_every: {end} s}}
"""


def slab_system():
    """C, A and f (1 W in the bottom layer spread by volume) of the script's own 1D finite-volume model."""
    h, k, rc = [], [], []
    for _, t, kk, r, c in LAYERS:
        h += [t / c] * c
        k += [kk] * c
        rc += [r] * c
    h, k, rc = map(np.array, (h, k, rc))
    n = len(h)
    area = SIDE * SIDE
    C = rc * h * area
    Amat = np.zeros((n, n))
    for i in range(n - 1):
        g = area / (h[i] / (2 * k[i]) + h[i + 1] / (2 * k[i + 1]))
        Amat[i, i] += g
        Amat[i + 1, i + 1] += g
        Amat[i, i + 1] -= g
        Amat[i + 1, i] -= g
    Amat[n - 1, n - 1] += area / (h[n - 1] / (2 * k[n - 1]) + 1 / HS)
    f = np.zeros(n)
    nsub = LAYERS[0][4]
    f[:nsub] = h[:nsub] / np.sum(h[:nsub])
    return C, Amat, f, nsub


def slab_exact(times, power):
    """Source mean and max rise of the exact solution at the sample times, for a power held between samples."""
    C, Amat, f, nsub = slab_system()
    s = 1 / np.sqrt(C)
    lam, Q = np.linalg.eigh(s[:, None] * Amat * s[None, :])
    theta = np.zeros(len(C))
    vol = C[:nsub] / C[:nsub].sum() * 0 + 1.0 / nsub  # equal cells in the source layer
    mean, top = [0.0], [0.0]
    for i in range(1, len(times)):
        p = power(0.5 * (times[i - 1] + times[i]))
        dt = times[i] - times[i - 1]
        y = Q.T @ (theta / s)  # modal coordinates of C^1/2 theta
        b = Q.T @ (s * f * p)
        e = np.exp(-lam * dt)
        y = y * e + b / lam * (1 - e)
        theta = s * (Q @ y)
        mean.append(float(np.sum(vol * theta[:nsub])))
        top.append(float(np.max(theta[:nsub])))
    steady = np.linalg.solve(Amat, f)
    return np.array(mean), np.array(top), steady[:nsub].mean()


def slab(work):
    # a step of 5 W held for 60 s: settles to the steady gain
    r = phverify.run(work, "step", slab_case("0.05 W", 0.01, 60, 0.5))
    t = r["series/time"]
    mean, top, gain = slab_exact(t, lambda _: 0.05)
    tm = r["sources/t_mean"][:, 0] - 30.0
    tx = r["sources/t_max"][:, 0] - 30.0
    err = max(np.max(np.abs(tm - mean)), np.max(np.abs(tx - top)))
    tap.check("reduced slab, step: source mean and max within time.reduced.tolerance at every sample", err <= 0.01,
              f"largest error {err:.2e} K over {len(t)} samples (tolerance 0.01 K); estimate {r['summary']['reduced_error_estimate']:.2e} K, "
              f"basis {r['summary']['reduced_basis']:.0f}")
    rel = abs(tm[-1] - 0.05 * gain) / (0.05 * gain)
    tap.check("reduced slab, step: the steady gain is exact", rel <= 1e-9,
              f"source mean rise at 60 s {tm[-1]:.12f} K, A^-1 f P = {0.05 * gain:.12f} K: relative {rel:.1e} (tolerance 1e-9)")
    tap.check("reduced slab energy balance", r["summary"]["energy_balance_error_max"] <= 1e-9,
              f"energy_balance_error_max {r['summary']['energy_balance_error_max']:.1e} (tolerance 1e-9)")
    # a square wave, with two tolerances
    errs = []
    for tol in (0.2, 0.002):
        r = phverify.run(work, f"square{tol}", slab_case("{pattern: square, period: 2 s, duty: 0.3, high: 0.08 W, low: 0.01 W}", tol, 10, 0.05))
        t = r["series/time"]
        mean, top, _ = slab_exact(t, lambda x: 0.08 if (x % 2.0) < 0.6 else 0.01)
        e = max(np.max(np.abs(r["sources/t_mean"][:, 0] - 30.0 - mean)), np.max(np.abs(r["sources/t_max"][:, 0] - 30.0 - top)))
        errs.append(e)
        tap.check(f"reduced slab, square wave, tolerance {tol} K: every sample within it", e <= tol,
                  f"largest error {e:.2e} K over {len(t)} samples; estimate {r['summary']['reduced_error_estimate']:.2e} K, basis "
                  f"{r['summary']['reduced_basis']:.0f}")
    tap.check("reduced slab: a tighter tolerance gives a smaller error", errs[1] < errs[0], f"errors {errs[0]:.2e} K, {errs[1]:.2e} K")
    # the check mode: the full model beside the reduced one, tightly solved, reports about the error measured above
    r = phverify.run(work, "check", slab_case("{pattern: square, period: 2 s, duty: 0.3, high: 0.08 W, low: 0.01 W}", 0.2, 10, 0.05),
                     ["-ph_reduced_check", "0", "-ts_rtol", "1e-7", "-ts_atol", "1e-7"])
    ce, cw = r["summary"].get("reduced_check_error", -1), r["summary"].get("reduced_check_window", -1)
    tap.check("-ph_reduced_check reports the difference to the full model over the whole run", cw == 10.0 and 0.2 * errs[0] <= ce <= 5 * errs[0] + 1e-4,
              f"reduced_check_error {ce:.2e} K over [0, {cw} s]; error against the exact solution {errs[0]:.2e} K")


def reuse(work):
    """photherm reduce, then runs of other powers with -ph_reduced_model: within the tolerance of the exact answer; a
    model of another mesh is refused with exit 2 and nothing written."""
    case = phverify.write(f"{work}/model.yaml", slab_case("0.05 W", 0.01, 10, 0.05))
    p = phverify.photherm(["reduce", case, "-o", f"{work}/model.h5"], work)
    tap.check("photherm reduce writes a model", p.returncode == 0 and "reduced model:" in p.stdout, f"exit {p.returncode}: {p.stderr.strip()[-300:]}")
    power = "{pattern: square, period: 2 s, duty: 0.3, high: 0.08 W, low: 0.01 W}"
    r = phverify.run(work, "reuse", slab_case(power, 0.01, 10, 0.05), ["-ph_reduced_model", f"{work}/model.h5"])
    t = r["series/time"]
    mean, top, _ = slab_exact(t, lambda x: 0.08 if (x % 2.0) < 0.6 else 0.01)
    e = max(np.max(np.abs(r["sources/t_mean"][:, 0] - 30.0 - mean)), np.max(np.abs(r["sources/t_max"][:, 0] - 30.0 - top)))
    tap.check("a run with other powers reuses the model within its tolerance", e <= 0.01 and r["summary"]["reduced_shifts"] == 0,
              f"largest error {e:.2e} K (tolerance 0.01 K) with the basis of photherm reduce ({r['summary']['reduced_basis']:.0f} vectors, "
              f"{r['summary']['reduced_shifts']:.0f} shifts built here)")
    other = phverify.write(f"{work}/other.yaml", slab_case(power, 0.01, 10, 0.05).replace("cells: 6", "cells: 7"))
    p = phverify.photherm(["run", other, "-o", f"{work}/other.h5", "-ph_reduced_model", f"{work}/model.h5"], work)
    import os
    tap.check("a model of another mesh is refused before anything is written", p.returncode == 2 and "-ph_reduced_model" in p.stderr
              and not os.path.exists(f"{work}/other.h5") and not os.path.exists(f"{work}/other.h5.partial"), f"exit {p.returncode}: {p.stderr.strip()}")


def ranks(work):
    text = slab_case("{pattern: square, period: 2 s, duty: 0.3, high: 0.08 W, low: 0.01 W}", 0.01, 4, 0.05).replace("max_cell_xy: 1 mm", "max_cell_xy: 0.25 mm")
    case = phverify.write(f"{work}/ranks.yaml", text)
    # tight solves: the same model on any partition; at the defaults the shifted solves stop once they have reduced the
    # model's residual by 1e-4, and the multigrid's iterates depend on the partition: within 5% of the tolerance (0.01 K)
    for tight, opts in ((True, ["-ph_reduced_ksp_rtol", "1e-13"]), (False, [])):
        res = []
        for n in (1, 2, 3):
            phverify.must_run(["run", case, "-o", f"{work}/ranks{n}.h5", "-quiet"] + opts, work, nranks=n)
            res.append(phverify.read(f"{work}/ranks{n}.h5"))
        rise = np.max(res[0]["sources/t_max"]) - 30.0
        worst = max(np.max(np.abs(r[k] - res[0][k])) for r in res[1:] for k in ("fields/temperature", "sources/t_max", "sources/t_mean"))
        if tight:
            tap.check("reduced model, solves to 1e-13: 1, 2 and 3 ranks agree", worst <= 1e-9 * rise,
                      f"largest difference {worst / rise:.1e} of the rise (tolerance 1e-9)")
        else:
            tap.check("reduced model at the default solver tolerances: 1, 2 and 3 ranks agree within 5% of the model's tolerance",
                      worst <= 5e-4, f"largest difference {worst:.1e} K (tolerance 5e-4 K)")
    # a condition on a lateral face, which only some ranks own cells of: every rank must take the same inputs
    lat = phverify.write(f"{work}/lateral.yaml", """version: 1
name: lateral
materials:
  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}
footprint: {x: [0, 8 mm], y: [0, 2 mm]}
grid: {max_cell_xy: 250 um}
stack:
  - {name: die, thickness: 0.5 mm, material: si, cells: 2}
boundaries:
  top: {type: convection, h: 1e4 W/m^2/K, ambient: 30 C}
  xmin: {type: convection, h: 1e4 W/m^2/K, ambient: 40 C}
sources:
  - {name: s, layer: die, x: [5 mm, 7 mm], y: [0, 2 mm], power: {pattern: square, period: 20 ms, duty: 0.5, high: 2 W, low: 0.5 W}}
time: {end: 100 ms, method: reduced}
output: {series_every: 5 ms, fields_every: 100 ms}
""")
    res = []
    for n in (1, 2):
        phverify.must_run(["run", lat, "-o", f"{work}/lateral{n}.h5", "-quiet", "-da_processors_x", str(n), "-ph_reduced_ksp_rtol", "1e-13"], work,
                          nranks=n)
        res.append(phverify.read(f"{work}/lateral{n}.h5"))
    rise = np.max(res[0]["sources/t_max"]) - 30.0
    worst = np.max(np.abs(res[1]["fields/temperature"] - res[0]["fields/temperature"])) / rise
    tap.check("reduced model with a condition on a lateral face (xmin, owned by one of 2 ranks), solves to 1e-13: 1 and 2 ranks agree", worst <= 1e-9,
              f"largest field difference {worst:.1e} of the rise (tolerance 1e-9; before, 2 ranks took different inputs and failed)")


def maxima(work):
    case = os.path.join(phverify.ROOT, "cases", "cpo-2p5d.yaml")
    for n in (1, 2):
        out = f"{work}/maxima{n}.h5"
        phverify.must_run(["run", case, "-o", out, "-quiet", "-P", "cell=1mm", "-P", "time.end=30ms", "-P", "optics.metrics_from=0", "-P",
                           "output.series_every=1ms", "-P", "output.fields_every=3ms", "-P", "time.method=reduced"], work, nranks=n)
        with h5py.File(out, "r") as f:
            blocks, ts, tmax = f["mesh/blocks"][()], f["series/time"][()], f["series/blocks/t_max"][()]
            tf, field = f["fields/time"][()], f["fields/temperature"][()]
        worst, count = 0.0, 0
        for s_, t in enumerate(tf):
            i = int(np.argmin(np.abs(ts - t)))
            for b, blk in enumerate(blocks):
                box = field[s_, blk["k0"]:blk["k1"], blk["j0"]:blk["j1"], blk["i0"]:blk["i1"]]
                worst = max(worst, abs(float(np.max(box)) - tmax[i, b]))
                count += 1
        tap.check(f"reduced model maxima on {n} rank{'s' if n > 1 else ''}: t_max of every block equals the largest cell of the field",
                  worst <= 1e-9 and count >= 50, f"largest difference {worst:.1e} K over {count} block snapshots (tolerance 1e-9 K)")


def freeze(work):
    case = os.path.join(phverify.ROOT, "cases", "cpo-2p5d.yaml")
    out = f"{work}/freeze.h5"
    p = phverify.photherm(["run", case, "-o", out, "-quiet", "-P", "cell=2mm", "-P", "time.end=40ms", "-P", "optics.metrics_from=0", "-P",
                           "output.series_every=1ms", "-P", "time.method=reduced", "-ph_reduced_check", "0", "-ph_reduced_k_tiles", "0", "-ph_reduced_k_lag", "0"], work)
    with h5py.File(out, "r") as f:
        a = {k: float(f["summary"].attrs[k]) for k in ("reduced_freeze_error", "reduced_error_estimate", "reduced_check_error")}
    warned = "k(T) is frozen" in p.stderr and "above time.reduced.tolerance" in p.stderr
    tap.check("k(T) frozen: the run warns that the freeze exceeds the tolerance at the highest powers", p.returncode == 0 and warned
              and a["reduced_freeze_error"] > 0.05, f"exit {p.returncode}; reduced_freeze_error {a['reduced_freeze_error']:.3g} K; warned: {warned}")
    tap.check("k(T) frozen: the difference to the full nonlinear model is within the freeze bound plus the basis estimate",
              a["reduced_check_error"] <= a["reduced_freeze_error"] + a["reduced_error_estimate"],
              f"check {a['reduced_check_error']:.3g} K <= freeze {a['reduced_freeze_error']:.3g} K + estimate {a['reduced_error_estimate']:.3g} K")
    with h5py.File(f"{work}/ranks1.h5", "r") as f:
        tap.check("constant k: no freeze error recorded", "reduced_freeze_error" not in f["summary"].attrs, "")


def refreeze(work):
    case = os.path.join(phverify.ROOT, "cases", "cpo-3d.yaml")
    trace = os.path.join(phverify.ROOT, "cases", "traces", "training-60s.csv")
    args = ["-quiet", "-P", "cell=2mm", "-P", "time.end=2.6s", "-P", "optics.metrics_from=0", "-P", "output.series_every=5ms", "-P",
            "time.method=reduced", "-P", "asic_scale=1.2", "-ph_reduced_check", "0", "-info", ":sys"]
    for s in ("asic", "serdes", "eic"):
        args += ["-P", f"sources.{s}.power.trace={trace}"]
    err, said = {}, {}
    runs = {"frozen": ["-ph_reduced_k_tiles", "0", "-ph_reduced_k_lag", "0"], "re-formed": ["-ph_reduced_k_tiles", "0", "-ph_reduced_k_lag", "0.02"],
            "regions": []}
    for name, opts in runs.items():
        out = f"{work}/refreeze-{name}.h5"
        p = phverify.photherm(["run", case, "-o", out] + opts + args, work)
        with h5py.File(out, "r") as f:
            err[name] = float(f["summary"].attrs["reduced_check_error"])
        said[name] = ("re-frozen" in p.stdout + p.stderr, "k(T) by" in p.stdout + p.stderr)
    tap.check("k(T) re-formed during a 3D heat-up: the difference to the full nonlinear model falls below a fifth",
              err["re-formed"] < 0.2 * err["frozen"] and said["re-formed"][0] and not said["frozen"][0],
              f"frozen once {err['frozen']:.3g} K, re-formed {err['re-formed']:.3g} K; -info says it re-formed: {said['re-formed'][0]}")
    tap.check("k(T) by regions (the default) during a 3D heat-up: below a fifth of the frozen difference, without re-forming",
              err["regions"] < 0.2 * err["frozen"] and said["regions"][1] and not said["regions"][0],
              f"frozen once {err['frozen']:.3g} K, by regions {err['regions']:.3g} K; -info says regions {said['regions'][1]}, re-formed {said['regions'][0]}")


# ---------------------------------------------------------------------------------------------------------- cold plates
PLATE_TRACE = """# inlet temperature of the main plate
time [ms],inlet [C]
0,30
40,34
90,28
150,32
"""
M_MAIN, M_SIDE, CP_COOL = 0.1e-3 / 60 * 1000.0, 2e-3, 4000.0  # kg/s (0.1 L/min of rho 1000) and J/kg/K
PLATE_MCP = np.array([M_MAIN * CP_COOL, M_SIDE * CP_COOL])  # W/K, main and side


def coolant_tail(block, power, tol, end, every, initial):
    """The sources, time and output sections of the coolant cases: the source of `block` at `power`, the reduced model
    at `tol` K from `initial` to `end` s, series every `every` s and the fields at the end."""
    return f"""sources:
  - {{name: {block}, block: {block}, power: {power}}}
time: {{end: {end} s, initial: {initial}, method: reduced, reduced: {{tolerance: {tol} K}}}}
output: {{fields_every: {end} s, series_every: {every} s}}
"""


def plate_case(power, tol, end=0.2, every=0.005, bottom=True, inlet="{trace: inlet.csv, column: inlet}", flow="0.1 L/min", initial="steady"):
    return f"""version: 1
name: plates
materials:
  si: {{k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}}
  cu: {{k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}}
  tim: {{k: 4 W/m/K, rho: 2500 kg/m^3, cp: 800 J/kg/K}}
  coolant: {{k: 0.6 W/m/K, rho: 1000 kg/m^3, cp: {CP_COOL} J/kg/K}}
footprint: {{x: [0, 12 mm], y: [0, 10 mm]}}
grid: {{max_cell_xy: 500 um}}
stack:
  - {{name: die, thickness: 300 um, material: si, cells: 2, blocks: [{{name: asic, material: si, x: [2 mm, 7 mm], y: [2 mm, 8 mm]}}]}}
  - {{name: tim, thickness: 50 um, material: tim}}
  - {{name: lid, thickness: 1 mm, material: cu, cells: 2}}
boundaries:
  top:
    - {{type: cold_plate, name: main, coolant: coolant, flow: {flow}, inlet: {inlet}, direction: -x, h: 2e4 W/m^2/K,
       region: {{x: [0, 9 mm], y: [0, 10 mm]}}}}
    - {{type: cold_plate, name: side, coolant: coolant, flow: {M_SIDE} kg/s, inlet: 25 C, direction: +y, h: 5e3 W/m^2/K,
       region: {{x: [9 mm, 12 mm], y: [0, 10 mm]}}}}
{"  bottom: {type: convection, h: 200 W/m^2/K, ambient: 40 C}" if bottom else ""}
{coolant_tail("asic", power, tol, end, every, initial)}"""


SQUARE = "{pattern: square, period: 40 ms, duty: 0.4, high: 60 W, low: 10 W}"
TIGHT = ["-P", "time.method=full", "-ts_type", "bdf", "-ts_bdf_order", "3", "-ts_rtol", "1e-9", "-ts_atol", "1e-10", "-ksp_rtol", "1e-13",
         "-ph_ksp_floor", "0"]
PLATE_KEYS = ("sources/t_mean", "sources/t_max", "coolant/outlet_temperature", "coolant/main/temperature", "coolant/side/temperature")


def coolant_errors(r, ref, keys, mcp):
    """The largest difference between the runs r and ref of the temperatures `keys` (K) and of the coolants' heats over
    their m cp `mcp` (K)."""
    temp = max(np.max(np.abs(r[k] - ref[k])) for k in keys)
    heat = np.max(np.abs(r["coolant/heat"] - ref["coolant/heat"]) / mcp)
    return temp, heat


def plate_errors(r, ref):
    return coolant_errors(r, ref, PLATE_KEYS, PLATE_MCP)


def coolant_tolerances(work, name, case, square, keys, mcp, what, short, at_inlet, tols):
    """The coolant case `case(power, tol)` with the power `square` at the tolerances `tols` (K, loosest first) against
    the full model tightly solved: the temperatures `keys` and the heats over m cp `mcp` within the tolerance at every
    sample (`what` names the case and the quantities), each tighter tolerance giving a smaller error (`short` names the
    case), and at the tightest the estimate at least half the error (the time-domain check of the non-symmetric model
    sees what the coolant carries: without it, at 0.002 K, the plates were 2.2e-3 K and the cavity 7.5e-3 K off, and
    at the tightest tolerances the estimates 10 and 2 600 times below the errors); at_inlet(r, inlet) checks the run at the first tolerance against the inlet of
    PLATE_TRACE at every sample. Returns the errors."""
    files = {"inlet.csv": PLATE_TRACE}
    ref = phverify.run(work, f"{name}_full", case(square, 0.05), TIGHT, files=files)
    errs = []
    for tol in tols:
        r = phverify.run(work, f"{name}{tol}", case(square, tol), files=files)
        temp, heat = coolant_errors(r, ref, keys, mcp)
        errs.append(max(temp, heat))
        tap.check(f"{what[0]}, tolerance {tol} K: {what[1]} within it at every sample",
                  temp <= tol and heat <= tol,
                  f"largest temperature error {temp:.2e} K, heat error {heat:.2e} K x m cp, over {len(r['series/time'])} samples; "
                  f"estimate {r['summary']['reduced_error_estimate']:.2e} K, basis {r['summary']['reduced_basis']:.0f}")
        if tol == tols[0]:
            t = r["series/time"]
            rows = np.array([[0, 30], [40, 34], [90, 28], [150, 32]], dtype=float)
            at_inlet(r, rows[np.searchsorted(rows[:, 0] * 1e-3, t + 1e-12, side="right") - 1, 1])
    tap.check(f"{short}: each tighter tolerance gives a smaller error", all(b < a for a, b in zip(errs, errs[1:])),
              "errors " + ", ".join(f"{e:.2e}" for e in errs) + " K")
    est = r["summary"]["reduced_error_estimate"]
    tap.check(f"{short}, tolerance {tols[-1]} K: the estimate is at least half the error", est >= 0.5 * errs[-1],
              f"estimate {est:.2e} K, error {errs[-1]:.2e} K")
    return errs


def coolant_settles(work, name, text, key, what):
    """The reduced run of `text` (a constant power from a uniform 30 C) settles to the steady solve of the same case:
    the source's mean and maximum and `key` at the end, to 1e-9 of the rise (`what` names the check). Returns the run."""
    r = phverify.run(work, f"{name}_settle", text)
    s = phverify.run(work, f"{name}_steady", text.replace("time: {", "time: {mode: steady, ").replace(", method: reduced", ""))
    rise = s["sources/t_max"][0, 0] - 30.0
    d = max(abs(r["sources/t_mean"][-1, 0] - s["sources/t_mean"][0, 0]), abs(r["sources/t_max"][-1, 0] - s["sources/t_max"][0, 0]),
            np.max(np.abs(r[key][-1] - s[key][0])))
    tap.close(what, d / rise, 1e-9, "largest difference / rise")
    return r


def coolant_ranks(work, name, text, keys, layout, base, what):
    """The coolant case `text` on the ranks of `layout` (ranks: their options), solves to 1e-13: the fields and `keys`
    equal to those of the first to 1e-9 of the rise of the source maximum above `base` C (`what` names the check)."""
    phverify.write(f"{work}/inlet.csv", PLATE_TRACE)
    case = phverify.write(f"{work}/{name}_ranks.yaml", text)
    res = []
    for n, opts in layout.items():
        phverify.must_run(["run", case, "-o", f"{work}/{name}_ranks{n}.h5", "-quiet", "-ksp_rtol", "1e-13", "-ph_reduced_ksp_rtol", "1e-13"] + opts,
                          work, nranks=n)
        res.append(phverify.read(f"{work}/{name}_ranks{n}.h5"))
    rise = np.max(res[0]["sources/t_max"]) - base
    d = max(np.max(np.abs(r[k] - res[0][k])) for r in res[1:] for k in ("fields/temperature",) + keys)
    tap.close(what, d / rise, 1e-9, "largest difference / rise")


def cold_plate(work):
    def at_inlet(r, inlet):
        heat, outlet = r["coolant/heat"], r["coolant/outlet_temperature"]
        want = np.stack([M_MAIN * CP_COOL * (outlet[:, 0] - inlet), M_SIDE * CP_COOL * (outlet[:, 1] - 25.0)], axis=1)
        tap.close("reduced cold plates: heat = m cp (outlet - inlet) at every sample", np.max(np.abs(heat - want)) / np.max(np.abs(heat)), 1e-9)
        tap.close("reduced cold plates: energy balance with the coolant's heat", np.max(r["series/energy_error"]), 1e-9, "largest energy_error")

    files = {"inlet.csv": PLATE_TRACE}
    errs = coolant_tolerances(work, "plates", plate_case, SQUARE, PLATE_KEYS, PLATE_MCP,
                              ("reduced model with cold plates", "sources, outlets, profiles and heats"), "reduced cold plates", at_inlet,
                              (0.05, 0.01, 0.002))
    # the check mode: the full model beside it, tightly solved
    r = phverify.run(work, "plates_check", plate_case(SQUARE, 0.05), ["-ph_reduced_check", "0"] + TIGHT[2:], files=files)
    ce = r["summary"].get("reduced_check_error", -1)
    tap.check("reduced cold plates: -ph_reduced_check reports about the measured error", 0.2 * errs[0] <= ce <= 5 * errs[0],
              f"reduced_check_error {ce:.2e} K; error against the tight full run {errs[0]:.2e} K")


def cold_plate_steady(work):
    """A constant power from a uniform start settles exactly to the full model's steady state; with the plates as the only
    sinks all the power leaves with the coolants."""
    text = plate_case("25 W", 0.05, end=60, every=1, bottom=False, inlet="30 C", initial="30 C")
    r = coolant_settles(work, "plates", text, "coolant/outlet_temperature",
                        "reduced cold plates: the steady gain is exact (source mean and max, outlets after 60 s against the steady solve)")
    total = r["coolant/heat"][-1].sum()
    rises = r["coolant/outlet_temperature"][-1] - np.array([30.0, 25.0])
    q = r["coolant/heat"][-1]
    tap.close("reduced cold plates, steady: the coolants carry all 25 W, outlet - inlet = Q / (m cp)",
              max(abs(total - 25.0) / 25.0, np.max(np.abs(rises - q / PLATE_MCP) / rises.max())), 1e-9,
              f"heat {q[0]:.6f} + {q[1]:.6f} W, outlet rises {rises[0]:.6f} and {rises[1]:.6f} K; relative difference")


def cold_plate_ranks(work):
    coolant_ranks(work, "plates", plate_case(SQUARE, 0.01), PLATE_KEYS, {1: [], 2: []}, 25.0,
                  "reduced cold plates: 1 and 2 ranks agree (fields, sources, outlets, profiles)")


def cold_plate_reuse(work):
    """photherm reduce with cold plates: reused for another power within the tolerance, refused for another flow; the
    cache keeps one model per flow."""
    phverify.write(f"{work}/inlet.csv", PLATE_TRACE)
    case = phverify.write(f"{work}/plates_model.yaml", plate_case("60 W", 0.01))
    p = phverify.photherm(["reduce", case, "-o", f"{work}/plates_model.h5"], work)
    tap.check("photherm reduce with cold plates writes a model", p.returncode == 0, f"exit {p.returncode}: {p.stderr.strip()[-300:]}")
    ref = phverify.run(work, "plates_reuse_full", plate_case(SQUARE, 0.01), TIGHT, files={"inlet.csv": PLATE_TRACE})
    r = phverify.run(work, "plates_reuse", plate_case(SQUARE, 0.01), ["-ph_reduced_model", f"{work}/plates_model.h5"])
    temp, heat = plate_errors(r, ref)
    tap.check("a cold-plate run with another power reuses the model within its tolerance", max(temp, heat) <= 0.01 and r["summary"]["reduced_shifts"] == 0,
              f"largest error {max(temp, heat):.2e} K (tolerance 0.01 K), {r['summary']['reduced_shifts']:.0f} shifts built here")
    other = phverify.write(f"{work}/plates_other.yaml", plate_case(SQUARE, 0.01, flow="0.2 L/min"))
    p = phverify.photherm(["run", other, "-o", f"{work}/plates_other.h5", "-ph_reduced_model", f"{work}/plates_model.h5"], work)
    tap.check("a model built for another coolant flow is refused before anything is written",
              p.returncode == 2 and "cold plate's flow" in p.stderr and not os.path.exists(f"{work}/plates_other.h5"), f"exit {p.returncode}: {p.stderr.strip()}")
    cache = f"{work}/plates_cache"
    for name, path in (("a", case), ("b", other), ("c", case)):
        phverify.must_run(["run", path, "-o", f"{work}/plates_cache_{name}.h5", "-quiet", "-ph_reduced_cache", cache], work)
    models = sorted(f for f in os.listdir(cache) if f.endswith(".h5"))
    with h5py.File(f"{work}/plates_cache_c.h5", "r") as f:
        shifts = float(f["summary"].attrs["reduced_shifts"])
    tap.check("-ph_reduced_cache keeps one model per coolant flow and reuses it", len(models) == 2 and shifts == 0,
              f"{len(models)} models for two flows; the third run built {shifts:.0f} shifts")
# ---------------------------------------------------------------------------------------------------------- micro-channels
M_CAV, CP_CAV = 2e-6 / 60 * 1000.0, 4000.0  # kg/s (2 mL/min of rho 1000) and J/kg/K


def cavity_case(power, tol, end=0.2, every=0.005, top=True, inlet="{trace: inlet.csv, column: inlet}", flow="2 mL/min", initial="steady",
                geometry="channel_width: 100 um, pitch: 200 um"):
    return f"""version: 1
name: cavity
materials:
  si: {{k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}}
  water: {{k: 0.6 W/m/K, rho: 1000 kg/m^3, cp: {CP_CAV} J/kg/K}}
footprint: {{x: [0, 4 mm], y: [0, 2 mm]}}
grid: {{max_cell_xy: 250 um}}
stack:
  - {{name: base, thickness: 200 um, material: si}}
  - {{name: cavity, type: microchannel, thickness: 100 um, material: si, {geometry},
     coolant: water, flow: {flow}, inlet: {inlet}, direction: -x}}
  - {{name: die, thickness: 100 um, material: si, cells: 2, blocks: [{{name: hot, material: si, x: [0.5 mm, 2 mm], y: [0.5 mm, 1.5 mm]}}]}}
{"boundaries: {top: {type: convection, h: 1e3 W/m^2/K, ambient: 40 C}}" if top else ""}
{coolant_tail("hot", power, tol, end, every, initial)}"""


CAVITY_SQUARE = "{pattern: square, period: 40 ms, duty: 0.4, high: 3 W, low: 0.5 W}"
CAVITY_KEYS = ("sources/t_mean", "sources/t_max", "coolant/outlet_temperature", "coolant/cavity/temperature")


def cavity(work):
    def at_inlet(r, inlet):
        heat, outlet = r["coolant/heat"][:, 0], r["coolant/outlet_temperature"][:, 0]
        tap.check("reduced micro-channels: the profile starts at the inlet of the trace at every sample",
                  np.max(np.abs(r["coolant/cavity/temperature"][:, 0] - inlet)) <= 1e-9, "largest |profile[0] - inlet|")
        want = M_CAV * CP_CAV * (outlet - inlet)
        tap.close("reduced micro-channels: heat = m cp (outlet - inlet) at every sample", np.max(np.abs(heat - want)) / np.max(np.abs(heat)), 1e-9)
        tap.close("reduced micro-channels: energy balance with the coolant's heat", np.max(r["series/energy_error"]), 1e-9, "largest energy_error")

    coolant_tolerances(work, "cavity", cavity_case, CAVITY_SQUARE, CAVITY_KEYS, M_CAV * CP_CAV,
                       ("reduced model with a micro-channel cavity", "sources, outlet, profile and heat"), "reduced micro-channels", at_inlet,
                       (0.05, 0.01, 0.002, 0.0002))


def cavity_reuse(work):
    """A model for reuse is checked over every trace its inputs could follow; reused where that estimate is above the
    run's tolerance (here a model built at 0.01 K, run at 0.002 K), it is checked again for the run's own inputs, as a
    model built for the run is: the summary gives that estimate, smaller, within the tolerance and above half the
    error against the full model tightly solved, and no warning. Where even that is above the tolerance (1e-4 K), a
    warning says so."""
    files = {"inlet.csv": PLATE_TRACE}
    ref = phverify.run(work, "cavity_reuse_full", cavity_case(CAVITY_SQUARE, 0.05), TIGHT, files=files)
    case = phverify.write(f"{work}/cavity_reuse.yaml", cavity_case(CAVITY_SQUARE, 0.01))
    model = f"{work}/cavity_reuse_model.h5"
    phverify.must_run(["reduce", case, "-o", model], work)
    with h5py.File(model, "r") as f:
        info = f["reduced/info"][...]
    stored = info[3]
    for tol, within in ((0.002, True), (1e-4, False)):
        path = phverify.write(f"{work}/cavity_reuse{tol}.yaml", cavity_case(CAVITY_SQUARE, tol))
        p = phverify.must_run(["run", path, "-o", f"{work}/cavity_reuse{tol}.h5", "-quiet", "-ph_reduced_model", model], work)
        r = phverify.read(f"{work}/cavity_reuse{tol}.h5")
        est, err = r["summary"]["reduced_error_estimate"], max(np.max(np.abs(r[k] - ref[k])) for k in CAVITY_KEYS)
        warned = f"above time.reduced.tolerance {tol:g} K, for this run's inputs" in p.stderr
        detail = f"estimate over every trace {stored:.2e} K (in the file, {len(info)} entries), for the run's inputs {est:.2e} K, error {err:.2e} K; warned {warned}"
        if within:
            tap.check(f"reduced micro-channels: a model for reuse whose estimate over every trace is above the run's tolerance ({tol} K) is checked "
                      "for the run's inputs: smaller, within the tolerance, at least half the error, no warning",
                      len(info) == 8 and stored > tol and est < stored and err <= est * 2 and est <= tol and err <= tol and not warned, detail)
        else:
            tap.check(f"reduced micro-channels: a reused model above the run's tolerance ({tol} K) even for the run's inputs says so in a warning",
                      est > tol and warned, detail)


def cavity_kt(work, model="4rm", geometry="channel_width: 100 um, pitch: 200 um"):
    """The cavity with k(T) silicon (the coolant the only sink, so that no k(T) cell is on a boundary; the source's
    maximum rises 35 K, k by 14%; samples every 5 ms across power steps of 6x): k(T) follows the field by regions, the
    walls' (4rm) or the strips' and tiers' (2rm) exchange with the coolant included, and the source within the 0.05 K
    tolerance of the full nonlinear model tightly solved. Re-forming the operator (an independent way,
    -ph_reduced_k_tiles 0) and k frozen once do worse: the regions' ds are taken at both ends of each interval, a
    re-formed operator is held over it. The coolant's profile keeps the error it has with constant k (tests/README.md)."""
    text = cavity_case(CAVITY_SQUARE, 0.05, top=False, geometry=geometry).replace("cp: 712 J/kg/K}", "cp: 712 J/kg/K, k_exponent: -1.3}")
    files = {"inlet.csv": PLATE_TRACE}
    ref = phverify.run(work, f"cavity_kt_{model}_full", text, TIGHT, files=files)
    case = phverify.write(f"{work}/cavity_kt_{model}.yaml", text)
    err, src, said = {}, {}, ""
    for name, opts in {"regions": ["-info", ":sys"], "re-formed": ["-ph_reduced_k_tiles", "0"], "frozen": ["-ph_reduced_k_tiles", "0", "-ph_reduced_k_lag", "0"]}.items():
        p = phverify.must_run(["run", case, "-o", f"{work}/cavity_kt_{model}_{name}.h5", "-quiet"] + opts, work)
        said += p.stdout + p.stderr if name == "regions" else ""
        r = phverify.read(f"{work}/cavity_kt_{model}_{name}.h5")
        err[name] = max(np.max(np.abs(r[k] - ref[k])) for k in CAVITY_KEYS)
        src[name] = max(np.max(np.abs(r[k] - ref[k])) for k in ("sources/t_mean", "sources/t_max"))
    tap.check(f"reduced micro-channels ({model}) with k(T) silicon: by regions (not re-formed), the source within 0.05 K, below re-forming and 0.4 of k frozen",
              "k(T) by" in said and "re-formed at" not in said and src["regions"] <= 0.05 and err["regions"] <= err["re-formed"]
              and err["regions"] <= 0.4 * err["frozen"],
              f"largest errors of the source: regions {src['regions']:.3f} K, re-formed {src['re-formed']:.3f} K, frozen {src['frozen']:.3f} K; "
              f"with the outlet and profile: {err['regions']:.3f}, {err['re-formed']:.3f}, {err['frozen']:.3f} K; "
              f"regions said {'k(T) by' in said}, re-formed said {'re-formed at' in said}")


def cavity_steady(work):
    """A constant power from a uniform start settles exactly to the full model's steady state; with the cavity as the
    only sink all the power leaves with the coolant."""
    text = cavity_case("2 W", 0.05, end=10, every=0.5, top=False, inlet="30 C", initial="30 C")
    r = coolant_settles(work, "cavity", text, "coolant/cavity/temperature",
                        "reduced micro-channels: the steady gain is exact (source mean and max, coolant profile after 10 s against the steady solve)")
    q, rise_out = r["coolant/heat"][-1, 0], r["coolant/outlet_temperature"][-1, 0] - 30.0
    tap.close("reduced micro-channels, steady: the coolant carries all 2 W, outlet - inlet = P / (m cp)",
              max(abs(q - 2.0) / 2.0, abs(rise_out - 2.0 / (M_CAV * CP_CAV)) / rise_out), 1e-9,
              f"heat {q:.9f} W, outlet rise {rise_out:.9f} K against {2.0 / (M_CAV * CP_CAV):.9f} K; relative difference")


def cavity_ranks(work):
    layout = {1: [], 2: ["-da_processors_x", "2"], 3: ["-da_processors_y", "3"]}  # 2 ranks split the channels along their flow, 3 across them
    # Agreeing to 1e-9 of the rise above the coldest inlet (28 C). Before, 1e-7: the initial steady field went into the basis before the steady responses, so the ambient's and the
    # inlet's responses came out of the full model's solve, and every basis solve stopped at 1e-13 of its input, so a
    # vector whose new part is 1e-7 of it (this case has two) took the solves' partition-dependent error amplified 1e7 times.
    coolant_ranks(work, "cavity", cavity_case(CAVITY_SQUARE, 0.01), CAVITY_KEYS, layout, 28.0,
                  "reduced micro-channels: 1, 2 and 3 ranks (the channels split along and across their flow) agree (fields, sources, outlet, profile)")


def cavity_refusals(work):
    """A model of another flow, and a flow that changes over time, are refused with exit 2; a build whose shifts run out
    says so."""
    phverify.write(f"{work}/inlet.csv", PLATE_TRACE)
    case = phverify.write(f"{work}/cavity_model.yaml", cavity_case("2 W", 0.01))
    phverify.must_run(["reduce", case, "-o", f"{work}/cavity_model.h5"], work)
    other = phverify.write(f"{work}/cavity_other.yaml", cavity_case(CAVITY_SQUARE, 0.01, flow="3 mL/min"))
    p = phverify.photherm(["run", other, "-o", f"{work}/cavity_other.h5", "-ph_reduced_model", f"{work}/cavity_model.h5"], work)
    tap.check("a reduced model built for another micro-channel flow is refused before anything is written",
              p.returncode == 2 and "micro-channel layer's flow" in p.stderr and not os.path.exists(f"{work}/cavity_other.h5"),
              f"exit {p.returncode}: {p.stderr.strip()[-300:]}")
    # shifts that run out before the estimate meets the tolerance: said in a warning, the estimate kept in the summary
    p = phverify.photherm(["run", case, "-o", f"{work}/cavity_short.h5", "-P", "time.reduced.tolerance=1e-13 K", "-ph_reduced_any_trace"], work)
    est = phverify.read(f"{work}/cavity_short.h5")["summary"]["reduced_error_estimate"] if p.returncode == 0 else -1
    tap.check("a reduced model whose shifts run out before its estimate meets the tolerance says so in a warning",
              p.returncode == 0 and "above time.reduced.tolerance 1e-13 K" in p.stderr and est > 1e-13,
              f"exit {p.returncode}, estimate {est:.2e} K: {p.stderr.strip()[-300:]}")
    text = cavity_case("2 W", 0.01, flow="{pattern: sine, period: 1 s, mean: 2 mL/min, amplitude: 1 mL/min}")
    path = phverify.write(f"{work}/cavity_varying.yaml", text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "flow: {pattern" in l)
    col = text.splitlines()[line - 1].index("{pattern") + 1
    p = phverify.photherm(["run", path, "-o", f"{work}/cavity_varying.h5"], work)
    tap.check("a micro-channel flow that changes over time is refused with time.method: reduced (exit 2, file:line:col and key, must be constant)",
              p.returncode == 2 and f"cavity_varying.yaml:{line}:{col}: stack[1].flow:" in p.stderr and "must be constant" in p.stderr
              and not os.path.exists(f"{work}/cavity_varying.h5"), f"exit {p.returncode}: {p.stderr.strip()[-400:]}")


def example(work):
    case = os.path.join(phverify.ROOT, "cases", "cpo-3d.yaml")
    common = ["-quiet", "-P", "cell=2mm", "-P", "time.end=200ms"]
    full, res = f"{work}/ex_full.h5", {}
    phverify.must_run(["run", case, "-o", full, "-ts_type", "bdf", "-ts_rtol", "1e-6", "-ts_atol", "1e-5"] + common, work)
    variants = {"default": [], "re-formed": ["-ph_reduced_k_tiles", "0"], "any trace": ["-ph_reduced_any_trace"]}
    for lag, opts in variants.items():
        out = f"{work}/ex_reduced{lag.replace(' ', '')}.h5"
        phverify.must_run(["run", case, "-o", out, "-P", "time.method=reduced"] + opts + common, work)
        res[lag] = phverify.compare_reduced(full, out, phverify.reduced_tolerance(out))
        worst = {k: max((r["max"] for r in res[lag]["rows"] if r["kind"] == k and r["unit"] == "K"), default=0.0) for k in ("rings", "lasers", "sources")}
        res[lag]["detail"] = ", ".join(f"{k} {v:.3g} K" for k, v in worst.items())
        res[lag]["basis"] = phverify.read(out)["summary"]["reduced_basis"]
    r = res["default"]
    temps = [f for f in r["failures"] if "samples differ" not in f and "summary" not in f and "margin" not in f]
    tap.check("3D example, 2 mm, 200 ms: rings, lasers and sources within time.reduced.tolerance of a tight full run (k(T) by regions, the default)",
              not temps, f"largest differences {r['detail']} (tolerance 0.05 K); " + "; ".join(temps))
    states = [f for f in r["failures"] if f not in temps]
    tap.check("3D example, 2 mm, 200 ms: the same lock states, relocks, lines up, margins and link metrics; heater powers within drift/efficiency",
              not states, "; ".join(states) or "all equal")
    # the basis checked in time on the run's own inputs (the default) against every trace the inputs could follow
    # (-ph_reduced_any_trace, what photherm reduce and -ph_reduced_cache build for other runs): smaller, and within the tolerance
    a = res["any trace"]
    atemps = [f for f in a["failures"] if "samples differ" not in f and "summary" not in f and "margin" not in f]
    tap.check("3D example, 2 mm, 200 ms: checked on the run's own inputs the basis is smaller than over every trace; both within the tolerance",
              r["basis"] < a["basis"] and not temps and not atemps,
              f"basis {r['basis']:.0f} (own inputs: {r['detail']}) against {a['basis']:.0f} (every trace: {a['detail']}); " + "; ".join(atemps))
    d = res["re-formed"]
    tap.note(f"k(T) re-formed instead (-ph_reduced_k_tiles 0, the lag derived from the freeze bound): largest differences {d['detail']}; "
             + ("; ".join(d["failures"]) if d["failures"] else "within the tolerance") + " (tests/README.md)")


def cold_plate_regions(work):
    """The 2.5D example under the liquid study's cold plate (its operator is not symmetric): k(T) follows the field by
    regions, not by re-forming, and rings, lasers and sources stay within the tolerance of a tight full run."""
    case = os.path.join(phverify.ROOT, "cases", "cpo-2p5d.yaml")
    common = ["-quiet", "-P", "cell=2mm", "-P", "time.end=200ms", "-P", "optics.metrics_from=0", "-P", "asic_scale=1.2", "-P",
              "boundaries.top={type: cold_plate, name: plate, coolant: water, flow: 0.5 L/min, inlet: 35 C, direction: +x, h: 2e4 W/m^2/K}"]
    full, out = f"{work}/plate_kt_full.h5", f"{work}/plate_kt_reduced.h5"
    phverify.must_run(["run", case, "-o", full, "-ts_type", "bdf", "-ts_rtol", "1e-6", "-ts_atol", "1e-5"] + common, work)
    p = phverify.photherm(["run", case, "-o", out, "-P", "time.method=reduced", "-info", ":sys"] + common, work)
    said = p.stdout + p.stderr
    regions, reformed = "k(T) by" in said, "re-formed at" in said
    r = phverify.compare_reduced(full, out, phverify.reduced_tolerance(out))
    temps = [f for f in r["failures"] if "samples differ" not in f and "summary" not in f and "margin" not in f]
    worst = {k: max((w["max"] for w in r["rows"] if w["kind"] == k and w["unit"] == "K"), default=0.0) for k in ("rings", "lasers", "sources")}
    tap.check("2.5D example under a cold plate, 2 mm, 200 ms: k(T) by regions (not re-formed); rings, lasers and sources within the tolerance of a tight full run",
              p.returncode == 0 and regions and not reformed and not temps,
              f"exit {p.returncode}; regions {regions}, re-formed {reformed}; largest differences "
              + ", ".join(f"{k} {v:.3g} K" for k, v in worst.items()) + "; " + "; ".join(temps))


def ranks_example(work):
    case = os.path.join(phverify.ROOT, "cases", "cpo-2p5d.yaml")
    res = []
    for n in (1, 2, 3):
        out = f"{work}/exranks{n}.h5"
        phverify.must_run(["run", case, "-o", out, "-quiet", "-P", "cell=2mm", "-P", "time.end=20ms", "-P", "optics.metrics_from=0", "-P", "time.method=reduced",
                           "-ksp_rtol", "1e-13", "-ph_reduced_ksp_rtol", "1e-13"], work, nranks=n)
        with h5py.File(out, "r") as f:
            res.append({k: f[k][()] for k in ("fields/temperature", "series/sources/t_mean", "series/sources/t_max", "series/blocks/t_mean", "series/blocks/t_max",
                                               "series/rings/temperature", "series/rings/heater_power", "series/links/tuning_power")})
    rise = np.max(res[0]["series/sources/t_max"]) - 35.0  # above the cold plate's coolant
    worst, where = 0.0, ""
    for n, r in zip((2, 3), res[1:]):
        for k in r:
            d = float(np.max(np.abs(r[k] - res[0][k]))) / (rise if "power" not in k else 1.0)
            if d > worst:
                worst, where = d, f"{k} on {n} ranks"
    tap.check("reduced model, 2.5D example on 1, 2 and 3 ranks: fields and series agree", worst <= 1e-9,
              f"largest difference {worst:.1e} of the rise ({rise:.1f} K; mW for powers), {where} (tolerance 1e-9)")


def main():
    work = phverify.workdir("reduced")
    tap.guard("reduced lumped plate", lumped, work)
    tap.guard("reduced slab", slab, work)
    tap.guard("reduced model reuse", reuse, work)
    tap.guard("reduced ranks", ranks, work)
    tap.guard("reduced maxima", maxima, work)
    tap.guard("reduced k(T) freeze", freeze, work)
    tap.guard("reduced k(T) re-formed", refreeze, work)
    tap.guard("reduced cold plates", cold_plate, work)
    tap.guard("reduced cold plates steady", cold_plate_steady, work)
    tap.guard("reduced cold plates ranks", cold_plate_ranks, work)
    tap.guard("reduced cold plates reuse", cold_plate_reuse, work)
    tap.guard("reduced cold plates with k(T) by regions", cold_plate_regions, work)
    tap.guard("reduced micro-channels", cavity, work)
    tap.guard("reduced micro-channels reuse", cavity_reuse, work)
    tap.guard("reduced micro-channels with k(T)", cavity_kt, work)
    tap.guard("reduced porous micro-channels with k(T)", cavity_kt, work, "2rm", "model: 2rm, cell: 250 um, channel_width: 100 um, pitch: 200 um")
    tap.guard("reduced micro-channels steady", cavity_steady, work)
    tap.guard("reduced micro-channels ranks", cavity_ranks, work)
    tap.guard("reduced micro-channels refusals", cavity_refusals, work)
    tap.guard("reduced 3D example against the full model", example, work)
    tap.guard("reduced 2.5D example ranks", ranks_example, work)
    tap.finish()


if __name__ == "__main__":
    main()

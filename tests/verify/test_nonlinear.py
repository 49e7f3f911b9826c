#!/usr/bin/python3
"""The nonlinear parts of the thermal model: k(T) (cases/README.md section 8), leakage and thermal runaway (section
12.4; exit status 1), each against an answer this script computes itself.

1. k(T) steady 1D slab. A uniform flux q enters the bottom face, the top face is held at a temperature (or convects),
   the sides are adiabatic; k(T) = k (T / 300 K)^n. With the Kirchhoff transform U(T) = integral of k(T) dT every
   plane carries q, so U(T(z)) = U(T_top) + q (z_top - z) and
   T(z) = 300 K [ (T_top/300)^(n+1) + q (z_top - z) (n+1) / (300 k) ]^(1/(n+1)).
   The cell-centred scheme of the thermal model evaluates k at the cell temperatures in the half-cell series resistances, so in 1D
   it is a trapezoid rule for the integral of q/k(T) dz: its error is O(h^2). The script solves those discrete
   equations itself (marching down from the top face, one scalar root per cell), checks that photherm reproduces
   them to the solver tolerance, that the error against the exact profile falls with order ~2, and that at the
   finest grid it is no larger than the scheme's own discretisation error. Also for a k(T) layer under a constant-k
   layer with a convective top (U continuous across the interface, T_surface = T_amb + q/h).
2. Leakage steady, lumped: one copper cell (10 x 10 x 1 mm, Biot 2.5e-3) convecting from its top. With one cell the
   discrete model is one node: G (T - T_amb) = P0 + p_ref exp(beta (T - t_ref)), G = A / (L/(2k) + 1/h). The
   script finds the lower (stable) root by bisection; photherm must match it to 1e-9 relative and report the power
   P0 + leakage(T). Two cases sit near the fold (p_ref at 0.8 and 0.9 of the critical value beyond which no fixed
   point exists), where Picard contracts only by 0.47 and 0.61 per iteration and needs 27 and 39 iterations.
   A third case checks the volume weighting of T_mean over a source that covers cells of unequal height, against
   the script's own solution of the 1D finite-volume equations.
3. Leakage transient, lumped: C dT/dt = P0 + p_ref exp(beta (T - t_ref)) - G (T - T_amb) from T_amb, integrated
   by RK4 with 60000 steps. Backward Euler with local error control settles at dt^2/2 |T''| = eps per step
   (eps = atol + rtol |T - T_ref|, the integrator's state being the rise above T_ref, thermal_ts.c), so its
   global error obeys e' = J e + sqrt(eps |T''| / 2) with J = (beta leak(T) - G) / C and T'' = J T'; the
   script integrates that bound along the reference solution and uses it, sample by sample, as the tolerance.
   From `initial: steady` the run must stay on the fixed point of check 2 to 1e-9.
4. Runaway (README.md, Thermal model): steady cases with no fixed point, with a fixed point Picard would need 116 iterations to reach
   (more than the 50 allowed) and with a fixed point above 1000 K; transients whose leakage passes 100 p_ref or
   whose temperature passes 1000 K. Each must exit 1 with one `photherm: error:` line and leave no OUT but an
   OUT.partial; a transient's message must name a time inside the window the exact ODE gives (its crossing time,
   minus the integrator's time uncertainty there, plus one step of at most series_every), and an OUT.h5 (and .xmf)
   of an earlier good run under the same name must keep its bytes. On 2 ranks (a 2 x 2 x 1 mesh, under a timeout):
   the same single line, up to the digits of the leakage iterate it quotes.
5. k(T) transient: the slab of check 1 (16 cells) heated from its top temperature settles, after some 39 slowest time
   constants, on the script's steady discrete k(T) solution and so on the Kirchhoff profile within the scheme's own
   discretisation error. The transient's linear solves stop at 1e-6 of a step's heat (thermal_ts.c, -ph_ksp_floor),
   so a settled state may keep a steady residual of that size: the tolerance is ||J^-1||_inf 1e-6 q A, J the
   Jacobian of the discrete equations; with -ph_ksp_floor 0 it must reach the steady solution to 1e-8. Energy balance:
   1e-6 (README.md, Numerics) plus, with the floor, the sqrt(N) 1e-6 that step residuals of 1e-6 of the heat can explain.
"""
import hashlib
import math
import os
import re

import numpy as np

import phverify

tap = phverify.Tap(__file__)

ZERO_C = phverify.ZERO_C

# ----------------------------------------------------------------------------------------------------------------
# scalar tools


def root(f, lo, hi=None):
    """The root of an increasing-through-zero f on [lo, hi] (hi found by doubling when not given), by bisection to
    the last bit."""
    flo = f(lo)
    if flo > 0:
        raise ValueError(f"no sign change: f({lo}) = {flo} > 0")
    if hi is None:
        step = 1.0
        hi = lo + step
        while f(hi) <= 0:
            step *= 2
            hi = lo + step
            if step > 1e6:
                raise ValueError("no sign change found")
    elif f(hi) <= 0:
        raise ValueError(f"no sign change on [{lo}, {hi}]")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if f(mid) <= 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def raw(work, name, yaml_text, args=(), nranks=1, out=None, timeout=60):
    """Write name.yaml and run photherm on it (under mpirun for nranks > 1); returns (process, output path)."""
    case = os.path.join(work, name + ".yaml")
    phverify.write(case, yaml_text)
    out = out or os.path.join(work, name + ".h5")
    p = phverify.photherm(["run", case, "-o", out, "-quiet"] + list(args), cwd=work, nranks=nranks, timeout=timeout)
    return p, out


# ----------------------------------------------------------------------------------------------------------------
# 1. k(T) steady slab

Q_SLAB = 5e6            # W/m^2 into the bottom face
T_TOP = 40.0 + ZERO_C   # K, fixed top temperature of the single layer
SI = (148.0, -1.3)      # k at 300 K, k_exponent
RHO_SI, CP_SI = 2330.0, 712.0
# bottom to top: (name, thickness, k at 300 K, exponent)
SINGLE = {"layers": [("si", 2e-3, SI[0], SI[1])], "top": ("temperature", T_TOP)}
MULTI = {"layers": [("si", 1.5e-3, SI[0], SI[1]), ("ox", 0.5e-3, 50.0, 0.0)], "top": ("convection", 2e5, T_TOP)}
GRIDS = [4, 8, 16, 32, 64]
TOL_SCHEME = 1e-8       # of the rise: photherm against the script's solution of the same discrete equations


def k_of(k0, n, T):
    return k0 * (T / 300.0) ** n


def below(Tu, k0, n, dz, q):
    """Exact temperature dz below a plane at Tu in a layer of k(T) = k0 (T/300)^n carrying the flux q upward."""
    if n == 0:
        return Tu + q * dz / k0
    a = n + 1.0
    if abs(a) < 1e-12:
        return Tu * math.exp(q * dz / (300.0 * k0))
    base = (Tu / 300.0) ** a + q * dz * a / (300.0 * k0)
    assert base > 0, "the Kirchhoff transform leaves its range"
    return 300.0 * base ** (1.0 / a)


def surface(top, q):
    return top[1] if top[0] == "temperature" else top[2] + q / top[1]


def kirchhoff(spec, q, z):
    """Exact T [K] at heights z [m]."""
    layers = spec["layers"]
    bounds = np.cumsum([0.0] + [t for _, t, _, _ in layers])
    out = np.empty(len(z))
    for j, zz in enumerate(z):
        T = surface(spec["top"], q)
        for i in range(len(layers) - 1, -1, -1):   # down from the top face
            _, _, k0, n = layers[i]
            lo, hi = bounds[i], bounds[i + 1]
            if zz >= lo:
                T = below(T, k0, n, hi - zz, q)
                break
            T = below(T, k0, n, hi - lo, q)
        out[j] = T
    return out


def fv_cells(spec, cells):
    """Per-cell heights, k0 and exponent, bottom to top, for `cells` equal cells per layer."""
    h, k0, n = [], [], []
    for _, t, kk, nn in spec["layers"]:
        h += [t / cells] * cells
        k0 += [kk] * cells
        n += [nn] * cells
    return np.array(h), np.array(k0), np.array(n)


def fv_discrete(spec, q, cells):
    """The script's own solution of the 1D finite-volume equations of README.md, Thermal model, with k at the cell temperatures:
    every face carries q, so march down from the top face solving one scalar equation per cell."""
    h, k0, n = fv_cells(spec, cells)
    N = len(h)
    T = np.empty(N)
    top = spec["top"]
    extra = 0.0 if top[0] == "temperature" else 1.0 / top[1]
    Tb = top[1] if top[0] == "temperature" else top[2]
    T[N - 1] = root(lambda t: t - Tb - q * (0.5 * h[N - 1] / k_of(k0[N - 1], n[N - 1], t) + extra), Tb)
    for i in range(N - 2, -1, -1):
        c = q * 0.5 * h[i + 1] / k_of(k0[i + 1], n[i + 1], T[i + 1])
        T[i] = root(lambda t: t - T[i + 1] - c - q * 0.5 * h[i] / k_of(k0[i], n[i], t), T[i + 1])
    zc = np.cumsum(h) - 0.5 * h
    return zc, T


def fv_residual(spec, q, cells, area, T):
    """Steady residual (W per cell) of the 1D finite-volume equations at T: out - in."""
    h, k0, n = fv_cells(spec, cells)
    k = k_of(k0, n, T)
    r = np.zeros(len(T))
    r[0] -= q * area
    g = area / (0.5 * h[:-1] / k[:-1] + 0.5 * h[1:] / k[1:])
    flow = g * (T[:-1] - T[1:])
    r[:-1] += flow
    r[1:] -= flow
    top = spec["top"]
    if top[0] == "temperature":
        r[-1] += area / (0.5 * h[-1] / k[-1]) * (T[-1] - top[1])
    else:
        r[-1] += area / (0.5 * h[-1] / k[-1] + 1.0 / top[1]) * (T[-1] - top[2])
    return r


def slab_yaml(spec, cells, time_block="time: {mode: steady}\n", extra=""):
    mats, stack = [], []
    for name, t, k0, n in spec["layers"]:
        kexp = f", k_exponent: {n}" if n != 0 else ""
        mats.append(f"  {name}: {{k: {k0} W/m/K, rho: {RHO_SI} kg/m^3, cp: {CP_SI} J/kg/K{kexp}}}")
        stack.append(f"  - {{name: {name}, thickness: {t * 1e3!r} mm, material: {name}, cells: {cells}}}")
    top = spec["top"]
    if top[0] == "temperature":
        topbc = f"{{type: temperature, value: {top[1]!r} K}}"
    else:
        topbc = f"{{type: convection, h: {top[1]} W/m^2/K, ambient: {top[2]!r} K}}"
    return ("version: 1\nname: kslab\nmaterials:\n" + "\n".join(mats) + "\n"
            + "footprint: {x: [0, 1 mm], y: [0, 1 mm]}\ngrid: {max_cell_xy: 1 mm}\nstack:\n" + "\n".join(stack) + "\n"
            + f"boundaries:\n  top: {topbc}\n  bottom: {{type: flux, value: {Q_SLAB} W/m^2}}\n" + time_block + extra)


def column(r):
    """The temperature column [K] of a 1 x 1 x nz result at its last snapshot, and the cell centres."""
    T = r["fields/temperature"][-1]
    assert T.shape[1] == 1 and T.shape[2] == 1, f"expected one cell laterally, got {T.shape}"
    return phverify.centres(r["mesh/z"]), T[:, 0, 0] + ZERO_C


def ksteady(work, label, spec):
    rise = kirchhoff(spec, Q_SLAB, np.array([0.0]))[0] - surface(spec["top"], Q_SLAB)
    Tmin = surface(spec["top"], Q_SLAB)
    print(f"# k(T) slab {label}: exact rise across the solid {rise:.6f} K above the surface at {Tmin - ZERO_C:.3f} C; "
          f"k from {k_of(SI[0], SI[1], Tmin):.2f} to {k_of(SI[0], SI[1], Tmin + rise):.2f} W/m/K in the silicon")
    errs, own, scheme, energy = [], [], [], []
    for cells in GRIDS:
        r = phverify.run(work, f"ks_{label}_{cells}", slab_yaml(spec, cells))
        zc, T = column(r)
        zf, Tf = fv_discrete(spec, Q_SLAB, cells)
        assert np.allclose(zc, zf, rtol=0, atol=1e-12), "cell centres differ from the script's grid"
        Tex = kirchhoff(spec, Q_SLAB, zc)
        errs.append(np.max(np.abs(T - Tex)) / rise)
        own.append(np.max(np.abs(Tf - Tex)) / rise)
        scheme.append(np.max(np.abs(T - Tf)) / rise)
        energy.append(float(np.max(r["series/energy_error"])))
        print(f"#   {len(zc):3d} cells ({cells} per layer): max |T - Kirchhoff| / rise = {errs[-1]:.4e} (the scheme's own error, solved by this "
              f"script: {own[-1]:.4e}); |T - script's FV solution| / rise = {scheme[-1]:.2e}; energy error {energy[-1]:.1e}")
    orders = [math.log2(errs[i] / errs[i + 1]) for i in range(len(errs) - 1)]
    tap.check(f"k(T) slab {label} reproduces the FV scheme", max(scheme) <= TOL_SCHEME,
                f"max |T - script's solution of the discrete k(T) equations| / rise = {max(scheme):.2e} over {len(GRIDS)} grids "
                f"(tolerance {TOL_SCHEME:.0e}: Picard to 1e-9, linear solves to 1e-10)")
    tap.check(f"k(T) slab {label} second-order convergence", all(e1 < e0 for e0, e1 in zip(errs, errs[1:]))
                and 1.8 <= orders[-1] <= 2.2 and 1.8 <= orders[-2] <= 2.2,
                "observed orders " + ", ".join(f"{o:.3f}" for o in orders) + " (cells " + ", ".join(map(str, GRIDS))
                + " per layer; the last two must be in [1.8, 2.2])")
    tol = own[-1] + TOL_SCHEME
    tap.check(f"k(T) slab {label} finest grid vs Kirchhoff", errs[-1] <= tol,
                f"max |T - T_exact| / rise = {errs[-1]:.4e} at {GRIDS[-1]} cells per layer (tolerance {tol:.4e}: the "
                f"discretisation error of the finite-volume scheme on this grid plus {TOL_SCHEME:.0e})")
    tap.check(f"k(T) slab {label} steady energy balance", max(energy) <= 1e-6,
                f"largest /series/energy_error {max(energy):.1e} (tolerance 1e-06, the solver tolerance)")


# ----------------------------------------------------------------------------------------------------------------
# 2.-4. the lumped copper cell

K_CU, RHO_CU, CP_CU = 400.0, 8960.0, 385.0
L_CU, H_CU, AREA = 1e-3, 1000.0, 1e-4
T_AMB = 25.0 + ZERO_C
G_CU = AREA / (L_CU / (2 * K_CU) + 1 / H_CU)
C_CU = RHO_CU * CP_CU * AREA * L_CU
T_REF_LEAK = 85.0 + ZERO_C
BETA_FOLD = 0.05
P0 = 2.0


def critical_pref(P0_, beta, t_ref):
    """p_ref at the fold: G (T - T_amb) = P0 + leak and G = beta leak at T_f = T_amb + P0/G + 1/beta."""
    Tf = T_AMB + P0_ / G_CU + 1.0 / beta
    return (G_CU / beta) * math.exp(-beta * (Tf - t_ref))


def fixed_point(P0_, pref, t_ref, beta):
    """Lower root of g(T) = G (T - T_amb) - P0 - leak(T); None when there is none (g is concave, largest at the fold)."""
    g = lambda T: G_CU * (T - T_AMB) - P0_ - pref * math.exp(beta * (T - t_ref))
    Tf = T_AMB + P0_ / G_CU + (1.0 / beta if beta > 0 else 1e6)
    if g(Tf) <= 0:
        return None
    return root(g, T_AMB, Tf)


def picard_count(P0_, pref, t_ref, beta, limit=1000):
    """Iterations the Picard map T <- T_amb + (P0 + leak(T))/G needs from T_amb to a change of 1e-9 of the rise."""
    T = T_AMB
    for it in range(1, limit + 1):
        Tn = T_AMB + (P0_ + pref * math.exp(min(beta * (T - t_ref), 700))) / G_CU
        if abs(Tn - T) <= 1e-9 * max(Tn - T_AMB, 1e-3):
            return it
        T = Tn
    return None


def lumped_yaml(power, pref, t_ref, beta, time_block="time: {mode: steady}\n", cell="10 mm"):
    return f"""version: 1
name: leak
materials:
  cu: {{k: {K_CU} W/m/K, rho: {RHO_CU} kg/m^3, cp: {CP_CU} J/kg/K}}
footprint: {{x: [0, 10 mm], y: [0, 10 mm]}}
grid: {{max_cell_xy: {cell}}}
stack:
  - {{name: plate, thickness: {L_CU * 1e3} mm, material: cu, cells: 1}}
boundaries:
  top: {{type: convection, h: {H_CU} W/m^2/K, ambient: {T_AMB!r} K}}
sources:
  - {{name: chip, layer: plate, x: [0, 10 mm], y: [0, 10 mm], power: {power!r} W, leakage: {{p_ref: {pref!r} W, t_ref: {t_ref!r} K, beta: {beta!r} 1/K}}}}
""" + time_block


def leak_steady(work, label, P0_, pref, t_ref, beta):
    Tstar = fixed_point(P0_, pref, t_ref, beta)
    assert Tstar is not None, "the case has no fixed point"
    leak = pref * math.exp(beta * (Tstar - t_ref))
    rate = beta * leak / G_CU
    n_picard = picard_count(P0_, pref, t_ref, beta)
    p, out = raw(work, "ls_" + re.sub(r"[^a-z0-9]+", "_", label), lumped_yaml(P0_, pref, t_ref, beta), args=["-ksp_converged_reason"])
    if p.returncode != 0:
        raise phverify.RunError(f"photherm exited {p.returncode}: {p.stderr.strip()[-800:]}")
    solves = len(re.findall(r"Linear solve converged", p.stdout + p.stderr))
    r = phverify.read(out)
    T = float(r["fields/temperature"].ravel()[0]) + ZERO_C
    Tm = float(r["sources/t_mean"][0, 0]) + ZERO_C
    P = float(r["sources/power"][0, 0])
    rise = Tstar - T_AMB
    print(f"# leakage steady {label}: T* = {Tstar - ZERO_C:.9f} C (rise {rise:.4f} K), leakage {leak:.6f} W, Picard "
          f"contraction beta leak / G = {rate:.3f}, Picard from T_amb needs {n_picard} iterations (photherm made {solves} "
          f"linear solves); photherm {T - ZERO_C:.9f} C, |dT| / rise = {abs(T - Tstar) / rise:.2e}")
    err = max(abs(T - Tstar), abs(Tm - Tstar)) / Tstar
    tap.check(f"leakage steady {label} temperature", err <= 1e-9,
                f"|T - T*| / T* = {err:.2e} (field and /series/sources/t_mean; T* the root of G (T - T_amb) = P0 + "
                f"p_ref exp(beta (T - t_ref)); tolerance 1e-09)")
    Pex = P0_ + leak
    # the power at a temperature within the 1e-9 tolerance of T*: |dP| <= beta leak 1e-9 T*
    ptol = (beta * leak * 1e-9 * Tstar) / Pex + 1e-12
    tap.check(f"leakage steady {label} power", abs(P - Pex) / Pex <= ptol,
                f"/series/sources/power {P:.10f} W vs P0 + leakage(T*) = {Pex:.10f} W: relative {abs(P - Pex) / Pex:.2e} "
                f"(tolerance {ptol:.1e}: the temperature tolerance 1e-9 T* through beta leak / P)")
    Pself = P0_ + pref * math.exp(beta * (Tm - t_ref))
    tap.check(f"leakage steady {label} power at its own t_mean", abs(P - Pself) / Pself <= 1e-12,
                f"|power - (P0 + leakage(t_mean))| / power = {abs(P - Pself) / Pself:.1e} (tolerance 1e-12)")
    return solves


# volume weighting: bottom to top (name, thickness, k, cells); the source covers z in [0, 0.8 mm]: 3 + 1 cells
VW_LAYERS = [("die", 0.3e-3, 30.0, 3), ("spreader", 1.0e-3, 20.0, 2)]
VW_H = 5000.0
VW_SRC_TOP = 0.8e-3


def leak_volume_weighted(work):
    P0_, pref, beta = 1.0, 2.0, 0.03
    mats = "\n".join(f"  {n}: {{k: {k} W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}}" for n, _, k, _ in VW_LAYERS)
    stack = "\n".join(f"  - {{name: {n}, thickness: {t * 1e3!r} mm, material: {n}, cells: {c}}}" for n, t, _, c in VW_LAYERS)
    text = f"""version: 1
name: vw
materials:
{mats}
footprint: {{x: [0, 10 mm], y: [0, 10 mm]}}
grid: {{max_cell_xy: 10 mm}}
stack:
{stack}
boundaries:
  top: {{type: convection, h: {VW_H} W/m^2/K, ambient: {T_AMB!r} K}}
sources:
  - {{name: chip, box: {{x: [0, 10 mm], y: [0, 10 mm], z: [0, {VW_SRC_TOP * 1e3!r} mm]}}, power: {P0_} W, leakage: {{p_ref: {pref} W, t_ref: {T_REF_LEAK!r} K, beta: {beta} 1/K}}}}
time: {{mode: steady}}
"""
    r = phverify.run(work, "vw", text)
    # the script's own 1D finite-volume model: conductances of the thermal model, the source spread by volume over its cells
    h = np.concatenate([[t / c] * c for _, t, _, c in VW_LAYERS])
    k = np.concatenate([[kk] * c for _, _, kk, c in VW_LAYERS])
    N = len(h)
    zc = np.cumsum(h) - 0.5 * h
    A = np.zeros((N, N))
    for i in range(N - 1):
        g = AREA / (0.5 * h[i] / k[i] + 0.5 * h[i + 1] / k[i + 1])
        A[i, i] += g
        A[i + 1, i + 1] += g
        A[i, i + 1] -= g
        A[i + 1, i] -= g
    A[-1, -1] += AREA / (0.5 * h[-1] / k[-1] + 1.0 / VW_H)
    insrc = zc < VW_SRC_TOP
    vol = h * AREA
    share = np.where(insrc, vol / vol[insrc].sum(), 0.0)
    w = np.linalg.solve(A, share)                    # K per W of source power
    m = float(np.dot(vol[insrc], w[insrc]) / vol[insrc].sum())   # mean rise per W
    Pstar = root(lambda P: P - P0_ - pref * math.exp(beta * (T_AMB + P * m - T_REF_LEAK)), P0_,
                 (1.0 / (beta * m)))       # below the fold P m = 1/beta
    Tex = T_AMB + Pstar * w
    T = r["fields/temperature"][0][:, 0, 0] + ZERO_C
    zph = phverify.centres(r["mesh/z"])
    assert np.allclose(zph, zc, rtol=0, atol=1e-12), f"mesh z centres {zph} differ from the script's {zc}"
    rise = Tex.max() - T_AMB
    err = np.max(np.abs(T - Tex)) / rise
    arith = T[insrc].mean()
    tbar = float(np.dot(vol[insrc], T[insrc]) / vol[insrc].sum())
    print(f"# volume weighting: source over cells of {', '.join(f'{x * 1e6:.0f}' for x in h[insrc])} um; volume-weighted "
          f"mean {tbar - ZERO_C:.6f} C, arithmetic mean {arith - ZERO_C:.6f} C; leakage {Pstar - P0_:.6f} W")
    tap.check("leakage volume-weighted mean: field", err <= 1e-8,
                f"max |T - script's FV solution with the leakage fixed point| / rise = {err:.2e} (tolerance 1e-08)")
    tm = float(r["sources/t_mean"][0, 0]) + ZERO_C
    tap.check("leakage volume-weighted mean: t_mean", abs(tm - tbar) <= 1e-9 * rise,
                f"/series/sources/t_mean - volume-weighted mean of the field = {tm - tbar:.2e} K (tolerance 1e-9 of the "
                f"rise; the arithmetic mean differs by {arith - tbar:.3e} K)")
    P = float(r["sources/power"][0, 0])
    Pf = P0_ + pref * math.exp(beta * (tbar - T_REF_LEAK))
    tap.check("leakage volume-weighted mean: power", abs(P - Pf) / Pf <= 1e-9 and abs(P - Pstar) / Pstar <= 1e-9,
                f"/series/sources/power {P:.10f} W; P0 + leakage(volume-weighted mean of the field) {Pf:.10f} W "
                f"(relative {abs(P - Pf) / Pf:.1e}), the script's fixed point {Pstar:.10f} W (relative "
                f"{abs(P - Pstar) / Pstar:.1e}); tolerance 1e-09")


# ---- 3. transient

TR_END, TR_SAMPLE = 30.0, 0.5
RK_STEPS = 60000


def ode_rhs(P0_, pref, t_ref, beta):
    f = lambda T: (P0_ + pref * math.exp(beta * (T - t_ref)) - G_CU * (T - T_AMB)) / C_CU
    J = lambda T: (beta * pref * math.exp(beta * (T - t_ref)) - G_CU) / C_CU
    return f, J


def rk4(f, T0, end, steps):
    h = end / steps
    T = np.empty(steps + 1)
    T[0] = T0
    y = T0
    for i in range(steps):
        k1 = f(y)
        k2 = f(y + 0.5 * h * k1)
        k3 = f(y + 0.5 * h * k2)
        k4 = f(y + h * k3)
        y += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        T[i + 1] = y
    return np.linspace(0.0, end, steps + 1), T


def be_bound(t, T, f, J, atol, rtol, t_ref_state):
    """Global error bound of backward Euler with local error eps per step along the reference solution."""
    e = np.zeros(len(t))
    h = t[1] - t[0]
    for i in range(1, len(t)):
        y = T[i - 1]
        eps = atol + rtol * abs(y - t_ref_state)
        e[i] = e[i - 1] + h * (J(y) * e[i - 1] + math.sqrt(eps * abs(J(y) * f(y)) / 2))
    return e


def leak_transient(work):
    pref = 0.8 * critical_pref(P0, BETA_FOLD, T_REF_LEAK)
    f, J = ode_rhs(P0, pref, T_REF_LEAK, BETA_FOLD)
    t, T = rk4(f, T_AMB, TR_END, RK_STEPS)
    _, T2 = rk4(f, T_AMB, TR_END, RK_STEPS // 2)
    print(f"# leakage transient: p_ref = {pref:.6f} W (0.8 of critical), RK4 with {RK_STEPS} steps; halving the steps "
          f"changes it by {np.max(np.abs(T2 - T[::2])):.1e} K; T(end) = {T[-1] - ZERO_C:.6f} C")
    block = (f"time: {{end: {TR_END} s, dt: 10 ms, dt_max: {TR_END} s, initial: \"{T_AMB!r} K\"}}\n"
             f"output: {{series_every: {TR_SAMPLE} s, fields_every: 10 s}}\n")
    text = lumped_yaml(P0, pref, T_REF_LEAK, BETA_FOLD, block)
    errs = {}
    for name, atol, rtol in (("tight", 1e-6, 1e-7), ("tighter", 1e-8, 1e-9)):
        # the bound assumes each step's equations solved exactly: solve them well below the integrator's tolerance
        # (the default linear and nonlinear floor, 1e-6 of a step's heat, is meant for the default tolerances)
        r = phverify.run(work, f"lt_{name}", text, args=["-ts_atol", str(atol), "-ts_rtol", str(rtol), "-ph_ksp_floor", "1e-12"])
        ts = r["series/time"]
        idx = np.rint(ts / (TR_END / RK_STEPS)).astype(int)
        assert np.allclose(t[idx], ts, rtol=0, atol=1e-9), "samples are not on the reference grid"
        Tm = r["sources/t_mean"][:, 0] + ZERO_C
        err = np.abs(Tm - T[idx])
        bound = be_bound(t, T, f, J, atol, rtol, T_AMB)[idx]
        ratio = np.max(np.where(bound > 0, err / np.where(bound > 0, bound, 1), 0.0))
        worst = int(np.argmax(err))
        errs[name] = err.max()
        rise = T[-1] - T_AMB
        print(f"# {name}: {int(r['summary']['steps'])} steps, largest error {err.max():.3e} K ({err.max() / rise:.1e} of the "
              f"rise) at t = {ts[worst]:g} s, where the bound is {bound[worst]:.3e} K")
        tap.check(f"leakage transient {name} (-ts_atol {atol:g} -ts_rtol {rtol:g})",
                    ratio <= 1.0 and err[0] <= 1e-12,
                    f"largest |T - RK4| / backward-Euler bound over {len(ts)} samples = {ratio:.3f} (tolerance 1; "
                    f"max error {err.max():.3e} K, bound there {bound[worst]:.3e} K)")
        P = r["sources/power"][:, 0]
        Pex = P0 + pref * np.exp(BETA_FOLD * (Tm - T_REF_LEAK))
        perr = np.max(np.abs(P - Pex) / Pex)
        tap.check(f"leakage transient {name} power", perr <= 1e-9,
                    f"max |power - (P0 + leakage(t_mean))| / power = {perr:.1e} over the samples (tolerance 1e-09)")
        ee = float(np.max(r["series/energy_error"]))
        tap.check(f"leakage transient {name} energy balance", ee <= 1e-6,
                    f"largest /series/energy_error {ee:.1e} (tolerance 1e-06, the solver tolerance)")
    # from the steady state the transient must stay on the fixed point of check 2
    Tstar = fixed_point(P0, pref, T_REF_LEAK, BETA_FOLD)
    r = phverify.run(work, "lt_steady", text.replace(f'initial: "{T_AMB!r} K"', "initial: steady"))
    Tm = r["sources/t_mean"][:, 0] + ZERO_C
    dev = np.max(np.abs(Tm - Tstar)) / Tstar
    tap.check("leakage transient from initial: steady stays at T*", dev <= 1e-9,
                f"max |t_mean - T*| / T* over {len(Tm)} samples = {dev:.1e} (tolerance 1e-09)")
    a, b = errs["tight"], errs["tighter"]
    tap.check("leakage transient first-order convergence", 5 <= a / b <= 20,
                f"error ratio for 100x smaller local tolerances {a / b:.2f} (backward Euler: sqrt(100) = 10; accepted 5 to 20)")


# ---- 4. runaway

ERR_LINE = re.compile(r"^photherm: error: ")


def error_lines(stderr):
    return [ln for ln in stderr.splitlines() if "photherm: error" in ln]


def check_failed_run(name, p, out, pattern, extra="", alone=True):
    """exit 1, exactly one photherm error line, no OUT, an OUT.partial. With `alone` (one rank, no mpirun) stderr holds
    nothing else; under mpirun only mpirun's own banner may follow, never a PETSc trace."""
    lines = error_lines(p.stderr)
    others = [ln for ln in p.stderr.splitlines() if ln.strip() and "photherm: error" not in ln]
    petsc = others if alone else [ln for ln in others if "PETSC ERROR" in ln or ln.startswith(("photherm", "["))]
    msg = lines[0] if lines else "(none)"
    ok = (p.returncode == 1 and len(lines) == 1 and ERR_LINE.match(lines[0]) is not None and re.search(pattern, lines[0], re.I)
          is not None and not petsc)
    tap.check(f"{name}: exit 1 and one error line", ok,
                f"exit {p.returncode}, {len(lines)} 'photherm: error' line(s), {len(petsc)} other line(s) from photherm/PETSc: {msg!r}"
                f"{extra}")
    partial = os.path.exists(out + ".partial")
    tap.check(f"{name}: no OUT, OUT.partial left", not os.path.exists(out) and partial,
                f"{os.path.basename(out)} exists: {os.path.exists(out)}, .partial exists: {partial}")
    return lines, others


def parse_time(line):
    m = re.search(r"\bt = ([-+0-9.eE]+) s\b", line)
    return float(m.group(1)) if m else None


def crossing(f, T0, Tx, h=1e-4, limit=1e4):
    """Time at which the RK4 solution of T' = f(T) from T0 reaches Tx (linear interpolation inside the step)."""
    t, y = 0.0, T0
    while t < limit:
        k1 = f(y)
        k2 = f(y + 0.5 * h * k1)
        k3 = f(y + 0.5 * h * k2)
        k4 = f(y + h * k3)
        yn = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        if yn >= Tx:
            return t + h * (Tx - y) / (yn - y)
        t, y = t + h, yn
    return None


def window(f, J, Tx, atol, rtol, h=1e-4):
    """The crossing time t* of Tx and the time-uncertainty of backward Euler there: its error bound / T'(t*)."""
    t, y, e = 0.0, T_AMB, 0.0
    while True:
        eps = atol + rtol * abs(y - T_AMB)
        e += h * (J(y) * e + math.sqrt(eps * abs(J(y) * f(y)) / 2))
        k1 = f(y)
        k2 = f(y + 0.5 * h * k1)
        k3 = f(y + 0.5 * h * k2)
        k4 = f(y + h * k3)
        yn = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        if yn >= Tx:
            ts = t + h * (Tx - y) / (yn - y)
            return ts, e / f(Tx)
        t, y = t + h, yn


def runaway_steady(work):
    pc = critical_pref(P0, BETA_FOLD, T_REF_LEAK)
    pref = 1.5 * pc
    assert fixed_point(P0, pref, T_REF_LEAK, BETA_FOLD) is None
    Tf = T_AMB + P0 / G_CU + 1 / BETA_FOLD
    gap = G_CU * (Tf - T_AMB) - P0 - pref * math.exp(BETA_FOLD * (Tf - T_REF_LEAK))
    print(f"# runaway steady: p_ref = 1.5 x critical ({pref:.4f} W): max over T of G (T - T_amb) - P0 - leak(T) = {gap:.3f} W < 0, "
          f"no fixed point")
    p, out = raw(work, "rs", lumped_yaml(P0, pref, T_REF_LEAK, BETA_FOLD))
    check_failed_run("runaway steady, no fixed point", p, out, r"runaway|converge")
    # a fixed point exists but Picard contracts by 0.87 only: far more than 50 iterations (README.md, Thermal model)
    pref = 0.99 * pc
    Tstar = fixed_point(P0, pref, T_REF_LEAK, BETA_FOLD)
    n = picard_count(P0, pref, T_REF_LEAK, BETA_FOLD)
    rate = BETA_FOLD * pref * math.exp(BETA_FOLD * (Tstar - T_REF_LEAK)) / G_CU
    print(f"# runaway steady, slow Picard: p_ref = 0.99 x critical, fixed point {Tstar - ZERO_C:.4f} C, contraction {rate:.3f}; "
          f"Picard from T_amb needs {n} iterations to a change of 1e-9 of the rise (limit 50)")
    p, out = raw(work, "rs50", lumped_yaml(P0, pref, T_REF_LEAK, BETA_FOLD))
    check_failed_run("runaway steady, Picard beyond 50 iterations", p, out, r"converge|runaway")
    # 69 W on G = 0.1 W/K hold the sink at 988 K, below the bound T_amb + P / (h A) > 1000 K that check refuses (a
    # steady state no solve can reach); 2 W of leakage at beta 0.001 1/K lift the fixed point above 1000 K
    hot = fixed_point(69.0, 2.0, T_REF_LEAK, 0.001)
    print(f"# runaway steady, hot: 69 W on G = {G_CU:.4f} W/K with 2 W leakage at beta 0.001 1/K: fixed point {hot:.1f} K")
    p, out = raw(work, "rshot", lumped_yaml(69.0, 2.0, T_REF_LEAK, 0.001))
    check_failed_run("runaway steady, temperature above 1000 K", p, out, r"runaway.*1000 K")


RUN_SAMPLE = 0.05
RUN_TOL = ("1e-6", "1e-7")


def runaway_cases():
    """(label, yaml, threshold temperature [K], f, J, pattern) of the two transient runaways."""
    pref = 1.5 * critical_pref(P0, BETA_FOLD, T_REF_LEAK)
    block = (f"time: {{end: 60 s, dt: 10 ms, dt_max: 60 s, initial: \"{T_AMB!r} K\"}}\n"
             f"output: {{series_every: {RUN_SAMPLE} s, fields_every: 10 s}}\n")
    leak_case = ("leakage above 100 p_ref", lumped_yaml(P0, pref, T_REF_LEAK, BETA_FOLD, block),
                 T_REF_LEAK + math.log(100.0) / BETA_FOLD) + ode_rhs(P0, pref, T_REF_LEAK, BETA_FOLD) + (r"runaway.*leakage|leakage.*100",)
    hot = (100.0, 0.1, 0.001)   # P0 100 W on G = 0.1 W/K: steady far above 1000 K; leakage stays below 0.2 W
    hot_case = ("temperature above 1000 K", lumped_yaml(hot[0], hot[1], T_REF_LEAK, hot[2], block), 1000.0) \
        + ode_rhs(hot[0], hot[1], T_REF_LEAK, hot[2]) + (r"runaway.*1000 K|1000 K.*runaway",)
    return [leak_case, hot_case]


def runaway_transient(work):
    for i, (label, text, Tx, f, J, pattern) in enumerate(runaway_cases()):
        tstar, dt_int = window(f, J, Tx, float(RUN_TOL[0]), float(RUN_TOL[1]))
        lo, hi = tstar - dt_int, tstar + RUN_SAMPLE + dt_int
        name = f"OUT{i}"
        out = os.path.join(work, name + ".h5")
        # an earlier good run under the same name: a short stable transient
        good = lumped_yaml(P0, 0.5, T_REF_LEAK, 0.02, "time: {end: 1 s, initial: \"25 C\"}\n")
        p, _ = raw(work, f"good{i}", good, out=out)
        assert p.returncode == 0, f"the good run failed: {p.stderr.strip()[-500:]}"
        before = {x: sha256(x) for x in (out, os.path.join(work, name + ".xmf")) if os.path.exists(x)}
        p, _ = raw(work, f"rt{i}", text, args=["-ts_atol", RUN_TOL[0], "-ts_rtol", RUN_TOL[1]], out=out)
        lines = error_lines(p.stderr)
        tr = parse_time(lines[0]) if lines else None
        print(f"# runaway transient, {label}: the exact ODE reaches {Tx:.2f} K at t* = {tstar:.5f} s; backward-Euler time "
              f"uncertainty there {dt_int:.1e} s; photherm: {lines[0] if lines else '(no error line)'}")
        others = [ln for ln in p.stderr.splitlines() if ln.strip() and "photherm: error" not in ln]
        tap.check(f"runaway transient, {label}: exit 1 and one error line",
                    p.returncode == 1 and len(lines) == 1 and ERR_LINE.match(lines[0]) is not None
                    and re.search(pattern, lines[0], re.I) is not None and not others,
                    f"exit {p.returncode}, {len(lines)} error line(s), {len(others)} other stderr line(s)")
        tap.check(f"runaway transient, {label}: the message names the time", tr is not None and lo <= tr <= hi,
                    f"t = {tr} s in the message; expected in [{lo:.5f}, {hi:.5f}] s (t* = {tstar:.5f} s from RK4, minus the "
                    f"integration uncertainty, plus one step of at most series_every = {RUN_SAMPLE} s)")
        after = {x: sha256(x) if os.path.exists(x) else None for x in before}
        tap.check(f"runaway transient, {label}: an existing OUT keeps its bytes", before and before == after
                    and os.path.exists(out + ".partial"),
                    f"{', '.join(os.path.basename(x) for x in before)} sha256 unchanged: {before == after}; "
                    f"{name}.h5.partial exists: {os.path.exists(out + '.partial')}")
        try:
            import h5py
            with h5py.File(out + ".partial", "r") as h:
                st = h["series/time"][()] if "series/time" in h else []
                ft = h["fields/time"][()] if "fields/time" in h else []
            print(f"# {name}.h5.partial opens in h5py; /series/time holds {len(st)} samples"
                  + (f" up to {st[-1]:g} s" if len(st) else "") + f", /fields/time {len(ft)} snapshots"
                  + (f" up to {ft[-1]:g} s" if len(ft) else ""))
        except Exception as e:  # noqa: BLE001 - a note only: nothing promises a readable partial file
            print(f"# {name}.h5.partial does not open in h5py ({type(e).__name__}: {str(e)[:120]})")


def runaway_ranks(work):
    """The 2 x 2 x 1 version of the steady and the leakage transient runaways on 1 and 2 ranks."""
    pc = critical_pref(P0, BETA_FOLD, T_REF_LEAK)
    label, text, Tx, f, J, pattern = runaway_cases()[0]
    cases = [("steady", lumped_yaml(P0, 1.5 * pc, T_REF_LEAK, BETA_FOLD, cell="5 mm"), r"runaway|converge", []),
             ("transient", text.replace("max_cell_xy: 10 mm", "max_cell_xy: 5 mm"), pattern,
              ["-ts_atol", RUN_TOL[0], "-ts_rtol", RUN_TOL[1]])]
    tstar, dt_int = window(f, J, Tx, float(RUN_TOL[0]), float(RUN_TOL[1]))
    for name, yaml_text, pat, args in cases:
        msgs = {}
        for n in (1, 2):
            try:
                p, out = raw(work, f"mr_{name}_{n}", yaml_text, args=args, nranks=n, timeout=40)
            except Exception as e:  # noqa: BLE001 - a timeout is a hang
                tap.check(f"runaway {name} on {n} rank(s): no hang", False, f"{type(e).__name__}: {e}")
                continue
            lines, others = check_failed_run(f"runaway {name} on {n} rank(s)", p, out, pat, alone=(n == 1))
            if n > 1:
                print(f"# {n} ranks: {len(others)} further stderr line(s), mpirun's own banner about the non-zero exit")
            msgs[n] = lines[0] if lines else None
        if msgs.get(1) and msgs.get(2):
            num = r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"
            mask = lambda s: re.sub(num, "#", s)
            n1 = [float(x) for x in re.findall(num, msgs[1])]
            n2 = [float(x) for x in re.findall(num, msgs[2])]
            rel = max((abs(a - b) / max(abs(a), abs(b), 1e-300) for a, b in zip(n1, n2)), default=0.0)
            t1, t2 = parse_time(msgs[1]), parse_time(msgs[2])
            same_t = t1 == t2 if name == "steady" else (t1 is not None and t2 is not None and
                                                         tstar - dt_int <= min(t1, t2) and max(t1, t2) <= tstar + RUN_SAMPLE + dt_int)
            tap.check(f"runaway {name}: same error line on 1 and 2 ranks", mask(msgs[1]) == mask(msgs[2]) and same_t,
                        f"text identical up to numbers: {mask(msgs[1]) == mask(msgs[2])}; times {t1} and {t2} s"
                        + ("" if name == "steady" else f" (both must lie in [{tstar - dt_int:.4f}, {tstar + RUN_SAMPLE + dt_int:.4f}] s)")
                        + f"; largest relative difference of the numbers in the message {rel:.1e}")


# ----------------------------------------------------------------------------------------------------------------
# 5. k(T) transient

KT_CELLS = 16
KT_END = 1.0


def ktransient(work):
    spec = SINGLE
    rise = kirchhoff(spec, Q_SLAB, np.array([0.0]))[0] - T_TOP
    zf, Tf = fv_discrete(spec, Q_SLAB, KT_CELLS)
    Tex = kirchhoff(spec, Q_SLAB, zf)
    own = np.max(np.abs(Tf - Tex)) / rise
    # slowest mode of an insulated/fixed slab with the smallest diffusivity of the steady profile
    L = spec["layers"][0][1]
    alpha = k_of(SI[0], SI[1], Tf.max()) / (RHO_SI * CP_SI)
    tau = 4 * L * L / (math.pi ** 2 * alpha)
    # the transient's linear solves stop at 1e-6 of the step's heat (thermal_ts.c, -ph_ksp_floor): a settled state may
    # keep a steady residual ||r||_2 <= 1e-6 q A, i.e. a temperature error <= ||J^-1||_inf 1e-6 q A (J the Jacobian
    # of the script's own discrete equations at its solution, by central differences)
    area = 1e-6
    N = KT_CELLS
    Jm = np.zeros((N, N))
    for j in range(N):
        d = np.zeros(N)
        d[j] = 1e-4
        Jm[:, j] = (fv_residual(spec, Q_SLAB, N, area, Tf + d) - fv_residual(spec, Q_SLAB, N, area, Tf - d)) / 2e-4
    floor_bound = np.abs(np.linalg.inv(Jm)).sum(axis=1).max() * 1e-6 * Q_SLAB * area / rise
    print(f"# k(T) transient: {KT_CELLS} cells, from {T_TOP - ZERO_C:g} C to t = {KT_END:g} s; slowest time constant "
          f"{tau * 1e3:.1f} ms, so exp(-t/tau) = {math.exp(-KT_END / tau):.0e}; the scheme's own error against Kirchhoff "
          f"{own:.4e} of the rise; settled-state bound from the linear-solve floor {floor_bound:.2e} of the rise")
    block = f'time: {{end: {KT_END} s, dt: 1 ms, initial: "{T_TOP!r} K"}}\noutput: {{series_every: 10 ms, fields_every: 100 ms}}\n'
    for name, args, tol_fv, tol_e in (("default", [], floor_bound, math.sqrt(N) * 1e-6 + 1e-6),
                                      ("-ph_ksp_floor 0", ["-ph_ksp_floor", "0"], TOL_SCHEME, 1e-6)):
        r = phverify.run(work, f"kt_{name.replace(' ', '_').replace('-', '')}", slab_yaml(spec, KT_CELLS, block), args=args)
        zc, T = column(r)
        assert abs(r["fields/time"][-1] - KT_END) < 1e-12
        snaps = r["fields/temperature"][:, :, 0, 0] + ZERO_C
        dev = [np.max(np.abs(s - Tf)) / rise for s in snaps]
        print(f"# {name}: {int(r['summary']['steps'])} steps; max |T - steady FV| / rise at the snapshots "
              + ", ".join(f"{x:.1e}" for x in dev))
        e_fv = np.max(np.abs(T - Tf)) / rise
        e_ex = np.max(np.abs(T - Tex)) / rise
        tap.check(f"k(T) transient ({name}) settles on the steady FV solution", e_fv <= tol_fv,
                    f"max |T(t = {KT_END:g} s) - steady discrete k(T) solution| / rise = {e_fv:.2e} (tolerance {tol_fv:.1e}"
                    + (": what a residual of 1e-6 of the heat allows" if name == "default" else "") + ")")
        tap.check(f"k(T) transient ({name}) late time vs Kirchhoff", e_ex <= own + tol_fv,
                    f"max |T(t = {KT_END:g} s) - T_exact| / rise = {e_ex:.4e} (tolerance {own + tol_fv:.4e}: the scheme's "
                    f"own error on {KT_CELLS} cells plus {tol_fv:.1e})")
        ee = float(np.max(r["series/energy_error"]))
        tap.check(f"k(T) transient ({name}) energy balance", ee <= tol_e,
                    f"largest /series/energy_error {ee:.2e} (tolerance {tol_e:.0e}"
                    + (": 1e-6 plus what step residuals of 1e-6 of the heat explain, sqrt(N) 1e-6" if name == "default"
                       else ", the solver tolerance") + ")")


def main():
    work = phverify.workdir("nonlinear")
    tap.guard("k(T) slab single layer", ksteady, work, "single", SINGLE)
    tap.guard("k(T) slab two layers", ksteady, work, "two-layer", MULTI)
    pc = critical_pref(P0, BETA_FOLD, T_REF_LEAK)
    print(f"# lumped cell: G = {G_CU:.8f} W/K, C = {C_CU:.6f} J/K; fold at beta = {BETA_FOLD} 1/K: p_ref critical "
          f"{pc:.6f} W")
    tap.guard("leakage steady moderate", leak_steady, work, "moderate", P0, 0.5, T_REF_LEAK, 0.02)
    tap.guard("leakage steady near fold 0.8", leak_steady, work, "near fold (0.8 critical)", P0, 0.8 * pc, T_REF_LEAK, BETA_FOLD)
    tap.guard("leakage steady near fold 0.9", leak_steady, work, "near fold (0.9 critical)", P0, 0.9 * pc, T_REF_LEAK, BETA_FOLD)
    tap.guard("leakage volume-weighted mean", leak_volume_weighted, work)
    tap.guard("leakage transient", leak_transient, work)
    tap.guard("runaway steady", runaway_steady, work)
    tap.guard("runaway transient", runaway_transient, work)
    tap.guard("runaway on 2 ranks", runaway_ranks, work)
    tap.guard("k(T) transient", ktransient, work)
    tap.finish()


if __name__ == "__main__":
    main()

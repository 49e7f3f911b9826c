#!/usr/bin/python3
"""3D steady spreading in a rectangular flux channel, against its Fourier-series solution.

A plate a x b (10 x 8 mm) receives a uniform flux q on the rectangle [x1, x2] x [y1, y2] of its top face (a top
`flux` condition limited by `region`; the rest of the top is adiabatic), convects to T_f through h on its bottom
face, and has adiabatic sides. With z measured down from the top, theta = T - T_f is
    theta(x, y, z) = sum_mn cos(m pi x / a) cos(n pi y / b) Z_mn(z),
    q_mn = eps_m eps_n q / (a b) * int_x1^x2 cos(m pi x/a) dx * int_y1^y2 cos(n pi y/b) dy   (eps_0 = 1, eps_m = 2),
    Z_00 = q_00 / h + q_00 (R_below(z)),   Z_mn = (q_mn / (k beta)) [R cosh(beta z) - sinh(beta z)],
beta = pi sqrt(m^2/a^2 + n^2/b^2). For one layer of thickness t, R = (k beta + h tanh(beta t)) /
(k beta tanh(beta t) + h); for a stack R = k1 beta Z_in, with Z_in the thermal impedance seen from the top,
carried up from 1/h at the bottom by Z <- Z0 (Z + Z0 tanh(beta t_i)) / (Z0 + Z tanh(beta t_i)), Z0 = 1/(k_i beta).
Z_mn is evaluated as (q_mn/(k beta)) [(R - 1) cosh(beta z) + exp(-beta z)] with
(R - 1) cosh(beta z) = (Z_L - Z0) / (Z0 + Z_L tanh(beta t1)) * (exp(-beta (2 t1 - z)) + exp(-beta (2 t1 + z))) /
(1 + exp(-2 beta t1)), which never overflows. The series is summed until doubling M and N changes the compared
values by less than 1e-6 of the largest rise.

photherm's top-layer cell centres (25 um deep) and the area-weighted mean temperature of the top cells under the
heated rectangle must match within 1% of the largest rise, on a 0.1 mm x 0.1 mm x 50 um grid.
"""
import math

import numpy as np

import phverify

tap = phverify.Tap(__file__)

A, B = 10e-3, 8e-3
X1, X2, Y1, Y2 = 2e-3, 5e-3, 1e-3, 3.5e-3
POWER = 10.0
QF = POWER / ((X2 - X1) * (Y2 - Y1))
H = 1e4
T_F = 25.0
TOL = 0.01
CONVERGED = 1e-6


def case_yaml(layers):
    mats = "\n".join(f"  m{i}: {{k: {k} W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}}" for i, (_, k) in enumerate(layers))
    # the stack is listed bottom first
    stack = "\n".join(f"  - {{name: l{i}, thickness: {t * 1e6:.6g} um, material: m{i}}}" for i, (t, _) in reversed(list(enumerate(layers))))
    return f"""version: 1
name: spreading
materials:
{mats}
footprint: {{x: [0, {A * 1e3} mm], y: [0, {B * 1e3} mm]}}
grid: {{max_cell_xy: 0.1 mm, max_cell_z: 50 um}}
stack:
{stack}
boundaries:
  top: {{type: flux, value: {QF!r}, region: {{x: [{X1 * 1e3} mm, {X2 * 1e3} mm], y: [{Y1 * 1e3} mm, {Y2 * 1e3} mm]}}}}
  bottom: {{type: convection, h: {H} W/m^2/K, ambient: {T_F} C}}
time: {{mode: steady}}
"""


def cos_integral(m, lo, hi, length):
    """int_lo^hi cos(m pi x / length) dx for an array of m (m = 0 gives hi - lo)."""
    m = np.asarray(m, dtype=float)
    out = np.empty_like(m)
    z = m == 0
    out[z] = hi - lo
    w = m[~z] * math.pi / length
    out[~z] = (np.sin(w * hi) - np.sin(w * lo)) / w
    return out


def mode_factor(beta, z, layers):
    """[(R - 1) cosh(beta z) + exp(-beta z)] / (k1 beta) for beta > 0 at depth z inside the top layer.

    `layers` is a list of (thickness, k) from the top down; the bottom convects through H.
    """
    t1, k1 = layers[0]
    Z = np.full_like(beta, 1.0 / H)  # impedance at the bottom face
    for t, k in reversed(layers[1:]):
        Z0 = 1.0 / (k * beta)
        th = np.tanh(beta * t)
        Z = Z0 * (Z + Z0 * th) / (Z0 + Z * th)
    Z0 = 1.0 / (k1 * beta)
    e2 = np.exp(-2 * beta * t1)
    th = (1 - e2) / (1 + e2)
    rm1_cosh = (Z - Z0) / (Z0 + Z * th) * (np.exp(-beta * (2 * t1 - z)) + np.exp(-beta * (2 * t1 + z))) / (1 + e2)
    return (rm1_cosh + np.exp(-beta * z)) / (k1 * beta)


def single_layer_factor(beta, z, t, k):
    """The brief's one-layer form, evaluated directly (only for moderate beta t): [R cosh - sinh] / (k beta)."""
    th = np.tanh(beta * t)
    R = (k * beta + H * th) / (k * beta * th + H)
    return (R * np.cosh(beta * z) - np.sinh(beta * z)) / (k * beta)


def series(xs, ys, z, layers, M, N):
    """theta at the points xs x ys at depth z (top layer), and its mean over the heated rectangle at that depth."""
    m = np.arange(M)
    n = np.arange(N)
    Ix = cos_integral(m, X1, X2, A) * np.where(m == 0, 1.0, 2.0)
    Iy = cos_integral(n, Y1, Y2, B) * np.where(n == 0, 1.0, 2.0)
    beta = math.pi * np.sqrt((m[:, None] / A) ** 2 + (n[None, :] / B) ** 2)
    F = np.empty((M, N))
    pos = beta > 0
    F[pos] = mode_factor(beta[pos], z, layers)
    # the mean mode: q00/h plus q00 times the resistance from depth z to the bottom
    depth_below = sum(t / k for t, k in layers) - z / layers[0][1]
    F[0, 0] = 1.0 / H + depth_below
    F *= QF / (A * B)
    Cx = np.cos(math.pi * np.outer(xs, m) / A) * Ix[None, :]
    Cy = np.cos(math.pi * np.outer(ys, n) / B) * Iy[None, :]
    theta = Cx @ F @ Cy.T  # [x][y]
    # mean over the rectangle: each cos averages to I/(x2 - x1)
    mx = cos_integral(m, X1, X2, A) / (X2 - X1) * Ix
    my = cos_integral(n, Y1, Y2, B) / (Y2 - Y1) * Iy
    mean = float(mx @ F @ my)
    return theta, mean


def converged_series(xs, ys, z, layers, label):
    M = 500
    prev = series(xs, ys, z, layers, M, int(math.ceil(M * B / A)))
    while True:
        M *= 2
        cur = series(xs, ys, z, layers, M, int(math.ceil(M * B / A)))
        peak = cur[0].max()
        change = max(np.max(np.abs(cur[0] - prev[0])), abs(cur[1] - prev[1])) / peak
        print(f"# {label}: M = {M}, N = {int(math.ceil(M * B / A))}: largest change from M/2, N/2 {change:.1e} of the peak rise")
        if change < CONVERGED or M >= 8000:
            return cur, change, M
        prev = cur


def compare(work, name, layers):
    label = f"spreading {name}"
    r = phverify.run(work, name.replace(" ", "_"), case_yaml(layers))
    x, y, z = r["mesh/x"], r["mesh/y"], r["mesh/z"]
    xc, yc = phverify.centres(x), phverify.centres(y)
    T = r["fields/temperature"][0]
    top = T[-1].T - T_F  # [x][y]
    depth = z[-1] - 0.5 * (z[-1] + z[-2])
    (theta, mean), change, M = converged_series(xc, yc, depth, layers, label)
    tap.check(f"{label} series converged", change < CONVERGED,
                f"doubling M, N to {M}, {int(math.ceil(M * B / A))} changes the answer by {change:.1e} of the peak (limit {CONVERGED:.0e})")
    peak = theta.max()
    err = np.abs(top - theta)
    i, j = np.unravel_index(np.argmax(err), err.shape)
    print(f"# {label}: grid {len(xc)} x {len(yc)} x {len(z) - 1}, top cell centres {depth * 1e6:.4g} um deep; peak rise exact "
          f"{peak:.5f} K, photherm {top.max():.5f} K; mean rise {theta.mean():.5f} K")
    tap.check(f"{label} top layer", err.max() <= TOL * peak,
                f"max |T - exact| over {top.size} top cell centres = {err.max():.4f} K = {err.max() / peak:.2e} of the peak rise "
                f"at x = {xc[i] * 1e3:.3f} mm, y = {yc[j] * 1e3:.3f} mm (tolerance {TOL:.0e})")
    inside = np.outer((xc > X1) & (xc < X2), (yc > Y1) & (yc < Y2))
    area = np.outer(np.diff(x), np.diff(y))
    got = float(np.sum(top * area * inside) / np.sum(area * inside))
    tap.check(f"{label} source mean", abs(got - mean) <= TOL * peak,
                f"mean rise under the heated rectangle exact {mean:.5f} K, photherm {got:.5f} K, "
                f"difference {abs(got - mean) / peak:.2e} of the peak rise (tolerance {TOL:.0e})")
    return r


def cross_check():
    """The stable evaluation equals the brief's direct one-layer formula where the latter does not overflow."""
    beta = np.linspace(10.0, 2e4, 200)
    a = mode_factor(beta, 20e-6, [(0.5e-3, 148.0)])
    b = single_layer_factor(beta, 20e-6, 0.5e-3, 148.0)
    d = np.max(np.abs(a - b) / np.abs(b))
    tap.check("spreading stable mode formula", d < 1e-10, f"relative difference from the direct formula {d:.1e} (limit 1e-10)")


def main():
    work = phverify.workdir("spreading")
    tap.guard("spreading stable mode formula", cross_check)
    tap.guard("spreading one layer", compare, work, "one layer", [(0.5e-3, 148.0)])
    # a silicon die on a thin, poorly conducting attach layer (top first)
    tap.guard("spreading two layers", compare, work, "two layers", [(0.3e-3, 148.0), (0.1e-3, 5.0)])
    tap.finish()


if __name__ == "__main__":
    main()

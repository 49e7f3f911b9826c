#!/usr/bin/python3
"""Power traces: held values, landing on every step, repeat and linear interpolation (cases/README.md sections 12 and 13).

The model is one copper cell: a 10 x 10 mm footprint, one 0.1 mm copper layer (cells: 1, max_cell_xy 10 mm),
convection h = 1e5 W/m^2/K to 25 C on top, every other face adiabatic, and a source covering the layer. Its
semi-discrete equation is exactly C dT/dt = P(t) - G (T - T_amb), with C = rho cp A L and G = A / (L/(2k) + 1/h)
(README.md, Thermal model), so for piecewise-constant power the exact answer is a chain of exponentials and for piecewise-linear
power a chain of ramps plus exponentials; tau = C/G = 3.5 ms. The script computes it and compares photherm's
source mean temperature at every series sample, with -ts_atol 1e-7 -ts_rtol 1e-8.

The held trace has rows at 0, 0.37, 1.13, 2.9, 3.0 and 4.41 ms while the samples fall every 1 ms and dt = dt_max =
1 ms, so every power step falls inside a nominal step unless the integrator lands on it. The tolerance (2e-3 K) is
set well below the smallest error a step handled 0.1 ms late would make, which the script computes and prints.
A row at 3.0 ms coincides with a sample: there the series must report that row's value (hold convention).

A repeated trace (period 1 ms, series every 0.1 ms, so samples fall on the repeated rows) and a linearly interpolated
trace are checked the same way: the power series against the trace evaluated exactly, the temperature against the
exact response. The linear case runs twice: with time.dt 10 us, and with time.dt 1 ms, where the first step (cut to
the first sample, 0.25 ms, while the power ramps) must still be error-controlled like every later one.
"""
import math

import numpy as np

import phverify

tap = phverify.Tap(__file__)

K, RHO, CP = 400.0, 8960.0, 385.0
L, H, AREA = 0.1e-3, 1e5, 1e-4
T_AMB = 25.0
C = RHO * CP * AREA * L
G = AREA / (L / (2 * K) + 1 / H)
TAU = C / G
TIGHT = ["-ts_atol", "1e-7", "-ts_rtol", "1e-8"]
TOL_T = 2e-3  # K


def case_yaml(power, end, series_every, dt="1 ms", dt_max="1 ms"):
    return f"""version: 1
name: trace
materials:
  cu: {{k: {K} W/m/K, rho: {RHO} kg/m^3, cp: {CP} J/kg/K}}
footprint: {{x: [0, 10 mm], y: [0, 10 mm]}}
grid: {{max_cell_xy: 10 mm}}
stack:
  - {{name: plate, thickness: 100 um, material: cu, cells: 1}}
boundaries:
  top: {{type: convection, h: {H} W/m^2/K, ambient: {T_AMB} C}}
sources:
  - {{name: chip, layer: plate, x: [0, 10 mm], y: [0, 10 mm], power: {power}}}
time: {{end: {end}, dt: {dt}, dt_max: {dt_max}, initial: steady}}
output: {{series_every: {series_every}, fields_every: {end}}}
"""


def trace_csv(rows_ms, values):
    lines = ["# made by tests/verify/test_trace_landing.py", "time [ms],p [W]"]
    lines += [f"{t!r},{v!r}" for t, v in zip(rows_ms, values)]
    return "\n".join(lines) + "\n"


def exact_response(segments, theta0, times):
    """theta = T - T_amb at `times` for C theta' = P - G theta, P linear on each segment (t0, t1, p0, slope)."""
    out = np.empty(len(times))
    theta, idx = theta0, 0
    times = list(times)
    for t0, t1, p0, s in segments:
        def at(t):
            part = lambda u: (p0 + s * (u - t0) - s * C / G) / G  # noqa: E731 - the particular (ramp) solution
            return part(t) + (theta - part(t0)) * math.exp(-(t - t0) / TAU)
        while idx < len(times) and times[idx] <= t1 + 1e-15:
            out[idx] = at(times[idx])
            idx += 1
        theta = at(t1)
    assert idx == len(times)
    return out


def held_segments(rows, values, end):
    """Segments of a held trace (rows and values in SI), the first value before the first row, the last after."""
    edges = [0.0] + [t for t in rows if 0 < t < end] + [end]
    segs = []
    for a, b in zip(edges[:-1], edges[1:]):
        r = max(i for i in range(len(rows)) if rows[i] <= a) if a >= rows[0] else 0
        segs.append((a, b, values[r], 0.0))
    return segs


def hold_value(rows, values, t):
    r = [i for i in range(len(rows)) if rows[i] <= t]
    return values[r[-1]] if r else values[0]


def compare_temperatures(label, r, segments, theta0, tol, extra=""):
    t = r["series/time"]
    got = r["sources/t_mean"][:, 0] - T_AMB
    want = exact_response(segments, theta0, t)
    err = np.max(np.abs(got - want))
    tap.check(label, err <= tol, f"max |T - exact| over {len(t)} samples = {err:.2e} K (tolerance {tol:.0e} K{extra})")
    return want


def held(work):
    rows_ms = [0.0, 0.37, 1.13, 2.9, 3.0, 4.41]
    values = [5.0, 20.0, 2.0, 12.0, 7.0, 0.0]
    rows = [x * 1e-3 for x in rows_ms]
    end = 6e-3
    files = {"held.csv": trace_csv(rows_ms, values)}
    r = phverify.run(work, "held", case_yaml("{trace: held.csv, column: p}", "6 ms", "1 ms"), args=TIGHT, files=files)
    t = r["series/time"]
    want_t = np.arange(7) * 1e-3
    tap.check("trace held samples", len(t) == 7 and np.max(np.abs(t - want_t)) < 1e-15,
                f"{len(t)} samples at {', '.join(f'{x * 1e3:g}' for x in t)} ms (expected 0, 1, ..., 6 ms)")
    p = r["sources/power"][:, 0]
    want_p = np.array([hold_value(rows, values, x) for x in want_t[: len(p)]])
    tap.check("trace held power series", len(p) == 7 and np.array_equal(p, want_p),
                f"/series/sources/power {list(p)} W, trace (held, a row's own value at its time) {list(want_p)} W")
    # the exact response, and the same with each step handled 0.1 ms late
    theta0 = values[0] / G
    segs = held_segments(rows, values, end)
    exact = exact_response(segs, theta0, want_t)
    late = []
    for i in range(1, len(rows)):
        shifted = list(rows)
        shifted[i] += 1e-4
        if i + 1 < len(rows) and shifted[i] >= shifted[i + 1]:
            continue
        d = np.max(np.abs(exact_response(held_segments(shifted, values, end), theta0, want_t) - exact))
        late.append((d, rows_ms[i]))
    smallest = min(late)
    for d, row in late:
        print(f"# held trace: the step at {row:g} ms handled 0.1 ms late would move a sample by up to {d:.2e} K")
    assert TOL_T * 5 <= smallest[0], "the tolerance would not catch a late step"
    steps = int(r["summary"]["steps"])
    compare_temperatures("trace held response", r, segs, theta0, TOL_T,
                         f"; a step 0.1 ms late errs by at least {smallest[0]:.2e} K (row {smallest[1]:g} ms); {steps} steps")


def repeated(work):
    # one period of 1 ms: rows at 0, 0.3, 0.7 ms and the end of the period (its value repeats the first row's)
    rows_ms = [0.0, 0.3, 0.7, 1.0]
    values = [3.0, 10.0, 1.0, 3.0]
    end_ms = 3.0
    files = {"rep.csv": trace_csv(rows_ms, values)}
    r = phverify.run(work, "repeat", case_yaml("{trace: rep.csv, column: p, repeat: true}", "3 ms", "0.1 ms"), args=TIGHT,
                  files=files)
    t = r["series/time"]
    n = int(round(end_ms / 0.1)) + 1
    # the exact value at sample k (k * 0.1 ms) by integer arithmetic: phase k mod 10 tenths of a millisecond
    tenths = [int(round(x * 10)) for x in rows_ms]
    want_p = []
    for k in range(n):
        ph = k % 10
        want_p.append(values[max(i for i in range(len(tenths) - 1) if tenths[i] <= ph)])
    p = r["sources/power"][:, 0]
    bad = [(round(t[k] * 1e3, 6), p[k], want_p[k]) for k in range(min(len(p), n)) if p[k] != want_p[k]]
    tap.check("trace repeat power series", len(p) == n and not bad,
                f"{len(p)} samples (expected {n}); samples differing from the repeated trace (t ms, got, want): {bad[:6]}")
    rows, vals = [], []
    for c in range(3):
        for tm, v in zip(rows_ms[:-1], values[:-1]):
            rows.append((c + tm) * 1e-3)
            vals.append(v)
    segs = held_segments(rows, vals, end_ms * 1e-3)
    compare_temperatures("trace repeat response", r, segs, values[0] / G, TOL_T)


def linear(work, dt, label, note=""):
    rows_ms = [0.0, 0.45, 1.2, 2.0]
    values = [2.0, 10.0, 4.0, 8.0]
    rows = [x * 1e-3 for x in rows_ms]
    end = 3e-3
    files = {"lin.csv": trace_csv(rows_ms, values)}
    r = phverify.run(work, "linear", case_yaml("{trace: lin.csv, column: p, interpolate: linear}", "3 ms", "0.25 ms", dt=dt),
                  args=TIGHT, files=files)
    t = r["series/time"]
    want_p = np.interp(t, rows, values)
    p = r["sources/power"][:, 0]
    err = np.max(np.abs(p - want_p))
    tap.check(f"{label} power series", len(t) == 13 and err <= 1e-12 * max(values),
                f"{len(t)} samples (expected 13); max |P - linear interpolation| = {err:.1e} W (tolerance 1e-12 relative)")
    segs = []
    edges = rows + [end]
    for i in range(len(edges) - 1):
        a, b = edges[i], edges[i + 1]
        s = (values[i + 1] - values[i]) / (rows[i + 1] - rows[i]) if i + 1 < len(rows) else 0.0
        segs.append((a, b, values[i], s))
    want = compare_temperatures(f"{label} response", r, segs, values[0] / G, TOL_T, f"; time.dt {dt}{note}")
    # diagnosis: one backward-Euler step over the whole first sample interval, with the power at its end
    h = t[1]
    one_step = (values[0] / G + h * np.interp(h, rows, values) / C) / (1 + h / TAU)
    print(f"# {label}: at t = {h * 1e3:g} ms photherm - exact = {r['sources/t_mean'][1, 0] - T_AMB - want[1]:+.3e} K; "
          f"a single backward-Euler step from 0 would give {one_step - want[1]:+.3e} K")


def fixed_step(work, dt_ms):
    """-ts_adapt_type none: every step is time.dt except the one that lands on a sample or a trace row (which is cut,
    or stretched by less than 0.1%), so the number of steps is known. A trace of 0.2 s slots, samples every 7 ms
    (rounded landing times that are not multiples of the step), 1 s. The step used to drift after each landing
    (PETSc halves a step when less than two remain), halve and shrink to 1e-7 s."""
    rows_ms = [200.0 * i for i in range(6)]
    files = {"slots.csv": trace_csv(rows_ms, [10.0 if i % 2 == 0 else 2.0 for i in range(6)])}
    for name, text in files.items():
        phverify.write(f"{work}/{name}", text)
    case = phverify.write(f"{work}/fixed.yaml", case_yaml("{trace: slots.csv, column: p}", "1 s", "7 ms", dt=f"{dt_ms} ms", dt_max="1 s"))
    p = phverify.must_run(["run", case, "-o", f"{work}/fixed.h5", "-quiet", "-ts_adapt_type", "none", "-ts_monitor"], work, timeout=120)
    landings = sorted({round(7e-3 * k, 12) for k in range(143)} | {r * 1e-3 for r in rows_ms} | {1.0})
    landings = [x for x in landings if x <= 1.0]
    dt = dt_ms * 1e-3
    want = sum(max(1, math.ceil((b - a) / dt - 1e-3)) for a, b in zip(landings[:-1], landings[1:]))
    times, off = {}, []
    for line in p.stdout.splitlines():  # "k TS dt h time t": the time after step k (printed again when a solve starts)
        w = line.split()
        if len(w) == 6 and w[1:3] == ["TS", "dt"]:
            times[int(w[0])] = float(w[5])
    for k in range(1, len(times)):
        a, b = times[k - 1], times[k]
        nxt = min((x for x in landings if x > a + 1e-12), default=1.0)
        if abs(b - a - dt) > 1e-5 * dt and abs(b - nxt) > 1e-9:
            off.append((k, round((b - a) * 1e3, 6), a))
    n = int(phverify.read(f"{work}/fixed.h5")["summary"]["steps"])
    tap.check(f"fixed step {dt_ms} ms", n == want and not off,
              f"{n} steps (expected {want}: {len(landings) - 1} landings, time.dt {dt_ms} ms between them); steps of another size "
              f"that do not land (step, ms, from s): {off[:4]}")


def main():
    work = phverify.workdir("trace")
    print(f"# C = {C:.5e} J/K, G = {G:.5e} W/K, tau = {TAU * 1e3:.4f} ms")
    tap.guard("trace held", held, work)
    tap.guard("trace repeat", repeated, work)
    tap.guard("trace linear", linear, work, "10 us", "trace linear")
    # the same with a first step of 1 ms (cut to 0.25 ms by the first sample): the power ramps from 2 to 6.4 W
    # during that step, which must be error-controlled like every other
    tap.guard("trace linear first step", linear, work, "1 ms", "trace linear first step 1 ms",
                  ", the first step must be error-controlled too")
    for dt_ms in (1, 2):
        tap.guard(f"fixed step {dt_ms} ms", fixed_step, work, dt_ms)
    tap.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Cold plates (README.md, Thermal model: cold plates; cases/README.md section 11): the coolant heats along its flow.

Closed form. A copper slab with no lateral conduction (k = [1e-6, 1e-6, 400] W/m/K) takes a uniform flux q into its
bottom face; its top face is a cold plate: coolant of mass flow m and specific heat cp entering at T_in, wall
coefficient h. Every column carries q to the coolant, so along the flow (length L, coordinate s from the inlet edge):

    coolant       T_f(s) = T_in + q W s / (m cp)          (W the plate's width: linear, outlet rise Q / (m cp))
    wall          T_s(s) = T_f(s) + q / h                 (wall-to-fluid difference q / h)
    cell centre   T_s + q (dz / 2) / k_z                  (the half cell below the wall)

photherm's outlet and heat must equal it to 1e-9 and its coolant profile (at the grid lines across the flow) to 1e-8 (the steady
solve stops at 1e-10 of its first residual); the wall
temperature of each cell against T_f at the cell centre + q/h differs by the cell's exchange within one cell (an exact
exponential exchange with a wall held at the cell's temperature, cases/README.md): at most a/12 of the cell's coolant
rise, a = g/(m_strip cp), which halves with the cell, so the error must fall about 4-fold when the cells along the
flow halve. Variants: the four flow directions, a tenth of the flow (NTU = h A / (m cp) = 5), a mass flow in kg/s against the same flow in L/min, a region.

Transient: inlet temperature and flow following a trace and a square pattern, the package heated by a power trace:
energy balance (coolant heat included) within 1e-6 at default tolerances, the series' heat equal to m cp (outlet -
inlet) at every sample, and the same run on 1, 2 and 3 ranks equal to 1e-8 of the rise with tight solves.
"""
import re

import h5py
import numpy as np

import phverify

tap = phverify.Tap(__file__)

Q = 1e5        # W/m^2 into the bottom
H = 1e4        # W/m^2/K
H_STR = "10000.0"
T_IN = 30.0    # degC
RHO, CP = 1000.0, 4000.0
KZ, DZ = 400.0, 1e-3
LX, LY = 20e-3, 10e-3
FLOW_LMIN = 0.06  # L/min: m = 1e-3 kg/s, m cp = 4 W/K, rise = q LX LY / 4 = 5 K


def case(name, direction="+x", flow=f"{FLOW_LMIN} L/min", cell="1 mm", region="", extra=""):
    k = f"[1e-6, 1e-6, {KZ}] W/m/K" if not region else f"{KZ} W/m/K"  # lateral conduction where the plate covers part of the face
    return f"""version: 1
name: {name}
materials:
  cu: {{k: "{k}", rho: 8960 kg/m^3, cp: 385 J/kg/K}}
  coolant: {{k: 0.6 W/m/K, rho: {RHO} kg/m^3, cp: {CP} J/kg/K}}
footprint: {{x: [0, {LX * 1e3} mm], y: [0, {LY * 1e3} mm]}}
grid: {{max_cell_xy: {cell}}}
stack:
  - {{name: base, thickness: {DZ * 1e3} mm, material: cu, cells: 1}}
boundaries:
  bottom: {{type: flux, value: {Q} W/m^2}}
  top: {{type: cold_plate, name: plate, coolant: coolant, flow: {flow}, inlet: {T_IN} C, direction: "{direction}", h: {H_STR} W/m^2/K{region}}}
{extra}time: {{mode: steady}}
"""


def closed_form(work, label, direction="+x", lmin=FLOW_LMIN, cell="1 mm", region=None):
    """Steady uniform-flux plate against the closed form; returns the largest wall error in K."""
    reg = ""
    x0, x1, y0, y1 = 0.0, LX, 0.0, LY
    if region is not None:
        x0, x1, y0, y1 = region
        reg = f", region: {{x: [{x0 * 1e3} mm, {x1 * 1e3} mm], y: [{y0 * 1e3} mm, {y1 * 1e3} mm]}}"
    r = phverify.run(work, label, case(label, direction, f"{lmin} L/min", cell, reg, extra="  sides: {type: adiabatic}\n" if region is None else ""))
    mdot = lmin * 1e-3 / 60 * RHO
    length = (x1 - x0) if direction[1] == "x" else (y1 - y0)
    heat = Q * LX * LY  # steady: all of it reaches the coolant (with a region, partly by lateral conduction)
    rise = heat / (mdot * CP)
    prof = r["coolant/plate/temperature"][0]
    names = r["coolant/plate/temperature.names"]
    pos = np.array([float(n.split("=")[1].split()[0]) * 1e-3 for n in names])
    axis = 0 if direction[1] == "x" else 1
    lo, hi = (x0, x1) if axis == 0 else (y0, y1)
    s = (pos - lo) if direction[0] == "+" else (hi - pos)
    outlet = r["coolant/outlet_temperature"][0, 0]
    got_heat = r["coolant/heat"][0, 0]
    ok = tap.close(f"{label}: outlet rise = Q/(m cp)", abs((outlet - T_IN) - rise) / rise, 1e-9)
    ok &= tap.close(f"{label}: heat = Q", abs(got_heat - heat) / heat, 1e-9)
    if region is None:
        exact = T_IN + rise * s / length
        ok &= tap.close(f"{label}: coolant linear along the flow", np.max(np.abs(prof - exact)) / rise, 1e-8,
                        f"max |T_f - closed form| / rise over {len(prof)} grid lines")
        T = r["fields/temperature"][0, 0]  # [ny][nx], the one layer
        xc, yc = phverify.centres(r["mesh/x"]), phverify.centres(r["mesh/y"])
        c = xc[None, :] if axis == 0 else yc[:, None]
        sc = (c - lo) if direction[0] == "+" else (hi - c)
        wall_exact = T_IN + rise * sc / length + Q / H
        wall = T - Q * (DZ / 2) / KZ
        err = np.max(np.abs(wall - wall_exact))
        tap.note(f"{label}: wall - fluid at the cell centres: {np.mean(wall - (T_IN + rise * sc / length)):.9g} K (q/h = {Q / H} K), "
                 f"largest difference to the closed form {err:.3g} K")
        return err
    tap.check(f"{label}: profile from inlet to outlet", abs(prof[0] - T_IN) < 1e-12 and abs(prof[-1] - outlet) < 1e-12,
              f"first {prof[0]:.12g}, last {prof[-1]:.12g}, outlet {outlet:.12g} degC over {len(prof)} lines")
    return None


def wall_convergence(work):
    e1 = closed_form(work, "coarse", cell="1 mm")
    e2 = closed_form(work, "fine", cell="0.5 mm")
    ratio = e1 / e2
    rise = Q * LX * LY / (FLOW_LMIN * 1e-3 / 60 * RHO * CP)
    tap.check("wall - fluid = q/h within a cell's exchange, second order", e1 / rise < 2e-3 and 3.5 < ratio < 4.5,
              f"largest wall error {e1:.3g} K (1 mm cells) and {e2:.3g} K (0.5 mm), {e1 / rise:.2e} of the rise, ratio {ratio:.2f} (2nd order: 4)")


def estimate(work):
    """photherm check counts the coolant's columns in its estimate of the result file: the values per sample it states
    equal the columns of /series in the file that the run wrote (the plate covers the face: its profile has every line)."""
    p = phverify.must_run(["check", f"{work}/coarse.yaml"], work)
    m = re.search(r"series .* \((\d+) samples? of (\d+) values\)", p.stdout)
    with h5py.File(f"{work}/coarse.h5", "r") as f:
        cols = []
        f["series"].visititems(lambda n, o: cols.append(1 if o.ndim == 1 else o.shape[1]) if isinstance(o, h5py.Dataset) else None)
    tap.check("check's estimate counts the coolant columns", m is not None and int(m.group(2)) == sum(cols),
              f"estimate {m.group(2) if m else '?'} values per sample, file {sum(cols)} columns")


def mass_flow(work):
    a = phverify.run(work, "lmin", case("lmin"))
    b = phverify.run(work, "kgs", case("kgs", flow=f"{FLOW_LMIN * 1e-3 / 60 * RHO!r} kg/s"))
    d = np.max(np.abs(a["fields/temperature"] - b["fields/temperature"]))
    tap.close("kg/s and the same flow in L/min agree", d, 1e-9, "max |T difference| K")


# Shah and London, Laminar Flow Forced Convection in Ducts (1978), Nusselt number of fully developed laminar flow in
# rectangular ducts, four walls at uniform flux (H1), tabulated against the aspect ratio (short side / long side)
SHAH_LONDON = [(1.0, 3.608), (0.5, 4.123), (0.25, 5.331), (0.125, 6.490), (0.0, 8.235)]
K_FIN = 390.0


def channel_h(w, H, pitch, k_coolant=0.6):
    """h per unit of base area from the table (no correlation) and the efficiency of the walls as fins."""
    a = min(w, H) / max(w, H)
    table = dict(SHAH_LONDON)
    nu = table[a]
    dh = 2 * w * H / (w + H)
    hc = nu * k_coolant / dh
    m = np.sqrt(2 * hc / (K_FIN * (pitch - w)))
    eta = np.tanh(m * H) / (m * H)
    return hc * (w + 2 * eta * H) / pitch


def channels(work):
    """h from stated channels against the tabulated Nusselt numbers: the wall - fluid difference of the uniform-flux plate."""
    lmin = 0.6  # a small coolant rise (0.5 K), so that the exchange within a cell is negligible
    for w, H in ((100e-6, 100e-6), (50e-6, 100e-6), (100e-6, 400e-6), (100e-6, 800e-6)):
        label = f"ch{int(w * 1e6)}x{int(H * 1e6)}"
        text = case(label, flow=f"{lmin} L/min").replace(f"h: {H_STR} W/m^2/K", f"channels: {{width: {w * 1e6} um, height: {H * 1e6} um, pitch: {2 * w * 1e6} um, fin: fin}}")
        text = text.replace("materials:\n", f"materials:\n  fin: {{k: {K_FIN} W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}}\n")
        r = phverify.run(work, label, text)
        rise = Q * LX * LY / (lmin * 1e-3 / 60 * RHO * CP)
        xc = phverify.centres(r["mesh/x"])
        fluid = T_IN + rise * xc / LX
        wall = r["fields/temperature"][0, 0] - Q * (DZ / 2) / KZ
        h = Q / np.mean(wall - fluid[None, :])
        want = channel_h(w, H, 2 * w)
        tap.close(f"h from channels {w * 1e6:.0f} x {H * 1e6:.0f} um (aspect {min(w, H) / max(w, H):g}) against Shah and London's table",
                  abs(h - want) / want, 2e-3, f"h {h:.6g} against {want:.6g} W/m^2/K, relative difference")


TRACE = """# inlet temperature and package power for the cold-plate transient
time [ms],inlet [C],power [W]
0,30,40
40,34,10
90,28,60
150,32,25
"""


def transient_case(name):
    return f"""version: 1
name: {name}
materials:
  si: {{k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}}
  cu: {{k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}}
  tim: {{k: 4 W/m/K, rho: 2500 kg/m^3, cp: 800 J/kg/K}}
  coolant: {{k: 0.6 W/m/K, rho: {RHO} kg/m^3, cp: {CP} J/kg/K}}
footprint: {{x: [0, 12 mm], y: [0, 10 mm]}}
grid: {{max_cell_xy: 500 um}}
stack:
  - {{name: die, thickness: 300 um, material: si, cells: 2, blocks: [{{name: asic, material: si, x: [2 mm, 7 mm], y: [2 mm, 8 mm]}}]}}
  - {{name: tim, thickness: 50 um, material: tim}}
  - {{name: lid, thickness: 1 mm, material: cu, cells: 2}}
boundaries:
  top:
    - {{type: cold_plate, name: main, coolant: coolant, flow: {{pattern: square, period: 60 ms, duty: 0.5, high: 0.2 L/min, low: 0.05 L/min}},
       inlet: {{trace: trace.csv, column: inlet}}, direction: -x, h: 2e4 W/m^2/K, region: {{x: [0, 9 mm], y: [0, 10 mm]}}}}
    - {{type: cold_plate, name: side, coolant: coolant, flow: 2e-3 kg/s, inlet: 25 C, direction: +y, h: 5e3 W/m^2/K,
       region: {{x: [9 mm, 12 mm], y: [0, 10 mm]}}}}
  bottom: {{type: convection, h: 200 W/m^2/K, ambient: 40 C}}
sources:
  - {{name: asic, block: asic, power: {{trace: trace.csv, column: power}}}}
time: {{end: 200 ms, dt: 1 ms, initial: steady}}
output: {{fields_every: 50 ms, series_every: 5 ms}}
"""


def transient(work):
    r = phverify.run(work, "tr", transient_case("tr"), files={"trace.csv": TRACE})
    emax = np.max(r["series/energy_error"])
    tap.close("transient energy balance with coolant heat", emax, 1e-6, "largest energy_error")
    t = r["series/time"]
    heat, outlet = r["coolant/heat"], r["coolant/outlet_temperature"]
    # inlet and flow of each plate at each sample, from the case's own definitions (the value at the sample time)
    rows = np.array([[0, 30, 40], [40, 34, 10], [90, 28, 60], [150, 32, 25]], dtype=float)
    inlet_main = rows[np.searchsorted(rows[:, 0] * 1e-3, t + 1e-12, side="right") - 1, 1]
    phase = (t % 0.06) / 0.06
    flow_main = np.where(phase < 0.5 - 1e-9, 0.2, 0.05) * 1e-3 / 60 * RHO
    want = np.stack([flow_main * CP * (outlet[:, 0] - inlet_main), 2e-3 * CP * (outlet[:, 1] - 25.0)], axis=1)
    err = np.max(np.abs(heat - want)) / np.max(np.abs(heat))
    tap.close("coolant heat = m cp (outlet - inlet) at every sample", err, 1e-9)
    tap.check("both plates take heat", np.all(heat[1:] > 0), f"heat from {heat.min():.3g} to {heat.max():.3g} W")
    return r


def ranks(work):
    args = ["-ksp_rtol", "1e-13", "-ph_ksp_floor", "0", "-ts_rtol", "1e-4"]
    phverify.write(f"{work}/trace.csv", TRACE)
    res = []
    for n in (1, 2, 3):
        case = phverify.write(f"{work}/rk{n}.yaml", transient_case(f"rk{n}"))
        phverify.must_run(["run", case, "-o", f"{work}/rk{n}.h5", "-quiet"] + args, work, nranks=n)
        res.append(phverify.read(f"{work}/rk{n}.h5"))
    rise = np.max(np.abs(res[0]["fields/temperature"] - 25.0))
    for n, r in zip((2, 3), res[1:]):
        d = max(np.max(np.abs(r["fields/temperature"] - res[0]["fields/temperature"])),
                np.max(np.abs(r["coolant/outlet_temperature"] - res[0]["coolant/outlet_temperature"])),
                np.max(np.abs(r["coolant/main/temperature"] - res[0]["coolant/main/temperature"])))
        tap.close(f"{n} ranks equal 1 rank (fields, outlet, profile)", d / rise, 1e-8, "max difference / rise")


def main():
    work = phverify.workdir("coolant")
    tap.guard("closed form and second order", wall_convergence, work)
    tap.guard("estimate of the result file", estimate, work)
    for d in ("-x", "+y", "-y"):
        tap.guard(f"closed form {d}", closed_form, work, f"dir{d[0] == '+' and 'p' or 'm'}{d[1]}", direction=d)
    # NTU = h A / (m cp) = 5: the coolant rises 50 K, close to the wall (the solves stay exact: the operator is the exact Jacobian)
    tap.guard("closed form at a tenth of the flow", closed_form, work, "lowflow", lmin=FLOW_LMIN / 10)
    tap.guard("closed form over a region", closed_form, work, "region", region=(4e-3, 16e-3, 2e-3, 8e-3))
    tap.guard("mass flow", mass_flow, work)
    tap.guard("h from channels", channels, work)
    tap.guard("transient", transient, work)
    tap.guard("ranks", ranks, work)
    tap.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Micro-channel layers in the porous form (cases/README.md section 9.6): model 2rm (a dense channel array) and pinfin.

Closed form. A cavity 100 um high, 10 mm along the flow and 1 mm across, between a floor and a ceiling of a wall
material that conducts well across the flow and vertically (k_y = k_z = 1e5 W/m/K, k_x = 1e-3 W/m/K along it: the solid
is isothermal in each cross-section and carries no heat along the flow), takes a uniform flux q on the top face; the
rest is adiabatic. The coolant takes up q per unit footprint, so along the flow (s from the inlet, length L):

    coolant     T_f(s) = T_in + q B s / (m cp)             (B the width across: outlet rise Q / (m cp), Q = q B L)
    solid       T_s(s) = T_f(s) + q / (h a)                (a the wetted area per unit footprint)

with a = (2 w + 2 H) / p for channels of width w at pitch p (floor, ceiling and both side walls), and for pins of
diameter d at pitch p, a = 2 porosity + pi d H / p^2 (floor and ceiling less the pins' feet, and the pins' sides).
photherm's coolant strips hold the coolant at their downstream edges (upwind), so the outlet, the heat and the profile
at every grid line are exact (1e-7, 1e-7, 1e-6 of the rise) and every solid cell of the cavity and the tiers minus the
coolant strip beside it is q / (h a) (2e-3: the solid's finite 1e5 W/m/K and the tiers' conduction between the
strips leave 8e-4). Four flow directions for 2rm; pins along +y.

2rm against 4rm (silicon, 130 W/m/K, h from the laminar correlation, 50 um channels at 100 um pitch, porous cells
of one pitch): the outlets are both Q / (m cp) (1e-7), and the ceiling's area-mean temperature along the flow agrees
with the resolved channels' to 5% of the ceiling-to-coolant difference (measured 3.3%: the porous form lets each phase
reach the tier through the tier's half cell over the whole porous cell, cases/README.md section 9.6, where the resolved
fins and channels share it).

Transient: the flux steps and the inlet follows a sine: energy balance within 1e-6; 1 and 2 ranks (the cavity split
along the flow) equal to 1e-6 of the rise. Input errors of the porous keys are refused with exit 2 at the key.
`velocity` (the mean velocity in the coolant) instead of `flow` gives the same run as the flow v phi B H (1e-9).
"""
import numpy as np

import phverify

tap = phverify.Tap(__file__)

Q, H, L, T_IN = phverify.STRIP_Q, phverify.STRIP_H, phverify.STRIP_L, phverify.STRIP_T_IN  # the strip (phverify.strip_case)
B = 1e-3
HC = 5e4  # W/m^2/K
FLOW = 10.0  # mL/min


def case(name, direction="+x", geometry="model: 2rm, cell: 500 um, channel_width: 50 um, pitch: 100 um", h=f"h: {HC} W/m^2/K",
         wall=None, extra="", time="time: {mode: steady}"):
    return phverify.strip_case(name, direction, f"{B * 1e3} mm", geometry, h, FLOW, wall, extra, time)


def closed_form(work, label, direction, geometry, wetted, cell, phi):
    r = phverify.run(work, label, case(label, direction, geometry))
    T, across = phverify.strip_coolant(tap, r, label, direction, Q * B * L, FLOW)
    fluid_rows = [c for c in range(len(across) - 1) if phverify.centres(across)[c] % cell < cell / 2]  # the coolant strips
    want = Q / (HC * wetted)
    worst = 0.0
    for c in range(len(across) - 1):
        strip = max(f for f in fluid_rows if f <= c)  # the coolant strip of this porous cell
        for z in range(3):
            if z == 1 and c in fluid_rows:
                continue
            worst = max(worst, np.max(np.abs(T[z, c, :] - T[1, strip, :] - want)) / want)
    tap.close(f"{label}: solid - coolant = q / (h a)", worst, 2e-3, f"q / (h a) = {want:.6g} K, largest relative difference over every solid cell")
    tap.close(f"{label}: energy balance", abs(r["summary"]["energy_balance_error"]), 1e-6, "energy_balance_error")


def against_4rm(work):
    """The same silicon cavity resolved (4rm) and porous (2rm, porous cells of one pitch): outlet and ceiling."""
    res = {}
    for model, geometry in (("4rm", "channel_width: 50 um, pitch: 100 um"), ("2rm", "model: 2rm, cell: 100 um, channel_width: 50 um, pitch: 100 um")):
        res[model] = phverify.run(work, "si" + model, case("si" + model, "+x", geometry, h="", wall="130 W/m/K"))
    rise = Q * B * L / phverify.strip_mcp(FLOW)
    for model, r in res.items():
        tap.close(f"silicon {model}: outlet rise = Q/(m cp)", abs(r["coolant/outlet_temperature"][0, 0] - T_IN - rise) / rise, 1e-7)

    def ceiling(r):
        dy = np.diff(r["mesh/y"])
        return (r["fields/temperature"][0][2] * dy[:, None]).sum(0) / dy.sum()

    a, b = ceiling(res["4rm"]), ceiling(res["2rm"])
    coolant = np.interp(phverify.centres(res["4rm"]["mesh/x"]), [0, L], [T_IN, T_IN + rise])
    d = np.max(np.abs(a - b)) / np.mean(a - coolant)
    tap.close("2rm against 4rm: the ceiling's mean along the flow", d, 0.05,
              f"largest |2rm - 4rm| {np.max(np.abs(a - b)):.4g} K over the ceiling-to-coolant {np.mean(a - coolant):.4g} K")


def velocity(work):
    """`velocity` instead of `flow` in a porous layer: the mean velocity in the coolant, flow / (phi B H), so the run
    with v equals the run with the flow v phi B H (phi 0.5)."""
    v = FLOW * 1e-6 / 60 / (0.5 * B * H)
    phverify.strip_velocity(tap, work, lambda name: case(name, "+x"), FLOW, v, "2rm velocity: v instead of the flow v phi B H gives the same field")


def transient(work):
    phverify.coolant_transient(tap, work, lambda extra, time: case("tr", "+x", extra=extra, time=time), T_IN, "the cavity")


BAD = [  # (what, replace this, by this, a word of the message)
    ("an unknown model", "model: 2rm", "model: 3rm", "3rm"),
    ("pin_diameter with channels", "channel_width: 50 um", "channel_width: 50 um, pin_diameter: 50 um", "pin_diameter"),
    ("channel_width with pins", "model: 2rm", "model: pinfin, pin_diameter: 50 um", "channel_width"),
    ("a porous cell of zero width", "cell: 500 um", "cell: 0 um", "at least 2 nm"),
    ("a porous cell whose strips the grid would split", "cell: 500 um", "cell: 2 mm", "split"),
    ("h_side negative", f"h: {HC} W/m^2/K", f"h_top: {HC} W/m^2/K, h_bottom: {HC} W/m^2/K, h_side: -1 W/m^2/K", "positive or zero"),
]


def refusals(work):
    base = case("bad", "+x")
    for what, old, new, word in BAD:
        assert old in base, old
        phverify.refused(tap, work, what, base.replace(old, new, 1), word, "bad.yaml:10:")
    text = case("bad", "+x", "model: pinfin, cell: 500 um, pin_diameter: 50 um, pitch: 100 um", h="")
    phverify.refused(tap, work, "pins without h (no correlation)", text, "pin-fin")


work = phverify.workdir("microchannel_2rm")
tap.guard("refusals", refusals, work)
for d in ("+x", "-x", "+y", "-y"):
    tap.guard(f"2rm {d}", closed_form, work, "2rm" + d.replace("+", "p").replace("-", "m"), d,
              "model: 2rm, cell: 500 um, channel_width: 50 um, pitch: 100 um", (2 * 50e-6 + 2 * H) / 100e-6, 500e-6, 0.5)
phi = 1 - np.pi * 50e-6**2 / (4 * 100e-6**2)
tap.guard("pinfin", closed_form, work, "pinfin", "+y", "model: pinfin, cell: 500 um, pin_diameter: 50 um, pitch: 100 um",
          2 * phi + np.pi * 50e-6 * H / 100e-6**2, 500e-6, phi)
tap.guard("against 4rm", against_4rm, work)
tap.guard("velocity", velocity, work)
tap.guard("transient", transient, work)
tap.finish()

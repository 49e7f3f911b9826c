#!/usr/bin/python3
"""Micro-channel layers (README.md, Thermal model: micro-channel layers; cases/README.md section 9.6), the 4-resistor model.

Closed form. One straight channel of width w and height H (the cavity layer) at the centre of a strip one pitch wide,
between a floor and a ceiling layer of the wall material, takes a uniform flux q on the top face; every other face is
adiabatic. The wall material conducts well across the flow (k_y = k_z = 1e5 W/m/K: the walls around the channel are
isothermal within 2e-4 of the wall-to-fluid difference) and hardly along it (k_x = 1e-3 W/m/K: no axial conduction,
3e-8 of the heat). Every length of channel takes up the heat q W of its strip (W the pitch), so along the flow
(coordinate s from the inlet, channel length L, mass flow m, heat capacity cp):

    coolant       T_f(s) = T_in + q W s / (m cp)        (linear; outlet rise Q / (m cp), Q = q W L)
    walls         T_w(s) = T_f(s) + q W / (h P)          (P = 2 w + 2 H the wetted perimeter: wall-to-fluid difference q_wall / h)

photherm's fluid cells hold the coolant at their downstream edge (first-order upwind), so the fluid cell ending at s
must equal T_f(s), the outlet and the heat Q / (m cp) and Q to 1e-7, the profile at every grid line to 1e-6 of the rise,
and the conductance-weighted mean of the four wetted wall cells minus the fluid cell q W / (h P) to 1e-3. Variants: the
four flow directions; h from the laminar correlation (square channel: Nu 3.608 of Shah and London's table).

Transient: the flux steps up and down and the inlet follows a pattern: energy balance (the coolant's heat out and the
fluid's own heat capacity included) within 1e-6, and the same run on 1 and 2 ranks (the channel split between the
ranks) equal to 1e-6 of the rise. The input errors of a layer are refused (exit 2): a flow that varies, a pitch not
wider than the channel, an unknown coolant or key, a bad direction, h not positive, a cold plate with the layer's name,
a flow and a velocity both or neither, a velocity without its unit or not positive. `velocity` (the mean velocity in a
channel) instead of `flow` gives the same run as the flow v n w H.
The case of the inter-tier study (cases/scans/cpo-3d-microchannel.yaml) checks, with the channels, mean velocity and
h that README.md states. The reduced model with micro-channel layers is tested in test_reduced.py (section 11).
"""
import h5py
import numpy as np

import phverify

tap = phverify.Tap(__file__)

Q, H, L, T_IN = phverify.STRIP_Q, phverify.STRIP_H, phverify.STRIP_L, phverify.STRIP_T_IN  # the strip (phverify.strip_case)
W = 100e-6
PITCH = 200e-6
HC = 5e4         # W/m^2/K
FLOW = 3.0       # mL/min


def case(name, direction="+x", h=f"h: {HC} W/m^2/K", extra="", time="time: {mode: steady}"):
    return phverify.strip_case(name, direction, f"{PITCH * 1e6} um", f"channel_width: {W * 1e6} um, pitch: {PITCH * 1e6} um", h, FLOW, extra=extra,
                               time=time)


def closed_form(work, direction, h_expected=HC, h="h: 50000 W/m^2/K", label=None):
    label = label or "dir" + direction.replace("+", "p").replace("-", "m")
    r = phverify.run(work, label, case(label, direction, h))
    T, across = phverify.strip_coolant(tap, r, label, direction, Q * PITCH * L, FLOW)  # T: floor, cavity, ceiling
    c = int(np.argmin(np.abs(phverify.centres(across) - PITCH / 2)))  # the channel's cell
    fluid = T[1, c, :]
    walls = (W * T[2, c, :] + W * T[0, c, :] + H * T[1, c - 1, :] + H * T[1, c + 1, :]) / (2 * W + 2 * H)
    want = Q * PITCH / (h_expected * (2 * W + 2 * H))
    got = walls - fluid
    tap.close(f"{label}: wall - fluid = q_wall / h", np.max(np.abs(got - want)) / want, 1e-3,
              f"{np.mean(got):.6g} K against {want:.6g} K, largest relative difference")
    tap.close(f"{label}: energy balance", abs(r["summary"]["energy_balance_error"]), 1e-6, "energy_balance_error")


def transient(work):
    phverify.coolant_transient(tap, work, lambda extra, time: case("tr", "+x", extra=extra, time=time), T_IN, "the channel")


BAD = [  # (what, replace this, by this, a word of the message)
    ("a flow that varies in time", "flow: 3.0 mL/min", "flow: {pattern: sine, period: 1 s, mean: 3 mL/min, amplitude: 1 mL/min}", "constant"),
    ("a pitch not wider than the channel", "pitch: 200.0 um", "pitch: 100 um", "pitch"),
    ("a coolant that is not a material", "coolant: water", "coolant: watr", "watr"),
    ("no direction", 'direction: "+x"', 'direction: "+z"', "direction"),
    ("an unknown key", "channel_width:", "chanel_width:", "chanel_width"),
    ("h not positive", "h: 50000.0 W/m^2/K", "h: 0 W/m^2/K", "positive"),
    ("both a flow and a velocity", "flow: 3.0 mL/min", "flow: 3.0 mL/min, velocity: 1 m/s", "not both"),
    ("a velocity without its unit", "flow: 3.0 mL/min", "velocity: 1", "unit"),
    ("a velocity not positive", "flow: 3.0 mL/min", "velocity: 0 m/s", "positive"),
    ("neither a flow nor a velocity", "flow: 3.0 mL/min, ", "", "velocity"),
]


def refusals(work):
    """Input errors of a micro-channel layer: exit 2 and one line at the key, nothing computed."""
    base = case("bad", "+x")
    for what, old, new, word in BAD:
        assert old in base, old
        phverify.refused(tap, work, what, base.replace(old, new, 1), word, "error")
    text = base.replace("boundaries:\n", "boundaries:\n  bottom: {type: cold_plate, name: cavity, coolant: water, flow: 1 L/min, inlet: 30 C, direction: +x, h: 1e4 W/m^2/K}\n")
    phverify.refused(tap, work, "a cold plate named as a micro-channel layer", text, "micro-channel layer")


def velocity(work):
    """`velocity` (the mean velocity in a channel) instead of `flow`: the flow is v n w H (here one channel), so the
    run equals the run with that flow, and photherm check prints the velocity given."""
    v = FLOW * 1e-6 / 60 / (W * H)
    text = phverify.strip_velocity(tap, work, lambda name: case(name, "+x"), FLOW, v, "velocity: v instead of the flow v n w H gives the same field")
    p = phverify.photherm(["check", phverify.write(f"{work}/vel_check.yaml", text)], work)
    m = __import__("re").search(r"water flowing \+x at ([0-9.]+) m/s", p.stdout)
    tap.check("velocity: photherm check prints the velocity given", p.returncode == 0 and m is not None and abs(float(m.group(1)) - v) <= 0.005 * v,
              f"exit {p.returncode}; printed {m.group(1) if m else None} m/s against {v:.4g} m/s")


def study_case(work):
    """The case of the inter-tier study (cases/scans/cpo-3d-microchannel.yaml) stays valid: its cavity has the channels
    README.md states (46 mm / 500 um = 92, the laminar h of a 250 x 200 um channel)."""
    import os
    path = os.path.join(phverify.ROOT, "cases", "scans", "cpo-3d-microchannel.yaml")
    p = phverify.photherm(["check", path], work)
    dh = 2 * 250e-6 * 200e-6 / 450e-6
    a = 200 / 250
    nu = 8.235 * (1 - 2.0421 * a + 3.0853 * a**2 - 2.4765 * a**3 + 1.0578 * a**4 - 0.1861 * a**5)
    h = nu * 0.615 / dh
    m = __import__("re").search(r"92 channels 250 um wide at 500 um pitch, water flowing -x at ([0-9.]+) m/s in each; h top ([0-9.]+)", p.stdout)
    tap.check("the inter-tier study's case checks: 92 channels of 250 um at 500 um pitch, water along -x", p.returncode == 0 and m is not None,
              f"exit {p.returncode}: {p.stderr.strip()[-200:]}")
    if m:
        v = 0.3e-3 / 60 / (92 * 250e-6 * 200e-6)
        tap.close("the inter-tier study's case: mean velocity flow / (n w H), printed to 0.01 m/s", abs(float(m.group(1)) - v), 0.005,
                  f"{m.group(1)} m/s against {v:.4f} m/s; difference")
        tap.close("the inter-tier study's case: h from the Shah and London fit", abs(float(m.group(2)) - h) / h, 1e-5,
                  f"h {m.group(2)} against {h:.2f} W/m^2/K; relative difference")


work = phverify.workdir("microchannel")
tap.guard("refusals", refusals, work)
for d in ("+x", "-x", "+y", "-y"):
    tap.guard(f"closed form {d}", closed_form, work, d)
# the laminar correlation: a square channel, Nu 3.608 (Shah and London's table), h = Nu k / D_h
tap.guard("correlation", closed_form, work, "+x", 3.608 * 0.615 / W, "", "corr")
tap.guard("transient", transient, work)
tap.guard("velocity", velocity, work)
tap.guard("study case", study_case, work)
tap.finish()

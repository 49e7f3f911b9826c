#!/usr/bin/python3
"""Write HotSpot's ev6 package (its example 1) as a photherm case on a graded or a uniform mesh.

Usage: make_case.py [--periphery MM | --uniform UM] [-o case.yaml]

The source is HotSpot 7.0's examples/example1 (github.com/uvahotspot/HotSpot, tag v7.0): the floorplan ev6.flp (the
Alpha EV6 die, 16 mm x 16 mm, 30 blocks), the first row of gcc.ptrace as steady powers (about 57 W), and the package
of example.config: die 150 um of silicon (k 130 W/m/K, 1.6303e6 J/m^3/K), interface 20 um (4 W/m/K, 4e6) as wide as
the die, spreader 30 mm x 30 mm x 1 mm and sink 60 mm x 60 mm x 6.9 mm of copper (400 W/m/K, 3.55e6), the sink to air
through r_convec = 0.1 K/W over its top face (h = 1 / (0.1 K/W x 60 mm x 60 mm)), 45 C ambient, sides and bottom
adiabatic. Around the die and the spreader is still air (0.026 W/m/K), as in HotSpot's model where nothing conducts
there. The block edges are rounded to multiples of 125 um (ev6.flp's own rounding leaves slivers 1 um wide).

Graded mesh (the default): the die has 125 um cells (strips of the die's own silicon put grid lines every 125 um) and
the cells grow by at most 2x per cell out to --periphery mm (2 by default) in the spreader and sink. Uniform mesh
(--uniform UM): cells UM wide (narrower only where a block edge falls between two lines), for the iteration count
the graded mesh is compared with.
"""
import argparse

DIE = 16e-3     # die side, m
FOOT = 60e-3    # sink side, m
SPREAD = 30e-3  # spreader side, m
FINE = 125e-6   # die cells of the graded mesh, m

# ev6.flp: name, width, height, left x, bottom y (m); power of the first row of gcc.ptrace (W)
EV6 = [
    ("L2_left", 0.004900, 0.006200, 0.000000, 0.009800, 1.44),
    ("L2", 0.016000, 0.009800, 0.000000, 0.000000, 7.37),
    ("L2_right", 0.004900, 0.006200, 0.011100, 0.009800, 1.44),
    ("Icache", 0.003100, 0.002600, 0.004900, 0.009800, 8.27),
    ("Dcache", 0.003100, 0.002600, 0.008000, 0.009800, 14.3),
    ("Bpred_0", 0.001033, 0.000700, 0.004900, 0.012400, 1.51666666666667),
    ("Bpred_1", 0.001033, 0.000700, 0.005933, 0.012400, 1.51666666666667),
    ("Bpred_2", 0.001033, 0.000700, 0.006967, 0.012400, 1.51666666666667),
    ("DTB_0", 0.001033, 0.000700, 0.008000, 0.012400, 0.0596666666666667),
    ("DTB_1", 0.001033, 0.000700, 0.009033, 0.012400, 0.0596666666666667),
    ("DTB_2", 0.001033, 0.000700, 0.010067, 0.012400, 0.0596666666666667),
    ("FPAdd_0", 0.001100, 0.000900, 0.004900, 0.013100, 0.62),
    ("FPAdd_1", 0.001100, 0.000900, 0.006000, 0.013100, 0.62),
    ("FPReg_0", 0.000550, 0.000380, 0.004900, 0.014000, 0.19375),
    ("FPReg_1", 0.000550, 0.000380, 0.005450, 0.014000, 0.19375),
    ("FPReg_2", 0.000550, 0.000380, 0.006000, 0.014000, 0.19375),
    ("FPReg_3", 0.000550, 0.000380, 0.006550, 0.014000, 0.19375),
    ("FPMul_0", 0.001100, 0.000950, 0.004900, 0.014380, 0.665),
    ("FPMul_1", 0.001100, 0.000950, 0.006000, 0.014380, 0.665),
    ("FPMap_0", 0.001100, 0.000670, 0.004900, 0.015330, 0.02355),
    ("FPMap_1", 0.001100, 0.000670, 0.006000, 0.015330, 0.02355),
    ("IntMap", 0.000900, 0.001350, 0.007100, 0.014650, 1.07),
    ("IntQ", 0.001300, 0.001350, 0.008000, 0.014650, 0.365),
    ("IntReg_0", 0.000900, 0.000670, 0.009300, 0.015330, 2.585),
    ("IntReg_1", 0.000900, 0.000670, 0.010200, 0.015330, 2.585),
    ("IntExec", 0.001800, 0.002230, 0.009300, 0.013100, 7.7),
    ("FPQ", 0.000900, 0.001550, 0.007100, 0.013100, 0.0354),
    ("LdStQ", 0.001300, 0.000950, 0.008000, 0.013700, 3.46),
    ("ITB_0", 0.000650, 0.000600, 0.008000, 0.013100, 0.2),
    ("ITB_1", 0.000650, 0.000600, 0.008650, 0.013100, 0.2),
]


def mm(v):
    return f"{v * 1e3:.6g} mm"


def case_text(periphery=2e-3, uniform=None):
    """The case: graded from 125 um die cells to `periphery` (m), or uniform cells of `uniform` (m)."""
    d0, d1 = (FOOT - DIE) / 2, (FOOT + DIE) / 2
    s0, s1 = (FOOT - SPREAD) / 2, (FOOT + SPREAD) / 2
    mesh = f"uniform {uniform * 1e6:g} um cells" if uniform else f"die cells 125 um graded out to {periphery * 1e3:g} mm"
    opt = f"--uniform {uniform * 1e6:g}" if uniform else f"--periphery {periphery * 1e3:g}"
    lines = [
        "# HotSpot's ev6 package (HotSpot 7.0 examples/example1: ev6.flp, gcc.ptrace row 1, example.config,",
        "# github.com/uvahotspot/HotSpot tag v7.0) as a photherm case, " + mesh + ";",
        f"# written by benchmarks/graded/make_case.py {opt}.",
        "version: 1",
        "name: ev6-hotspot",
        f"description: HotSpot ev6 die on spreader and sink, {mesh}",
        "materials:",
        "  silicon: {k: 130 W/m/K, rho: 1630.3 kg/m^3, cp: 1000 J/kg/K}  # k_chip, p_chip",
        "  interface: {k: 4 W/m/K, rho: 4000 kg/m^3, cp: 1000 J/kg/K}   # k_interface, p_interface",
        "  copper: {k: 400 W/m/K, rho: 3550 kg/m^3, cp: 1000 J/kg/K}     # k_spreader/k_sink, p_spreader/p_sink",
        "  air: {k: 0.026 W/m/K, rho: 1.2 kg/m^3, cp: 1000 J/kg/K}",
        f"footprint: {{x: [0, {mm(FOOT)}], y: [0, {mm(FOOT)}]}}",
        f"grid: {{max_cell_xy: {(uniform or periphery) * 1e6:g} um, max_cell_z: 1 mm, max_ratio: 2}}",
        "stack:",
    ]
    die_blocks = [f"      - {{name: die, material: silicon, x: [{mm(d0)}, {mm(d1)}], y: [{mm(d0)}, {mm(d1)}]}}"]
    if not uniform:  # strips of silicon every other 125 um: grid lines every 125 um over the die
        n = round(DIE / FINE)
        for i in range(0, n, 2):
            a, b = d0 + i * FINE, d0 + (i + 1) * FINE
            die_blocks.append(f"      - {{name: xs{i}, material: silicon, x: [{mm(a)}, {mm(b)}], y: [{mm(d0)}, {mm(d1)}]}}")
            die_blocks.append(f"      - {{name: ys{i}, material: silicon, x: [{mm(d0)}, {mm(d1)}], y: [{mm(a)}, {mm(b)}]}}")
    lines += ["  - name: die", "    thickness: 150 um", "    material: air", "    cells: 2", "    blocks:"] + die_blocks
    lines += ["  - name: interface", "    thickness: 20 um", "    material: air", "    cells: 1", "    blocks:",
              f"      - {{name: tim, material: interface, x: [{mm(d0)}, {mm(d1)}], y: [{mm(d0)}, {mm(d1)}]}}"]
    lines += ["  - name: spreader", "    thickness: 1 mm", "    material: air", "    cells: 3", "    blocks:",
              f"      - {{name: spreader_cu, material: copper, x: [{mm(s0)}, {mm(s1)}], y: [{mm(s0)}, {mm(s1)}]}}"]
    lines += ["  - {name: sink, thickness: 6.9 mm, material: copper, cells: 6}"]
    lines += ["boundaries:", "  top: {type: convection, h: 2777.777778 W/m^2/K, ambient: 45 C}  # 1 / (r_convec x 60 mm x 60 mm)",
              "sources:"]
    for name, w, h, x, y, p in EV6:
        x0, x1, y0, y1 = (d0 + round(v / FINE) * FINE for v in (x, x + w, y, y + h))
        lines.append(f"  - {{name: {name}, layer: die, x: [{mm(x0)}, {mm(x1)}], y: [{mm(y0)}, {mm(y1)}], power: {p:.6g} W}}")
    lines.append("time: {mode: steady}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--periphery", type=float, default=2.0, help="largest cell of the graded mesh, mm (2)")
    ap.add_argument("--uniform", type=float, help="uniform cells of this width, um, instead of the graded mesh")
    ap.add_argument("-o", default="-", help="output file (standard output by default)")
    a = ap.parse_args()
    text = case_text(a.periphery * 1e-3, a.uniform * 1e-6 if a.uniform else None)
    if a.o == "-":
        print(text, end="")
    else:
        with open(a.o, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()

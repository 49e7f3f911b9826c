#!/usr/bin/python3
"""1D steady conduction through a multilayer slab (README.md, Thermal model: the half-cell series conductances are exact for
piecewise-linear profiles).

A uniform flux q enters the bottom face, the top face convects to T_amb with h, the sides are adiabatic. Every
horizontal plane carries the same q, so the exact temperature is T_amb + q/h at the top surface and rises linearly
with slope q/k_z,i going down through layer i. The finite-volume answer must equal it at every cell centre, to the
linear solver's tolerance, on any mesh (one cell per layer, graded, laterally refined) and for any in-plane
conductivity.
"""
import numpy as np

import phverify

tap = phverify.Tap(__file__)

Q = 5e4          # W/m^2 into the bottom face
H = 2e4          # W/m^2/K on the top face
T_AMB = 35.0     # degC
TOL = 1e-8       # of the total rise

# bottom to top: name, thickness [m], k [W/m/K] isotropic, anisotropic [kx, ky, kz] (same kz)
LAYERS = [
    ("sub", 0.5e-3, 148.0, (20.0, 5.0, 148.0)),
    ("box", 2e-6, 1.4, (30.0, 0.3, 1.4)),
    ("lid", 2e-3, 400.0, (1.0, 900.0, 400.0)),
    ("fill", 50e-6, 0.5, (0.5, 60.0, 0.5)),
]


def case_yaml(cells_one, grid, aniso, block, sides=""):
    mats = []
    for i, (name, _, k, kv) in enumerate(LAYERS):
        kk = f"[{kv[0]}, {kv[1]}, {kv[2]}] W/m/K" if aniso else f"{k} W/m/K"
        mats.append(f"  m{i}: {{k: \"{kk}\", rho: 2000 kg/m^3, cp: 800 J/kg/K}}")
    stack = []
    for i, (name, t, _, _) in enumerate(LAYERS):
        extra = ", cells: 1" if cells_one else ""
        line = f"  - {{name: {name}, thickness: {t!r}, material: m{i}{extra}}}"
        if block and name == "fill":
            line = (f"  - name: {name}\n    thickness: {t!r}\n    material: m{i}\n    blocks:\n"
                    f"      - {{name: odd, material: m{i}, x: [0.37 mm, 0.41 mm], y: [1.1 mm, 1.93 mm]}}")
        stack.append(line)
    return ("version: 1\nname: slab\nmaterials:\n" + "\n".join(mats) + "\n"
            + f"footprint: {{x: [0, 3 mm], y: [0, 2 mm]}}\ngrid: {grid}\nstack:\n" + "\n".join(stack) + "\n"
            + f"boundaries:\n  top: {{type: convection, h: {H}, ambient: {T_AMB} C}}\n"
            + f"  bottom: {{type: flux, value: {Q}}}\n{sides}time: {{mode: steady}}\n")


def exact(z):
    """Exact temperature [degC] at heights z [m]."""
    bounds = np.cumsum([0.0] + [t for _, t, _, _ in LAYERS])
    ztop = bounds[-1]
    T = np.full_like(z, T_AMB + Q / H)
    for i, (_, t, k, _) in enumerate(LAYERS):
        lo, hi = bounds[i], bounds[i + 1]
        # the part of layer i above z
        seg = np.clip(hi - np.maximum(z, lo), 0.0, t)
        T += Q * seg / k
    assert np.all(z <= ztop)
    return T


def compare(work, name, label, **kw):
    r = phverify.run(work, name, case_yaml(**kw))
    T = r["fields/temperature"][0]
    zc = phverify.centres(r["mesh/z"])
    nz, ny, nx = T.shape
    Tex = exact(zc)[:, None, None]
    rise = exact(np.array([0.0]))[0] - T_AMB
    err = np.max(np.abs(T - Tex)) / rise
    dz = np.diff(r["mesh/z"])
    ratio = np.max(np.maximum(dz[1:] / dz[:-1], dz[:-1] / dz[1:])) if nz > 1 else 1.0
    dx, dy = np.diff(r["mesh/x"]), np.diff(r["mesh/y"])
    print(f"# {label}: mesh {nx} x {ny} x {nz}, largest neighbour ratio in z {ratio:.3f}, cells in x {dx.min() * 1e3:.3g} to "
          f"{dx.max() * 1e3:.3g} mm, in y {dy.min() * 1e3:.3g} to {dy.max() * 1e3:.3g} mm, total rise {rise:.6f} K")
    tap.check(f"slab {label}", err <= TOL,
                f"max |T - exact| / rise = {err:.2e} over {T.size} cell centres (tolerance {TOL:.0e})")
    return r


def graded_mesh(work):
    r = compare(work, "graded", "graded z mesh (max_cell_z 100 um, max_ratio 1.3)", cells_one=False,
                grid="{max_cell_xy: 3 mm, max_cell_z: 100 um, max_ratio: 1.3}", aniso=False, block=False)
    dz = np.diff(r["mesh/z"])
    ratio = np.max(np.maximum(dz[1:] / dz[:-1], dz[:-1] / dz[1:]))
    tap.check("slab graded mesh is graded", len(dz) > 25 and ratio <= 1.3 * (1 + 1e-9) and dz.max() <= 100e-6 * (1 + 1e-9),
                f"{len(dz)} z cells from {dz.min():.2e} to {dz.max():.2e} m, neighbour ratio {ratio:.4f} (limit 1.3)")


def main():
    work = phverify.workdir("slab")
    tap.guard("slab one cell per layer", compare, work, "one", "one cell per layer", cells_one=True,
                  grid="{max_cell_xy: 3 mm}", aniso=False, block=False)
    tap.guard("slab graded z mesh", graded_mesh, work)
    tap.guard("slab lateral grid", compare, work, "lateral", "lateral grid (graded x, y and z)", cells_one=False,
                  grid="{max_cell_xy: 0.25 mm, max_cell_z: 100 um, max_ratio: 1.3}", aniso=False, block=True)
    tap.guard("slab anisotropic k", compare, work, "aniso", "anisotropic [kx, ky, kz] (only kz matters)", cells_one=False,
                  grid="{max_cell_xy: 0.25 mm, max_cell_z: 100 um, max_ratio: 1.3}", aniso=True, block=True)
    tap.guard("slab anisotropic one cell per layer", compare, work, "aniso1", "anisotropic, one cell per layer",
                  cells_one=True, grid="{max_cell_xy: 1 mm}", aniso=True, block=False)
    # the sides are adiabatic by default above; naming them adiabatic must change nothing (cases/README.md section 11)
    tap.guard("slab explicit adiabatic sides", compare, work, "sides", "explicit adiabatic sides",
                  cells_one=True, grid="{max_cell_xy: 3 mm}", aniso=False, block=False,
                  sides="  sides: {type: adiabatic}\n")
    tap.finish()


if __name__ == "__main__":
    main()

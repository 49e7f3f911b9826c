#!/usr/bin/python3
"""The result file (README.md, Result file layout) and the command-line contract around it (README.md, The command
line): provenance attributes, the resolved case, units and definitions, shapes and names, sample times, float32 snapshots, summary --csv, exit
statuses of failed runs and bad input (existing results never truncated), and the warning for unused options."""
import csv
import datetime
import io
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import ROOT, Tap, decode, must_run, names_attr, photherm, quantity, workdir, write  # noqa: E402

CASE = """version: 1
name: layout
description: file-layout test case
parameters: {gap: 1.5 mm, p_asic: 20 W}
materials:
  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}
  uf: {k: 0.5 W/m/K, rho: 1800 kg/m^3, cp: 1000 J/kg/K}
  cu: {k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}
footprint: {x: [0, 12 mm], y: [0, 8 mm]}
grid: {max_cell_xy: 500 um}
stack:
  - {name: substrate, thickness: 500 um, material: uf, cells: 2}
  - name: dies
    thickness: 150 um
    material: uf
    cells: 2
    blocks:
      - {name: asic, material: si, x: [1 mm, 7 mm], y: [1 mm, 7 mm]}
      - {name: pic, material: si, x: ["7 mm + ${gap}", "10.5 mm + ${gap} / 3"], y: [2 mm, 5 mm]}
  - {name: lid, thickness: 1 mm, material: cu, cells: 2}
blocks:
  - {name: vias, material: cu, x: [2 mm, 3 mm], y: [2 mm, 3 mm], layers: [substrate, substrate]}
boundaries:
  top: {type: convection, h: 2e4 W/m^2/K, ambient: 35 C}
sources:
  - {name: asic, block: asic, power: "${p_asic}"}
  - {name: hot, block: pic, power: {pattern: square, period: 1 ms, duty: 0.5, high: 3 W, low: 1 W}}
time: {end: 4 ms, initial: steady}
output: {fields_every: 1 ms, series_every: 0.4 ms}
"""

RUNAWAY = ["-P", "sources[1].leakage={p_ref: 5 W, t_ref: 35 C, beta: 0.9 1/K}", "-P", "time.initial=35 C"]


def all_datasets(group):
    out = []
    group.visititems(lambda name, obj: out.append(obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def text_attr(obj, key):
    return decode(obj.attrs[key]).strip() if key in obj.attrs else ""


def error_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("photherm: error:")]


def other_lines(stderr):
    """stderr lines that are not photherm's messages, up to mpirun's own report of a non-zero exit (a dashed box)."""
    out = []
    for line in stderr.splitlines():
        if re.fullmatch(r"-{20,}", line.strip()):
            break
        if line.strip() and not line.startswith("photherm: "):
            out.append(line)
    return out


def snapshot(paths):
    return {p: (open(p, "rb").read() if os.path.exists(p) else None) for p in paths}


def check_layout(tap, wd, f, version_line):
    # root attributes
    root = {k: decode(v) if isinstance(v, (bytes, np.bytes_)) else v for k, v in f.attrs.items()}
    missing = [k for k in ("photherm_version", "petsc_version", "nranks", "command_line", "created") if k not in root]
    tap.check("root_attributes_present", not missing, "photherm_version, petsc_version, nranks, command_line, created" if not missing
              else f"missing {missing}")
    if missing:
        return
    m = re.match(r"photherm (\S+) \((\S+)\), PETSc (\S+)", version_line)
    tap.check("root_versions", m is not None and m.group(1) == root["photherm_version"] and m.group(3) == root["petsc_version"],
              f"photherm_version {root['photherm_version']!r}, petsc_version {root['petsc_version']!r}; --version says {version_line!r}")
    tap.check("root_nranks", int(root["nranks"]) == 2, f"nranks = {root['nranks']} for a 2-rank run")
    cl = root["command_line"]
    tap.check("root_command_line", "run case.yaml" in cl and "gap=2mm" in cl and "time.end=2.5ms" in cl, f"command_line = {cl!r}")
    try:
        created = datetime.datetime.strptime(root["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        age = (datetime.datetime.now(datetime.timezone.utc) - created).total_seconds()
        tap.check("root_created", -5 < age < 3600, f"created = {root['created']} ({age:.0f} s ago, ISO 8601 UTC)")
    except ValueError as e:
        tap.fail("root_created", f"created = {root['created']!r}: {e}")

    # the resolved case
    d = f["case/yaml"]
    raw = d[()]
    tap.check("case_yaml_is_string_dataset", d.shape == () and d.dtype.kind in "SO", f"dtype {d.dtype}, shape {d.shape}")
    text = decode(raw)
    doc = yaml.safe_load(text)
    tap.check("case_yaml_parses", isinstance(doc, dict) and doc.get("name") == "layout", f"{len(text)} characters, name {doc.get('name')!r}")
    pic = doc["stack"][1]["blocks"][1]
    x0, x1 = quantity(pic["x"][0]), quantity(pic["x"][1])
    end = quantity(doc["time"]["end"])
    p = quantity(doc["sources"][0]["power"])
    good = "${" not in text and abs(x0 - 9e-3) < 1e-12 and abs(x1 - (10.5e-3 + 2e-3 / 3)) < 1e-12 and abs(end - 2.5e-3) < 1e-15 and abs(p - 20) < 1e-12
    tap.check("case_yaml_substituted", good, f"no ${{}} left: {'${' not in text}; pic x = [{pic['x'][0]}, {pic['x'][1]}] "
              f"(want 9 mm, 10.5 mm + 2 mm/3), time.end = {doc['time']['end']} (want 2.5 ms), asic power = {doc['sources'][0]['power']}")

    tap.check("case_yaml_definition", bool(text_attr(d, "definition")), f"/case/yaml definition {text_attr(d, 'definition')!r}")

    # the stored case runs again as it is
    path = os.path.join(wd, "resolved.yaml")
    write(path, text)
    p = photherm(["check", "resolved.yaml"], wd)
    cells = f["fields/temperature"][0].size
    tap.check("case_yaml_reloads", p.returncode == 0 and f"= {cells} cells" in p.stdout,
              f"photherm check on /case/yaml: exit {p.returncode}, {cells} cells expected: {p.stderr.strip()[:300]}")

    # units and definitions of every dataset
    bad = []
    count = 0
    for g in ("fields", "series", "mesh"):
        for ds in all_datasets(f[g]):
            count += 1
            if not text_attr(ds, "units") or not text_attr(ds, "definition"):
                bad.append(f"{ds.name} (units {text_attr(ds, 'units')!r}, definition {text_attr(ds, 'definition')!r})")
    tap.check("datasets_units_definition", not bad and count >= 15, f"{count} datasets under /fields /series /mesh all have units "
              "and definition" if not bad else f"missing on {bad}")
    want_units = {"/fields/temperature": "degC", "/fields/time": "s", "/fields/power_density": "W/m^3", "/mesh/x": "m", "/mesh/y": "m",
                  "/mesh/z": "m", "/series/time": "s", "/series/sources/power": "W", "/series/sources/t_max": "degC",
                  "/series/sources/t_mean": "degC", "/series/blocks/t_max": "degC", "/series/blocks/t_mean": "degC"}
    wrong = [f"{k}: {text_attr(f[k], 'units')!r}" for k, u in want_units.items() if text_attr(f[k], "units") != u]
    tap.check("dataset_units_values", not wrong, f"{len(want_units)} units as README.md, Result file layout" if not wrong else f"wrong: {wrong}")

    # summary attributes: each metric has <name>.units and <name>.definition, in /summary and its subgroups
    bad, metrics = [], []

    def visit(name, obj):
        if not isinstance(obj, h5py.Group):
            return
        for key, val in obj.attrs.items():
            if "." in key:
                base = key.rsplit(".", 1)[0]
                if base not in obj.attrs:
                    bad.append(f"{obj.name}: {key} without {base}")
                continue
            metrics.append(f"{obj.name}/{key}")
            if not text_attr(obj, key + ".units") or not text_attr(obj, key + ".definition"):
                bad.append(f"{obj.name}/{key}")
    visit("summary", f["summary"])
    f["summary"].visititems(visit)
    tap.check("summary_units_definition", not bad and len(metrics) >= 10, f"{len(metrics)} summary metrics, each with .units and .definition"
              if not bad else f"missing: {bad}")

    # shapes and names
    x, y, z = (f[f"mesh/{a}"][...] for a in "xyz")
    nx, ny, nz = len(x) - 1, len(y) - 1, len(z) - 1
    ft = f["fields/time"][...]
    T = f["fields/temperature"]
    st = f["series/time"][...]
    problems = []
    if T.shape != (len(ft), nz, ny, nx) or T.dtype != np.float64:
        problems.append(f"/fields/temperature {T.shape} {T.dtype}, want {(len(ft), nz, ny, nx)} float64")
    if f["fields/power_density"].shape != (nz, ny, nx):
        problems.append(f"/fields/power_density {f['fields/power_density'].shape}")
    if f["mesh/material"].shape != (nz, ny, nx) or f["mesh/material"].dtype != np.int32:
        problems.append(f"/mesh/material {f['mesh/material'].shape} {f['mesh/material'].dtype}")
    if f["series/energy_error"].shape != (len(st),):
        problems.append(f"/series/energy_error {f['series/energy_error'].shape}")
    for q in ("power", "t_max", "t_mean"):
        ds = f[f"series/sources/{q}"]
        if ds.shape != (len(st), 2) or names_attr(ds) != ["asic", "hot"]:
            problems.append(f"{ds.name} {ds.shape} names {names_attr(ds) if 'names' in ds.attrs else None}")
    for q in ("t_max", "t_mean"):
        ds = f[f"series/blocks/{q}"]
        if ds.shape != (len(st), 3) or names_attr(ds) != ["asic", "pic", "vias"]:
            problems.append(f"{ds.name} {ds.shape} names {names_attr(ds) if 'names' in ds.attrs else None}")
    mat_names = names_attr(f["mesh/material"])
    if mat_names != ["si", "uf", "cu"]:
        problems.append(f"/mesh/material names {mat_names}")
    tap.check("shapes_and_names", not problems, f"temperature [{len(ft)}][{nz}][{ny}][{nx}], series [{len(st)}][2 sources: asic, hot], "
              f"[{len(st)}][3 blocks: asic, pic, vias]" if not problems else "; ".join(problems))

    # sample times: t = 0, every interval, and the end
    want_f = np.array([0, 1, 2, 2.5]) * 1e-3
    want_s = np.array([0, 0.4, 0.8, 1.2, 1.6, 2.0, 2.4, 2.5]) * 1e-3
    ok_f = ft.shape == want_f.shape and np.allclose(ft, want_f, rtol=0, atol=1e-15)
    ok_s = st.shape == want_s.shape and np.allclose(st, want_s, rtol=0, atol=1e-15)
    tap.check("fields_every_times", ok_f, f"/fields/time = {np.round(ft * 1e3, 12).tolist()} ms (fields_every 1 ms, end 2.5 ms)")
    tap.check("series_every_times", ok_s, f"/series/time = {np.round(st * 1e3, 12).tolist()} ms (series_every 0.4 ms, end 2.5 ms)")


EMPTY = """version: 1
name: empty_groups
materials:
  uf: {k: 0.5 W/m/K, rho: 1800 kg/m^3, cp: 1000 J/kg/K}
  cu: {k: 400 W/m/K, rho: 8960 kg/m^3, cp: 385 J/kg/K}
footprint: {x: [0, 2 mm], y: [0, 2 mm]}
stack:
  - {name: sub, thickness: 500 um, material: uf}
  - {name: lid, thickness: 500 um, material: cu}
boundaries:
  top: {type: convection, h: 2e4 W/m^2/K, ambient: 35 C}
  bottom: {type: flux, value: 1e4 W/m^2}
time: {end: 1 ms}
output: {series_every: 0.25 ms}
"""


def check_empty_groups(tap, wd):
    """A run without sources and without blocks: [nsample][0] tables with an empty names list (they were 1D columns of
    uninitialised memory with a null names attribute), read back by photherm summary and scripts/plot_run.py."""
    write(os.path.join(wd, "empty.yaml"), EMPTY)
    for n in (1, 2):
        out = f"empty{n}.h5"
        if not tap.guard(f"empty_groups_run_{n}", must_run, ["run", "empty.yaml", "-o", out, "-quiet"], wd, n):
            continue
        with h5py.File(os.path.join(wd, out), "r") as f:
            ns = f["series/time"].shape[0]
            bad = []
            for path in ("series/sources/power", "series/sources/t_max", "series/sources/t_mean", "series/blocks/t_max", "series/blocks/t_mean"):
                ds = f[path]
                names = f[path].attrs.get("names")
                if ds.shape != (ns, 0) or not isinstance(names, np.ndarray) or names.shape != (0,) or not text_attr(ds, "units"):
                    bad.append(f"/{path} {ds.shape} names {names!r}")
            tap.check(f"empty_groups_tables_{n}", not bad and ns == 5, f"{ns} samples; every source and block table [{ns}][0] with names []"
                      if not bad else "; ".join(bad))
        p = photherm(["summary", out], wd)
        tap.check(f"empty_groups_summary_{n}", p.returncode == 0 and "peak_temperature" in p.stdout and not p.stderr,
                  f"photherm summary: exit {p.returncode}, {len(p.stdout.splitlines())} lines, stderr {p.stderr.strip()[:200]!r}")
    p = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "plot_run.py"), "empty1.h5", "-o", "empty1.png"], cwd=wd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    tap.check("empty_groups_plot_run", p.returncode == 0 and os.path.exists(os.path.join(wd, "empty1.png")),
              f"scripts/plot_run.py: exit {p.returncode} {p.stderr.strip()[-300:]}")


def check_csv(tap, wd, out, f, overrides):
    p = photherm(["summary", out, "--csv"], wd)
    lines = p.stdout.splitlines()
    tag = "with_P" if overrides else "without_P"
    if not tap.check(f"summary_csv_two_lines_{tag}", p.returncode == 0 and len(lines) == 2,
                     f"exit {p.returncode}, {len(lines)} lines on stdout"):
        return
    header, row = list(csv.reader(io.StringIO(p.stdout)))
    metrics = []

    def visit(prefix, g):
        for key in g.attrs:
            if "." not in key and isinstance(g.attrs[key], (float, np.floating, int, np.integer)):
                metrics.append((prefix + key, float(g.attrs[key])))
        for name, sub in g.items():
            if isinstance(sub, h5py.Group):
                visit(prefix + name + ".", sub)
    visit("", f["summary"])
    names = [n for n, _ in overrides]
    expect_header = ["case"] + names + [m for m, _ in metrics]
    tap.check(f"summary_csv_header_{tag}", header == expect_header,
              f"header starts {header[:len(names) + 3]}, {len(header)} columns; expected {expect_header[:len(names) + 3]}, "
              f"{len(expect_header)} columns")
    values_ok = len(row) == len(header) and row[0] == "layout" and row[1:1 + len(names)] == [v for _, v in overrides]
    worst = 0.0
    try:
        numbers = [float(v) for v in row[1 + len(names):]]
        for (name, want), got in zip(metrics, numbers):
            if name != "wall_time":
                worst = max(worst, abs(got - want) / max(abs(want), 1e-300))
        values_ok = values_ok and len(numbers) == len(metrics) and worst < 1e-9
    except ValueError as e:
        values_ok = False
        worst = f"{e}"
    tap.check(f"summary_csv_row_{tag}", values_ok, f"row starts {row[:len(names) + 3]}; metrics parse as numbers and match /summary to "
              f"{worst if isinstance(worst, str) else f'{worst:.2g}'} (tolerance 1e-9)")


def main():
    tap = Tap(__file__)
    wd = workdir("output")
    write(os.path.join(wd, "case.yaml"), CASE)
    version = photherm(["--version"], wd).stdout.strip()

    # the reference run: 2 ranks, two overrides
    over = [("gap", "2mm"), ("time.end", "2.5ms")]
    args = ["run", "case.yaml", "-o", "out.h5", "-quiet"]
    for k, v in over:
        args += ["-P", f"{k}={v}"]
    if tap.guard("run_reference", must_run, args, wd, 2):
        with h5py.File(os.path.join(wd, "out.h5"), "r") as f:
            tap.guard("layout", check_layout, tap, wd, f, version)
            tap.guard("summary_csv", check_csv, tap, wd, "out.h5", f, over)
        p = photherm(["summary", "out.h5"], wd)
        tap.check("summary_readable", p.returncode == 0 and "peak_temperature" in p.stdout and "degC" in p.stdout,
                  f"exit {p.returncode}, {len(p.stdout.splitlines())} lines")

    # no overrides: the header goes straight from case to the metrics
    if tap.guard("run_no_overrides", must_run, ["run", "case.yaml", "-o", "plain.h5", "-quiet"], wd):
        with h5py.File(os.path.join(wd, "plain.h5"), "r") as f:
            tap.guard("summary_csv_plain", check_csv, tap, wd, "plain.h5", f, [])

    tap.guard("empty_groups", check_empty_groups, tap, wd)

    # float32 snapshots
    if tap.guard("run_float32", must_run, ["run", "case.yaml", "-o", "f32.h5", "-quiet", "-P", "gap=2mm", "-P", "time.end=2.5ms",
                                           "-P", "output.precision=float32"], wd) and os.path.exists(os.path.join(wd, "out.h5")):
        with h5py.File(os.path.join(wd, "f32.h5"), "r") as a, h5py.File(os.path.join(wd, "out.h5"), "r") as b:
            t32, t64 = a["fields/temperature"][...], b["fields/temperature"][...]
            rel = float(np.abs(t32.astype(np.float64) - t64).max() / np.abs(t64).max()) if t32.shape == t64.shape else np.inf
            tap.check("float32_temperature", t32.dtype == np.float32 and rel < 1e-6,
                      f"dtype {t32.dtype}; max |T32 - T64| / max |T64| = {rel:.2g} (tolerance 1e-6)")
        xmf = open(os.path.join(wd, "f32.xmf")).read()
        m = re.search(r'Precision="(\d)" Format="HDF">f32\.h5:/fields/snapshots/t00000', xmf)
        tap.check("float32_xdmf_precision", m is not None and m.group(1) == "4", f"XDMF temperature Precision = {m.group(1) if m else None}")

    # a run that fails after it started: exit 1, one error line, existing results untouched, the partial file left
    targets = [os.path.join(wd, n) for n in ("keep.h5", "keep.xmf")]
    for path, content in zip(targets, (b"an earlier result, not HDF5\n", b"<earlier xdmf/>\n")):
        with open(path, "wb") as fp:
            fp.write(content)
    for label, extra, n in (("runaway", RUNAWAY, 1), ("runaway_2_ranks", RUNAWAY, 2),
                            ("linear_solver", ["-P", "time.mode=steady", "-P", "time.initial=steady", "-ksp_max_it", "1"], 1)):
        before = snapshot(targets)
        partial = os.path.join(wd, "keep.h5.partial")
        if os.path.exists(partial):
            os.remove(partial)
        try:
            p = photherm(["run", "case.yaml", "-o", "keep.h5", "-quiet"] + extra, wd, n, timeout=120)
        except Exception as e:  # noqa: BLE001 - a hang is a failure too
            tap.fail(f"failed_run_{label}", f"{type(e).__name__}: {e}")
            continue
        errs = error_lines(p.stderr)
        tap.check(f"failed_run_{label}_exit", p.returncode == 1 and len(errs) == 1 and not other_lines(p.stderr),
                  f"exit {p.returncode}, {len(errs)} error line(s): {errs[:2]}" + (f"; other stderr: {other_lines(p.stderr)[:3]}"
                                                                                   if other_lines(p.stderr) else ""))
        tap.check(f"failed_run_{label}_keeps_result", snapshot(targets) == before and os.path.exists(partial),
                  f"keep.h5 and keep.xmf unchanged: {snapshot(targets) == before}; keep.h5.partial left: {os.path.exists(partial)}")
    os.makedirs(os.path.join(wd, "blocked.h5.partial"))  # the output cannot be created, which is found only when the run starts
    p = photherm(["run", "case.yaml", "-o", "blocked.h5", "-quiet"], wd)
    errs = error_lines(p.stderr)
    tap.check("unwritable_output_exit", p.returncode == 1 and len(errs) == 1, f"exit {p.returncode}, {errs}")
    p = photherm(["run", "case.yaml", "-o", os.path.join(wd, "no", "such", "dir", "out.h5"), "-quiet"], wd)
    errs = error_lines(p.stderr)
    tap.check("missing_output_directory_is_bad_input", p.returncode == 2 and len(errs) == 1 and "does not exist" in errs[0], f"exit {p.returncode}, {errs}")

    # bad input: exit 2, only error lines, nothing created, an existing result untouched
    bad_case = CASE.replace("cells: 2}\n  - name: dies", "cells: 2, colour: red}\n  - name: dies").replace("h: 2e4 W/m^2/K", "h: 2e4 W/m/K")
    write(os.path.join(wd, "bad.yaml"), bad_case)
    for label, args in (("unknown_key_and_unit", ["run", "bad.yaml"]), ("bad_P_value", ["run", "case.yaml", "-P", "time.end=abc"]),
                        ("undeclared_P", ["run", "case.yaml", "-P", "nosuch=1 mm"]), ("missing_case", ["run", "nosuch.yaml"]),
                        ("P_without_value", ["run", "case.yaml", "-P", "gap"])):
        for target in ("fresh.h5", "keep.h5"):
            before = set(os.listdir(wd))
            kept = snapshot(targets)
            p = photherm(args + ["-o", target, "-quiet"], wd)
            errs = error_lines(p.stderr)
            created = sorted(set(os.listdir(wd)) - before)
            good = p.returncode == 2 and errs and not other_lines(p.stderr) and not created and snapshot(targets) == kept
            tap.check(f"bad_input_{label}_{target.split('.')[0]}", good,
                      f"exit {p.returncode}, {len(errs)} error line(s), created {created}, existing result unchanged "
                      f"{snapshot(targets) == kept}: {errs[:2]}")
    p = photherm(["check", "bad.yaml"], wd)
    errs = error_lines(p.stderr)
    located = [e for e in errs if re.match(r"photherm: error: bad\.yaml:\d+:\d+: \S", e)]
    tap.check("bad_input_all_problems_located", p.returncode == 2 and len(located) >= 2 and len(located) == len(errs),
              f"{len(errs)} error lines, {len(located)} of the form bad.yaml:LINE:COL: key: ...: {errs}")

    # unused options warn, used ones do not
    p = photherm(["run", "case.yaml", "-o", "warn.h5", "-quiet", "-P", "time.end=1ms", "-ts_tyep", "bdf"], wd)
    warn = [line for line in p.stderr.splitlines() if "-ts_tyep" in line and "warning" in line]
    tap.check("unused_option_warns", p.returncode == 0 and len(warn) == 1, f"exit {p.returncode}; {warn}")
    p = photherm(["run", "case.yaml", "-o", "warn.h5", "-quiet", "-P", "time.end=1ms", "-ts_type", "bdf"], wd)
    warn = [line for line in p.stderr.splitlines() if "not used" in line]
    tap.check("used_option_silent", p.returncode == 0 and not warn, f"exit {p.returncode}; -ts_type bdf warnings: {warn}")
    tap.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The full path's time integrator: which of PETSc's error-controlled integrators reaches the accuracy of photherm's
default in the fewest steps and the least CPU time (benchmarks/README.md section 10).

Usage: benchmarks/fullpath/run.py [--quick] [--only lumped,small,cpo-2d,cpo-2p5d,cpo-3d] [--window 20ms]
  --quick: the linear cases and the 2.5D example over 5 ms on 2 mm cells only

Cases:
  lumped  the copper plate of tests/verify/test_lumped.py cooling from 85 C: linear, one exponential as the answer
  small   the same plate heated from the ambient by 22 mW, so that its rise is 0.22 K: the exponential approach
  cpo-*   the shipped examples over their first --window (k(T), traces, optics), against a run of the same case
          solved tightly (BDF2 at 1e-5 K / 1e-6, or with --reference arkimex3 third-order ARKIMEX at 1e-6 K / 1e-7; linear
          solves to 1e-12), on the ring, laser, source and block
          temperatures of every sample; cpo-*-sparse: the same with samples every 10 ms instead of 0.5 ms, so that
          between the trace's edges the error control, not the landings, sets the steps
Each integrator runs at the default tolerances and at 10 and 100 times looser ones (-ph_atol_fraction, -ts_rtol), so
that a higher-order method can show the accuracy of the default at lower cost. CPU time is the user + system time of
the run (resource.getrusage), steps and preconditioner applications come from -log_view.

Writes benchmarks/results/fullpath/<date>-<host>.json and .md.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import bench  # noqa: E402

ROOT = bench.ROOT
sys.path.insert(0, os.path.join(ROOT, "tests", "verify"))
import test_lumped as lumped  # noqa: E402  (its case and constants; its checks run only as a script)

INTEGRATORS = {
    "beuler": [],  # overridden by --default-args when the default changes
    "beuler-extrap": ["-ts_type", "beuler", "-ts_theta_initial_guess_extrapolate"],
    "bdf2": ["-ts_type", "bdf", "-ts_bdf_order", "2"],
    "arkimex-l2": ["-ts_type", "arkimex", "-ts_arkimex_type", "l2"],
    "rosw": ["-ts_type", "rosw"],
}
FACTORS = [1, 10, 100]
BEFORE = ["-ts_atol", "0.01"]  # the absolute tolerance before it followed the case's rise (run once, at factor 1)
BIN = bench.PHOTHERM
REFERENCES = {  # the tightly solved run every example is compared with
    "bdf2": ["-ts_type", "bdf", "-ts_bdf_order", "2", "-ts_atol", "1e-5", "-ts_rtol", "1e-6", "-ksp_rtol", "1e-12", "-ph_ksp_floor", "0"],
    "arkimex3": ["-ts_type", "arkimex", "-ts_arkimex_type", "3", "-ts_atol", "1e-6", "-ts_rtol", "1e-7", "-ksp_rtol", "1e-12", "-ph_ksp_floor", "0"],
}
SMALL_POWER = 0.022  # W: a 0.22 K rise of the plate (G = 0.1 W/K)


def lumped_case():
    """The plate of test_lumped.py with 8 samples instead of 57, so that the error control, not the landings, sets the steps."""
    return lumped.CASE.replace("series_every: 0.25 s", "series_every: 1.75 s")


def small_case():
    """The lumped plate heated from the ambient: T = T_amb + P/G (1 - exp(-t/tau))."""
    text = lumped_case().replace(f'initial: "{lumped.T0} C"', f'initial: "{lumped.T_AMB} C"')
    return text.replace("power: 0 W", f"power: {SMALL_POWER} W")


def small_exact(t):
    g = lumped.H_EFF * 1e-4  # W/K over the 10 x 10 mm face
    return lumped.T_AMB + SMALL_POWER / g * (1 - np.exp(-t / lumped.TAU))


def lumped_exact(t):
    return lumped.T_AMB + (lumped.T0 - lumped.T_AMB) * np.exp(-t / lumped.TAU)


def run(case, args, work, tag):
    out = os.path.join(work, tag + ".h5")
    logf = os.path.join(work, tag + ".log")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run([BIN, "run", case, "-quiet", "-o", out, "-log_view", ":" + logf] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=bench.ENV, timeout=3600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        return {"failed": p.stderr.strip()[-300:]}
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    counts = {}
    for line in open(logf):
        w = line.split()
        if len(w) > 4 and w[0] in ("TSStep", "PCApply", "KSPSolve"):
            counts[w[0]] = int(w[1])
    with h5py.File(out, "r") as f:
        series = {k: f["series/" + k][()] for k in ("time", "sources/t_max", "sources/t_mean", "blocks/t_max", "blocks/t_mean",
                                                      "rings/temperature", "lasers/temperature") if "series/" + k in f}
        energy = float(np.max(np.abs(f["series/energy_error"][()])))
    return {"cpu_s": cpu, "steps": counts.get("TSStep", 0), "pc": counts.get("PCApply", 0), "series": series, "energy": energy}


def error_vs(res, ref):
    """Largest difference of the device temperatures against the reference, K, and the largest rise of the reference."""
    err, rise = 0.0, 0.0
    for k, v in ref["series"].items():
        if k == "time" or v.size == 0:
            continue
        err = max(err, float(np.max(np.abs(res["series"][k] - v))))
        rise = max(rise, float(np.max(v) - np.min(v[0])))
    return err, rise


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only")
    ap.add_argument("--window", default="10ms")
    ap.add_argument("--factors", default="1,10,100", help="tolerance factors")
    ap.add_argument("--integrators", help="comma-separated subset of " + ",".join(INTEGRATORS))
    ap.add_argument("--bin", help="the photherm binary to measure (default bin/photherm)")
    ap.add_argument("--reference", default="bdf2", choices=sorted(REFERENCES), help="the integrator of the tight reference run")
    a = ap.parse_args(argv)
    global BIN
    BIN = a.bin or BIN
    res = bench.header("fullpath", "quick" if a.quick else "full")
    names = a.only.split(",") if a.only else (["lumped", "small", "cpo-2p5d"] if a.quick else ["lumped", "small", "cpo-2d", "cpo-2p5d", "cpo-3d"])
    integrators = a.integrators.split(",") if a.integrators else list(INTEGRATORS)
    factors = [int(f) for f in a.factors.split(",")]
    res["runs"] = []
    os.makedirs(bench.WORK, exist_ok=True)
    work = tempfile.mkdtemp(dir=bench.WORK, prefix="fullpath-")
    for name in names:
        if name in ("lumped", "small"):
            case = bench_write(work, name, lumped_case() if name == "lumped" else small_case())
            params = []
            exact = lumped_exact if name == "lumped" else small_exact
            ref = None
        else:
            sparse = name.endswith("-sparse")  # samples every 10 ms: between trace edges the error control sets the steps
            case = os.path.join(ROOT, "cases", name.replace("-sparse", "") + ".yaml")
            window = "5ms" if a.quick else a.window
            params = ["-P", "time.end=" + window, "-P", "optics.metrics_from=0"] + (["-P", "cell=2mm"] if a.quick else [])
            if sparse:
                params += ["-P", "output.series_every=10ms", "-P", "output.fields_every=" + window]
            bench.log(f"{name}: tight reference")
            ref = run(case, params + REFERENCES[a.reference], work, name + "-ref")
            if "failed" in ref:
                raise RuntimeError(f"{name} reference: {ref['failed']}")
        for factor, integ in [(1, "beuler-atol-0.01K")] + [(f, i) for f in factors for i in integrators]:  # interleaved
            if True:
                if integ == "beuler-atol-0.01K":
                    args = BEFORE
                else:
                    args = INTEGRATORS[integ] + ["-ph_atol_fraction", f"{1e-4 * factor:g}", "-ts_rtol", f"{1e-3 * factor:g}"]
                bench.log(f"{name}: {integ} x{factor}")
                r = run(case, params + args, work, f"{name}-{integ}-{factor}")
                row = {"case": name, "integrator": integ, "factor": factor}
                if "failed" in r:
                    row["error"] = r["failed"]
                else:
                    if ref is None:
                        t = r["series"]["time"]
                        got = r["series"]["sources/t_mean"][:, 0]
                        ex = exact(t)
                        row["error_K"] = float(np.max(np.abs(got - ex)))
                        row["rise_K"] = float(np.max(np.abs(ex - ex[0])))
                    else:
                        row["error_K"], row["rise_K"] = error_vs(r, ref)
                    row.update({k: r[k] for k in ("cpu_s", "steps", "pc", "energy")})
                res["runs"].append(row)
                bench.log(f"  {row}")
    bench.save(res, "fullpath", table)
    return res


def bench_write(work, name, text):
    path = os.path.join(work, name + ".yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def table(res):
    lines = ["| case | integrator | tolerance x | steps | PC applications | CPU s | error K | error / rise | energy error |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in res["runs"]:
        if "error" in r:
            lines.append(f"| {r['case']} | {r['integrator']} | {r['factor']} | failed: {r['error'][:80]} | | | | | |")
            continue
        lines.append(f"| {r['case']} | {r['integrator']} | {r['factor']} | {r['steps']} | {r['pc']} | {r['cpu_s']:.2f} | {r['error_K']:.2e} | "
                     f"{r['error_K'] / max(r['rise_K'], 1e-300):.1e} | {r['energy']:.1e} |")
    return f"photherm {res['git_describe']}, load average at the start {res['loadavg_start'][0]:.1f}\n\n" + "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The scan driver and the plot scripts (README.md, Scans): scripts/scan.py, scripts/plot_scan.py, scripts/plot_run.py.

1. A 2 x 2 scan of the shipped 2.5D case (gap x cold-plate h, shortened with `set`) plus the 2D case, which declares
   no `gap` and so runs once per h: results.csv has one row per point with the expected columns (label, case,
   status, error, the grid parameters, then the metrics), every point done, and each row's metrics equal what
   `photherm summary --csv` prints for that point's file; the points differ where the physics says (a weaker cold
   plate runs hotter).
2. Resume: a scan stopped with SIGTERM after its first point exits 130 and keeps that point; the next invocation
   runs only the rest (the finished file is untouched) and completes the CSV.
3. A failed point (a value the case rejects) is recorded with its exit status and error, and the others finish.
4. SLURM mode writes a job array with one task per pending point (with the slurm: resources: ranks, cpus, memory,
   extra sbatch arguments), a collect job and a submit script that bash accepts; a task runs its point through srun
   with the MPI plug-in (pmix where srun offers it) and the extra srun arguments, and a task whose run fails is
   recorded as failed with its exit status and error line, exactly as a local run (the real SLURM test is
   test_slurm.py).
5. Reuse of the reduced model: a scan over the ASIC power scale with time.method: reduced builds one model into
   out/reduced-models (one file, no partial one left), the first point builds it (reduced_shifts > 0) and the second
   reuses it (reduced_shifts 0), and the second point's ring and source temperatures agree with a run of that point
   that builds its own model within time.reduced.tolerance.
6. plot_scan.py writes one PNG per metric and parameter (with the 2D case as a line of its own); plot_run.py writes
   the time series of one point to a PNG; both are valid PNG images."""
import csv
import io
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import BIN, MPI_ENV, ROOT, Tap, workdir, write  # noqa: E402

PY = "/usr/bin/python3"
SCAN = os.path.join(ROOT, "scripts", "scan.py")
SHORT = "{cell: 4 mm, time.end: 2 ms, optics.metrics_from: 0, output.series_every: 1 ms, yield.samples: 200}"


def scan_file(d, name, grid, extra=""):
    return write(os.path.join(d, name), f"""cases: {{2.5D: {ROOT}/cases/cpo-2p5d.yaml, 2D: {ROOT}/cases/cpo-2d.yaml}}
grid:
{grid}
set: {SHORT}
run: {{ranks: 1, jobs: 2}}
out: out-{name[:-5]}
{extra}""")


def run_scan(args, cwd, timeout=600):
    return subprocess.run([PY, SCAN] + args, cwd=cwd, env=dict(os.environ, **MPI_ENV), capture_output=True, text=True, timeout=timeout)


def read_csv(path):
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        return r.fieldnames, list(r)


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 5000


def check_scan(tap, d):
    path = scan_file(d, "two.yaml", "  gap: [1 mm, 3 mm]\n  h_cold_plate: [5e3 W/m^2/K, 2e4 W/m^2/K]")
    p = run_scan([path, "--no-plots"], d)
    tap.check("2x2 scan exits 0", p.returncode == 0, f"exit {p.returncode}; {p.stdout.strip()[-300:]} {p.stderr.strip()[-500:]}")
    header, rows = read_csv(os.path.join(d, "out-two", "results.csv"))
    tap.check("results.csv columns", header[:6] == ["label", "case", "status", "error", "gap", "h_cold_plate"] and "peak_temperature" in header
              and "links.link0.stable_throughput" in header and "links.link0.yield_adjusted_bandwidth" in header, f"header starts {header[:8]}")
    labels = sorted((r["label"], r["gap"], r["h_cold_plate"]) for r in rows)
    expect = sorted([("2.5D", g, h) for g in ("1 mm", "3 mm") for h in ("5e3 W/m^2/K", "2e4 W/m^2/K")] + [("2D", "", h) for h in ("5e3 W/m^2/K", "2e4 W/m^2/K")])
    tap.check("one row per point; 2D (no gap parameter) not varied over gap", labels == expect, f"rows {labels}")
    tap.check("every point done", all(r["status"] == "done" and r["error"] == "" for r in rows), f"statuses {[r['status'] for r in rows]}")
    # each row equals photherm summary --csv of its point
    worst = 0.0
    for r in rows:
        name = r["label"] + "".join(f"__{k}={r[k].replace(' ', '').replace('/', '_')}" for k in ("gap", "h_cold_plate") if r[k])
        s = subprocess.run([BIN, "summary", os.path.join(d, "out-two", "points", name + ".h5"), "--csv"], capture_output=True, text=True)
        sh, sv = list(csv.reader(io.StringIO(s.stdout)))
        summary = dict(zip(sh, sv))
        for k in ("peak_temperature", "links.link0.tuning_power_mean", "links.link0.min_margin", "links.link0.spectral_yield"):
            worst = max(worst, abs(float(summary[k]) - float(r[k])))
    tap.check("rows hold the points' summaries", worst == 0.0, f"largest difference {worst:g}")
    by = {(r["label"], r["gap"], r["h_cold_plate"]): r for r in rows}
    hot, cold = float(by[("2.5D", "1 mm", "5e3 W/m^2/K")]["peak_temperature"]), float(by[("2.5D", "1 mm", "2e4 W/m^2/K")]["peak_temperature"])
    tap.check("a weaker cold plate runs hotter", hot > cold + 20, f"peak {hot:.1f} C with h 5e3, {cold:.1f} C with h 2e4")
    return path


def check_reduced_reuse(tap, d):
    import h5py
    import numpy as np

    path = write(os.path.join(d, "reuse.yaml"), f"""cases: {{2.5D: {ROOT}/cases/cpo-2p5d.yaml}}
grid:
  asic_scale: [1, 0.8]
set: {{cell: 4 mm, time.end: 20 ms, optics.metrics_from: 0, output.series_every: 1 ms, yield.samples: 200, time.method: reduced}}
run: {{ranks: 1, jobs: 1}}
out: out-reuse
""")
    p = run_scan([path, "--no-plots"], d)
    tap.check("reduced scan exits 0", p.returncode == 0, f"exit {p.returncode}; {p.stdout.strip()[-300:]} {p.stderr.strip()[-500:]}")
    cache = os.path.join(d, "out-reuse", "reduced-models")
    files = sorted(os.listdir(cache)) if os.path.isdir(cache) else []
    tap.check("one reduced model for the scan", len(files) == 1 and files[0].startswith("reduced-") and files[0].endswith(".h5"), f"cache holds {files}")
    points = os.path.join(d, "out-reuse", "points")
    shifts = {}
    for name in sorted(n for n in os.listdir(points) if n.endswith(".h5")):
        with h5py.File(os.path.join(points, name), "r") as f:
            shifts[name] = float(f["summary"].attrs["reduced_shifts"])
    tap.check("the first point builds the model, the second reuses it", sorted(shifts.values())[0] == 0 and sorted(shifts.values())[1] > 0,
              f"reduced_shifts {shifts}")
    reused = [n for n, v in shifts.items() if v == 0][0]
    own = os.path.join(d, "reuse-own.h5")
    args = [BIN, "run", os.path.join(ROOT, "cases", "cpo-2p5d.yaml"), "-o", own, "-quiet"]
    for o in ("cell=4mm", "time.end=20ms", "optics.metrics_from=0", "output.series_every=1ms", "yield.samples=200", "time.method=reduced",
              "asic_scale=" + ("0.8" if "asic_scale=0.8" in reused else "1")):
        args += ["-P", o]
    q = subprocess.run(args, cwd=d, env=dict(os.environ, **MPI_ENV), capture_output=True, text=True, timeout=600)
    worst = np.inf
    if q.returncode == 0:
        with h5py.File(own, "r") as a, h5py.File(os.path.join(points, reused), "r") as b:
            worst = max(float(np.max(np.abs(a[f"series/{g}"][()] - b[f"series/{g}"][()])))
                        for g in ("rings/temperature", "sources/t_mean", "sources/t_max"))
    tap.check("the reusing point agrees with its own model within the tolerance", worst <= 0.05,
              f"largest ring/source temperature difference {worst:.2e} K (time.reduced.tolerance 0.05 K); own run exit {q.returncode}")


def check_plots(tap, d):
    out = os.path.join(d, "out-two")
    p = subprocess.run([PY, os.path.join(ROOT, "scripts", "plot_scan.py"), os.path.join(out, "results.csv"), "-o", os.path.join(out, "plots"),
                        "--metric", "peak_temperature", "--metric", "links.link0.tuning_power_mean"], capture_output=True, text=True)
    pngs = sorted(f for f in os.listdir(os.path.join(out, "plots"))) if os.path.isdir(os.path.join(out, "plots")) else []
    expect = sorted(f"{m}__vs__{x}.png" for m in ("peak_temperature", "links.link0.tuning_power_mean") for x in ("gap", "h_cold_plate"))
    tap.check("plot_scan.py writes one PNG per metric and parameter", p.returncode == 0 and pngs == expect
              and all(is_png(os.path.join(out, "plots", f)) for f in pngs), f"exit {p.returncode}, files {pngs} {p.stderr.strip()[-300:]}")
    point = os.path.join(out, "points", "2.5D__gap=1mm__h_cold_plate=2e4W_m^2_K.h5")
    png = os.path.join(d, "run.png")
    p = subprocess.run([PY, os.path.join(ROOT, "scripts", "plot_run.py"), point, "-o", png], capture_output=True, text=True)
    tap.check("plot_run.py writes the time series of a run", p.returncode == 0 and os.path.exists(png) and is_png(png), f"exit {p.returncode} {p.stderr.strip()[-300:]}")
    p = subprocess.run([PY, os.path.join(ROOT, "scripts", "plot_run.py"), os.path.join(out, "results.csv")], capture_output=True, text=True)
    tap.check("plot_run.py refuses a file that is not a result", p.returncode == 2 and "error" in p.stderr, f"exit {p.returncode}: {p.stderr.strip()}")


def check_resume(tap, d):
    path = scan_file(d, "resume.yaml", "  gap: [1 mm, 2 mm]\n  h_cold_plate: [5e3 W/m^2/K, 2e4 W/m^2/K]", "")
    out = os.path.join(d, "out-resume", "points")
    proc = subprocess.Popen([PY, SCAN, path, "--jobs", "1", "--no-plots"], cwd=d, env=dict(os.environ, **MPI_ENV), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first, t0 = None, time.time()
    while first is None and time.time() - t0 < 120 and proc.poll() is None:
        done = [f for f in os.listdir(out) if f.endswith(".h5")] if os.path.isdir(out) else []
        first = done[0] if done else None
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    stdout, _ = proc.communicate(timeout=120)
    kept = sorted(f for f in os.listdir(out) if f.endswith(".h5"))
    tap.check("SIGTERM stops the scan with exit 130 and keeps finished points", proc.returncode == 130 and first in kept and len(kept) < 6,
              f"exit {proc.returncode}, first point {first}, kept {kept}; {stdout.strip()[-200:]}")
    stamps = {f: os.path.getmtime(os.path.join(out, f)) for f in kept}
    p = run_scan([path, "--no-plots"], d)
    _, rows = read_csv(os.path.join(d, "out-resume", "results.csv"))
    tap.check("the next run does only the remaining points", p.returncode == 0 and f"{len(kept)} already done, running {6 - len(kept)}" in p.stderr
              and all(os.path.getmtime(os.path.join(out, f)) == t for f, t in stamps.items()), f"exit {p.returncode}; {p.stderr.strip().splitlines()[:1]}")
    tap.check("resumed scan completes the CSV", len(rows) == 6 and all(r["status"] == "done" for r in rows), f"{len(rows)} rows, {[r['status'] for r in rows]}")


def check_failure(tap, d):
    path = scan_file(d, "bad.yaml", "  gap: [1 mm, 80 mm]")  # 80 mm puts the PIC outside the footprint
    p = run_scan([path, "--no-plots"], d)
    _, rows = read_csv(os.path.join(d, "out-bad", "results.csv"))
    bad = [r for r in rows if r["status"] == "failed"]
    good = [r for r in rows if r["status"] == "done"]
    tap.check("a failed point is recorded with its error and the scan goes on",
              p.returncode == 1 and len(bad) == 1 and bad[0]["gap"] == "80 mm" and "exit 2" in bad[0]["error"] and "footprint" in bad[0]["error"]
              and len(good) == 2, f"exit {p.returncode}; rows {[(r['label'], r['gap'], r['status'], r['error'][:80]) for r in rows]}")
    p = run_scan([path, "--collect", "--no-plots"], d)
    _, again = read_csv(os.path.join(d, "out-bad", "results.csv"))
    tap.check("a later --collect still reports the failure", [r["error"] for r in again if r["status"] == "failed"] == [bad[0]["error"]]
              and bad[0]["error"].startswith("exit 2: photherm: error: "), f"{[(r['status'], r['error'][:60]) for r in again]}")


FAKE_SRUN = """#!/bin/sh
# srun of a machine without SLURM: lists the MPI plug-ins of Debian's slurm-wlm, logs its arguments, runs the program
if [ "$1" = "--mpi=list" ]; then printf 'MPI plugin types are...\\n\\tnone\\n\\tcray_shasta\\n\\tpmi2\\n\\tpmix\\nspecific pmix plugin versions available: pmix_v4\\n'; exit 0; fi
echo "$*" >> "{log}"
while [ $# -gt 0 ]; do case "$1" in -n) shift 2;; -*) shift;; *) break;; esac; done
exec "$@"
"""


def check_slurm(tap, d):
    path = scan_file(d, "slurm.yaml", "  gap: [1 mm, 2 mm, 80 mm]\n  h_cold_plate: [5e3 W/m^2/K, 2e4 W/m^2/K]",
                     "slurm: {partition: batch, time: \"00:20:00\", ranks: 4, jobs: 3, cpus_per_task: 2, mem: 4G, "
                     "sbatch_args: [--exclusive], srun_args: [--cpu-bind=cores]}")
    p = run_scan([path, "-P", "yield.samples=100"], d)
    out = os.path.join(d, "out-slurm")
    files = [os.path.join(out, f) for f in ("scan.sbatch", "collect.sbatch", "submit.sh", "tasks.txt")]
    ok = p.returncode == 0 and all(os.path.exists(f) for f in files)
    tap.check("SLURM mode writes the array, collect and submit scripts", ok, f"exit {p.returncode}: {p.stdout.strip()} {p.stderr.strip()[-300:]}")
    if not ok:
        return
    text = open(files[0]).read()
    syntax = all(subprocess.run(["bash", "-n", f]).returncode == 0 for f in files[:3])
    tasks = open(files[3]).read().split()
    tap.check("the job array has one task per point and the slurm: resources", syntax and len(tasks) == 8 and "#SBATCH --array=0-7%3" in text
              and "#SBATCH --ntasks=4" in text and "#SBATCH --partition=batch" in text and "#SBATCH --time=00:20:00" in text
              and "#SBATCH --cpus-per-task=2" in text and "#SBATCH --mem=4G" in text and "#SBATCH --exclusive" in text
              and '--task "$SLURM_ARRAY_TASK_ID"' in text and "-P yield.samples=100" in text
              and "--dependency=afterany" in open(files[2]).read() and "--collect" in open(files[1]).read(),
              f"{len(tasks)} tasks; script:\n{text}")
    bad = run_scan([write(os.path.join(d, "slurm-bad.yaml"), open(path).read().replace("jobs: 3,", "jobs: 3, memory: 4G,"))], d)
    tap.check("an unknown slurm: key is exit 2", bad.returncode == 2 and "slurm.memory: unknown key" in bad.stderr, f"exit {bad.returncode}: {bad.stderr}")
    # run two tasks as the array would, with an srun that only logs and runs: a good point and one the case refuses
    fake = os.path.join(d, "fakebin")
    os.makedirs(fake, exist_ok=True)
    log = os.path.join(d, "srun.log")
    write(os.path.join(fake, "srun"), FAKE_SRUN.format(log=log))
    os.chmod(os.path.join(fake, "srun"), 0o755)
    env = dict(os.environ, **MPI_ENV)
    env["PATH"] = fake + os.pathsep + env["PATH"]
    line = [ln for ln in text.splitlines() if "--task" in ln][0].replace('"$SLURM_ARRAY_TASK_ID"', "{}")
    good, failing = tasks.index("2.5D__gap=1mm__h_cold_plate=5e3W_m^2_K"), tasks.index("2.5D__gap=80mm__h_cold_plate=5e3W_m^2_K")
    runs = [subprocess.run(["bash", "-c", line.format(i)], cwd=d, env=env, capture_output=True, text=True, timeout=300) for i in (good, failing)]
    srun = open(log).read().split("\n") if os.path.exists(log) else []
    tap.check("a task runs its point with srun --mpi=pmix, the ranks, cpus and srun_args", runs[0].returncode == 0 and srun
              and srun[0].startswith("--mpi=pmix -n 4 --cpus-per-task=2 --cpu-bind=cores ") and BIN in srun[0],
              f"exit {runs[0].returncode}; srun {srun[:1]}; {runs[0].stderr.strip()[-300:]}")
    failed = os.path.join(out, "logs", tasks[failing] + ".failed")
    tap.check("a task that ran and failed records its exit status and error line", runs[1].returncode == 1 and os.path.exists(failed)
              and open(failed).read().startswith("exit 2: photherm: error: ") and "footprint" in open(failed).read(),
              f"exit {runs[1].returncode}; {open(failed).read().strip() if os.path.exists(failed) else 'no ' + failed}")
    p = run_scan([path, "--collect", "--no-plots", "-P", "yield.samples=100"], d)
    _, rows = read_csv(os.path.join(out, "results.csv"))
    status = {r["label"] + r["gap"] + r["h_cold_plate"]: (r["status"], r["error"]) for r in rows}
    tap.check("collect: the task done, the failed task failed with its error as local mode writes it, the others pending",
              status["2.5D1 mm5e3 W/m^2/K"] == ("done", "") and status["2.5D80 mm5e3 W/m^2/K"][0] == "failed"
              and status["2.5D80 mm5e3 W/m^2/K"][1].startswith("exit 2: photherm: error:")
              and sum(v[0] == "pending" for v in status.values()) == 6 and "1 failed" in p.stdout, f"statuses {status}; {p.stdout.strip()}")
    p = run_scan([write(os.path.join(d, "broken.yaml"), "cases: {A: nothing.yaml}\ngrid: {}\nout: x\n")], d)
    tap.check("a bad scan file is exit 2 with one line", p.returncode == 2 and p.stderr.count("\n") == 1 and "nothing.yaml" in p.stderr, f"exit {p.returncode}: {p.stderr}")


def main():
    tap = Tap(__file__)
    d = workdir("scan")
    t0 = time.time()
    tap.guard("scan", check_scan, tap, d)
    tap.guard("plots", check_plots, tap, d)
    tap.guard("resume", check_resume, tap, d)
    tap.guard("failure", check_failure, tap, d)
    tap.guard("slurm", check_slurm, tap, d)
    tap.guard("reduced reuse", check_reduced_reuse, tap, d)
    tap.note(f"test_scan.py: {time.time() - t0:.1f} s")
    tap.finish()


if __name__ == "__main__":
    main()

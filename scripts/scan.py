#!/usr/bin/python3
"""Run a parameter scan of photherm cases (README.md, "Scans") and collect the summaries into one CSV.

Usage:
  scripts/scan.py SCAN.yaml [options]

A scan is case files times a Cartesian grid of -P parameters:

  cases: {2D: ../cpo-2d.yaml, 2.5D: ../cpo-2p5d.yaml, 3D: ../cpo-3d.yaml}   # labels are plot lines
  grid:                          # Cartesian product; parameter names or dotted key paths
    gap: [0.5 mm, 1 mm, 2 mm]
    boundaries.top.h: [5e3 W/m^2/K, 2e4 W/m^2/K]
  rename: {3D: {gap: bond_thickness}}   # per-case parameter names
  set: {time.end: 100 ms}        # optional: fixed -P overrides for every point
  run: {ranks: 1, jobs: 2}       # local: `jobs` points at a time, each on `ranks` MPI ranks
  # slurm: {partition: batch, time: "01:00:00", ranks: 4, jobs: 16}   # write a SLURM job array instead; also
  #        account, qos, mpi (auto: the srun plug-in the MPI needs), cpus_per_task, mem, mem_per_cpu, sbatch_args, srun_args
  out: ../../results/integration-depth   # relative to this file
  plots: [links.link0.stable_throughput, ...]   # optional: metrics plotted against each grid parameter

Paths in the scan file are relative to the scan file. A grid parameter without a dot that a case does not declare
under `parameters` (after `rename`) is not varied for that case. Each point writes OUT/points/<point>.h5 (as
<point>.h5.partial until complete); a point whose file exists is done, so an interrupted scan resumes where it
stopped. A failed point is recorded with its exit status and error line in OUT/logs/<point>.failed and
OUT/results.csv, its log in OUT/logs/<point>.log, and the scan goes on; running the scan again retries it. SLURM array
tasks run their point through this script (--task) with srun, and record it the same way.

Outputs in OUT: results.csv (one row per point: label, case, status, error, the grid parameters, then every metric
of `photherm summary --csv`), metrics.csv (the units and definition of every metric), logs/, points/, and
plots/*.png (scripts/plot_scan.py) unless --no-plots.

Options:
  --jobs N, --ranks M   override run.jobs and run.ranks
  -P name=value         a fixed override for every point (after `set`), e.g. -P time.end=2ms
  --slurm               write OUT/scan.sbatch (a job array, one task per pending point), OUT/collect.sbatch and
                        OUT/submit.sh instead of running (also when the scan has a `slurm:` section)
  --collect             do not run anything: collect the finished points into results.csv (and plot)
  --list                print the points and whether each is done, then exit
  --no-plots            do not draw plots after collecting
  --photherm PATH       the photherm program (default: $PHOTHERM, else bin/photherm of this repository, else the
                        installed one beside these scripts, else photherm on PATH)
  --mpirun CMD          how to start MPI jobs (default: run.mpirun or "mpirun")
  --task N              (the job array's command) run task N of OUT/tasks.txt with srun and record it
Exit status: 0 when every point is done, 1 when some failed, 2 for a bad scan file or usage, 130 when interrupted
(SIGINT or SIGTERM stop the running points; the finished ones are kept).
"""
import concurrent.futures
import csv
import io
import itertools
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

try:
    import yaml
except ImportError:  # pragma: no cover - Debian's python3-yaml is a dependency (make deps)
    sys.stderr.write("scan.py: error: PyYAML is missing; run `make deps` (Debian package python3-yaml)\n")
    sys.exit(2)

SCRIPTS = os.path.dirname(os.path.realpath(__file__))  # scripts/ of the repository, or PREFIX/share/photherm/scripts
ROOT = os.path.dirname(SCRIPTS)
FIXED_COLUMNS = ["label", "case", "status", "error"]
# the keys of a scan's `slurm:` section (README.md, Scan file format)
SLURM_KEYS = {"partition", "account", "qos", "time", "ranks", "jobs", "mpi", "cpus_per_task", "mem", "mem_per_cpu", "sbatch_args", "srun_args"}


class ScanError(Exception):
    """Bad scan file or usage: reported as one line, exit status 2."""


def fail(msg):
    raise ScanError(msg)


def safe(text):
    """A file-name-safe rendering of a parameter value or name: '0.5 mm' -> '0.5mm', 'W/m^2/K' -> 'W_m^2_K'."""
    text = re.sub(r"\s+", "", str(text))
    return re.sub(r"[^A-Za-z0-9.^+\-=]", "_", text)


def declared_parameters(path, seen=None):
    """Names declared under `parameters` by a case file and the files it includes (relative to each file)."""
    seen = set() if seen is None else seen
    path = os.path.abspath(path)
    if path in seen:
        return set()
    seen.add(path)
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        fail(f"{path}: cannot read the case: {e}")
    names = set()
    if isinstance(doc, dict):
        if isinstance(doc.get("parameters"), dict):
            names.update(str(k) for k in doc["parameters"])
        inc = doc.get("include", [])
        for rel in [inc] if isinstance(inc, str) else (inc or []):
            names |= declared_parameters(os.path.join(os.path.dirname(path), str(rel)), seen)
    return names


def default_photherm():
    """bin/photherm of this repository, else the photherm installed beside these scripts (make install), else on PATH."""
    for candidate in (os.path.join(ROOT, "bin", "photherm"), os.path.join(ROOT, "..", "..", "bin", "photherm")):
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("photherm") or os.path.join(ROOT, "bin", "photherm")


class Point:
    """One run: a case label and the values of the grid parameters that apply to it."""

    def __init__(self, scan, label, case, values):
        self.label, self.case, self.values = label, case, values  # values: {grid name: value text}
        rename = scan.rename.get(label, {})
        self.overrides = [f"{k}={v}" for k, v in scan.fixed] + [f"{rename.get(k, k)}={v}" for k, v in values.items()]
        name = safe(label) + "".join(f"__{safe(k)}={safe(v)}" for k, v in values.items())
        self.name = name
        self.output = os.path.join(scan.out, "points", name + ".h5")
        self.log = os.path.join(scan.out, "logs", name + ".log")
        self.failed = os.path.join(scan.out, "logs", name + ".failed")  # "exit N: error line" of its last failed run

    def done(self):
        return os.path.exists(self.output)

    def command(self, scan, launcher):
        """photherm run of this point, after `launcher` (mpirun or srun with their arguments, or nothing)."""
        cmd = [scan.photherm, "run", self.case]
        for o in self.overrides:
            cmd += ["-P", o]
        # points that differ only in powers, traces or optics share one reduced model (time.method: reduced): the
        # first to need it builds it into the cache, the others reuse it (cases/README.md section 13)
        cache = os.path.join(scan.out, "reduced-models")
        return launcher + cmd + ["-o", self.output, "-quiet", "-ph_reduced_cache", cache]


class Scan:
    def __init__(self, path, args):
        self.path = os.path.abspath(path)
        base = os.path.dirname(self.path)
        try:
            with open(self.path) as f:
                doc = yaml.safe_load(f)
        except OSError as e:
            fail(f"{path}: cannot read the scan file: {e.strerror}")
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
            fail(f"{where}: not valid YAML: {getattr(e, 'problem', e)}")
        if not isinstance(doc, dict):
            fail(f"{path}: expected a mapping with cases, grid, run and out")
        known = {"cases", "grid", "rename", "set", "run", "slurm", "out", "plots"}
        for key in doc:
            if key not in known:
                fail(f"{path}: {key}: unknown key (expected one of {', '.join(sorted(known))})")
        cases = doc.get("cases")
        if not isinstance(cases, dict) or not cases:
            fail(f"{path}: cases: expected a mapping of labels to case files, such as {{2D: ../cpo-2d.yaml}}")
        self.cases, self.given = {}, {}
        for label, rel in cases.items():
            case = os.path.normpath(os.path.join(base, str(rel)))
            if not os.path.isfile(case):
                fail(f"{path}: cases.{label}: no such case file {case}")
            self.cases[str(label)] = case
            self.given[str(label)] = str(rel)
        grid = doc.get("grid") or {}
        if not isinstance(grid, dict):
            fail(f"{path}: grid: expected a mapping of parameter names to lists of values")
        self.grid = {}
        for name, values in grid.items():
            if not isinstance(values, list) or not values:
                fail(f"{path}: grid.{name}: expected a non-empty list of values, such as [1 mm, 2 mm]")
            self.grid[str(name)] = [str(v) for v in values]
        self.rename = {str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in (doc.get("rename") or {}).items()}
        for label in self.rename:
            if label not in self.cases:
                fail(f"{path}: rename.{label}: not a case label ({', '.join(self.cases)})")
        self.fixed = [(str(k), str(v)) for k, v in (doc.get("set") or {}).items()]
        for o in args.P:
            if "=" not in o:
                fail(f"-P {o}: expected name=value")
            k, v = o.split("=", 1)
            self.fixed.append((k, v))
        run = doc.get("run") or {}
        self.slurm = doc.get("slurm")
        if self.slurm is not None and not isinstance(self.slurm, dict):
            fail(f"{path}: slurm: expected a mapping such as {{partition: batch, time: \"01:00:00\", ranks: 4}}")
        for key in self.slurm or {}:
            if key not in SLURM_KEYS:
                fail(f"{path}: slurm.{key}: unknown key (expected one of {', '.join(sorted(SLURM_KEYS))})")
        for key in ("sbatch_args", "srun_args"):
            value = (self.slurm or {}).get(key, [])
            if isinstance(value, str):
                value = shlex.split(value)
            if not isinstance(value, list):
                fail(f"{path}: slurm.{key}: expected a list of arguments, such as [--exclusive]")
            (self.slurm or {})[key] = [str(v) for v in value]
        self.ranks = int(args.ranks or (self.slurm or {}).get("ranks", 0) or run.get("ranks", 1))
        self.jobs = int(args.jobs or (self.slurm or {}).get("jobs", 0) or run.get("jobs", 1))
        if self.ranks < 1 or self.jobs < 1:
            fail(f"{path}: run: ranks and jobs must be at least 1")
        self.mpirun = args.mpirun or run.get("mpirun", "mpirun")
        if "out" not in doc:
            fail(f"{path}: out: missing (the directory of the results, relative to the scan file)")
        self.out = os.path.normpath(os.path.join(base, str(doc["out"])))
        self.plots = [str(m) for m in (doc.get("plots") or [])]
        self.photherm = os.path.abspath(args.photherm or os.environ.get("PHOTHERM") or default_photherm())
        self.points = self.expand()

    def expand(self):
        points = []
        for label, case in self.cases.items():
            declared = declared_parameters(case)
            rename = self.rename.get(label, {})
            names = [n for n in self.grid if "." in n or rename.get(n, n) in declared]
            for combo in itertools.product(*(self.grid[n] for n in names)):
                points.append(Point(self, label, case, dict(zip(names, combo))))
        return points


class Interrupted(Exception):
    """SIGINT or SIGTERM: the running points were stopped; finished ones stay done."""


def error_line(stderr):
    """The line that says why a run failed: photherm's own error line, else the first line naming an error (of MPI or
    SLURM), else the last line."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for wanted in (lambda ln: ln.startswith("photherm: error:"), lambda ln: "error" in ln.lower()):
        found = [ln for ln in lines if wanted(ln)]
        if found:
            return found[0]
    return lines[-1] if lines else "no output"


def record(p, returncode, stderr):
    """Record how a point's run ended: "" when it wrote its result, else "exit N: error line", also kept in
    OUT/logs/<point>.failed for results.csv (whichever process collects)."""
    if returncode == 0 and p.done():
        if os.path.exists(p.failed):
            os.remove(p.failed)
        return ""
    err = f"exit {returncode}: {error_line(stderr)}"
    with open(p.failed + ".partial", "w") as f:
        f.write(err + "\n")
    os.replace(p.failed + ".partial", p.failed)
    return err


def run_point(scan, p, launcher, started=None, stopped=lambda: False):
    """Run one point (local runs and SLURM array tasks alike): its command and stderr go to OUT/logs/<point>.log, and
    its end is recorded (record()). `started(proc)` is called with the running process; when `stopped()` says the scan
    was interrupted, an unfinished point is left pending. Returns the error, "" on success, None when stopped."""
    os.makedirs(os.path.dirname(p.log), exist_ok=True)
    os.makedirs(os.path.dirname(p.output), exist_ok=True)
    if os.path.exists(p.failed):
        os.remove(p.failed)
    cmd = p.command(scan, launcher)
    with open(p.log, "w") as log:
        log.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n")
        log.flush()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.PIPE, text=True)
        if started is not None:
            started(proc)
        _, stderr = proc.communicate()
        log.write(stderr)
    if stopped() and not p.done():
        return None
    return record(p, proc.returncode, stderr)


def run_points(scan, pending):
    """Run the pending points, `jobs` at a time; returns {point name: error} for those that failed.

    SIGINT and SIGTERM stop the running points (their .partial files are left and redone next time) and raise
    Interrupted once the workers have returned."""
    failures, lock = {}, threading.Lock()
    running, stop = set(), threading.Event()

    def interrupt(signum, frame):
        stop.set()
        with lock:
            for proc in running:
                proc.terminate()

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    started = time.time()
    count = {"done": 0}
    launcher = shlex.split(scan.mpirun) + ["-n", str(scan.ranks)] if scan.ranks > 1 else []

    def one(p):
        if stop.is_set():
            return
        t0 = time.time()
        procs = []

        def begin(proc):
            with lock:
                procs.append(proc)
                running.add(proc)
                if stop.is_set():
                    proc.terminate()

        err = run_point(scan, p, launcher, begin, stop.is_set)
        with lock:
            running.difference_update(procs)
        if err is None:
            return
        with lock:
            count["done"] += 1
            n, total = count["done"], len(pending)
            elapsed = time.time() - started
            eta = elapsed / n * (total - n)
            status = "failed: " + err if err else f"done in {time.time() - t0:.1f} s"
            sys.stderr.write(f"scan: [{n}/{total}] {p.name}: {status} (ETA {eta:.0f} s)\n")
            sys.stderr.flush()
            if err:
                failures[p.name] = err

    with concurrent.futures.ThreadPoolExecutor(max_workers=scan.jobs) as pool:
        futures = [pool.submit(one, p) for p in pending]
        while not all(f.done() for f in futures):  # the main thread stays free to take signals
            time.sleep(0.1)
        for f in futures:
            f.result()
    for sig, handler in previous.items():
        signal.signal(sig, handler)
    if stop.is_set():
        raise Interrupted()
    return failures


def mpi_plugin(scan):
    """The --mpi plug-in of srun: slurm.mpi, or with `auto` (the default) the one among those srun offers that the MPI
    of photherm speaks: pmix for Open MPI (Debian's Open MPI has no PMI-1/PMI-2 support, so a plain srun dies in
    MPI_Init), pmi2 first for MPICH and its derivatives; None leaves Slurm's MpiDefault."""
    wanted = str((scan.slurm or {}).get("mpi", "auto"))
    if wanted != "auto":
        return None if wanted == "default" else wanted
    try:
        listing = subprocess.run(["srun", "--mpi=list"], capture_output=True, text=True, timeout=60)
        offered = set(re.findall(r"^\s*(?:srun:\s*)?(?:mpi/)?([A-Za-z0-9_]+)\s*$", listing.stdout + listing.stderr, re.M))
    except (OSError, subprocess.SubprocessError):
        return None
    offered |= {"pmix" for name in list(offered) if name.startswith("pmix_")}
    try:
        libs = subprocess.run(["ldd", scan.photherm], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        libs = ""
    order = ["pmi2", "pmix"] if re.search(r"libmpich|libmpi\.so\.12|libmpi_ilp64|intel", libs) else ["pmix", "pmi2"]
    return next((name for name in order if name in offered), None)


def srun_launcher(scan):
    """srun with the MPI plug-in, the ranks, cpus per task and slurm.srun_args (srun does not inherit --cpus-per-task)."""
    s = scan.slurm or {}
    mpi = mpi_plugin(scan)
    cmd = ["srun"] + ([f"--mpi={mpi}"] if mpi else []) + ["-n", str(scan.ranks)]
    if s.get("cpus_per_task"):
        cmd.append(f"--cpus-per-task={s['cpus_per_task']}")
    return cmd + s.get("srun_args", [])


def run_task(scan, index):
    """One task of the SLURM job array: the point on line index + 1 of OUT/tasks.txt, run and recorded by run_point()
    exactly as a local run. SIGTERM (a time limit, scancel) stops it and records it as failed."""
    with open(os.path.join(scan.out, "tasks.txt")) as f:
        names = f.read().split()
    if not 0 <= index < len(names):
        raise ScanError(f"--task {index}: {os.path.join(scan.out, 'tasks.txt')} has {len(names)} tasks")
    point = next((p for p in scan.points if p.name == names[index]), None)
    if point is None:
        raise ScanError(f"--task {index}: the point {names[index]} is not in {scan.path} (was the scan file changed after --slurm?)")
    procs = []

    def terminate(signum, frame):
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()
        record(point, -signum, f"scan: error: task stopped by signal {signum} (the job's time limit, or scancel)")
        sys.exit(1)

    signal.signal(signal.SIGTERM, terminate)
    launcher = srun_launcher(scan)
    sys.stderr.write(f"scan: task {index}: {point.name}: {' '.join(launcher)}\n")
    err = run_point(scan, point, launcher, procs.append)
    sys.stderr.write(f"scan: task {index}: {point.name}: {'failed: ' + err if err else 'done'}\n")
    return 1 if err else 0


def summary_row(scan, p):
    """The summary of a finished point as {column: value}, without the case name and override columns."""
    proc = subprocess.run([scan.photherm, "summary", p.output, "--csv"], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else f"summary exited {proc.returncode}"
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    if len(rows) < 2:
        return None, "summary printed no row"
    header, values = rows[0], rows[1]
    # the case name and one column per -P of the run come first; the metrics start with the thermal ones
    skip = next((i for i, h in enumerate(header) if h in ("peak_temperature", "energy_balance_error")), 1 + len(p.overrides))
    return dict(zip(header[skip:], values[skip:])), ""


def write_metric_units(scan, p):
    """OUT/metrics.csv: the units and definition of every metric, from the readable summary of one finished point."""
    proc = subprocess.run([scan.photherm, "summary", p.output], capture_output=True, text=True)
    if proc.returncode != 0:
        return
    path = os.path.join(scan.out, "metrics.csv")
    with open(path + ".partial", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["metric", "units", "definition"])
        for line in proc.stdout.splitlines()[1:]:
            parts = line.split(None, 3)
            if len(parts) == 4:
                w.writerow(parts[0:1] + parts[2:4])
    os.replace(path + ".partial", path)


def collect(scan):
    """Write OUT/results.csv: one row per point (done, failed, or pending), and OUT/metrics.csv."""
    rows, metrics = [], []
    for p in scan.points:
        row = {"label": p.label, "case": scan.given[p.label], "status": "pending", "error": ""}
        row.update(p.values)
        if p.done():
            values, err = summary_row(scan, p)
            if values is None:
                row.update(status="failed", error=err)
            else:
                row["status"] = "done"
                row.update(values)
                metrics += [m for m in values if m not in metrics]
        elif os.path.exists(p.failed):
            with open(p.failed) as f:
                row.update(status="failed", error=f.read().strip())
        rows.append(row)
    path = os.path.join(scan.out, "results.csv")
    os.makedirs(scan.out, exist_ok=True)
    tmp = path + ".partial"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIXED_COLUMNS + list(scan.grid) + metrics, restval="", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)
    first = next((p for p in scan.points if p.done()), None)
    if first is not None:
        write_metric_units(scan, first)
    return path, rows


def write_slurm(scan, pending, args):
    """The job array (one task per pending point), the collect job and a submit script."""
    s = scan.slurm or {}
    os.makedirs(os.path.join(scan.out, "logs"), exist_ok=True)
    os.makedirs(os.path.join(scan.out, "points"), exist_ok=True)
    with open(os.path.join(scan.out, "tasks.txt"), "w") as f:
        f.write("".join(p.name + "\n" for p in pending))
    head = ["#!/bin/bash"]
    for key, opt in (("partition", "--partition"), ("account", "--account"), ("qos", "--qos")):
        if s.get(key):
            head.append(f"#SBATCH {opt}={s[key]}")
    extra = [f"#SBATCH {a}" for a in s.get("sbatch_args", [])]
    # the options of this invocation that shape a point's command, so that every task runs the point written here
    again = [shlex.quote(sys.executable), shlex.quote(os.path.realpath(__file__)), shlex.quote(scan.path), "--photherm", shlex.quote(scan.photherm)]
    again += sum((["-P", shlex.quote(o)] for o in args.P), [])
    resources = [f"#SBATCH --ntasks={scan.ranks}"]
    for key, opt in (("cpus_per_task", "--cpus-per-task"), ("mem", "--mem"), ("mem_per_cpu", "--mem-per-cpu")):
        if s.get(key):
            resources.append(f"#SBATCH {opt}={s[key]}")
    array = os.path.join(scan.out, "scan.sbatch")
    with open(array, "w") as f:
        f.write("\n".join(head + [
            "#SBATCH --job-name=photherm-scan",
            f"#SBATCH --array=0-{len(pending) - 1}%{scan.jobs}",
        ] + resources + [
            f"#SBATCH --time={s.get('time', '01:00:00')}",
            f"#SBATCH --output={os.path.join(scan.out, 'logs', 'task-%a.log')}",
        ] + extra + [
            "# One task per pending point of " + scan.path + ": line N+1 of tasks.txt names task N's point.",
            "# scan.py runs it with srun (the MPI plug-in: slurm.mpi) and records a failure in logs/<point>.failed.",
            " ".join(again + ["--ranks", str(scan.ranks), "--task", '"$SLURM_ARRAY_TASK_ID"']),
        ]) + "\n")
    coll = os.path.join(scan.out, "collect.sbatch")
    with open(coll, "w") as f:
        f.write("\n".join(head + [
            "#SBATCH --job-name=photherm-collect",
            "#SBATCH --ntasks=1",
            "#SBATCH --time=00:30:00",
            f"#SBATCH --output={os.path.join(scan.out, 'logs', 'collect.log')}",
        ] + extra + [
            "# After the array: gather the summaries (and the failures) into results.csv and draw the plots.",
            " ".join(again + ["--collect"]),
        ]) + "\n")
    submit = os.path.join(scan.out, "submit.sh")
    with open(submit, "w") as f:
        f.write("#!/bin/sh\n# Submit the scan's job array, then the collect job once every task has ended.\nset -eu\n"
                f"array=$(sbatch --parsable {shlex.quote(array)})\n"
                f"collect=$(sbatch --parsable --dependency=afterany:${{array%%;*}} {shlex.quote(coll)})\n"
                "echo \"submitted job array ${array%%;*} and its collect job ${collect%%;*}\"\n")
    os.chmod(submit, 0o755)
    return array, coll, submit


def plot(scan, csv_path):
    script = os.path.join(SCRIPTS, "plot_scan.py")
    cmd = [sys.executable, script, csv_path, "-o", os.path.join(scan.out, "plots")]
    for m in scan.plots:
        cmd += ["--metric", m]
    for label, names in scan.rename.items():
        for param, name in names.items():
            cmd += ["--rename", f"{label}:{param}={name}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(f"scan: warning: plotting failed: {proc.stderr.strip()}\n")
    else:
        sys.stderr.write(proc.stderr)


def main(argv):
    import argparse

    ap = argparse.ArgumentParser(prog="scan.py", formatter_class=argparse.RawDescriptionHelpFormatter,
                                 description="Run a photherm parameter scan: case files times a grid of -P parameters, one "
                                 "photherm run per point (locally or as a SLURM job array), the summaries collected into one CSV "
                                 "and plotted.", epilog=__doc__[__doc__.index("A scan is"):__doc__.index("Options:")].rstrip()
                                 + "\n\nExit status: 0 when every point is done, 1 when some failed, 2 for a bad scan file or usage, "
                                 "130 when interrupted.")
    ap.add_argument("scan", help="the scan file (YAML: cases, grid, rename, set, run or slurm, out, plots)")
    ap.add_argument("--jobs", type=int, help="points run at the same time (default: run.jobs, or slurm.jobs for the job array)")
    ap.add_argument("--ranks", type=int, help="MPI ranks of each point (default: run.ranks or slurm.ranks, else 1)")
    ap.add_argument("-P", action="append", default=[], metavar="NAME=VALUE",
                    help="a fixed override for every point, after the scan's `set` (may repeat), e.g. -P time.end=2ms")
    ap.add_argument("--slurm", action="store_true",
                    help="write OUT/scan.sbatch (a job array, one task per pending point), OUT/collect.sbatch and OUT/submit.sh "
                    "instead of running (the default when the scan has a `slurm:` section)")
    ap.add_argument("--collect", action="store_true", help="run nothing: gather the finished and failed points into OUT/results.csv and plot")
    ap.add_argument("--list", action="store_true", help="print every point and whether it is done, then exit")
    ap.add_argument("--no-plots", action="store_true", help="do not draw the plots after collecting")
    ap.add_argument("--photherm", help="the photherm program (default: $PHOTHERM, else bin/photherm of this repository, else the installed one "
                    "beside these scripts, else photherm on PATH)")
    ap.add_argument("--mpirun", help='how local runs start MPI jobs (default: run.mpirun or "mpirun")')
    ap.add_argument("--task", type=int, metavar="N", help="(used by the generated job array) run task N of OUT/tasks.txt with srun and record it")
    args = ap.parse_args(argv)
    try:
        scan = Scan(args.scan, args)
    except ScanError as e:
        sys.stderr.write(f"scan.py: error: {e}\n")
        return 2
    if not os.access(scan.photherm, os.X_OK):
        sys.stderr.write(f"scan.py: error: {scan.photherm}: not an executable photherm (run make, or give --photherm)\n")
        return 2
    pending = [p for p in scan.points if not p.done()]
    if args.list:
        for p in scan.points:
            print(f"{'done   ' if p.done() else 'pending'} {p.name}")
        return 0
    if args.task is not None:
        try:
            return run_task(scan, args.task)
        except ScanError as e:
            sys.stderr.write(f"scan.py: error: {e}\n")
            return 2
    if args.slurm or (scan.slurm and not args.collect):
        if not pending:
            sys.stderr.write("scan: every point is done; nothing to submit\n")
        else:
            array, coll, submit = write_slurm(scan, pending, args)
            print(f"scan: {len(pending)} of {len(scan.points)} points pending; wrote {array}, {coll}; submit with {submit}")
        return 0
    if not args.collect:
        sys.stderr.write(f"scan: {len(scan.points)} points, {len(scan.points) - len(pending)} already done, "
                         f"running {len(pending)} ({scan.jobs} at a time, {scan.ranks} rank{'s' if scan.ranks > 1 else ''} each)\n")
        try:
            run_points(scan, pending)
        except Interrupted:
            path, rows = collect(scan)
            done = sum(r["status"] == "done" for r in rows)
            print(f"scan: interrupted: {done} of {len(rows)} points done (kept); run the scan again to finish; results so far in {path}")
            return 130
    path, rows = collect(scan)
    done = sum(r["status"] == "done" for r in rows)
    failed = [r for r in rows if r["status"] == "failed"]
    print(f"scan: {done} of {len(rows)} points done, {len(failed)} failed; results in {path}")
    for r in failed:
        print(f"scan: failed: {r['label']} {', '.join(f'{k}={r[k]}' for k in scan.grid if r.get(k))}: {r['error']}")
    if done and not args.no_plots:
        plot(scan, path)
    return 1 if failed or done < len(rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

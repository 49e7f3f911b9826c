"""Shared helpers of the photherm benchmarks (benchmarks/README.md): running photherm under MPI and reading its timings.

Every measurement comes from one `photherm run` with
  -log_view :FILE:ascii_flamegraph   nested event times (microseconds, exclusive) of rank 0, for set-up / solve / MatMult
  -memory_view                       the peak resident memory of every rank (PETSc's getrusage), summed
  -ksp_converged_reason              the iterations of every linear solve
and /usr/bin/time -f %M %e around each rank (max RSS of each rank, summed) and around the whole job (wall time).
run(..., instrument=False) leaves the three options out, for a wall time as a user sees it: on the long workload
(benchmarks/long-workload/) they cost the reduced run 8 s of 62 (its 60 000 samples each log their events); the memory
is then /usr/bin/time's alone.
"""
import datetime
import json
import os
import platform
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PHOTHERM = os.path.join(ROOT, "bin", "photherm")
WORK = os.path.join(HERE, "results", "tmp")  # scratch (git-ignored)
TIMEOUT = 600  # no single run may take longer than 10 minutes
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loadavg():
    return list(os.getloadavg())


def _cpu_times():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]  # total, idle + iowait


def idle_cores(interval=1.0):
    """How many cores were idle over the last `interval` seconds (from /proc/stat)."""
    t0, i0 = _cpu_times()
    time.sleep(interval)
    t1, i1 = _cpu_times()
    return (os.cpu_count() or 1) * (i1 - i0) / max(t1 - t0, 1)


MAX_WAIT = 120  # seconds to wait for idle cores before a run (quick mode: less)


def wait_idle(need, max_wait=None):
    """Wait (up to max_wait s) until `need` cores are idle, since other work may share the machine; return the idle
    cores measured last, which go into the record."""
    max_wait = MAX_WAIT if max_wait is None else max_wait
    t0 = time.time()
    idle = idle_cores()
    while idle < need - 0.15 and time.time() - t0 < max_wait:
        idle = idle_cores(2.0)
    return idle


def machine():
    """What the figures were measured on."""
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {"host": socket.gethostname(), "cpu": cpu, "cores": os.cpu_count(), "memory_bytes": mem, "kernel": platform.release()}


def git_describe():
    try:
        return subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty", "--tags"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def petsc_version():
    out = subprocess.run([PHOTHERM, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"PETSc\s+([\d.]+)", out)
    return m.group(1) if m else "?"


def header(name, mode):
    return {
        "benchmark": name,
        "mode": mode,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "git_describe": git_describe(),
        "petsc_version": petsc_version(),
        "machine": machine(),
        "loadavg_start": loadavg(),
    }


def save(result, name, table=None):
    """Write benchmarks/results/<name>/<date>-<host>.json and return its path; with `table` (a function of the result
    giving Markdown), also print the tables and write them to the .md file beside it."""
    result["loadavg_end"] = loadavg()
    d = os.path.join(HERE, "results", name)
    os.makedirs(d, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H%M")
    path = os.path.join(d, f"{stamp}-{socket.gethostname()}{'' if result.get('mode') == 'full' else '-' + result.get('mode', 'custom')}.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    log(f"wrote {os.path.relpath(path, ROOT)}")
    if table is not None:
        text = table(result)
        print(text)
        with open(path[:-5] + ".md", "w") as f:
            f.write(text)
    return path


def check(case, params=()):
    """nx, ny, nz and cells of a case, from `photherm check`."""
    cmd = [PHOTHERM, "check", case]
    for p in params:
        cmd += ["-P", p]
    out = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"mesh: nx (\d+), ny (\d+), nz (\d+) = (\d+) cells", out.stdout + out.stderr)
    if not m:
        raise RuntimeError(f"photherm check {case} failed:\n{out.stderr}")
    nx, ny, nz, cells = map(int, m.groups())
    return {"nx": nx, "ny": ny, "nz": nz, "cells": cells}


def matrix_size(nx, ny, nz):
    """Rows and nonzeros of the 7-point cell-centred operator on an nx x ny x nz grid (adiabatic sides add no entries)."""
    rows = nx * ny * nz
    faces = (nx - 1) * ny * nz + nx * (ny - 1) * nz + nx * ny * (nz - 1)
    return rows, rows + 2 * faces


def matmult_bytes(rows, nnz):
    """Bytes one CSR MatMult moves at least: values (8) and column indices (4) per nonzero, row pointer (4), x read once
    (8) and y written once (8) per row. The same convention as STREAM (no write-allocate traffic)."""
    return 12 * nnz + 20 * rows


def flamegraph(path):
    """{stack tuple: microseconds (exclusive)} of a PETSc ascii_flamegraph log."""
    out = {}
    for line in open(path):
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, us = line.rpartition(" ")
        out[tuple(stack.split(";"))] = out.get(tuple(stack.split(";")), 0) + float(us)
    return out


def inclusive(fg, predicate):
    """Seconds of all stacks for which predicate(stack) holds."""
    return sum(us for s, us in fg.items() if predicate(s)) * 1e-6


def first_of(stack, names):
    for f in stack:
        if f in names:
            return f
    return None


def timings(fg):
    """Set-up and solve times (s) from the nested log: the outermost of PCSetUp / KSPSolve decides where a stack
    counts (Chebyshev's eigenvalue estimates inside PCSetUp are set-up); steady is outside TSStep, transient inside."""
    t = {}
    steady = lambda s: "TSStep" not in s  # noqa: E731
    trans = lambda s: "TSStep" in s  # noqa: E731
    t["model_setup_s"] = inclusive(fg, lambda s: s[0] in ("PhLoad", "PhMesh", "PhAssemble", "PhSources", "DMCreateMat"))
    t["pc_setup_s"] = inclusive(fg, lambda s: steady(s) and first_of(s, ("PCSetUp", "KSPSolve")) == "PCSetUp")
    t["ksp_setup_s"] = inclusive(fg, lambda s: steady(s) and s[0] == "KSPSetUp")
    t["solve_s"] = inclusive(fg, lambda s: steady(s) and first_of(s, ("PCSetUp", "KSPSolve")) == "KSPSolve")
    # the outer Krylov method's own products with the fine operator: one per CG iteration (zero initial guess)
    t["fine_matmult_s"] = inclusive(fg, lambda s: steady(s) and len(s) >= 2 and s[0] == "KSPSolve" and s[1] == "MatMult")
    t["matmult_all_s"] = inclusive(fg, lambda s: steady(s) and "MatMult" in s and first_of(s, ("PCSetUp", "KSPSolve")) == "KSPSolve")
    if any(trans(s) for s in fg):
        t["ts_total_s"] = inclusive(fg, trans)
        t["ts_pc_setup_s"] = inclusive(fg, lambda s: trans(s) and first_of(s, ("PCSetUp", "KSPSolve")) == "PCSetUp")
        t["ts_solve_s"] = inclusive(fg, lambda s: trans(s) and first_of(s, ("PCSetUp", "KSPSolve")) == "KSPSolve")
    t["output_s"] = inclusive(fg, lambda s: s[0] == "PhOutputWrite")
    return t


REASON = re.compile(r"^(\s*)Linear solve (converged|did not converge) due to (\S+) iterations (\d+)")


def run(case, opts=(), params=(), ranks=1, tag="run", timeout=TIMEOUT, wait=True, instrument=True, bind="none"):
    """Run `photherm run case` on `ranks` MPI ranks and return what it measured (or {"error": ...}). `bind` is mpirun's
    --bind-to (None: mpirun's default, cores for up to 2 ranks, as a user's `mpirun -n 2` runs)."""
    os.makedirs(WORK, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=tag + "-", dir=WORK)
    fg = os.path.join(tmp, "flame.txt")
    tfile = os.path.join(tmp, "rss.%r")  # one /usr/bin/time file per rank (%r is not expanded: see below)
    cmd = [PHOTHERM, "run", os.path.abspath(case), "-o", os.path.join(tmp, "out.h5"), "-quiet"]
    for p in params:
        cmd += ["-P", p]
    if instrument:
        cmd += ["-log_view", f":{fg}:ascii_flamegraph", "-memory_view", "-ksp_converged_reason"]
    cmd += list(opts)
    # each rank under /usr/bin/time, writing its own file (named by the rank from Open MPI's environment)
    inner = f'exec /usr/bin/time -f "%M %e %U %S" -o {shlex.quote(tmp)}/rss.$OMPI_COMM_WORLD_RANK ' + " ".join(shlex.quote(c) for c in cmd)
    full = ["mpirun", "-n", str(ranks)] + (["--bind-to", bind] if bind else []) + ["sh", "-c", inner]
    idle = wait_idle(ranks) if wait else None
    rec = {"ranks": ranks, "options": " ".join(opts), "params": list(params), "loadavg_before": loadavg(), "idle_cores_before": idle}
    log(f"  [{time.strftime('%H:%M:%S')}] {tag}: ranks {ranks} {' '.join(opts)} {' '.join('-P ' + p for p in params)}"
        + (f" (idle cores {idle:.2f})" if idle is not None else ""))
    t0 = time.time()
    # mpirun in its own process group, so that a run over the time limit is ended with all its ranks
    p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp, start_new_session=True)
    try:
        stdout, stderr = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
        rec.update(error=f"timeout: over {timeout} s", wall_s=time.time() - t0)
        log(f"    stopped after {timeout} s")
        return rec
    rec["wall_s"] = time.time() - t0
    rec["loadavg_after"] = loadavg()
    out = stdout + stderr
    if p.returncode != 0:
        tail = "\n".join(out.strip().splitlines()[-6:])
        rec["error"] = f"exit {p.returncode}: {tail}"
        if re.search(r"out of memory|Killed|signal 9|MEM|Cannot allocate", out, re.I):
            rec["error"] = "out of memory: " + rec["error"]
        log(f"    failed: {rec['error']}")
        return rec
    its = [(len(m.group(1)), m.group(3), int(m.group(4))) for m in map(REASON.match, out.splitlines()) if m]
    rec["steady_iterations"] = [n for ind, r, n in its if ind == 0]
    rec["ts_iterations"] = [n for ind, r, n in its if ind > 0]
    rec["reasons"] = sorted({r for _, r, _ in its})
    m = re.search(r"Maximum \(over computational time\) process memory:\s+total\s+(\S+)\s+max\s+(\S+)", out)
    if m:
        rec["peak_memory_bytes"] = float(m.group(1))  # sum over ranks
        rec["peak_memory_max_rank_bytes"] = float(m.group(2))
    rss, cpu, elapsed = [], [], []
    for r in range(ranks):
        try:
            kb, el, us, sy = open(os.path.join(tmp, f"rss.{r}")).read().split()[-4:]
            rss.append(int(kb) * 1024)
            cpu.append((float(us) + float(sy)) / max(float(el), 1e-9))
            elapsed.append(float(el))
        except (OSError, ValueError):
            pass
    rec["max_rss_bytes"] = sum(rss)
    rec["max_rss_per_rank_bytes"] = rss
    rec["process_wall_s"] = max(elapsed) if elapsed else None  # the photherm processes alone, without mpirun's start
    rec["cpu_share_per_rank"] = cpu  # CPU time / wall time of each rank: below 1 means it waited (or shared a core)
    m = re.search(r"cells, (\d+) steps,", out)  # the end-of-run report: "N cells, N steps, T s"
    if m:
        rec["steps"] = int(m.group(1))
    if instrument:
        rec.update(timings(flamegraph(fg)))
    for f in os.listdir(tmp):  # keep the scratch small: fields of 1e7 cells are large
        if f.endswith((".h5", ".xmf")) and f != "out.h5":
            os.remove(os.path.join(tmp, f))
    rec["output"] = os.path.join(tmp, "out.h5")
    return rec


def series(path, group="sources", dataset="t_max"):
    """(times, names, values[nsample][n]) of a /series dataset of a photherm result."""
    import h5py

    with h5py.File(path, "r") as f:
        d = f[f"series/{group}/{dataset}"]
        names = d.attrs.get("names")
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in names] if names is not None else []
        return f["series/time"][()], names, d[()]


def cleanup(rec):
    """Remove the output file of a run whose numbers have been read."""
    out = rec.get("output")
    if out and os.path.exists(out):
        os.remove(out)
        d = os.path.dirname(out)
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
        os.rmdir(d)


def fmt_bytes(b):
    for unit, s in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if b >= s:
            return f"{b / s:.3g} {unit}"
    return f"{b:.0f} B"

#!/usr/bin/python3
"""Faults during a run (README.md, "The command line" and "Results"): no fault costs an earlier result, and no run
reports success for a file it did not complete.

Each check starts from an earlier good result OUT.h5 (and OUT.xmf) of the same name, then:
- kill -9, or SIGTERM, while a run writes: OUT.h5 and OUT.xmf keep their SHA-256 and read back (h5py and
  photherm summary); what the interrupted run wrote is OUT.h5.partial; a rerun then succeeds and leaves no .partial;
- a full disk (a 320 KiB tmpfs mounted here; skipped, saying why, when mounting is not allowed): exit 1, one line
  "photherm: error: cannot write OUT.h5.partial: No space left on device ..." (besides Open MPI's own lines), no crash
  at exit, OUT.h5 untouched, never a truncated
  OUT.h5 (with no earlier result, no OUT.h5 at all);
- a read-only output directory (a read-only tmpfs, or chmod when not root) and a missing one: exit 2 before anything is
  computed, one line naming the directory, nothing written;
- a second run writing the same output while the first runs: the second exits 1 at once, naming the file and the
  other run, and writes nothing; the first completes with exit 0 and a complete, readable file;
- OUT.h5.partial removed by another program while the run writes it: exit 1 naming it, no OUT.h5;
- one of 2 ranks killed with SIGKILL: mpirun and the other rank end within 10 s, the earlier result intact;
- a truncated, corrupted (damaged header), zero-filled or foreign (not photherm's) HDF5 file as `mesh: {file}` or
  `time.initial: {file}` (there also a mesh file, which holds no snapshots): exit 2 at the key, with the file and the
  reason, nothing written.
"""
import hashlib
import os
import signal
import subprocess
import sys
import time

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import BIN, MPI_ENV, Tap, must_run, photherm, workdir, write  # noqa: E402

# 32 cells, 1 ms samples: about 1500 samples a second, so 100 s of it runs until killed, and 3 s a few seconds.
CASE = """version: 1
name: fault
materials: {si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}}
footprint: {x: [0, 1 mm], y: [0, 1 mm]}
stack: [{name: die, thickness: 100 um, material: si}]
grid: {max_cell_xy: 250 um, max_cell_z: 50 um}
boundaries: {top: {type: convection, h: 1e4 W/m^2/K, ambient: 25 C}}
sources: [{name: s, layer: die, x: [0, 1 mm], y: [0, 1 mm], power: {pattern: square, high: 1 W, low: 0 W, period: 2 ms, duty: 0.5}}]
time: {end: 100 s}
output: {series_every: 1 ms, fields_every: 100 ms}
"""


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def errors(stderr):
    return [line for line in stderr.splitlines() if line.startswith("photherm: error:")]


def earlier(work, out):
    """A good result OUT (and its .xmf) to protect; returns {path: sha256}."""
    must_run(["run", "fault.yaml", "-o", out, "-quiet", "-P", "time.end=20ms"], work)
    return {p: sha(p) for p in (os.path.join(work, out), os.path.join(work, out[:-3] + ".xmf"))}


def intact(tap, name, work, kept):
    """The earlier result keeps its bytes and reads back."""
    same = all(os.path.exists(p) and sha(p) == h for p, h in kept.items())
    out = [p for p in kept if p.endswith(".h5")][0]
    readable = False
    try:
        with h5py.File(out, "r") as f:
            readable = f["series/time"].shape[0] == 21 and "peak_temperature" in f["summary"].attrs
    except (OSError, KeyError):
        pass
    summary = photherm(["summary", os.path.basename(out)], os.path.dirname(out))
    tap.check(f"{name}: earlier result intact", same and readable and summary.returncode == 0,
              f"same SHA-256: {same}, reads back (21 samples, summary): {readable}, photherm summary exit {summary.returncode}")


def start(work, args, nranks=1):
    cmd = ([ "mpirun", "-n", str(nranks)] if nranks > 1 else []) + [BIN] + args
    return subprocess.Popen(cmd, cwd=work, env=dict(os.environ, **MPI_ENV), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_writing(work, partial, proc, seconds=60):
    """Wait until the run has created its .partial and written for a while; False if it ended first."""
    t0 = time.time()
    while time.time() - t0 < seconds and proc.poll() is None:
        if os.path.exists(os.path.join(work, partial)) and os.path.getsize(os.path.join(work, partial)) > 0:
            time.sleep(1.0)
            return proc.poll() is None
        time.sleep(0.05)
    return False


def interrupted(tap, work, sig, label):
    out = f"{label}.h5"
    kept = earlier(work, out)
    proc = start(work, ["run", "fault.yaml", "-o", out, "-quiet"])
    running = wait_writing(work, out + ".partial", proc)
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    tap.check(f"{label}: the run was stopped while writing", running and proc.returncode != 0,
              f"running when signalled: {running}, exit status {proc.returncode}")
    intact(tap, label, work, kept)
    tap.check(f"{label}: what it wrote is named partial", os.path.exists(os.path.join(work, out + ".partial")),
              f"{out}.partial exists: {os.path.exists(os.path.join(work, out + '.partial'))}")
    again = photherm(["run", "fault.yaml", "-o", out, "-quiet", "-P", "time.end=30ms"], work)
    ok = again.returncode == 0 and not os.path.exists(os.path.join(work, out + ".partial"))
    with h5py.File(os.path.join(work, out), "r") as f:
        samples = f["series/time"].shape[0]
    tap.check(f"{label}: a rerun works", ok and samples == 31, f"exit {again.returncode}, .partial left: "
              f"{os.path.exists(os.path.join(work, out + '.partial'))}, {samples} samples (31 expected); {err.strip()[-200:]}")


def mount_tmpfs(path, options):
    """Mount a tmpfs (root, or a user namespace that allows it); None when it worked, else why not."""
    os.makedirs(path, exist_ok=True)
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "not root"
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path], capture_output=True, text=True)
    return None if p.returncode == 0 else (p.stderr.strip() or f"mount exited {p.returncode}")


def umount(path):
    subprocess.run(["umount", path], capture_output=True)


def disk_full(tap, work):
    mnt = os.path.join(work, "small")
    why = mount_tmpfs(mnt, "size=320k")
    if why is not None:
        tap.ok("disk_full # SKIP", f"cannot mount a small tmpfs here ({why}); run as root to test a full disk")
        return
    try:
        out = "small/full.h5"
        kept = earlier(work, out)
        p = photherm(["run", "fault.yaml", "-o", out, "-quiet", "-P", "time.end=20s"], work, timeout=300)
        # Open MPI's own I/O layer (OMPIO) prints "mca_fbtl_posix_pwritev: error in (p)write(v)" lines of its own
        lines = [line for line in p.stderr.splitlines() if line.strip() and not line.startswith("mca_")]
        tap.check("disk_full: exit 1, one message naming the file", p.returncode == 1 and len(lines) == 1 and
                  lines[0].startswith("photherm: error: cannot write small/full.h5.partial: No space left on device"),
                  f"exit {p.returncode}, stderr {lines}")
        intact(tap, "disk_full", work, kept)
        # no earlier result: still no (truncated) final file
        for f in os.listdir(mnt):
            os.remove(os.path.join(mnt, f))
        filler = os.path.join(mnt, "filler")
        with open(filler, "wb") as f:
            f.write(b"\0" * 200 * 1024)
        p = photherm(["run", "fault.yaml", "-o", "small/new.h5", "-quiet", "-P", "time.end=20s"], work, timeout=300)
        tap.check("disk_full: no final file without an earlier result", p.returncode == 1 and not os.path.exists(os.path.join(mnt, "new.h5"))
                  and not os.path.exists(os.path.join(mnt, "new.xmf")) and len(errors(p.stderr)) == 1,
                  f"exit {p.returncode}, files {sorted(os.listdir(mnt))}, errors {errors(p.stderr)}")
    finally:
        umount(mnt)


def output_directory(tap, work):
    ro = os.path.join(work, "ro")
    why = mount_tmpfs(ro, "ro,size=64k")
    chmod = why is not None
    if chmod:
        os.makedirs(ro, exist_ok=True)
        os.chmod(ro, 0o555)
    try:
        if chmod and os.access(ro, os.W_OK):
            tap.ok("read_only_directory # SKIP", f"no read-only directory can be made here ({why}, and chmod does not bind root)")
        else:
            p = photherm(["run", "fault.yaml", "-o", "ro/x.h5", "-quiet"], work)
            tap.check("read_only_directory: exit 2, the directory named, nothing written",
                      p.returncode == 2 and errors(p.stderr) == ["photherm: error: output ro/x.h5: the directory ro is not writable"]
                      and os.listdir(ro) == [], f"exit {p.returncode}, stderr {p.stderr.strip()!r}, files {os.listdir(ro)}")
    finally:
        if chmod:
            os.chmod(ro, 0o755)
        else:
            umount(ro)
    p = photherm(["run", "fault.yaml", "-o", "nodir/x.h5", "-quiet"], work)
    tap.check("missing_directory: exit 2, the directory named, nothing written",
              p.returncode == 2 and errors(p.stderr) == ["photherm: error: output nodir/x.h5: the directory nodir does not exist"]
              and not os.path.exists(os.path.join(work, "nodir")), f"exit {p.returncode}, stderr {p.stderr.strip()!r}")


def two_writers(tap, work):
    out = "both.h5"
    first = start(work, ["run", "fault.yaml", "-o", out, "-quiet", "-P", "time.end=20s"])
    running = wait_writing(work, out + ".partial", first)
    t0 = time.time()
    second = photherm(["run", "fault.yaml", "-o", out, "-quiet", "-P", "time.end=10ms"], work)
    took = time.time() - t0
    still = first.poll() is None
    _, err1 = first.communicate(timeout=600)
    tap.check("two_writers: the second run stops at once, naming the file and the other run",
              running and still and second.returncode == 1 and took < 30 and errors(second.stderr) == [
                  "photherm: error: cannot write both.h5: another photherm run is writing it now (both.h5.partial is locked); "
                  "wait for that run or choose another -o"],
              f"first running: {running} and {still}, second exit {second.returncode} in {took:.1f} s, stderr {second.stderr.strip()!r}")
    complete = False
    try:
        with h5py.File(os.path.join(work, out), "r") as f:
            complete = f["series/time"].shape[0] == 20001 and abs(f["series/time"][-1] - 20.0) < 1e-9 and "peak_temperature" in f["summary"].attrs
    except (OSError, KeyError):
        pass
    tap.check("two_writers: the first completes its own file", first.returncode == 0 and complete and
              not os.path.exists(os.path.join(work, out + ".partial")),
              f"exit {first.returncode}, complete (20001 samples to 20 s, summary): {complete}; {err1.strip()[-300:]}")


def partial_removed(tap, work):
    """Another program removes OUT.h5.partial while the run writes it: the run must not report success."""
    out = "gone.h5"
    proc = start(work, ["run", "fault.yaml", "-o", out, "-quiet", "-P", "time.end=10s"])
    running = wait_writing(work, out + ".partial", proc)
    os.remove(os.path.join(work, out + ".partial"))
    _, err = proc.communicate(timeout=600)
    tap.check("partial_removed: the run fails instead of reporting a file it did not complete",
              running and proc.returncode == 1 and errors(err) == [
                  f"photherm: error: {out}.partial was removed or replaced by another program while this run wrote it; the result is lost"]
              and not os.path.exists(os.path.join(work, out)), f"running: {running}, exit {proc.returncode}, stderr {err.strip()!r}, "
              f"{out} exists: {os.path.exists(os.path.join(work, out))}")


def rank_dies(tap, work):
    out = "ranks.h5"
    kept = earlier(work, out)
    proc = start(work, ["run", "fault.yaml", "-o", out, "-quiet"], nranks=2)
    running = wait_writing(work, out + ".partial", proc)
    ranks = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == proc.pid and os.path.basename(BIN).encode() in cmd:
            ranks.append(int(pid))
    t0 = time.time()
    if ranks:
        os.kill(ranks[0], signal.SIGKILL)
    try:
        proc.communicate(timeout=10)
        took = time.time() - t0
    except subprocess.TimeoutExpired:
        took = None
        proc.kill()
        proc.communicate()
    others = [r for r in ranks[1:] if os.path.exists(f"/proc/{r}") and open(f"/proc/{r}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"]
    tap.check("rank_dies: the other rank and mpirun end within 10 s", running and len(ranks) == 2 and took is not None and not others
              and proc.returncode != 0, f"running: {running}, ranks {ranks}, ended after "
              f"{'more than 10' if took is None else f'{took:.1f}'} s with exit {proc.returncode}, left alive {others}")
    intact(tap, "rank_dies", work, kept)


def bad_files(tap, work):
    must_run(["mesh", "fault.yaml", "-o", "good_mesh.h5"], work)
    good = open(os.path.join(work, "good_mesh.h5"), "rb").read()
    result = open(os.path.join(work, "protect.h5"), "rb").read()
    files = {"truncated": good[:len(good) // 3], "corrupted": b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 8 + good[2056:],
             "zeros": b"\0" * 4096}
    for name, data in files.items():
        with open(os.path.join(work, name + ".h5"), "wb") as f:
            f.write(data)
    with open(os.path.join(work, "result_truncated.h5"), "wb") as f:
        f.write(result[:len(result) // 2])
    with h5py.File(os.path.join(work, "foreign.h5"), "w") as f:
        f["data"] = [1.0, 2.0, 3.0]
    mesh_case = CASE.replace("footprint: {x: [0, 1 mm], y: [0, 1 mm]}\nstack: [{name: die, thickness: 100 um, material: si}]\n"
                             "grid: {max_cell_xy: 250 um, max_cell_z: 50 um}\n", "mesh: {file: FILE}\n")
    reasons = {"truncated": "the HDF5 file is truncated or damaged", "corrupted": "the HDF5 file is truncated or damaged",
               "result_truncated": "the HDF5 file is truncated or damaged", "zeros": "is not an HDF5",
               "foreign": "must be strictly increasing", "good_mesh": "it has no temperature snapshots"}
    for name in ("truncated", "corrupted", "zeros", "foreign"):
        write(os.path.join(work, f"mesh_{name}.yaml"), mesh_case.replace("FILE", f"{name}.h5"))
        before = set(os.listdir(work))
        p = photherm(["check", f"mesh_{name}.yaml"], work)
        errs = errors(p.stderr)
        tap.check(f"bad_files: mesh {name}: exit 2 naming the file and the reason",
                  p.returncode == 2 and len(errs) >= 1 and f"mesh_{name}.yaml:4:" in errs[0] and "mesh.file" in errs[0]
                  and f"{name}.h5" in errs[0] and reasons[name] in errs[0] and set(os.listdir(work)) == before, f"exit {p.returncode}, {errs}")
    reasons["foreign"] = "it has no temperature snapshots"
    for name in ("truncated", "result_truncated", "corrupted", "zeros", "foreign", "good_mesh"):
        case = CASE.replace("time: {end: 100 s}", f"time: {{end: 10 ms, initial: {{file: {name}.h5, time: 0 s}}}}")
        write(os.path.join(work, f"initial_{name}.yaml"), case)
        before = set(os.listdir(work))
        p = photherm(["run", f"initial_{name}.yaml", "-o", "cont.h5", "-quiet"], work)
        errs = errors(p.stderr)
        tap.check(f"bad_files: time.initial {name}: exit 2 naming the file and the reason",
                  p.returncode == 2 and len(errs) == 1 and f"initial_{name}.yaml:" in errs[0] and "time.initial" in errs[0]
                  and f"{name}.h5" in errs[0] and reasons.get(name, "no temperature snapshots") in errs[0] and set(os.listdir(work)) == before, f"exit {p.returncode}, {errs}")


def main():
    tap = Tap(__file__)
    work = workdir("faults")
    write(os.path.join(work, "fault.yaml"), CASE)
    tap.guard("sigkill", interrupted, tap, work, signal.SIGKILL, "sigkill")
    tap.guard("sigterm", interrupted, tap, work, signal.SIGTERM, "sigterm")
    tap.guard("disk_full", disk_full, tap, work)
    tap.guard("output_directory", output_directory, tap, work)
    tap.guard("two_writers", two_writers, tap, work)
    tap.guard("partial_removed", partial_removed, tap, work)
    tap.guard("rank_dies", rank_dies, tap, work)
    earlier(work, "protect.h5")
    tap.guard("bad_files", bad_files, tap, work)
    tap.finish()


if __name__ == "__main__":
    main()

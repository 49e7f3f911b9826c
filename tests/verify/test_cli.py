#!/usr/bin/python3
"""The command line a new user meets first (README.md, Command line).

1. A misspelt PETSc option is reported while the run is still going, within seconds of its start (once the solvers
   are set up), not after the run; the options PETSc reads only at exit (-options_left) are not reported.
2. `photherm run --help` and `photherm summary --help` print the usage (exit 0); photherm's own arguments come in any
   order (`photherm summary --csv F.h5`, `photherm run -quiet -o OUT -P x=y CASE`).
3. `photherm summary` on a missing file says "no such file"; `-o nodir/x.h5` says the directory does not exist,
   before anything is computed (exit 2, nothing written).
4. `degC` and `°C`, the units photherm prints, are accepted in values.
5. `scripts/scan.py --help` describes every option it has.
6. `photherm check` estimates the size of the result file, within 10% of the file a run then writes, for a run whose
   snapshots dominate and one whose series dominate, and for a steady run.
7. Where the kernel gives transparent huge pages on request ("madvise"), `bin/photherm run` (the launcher) starts the
   program with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (seen in the running process's environment), and not otherwise; the result
   is bit for bit the one of a run with GLIBC_TUNABLES=glibc.malloc.hugetlb=0.
8. A photherm started without mpirun (a singleton) takes Open MPI's ob1 messaging layer and never opens the cm layer's
   networks (no "opening mtl components" with OMPI_MCA_mtl_base_verbose); ranks started by mpirun, and a user's own
   OMPI_MCA_pml, keep Open MPI's choice (the mtl components are opened).
9. The launcher bin/photherm without its program (libexec/photherm/photherm beside bin/) says which file it cannot
   start, and why, with exit status 1."""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import BIN, MPI_ENV, ROOT, Tap, photherm, workdir  # noqa: E402

FIRST = os.path.join(ROOT, "cases", "first.yaml")
LONG = os.path.join(ROOT, "cases", "cpo-2p5d.yaml")


def misspelt_option_early(tap, d):
    """Start a run of a minute or more with -ts_tyep; the warning must come while it runs."""
    cmd = [BIN, "run", LONG, "-o", os.path.join(d, "long.h5"), "-P", "yield.samples=100", "-ts_tyep", "bdf", "-options_left", "0"]
    start = time.time()
    proc = subprocess.Popen(cmd, cwd=d, env=dict(os.environ, **MPI_ENV), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen, lines = None, []
    try:
        for line in proc.stderr:
            lines.append(line.rstrip())
            if "-ts_tyep" in line:
                seen = time.time() - start
                break
            if time.time() - start > 90:
                break
        running = proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    tap.check("a misspelt option is reported while the run goes on", seen is not None and running and seen < 60,
              f"warning after {seen if seen is None else round(seen, 1)} s, run still going: {running}; stderr {lines[-3:]}")
    tap.check("the warning names the option and says why", any(re.fullmatch(r"photherm: warning: option -ts_tyep was given but not used.*\(misspelt\?\)", ln)
                                                                for ln in lines), f"{lines[-1:]}")
    p = photherm(["run", FIRST, "-o", os.path.join(d, "left.h5"), "-quiet", "-P", "time.end=1ms", "-options_left", "0", "-ts_tyep", "bdf"], d)
    warned = [ln for ln in p.stderr.splitlines() if "warning" in ln]
    tap.check("each unused option is reported once; -options_left (read at exit) is not", p.returncode == 0 and len(warned) == 1
              and "-ts_tyep" in warned[0], f"exit {p.returncode}; warnings {warned}")


def help_and_order(tap, d):
    for sub in ("run", "summary", "check"):
        p = photherm([sub, "--help"], d)
        tap.check(f"photherm {sub} --help prints the usage", p.returncode == 0 and "usage:" in p.stdout and "photherm summary OUT.h5" in p.stdout,
                  f"exit {p.returncode}; {(p.stdout + p.stderr).strip()[:120]}")
    out = os.path.join(d, "first.h5")
    p = photherm(["run", "-quiet", "-o", out, "-P", "time.end=1ms", FIRST], d)
    tap.check("photherm run -quiet -o OUT -P x=y CASE runs", p.returncode == 0 and os.path.exists(out), f"exit {p.returncode}; {p.stderr.strip()[-300:]}")
    a = photherm(["summary", "--csv", out], d)
    b = photherm(["summary", out, "--csv"], d)
    tap.check("photherm summary --csv F.h5 equals photherm summary F.h5 --csv", a.returncode == 0 and a.stdout == b.stdout
              and len(a.stdout.splitlines()) == 2, f"exit {a.returncode}; {a.stderr.strip()[:200]}")


def missing_paths(tap, d):
    p = photherm(["summary", os.path.join(d, "nosuch.h5")], d)
    tap.check("summary of a missing file says no such file", p.returncode == 2 and re.search(r"nosuch\.h5: no such file", p.stderr),
              f"exit {p.returncode}; {p.stderr.strip()}")
    for sub in ("run", "mesh"):
        before = set(os.listdir(d))
        p = photherm([sub, FIRST, "-o", "nodir/x.h5", "-P", "time.end=1ms"], d)
        tap.check(f"{sub} -o nodir/x.h5 says the directory does not exist", p.returncode == 2 and "directory nodir does not exist" in p.stderr
                  and set(os.listdir(d)) == before, f"exit {p.returncode}; {p.stderr.strip()}")


def celsius_units(tap, d):
    for unit in ("degC", "°C"):
        p = photherm(["check", FIRST, "-P", f"boundaries.top.ambient=45 {unit}"], d)
        tap.check(f"45 {unit} is a temperature", p.returncode == 0 and "ambient 45 C" in p.stdout, f"exit {p.returncode}; {p.stderr.strip()}")


def scan_help(tap, d):
    p = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "scan.py"), "--help"], capture_output=True, text=True)
    options = re.findall(r"^\s+(-\S+)( [A-Z=]+)?(.*)$", p.stdout, re.M)
    bare = [o[0] for o in options if not o[2].strip()]
    tap.check("scan.py --help describes every option", p.returncode == 0 and len(options) >= 9 and not bare,
              f"exit {p.returncode}; {len(options)} options, without a description: {bare}")


def output_estimate(tap, d):
    units = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
    short = ["-P", "cell=4mm", "-P", "time.end=20ms", "-P", "optics.metrics_from=0", "-P", "yield.samples=100"]
    for label, case, args in (("snapshots", FIRST, ["-P", "time.end=20ms", "-P", "output.fields_every=1ms", "-P", "output.series_every=0.1ms"]),
                              ("series", LONG, short + ["-P", "output.series_every=20us", "-P", "output.fields_every=10ms"]),
                              ("steady", FIRST, ["-P", "time.mode=steady"])):
        p = photherm(["check", case] + args, d)
        m = re.search(r"^result file: about ([\d.]+) (\w+): fields .*, series .*$", p.stdout, re.M)
        out = os.path.join(d, f"size-{label}.h5")
        q = photherm(["run", case] + args + ["-o", out, "-quiet"], d)
        size = os.path.getsize(out) if q.returncode == 0 else 0
        estimate = float(m.group(1)) * units[m.group(2)] if m else 0
        tap.check(f"check estimates the result file ({label})", m and size and abs(estimate - size) <= 0.1 * size,
                  f"estimate {estimate:.3g} B, file {size} B; {m.group(0) if m else p.stdout[-300:]}")


def huge_pages(tap, d):
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            madvise = "[madvise]" in f.read()
    except OSError:
        madvise = False
    env = dict(os.environ, **MPI_ENV)
    env.pop("GLIBC_TUNABLES", None)
    outs = [os.path.join(d, "huge-on.h5"), os.path.join(d, "huge-off.h5")]
    args = ["-quiet", "-P", "time.end=50ms", "-P", "output.fields_every=10ms"]
    proc = subprocess.Popen([BIN, "run", FIRST, "-o", outs[0]] + args, cwd=d, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = b""
    while proc.poll() is None and not seen:
        try:
            with open(f"/proc/{proc.pid}/environ", "rb") as f:
                seen = b"".join(v for v in f.read().split(b"\0") if v.startswith(b"GLIBC_TUNABLES="))
        except OSError:
            pass
        time.sleep(0.005)
    err = proc.communicate(timeout=300)[1]
    want = b"GLIBC_TUNABLES=glibc.malloc.hugetlb=1" if madvise else b""
    tap.check("a run asks for huge pages where the kernel gives them on request (THP madvise), and only there", proc.returncode == 0 and seen == want,
              f"THP madvise: {madvise}; the run's GLIBC_TUNABLES: {seen!r}; exit {proc.returncode} {err.decode()[-300:]}")
    q = photherm(["run", FIRST, "-o", outs[1]] + args, d, env={"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"})
    import h5py
    import numpy as np
    diffs = []
    if proc.returncode == 0 and q.returncode == 0:
        with h5py.File(outs[0]) as a, h5py.File(outs[1]) as b:
            names = []
            for g in ("series", "fields"):
                a[g].visititems(lambda n, o, g=g: names.append(f"{g}/{n}") if isinstance(o, h5py.Dataset) else None)
            diffs = [n for n in names if n not in b or not np.array_equal(a[n][...], b[n][...])]
    tap.check("with and without huge pages the fields and series are bit for bit the same", q.returncode == 0 and proc.returncode == 0 and not diffs,
              f"exit {q.returncode}; differing datasets {diffs[:5]}")


def singleton_pml(tap, d):
    args = ["run", FIRST, "-quiet", "-P", "time.end=1ms"]
    verbose = {"OMPI_MCA_mtl_base_verbose": "100"}
    for label, nranks, env, opened in (("a singleton never opens the cm layer's networks (ob1)", 1, verbose, False),
                                       ("ranks started by mpirun keep Open MPI's choice", 2, verbose, True),
                                       ("a user's OMPI_MCA_pml is kept", 1, dict(verbose, OMPI_MCA_pml="ob1,cm"), True)):
        p = photherm(args + ["-o", os.path.join(d, "pml.h5")], d, nranks=nranks, env=env)
        seen = "opening mtl components" in p.stderr
        tap.check(f"{label}: runs, mtl components opened: {opened}", p.returncode == 0 and seen == opened,
                  f"exit {p.returncode}; mtl opened: {seen}; {p.stderr.strip()[-300:]}")


def launcher_alone(tap, d):
    lonely = os.path.join(d, "lonely", "bin")
    os.makedirs(lonely, exist_ok=True)
    shutil.copy(os.path.join(ROOT, "bin", "photherm"), lonely)
    p = subprocess.run([os.path.join(lonely, "photherm"), "--version"], capture_output=True, text=True, timeout=60)
    want = os.path.join(os.path.realpath(lonely), "..", "libexec", "photherm", "photherm")
    tap.check("the launcher without its program names the file and the reason, exit 1",
              p.returncode == 1 and f"cannot start {want}: No such file or directory" in p.stderr, f"exit {p.returncode}: {p.stderr.strip()[-300:]}")


def main():
    tap = Tap(__file__)
    d = workdir("cli")
    for fn in (misspelt_option_early, help_and_order, missing_paths, celsius_units, scan_help, output_estimate, huge_pages, singleton_pml, launcher_alone):
        tap.guard(fn.__name__, fn, tap, d)
    tap.finish()


if __name__ == "__main__":
    main()

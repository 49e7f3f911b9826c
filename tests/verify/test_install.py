#!/usr/bin/python3
"""make install and builds against a cluster's own PETSc (README.md, Installing).

1. `make install PREFIX=P` puts photherm in P/bin (the launcher) and P/libexec/photherm (the program), the scan and plot scripts in P/share/photherm/scripts (with
   photherm-scan, photherm-plot-scan and photherm-plot-run in P/bin), the material library and the example cases in
   P/share/photherm; `DESTDIR` stages the same tree under another root.
2. With P/bin on PATH, README's `mpirun -n N photherm run CASE` works as written from any directory, on an installed
   example that includes the installed material library; `photherm-scan` runs a scan with the installed photherm (no
   repository, no $PHOTHERM) and collects it.
3. PETSC_DIR/PETSC_ARCH: against a PETSc laid out as a cluster's own build ($PETSC_DIR/$PETSC_ARCH/{include,lib} and
   its PETSc.pc; here Debian's PETSc seen through such a tree), the build takes its flags from that tree, and changing
   PETSC_ARCH makes it configure again. With PH_TEST_PETSC_DIR (and PH_TEST_PETSC_ARCH) naming a second real PETSc
   build, the whole program is built against it and runs a case."""
import csv
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import MPI_ENV, ROOT, Tap, workdir, write  # noqa: E402


def make(args, cwd=ROOT, env=None, timeout=900):
    e = dict(os.environ, **(env or {}))
    e.pop("MAKEFLAGS", None)
    e.pop("MAKELEVEL", None)
    return subprocess.run(["make", "--no-print-directory"] + args, cwd=cwd, env=e, capture_output=True, text=True, timeout=timeout)


def install(tap, d):
    prefix = os.path.join(d, "prefix")
    p = make(["install", f"PREFIX={prefix}"])
    tap.check("make install PREFIX=... exits 0", p.returncode == 0, f"exit {p.returncode}: {(p.stdout + p.stderr).strip()[-400:]}")
    want = ["bin/photherm", "libexec/photherm/photherm", "bin/photherm-scan", "bin/photherm-plot-scan", "bin/photherm-plot-run", "share/photherm/scripts/scan.py",
            "share/photherm/scripts/plot_scan.py", "share/photherm/scripts/plot_run.py", "share/photherm/scripts/render_slice.py",
            "share/photherm/meshes/materials.yaml", "share/photherm/cases/first.yaml", "share/photherm/cases/cpo-2p5d.yaml",
            "share/photherm/cases/traces/training.csv", "share/photherm/cases/README.md"]
    missing = [w for w in want if not os.path.exists(os.path.join(prefix, w))]
    tap.check("installed: photherm, the scripts, the material library, the examples", not missing, f"missing {missing}")
    staged = os.path.join(d, "stage")
    p = make(["install", "PREFIX=/opt/photherm", f"DESTDIR={staged}"])
    tap.check("DESTDIR stages the same tree", p.returncode == 0 and os.access(os.path.join(staged, "opt/photherm/bin/photherm"), os.X_OK)
              and os.path.exists(os.path.join(staged, "opt/photherm/share/photherm/meshes/materials.yaml")),
              f"exit {p.returncode}; {sorted(os.listdir(staged)) if os.path.isdir(staged) else 'nothing'}")
    return prefix


def use_installed(tap, d, prefix):
    here = os.path.join(d, "elsewhere")
    os.makedirs(here)
    env = dict(os.environ, **MPI_ENV)
    env["PATH"] = os.path.join(prefix, "bin") + os.pathsep + env["PATH"]
    env.pop("PHOTHERM", None)
    case = os.path.join(prefix, "share/photherm/cases/first.yaml")
    p = subprocess.run(["mpirun", "-n", "2", "photherm", "run", case, "-P", "time.end=1ms", "-o", "run.h5", "-quiet"], cwd=here, env=env,
                       capture_output=True, text=True, timeout=300)
    tap.check("mpirun -n 2 photherm run (installed, on PATH) runs an installed example", p.returncode == 0 and os.path.exists(os.path.join(here, "run.h5")),
              f"exit {p.returncode}: {p.stderr.strip()[-400:]}")
    scan = write(os.path.join(here, "scan.yaml"), f"""cases: {{first: {case}}}
grid:
  power: [100 W, 200 W]
set: {{time.end: 1 ms}}
run: {{ranks: 1, jobs: 2}}
out: out
""")
    p = subprocess.run(["photherm-scan", scan], cwd=here, env=env, capture_output=True, text=True, timeout=300)
    rows = list(csv.DictReader(open(os.path.join(here, "out", "results.csv")))) if os.path.exists(os.path.join(here, "out", "results.csv")) else []
    logs = [open(os.path.join(here, "out", "logs", f)).readline() for f in sorted(os.listdir(os.path.join(here, "out", "logs")))] \
        if os.path.isdir(os.path.join(here, "out", "logs")) else []
    tap.check("photherm-scan runs a scan with the installed photherm", p.returncode == 0 and len(rows) == 2 and all(r["status"] == "done" for r in rows)
              and logs and all(os.path.join(prefix, "bin", "photherm") in os.path.normpath(line.split()[1]) for line in logs),
              f"exit {p.returncode}; statuses {[r['status'] for r in rows]}; commands {[line.split()[1] for line in logs if len(line.split()) > 1]}; "
              f"{p.stderr.strip()[-300:]}")
    p = subprocess.run(["photherm-plot-run", "--help"], cwd=here, env=env, capture_output=True, text=True, timeout=60)
    tap.check("photherm-plot-run is on PATH", p.returncode == 0 and "usage" in p.stdout, f"exit {p.returncode}: {p.stderr.strip()[-200:]}")


def fake_petsc_dir(d):
    """A PETSC_DIR/PETSC_ARCH tree over Debian's PETSc, as a cluster build lays it out, with its own PETSc.pc."""
    pc = subprocess.run(["pkg-config", "--variable=prefix", "PETSc"], capture_output=True, text=True).stdout.strip()
    petsc_dir = os.path.join(d, "petsc")
    arch = os.path.join(petsc_dir, "arch-cluster-opt")
    os.makedirs(os.path.join(arch, "lib", "pkgconfig"))
    os.symlink(os.path.join(pc, "include"), os.path.join(arch, "include"))
    for f in os.listdir(os.path.join(pc, "lib")):
        if f.startswith("libpetsc"):
            os.symlink(os.path.join(pc, "lib", f), os.path.join(arch, "lib", f))
    text = open(os.path.join(pc, "lib", "pkgconfig", "PETSc.pc")).read()
    lines = [f"prefix={arch}" if line.startswith("prefix=") else line for line in text.splitlines()]
    write(os.path.join(arch, "lib", "pkgconfig", "PETSc.pc"), "\n".join(lines) + "\n")
    return petsc_dir, "arch-cluster-opt"


def own_petsc(tap, d):
    tree = os.path.join(d, "tree")
    os.makedirs(os.path.join(tree, "scripts"))
    shutil.copy(os.path.join(ROOT, "Makefile"), tree)
    shutil.copy(os.path.join(ROOT, "scripts", "install-deps.sh"), os.path.join(tree, "scripts"))
    for sub in ("src", "include", "tests"):
        shutil.copytree(os.path.join(ROOT, sub), os.path.join(tree, sub), ignore=shutil.ignore_patterns("regress"))
    petsc_dir, arch = fake_petsc_dir(d)
    p = make(["build/config.mk", f"PETSC_DIR={petsc_dir}", f"PETSC_ARCH={arch}"], cwd=tree)
    config = open(os.path.join(tree, "build", "config.mk")).read() if os.path.exists(os.path.join(tree, "build", "config.mk")) else ""
    inc, lib = f"-I{petsc_dir}/{arch}/include", f"-L{petsc_dir}/{arch}/lib"
    tap.check("PETSC_DIR/PETSC_ARCH: flags from $PETSC_DIR/$PETSC_ARCH", p.returncode == 0 and inc in config and lib in config,
              f"exit {p.returncode}; {inc} in flags: {inc in config}; {lib}: {lib in config}; {(p.stdout + p.stderr).strip()[-300:]}")
    os.rename(os.path.join(petsc_dir, arch), os.path.join(petsc_dir, "arch-other"))
    text = open(os.path.join(petsc_dir, "arch-other", "lib", "pkgconfig", "PETSc.pc")).read().replace(arch, "arch-other")
    write(os.path.join(petsc_dir, "arch-other", "lib", "pkgconfig", "PETSc.pc"), text)
    p = make(["build/config.mk", f"PETSC_DIR={petsc_dir}", "PETSC_ARCH=arch-other"], cwd=tree)
    config = open(os.path.join(tree, "build", "config.mk")).read()
    tap.check("another PETSC_ARCH configures again", p.returncode == 0 and f"-I{petsc_dir}/arch-other/include" in config,
              f"exit {p.returncode}; {config.splitlines()[:2]}")
    real_dir = os.environ.get("PH_TEST_PETSC_DIR")
    if not real_dir:
        tap.note("no second PETSc build (set PH_TEST_PETSC_DIR and PH_TEST_PETSC_ARCH to build against one): the full build is not tried")
        return
    p = make(["-j2", "bin/photherm", f"PETSC_DIR={real_dir}", f"PETSC_ARCH={os.environ.get('PH_TEST_PETSC_ARCH', '')}"], cwd=tree, timeout=1800)
    q = subprocess.run([os.path.join(tree, "bin", "photherm"), "check", os.path.join(ROOT, "cases", "first.yaml")], capture_output=True, text=True,
                       env=dict(os.environ, **MPI_ENV)) if p.returncode == 0 else None
    tap.check("a build against the second PETSc checks a case", q is not None and q.returncode == 0,
              f"build exit {p.returncode}: {(p.stdout + p.stderr).strip()[-300:]}")


def main():
    tap = Tap(__file__)
    d = workdir("install")
    prefix = tap.guard("install", install, tap, d)
    if prefix:
        tap.guard("use_installed", use_installed, tap, d, prefix)
    tap.guard("own_petsc", own_petsc, tap, d)
    tap.finish()


if __name__ == "__main__":
    main()

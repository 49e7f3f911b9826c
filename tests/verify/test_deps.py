#!/usr/bin/python3
"""scripts/install-deps.sh installs every tool that README.md's commands and the tests use, and its --if-missing
mode (run by make and make test) notices when any one of them is missing.

The script runs with a PATH of its own: links to the real commands, minus the ones a check hides, plus a fake
apt-get (and sudo) that records what it was asked to install. Checks:
- with everything present, --if-missing does nothing;
- with one tool hidden (pvpython, Xvfb, h5diff, clang-format-14, paraview, clang-14), --if-missing installs, and the packages
  it installs include the tool's Debian package (pvpython is in python3-paraview, which paraview only recommends);
- make deps (no argument) installs every tool package;
- without apt-get, a missing tool is a warning naming its package and the build goes on (exit 0), while a missing
  build dependency is an error (exit 1)."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import ROOT, Tap, workdir, write  # noqa: E402

SCRIPT = os.path.join(ROOT, "scripts", "install-deps.sh")
# command -> the Debian package make deps installs it from
TOOLS = {"pvpython": "python3-paraview", "Xvfb": "xvfb", "h5diff": "hdf5-tools", "clang-format-14": "clang-format-14",
         "paraview": "paraview", "clang-14": "clang-14"}
BUILD = ["mpicc", "mpirun", "pkg-config"]
# what the script itself runs from PATH besides the probed commands
UTILS = ["id", "tr", "sed"]

FAKE_APT = """#!/bin/sh
echo "$*" >> "{log}"
"""
FAKE_SUDO = """#!/bin/sh
exec "$@"
"""


def fake_path(wd, name, hide=(), apt=True):
    """A directory holding links to the real commands except `hide`, and a recording apt-get when `apt`."""
    d = os.path.join(wd, name)
    os.makedirs(d)
    for cmd in list(TOOLS) + BUILD + UTILS:
        real = shutil.which(cmd)
        if cmd not in hide and real:
            os.symlink(real, os.path.join(d, cmd))
    log = os.path.join(wd, name + ".log")
    if apt:
        for cmd, text in (("apt-get", FAKE_APT.format(log=log)), ("sudo", FAKE_SUDO)):
            write(os.path.join(d, cmd), text)
            os.chmod(os.path.join(d, cmd), 0o755)
    return d, log


def run(wd, name, args, hide=(), apt=True):
    """(exit status, stderr, the apt-get install lines as lists of packages)"""
    d, log = fake_path(wd, name, hide, apt)
    p = subprocess.run(["/bin/sh", SCRIPT] + args, env={"PATH": d, "HOME": wd}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60)
    calls = open(log).read().splitlines() if os.path.exists(log) else []
    installs = [c.split() for c in calls if c.split()[:1] == ["install"]]
    return p.returncode, p.stderr.strip(), installs


def installed(installs):
    return {w for c in installs for w in c if not w.startswith("-") and w != "install"}


def main():
    tap = Tap(__file__)
    wd = workdir("deps")
    absent = [c for c in list(TOOLS) + BUILD + UTILS if shutil.which(c) is None]
    tap.check("tools_present", not absent, "every tool make deps installs is on PATH" if not absent
              else f"missing on this machine: {absent} (run make deps)")

    rc, err, installs = run(wd, "all", ["--if-missing"])
    tap.check("if_missing_all_present", rc == 0 and not installs and not err,
              f"exit {rc}, apt-get install calls {installs}, stderr {err!r}")

    for cmd, pkg in TOOLS.items():
        rc, err, installs = run(wd, "hide-" + cmd, ["--if-missing"], hide=[cmd])
        got = installed(installs)
        tap.check(f"if_missing_installs_{pkg}", rc == 0 and pkg in got and pkg in err,
                  f"{cmd} hidden: exit {rc}, installs {pkg}: {pkg in got}, stderr {err.splitlines()[:1]}")

    rc, err, installs = run(wd, "deps", [])
    got = installed(installs)
    want = set(TOOLS.values()) | {"python3-yaml", "python3-h5py", "python3-numpy", "python3-matplotlib"}
    tap.check("make_deps_installs_every_tool", rc == 0 and want <= got, f"exit {rc}, not installed: {sorted(want - got)}")
    tap.check("make_deps_no_recommends", bool(installs) and all("--no-install-recommends" in c for c in installs),
              f"apt-get install calls: {[' '.join(c[:4]) for c in installs]}")

    rc, err, installs = run(wd, "noapt-tool", ["--if-missing"], hide=["pvpython"], apt=False)
    tap.check("no_apt_missing_tool_warns", rc == 0 and "python3-paraview" in err and "warning" in err,
              f"no apt-get, pvpython hidden: exit {rc} (want 0), stderr {err!r}")
    rc, err, installs = run(wd, "noapt-build", ["--if-missing"], hide=["pvpython", "mpicc"], apt=False)
    tap.check("no_apt_missing_build_fails", rc == 1 and "not a Debian-like system" in err,
              f"no apt-get, mpicc hidden: exit {rc} (want 1), stderr {err.splitlines()[:1]}")
    tap.finish()


if __name__ == "__main__":
    main()

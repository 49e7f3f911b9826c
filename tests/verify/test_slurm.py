#!/usr/bin/python3
"""A scan on a real SLURM (README.md, Scans): the job array scan.py writes works on a default Slurm with Debian's Open MPI.

Slurm is installed when missing (apt, as root: slurm-wlm and munge, as CI does), then a private munged, slurmctld and
slurmd are started on localhost with a minimal configuration of their own (own ports, socket, state and spool
directories; nothing of the machine's own Slurm or munge is touched) and stopped at the end.
1. A 2 x 2 scan of the 2.5D example, each point on 2 MPI ranks, submitted through the generated OUT/submit.sh
   unmodified: every task runs (srun with the MPI plug-in the installed MPI needs: pmix for Debian's Open MPI), the
   collect job writes results.csv with every point done and its values equal to `photherm summary --csv` of the
   point, and draws the plots.
2. A scan whose point the case refuses: its task ran and failed, and results.csv records it as `failed` with the exit
   status and error line, exactly as a local run does.
The test is skipped, with the reason, only where Slurm cannot be installed (no apt-get, or not root)."""
import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import BIN, MPI_ENV, ROOT, Tap, workdir, write  # noqa: E402

SCAN = os.path.join(ROOT, "scripts", "scan.py")
DAEMONS = ("sbatch", "srun", "squeue", "slurmctld", "slurmd", "munged")
SHORT = "{cell: 4 mm, time.end: 2 ms, optics.metrics_from: 0, output.series_every: 1 ms, yield.samples: 200}"


def install_slurm(tap):
    """"" when Slurm's commands are there (installed now if need be), else why they cannot be."""
    if all(shutil.which(c) for c in DAEMONS):
        return ""
    if os.geteuid() != 0:
        return "Slurm is not installed and installing it needs root"
    if not shutil.which("apt-get"):
        return "Slurm is not installed and this is not a Debian-like system (no apt-get)"
    tap.note("installing slurm-wlm and munge with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "slurm-wlm", "munge"]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
    if p.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
    missing = [c for c in DAEMONS if not shutil.which(c)]
    return f"apt-get could not install Slurm ({p.stderr.strip()[-200:]})" if missing else ""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalSlurm:
    """munged, slurmctld and slurmd of this test only, in directory d."""

    def __init__(self, d):
        self.d = d
        for sub in ("state", "spool", "log"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        os.chmod(d, 0o755)
        self.socket = os.path.join(d, "munge.socket")
        self.conf = os.path.join(d, "slurm.conf")
        self.env = dict(os.environ, **MPI_ENV)
        self.env["SLURM_CONF"] = self.conf
        self.pids = []

    def start(self):
        key = os.path.join(self.d, "munge.key")
        with open(key, "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o600)
        subprocess.run(["munged", "--force", f"--socket={self.socket}", f"--key-file={key}", f"--log-file={self.d}/log/munged.log",
                        f"--pid-file={self.d}/munged.pid", f"--seed-file={self.d}/munged.seed"], check=True, capture_output=True, timeout=60)
        cpus = os.cpu_count() or 1
        write(self.conf, f"""# a one-node Slurm for tests/verify/test_slurm.py
ClusterName=phtest
SlurmctldHost=localhost
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
AuthType=auth/munge
AuthInfo=socket={self.socket}
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={self.d}/state
SlurmdSpoolDir={self.d}/spool
SlurmctldPidFile={self.d}/slurmctld.pid
SlurmdPidFile={self.d}/slurmd.pid
SlurmctldLogFile={self.d}/log/slurmctld.log
SlurmdLogFile={self.d}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=localhost NodeAddr=127.0.0.1 NodeHostname={socket.gethostname()} CPUs={cpus} RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
""")
        subprocess.run(["slurmctld", "-f", self.conf], env=self.env, check=True, capture_output=True, timeout=60)
        subprocess.run(["slurmd", "-f", self.conf, "-N", "localhost"], env=self.env, check=True, capture_output=True, timeout=60)
        t0 = time.time()
        while time.time() - t0 < 60:
            p = subprocess.run(["sinfo", "-h", "-o", "%T"], env=self.env, capture_output=True, text=True, timeout=30)
            if p.stdout.strip() in ("idle", "mixed", "allocated"):
                return ""
            time.sleep(1)
        return f"the node did not come up: sinfo says {p.stdout.strip()!r} {p.stderr.strip()!r}"

    def wait(self, jobs, timeout):
        t0 = time.time()
        while time.time() - t0 < timeout:
            p = subprocess.run(["squeue", "-h", "-j", ",".join(jobs)], env=self.env, capture_output=True, text=True, timeout=30)
            if p.returncode == 0 and not p.stdout.strip():
                return True
            time.sleep(2)
        return False

    def stop(self):
        subprocess.run(["scancel", "--user=root"], env=self.env, capture_output=True, timeout=30)
        for name in ("slurmd", "slurmctld"):
            pidfile = os.path.join(self.d, name + ".pid")
            if os.path.exists(pidfile):
                try:
                    os.kill(int(open(pidfile).read().strip()), 15)
                except (ValueError, ProcessLookupError):
                    pass
        time.sleep(1)
        subprocess.run(["munged", "--stop", f"--socket={self.socket}"], capture_output=True, timeout=30)

    def logs(self):
        out = []
        for f in ("slurmctld.log", "slurmd.log"):
            path = os.path.join(self.d, "log", f)
            if os.path.exists(path):
                out += [f"{f}: {line}" for line in open(path, errors="replace").read().splitlines()[-8:]]
        return "\n".join(out)


def scan_file(d, name, grid):
    return write(os.path.join(d, name + ".yaml"), f"""cases: {{2.5D: {ROOT}/cases/cpo-2p5d.yaml}}
grid:
{grid}
set: {SHORT}
slurm: {{time: "00:10:00", ranks: 2, jobs: 2}}
out: out-{name}
""")


def submit(tap, slurm, d, path):
    p = subprocess.run(["/usr/bin/python3", SCAN, path], cwd=d, env=slurm.env, capture_output=True, text=True, timeout=120)
    out = os.path.join(d, "out-" + os.path.basename(path)[:-5])
    submit_sh = os.path.join(out, "submit.sh")
    if p.returncode != 0 or not os.path.exists(submit_sh):
        tap.fail(f"{os.path.basename(path)}: scan.py writes the job scripts", f"exit {p.returncode}: {p.stderr.strip()[-300:]}")
        return out, []
    q = subprocess.run([submit_sh], cwd=d, env=slurm.env, capture_output=True, text=True, timeout=120)
    jobs = re.findall(r"\d+", q.stdout)
    tap.check(f"{os.path.basename(path)}: submit.sh submits the array and the collect job", q.returncode == 0 and len(jobs) == 2,
              f"exit {q.returncode}: {q.stdout.strip()} {q.stderr.strip()[-300:]}")
    return out, jobs


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def check_scan(tap, out, slurm):
    rows = read_csv(os.path.join(out, "results.csv")) if os.path.exists(os.path.join(out, "results.csv")) else []
    tap.check("2 x 2 scan: every point done", len(rows) == 4 and all(r["status"] == "done" for r in rows),
              f"{[(r['gap'], r['h_cold_plate'], r['status'], r['error'][:100]) for r in rows]}; collect log: "
              f"{open(os.path.join(out, 'logs', 'collect.log')).read()[-400:] if os.path.exists(os.path.join(out, 'logs', 'collect.log')) else 'none'}")
    worst = 0.0
    for r in rows:
        name = "2.5D" + "".join(f"__{k}={r[k].replace(' ', '').replace('/', '_')}" for k in ("gap", "h_cold_plate"))
        s = subprocess.run([BIN, "summary", os.path.join(out, "points", name + ".h5"), "--csv"], capture_output=True, text=True)
        header, values = list(csv.reader(io.StringIO(s.stdout)))
        summary = dict(zip(header, values))
        for k in ("peak_temperature", "links.link0.tuning_power_mean", "links.link0.stable_throughput"):
            worst = max(worst, abs(float(summary[k]) - float(r[k])))
    tap.check("2 x 2 scan: the rows hold the points' summaries", rows and worst == 0.0, f"largest difference {worst:g}")
    logs = " ".join(open(os.path.join(out, "logs", f)).readline() for f in os.listdir(os.path.join(out, "logs")) if f.endswith(".log")
                    and not f.startswith(("task-", "collect")))
    tap.check("2 x 2 scan: tasks ran on 2 ranks through srun --mpi=pmix", logs.count("srun --mpi=pmix -n 2 ") == 4, logs[:300])
    plots = os.path.join(out, "plots")
    pngs = sorted(f for f in os.listdir(plots) if f.endswith(".png")) if os.path.isdir(plots) else []
    tap.check("2 x 2 scan: the collect job drew the plots", len(pngs) >= 2 and all(open(os.path.join(plots, f), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
                                                                                 for f in pngs), f"{pngs}")


def check_failed(tap, out):
    rows = read_csv(os.path.join(out, "results.csv")) if os.path.exists(os.path.join(out, "results.csv")) else []
    tap.check("a task that ran and failed is recorded as failed with its exit status and error line",
              len(rows) == 1 and rows[0]["status"] == "failed" and rows[0]["error"].startswith("exit 2: photherm: error: ")
              and "footprint" in rows[0]["error"], f"{[(r['status'], r['error']) for r in rows]}")


def main():
    tap = Tap(__file__)
    why = tap.guard("install", install_slurm, tap)
    if why:
        print(f"ok - slurm: SKIP: {why}")
        tap.finish()
    d = workdir("slurm")
    slurm = LocalSlurm(os.path.join(d, "slurm"))
    try:
        why = tap.guard("start", slurm.start)
        if why is None or why:
            tap.fail("a local Slurm starts", f"{why}\n{slurm.logs()}")
            tap.finish()
        tap.ok("a local Slurm starts (munged, slurmctld, slurmd)")
        good = scan_file(d, "grid", "  gap: [1 mm, 2 mm]\n  h_cold_plate: [5e3 W/m^2/K, 2e4 W/m^2/K]")
        bad = scan_file(d, "bad", "  gap: [80 mm]")  # 80 mm puts the PIC outside the footprint
        out_good, jobs_good = submit(tap, slurm, d, good)
        out_bad, jobs_bad = submit(tap, slurm, d, bad)
        t0 = time.time()
        finished = slurm.wait(jobs_good + jobs_bad, 900)
        tap.check("the jobs end", finished, f"{time.time() - t0:.0f} s\n{slurm.logs()}")
        check_scan(tap, out_good, slurm)
        check_failed(tap, out_bad)
    finally:
        slurm.stop()
    tap.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Plot the time series of one photherm run to a PNG.

Usage:
  scripts/plot_run.py OUT.h5 [-o OUT.png] [--source NAME]... [--link NAME]

Panels, top to bottom: source powers (the ASIC and the others), source peak temperatures, ring temperatures (every
ring, coloured by group), tuning power of each link, the margin of every line with the link's threshold, and the
throughput of each link. Runs without optics get the first two panels only. Default output: OUT.png beside OUT.h5.
Needs h5py, numpy and matplotlib (Debian's python3-h5py, python3-numpy, python3-matplotlib; make deps).
"""
import argparse
import os
import sys


def main(argv):
    ap = argparse.ArgumentParser(prog="plot_run.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("result")
    ap.add_argument("-o", "--out")
    ap.add_argument("--source", action="append", default=[], help="plot only these sources")
    ap.add_argument("--link", help="plot only this link's rings, lines and throughput")
    args = ap.parse_args(argv)
    try:
        import h5py
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
    except ImportError as e:
        sys.stderr.write(f"plot_run.py: error: {e.name} is missing; run `make deps`\n")
        return 2
    try:
        f = h5py.File(args.result, "r")
    except OSError as e:
        sys.stderr.write(f"plot_run.py: error: {args.result}: not readable as HDF5 ({e})\n")
        return 2
    with f:
        if "/series/time" not in f:
            sys.stderr.write(f"plot_run.py: error: {args.result}: not a photherm result (no /series/time)\n")
            return 2

        def names(path):
            return [n.decode() if isinstance(n, bytes) else str(n) for n in f[path].attrs["names"]]

        t = f["/series/time"][:] * 1e3  # ms
        case = f.attrs.get("case_name", b"")
        case = case.decode() if isinstance(case, bytes) else str(case)
        optics = "/series/links/throughput" in f
        panels = 6 if optics else 2
        fig, axes = plt.subplots(panels, 1, figsize=(10, 2.3 * panels), sharex=True, squeeze=False)
        axes = axes[:, 0]
        src = names("/series/sources/power")
        keep = [i for i, n in enumerate(src) if not args.source or n in args.source]
        power, tmax = f["/series/sources/power"][:], f["/series/sources/t_max"][:]
        for i in keep:
            axes[0].step(t, power[:, i], where="post", label=src[i])
            axes[1].plot(t, tmax[:, i], label=src[i])
        axes[0].set_ylabel("source power [W]")
        axes[1].set_ylabel("source max [degC]")
        if optics:
            links = names("/series/links/throughput")
            rings = names("/series/rings/temperature")
            lines = names("/series/lines/margin")
            if args.link and args.link not in links:
                sys.stderr.write(f"plot_run.py: error: {args.link}: no such link ({', '.join(links)})\n")
                return 2
            rt = f["/series/rings/temperature"][:]
            groups = list(dict.fromkeys(r.split("[")[0] for r in rings))
            colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
            for i, r in enumerate(rings):
                g = groups.index(r.split("[")[0])
                axes[2].plot(t, rt[:, i], color=colours[g % len(colours)], lw=0.8, label=r.split("[")[0] if r.endswith("[0]") else None)
            axes[2].set_ylabel("ring T [degC]")
            tune = f["/series/links/tuning_power"][:]
            tp = f["/series/links/throughput"][:]
            margin = f["/series/lines/margin"][:]
            for k, ln in enumerate(links):
                if args.link and ln != args.link:
                    continue
                axes[3].step(t, tune[:, k], where="post", label=ln)
                axes[5].step(t, tp[:, k], where="post", label=ln)
            for j, ln in enumerate(lines):
                if args.link and not ln.startswith(args.link + "["):
                    continue
                axes[4].plot(t, margin[:, j], lw=0.8, label=ln if len(lines) <= 16 else None)
            axes[3].set_ylabel("tuning power [mW]")
            axes[4].set_ylabel("line margin [dB]")
            axes[5].set_ylabel("throughput [Gb/s]")
            lo, hi = np.nanmin(margin), np.nanmax(margin)
            if hi - lo < 1e-6:
                axes[4].set_ylim(lo - 1, hi + 1)
        for ax in axes:
            ax.grid(True, alpha=0.3)
            handles, _ = ax.get_legend_handles_labels()
            if handles:
                ax.legend(fontsize=7, ncol=4, loc="best")
        axes[-1].set_xlabel("time [ms]")
        fig.suptitle(f"{case}: {os.path.basename(args.result)}", fontsize=11)
        fig.tight_layout()
        out = args.out or os.path.splitext(args.result)[0] + ".png"
        fig.savefig(out, dpi=110)
        plt.close(fig)
    print(f"plot_run: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

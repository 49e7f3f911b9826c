#!/usr/bin/python3
"""Write the seed corpora of the fuzz targets from the repository's own inputs (run by `make fuzz`).

Usage: tests/fuzz/seeds.py OUTDIR
  OUTDIR/case/   every case file of cases/ and tests/ (YAML text), and each case with its includes merged into it
                 (the harness loads text from memory, where includes are refused)
  OUTDIR/trace/  every CSV trace of cases/ and tests/
  OUTDIR/units/  every scalar value of those case files, prefixed by one byte that picks the quantity the harness
                 asks for (the first byte of a units input)
The committed regression inputs (tests/fuzz/regress/TARGET/) are run by the harnesses as well, not copied here.
"""
import glob
import hashlib
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NQUANTITIES = 21  # PH_QT_COUNT_ in include/photherm/units.h


def put(outdir, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(outdir, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def scalars(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            scalars(v, out)
    elif isinstance(node, list):
        for v in node:
            scalars(v, out)
    elif isinstance(node, str):
        out.add(node)


def merged(path, depth=0):
    """The case with its includes merged in (later keys win, as the loader merges them), or None."""
    with open(path, errors="replace") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or depth > 4:
        return None
    inc = doc.pop("include", [])
    base = {}
    for name in [inc] if isinstance(inc, str) else inc if isinstance(inc, list) else []:
        sub = merged(os.path.join(os.path.dirname(path), str(name)), depth + 1) if isinstance(name, str) else None
        for k, v in (sub or {}).items():
            base[k] = {**base[k], **v} if isinstance(base.get(k), dict) and isinstance(v, dict) else v
    for k, v in doc.items():
        base[k] = {**base[k], **v} if isinstance(base.get(k), dict) and isinstance(v, dict) else v
    return base


def main():
    out = sys.argv[1]
    for target in ("case", "trace", "units"):
        os.makedirs(os.path.join(out, target), exist_ok=True)
    cases = sorted(glob.glob(os.path.join(ROOT, "cases", "*.yaml")) + glob.glob(os.path.join(ROOT, "meshes", "*.yaml")) +
                   glob.glob(os.path.join(ROOT, "tests", "**", "*.yaml"), recursive=True))
    values = set()
    for path in cases:
        with open(path, "rb") as f:
            put(os.path.join(out, "case"), f.read())
        try:
            doc = merged(path)
        except (yaml.YAMLError, OSError, RecursionError):
            continue
        if doc is not None:
            put(os.path.join(out, "case"), yaml.safe_dump(doc, sort_keys=False))
            scalars(doc, values)
    for path in sorted(glob.glob(os.path.join(ROOT, "cases", "**", "*.csv"), recursive=True) +
                       glob.glob(os.path.join(ROOT, "tests", "**", "*.csv"), recursive=True)):
        with open(path, "rb") as f:
            put(os.path.join(out, "trace"), f.read())
    for i, v in enumerate(sorted(values)):
        put(os.path.join(out, "units"), bytes([i % NQUANTITIES]) + v.encode())
    print(f"fuzz seeds: {len(cases)} case files, {len(values)} values in {out}")


if __name__ == "__main__":
    main()

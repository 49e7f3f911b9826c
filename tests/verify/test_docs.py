#!/usr/bin/python3
"""The documents stand on their own: everything a user reads is in the repository.

- No user-facing file (the READMEs, cases, scans, traces, the material library, scripts, verification scripts,
  benchmarks, Makefile, CI) cites a document outside the repository: the developers' design and physics contracts
  and their research notes, by name, by section sign or by path.
- Every relative link of the Markdown files points to an existing file, and every #anchor to a heading of it.
- README.md documents what photherm writes: every group, dataset and attribute of a result file with optics and
  yield is in "Result file layout", and every summary metric in the Models section.
- README.md's "Defaults and their sources" names every optics and yield key that has a default in cases/README.md,
  and its "Scan file format" every key scripts/scan.py accepts.
The C sources (src/, include/, tests/unit/) are for developers and not checked; a note counts their citations."""
import glob
import os
import re
import sys

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phverify import ROOT, Tap, must_run, workdir  # noqa: E402

USER_FACING = ["README.md", "Makefile", ".ci/*", "docs/**/*.md", "cases/**/*.md", "cases/*.yaml", "cases/scans/*.yaml",
               "cases/traces/*.csv", "meshes/*.yaml", "scripts/*", "tests/README.md", "tests/verify/*.py", "tests/long/*.py",
               "tests/regress/**/*.yaml", "benchmarks/README.md", "benchmarks/*.py", "benchmarks/*/*.py", "benchmarks/*/*.sh",
               "benchmarks/*/*.yaml"]
DEVELOPER = ["src/*", "include/photherm/*", "tests/unit/*"]
# The outside documents: the design, physics and style contracts, the research notes and the folder holding them,
# cited by name, by section sign (DESIGN uses numbers, the research notes letters) or by path.
OUTSIDE = [
    (re.compile(r"\b(PHYSICS|DESIGN|STYLE)(\.md|\s*§|\b)"), "a developers' contract document"),
    (re.compile(r"optics-physics|style-anchors|\bresearch/"), "the developers' research notes"),
    (re.compile(r"\.\./shared\b|\bshared/(anchors|research|hooks)\b|/work/"), "a path outside the repository"),
    (re.compile(r"§\s*[a-h]\.\d|\bsection [a-h]\b(?![-.\w])"), "a section of the research notes"),
]
MARKDOWN = ["README.md", "cases/README.md", "tests/README.md", "benchmarks/README.md", "docs/**/*.md"]
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")

CASE_ARGS = ["-P", "time.end=2ms", "-P", "optics.metrics_from=0", "-P", "cell=2mm", "-P", "yield.samples=200", "-quiet"]


def files(patterns, exclude=()):
    out = []
    for pat in patterns:
        for path in sorted(glob.glob(os.path.join(ROOT, pat), recursive=True)):
            rel = os.path.relpath(path, ROOT)
            if os.path.isfile(path) and rel not in out and rel not in exclude:
                out.append(rel)
    return out


def read(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def outside_references(rel):
    hits = []
    for n, line in enumerate(read(rel).splitlines(), 1):
        for rx, what in OUTSIDE:
            m = rx.search(line)
            if m:
                hits.append(f"{rel}:{n}: {m.group(0)!r} ({what})")
    return hits


def no_fences(text):
    """Markdown without its fenced code blocks."""
    return re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.S | re.M)


def prose(text):
    """Markdown without code blocks and inline code, where links are not links."""
    return re.sub(r"`[^`\n]*`", "", no_fences(text))


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped except - and _, spaces to -."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(rel):
    seen, out = {}, set()
    for line in no_fences(read(rel)).splitlines():
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else f"{s}-{n}")
    return out


def broken_links(rel):
    bad, base = [], os.path.dirname(os.path.join(ROOT, rel))
    for target in LINK.findall(prose(read(rel))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
            continue
        path, _, frag = target.partition("#")
        full = os.path.normpath(os.path.join(base, path)) if path else os.path.join(ROOT, rel)
        if not full.startswith(ROOT + os.sep) and full != ROOT:
            bad.append(f"{rel}: {target} (outside the repository)")
        elif not os.path.exists(full):
            bad.append(f"{rel}: {target} (no such file)")
        elif frag and full.endswith(".md") and frag not in anchors(os.path.relpath(full, ROOT)):
            bad.append(f"{rel}: {target} (no heading with anchor #{frag})")
    return bad


def section(text, heading):
    """The text of a Markdown section from its heading to the next heading of the same or a higher level."""
    m = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, flags=re.M)
    if not m:
        return ""
    level = len(m.group(1))
    end = re.search(rf"^#{{1,{level}}} ", text[m.end():], flags=re.M)
    return text[m.end(): m.end() + end.start()] if end else text[m.end():]


def layout_paths(text):
    """Paths the "Result file layout" table names: the first cell of each row, `/a/b/c`, `d` meaning /a/b/c and
    /a/b/d; an "attribute(s) `x`, `y`" row names /path@x and /path@y."""
    paths = set()
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        cell = line.split("|")[1]
        names = re.findall(r"`([^`]*)`", cell)
        if not names:
            continue
        if " attribute" in cell:
            owner = names[0]
            for a in names[1:]:
                paths.add(f"{owner}@{a}")
            continue
        first = names[0]
        paths.add(first)
        parent = first.rsplit("/", 1)[0]
        for n in names[1:]:
            paths.add(n if n.startswith("/") else f"{parent}/{n}")
    return paths


def result_paths(h5):
    """Every group and dataset of a result file, and the attributes of the root and of /case (snapshot views as one)."""
    out = set()

    def visit(name, obj):
        path = "/" + name
        path = re.sub(r"/fields/snapshots/t\d{5}$", "/fields/snapshots/t00000", path)
        if isinstance(obj, h5py.Dataset):
            out.add(path)

    with h5py.File(h5, "r") as f:
        f.visititems(visit)
        out |= {f"/@{a}" for a in f.attrs}
        out |= {f"/case@{a}" for a in f["case"].attrs}
        summary = set()

        def collect(name, obj):
            summary.update(a for a in obj.attrs if not a.endswith((".units", ".definition")))
        collect("", f["summary"])
        f["summary"].visititems(collect)
    return out, summary


def main():
    tap = Tap(__file__)
    me = os.path.relpath(os.path.abspath(__file__), ROOT)

    # 1. no reference outside the repository
    user = files(USER_FACING, exclude={me})
    hits = [h for rel in user for h in outside_references(rel)]
    tap.check("no_outside_references", not hits, f"{len(user)} user-facing files" if not hits
              else f"{len(hits)} references outside the repository:\n" + "\n".join(hits))
    dev = files(DEVELOPER)
    counts = {}
    for rel in dev:
        n = sum(1 for h in outside_references(rel))
        if n:
            top = rel.split("/")[0] if not rel.startswith("tests/") else "tests/unit"
            counts[top] = counts.get(top, 0) + n
    tap.note("developer sources citing the developers' contracts (not checked): "
             + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))

    # 2. relative links
    docs = files(MARKDOWN)
    bad = [b for rel in docs for b in broken_links(rel)]
    nlinks = sum(len(LINK.findall(prose(read(rel)))) for rel in docs)
    tap.check("relative_links", not bad and "README.md" in docs and "cases/README.md" in docs,
              f"{nlinks} links in {', '.join(docs)}" if not bad else "\n".join(bad))

    # 3. README.md documents the result file and the metrics
    readme = read("README.md")
    layout = section(readme, "Result file layout")
    models = section(readme, "Models")
    tap.check("readme_sections", bool(layout) and bool(models) and bool(section(models, "Defaults and their sources"))
              and bool(section(readme, "Scan file format")),
              "Models, Defaults and their sources, Result file layout and Scan file format are in README.md")
    wd = workdir("docs")
    out = os.path.join(wd, "out.h5")
    if tap.guard("run_example", must_run, ["run", os.path.join(ROOT, "cases", "cpo-2p5d.yaml"), "-o", out] + CASE_ARGS, wd) is not None:
        got, summary = result_paths(out)
        documented = layout_paths(layout)
        missing = sorted(got - documented)
        tap.check("layout_lists_every_dataset", not missing,
                  f"{len(got)} datasets and attributes of a run with optics and yield" if not missing
                  else f"not in README.md's Result file layout: {missing}")
        words = {part for token in re.findall(r"`([^`\n]+)`", no_fences(models)) for part in token.split("/")}
        missing = sorted(a for a in summary if a not in words)
        tap.check("models_define_every_metric", not missing, f"{len(summary)} summary attributes" if not missing
                  else f"not defined in README.md's Models: {missing}")

    # 4. every defaulted optics and yield key of cases/README.md has its source, every scan key its description
    cases = read("cases/README.md")
    keys = set()
    for heading in ("15. optics", "15.1 lasers", "15.2 rings", "15.3 links", "16. yield"):
        for line in section(cases, heading).splitlines():
            cells = [c.strip() for c in line.split("|")]
            if len(cells) > 4 and cells[1].startswith("`") and cells[3] not in ("required", "none", "default", "---") \
                    and not cells[3].startswith("required"):
                keys.add(cells[1].strip("`"))
    tokens = set(re.findall(r"`([^`\n]+)`", no_fences(section(models, "Defaults and their sources"))))

    def named(key):  # `heater.efficiency` in cases/README.md may appear as `heater.efficiency` or `efficiency`
        return any(t == key or t.endswith("." + key) or key.endswith("." + t) or t.startswith(key + ".") for t in tokens)
    missing = sorted(k for k in keys if not named(k))
    tap.check("defaults_have_sources", keys and not missing, f"{len(keys)} keys with defaults in cases/README.md sections 15-16"
              if not missing else f"not in README.md's Defaults and their sources: {missing}")
    m = re.search(r"known = \{([^}]*)\}", read("scripts/scan.py"))
    scan_keys = set(re.findall(r'"(\w+)"', m.group(1))) if m else set()
    table = section(readme, "Scan file format")
    missing = sorted(k for k in scan_keys if f"| `{k}` |" not in table)
    tap.check("scan_format_complete", scan_keys and not missing, f"{len(scan_keys)} keys of scripts/scan.py" if not missing
              else f"not in README.md's Scan file format: {missing}")
    tap.finish()


if __name__ == "__main__":
    main()

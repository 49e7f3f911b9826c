"""Render a horizontal slice of a photherm result's temperature to a PNG, offscreen, with ParaView.

usage: pvpython scripts/render_slice.py OUT.xmf [--time T] [--layer NAME | --z Z] [--out slice.png] [--size 1200x900]
                                            [--array "temperature [degC]" | --array material] [--range MIN MAX]

  --time T      simulated time in s (units s, ms, us accepted: 5ms); the nearest snapshot is drawn. Default: the last.
  --layer NAME  slice through the middle of this layer of the stack (as named in the case).
  --z Z         height of the slice in m (units m, mm, um accepted).
                Default height: the devices. With optics, the middle of the layer of the rings (of the first ring
                group's block); otherwise the middle of the layer, within the hottest block of the drawn snapshot (the
                block whose hottest cell is the hottest), that holds that block's hottest cell; without blocks, the
                layer of the hottest cell. A late snapshot's hottest cell can lie in a bump or TIM layer without blocks,
                which is why the default looks at blocks first.
  --array A     the cell array to colour by: the temperature (default), "material" (each material in its own colour,
                named in the legend) or "power_density [W/m^3] at t = 0".
  --out F       PNG file to write (default slice.png).

The picture: the slice seen from above (x to the right, y up, axes in mm), coloured by cell temperature with a colour
bar in degC (or by material, with the material names), the outlines of the blocks cut by the slice, and a title with
the case name, the time, the height and the layer.
The XDMF file is opened with ParaView's XDMF 2 reader (XDMFReader), which reads photherm's temporal collection.

Without an X display, a ParaView built for X (as Debian's) cannot render even offscreen: the script then runs itself
again under a private Xvfb server (Debian package xvfb) when that is installed.
"""
import argparse
import os
import re
import shutil
import sys


def parse_quantity(text, units):
    m = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-z]*)\s*", text)
    if not m or m.group(2) not in units:
        raise argparse.ArgumentTypeError(f"expected a number with an optional unit ({', '.join(u for u in units if u)}), got {text!r}")
    return float(m.group(1)) * units[m.group(2)]


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="pvpython scripts/render_slice.py", description=__doc__.split("\n")[0])
    ap.add_argument("xmf", help="the .xmf file written next to a photherm result")
    ap.add_argument("--time", type=lambda s: parse_quantity(s, {"": 1, "s": 1, "ms": 1e-3, "us": 1e-6}), default=None)
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--z", type=lambda s: parse_quantity(s, {"": 1, "m": 1, "mm": 1e-3, "um": 1e-6}), default=None,
                       help="height of the slice (5mm, 300um, or m)")
    where.add_argument("--layer", help="slice through the middle of this layer of the stack")
    ap.add_argument("--out", default="slice.png")
    ap.add_argument("--size", default="1200x900", help="WIDTHxHEIGHT in pixels")
    ap.add_argument("--array", default="temperature [degC]", help='cell array to colour by: "temperature [degC]", material, ...')
    ap.add_argument("--range", nargs=2, type=float, default=None, metavar=("MIN", "MAX"), help="colour range (default: the slice's)")
    return ap.parse_args(argv)


def ensure_display():
    """Without an X display and with a ParaView that renders through X: run this script again as a child of a private
    Xvfb server (its display number chosen by Xvfb itself, -displayfd, so that runs never collide), and exit with the
    child's status."""
    if os.environ.get("DISPLAY") or os.environ.get("PH_RENDER_SLICE_XVFB"):
        return
    try:
        import vtkmodules.vtkRenderingOpenGL2  # noqa: F401 - registers the render window implementation
        from vtkmodules.vtkRenderingCore import vtkRenderWindow
        kind = vtkRenderWindow().GetClassName()
    except Exception:  # noqa: BLE001
        kind = "vtkXOpenGLRenderWindow"
    if kind != "vtkXOpenGLRenderWindow":
        return  # EGL or OSMesa: offscreen without X
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        sys.exit("render_slice.py: no X display (DISPLAY is unset) and this ParaView renders through X; "
                 "install xvfb (apt-get install xvfb) or run under an X server")
    import subprocess
    pvpython = shutil.which("pvpython") or "pvpython"
    for attempt in range(4):
        read_end, write_end = os.pipe()
        # -noreset: by default Xvfb resets itself whenever its last client disconnects, and ParaView opens and closes a
        # test connection before it opens the one it renders on, which then races the reset
        server = subprocess.Popen([xvfb, "-displayfd", str(write_end), "-screen", "0", "1600x1200x24", "-nolisten", "tcp", "-noreset"],
                                  pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_end)
        number = b""
        while not number.endswith(b"\n"):
            chunk = os.read(read_end, 16)
            if not chunk:
                break
            number += chunk
        os.close(read_end)
        if not number.strip():
            server.kill()
            server.wait()
            sys.exit("render_slice.py: Xvfb did not start")
        env = dict(os.environ, DISPLAY=":" + number.decode().strip(), PH_RENDER_SLICE_XVFB="1")
        try:
            child = subprocess.run([pvpython, os.path.abspath(sys.argv[0])] + sys.argv[1:], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace")
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        # should a connection still fail (VTK aborts with "bad X server connection", or crashes in XSync when its interactor
        # gets no display), start a fresh server and try again
        lost = "bad X server connection" in child.stdout or ("SIGSEGV" in child.stdout and "XSync" in child.stdout)
        if child.returncode != 0 and lost and attempt < 3:
            continue
        sys.stdout.write(child.stdout)
        sys.stdout.flush()
        sys.exit(child.returncode)


def hdf5_of(xmf):
    """The HDF5 file an XDMF file refers to (the first HDF data item), as a path."""
    text = open(xmf).read()
    m = re.search(r'Format="HDF"\s*>\s*([^<:]+):/', text)
    if not m:
        return None, text
    path = m.group(1).strip()
    return (path if os.path.isabs(path) else os.path.join(os.path.dirname(os.path.abspath(xmf)), path)), text


class SliceError(Exception):
    """A slice that cannot be drawn as asked (an unknown layer)."""


def slice_plan(h5path, snapshot_time, layer=None):
    """Where to cut, from the HDF5 result: (z0, z1, what, case_name, blocks, materials) with the z range of the layer
    to cut through (its middle is drawn), what says which and why, blocks lists (name, x0, x1, y0, y1, z0, z1) of every
    block, materials the material names by index. `layer` names the layer; otherwise the default of --z. None when h5py
    is missing."""
    try:
        import h5py
        import numpy as np
    except ImportError:
        return None

    def text(v):
        return v.decode() if isinstance(v, bytes) else str(v)

    with h5py.File(h5path, "r") as f:
        x, y, z = (f[f"mesh/{a}"][...] for a in "xyz")
        times = f["fields/time"][...]
        s = int(np.argmin(np.abs(times - snapshot_time)))
        T = f["fields/temperature"][s]
        name = text(f.attrs.get("case_name", b""))
        materials = [text(n) for n in f["mesh/material"].attrs.get("names", [])]
        layers = [(text(ly["name"]), int(ly["k0"]), int(ly["k1"])) for ly in f["mesh/layers"][...]] if "mesh/layers" in f else []
        boxes = [(text(b["name"]), int(b["i0"]), int(b["i1"]), int(b["j0"]), int(b["j1"]), int(b["k0"]), int(b["k1"]))
                 for b in f["mesh/blocks"][...]] if "mesh/blocks" in f else []
        rings = []
        if "series/rings/temperature" in f and "case/yaml" in f:
            try:
                import yaml
                doc = yaml.safe_load(text(f["case/yaml"][()]))
                rings = [(str(g.get("name")), str(g.get("block"))) for g in (doc.get("optics") or {}).get("rings") or []]
            except Exception:  # noqa: BLE001 - no PyYAML in this interpreter, or an unexpected layout: no rings rule
                rings = []
    blocks = [(b[0], x[b[1]], x[b[2]], y[b[3]], y[b[4]], z[b[5]], z[b[6]]) for b in boxes]

    def layer_of(k):
        return next((ly for ly in layers if ly[1] <= k < ly[2]), None)

    def answer(ly, what):
        return z[ly[1]], z[ly[2]], what, name, blocks, materials

    if layer is not None:
        found = next((ly for ly in layers if ly[0] == layer), None)
        if found is None:
            raise SliceError(f"no layer {layer!r} in {h5path}; its layers are {', '.join(ly[0] for ly in layers)}")
        return answer(found, f"layer {layer}")
    by_name = {b[0]: b for b in boxes}
    for group, block in rings:
        if block in by_name and layer_of(by_name[block][5]):
            return answer(layer_of(by_name[block][5]), f"layer {layer_of(by_name[block][5])[0]}, rings {group}")
    best = None
    for b in boxes:  # the hottest block (its hottest cell), ties to the smaller block
        sub = T[b[5]:b[6], b[3]:b[4], b[1]:b[2]]
        if sub.size == 0:
            continue
        k = b[5] + int(np.unravel_index(int(np.argmax(sub)), sub.shape)[0])
        key = (float(sub.max()), -sub.size)
        if best is None or key > best[0]:
            best = (key, b, k)
    if best is not None and layer_of(best[2]):
        ly = layer_of(best[2])
        return answer(ly, f"layer {ly[0]} of block {best[1][0]}, the hottest")
    k = int(np.unravel_index(int(np.argmax(T)), T.shape)[0])
    if layer_of(k):
        return answer(layer_of(k), f"layer {layer_of(k)[0]}, the hottest cell")
    return z[k], z[k + 1], "hottest cell", name, blocks, materials


def format_time(t):
    if t == 0:
        return "0 s"
    for unit, f in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if abs(t) >= f:
            return f"{t / f:.6g} {unit}"
    return f"{t / 1e-9:.6g} ns"


def main():
    opts = parse_args(sys.argv[1:])
    if not os.path.exists(opts.xmf):
        sys.exit(f"render_slice.py: {opts.xmf}: no such file")
    ensure_display()
    from paraview import simple as pv
    from vtkmodules.numpy_interface import dataset_adapter as dsa
    import numpy as np

    width, height = (int(v) for v in opts.size.lower().split("x"))
    xmf = os.path.abspath(opts.xmf)
    h5path, xmf_text = hdf5_of(xmf)
    reader = pv.XDMFReader(FileNames=[xmf])
    reader.UpdatePipelineInformation()
    tv = reader.TimestepValues
    times = [float(tv)] if isinstance(tv, (int, float)) else (list(tv) if tv else [0.0])
    t = times[-1] if opts.time is None else min(times, key=lambda v: abs(v - opts.time))
    if opts.time is not None and abs(t - opts.time) > 1e-9 * max(1.0, abs(opts.time)):
        print(f"render_slice.py: no snapshot at t = {format_time(opts.time)}; drawing the nearest, t = {format_time(t)}")
    reader.UpdatePipeline(t)
    if opts.array not in reader.CellData.keys():
        sys.exit(f"render_slice.py: {opts.xmf} has no cell array {opts.array!r} (it has {list(reader.CellData.keys())})")
    bounds = reader.GetDataInformation().GetBounds()

    case_name, blocks, materials, where = None, [], [], ""
    try:
        info = slice_plan(h5path, t, opts.layer) if h5path and os.path.exists(h5path) else None
    except SliceError as e:
        sys.exit(f"render_slice.py: {e}")
    if info is not None:
        z0, z1, where, case_name, blocks, materials = info
    if opts.z is not None:
        z = opts.z
        where = "z given"
    elif info is not None:
        z = 0.5 * (z0 + z1)
    elif opts.layer is not None:
        sys.exit(f"render_slice.py: --layer needs the HDF5 result beside {opts.xmf} and h5py")
    else:  # no h5py: the hottest cell, from ParaView's own data
        data = dsa.WrapDataObject(reader.GetClientSideObject().GetOutputDataObject(0))
        values = np.asarray(data.CellData[opts.array])
        cell = int(np.argmax(values))
        cb = data.VTKObject.GetCell(cell).GetBounds()
        z = 0.5 * (cb[4] + cb[5])
        where = "hottest cell"
    if not bounds[4] <= z <= bounds[5]:
        sys.exit(f"render_slice.py: z = {z} m is outside the stack (0 .. {bounds[5]} m)")
    if not case_name:
        m = re.search(r'<Grid Name="([^"]*)" GridType="Collection"', xmf_text)
        case_name = m.group(1) if m else os.path.basename(opts.xmf)

    cx, cy = 0.5 * (bounds[0] + bounds[1]), 0.5 * (bounds[2] + bounds[3])
    # one millimetre per unit on screen: scale the geometry so that the axes read in mm
    scale = pv.Transform(Input=reader)
    scale.Transform.Scale = [1e3, 1e3, 1e3]
    cut = pv.Slice(Input=scale)
    cut.SliceType = "Plane"
    cut.SliceType.Origin = [cx * 1e3, cy * 1e3, z * 1e3]
    cut.SliceType.Normal = [0.0, 0.0, 1.0]
    if hasattr(cut, "Triangulatetheslice"):
        cut.Triangulatetheslice = 0
    cut.UpdatePipeline(t)

    view = pv.CreateView("RenderView")
    view.ViewSize = [width, height]
    view.ViewTime = t
    view.OrientationAxesVisibility = 0
    view.Background = [1, 1, 1]
    if hasattr(view, "UseColorPaletteForBackground"):
        view.UseColorPaletteForBackground = 0
    shown = pv.Show(cut, view)
    shown.Ambient, shown.Diffuse, shown.Specular = 1.0, 0.0, 0.0  # true colours: no shading of the flat slice
    pv.ColorBy(shown, ("CELLS", opts.array))
    lut = pv.GetColorTransferFunction(opts.array)
    lut.ApplyPreset("Inferno (matplotlib)", True)
    lo, hi = opts.range if opts.range else cut.CellData[opts.array].GetRange()
    if hi <= lo:
        hi = lo + 1e-6
    lut.RescaleTransferFunction(lo, hi)
    if hasattr(lut, "AutomaticRescaleRangeMode"):
        lut.AutomaticRescaleRangeMode = "Never"
    shown_materials = []
    if opts.array == "material" and materials:  # one colour per material present in the slice, named
        present = sorted({int(round(v)) for v in np.asarray(dsa.WrapDataObject(cut.GetClientSideObject().GetOutputDataObject(0))
                                                            .CellData["material"]).ravel()})
        shown_materials = [materials[i] for i in present if 0 <= i < len(materials)]
        lut.InterpretValuesAsCategories = 1
        lut.Annotations = sum(([str(i), materials[i]] for i in present if 0 <= i < len(materials)), [])
        lut.ApplyPreset("Brewer Qualitative Set3" if len(present) <= 12 else "Rainbow Uniform", True)
        lut.InterpretValuesAsCategories = 1
    shown.SetScalarBarVisibility(view, True)
    bar = pv.GetScalarBar(lut, view)
    bar.Title = ("temperature [degC]" if opts.array.startswith("temperature") else "material" if opts.array == "material" else opts.array)
    bar.ComponentTitle = ""
    bar.TitleColor = bar.LabelColor = [0, 0, 0]
    bar.TitleFontSize = 18
    bar.LabelFontSize = 16
    bar.RangeLabelFormat = "%-#.4g"
    bar.WindowLocation = "Any Location"
    bar.Orientation = "Vertical"
    bar.Position = [0.89, 0.15]
    bar.ScalarBarLength = 0.7

    # outlines of the blocks the slice cuts
    for name, x0, x1, y0, y1, bz0, bz1 in blocks:
        if bz0 <= z <= bz1:
            line = pv.PolyLineSource(Points=[x0 * 1e3, y0 * 1e3, z * 1e3 + 1e-3, x1 * 1e3, y0 * 1e3, z * 1e3 + 1e-3,
                                             x1 * 1e3, y1 * 1e3, z * 1e3 + 1e-3, x0 * 1e3, y1 * 1e3, z * 1e3 + 1e-3], Closed=1)
            ls = pv.Show(line, view)
            ls.DiffuseColor = ls.AmbientColor = [0.3, 0.8, 1.0]
            ls.LineWidth = 2.0
    what = "temperature" if opts.array.startswith("temperature") else opts.array.split(" [")[0]
    title = pv.Text(Text=f"{case_name}: {what} at t = {format_time(t)}, z = {z * 1e3:.4g} mm ({where})")
    ts = pv.Show(title, view)
    ts.WindowLocation = "Upper Center"
    ts.FontSize = 20
    ts.Color = [0, 0, 0]

    # axes in mm around the slice
    shown.DataAxesGrid.GridAxesVisibility = 1
    grid = shown.DataAxesGrid
    grid.XTitle, grid.YTitle = "x [mm]", "y [mm]"
    for attr in ("XTitleColor", "YTitleColor", "XLabelColor", "YLabelColor", "GridColor"):
        if hasattr(grid, attr):
            setattr(grid, attr, [0, 0, 0])
    grid.ShowGrid = 0

    view.CameraPosition = [cx * 1e3, cy * 1e3, z * 1e3 + 10 * max(bounds[1] - bounds[0], bounds[3] - bounds[2]) * 1e3]
    view.CameraFocalPoint = [cx * 1e3, cy * 1e3, z * 1e3]
    view.CameraViewUp = [0, 1, 0]
    view.CameraParallelProjection = 1
    view.ResetCamera(False)
    view.CameraParallelScale *= 1.12
    pv.Render(view)
    pv.SaveScreenshot(os.path.abspath(opts.out), view, ImageResolution=[width, height])
    coloured = f"materials {', '.join(shown_materials)}" if shown_materials else f"{opts.array} {lo:.6g} .. {hi:.6g}"
    print(f"render_slice.py: wrote {opts.out}: {case_name}, t = {format_time(t)}, z = {z * 1e3:.6g} mm ({where}), {coloured}")


if __name__ == "__main__":
    main()

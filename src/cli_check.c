/* photherm check and photherm mesh: load and validate a case, build its mesh, report it or write it. */
#include <photherm/cli.h>
#include <photherm/mesh.h>
#include <photherm/sim.h>
#include <photherm/units.h>

#include <string.h>

/* Lengths outside these bounds are implausible for a package (m): warned about, not refused. */
#define PH_PLAUSIBLE_LENGTH_MIN    1e-8
#define PH_PLAUSIBLE_THICKNESS_MAX 0.1
#define PH_PLAUSIBLE_FOOTPRINT_MAX 1.0

/* "x 5 mm .. 10 mm, y 2 mm .. 4 mm, z 1.2 mm .. 1.3 mm": the extent of a box of cells, in readable units. */
static PetscErrorCode PhFormatBox(PhMesh mesh, const PhIndexBox *box, char *buf, size_t len)
{
  const PetscReal *line[3];
  char             a[3][32], b[3][32];

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetLines(mesh, &line[0], &line[1], &line[2]));
  for (int d = 0; d < 3; d++) {
    PetscCall(PhUnitsFormat(line[d][box->lo[d]], PH_QT_LENGTH, a[d], sizeof(a[d])));
    PetscCall(PhUnitsFormat(line[d][box->hi[d]], PH_QT_LENGTH, b[d], sizeof(b[d])));
  }
  (void)snprintf(buf, len, "x %s .. %s, y %s .. %s, z %s .. %s", a[0], b[0], a[1], b[1], a[2], b[2]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

#define PH_MAX_OVERLAP_WARNINGS 20 /* pairs of overlapping sources listed one by one */

static PetscBool PhIndexBoxInside(const PhIndexBox *inner, const PhIndexBox *outer)
{
  for (int d = 0; d < 3; d++)
    if (inner->lo[d] < outer->lo[d] || inner->hi[d] > outer->hi[d]) return PETSC_FALSE;
  return PETSC_TRUE;
}

/*
  Warnings about a valid case that is probably not what its author meant (cases/README.md, section "Warnings"):
  sources that share cells (unless one is a hot spot inside a larger one), a block that overrides the material of part
  of a block that carries a source, and lengths implausible for a package (a bare number is metres).
*/
static PetscErrorCode PhCliWarnings(MPI_Comm comm, PhCase pb, PhMesh mesh)
{
  char     where[256], a[32], b[32];
  PetscInt overlaps = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < pb->nsources; i++)
    for (PetscInt j = i + 1; j < pb->nsources; j++) {
      PhIndexBox bi, bj, both;

      PetscCall(PhMeshGetSourceBox(mesh, i, &bi));
      PetscCall(PhMeshGetSourceBox(mesh, j, &bj));
      both = PhIndexBoxIntersect(&bi, &bj);
      if (PhIndexBoxCount(&both) == 0) continue;
      if (PhIndexBoxCount(&bi) != PhIndexBoxCount(&bj) && (PhIndexBoxInside(&bi, &bj) || PhIndexBoxInside(&bj, &bi))) continue; /* a hot spot */
      if (++overlaps > PH_MAX_OVERLAP_WARNINGS) continue; /* n sources may overlap in n^2 / 2 pairs: counted, not each printed */
      PetscCall(PhFormatBox(mesh, &both, where, sizeof(where)));
      PetscCall(PetscFPrintf(comm, stderr,
                             "photherm: warning: sources %s and %s overlap (%s): both powers are spread over those cells and add up there%s\n",
                             pb->sources[i].name, pb->sources[j].name, where,
                             PhIndexBoxCount(&bi) == PhIndexBoxCount(&bj) ? " (the same cells: a source given twice?)" : ""));
    }
  if (overlaps > PH_MAX_OVERLAP_WARNINGS)
    PetscCall(PetscFPrintf(comm, stderr, "photherm: warning: %d more pairs of sources overlap (only the first %d are listed)\n",
                           (int)(overlaps - PH_MAX_OVERLAP_WARNINGS), PH_MAX_OVERLAP_WARNINGS));
  for (PetscInt s = 0; s < pb->nsources; s++) {
    PetscInt   b = pb->sources[s].block;
    PhIndexBox bs;

    if (pb->sources[s].kind != PH_SOURCE_BLOCK || b < 0 || pb->blocks[b].material < 0) continue;
    PetscCall(PhMeshGetBlockBox(mesh, b, &bs));
    for (PetscInt o = b + 1; o < pb->nblocks; o++) { /* blocks are in priority order: a later one wins */
      PhIndexBox bo, both;

      if (pb->blocks[o].material < 0 || pb->blocks[o].material == pb->blocks[b].material) continue;
      PetscCall(PhMeshGetBlockBox(mesh, o, &bo));
      both = PhIndexBoxIntersect(&bs, &bo);
      if (PhIndexBoxCount(&both) == 0) continue;
      PetscCall(PhFormatBox(mesh, &both, where, sizeof(where)));
      PetscCall(PetscFPrintf(comm, stderr,
                             "photherm: warning: block %s (%s) overrides the material of block %s (%s) in %s, but source %s still spreads its "
                             "power over the whole of block %s, those cells included\n",
                             pb->blocks[o].name, pb->materials[pb->blocks[o].material].name, pb->blocks[b].name,
                             pb->materials[pb->blocks[b].material].name, where, pb->sources[s].name, pb->blocks[b].name));
    }
  }
  for (PetscInt l = 0; l < pb->nlayers && pb->mesh_file == NULL; l++) {
    PetscReal t = pb->layers[l].z1 - pb->layers[l].z0;

    if (t <= PH_PLAUSIBLE_THICKNESS_MAX && t >= PH_PLAUSIBLE_LENGTH_MIN) continue;
    PetscCall(PhUnitsFormat(t, PH_QT_LENGTH, a, sizeof(a)));
    if (t > PH_PLAUSIBLE_THICKNESS_MAX) (void)snprintf(where, sizeof(where), " (\"%g mm\" or \"%g um\"?)", (double)t, (double)t);
    else where[0] = '\0';
    PetscCall(PetscFPrintf(
      comm, stderr, "photherm: warning: stack[%d] (%s): a thickness of %s is implausible for a package; a number without a unit is in metres%s\n",
      (int)l, pb->layers[l].name, a, where));
  }
  for (int d = 0; d < 2; d++) {
    PetscReal lo = d ? pb->fy0 : pb->fx0, hi = d ? pb->fy1 : pb->fx1;

    if (hi - lo <= PH_PLAUSIBLE_FOOTPRINT_MAX && hi - lo >= PH_PLAUSIBLE_LENGTH_MIN) continue;
    PetscCall(PhUnitsFormat(lo, PH_QT_LENGTH, a, sizeof(a)));
    PetscCall(PhUnitsFormat(hi, PH_QT_LENGTH, b, sizeof(b)));
    PetscCall(PetscFPrintf(
      comm, stderr, "photherm: warning: footprint.%c: %s .. %s is implausible for a package; a number without a unit is in metres (write mm or um)\n",
      d ? 'y' : 'x', a, b));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Load a case and build its mesh; on bad input print every diagnostic and set *exit_code to 2.

  Collective on `comm`. *problem and *mesh are NULL unless the input is valid. Warnings are printed in either case.
**/
PetscErrorCode PhCliLoad(MPI_Comm comm, const PhCliArgs *args, PhCase *problem, PhMesh *mesh, int *exit_code)
{
  PhDiag   diag;
  PetscInt nerrors;

  PetscFunctionBeginUser;
  *mesh    = NULL;
  *problem = NULL;
  PetscCall(PhDiagCreate(&diag));
  PetscCall(PhCaseLoad(comm, args->path, args->noverrides, args->overrides, diag, problem));
  if (*problem != NULL) PetscCall(PhMeshCreate(comm, *problem, diag, mesh));
  if (*mesh != NULL && !(*problem)->time.steady && (*problem)->time.initial == PH_INITIAL_FILE) /* the earlier result fits this mesh */
    PetscCall(PhResultCheckInitial(comm, (*problem)->time.initial_file, (*problem)->time.initial_time, *mesh, diag, (*problem)->time.initial_loc));
  PetscCall(PhDiagGetCount(diag, &nerrors, NULL));
  PetscCall(PhDiagPrint(diag, comm, stderr));
  PetscCall(PhDiagDestroy(&diag));
  if (nerrors > 0 || *mesh == NULL) {
    PetscCall(PhMeshDestroy(mesh));
    PetscCall(PhCaseDestroy(problem));
    *exit_code = PH_EXIT_BAD_INPUT;
  } else PetscCall(PhCliWarnings(comm, *problem, *mesh));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Estimate the memory of the run and refuse it (exit 2, with the numbers) when it exceeds the node's memory.

  Collective on `comm`. Options: -ph_ranks N (ranks of the planned run, default the current size),
  -ph_ranks_per_node M (default: N when -ph_ranks is given, else the ranks of this launch on this node),
  -ph_force (run anyway).
**/
PetscErrorCode PhCliMemory(MPI_Comm comm, PhCase problem, PhMesh mesh, PhMemoryEstimate *est, PetscBool *refused)
{
  PetscMPIInt size, node_size;
  MPI_Comm    node;
  PetscInt    ranks, per_node;
  PetscBool   set, force = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  PetscCallMPI(MPI_Comm_size(node, &node_size));
  PetscCallMPI(MPI_Comm_free(&node));
  ranks = size;
  PetscOptionsBegin(comm, NULL, "photherm memory estimate", "PhCliMemory");
  PetscCall(PetscOptionsInt("-ph_ranks", "ranks the estimate divides the cells over (default: this run's)", "PhCliMemory", ranks, &ranks, &set));
  per_node = set ? ranks : node_size;
  PetscCall(PetscOptionsInt("-ph_ranks_per_node", "ranks sharing one node's memory", "PhCliMemory", per_node, &per_node, NULL));
  PetscCall(PetscOptionsBool("-ph_force", "run even when the estimate exceeds the node's available memory", "PhCliMemory", force, &force, NULL));
  PetscOptionsEnd();
  PetscCall(PhMeshEstimateMemory(mesh, ranks, per_node, est));
  *refused = PETSC_FALSE;
  if (est->available > 0 && est->per_node > est->available && !force) {
    char need[32], have[32], rank_b[32];

    PetscCall(PhFormatBytes(est->per_node, need, sizeof(need)));
    PetscCall(PhFormatBytes(est->available, have, sizeof(have)));
    PetscCall(PhFormatBytes(est->per_rank, rank_b, sizeof(rank_b)));
    PetscCall(PetscFPrintf(
      comm, stderr,
      "photherm: error: %s: the mesh of %.4g cells needs an estimated %s per node (%s per rank x %d ranks per node, %.0f bytes per cell), more than the %s available; "
      "coarsen the grid, use more nodes (-ph_ranks, -ph_ranks_per_node) or force it with -ph_force\n",
      problem->path, (double)est->cells, need, rank_b, (int)est->ranks_per_node, (double)est->bytes_per_cell, have));
    *refused = PETSC_TRUE;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhPrintAxis(MPI_Comm comm, const char *name, PetscInt n, const PetscReal *v)
{
  PetscReal lo = PETSC_MAX_REAL, hi = 0;
  char      a[32], b[32], c[32], d[32];

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) {
    lo = PetscMin(lo, v[i + 1] - v[i]);
    hi = PetscMax(hi, v[i + 1] - v[i]);
  }
  PetscCall(PhUnitsFormat(v[0], PH_QT_LENGTH, a, sizeof(a)));
  PetscCall(PhUnitsFormat(v[n], PH_QT_LENGTH, b, sizeof(b)));
  PetscCall(PhUnitsFormat(lo, PH_QT_LENGTH, c, sizeof(c)));
  PetscCall(PhUnitsFormat(hi, PH_QT_LENGTH, d, sizeof(d)));
  PetscCall(PetscPrintf(comm, "  %s  %6d cells over %s .. %s, smallest %s, largest %s\n", name, (int)n, a, b, c, d));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhDescribeSignal(const PhSignal *s, PhQuantityType type, char *buf, size_t len)
{
  char a[64], b[64], c[64];

  PetscFunctionBeginUser;
  PetscCall(PhUnitsFormat(PhSignalEvaluate(s, 0), type, a, sizeof(a)));
  switch (s->type) {
  case PH_SIGNAL_CONSTANT:
    (void)snprintf(buf, len, "%s", a);
    break;
  case PH_SIGNAL_TRACE:
    PetscCall(PhUnitsFormat(s->t[s->n - 1] - s->t[0], PH_QT_TIME, b, sizeof(b)));
    (void)snprintf(buf, len, "%s at t = 0; trace %s, column %s: %d rows over %s, %s%s%s", a, s->file, s->column, (int)s->n, b,
                   s->linear ? "linear" : "hold", s->repeat ? ", repeated" : "", s->scale != 1 ? ", scaled" : "");
    break;
  case PH_SIGNAL_SQUARE:
    PetscCall(PhUnitsFormat(s->high, type, b, sizeof(b)));
    PetscCall(PhUnitsFormat(s->low, type, c, sizeof(c)));
    (void)snprintf(buf, len, "%s at t = 0; square %s / %s, period %g ms, duty %g", a, b, c, (double)s->period * 1e3, (double)s->duty);
    break;
  case PH_SIGNAL_SINE:
    (void)snprintf(buf, len, "%s at t = 0; sine, period %g ms", a, (double)s->period * 1e3);
    break;
  case PH_SIGNAL_STEPS:
    (void)snprintf(buf, len, "%s at t = 0; %d steps", a, (int)s->n);
    break;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A ring slice narrower than the cells under it averages over more than the ring (PHYSICS §1). */
static PetscErrorCode PhCheckRingSlices(MPI_Comm comm, PhCase pb, PhMesh mesh)
{
  const PetscReal *line[2];

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetLines(mesh, &line[0], &line[1], NULL));
  for (PetscInt g = 0; g < pb->optics.nrings; g++) {
    const PhRingGroup *rg = &pb->optics.rings[g];
    const PhBlock     *b  = &pb->blocks[rg->block];
    PhIndexBox         box;
    PetscInt           d = (b->y1 - b->y0) > (b->x1 - b->x0) ? 1 : 0;
    PetscReal          w = ((d ? b->y1 - b->y0 : b->x1 - b->x0)) / rg->count, widest = 0;

    PetscCall(PhMeshGetBlockBox(mesh, rg->block, &box));
    for (PetscInt i = box.lo[d]; i < box.hi[d]; i++) widest = PetscMax(widest, line[d][i + 1] - line[d][i]);
    if (widest > w * (1 + 1e-9))
      PetscCall(PetscFPrintf(
        comm, stderr,
        "photherm: warning: optics.rings %s: a ring slice (%.4g um) is narrower than the cells under it (up to %.4g um along %c); ring temperatures average over whole cells. Lower grid.max_cell_xy to resolve the rings.\n",
        rg->name, (double)w * 1e6, (double)widest * 1e6, d ? 'y' : 'x'));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A layer with cells: n is not graded against its neighbours (cases/README.md section 9.5): warn where the cells across
   one of its faces differ by more than grid.max_ratio and the neighbour is graded, so that only the fixed layer kept
   it from being graded (a thick neighbour left as one cell). Two fixed layers side by side are the case's own choice. */
static PetscErrorCode PhCheckFixedLayers(MPI_Comm comm, PhCase pb, PhMesh mesh)
{
  const PetscReal *z;
  PetscInt         nz;
  PhDiag           diag;

  PetscFunctionBeginUser;
  if (pb->mesh_file != NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhMeshGetSizes(mesh, NULL, NULL, &nz));
  PetscCall(PhMeshGetLines(mesh, NULL, NULL, &z));
  PetscCall(PhDiagCreate(&diag));
  for (PetscInt l = 0; l < pb->nlayers; l++) {
    PhIndexBox box;

    if (pb->layers[l].cells <= 0) continue;
    PetscCall(PhMeshGetLayerBox(mesh, l, &box));
    for (PetscInt side = 0; side < 2; side++) { /* bottom face, top face */
      PetscInt  k = side ? box.hi[2] : box.lo[2], other = side ? l + 1 : l - 1;
      PetscReal inner, outer;
      char      a[64], b[64], key[64];

      if (k == 0 || k == nz || pb->layers[other].cells > 0) continue;
      inner = side ? z[k] - z[k - 1] : z[k + 1] - z[k];
      outer = side ? z[k + 1] - z[k] : z[k] - z[k - 1];
      if (!(PetscMax(inner, outer) > pb->max_ratio * PetscMin(inner, outer) * (1 + 1e-9))) continue;
      PetscCall(PhUnitsFormat(inner, PH_QT_LENGTH, a, sizeof(a)));
      PetscCall(PhUnitsFormat(outer, PH_QT_LENGTH, b, sizeof(b)));
      (void)snprintf(key, sizeof(key), "stack[%d].cells", (int)l);
      PetscCall(PhDiagWarn(diag, pb->layers[l].cells_loc, key,
                           "layer \"%s\" has cells of %s %s a cell of %s in layer \"%s\", a ratio of %.3g above grid.max_ratio %g: a layer with "
                           "cells: is not graded against its neighbours; give \"%s\" cells: too, lower grid.max_cell_z, or change cells:",
                           pb->layers[l].name, a, side ? "below" : "above", b, pb->layers[other].name,
                           (double)(PetscMax(inner, outer) / PetscMin(inner, outer)), (double)pb->max_ratio, pb->layers[other].name));
    }
  }
  PetscCall(PhDiagPrint(diag, comm, stderr));
  PetscCall(PhDiagDestroy(&diag));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhCheckPrint(MPI_Comm comm, PhCase pb, PhMesh mesh, const PhMemoryEstimate *est)
{
  PetscInt         nx, ny, nz;
  const PetscReal *x, *y, *z;
  char             a[64], b[64], c[64], d[64];
  PetscReal        total = 0;

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetSizes(mesh, &nx, &ny, &nz));
  PetscCall(PhMeshGetLines(mesh, &x, &y, &z));
  PetscCall(PetscPrintf(comm, "case %s (%s)%s%s\n", pb->name, pb->path, pb->description[0] ? ": " : "", pb->description));
  for (PetscInt i = 0; i < pb->nparameters; i++)
    PetscCall(PetscPrintf(comm, "  parameter %s = %s%s\n", pb->parameters[i].name, pb->parameters[i].text,
                          pb->parameters[i].by_option ? " (-P)" : ""));
  PetscCall(PetscPrintf(comm, "mesh: nx %d, ny %d, nz %d = %.0f cells%s%s\n", (int)nx, (int)ny, (int)nz, (double)nx * ny * nz,
                        pb->mesh_file ? " from " : "", pb->mesh_file ? pb->mesh_file : ""));
  PetscCall(PhPrintAxis(comm, "x", nx, x));
  PetscCall(PhPrintAxis(comm, "y", ny, y));
  PetscCall(PhPrintAxis(comm, "z", nz, z));
  PetscCall(PhFormatBytes(est->per_rank, a, sizeof(a)));
  PetscCall(PhFormatBytes(est->per_node, b, sizeof(b)));
  PetscCall(PhFormatBytes(est->available, c, sizeof(c)));
  PetscCall(PetscPrintf(comm, "memory: about %s per rank on %d rank%s, %s per node with %d rank%s per node (%s available here)\n", a, (int)est->ranks,
                        est->ranks > 1 ? "s" : "", b, (int)est->ranks_per_node, est->ranks_per_node > 1 ? "s" : "",
                        est->available > 0 ? c : "unknown"));
  {
    PhOutputEstimate out;

    PetscCall(PhSimEstimateOutput(pb, mesh, &out));
    PetscCall(PhFormatBytes(out.total, a, sizeof(a)));
    PetscCall(PhFormatBytes(out.fields, b, sizeof(b)));
    PetscCall(PhFormatBytes(out.series, c, sizeof(c)));
    PetscCall(PetscPrintf(comm, "result file: about %s: fields %s (%.0f snapshot%s of %.0f cells, %s), series %s (%.0f sample%s of %.0f values)%s\n",
                          a, b, (double)out.snapshots, out.snapshots > 1 ? "s" : "", (double)out.cells, pb->output.float32 ? "float32" : "float64", c,
                          (double)out.samples, out.samples > 1 ? "s" : "", (double)out.values,
                          pb->time.steady ? "" : "; output.fields_every and output.series_every set it"));
  }
  PetscCall(PetscPrintf(comm, "layers, bottom to top:\n"));
  for (PetscInt l = 0; l < pb->nlayers; l++) {
    PhIndexBox box;

    PetscCall(PhMeshGetLayerBox(mesh, l, &box));
    PetscCall(PhUnitsFormat(pb->layers[l].z0, PH_QT_LENGTH, a, sizeof(a)));
    PetscCall(PhUnitsFormat(pb->layers[l].z1 - pb->layers[l].z0, PH_QT_LENGTH, b, sizeof(b)));
    PetscCall(PetscPrintf(comm, "  %-16s z from %-10s thickness %-10s %3d cell%s  %s\n", pb->layers[l].name, a, b, (int)(box.hi[2] - box.lo[2]),
                          box.hi[2] - box.lo[2] > 1 ? "s" : " ",
                          pb->layers[l].material >= 0 ? pb->materials[pb->layers[l].material].name : "(from the mesh file)"));
    if (pb->layers[l].channels != NULL) {
      const PhChannels *ch = pb->layers[l].channels;
      char              w[64], p[64];

      PetscCall(PhUnitsFormat(ch->model == PH_CAVITY_2RM ? ch->porosity * ch->pitch : (ch->model == PH_CAVITY_PINFIN ? ch->pin_diameter : ch->width),
                              PH_QT_LENGTH, w, sizeof(w)));
      PetscCall(PhUnitsFormat(ch->pitch, PH_QT_LENGTH, p, sizeof(p)));
      if (ch->model != PH_CAVITY_4RM) {
        char cl[64];

        PetscCall(PhUnitsFormat(ch->cell, PH_QT_LENGTH, cl, sizeof(cl)));
        PetscCall(PetscPrintf(
          comm,
          "    micro-channels, porous (%s): %s %s at %s pitch, porosity %.4g, wetted walls %.4g m^2 per m^2; %d porous cells of %s "
          "across the flow; %s flowing %s%s at %.3g m/s mean in the coolant; h top %g, bottom %g, side %g W/m^2/K%s\n",
          PhCavityModels[ch->model], ch->model == PH_CAVITY_PINFIN ? "pins of" : "channels", w, p, (double)ch->porosity, (double)ch->side_area,
          (int)ch->nchannels, cl, pb->materials[ch->coolant].name, ch->sign > 0 ? "+" : "-", ch->axis ? "y" : "x", (double)ch->velocity,
          (double)ch->h_top, (double)ch->h_bottom, (double)ch->h_side, ch->h_from_correlation ? " (laminar Nusselt number of the channel)" : ""));
        continue;
      }
      PetscCall(PetscPrintf(comm,
                            "    micro-channels: %d channels %s wide at %s pitch, %s flowing %s%s at %.3g m/s in each; h top %g, bottom %g, side "
                            "%g W/m^2/K%s\n",
                            (int)ch->nchannels, w, p, pb->materials[ch->coolant].name, ch->sign > 0 ? "+" : "-", ch->axis ? "y" : "x",
                            (double)ch->velocity, (double)ch->h_top, (double)ch->h_bottom, (double)ch->h_side,
                            ch->h_from_correlation ? " (laminar Nusselt number of the channel)" : ""));
    }
  }
  if (pb->nblocks) PetscCall(PetscPrintf(comm, "blocks, in priority order (later wins):\n"));
  for (PetscInt i = 0; i < pb->nblocks; i++) {
    const PhBlock *blk = &pb->blocks[i];
    PhIndexBox     box;

    PetscCall(PhMeshGetBlockBox(mesh, i, &box));
    PetscCall(PhUnitsFormat(blk->x0, PH_QT_LENGTH, a, sizeof(a)));
    PetscCall(PhUnitsFormat(blk->x1, PH_QT_LENGTH, b, sizeof(b)));
    PetscCall(PhUnitsFormat(blk->y0, PH_QT_LENGTH, c, sizeof(c)));
    PetscCall(PhUnitsFormat(blk->y1, PH_QT_LENGTH, d, sizeof(d)));
    PetscCall(PetscPrintf(comm, "  %-16s %-18s x %s .. %s, y %s .. %s, layers %s..%s, %d x %d x %d cells\n", blk->name,
                          blk->material >= 0 ? pb->materials[blk->material].name : "(mesh file)", a, b, c, d,
                          blk->layer_lo >= 0 ? pb->layers[blk->layer_lo].name : "?", blk->layer_hi >= 0 ? pb->layers[blk->layer_hi].name : "?",
                          (int)(box.hi[0] - box.lo[0]), (int)(box.hi[1] - box.lo[1]), (int)(box.hi[2] - box.lo[2])));
  }
  if (pb->nsources) PetscCall(PetscPrintf(comm, "sources (power at t = 0):\n"));
  for (PetscInt s = 0; s < pb->nsources; s++) {
    const PhSource *src = &pb->sources[s];
    char            desc[512];

    PetscCall(PhDescribeSignal(&src->power, PH_QT_POWER, desc, sizeof(desc)));
    total += PhSignalEvaluate(&src->power, 0);
    PetscCall(PetscPrintf(comm, "  %-16s %-22s %s%s\n", src->name,
                          src->kind == PH_SOURCE_BLOCK ? pb->blocks[src->block].name
                                                       : (src->kind == PH_SOURCE_LAYER_RECT ? "(rectangle in a layer)" : "(box)"),
                          desc, src->has_leakage ? ", with leakage" : ""));
  }
  if (pb->nsources) {
    PetscCall(PhUnitsFormat(total, PH_QT_POWER, a, sizeof(a)));
    PetscCall(PetscPrintf(comm, "  total power at t = 0: %s\n", a));
  }
  PetscCall(PetscPrintf(comm, "boundaries (faces not listed are adiabatic):\n"));
  for (PetscInt f = 0; f < PH_NFACES; f++) {
    for (PetscInt i = 0; i < pb->boundaries[f].n; i++) {
      const PhBoundaryCondition *bc        = &pb->boundaries[f].conditions[i];
      char                       desc[512] = "";

      if (bc->type == PH_BC_CONVECTION) {
        PetscCall(PhDescribeSignal(&bc->value, PH_QT_TEMPERATURE, b, sizeof(b)));
        (void)snprintf(desc, sizeof(desc), "h %g W/m^2/K, ambient %s", (double)bc->h, b);
      } else if (bc->type == PH_BC_TEMPERATURE) PetscCall(PhDescribeSignal(&bc->value, PH_QT_TEMPERATURE, desc, sizeof(desc)));
      else if (bc->type == PH_BC_FLUX) PetscCall(PhDescribeSignal(&bc->value, PH_QT_FLUX, desc, sizeof(desc)));
      else if (bc->type == PH_BC_COLD_PLATE) {
        char f[200], in[200];

        PetscCall(PhDescribeSignal(&bc->value, PH_QT_TEMPERATURE, in, sizeof(in)));
        PetscCall(PhDescribeSignal(&bc->flow, bc->flow_volumetric ? PH_QT_VOLUME_FLOW : PH_QT_MASS_FLOW, f, sizeof(f)));
        (void)snprintf(desc, sizeof(desc), "%s: %s flowing %s%s, %s; inlet %s; h %g W/m^2/K%s", bc->name, pb->materials[bc->coolant].name,
                       bc->sign > 0 ? "+" : "-", bc->axis ? "y" : "x", f, in, (double)bc->h, bc->h_from_channels ? " from its channels" : "");
      }
      PetscCall(PetscPrintf(comm, "  %-8s %-12s %s%s\n", PhFaces[f], PhBoundaryTypes[bc->type], desc, bc->has_region ? " (over a region)" : ""));
    }
  }
  if (pb->time.steady) PetscCall(PetscPrintf(comm, "time: steady state of the powers at t = 0\n"));
  else {
    PetscCall(PhUnitsFormat(pb->time.end, PH_QT_TIME, a, sizeof(a)));
    PetscCall(PhUnitsFormat(pb->time.dt, PH_QT_TIME, b, sizeof(b)));
    PetscCall(PhUnitsFormat(pb->time.dt_max, PH_QT_TIME, c, sizeof(c)));
    PetscCall(PetscPrintf(comm, "time: transient to %s, first step %s, steps up to %s, starting from %s\n", a, b, c,
                          pb->time.initial == PH_INITIAL_STEADY
                            ? "the steady state at t = 0"
                            : (pb->time.initial == PH_INITIAL_FILE ? pb->time.initial_file : "a uniform temperature")));
    PetscCall(PhUnitsFormat(pb->output.fields_every, PH_QT_TIME, a, sizeof(a)));
    PetscCall(PhUnitsFormat(pb->output.series_every, PH_QT_TIME, b, sizeof(b)));
    PetscCall(PetscPrintf(comm, "output: %s, fields every %s, series every %s, %s\n", pb->output.file, a, b,
                          pb->output.float32 ? "float32" : "float64"));
  }
  for (PetscInt i = 0; i < pb->optics.nlasers; i++) {
    const PhLaser *ls = &pb->optics.lasers[i];

    if (i == 0) PetscCall(PetscPrintf(comm, "lasers:\n"));
    PetscCall(PhUnitsFormat(ls->temperature, PH_QT_TEMPERATURE, a, sizeof(a)));
    PetscCall(PetscPrintf(comm, "  %-16s %-8s %s, %d lines from %.6g nm every %.4g nm, %.4g dBm per line, drift %.4g nm/K\n", ls->name,
                          PhLaserTypes[ls->type], ls->type == PH_LASER_EXTERNAL ? a : pb->blocks[ls->block].name, (int)ls->lines,
                          (double)ls->wavelength * 1e9, (double)ls->spacing * 1e9, (double)ls->power_dbm, (double)ls->drift * 1e9));
  }
  for (PetscInt i = 0; i < pb->optics.nrings; i++) {
    const PhRingGroup *rg = &pb->optics.rings[i];

    if (i == 0) PetscCall(PetscPrintf(comm, "ring groups:\n"));
    PetscCall(PetscPrintf(comm, "  %-16s block %s, %d rings from %.6g nm every %.4g nm, FSR %.4g nm, Q %.6g, heater %.4g nm/mW up to %.4g mW%s\n",
                          rg->name, pb->blocks[rg->block].name, (int)rg->count, (double)rg->wavelength * 1e9, (double)rg->spacing * 1e9,
                          (double)rg->fsr * 1e9, (double)rg->q, (double)rg->heater_efficiency * 1e6, (double)rg->heater_max_power * 1e3,
                          rg->heater_feedback ? ", heat fed back" : ""));
  }
  for (PetscInt i = 0; i < pb->optics.nlinks; i++) {
    const PhLink *lk = &pb->optics.links[i];

    if (i == 0) PetscCall(PetscPrintf(comm, "links:\n"));
    PetscCall(PetscPrintf(comm, "  %-16s laser %s, tx %s, rx %s: %d x %.6g Gb/s, lock %s, loss %.6g dB, sensitivity %.6g dBm\n", lk->name,
                          pb->optics.lasers[lk->laser].name, pb->optics.rings[lk->tx].name, pb->optics.rings[lk->rx].name,
                          (int)pb->optics.lasers[lk->laser].lines, (double)lk->rate * 1e-9, PhLockPolicies[lk->lock], (double)lk->loss,
                          (double)lk->sensitivity));
  }
  if (pb->yield.present) {
    PetscReal compound = 1;

    for (PetscInt i = 0; i < pb->yield.nassembly; i++) compound *= pb->yield.assembly_values[i];
    PetscCall(PetscPrintf(comm, "yield: compound assembly yield %.4g, %d Monte-Carlo samples, seed %d\n", (double)compound, (int)pb->yield.samples,
                          (int)pb->yield.seed));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief photherm check: validate, print the resolved summary and the memory estimate; solve nothing.

  Collective on `comm`.
**/
PetscErrorCode PhCliCheck(MPI_Comm comm, const PhCliArgs *args, int *exit_code)
{
  PhCase           problem;
  PhMesh           mesh;
  PhMemoryEstimate est;
  PetscBool        refused;

  PetscFunctionBeginUser;
  PetscCall(PhCliLoad(comm, args, &problem, &mesh, exit_code));
  if (problem == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhCliMemory(comm, problem, mesh, &est, &refused));
  if (refused) *exit_code = PH_EXIT_BAD_INPUT;
  else {
    PetscCall(PhCheckPrint(comm, problem, mesh, &est));
    PetscCall(PhCheckRingSlices(comm, problem, mesh));
    PetscCall(PhCheckFixedLayers(comm, problem, mesh));
  }
  PetscCall(PhMeshDestroy(&mesh));
  PetscCall(PhCaseDestroy(&problem));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief photherm mesh: write the voxel mesh of a valid case (DESIGN §4).

  Collective on `comm`.
**/
PetscErrorCode PhCliMesh(MPI_Comm comm, const PhCliArgs *args, int *exit_code)
{
  PhCase           problem;
  PhMesh           mesh;
  PhMemoryEstimate est;
  PetscBool        refused;
  PetscInt         nx, ny, nz;

  PetscFunctionBeginUser;
  PetscCall(PhCliLoad(comm, args, &problem, &mesh, exit_code));
  if (problem == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhCliCheckOutput(comm, args->output, exit_code));
  refused = (PetscBool)(*exit_code != PH_EXIT_SUCCESS);
  if (!refused) PetscCall(PhCliMemory(comm, problem, mesh, &est, &refused));
  if (refused) *exit_code = PH_EXIT_BAD_INPUT;
  else {
    PetscCall(PhMeshWrite(mesh, args->output));
    PetscCall(PhMeshGetSizes(mesh, &nx, &ny, &nz));
    PetscCall(PetscPrintf(comm, "photherm: wrote the %d x %d x %d mesh of %s to %s\n", (int)nx, (int)ny, (int)nz, problem->name, args->output));
  }
  PetscCall(PhMeshDestroy(&mesh));
  PetscCall(PhCaseDestroy(&problem));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  A run: the initial state, the time loop landing on every sample and snapshot, the series samples of the thermal
  model, the progress line, and the thermal summary (DESIGN §3.7, §5, §7).
*/
#include <photherm/sim.h>
#include <photherm/units.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The thermal columns of the series table. */
typedef enum {
  PH_SC_SRC_POWER,
  PH_SC_SRC_TMAX,
  PH_SC_SRC_TMEAN,
  PH_SC_BLK_TMAX,
  PH_SC_BLK_TMEAN,
  PH_SC_ENERGY,
  PH_SC_PEAK,
  PH_SC_PEAK_INDEX,
  PH_SC_NCOLUMNS
} PhSimColumn;

struct _p_PhSim {
  MPI_Comm       comm;
  PhCase         problem; /* borrowed */
  PhMesh         mesh;    /* borrowed */
  PhSimOptions   options;
  PhThermal      thermal;
  PhSeries       series;
  PetscInt       col[PH_SC_NCOLUMNS];
  PetscInt       nplates;     /* cold plates */
  PetscInt       col_coolant; /* their outlet temperatures; the heat is the next column, then one profile per plate */
  PhLinks        links;       /* NULL without links */
  PhOutput       out;
  PhIndexBox    *boxes; /* [nsources + nblocks] cell boxes of the sources, then the blocks */
  PetscLogDouble wall_start, progress_last;
  PetscBool      tty, progress_shown;
  char          *given;  /* " name name ... ": the options not yet read when the run was created */
  char          *warned; /* " name name ... ": the unused options already reported */
};

/* The thermal columns of the series table, in PhSimColumn order: path below /series (NULL: held for the metrics,
   not written), per source, per block or one, shift from kelvin, units, definition. */
typedef enum {
  PH_SW_SOURCES,
  PH_SW_BLOCKS,
  PH_SW_ONE
} PhSimWidth;

static const struct {
  const char *path;
  PhSimWidth  per;
  PetscReal   shift;
  const char *units, *definition;
} PhSimColumns[PH_SC_NCOLUMNS] = {
  {"sources/power",  PH_SW_SOURCES, 0.0,              "W",    "power of each source at each sample, leakage included"     },
  {"sources/t_max",  PH_SW_SOURCES, -PH_ZERO_CELSIUS, "degC", "highest cell temperature over each source's volume"        },
  {"sources/t_mean", PH_SW_SOURCES, -PH_ZERO_CELSIUS, "degC", "volume-weighted mean temperature over each source's volume"},
  {"blocks/t_max",   PH_SW_BLOCKS,  -PH_ZERO_CELSIUS, "degC", "highest cell temperature over each block's box"            },
  {"blocks/t_mean",  PH_SW_BLOCKS,  -PH_ZERO_CELSIUS, "degC", "volume-weighted mean temperature over each block's box"    },
  {"energy_error",   PH_SW_ONE,     0.0,              "1",
   "|stored + out - generated - flux in| / max(generated + flux in, |out|, |stored|), cumulative from the start"          },
  {NULL,             PH_SW_ONE,     0.0,              "K",    "temperature of the hottest cell"                           },
  {NULL,             PH_SW_ONE,     0.0,              "1",    "natural index (k * ny + j) * nx + i of the hottest cell"   },
};

/* Register the thermal columns of the series table. */
static PetscErrorCode PhSimRegisterColumns(PhSim sim)
{
  PhCase       pb = sim->problem;
  PetscInt     ns = pb->nsources, nb = pb->nblocks;
  const char **snames, **bnames;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(PetscMax(ns, 1), &snames, PetscMax(nb, 1), &bnames));
  for (PetscInt i = 0; i < ns; i++) snames[i] = pb->sources[i].name;
  for (PetscInt i = 0; i < nb; i++) bnames[i] = pb->blocks[i].name;
  for (PetscInt c = 0; c < PH_SC_NCOLUMNS; c++) {
    const PetscInt     width[] = {ns, nb, 0};
    const char *const *names[] = {snames, bnames, NULL};
    PhSimWidth         per     = PhSimColumns[c].per;

    PetscCall(PhSeriesAddColumn(sim->series, PhSimColumns[c].path, width[per], names[per], 1.0, PhSimColumns[c].shift, PhSimColumns[c].units,
                                PhSimColumns[c].definition, &sim->col[c]));
  }
  PetscCall(PetscFree2(snames, bnames));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The coolant columns of a case with cold plates: outlet and heat per plate, and each plate's profile along its flow. */
static PetscErrorCode PhSimRegisterCoolant(PhSim sim)
{
  PetscInt     n, col, *npoints;
  const char **names;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetColdPlates(sim->thermal, &n, NULL, NULL));
  sim->nplates = n;
  if (n == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc2(n, &names, n, &npoints));
  PetscCall(PhThermalGetColdPlates(sim->thermal, &n, names, npoints));
  PetscCall(PhSeriesAddColumn(sim->series, "coolant/outlet_temperature", n, names, 1.0, -PH_ZERO_CELSIUS, "degC",
                              "temperature of each cold plate's or micro-channel layer's coolant at its outlet: the flow-weighted mean over its width",
                              &sim->col_coolant));
  PetscCall(PhSeriesAddColumn(
    sim->series, "coolant/heat", n, names, 1.0, 0.0, "W",
    "heat each cold plate's or micro-channel layer's coolant takes up from the package: mass flow times cp times (outlet - inlet)", &col));
  for (PetscInt p = 0; p < n; p++) {
    const PhBoundaryCondition *bc = NULL;
    const PetscReal           *pos;
    char                       path[300], def[400], **labels;
    PetscInt                   axis = -1;

    PetscCall(PhThermalColdPlatePositions(sim->thermal, p, &pos));
    PetscCall(PetscMalloc1(npoints[p], &labels));
    for (PetscInt f = 0; f < PH_NFACES && bc == NULL; f++)
      for (PetscInt q = 0; q < sim->problem->boundaries[f].n; q++)
        if (sim->problem->boundaries[f].conditions[q].type == PH_BC_COLD_PLATE && !strcmp(sim->problem->boundaries[f].conditions[q].name, names[p]))
          bc = &sim->problem->boundaries[f].conditions[q];
    if (bc != NULL) axis = bc->axis;
    for (PetscInt l = 0; l < sim->problem->nlayers && axis < 0; l++)
      if (sim->problem->layers[l].channels != NULL && !strcmp(sim->problem->layers[l].name, names[p])) axis = sim->problem->layers[l].channels->axis;
    for (PetscInt i = 0; i < npoints[p]; i++) {
      char label[64];

      (void)snprintf(label, sizeof(label), "%s=%.9g mm", axis ? "y" : "x", (double)(pos[i] * 1e3));
      PetscCall(PetscStrallocpy(label, &labels[i]));
    }
    (void)snprintf(path, sizeof(path), "coolant/%s/temperature", names[p]);
    (void)snprintf(def, sizeof(def),
                   "flow-weighted mean temperature of %s %s's coolant at the grid lines across its flow (names: their %s), from the inlet edge "
                   "of its cells to the outlet edge",
                   bc != NULL ? "cold plate" : "micro-channel layer", names[p], axis ? "y" : "x");
    PetscCall(PhSeriesAddColumn(sim->series, path, npoints[p], (const char *const *)labels, 1.0, -PH_ZERO_CELSIUS, "degC", def, &col));
    for (PetscInt i = 0; i < npoints[p]; i++) PetscCall(PetscFree(labels[i]));
    PetscCall(PetscFree(labels));
  }
  PetscCall(PetscFree2(names, npoints));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Samples of a transient at t = 0, every `every` and at `end`. */
static PetscReal PhSimSampleCount(PetscReal end, PetscReal every)
{
  return 1 + PetscCeilReal(end / every - 1e-9);
}

/**
  @brief Estimate the size of the result file of a case (DESIGN §7): the temperature snapshots (with the power density
  and the material map) and the series of every source, block, cold plate and optics device; written beside the memory by
  photherm check. Attributes, names and the resolved case are not counted.

  Not collective.
**/
PetscErrorCode PhSimEstimateOutput(PhCase problem, PhMesh mesh, PhOutputEstimate *est)
{
  PetscInt nx, ny, nz, optics, width = 1; /* the time column */

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetSizes(mesh, &nx, &ny, &nz));
  for (PetscInt c = 0; c < PH_SC_NCOLUMNS; c++) {
    const PetscInt per[] = {problem->nsources, problem->nblocks, 1};

    if (PhSimColumns[c].path != NULL) width += per[PhSimColumns[c].per];
  }
  PetscCall(PhLinksSeriesWidth(problem, &optics));
  for (PetscInt f = 0; f < PH_NFACES; f++) /* cold plates: outlet, heat and a profile of at most every grid line along the flow */
    for (PetscInt q = 0; q < problem->boundaries[f].n; q++)
      if (problem->boundaries[f].conditions[q].type == PH_BC_COLD_PLATE) width += 3 + (problem->boundaries[f].conditions[q].axis ? ny : nx);
  for (PetscInt l = 0; l < problem->nlayers; l++) /* micro-channel layers: the same */
    if (problem->layers[l].channels != NULL) width += 3 + (problem->layers[l].channels->axis ? ny : nx);
  est->cells     = (PetscReal)nx * ny * nz;
  est->snapshots = problem->time.steady ? 1 : PhSimSampleCount(problem->time.end, problem->output.fields_every);
  est->samples   = problem->time.steady ? 1 : PhSimSampleCount(problem->time.end, problem->output.series_every);
  est->values    = width + optics;
  est->fields    = est->cells * (est->snapshots * (problem->output.float32 ? 4 : 8) + 8 + 4); /* + power density, material */
  est->series    = est->samples * est->values * 8;
  est->total     = est->fields + est->series;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The names of the options that nothing has read so far, as " name name ... " (PetscMalloc'd). */
static PetscErrorCode PhSimUnusedOptions(char **list)
{
  PetscInt n;
  char   **names, **values;
  size_t   len = 2;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  for (PetscInt i = 0; i < n; i++) len += strlen(names[i]) + 1;
  PetscCall(PetscMalloc1(len, list));
  (void)strcpy(*list, " ");
  for (PetscInt i = 0; i < n; i++) {
    (void)strcat(*list, names[i]);
    (void)strcat(*list, " ");
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Prepare a run of a validated case: the thermal model (with its options), the series table, the optics
  (nothing is solved yet but the optics' probes of R_ii).

  Collective on `comm`.
**/
PetscErrorCode PhSimCreate(MPI_Comm comm, PhCase problem, PhMesh mesh, const PhSimOptions *options, PhSim *sim_out)
{
  PhSim sim;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&sim));
  PetscCall(PhSimUnusedOptions(&sim->given));
  PetscCall(PetscStrallocpy(" ", &sim->warned));
  sim->comm    = comm;
  sim->problem = problem;
  sim->mesh    = mesh;
  sim->options = *options;
  if (sim->options.output == NULL) sim->options.output = problem->output.file;
  PetscCall(PhThermalCreate(comm, problem, mesh, &sim->thermal));
  PetscCall(PhThermalSetFromOptions(sim->thermal));
  PetscCall(PhSeriesCreate(&sim->series));
  PetscCall(PhSimRegisterColumns(sim));
  PetscCall(PhSimRegisterCoolant(sim));
  PetscCall(PetscMalloc1(problem->nsources + problem->nblocks + 1, &sim->boxes));
  for (PetscInt i = 0; i < problem->nsources; i++) PetscCall(PhMeshGetSourceBox(mesh, i, &sim->boxes[i]));
  for (PetscInt i = 0; i < problem->nblocks; i++) PetscCall(PhMeshGetBlockBox(mesh, i, &sim->boxes[problem->nsources + i]));
  PetscCall(PhThermalSetReportBoxes(sim->thermal, problem->nsources + problem->nblocks, sim->boxes));
  PetscCall(PhLinksCreate(comm, problem, mesh, sim->thermal, sim->series, &sim->links));
  *sim_out = sim;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* One series sample at the thermal model's time: source powers and temperatures, block temperatures, energy, peak, optics. */
static PetscErrorCode PhSimSample(PhSim sim)
{
  PetscInt  ns = sim->problem->nsources, nb = sim->problem->nblocks, peak;
  PetscReal t, *tmax, *tmean;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetTime(sim->thermal, &t, NULL));
  PetscCall(PhSeriesAppend(sim->series, t));
  PetscCall(PhThermalSourcePowers(sim->thermal, t, NULL, PETSC_FALSE, PhSeriesRow(sim->series, sim->col[PH_SC_SRC_POWER], -1), NULL));
  PetscCall(PetscMalloc2(ns + nb + 1, &tmax, ns + nb + 1, &tmean));
  PetscCall(PhThermalReportStats(sim->thermal, tmax, tmean));
  PetscCall(PetscArraycpy(PhSeriesRow(sim->series, sim->col[PH_SC_SRC_TMAX], -1), tmax, ns));
  PetscCall(PetscArraycpy(PhSeriesRow(sim->series, sim->col[PH_SC_SRC_TMEAN], -1), tmean, ns));
  PetscCall(PetscArraycpy(PhSeriesRow(sim->series, sim->col[PH_SC_BLK_TMAX], -1), tmax + ns, nb));
  PetscCall(PetscArraycpy(PhSeriesRow(sim->series, sim->col[PH_SC_BLK_TMEAN], -1), tmean + ns, nb));
  PetscCall(PetscFree2(tmax, tmean));
  PetscCall(PhThermalEnergyError(sim->thermal, PhSeriesRow(sim->series, sim->col[PH_SC_ENERGY], -1)));
  PetscCall(PhThermalPeak(sim->thermal, PhSeriesRow(sim->series, sim->col[PH_SC_PEAK], -1), &peak));
  *PhSeriesRow(sim->series, sim->col[PH_SC_PEAK_INDEX], -1) = (PetscReal)peak;
  if (sim->nplates > 0) {
    PetscReal **profile;

    PetscCall(PetscMalloc1(sim->nplates, &profile));
    for (PetscInt p = 0; p < sim->nplates; p++) profile[p] = PhSeriesRow(sim->series, sim->col_coolant + 2 + p, -1);
    PetscCall(PhThermalColdPlateState(sim->thermal, PhSeriesRow(sim->series, sim->col_coolant, -1),
                                      PhSeriesRow(sim->series, sim->col_coolant + 1, -1), profile));
    PetscCall(PetscFree(profile));
  }
  PetscCall(PhLinksSample(sim->links, t));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The progress line on stderr: at most once per second, a live line on a terminal, plain lines otherwise. */
static PetscErrorCode PhSimProgress(PhSim sim, PetscBool final)
{
  PetscLogDouble now;
  PetscMPIInt    rank;
  PetscReal      t;
  PetscInt       steps;

  PetscFunctionBeginUser;
  if (sim->options.quiet) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCallMPI(MPI_Comm_rank(sim->comm, &rank));
  if (rank != 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscTime(&now));
  if (!final && now - sim->progress_last < 1.0) PetscFunctionReturn(PETSC_SUCCESS);
  if (final && !sim->progress_shown) PetscFunctionReturn(PETSC_SUCCESS);
  sim->progress_last  = now;
  sim->progress_shown = PETSC_TRUE;
  PetscCall(PhThermalGetTime(sim->thermal, &t, &steps));
  {
    PetscReal end = sim->problem->time.end, frac = end > 0 ? t / end : 1, wall = now - sim->wall_start;
    PetscReal eta = frac > 0 ? wall * (1 - frac) / frac : 0;
    char      a[32], b[32];
    int       width = 24, filled = (int)(frac * width + 0.5);

    PetscCall(PhUnitsFormat(t, PH_QT_TIME, a, sizeof(a)));
    PetscCall(PhUnitsFormat(end, PH_QT_TIME, b, sizeof(b)));
    if (sim->tty) {
      char bar[64];

      for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
      bar[width] = '\0';
      (void)fprintf(stderr, "\r[%s] %5.1f%%  t = %s of %s  steps %d  wall %.1f s  ETA %.0f s   %s", bar, (double)(100 * frac), a, b, (int)steps,
                    (double)wall, (double)eta, final ? "\n" : "");
    } else {
      (void)fprintf(stderr, "photherm: t = %s of %s (%.1f%%), %d steps, wall %.1f s, ETA %.0f s\n", a, b, (double)(100 * frac), (int)steps,
                    (double)wall, (double)eta);
    }
    (void)fflush(stderr);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSimMonitor(void *ctx, PetscReal t, PetscInt steps)
{
  PetscFunctionBeginUser;
  (void)t;
  (void)steps;
  PetscCall(PhSimProgress((PhSim)ctx, PETSC_FALSE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Options given on the command line that nothing has read: a misspelt -ts_tyep must not pass silently (DESIGN §2), nor
  cost a whole run. Checked once the solvers are set up (after the first interval of a transient, whose first step sets
  up the integrator and its preconditioner) and again at the end for options read late; each is reported once. Only
  options that were in the database when the run was created count (not those the solvers set for themselves), and
  not the options PETSc reads only in PetscFinalize().
*/
static PetscErrorCode PhSimWarnUnusedOptions(PhSim sim, PetscBool final)
{
  static const char finalize_only[] = " options_left options_view citations checkstack ";
  char             *left, *save = NULL;

  PetscFunctionBeginUser;
  PetscCall(PhSimUnusedOptions(&left));
  for (char *name = strtok_r(left, " ", &save); name != NULL; name = strtok_r(NULL, " ", &save)) {
    char *key, *all;

    PetscCall(PetscMalloc1(strlen(name) + 3, &key));
    (void)sprintf(key, " %s ", name);
    if (strstr(sim->given, key) != NULL && strstr(finalize_only, key) == NULL && strstr(sim->warned, key) == NULL) {
      PetscCall(PhDiagFPrintf(sim->comm, stderr, "photherm: warning: option -%s was given but %s (misspelt?)", name,
                              final ? "not used" : "not used by the set-up of the solvers"));
      PetscCall(PetscMalloc1(strlen(sim->warned) + strlen(name) + 2, &all));
      (void)sprintf(all, "%s%s ", sim->warned, name);
      PetscCall(PetscFree(sim->warned));
      sim->warned = all;
    }
    PetscCall(PetscFree(key));
  }
  PetscCall(PetscFree(left));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The transient: land on every series sample and snapshot time until time.end. */
static PetscErrorCode PhSimTransient(PhSim sim)
{
  PhCase          pb      = sim->problem;
  PetscInt        nseries = 1, nfield = 1;
  PetscReal       t = 0, next_series = pb->output.series_every, next_field = pb->output.fields_every;
  const PetscReal eps = 1e-12 * PetscMax(1.0, pb->time.end);

  PetscFunctionBeginUser;
  PetscCall(PhThermalSetMonitor(sim->thermal, PhSimMonitor, sim));
  while (t < pb->time.end - eps) {
    PetscCall(PhThermalAdvance(sim->thermal, PetscMin(pb->time.end, PetscMin(next_series, next_field))));
    if (t == 0) PetscCall(PhSimWarnUnusedOptions(sim, PETSC_FALSE));
    PetscCall(PhThermalGetTime(sim->thermal, &t, NULL));
    if (PetscAbsReal(t - next_series) <= eps || t >= pb->time.end - eps) {
      PetscCall(PhSimSample(sim));
      while (next_series <= t + eps) next_series = pb->output.series_every * (PetscReal)(++nseries);
    }
    if (PetscAbsReal(t - next_field) <= eps || t >= pb->time.end - eps) {
      Vec T;

      PetscCall(PhThermalGetTemperature(sim->thermal, &T));
      PetscCall(PhOutputAppendSnapshot(sim->out, t, T));
      while (next_field <= t + eps) next_field = pb->output.fields_every * (PetscReal)(++nfield);
    }
  }
  PetscCall(PhSimProgress(sim, PETSC_TRUE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Time average of column c of a [n][m] series over samples from `first` on (first < n), by the left-rectangle rule
   (PHYSICS §2); a window of one sample (steady) gives that sample's value. */
static PetscReal PhTimeAverage(PetscInt n, const PetscReal *time, const PetscReal *v, PetscInt m, PetscInt c, PetscInt first)
{
  PetscReal sum = 0, span = 0;

  for (PetscInt i = first; i + 1 < n; i++) {
    sum += v[i * m + c] * (time[i + 1] - time[i]);
    span += time[i + 1] - time[i];
  }
  return span > 0 ? sum / span : v[(n - 1) * m + c];
}

/* The largest value of column c over samples from `first` on (first < n). */
static PetscReal PhMaxOver(PetscInt n, const PetscReal *v, PetscInt m, PetscInt c, PetscInt first)
{
  PetscReal best = v[first * m + c];

  for (PetscInt i = first + 1; i < n; i++) best = PetscMax(best, v[i * m + c]);
  return best;
}

/* t_max and t_mean of box i of a [n][m] series pair (sources or blocks) over the metrics window, in /summary/KIND/NAME. */
static PetscErrorCode PhSimBoxSummary(PhSim sim, const char kind[], const char name[], const char over[], const char whose[], const PetscReal *tmax,
                                      const PetscReal *tmean, PetscInt m, PetscInt i, PetscInt n, const PetscReal *time, PetscInt first)
{
  char group[300], def[160];

  PetscFunctionBeginUser;
  (void)snprintf(group, sizeof(group), "%s/%s/%s", PH_RESULT_SUMMARY, kind, name);
  (void)snprintf(def, sizeof(def), "highest temperature over %s, t >= metrics_from", over);
  PetscCall(PhOutputSetReal(sim->out, group, "t_max", PhMaxOver(n, tmax, m, i, first) - PH_ZERO_CELSIUS, "degC", def));
  (void)snprintf(def, sizeof(def), "time average of %s mean temperature, t >= metrics_from", whose);
  PetscCall(PhOutputSetReal(sim->out, group, "t_mean", PhTimeAverage(n, time, tmean, m, i, first) - PH_ZERO_CELSIUS, "degC", def));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The thermal summary over the metrics window: t >= optics.metrics_from, or the one state of a steady run (DESIGN §5). */
static PetscErrorCode PhSimWriteSummary(PhSim sim)
{
  PhCase           pb = sim->problem;
  PetscInt         ns = pb->nsources, nb = pb->nblocks, n, first, best, nx, ny, nz, steps;
  const PetscReal *time, *c[PH_SC_NCOLUMNS], *x, *y, *z;
  PetscReal        t_ref, emax = 0;
  PetscLogDouble   now;
  char             group[300];

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < PH_SC_NCOLUMNS; k++) PetscCall(PhSeriesGetData(sim->series, sim->col[k], &n, &time, &c[k]));
  PetscCall(PhSeriesWindow(sim->series, pb, &first));
  PetscCall(PhThermalGetReference(sim->thermal, &t_ref));
  /* the peak sample: the earliest within 1e-9 of the rise of the highest (ties as in PhThermalPeak()) */
  best = first;
  for (PetscInt i = first + 1; i < n; i++)
    if (c[PH_SC_PEAK][i] > c[PH_SC_PEAK][best]) best = i;
  for (PetscInt i = first; i < best; i++)
    if (c[PH_SC_PEAK][i] >= c[PH_SC_PEAK][best] - 1e-9 * PetscMax(PetscAbsReal(c[PH_SC_PEAK][best] - t_ref), 1e-3)) best = i;
  PetscCall(PhMeshGetSizes(sim->mesh, &nx, &ny, &nz));
  PetscCall(PhMeshGetLines(sim->mesh, &x, &y, &z));
  {
    PetscInt idx = (PetscInt)c[PH_SC_PEAK_INDEX][best], i = idx % nx, j = (idx / nx) % ny, k = idx / (nx * ny);

    PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "peak_temperature", c[PH_SC_PEAK][best] - PH_ZERO_CELSIUS, "degC",
                              "highest cell temperature over the samples with t >= metrics_from"));
    PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "peak_time", time[best], "s", "time of the peak temperature"));
    PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "peak_x", 0.5 * (x[i] + x[i + 1]), "m", "x of the centre of the hottest cell"));
    PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "peak_y", 0.5 * (y[j] + y[j + 1]), "m", "y of the centre of the hottest cell"));
    PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "peak_z", 0.5 * (z[k] + z[k + 1]), "m", "z of the centre of the hottest cell"));
  }
  for (PetscInt i = 0; i < n; i++) emax = PetscMax(emax, c[PH_SC_ENERGY][i]);
  PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "energy_balance_error", c[PH_SC_ENERGY][n - 1], "1",
                            "relative energy-balance error at the end of the run (see /series/energy_error)"));
  PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "energy_balance_error_max", emax, "1",
                            "largest relative energy-balance error over all samples"));
  PetscCall(PhThermalGetTime(sim->thermal, NULL, &steps));
  PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "cells", (PetscReal)nx * ny * nz, "1", "cells of the mesh"));
  PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "steps", (PetscReal)steps, "1", "accepted time steps"));
  PetscCall(PetscTime(&now));
  PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "wall_time", (PetscReal)(now - sim->wall_start), "s",
                            "wall-clock time of the run from set-up to the last sample"));
  if (pb->time.method == PH_METHOD_REDUCED && !pb->time.steady) {
    PetscInt  basis, shifts;
    PetscReal build, estimate, freeze, window, check;

    PetscCall(PhThermalGetReducedInfo(sim->thermal, &basis, &shifts, &build, &estimate, &freeze, &window, &check));
    if (freeze >= 0)
      PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "reduced_freeze_error", freeze, "K",
                                "k(T) materials: the largest difference of the source, block and heat-input temperatures (means and maxima) "
                                "between the nonlinear model and the reduced model's conductances (frozen at the steady state of the mean "
                                "power), in the steady state of every source at its highest power: a bound of the error the freeze causes"));
    if (window >= 0) {
      PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "reduced_check_error", check, "K",
                                "largest difference of the source, block and heat-input temperatures (means and maxima) between the reduced "
                                "and the full model over [0, reduced_check_window] (-ph_reduced_check)"));
      PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "reduced_check_window", window, "s",
                                "end of the window checked against the full model"));
      PetscCall(PetscPrintf(
        sim->comm, "reduced model checked against the full model over [0, %g s]: largest difference %.3g K (estimate %.3g K, tolerance %.3g K)\n",
        (double)window, (double)check, (double)estimate, (double)pb->time.reduced_tolerance));
    }
    PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "reduced_basis", (PetscReal)basis, "1",
                              "size of the reduced model's basis (time.method: reduced)"));
    PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "reduced_shifts", (PetscReal)shifts, "1",
                              "shifts s of the rational Krylov blocks (A + s C)^-1 F, s = 0 included"));
    PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "reduced_build_time", build, "s",
                              "wall-clock time to build the reduced model (with a model reused from a file or -ph_reduced_cache: to freeze k(T), "
                              "read the basis and form the reduced operators)"));
    PetscCall(PhOutputSetReal(sim->out, PH_RESULT_SUMMARY, "reduced_error_estimate", estimate, "K",
                              "estimated error of the source and device temperatures against the full model: the larger of the basis's error at "
                              "its last checked shifts, weighted by each input's largest magnitude, and the largest difference in time between the "
                              "model and the one before its last shift driven by this run's inputs (for a model built for reuse by any inputs "
                              "within their largest magnitudes, unless that exceeds time.reduced.tolerance; cases/README.md section 13); "
                              "-ph_reduced_check measures the error against the full model"));
  }
  for (PetscInt i = 0; i < ns; i++) {
    PetscCall(PhSimBoxSummary(sim, "sources", pb->sources[i].name, "the source's volume", "the source's", c[PH_SC_SRC_TMAX], c[PH_SC_SRC_TMEAN], ns,
                              i, n, time, first));
    (void)snprintf(group, sizeof(group), "%s/sources/%s", PH_RESULT_SUMMARY, pb->sources[i].name);
    PetscCall(PhOutputSetReal(sim->out, group, "power_mean", PhTimeAverage(n, time, c[PH_SC_SRC_POWER], ns, i, first), "W",
                              "time average of the source's power, t >= metrics_from"));
  }
  if (sim->nplates > 0) {
    const PetscReal *outlet, *heat;
    const char     **names;

    PetscCall(PetscMalloc1(sim->nplates, &names));
    PetscCall(PhThermalGetColdPlates(sim->thermal, &n, names, NULL));
    PetscCall(PhSeriesGetData(sim->series, sim->col_coolant, &n, NULL, &outlet));
    PetscCall(PhSeriesGetData(sim->series, sim->col_coolant + 1, &n, NULL, &heat));
    for (PetscInt p = 0; p < sim->nplates; p++) {
      (void)snprintf(group, sizeof(group), "%s/coolant/%s", PH_RESULT_SUMMARY, names[p]);
      PetscCall(PhOutputSetReal(sim->out, group, "outlet_max", PhMaxOver(n, outlet, sim->nplates, p, first) - PH_ZERO_CELSIUS, "degC",
                                "highest outlet temperature of the cold plate's or micro-channel layer's coolant, t >= metrics_from"));
      PetscCall(PhOutputSetReal(sim->out, group, "outlet_mean", PhTimeAverage(n, time, outlet, sim->nplates, p, first) - PH_ZERO_CELSIUS, "degC",
                                "time average of the outlet temperature of the cold plate's or micro-channel layer's coolant, t >= metrics_from"));
      PetscCall(PhOutputSetReal(sim->out, group, "heat_mean", PhTimeAverage(n, time, heat, sim->nplates, p, first), "W",
                                "time average of the heat the cold plate's or micro-channel layer's coolant takes up, t >= metrics_from"));
    }
    PetscCall(PetscFree(names));
  }
  for (PetscInt i = 0; i < nb; i++)
    PetscCall(PhSimBoxSummary(sim, "blocks", pb->blocks[i].name, "the block's box", "the block's", c[PH_SC_BLK_TMAX], c[PH_SC_BLK_TMEAN], nb, i, n,
                              time, first));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The initial field of a continued run: the snapshot of an earlier result, and its optics state (DESIGN §3.7). */
static PetscErrorCode PhSimReadInitial(PhSim sim, Vec T)
{
  PhCase    pb = sim->problem;
  hid_t     file;
  PetscReal t_snap;
  DM        da;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetDM(sim->thermal, &da));
  PetscCall(PhResultOpen(sim->comm, pb->time.initial_file, "time.initial", &file));
  PetscCall(PhOutputReadSnapshot(sim->comm, file, pb->time.initial_file, pb->time.initial_time, da, T, &t_snap));
  PetscCall(PhLinksRestore(sim->links, file, pb->time.initial_file, t_snap));
  PetscCall(PhResultClose(&file));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The state at t = 0 (DESIGN §3.7): a temperature, an earlier result's snapshot, or the steady state; then the start. */
static PetscErrorCode PhSimInitialState(PhSim sim)
{
  PhCase pb = sim->problem;
  Vec    T;

  PetscFunctionBeginUser;
  PetscCall(PhThermalGetTemperature(sim->thermal, &T));
  switch (pb->time.initial) {
  case PH_INITIAL_TEMPERATURE:
    PetscCall(VecSet(T, pb->time.initial_temperature));
    break;
  case PH_INITIAL_FILE:
    PetscCall(PhSimReadInitial(sim, T));
    break;
  default:
    PetscCall(VecSet(T, 300.0));
    break;
  }
  /* mode: steady solves the steady state whatever the initial field (it is only the first guess) */
  if (pb->time.steady || pb->time.initial == PH_INITIAL_STEADY) PetscCall(PhLinksSolveSteady(sim->links, sim->thermal));
  PetscCall(PhThermalStart(sim->thermal, pb->time.steady));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Build the reduced model of the case from the state a run would start from, and write it to `path`
  (photherm reduce; a run reuses it with -ph_reduced_model).

  Collective.
**/
PetscErrorCode PhSimReduce(PhSim sim, const char path[])
{
  PetscFunctionBeginUser;
  PetscCall(PhThermalSetReducedForReuse(sim->thermal));
  PetscCall(PhSimInitialState(sim));
  PetscCall(PhThermalSaveReduced(sim->thermal, path));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Problems of the run's options that are input errors, found before anything is computed (a reduced model of
  another case): *why is empty when there are none.

  Collective.
**/
PetscErrorCode PhSimCheckOptions(PhSim sim, char why[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PhThermalCheckReducedModel(sim->thermal, why, len));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Run the case: initial state, steady solve or transient, series, snapshots, summary; write the result file.

  Collective. A run that fails returns a PETSc error (exit 1) and leaves its output under the temporary name.
**/
PetscErrorCode PhSimRun(PhSim sim)
{
  PhCase      pb = sim->problem;
  DM          da;
  Vec         T, density;
  const char *final_path, *xdmf;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&sim->wall_start));
  sim->progress_last = sim->wall_start;
  sim->tty           = (PetscBool)isatty(2);
  PetscCall(PhThermalGetDM(sim->thermal, &da));
  PetscCall(PhThermalGetTemperature(sim->thermal, &T));
  PetscCall(PhOutputCreate(sim->comm, sim->options.output, pb, sim->mesh, da, sim->options.command_line, &sim->out));
  PetscCall(PhSimInitialState(sim));
  PetscCall(VecDuplicate(T, &density));
  PetscCall(PhThermalPowerDensity(sim->thermal, 0, T, density));
  PetscCall(PhOutputWriteField(sim->out, PH_RESULT_POWER_DENSITY, density, 1.0, 0.0, "W/m^3",
                               "heat generated per unit volume in every cell at t = 0 [z][y][x]"));
  PetscCall(VecDestroy(&density));
  PetscCall(PhSimSample(sim));
  PetscCall(PhOutputAppendSnapshot(sim->out, 0.0, T));
  if (!pb->time.steady) PetscCall(PhSimTransient(sim));
  PetscCall(PhSeriesWrite(sim->series, sim->out));
  PetscCall(PhSimWriteSummary(sim));
  PetscCall(PhLinksWriteSummary(sim->links, sim->out));
  PetscCall(PhThermalEnergyCheck(sim->thermal)); /* a result whose heat does not balance stays .partial (exit 1) */
  PetscCall(PhOutputClose(sim->out, &final_path, &xdmf));
  PetscCall(PhSummaryReport(sim->comm, final_path));
  PetscCall(PetscPrintf(sim->comm, "results: %s (open %s in ParaView)\n", final_path, xdmf));
  PetscCall(PhSimWarnUnusedOptions(sim, PETSC_TRUE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Destroy a run; NULL is accepted and *sim is NULL on return.

  Collective.
**/
PetscErrorCode PhSimDestroy(PhSim *sim_p)
{
  PhSim sim = *sim_p;

  PetscFunctionBeginUser;
  if (sim == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhLinksDestroy(&sim->links));
  PetscCall(PhSeriesDestroy(&sim->series));
  PetscCall(PetscFree(sim->boxes));
  PetscCall(PetscFree(sim->given));
  PetscCall(PetscFree(sim->warned));
  PetscCall(PhOutputDestroy(&sim->out));
  PetscCall(PhThermalDestroy(&sim->thermal));
  PetscCall(PetscFree(*sim_p));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The series table of a result file (/series, DESIGN §7): every column registered once with its path, width, names,
  scale, units and definition; it grows a row per sample, writes itself, reads a column of an earlier result back in
  SI units, and answers the window of samples the metrics cover.
*/
#include <photherm/output.h>

#include <stdio.h>

typedef struct {
  char      *path; /* below /series */
  PetscInt   width;
  PetscBool  scalar; /* one value per sample, a 1D dataset; else a table [n][width], even of no device */
  char     **names;  /* [width] or NULL */
  PetscReal  scale, shift;
  char      *units, *definition;
  PetscReal *data; /* [cap][max(width, 1)] */
} PhSeriesColumn;

struct _p_PhSeries {
  PetscInt        ncols, colcap;
  PhSeriesColumn *cols;
  PetscInt        n, cap; /* samples held, and room */
};

/**
  @brief An empty series table whose column 0 is the time of each sample (PH_SERIES_TIME).

  Not collective.
**/
PetscErrorCode PhSeriesCreate(PhSeries *series)
{
  PetscInt col;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(series));
  PetscCall(PhSeriesAddColumn(*series, "time", 0, NULL, 1.0, 0.0, "s", "simulated time of each sample (every output.series_every)", &col));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Register a column: one value per device, `width` of them named by `names`, or (`names` NULL and `width` 0)
  one value per sample, written as a 1D dataset. A group without devices (no source, no block) has names and width 0:
  it is written as a table [nsample][0] with an empty `names`, like any other group. Values are held in SI units and
  written as value * scale + shift at PH_RESULT_SERIES/`path` with `units` and `definition` (a NULL `path`: held for
  metrics, not written). Strings are copied. Columns are added before the first sample.

  Not collective.
**/
PetscErrorCode PhSeriesAddColumn(PhSeries s, const char path[], PetscInt width, const char *const names[], PetscReal scale, PetscReal shift,
                                 const char units[], const char definition[], PetscInt *col)
{
  PhSeriesColumn *c;

  PetscFunctionBeginUser;
  PetscCheck(s->n == 0, PETSC_COMM_SELF, PETSC_ERR_ORDER, "series column %s added after the first sample", path);
  if (s->ncols == s->colcap) {
    s->colcap = PetscMax(2 * s->colcap, 16);
    PetscCall(PetscRealloc(s->colcap * sizeof(PhSeriesColumn), &s->cols));
  }
  c = &s->cols[s->ncols];
  PetscCall(PetscMemzero(c, sizeof(*c)));
  PetscCall(PetscStrallocpy(path, &c->path));
  PetscCall(PetscStrallocpy(units, &c->units));
  PetscCall(PetscStrallocpy(definition, &c->definition));
  c->width  = width;
  c->scalar = (PetscBool)(names == NULL && width == 0);
  c->scale  = scale;
  c->shift  = shift;
  if (names != NULL) {
    PetscCall(PetscMalloc1(PetscMax(width, 1), &c->names));
    for (PetscInt i = 0; i < width; i++) PetscCall(PetscStrallocpy(names[i], &c->names[i]));
  }
  *col = s->ncols++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Append a sample at time t (s): every column gains a row, to be filled through PhSeriesRow().

  Not collective.
**/
PetscErrorCode PhSeriesAppend(PhSeries s, PetscReal t)
{
  PetscFunctionBeginUser;
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 256;
    for (PetscInt c = 0; c < s->ncols; c++) PetscCall(PetscRealloc(s->cap * PetscMax(s->cols[c].width, 1) * sizeof(PetscReal), &s->cols[c].data));
  }
  s->cols[PH_SERIES_TIME].data[s->n] = t;
  s->n++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The values of column `col` at sample `row` (negative: the last sample): `width` entries (one for a column of
  one value per sample) to read or fill, in SI units.

  Not collective.
**/
PetscReal *PhSeriesRow(PhSeries s, PetscInt col, PetscInt row)
{
  PetscInt w = PetscMax(s->cols[col].width, 1);

  return s->cols[col].data + (row < 0 ? s->n - 1 : row) * w;
}

/**
  @brief The samples held, their times (s) and, for `col` >= 0, its [n][max(width, 1)] values; outputs may be NULL.

  Not collective.
**/
PetscErrorCode PhSeriesGetData(PhSeries s, PetscInt col, PetscInt *n, const PetscReal **time, const PetscReal **data)
{
  PetscFunctionBeginUser;
  if (n != NULL) *n = s->n;
  if (time != NULL) *time = s->cols[PH_SERIES_TIME].data;
  if (data != NULL) *data = col >= 0 ? s->cols[col].data : NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The first sample of the metrics window of a run: the samples with t >= optics.metrics_from (within 1e-12 s)
  of a transient, the one state of a steady run (its only sample, whatever metrics_from says).

  Not collective. An empty window is an error: every metric of a run is formed over at least one sample.
**/
PetscErrorCode PhSeriesWindow(PhSeries s, PhCase problem, PetscInt *first)
{
  const PetscReal *time = s->cols[PH_SERIES_TIME].data;
  PetscReal        from = problem->time.steady ? 0.0 : problem->optics.metrics_from;
  PetscInt         i    = 0;

  PetscFunctionBeginUser;
  while (i < s->n && time[i] < from - 1e-12) i++;
  PetscCheck(i < s->n, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE,
             "no series sample at or after optics.metrics_from = %g s (the last of %d samples is at t = %g s): the metrics window is empty",
             (double)from, (int)s->n, s->n ? (double)time[s->n - 1] : 0.0);
  *first = i;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Write every column to the result file in its units.

  Collective.
**/
PetscErrorCode PhSeriesWrite(PhSeries s, PhOutput out)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < s->ncols; c++) {
    const PhSeriesColumn *col = &s->cols[c];
    PetscInt              m   = s->n * (col->scalar ? 1 : col->width);
    PetscReal            *buf;

    if (col->path == NULL) continue; /* held for the metrics only */
    PetscCall(PetscMalloc1(PetscMax(m, 1), &buf));
    for (PetscInt i = 0; i < m; i++) buf[i] = col->data[i] * col->scale + col->shift;
    (void)snprintf(path, sizeof(path), "%s/%s", PH_RESULT_SERIES, col->path);
    PetscCall(PhOutputWriteTable(out, path, s->n, col->scalar ? -1 : col->width, buf, col->width, (const char *const *)col->names, col->units,
                                 col->definition));
    PetscCall(PetscFree(buf));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Read column `col` of an earlier result file back in SI units (the inverse of its scale and shift): `rows`
  samples of `cols` values (0 for a 1D dataset, as for a table of no device). `found` is false when the file has no
  such dataset.

  Collective (every rank reads).
**/
PetscErrorCode PhSeriesReadColumn(PhSeries s, PetscInt col, hid_t file, PetscInt *rows, PetscInt *cols, PetscReal **data, PetscBool *found)
{
  const PhSeriesColumn *c = &s->cols[col];
  char                  path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  (void)snprintf(path, sizeof(path), "%s/%s", PH_RESULT_SERIES, c->path);
  *data = NULL;
  if (c->scalar) {
    PetscCall(PhH5ReadReals(file, path, rows, data, found));
    *cols = 0;
  } else PetscCall(PhH5ReadRealTable(file, path, rows, cols, data, found));
  if (*found)
    for (PetscInt i = 0; i < *rows * PetscMax(*cols, 1); i++) (*data)[i] = ((*data)[i] - c->shift) / c->scale;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Free a series table; NULL is accepted.

  Not collective.
**/
PetscErrorCode PhSeriesDestroy(PhSeries *series)
{
  PhSeries s = *series;

  PetscFunctionBeginUser;
  if (s == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt c = 0; c < s->ncols; c++) {
    PhSeriesColumn *col = &s->cols[c];

    for (PetscInt i = 0; col->names != NULL && i < col->width; i++) PetscCall(PetscFree(col->names[i]));
    PetscCall(PetscFree(col->names));
    PetscCall(PetscFree(col->path));
    PetscCall(PetscFree(col->units));
    PetscCall(PetscFree(col->definition));
    PetscCall(PetscFree(col->data));
  }
  PetscCall(PetscFree(s->cols));
  PetscCall(PetscFree(*series));
  PetscFunctionReturn(PETSC_SUCCESS);
}

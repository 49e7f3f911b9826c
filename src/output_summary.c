/* photherm summary and the end-of-run report: read /summary of a result file and print it as a readable list or as CSV (one header, one row). */
#include <errno.h>
#include <math.h>
#include <photherm/output.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* One metric: its flattened name (sources.asic.t_max), value, units and definition. */
typedef struct {
  char  *name;
  double value;
  char  *units, *definition;
} PhMetric;

typedef struct {
  PhMetric *m;
  PetscInt  n, cap;
  hid_t     file;
  char      prefix[256];
} PhMetricList;

/* A string attribute of obj, PetscMalloc'd, or NULL when it is missing or unreadable. */
static char *PhReadStringAttr(hid_t obj, const char *name)
{
  hid_t  a, type = -1, mem = -1;
  size_t size;
  char  *buf = NULL;

  if (H5Aexists(obj, name) <= 0) return NULL;
  if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0) return NULL;
  if ((type = H5Aget_type(a)) >= 0 && (size = H5Tget_size(type)) > 0 && (mem = H5Tcopy(H5T_C_S1)) >= 0 && H5Tset_size(mem, size) >= 0 &&
      H5Tset_strpad(mem, H5T_STR_NULLPAD) >= 0 && !PetscCalloc1(size + 1, &buf) && H5Aread(a, mem, buf) < 0)
    buf[0] = '\0';
  if ((mem >= 0 && H5Tclose(mem) < 0) || (type >= 0 && H5Tclose(type) < 0) || H5Aclose(a) < 0) {
    (void)PetscFree(buf); /* an HDF5 library that cannot close what it opened: report the attribute as unreadable */
    return NULL;
  }
  return buf;
}

static herr_t PhCollectAttr(hid_t obj, const char *name, const H5A_info_t *info, void *data)
{
  PhMetricList *list = (PhMetricList *)data;
  hid_t         a, type;
  char          key[300];
  double        v = 0;

  (void)info;
  if (strchr(name, '.') != NULL) return 0; /* x.units, x.definition */
  if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0) return -1;
  if ((type = H5Aget_type(a)) < 0) {
    (void)H5Aclose(a); /* already failing: the error is the one reported */
    return -1;
  }
  if (H5Tget_class(type) != H5T_FLOAT || H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) return H5Tclose(type) < 0 || H5Aclose(a) < 0 ? -1 : 0;
  if (H5Tclose(type) < 0 || H5Aclose(a) < 0) return -1;
  if (list->n == list->cap) {
    list->cap = list->cap ? 2 * list->cap : 64;
    if (PetscRealloc((size_t)list->cap * sizeof(PhMetric), &list->m)) return -1;
  }
  (void)snprintf(key, sizeof(key), "%s%s", list->prefix, name);
  if (PetscStrallocpy(key, &list->m[list->n].name)) return -1;
  list->m[list->n].value = v;
  (void)snprintf(key, sizeof(key), "%s.units", name);
  list->m[list->n].units = PhReadStringAttr(obj, key);
  (void)snprintf(key, sizeof(key), "%s.definition", name);
  list->m[list->n].definition = PhReadStringAttr(obj, key);
  list->n++;
  return 0;
}

/* Attributes of a group, then its subgroups in name order, depth first, with dotted prefixes. */
static herr_t PhCollectGroup(hid_t group, const char *name, const H5L_info_t *info, void *data);

static herr_t PhCollect(hid_t group, PhMetricList *list)
{
  hsize_t idx = 0;

  if (H5Aiterate2(group, H5_INDEX_CRT_ORDER, H5_ITER_NATIVE, &idx, PhCollectAttr, list) < 0) {
    idx = 0;
    if (H5Aiterate2(group, H5_INDEX_NAME, H5_ITER_INC, &idx, PhCollectAttr, list) < 0) return -1;
  }
  idx = 0;
  if (H5Literate(group, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, PhCollectGroup, list) >= 0) return 0;
  idx = 0;
  return H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &idx, PhCollectGroup, list);
}

static herr_t PhCollectGroup(hid_t group, const char *name, const H5L_info_t *info, void *data)
{
  PhMetricList *list = (PhMetricList *)data;
  char          saved[256];
  hid_t         sub;
  herr_t        status;

  (void)info;
  sub = H5Gopen2(group, name, H5P_DEFAULT);
  if (sub < 0) return 0;
  memcpy(saved, list->prefix, sizeof(saved));
  (void)snprintf(list->prefix + strlen(list->prefix), sizeof(list->prefix) - strlen(list->prefix), "%s.", name);
  status = PhCollect(sub, list);
  memcpy(list->prefix, saved, sizeof(saved));
  return H5Gclose(sub) < 0 ? -1 : status;
}

static void PhFormatValue(double v, char *buf, size_t len)
{
  if (PetscIsInfOrNanReal(v)) (void)snprintf(buf, len, v > 0 ? "inf" : (v < 0 ? "-inf" : "nan"));
  else (void)snprintf(buf, len, "%.10g", v);
}

/* CSV field: quoted when it holds a comma, a quote or a newline. */
static void PhCsvField(FILE *fp, const char *s)
{
  if (strpbrk(s, ",\"\n") == NULL) {
    (void)fputs(s, fp);
    return;
  }
  (void)fputc('"', fp);
  for (const char *c = s; *c; c++) {
    if (*c == '"') (void)fputc('"', fp);
    (void)fputc(*c, fp);
  }
  (void)fputc('"', fp);
}

/* The value of the metric `name`, NaN when absent. */
static double PhMetricValue(const PhMetricList *list, const char *name)
{
  for (PetscInt i = 0; i < list->n; i++)
    if (!strcmp(list->m[i].name, name)) return list->m[i].value;
  return NAN;
}

/* The names of the groups under `prefix` (such as "links.") that carry the metric `leaf`, in file order. */
static PetscInt PhMetricGroups(const PhMetricList *list, const char *prefix, const char *leaf, const char **names, size_t *lens, PetscInt max)
{
  PetscInt n  = 0;
  size_t   lp = strlen(prefix), ll = strlen(leaf);

  for (PetscInt i = 0; i < list->n && n < max; i++) {
    const char *m  = list->m[i].name;
    size_t      lm = strlen(m);

    if (strncmp(m, prefix, lp) || lm <= lp + ll + 1 || strcmp(m + lm - ll, leaf) || m[lm - ll - 1] != '.') continue;
    names[n] = m + lp;
    lens[n]  = lm - lp - ll - 1;
    n++;
  }
  return n;
}

/* The end-of-run report: the thermal headline, a table of sources and one of links (PHYSICS §5). */
static void PhSummaryReportPrint(const PhMetricList *list, const char *case_name, const char *path)
{
  const char *names[256];
  size_t      lens[256];
  char        key[400];
  PetscInt    n;

  (void)printf("summary of %s (%s); every metric: photherm summary %s\n", case_name != NULL ? case_name : "?", path, path);
  (void)printf(
    "  peak temperature %.2f degC at t = %.6g s, (x, y, z) = (%.4g, %.4g, %.4g) mm; energy balance error %.2g; %.0f cells, %.0f steps, %.1f s\n",
    PhMetricValue(list, "peak_temperature"), PhMetricValue(list, "peak_time"), 1e3 * PhMetricValue(list, "peak_x"),
    1e3 * PhMetricValue(list, "peak_y"), 1e3 * PhMetricValue(list, "peak_z"), PhMetricValue(list, "energy_balance_error_max"),
    PhMetricValue(list, "cells"), PhMetricValue(list, "steps"), PhMetricValue(list, "wall_time"));
  n = PhMetricGroups(list, "sources.", "t_max", names, lens, 256);
  if (n > 0) (void)printf("  %-20s %12s %12s %12s\n", "source", "mean W", "max degC", "mean degC");
  for (PetscInt i = 0; i < n; i++) {
    double v[3];

    (void)snprintf(key, sizeof(key), "sources.%.*s.power_mean", (int)lens[i], names[i]);
    v[0] = PhMetricValue(list, key);
    (void)snprintf(key, sizeof(key), "sources.%.*s.t_max", (int)lens[i], names[i]);
    v[1] = PhMetricValue(list, key);
    (void)snprintf(key, sizeof(key), "sources.%.*s.t_mean", (int)lens[i], names[i]);
    v[2] = PhMetricValue(list, key);
    (void)printf("  %-20.*s %12.4g %12.2f %12.2f\n", (int)lens[i], names[i], v[0], v[1], v[2]);
  }
  n = PhMetricGroups(list, "coolant.", "heat_mean", names, lens, 256);
  if (n > 0) (void)printf("  %-20s %12s %12s %12s\n", "coolant", "heat W", "outlet max", "outlet mean");
  for (PetscInt i = 0; i < n; i++) {
    double v[3];

    (void)snprintf(key, sizeof(key), "coolant.%.*s.heat_mean", (int)lens[i], names[i]);
    v[0] = PhMetricValue(list, key);
    (void)snprintf(key, sizeof(key), "coolant.%.*s.outlet_max", (int)lens[i], names[i]);
    v[1] = PhMetricValue(list, key);
    (void)snprintf(key, sizeof(key), "coolant.%.*s.outlet_mean", (int)lens[i], names[i]);
    v[2] = PhMetricValue(list, key);
    (void)printf("  %-20.*s %12.4g %12.2f %12.2f\n", (int)lens[i], names[i], v[0], v[1], v[2]);
  }
  n = PhMetricGroups(list, "links.", "stable_throughput", names, lens, 256);
  if (n > 0)
    (void)printf("  %-12s %11s %7s %20s %10s %9s %9s %20s\n", "link", "stable Gb/s", "stable", "tuning mW mean/max", "min margin", "pJ/bit",
                 "swing K", "yield-adj. Gb/s");
  for (PetscInt i = 0; i < n; i++) {
    static const char *leaf[] =
      {"stable_throughput", "stable_fraction",        "tuning_power_mean",        "tuning_power_max",           "min_margin",
       "energy_per_bit",    "ring_temperature_swing", "yield_adjusted_bandwidth", "yield_adjusted_bandwidth_se"};
    double v[9];
    char   yab[64], tune[64];

    for (int q = 0; q < 9; q++) {
      (void)snprintf(key, sizeof(key), "links.%.*s.%s", (int)lens[i], names[i], leaf[q]);
      v[q] = PhMetricValue(list, key);
    }
    if (isnan(v[7])) (void)snprintf(yab, sizeof(yab), "-");
    else (void)snprintf(yab, sizeof(yab), "%.1f +- %.1f", v[7], v[8]);
    (void)snprintf(tune, sizeof(tune), "%.2f / %.2f", v[2], v[3]);
    (void)printf("  %-12.*s %11.1f %6.1f%% %20s %7.2f dB %9.3f %9.2f %20s\n", (int)lens[i], names[i], v[0], 100 * v[1], tune, v[4], v[5], v[6], yab);
  }
}

typedef enum {
  PH_SUMMARY_LIST,
  PH_SUMMARY_CSV,
  PH_SUMMARY_REPORT
} PhSummaryFormat;

/* Read /summary of a result file on rank 0 and print it in a format. */
static PetscErrorCode PhSummaryShow(MPI_Comm comm, const char path[], PhSummaryFormat format, int *exit_code)
{
  PetscMPIInt rank;
  int         status = 0;

  PetscFunctionBeginUser;
  *exit_code = PH_EXIT_SUCCESS;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    PhMetricList list;
    hid_t        file = -1, summary = -1;
    char        *case_name = NULL;
    PetscInt     nover     = 0;
    char       **over      = NULL;
    PetscBool    ok;

    memset(&list, 0, sizeof(list));
    if (access(path, R_OK) == 0 && H5Fis_hdf5(path) > 0) file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file >= 0 && H5Lexists(file, PH_RESULT_SUMMARY, H5P_DEFAULT) > 0) summary = H5Gopen2(file, PH_RESULT_SUMMARY, H5P_DEFAULT);
    if (access(path, F_OK) != 0) {
      (void)fprintf(stderr, "photherm: error: %s: no such file\n", path);
      status = PH_EXIT_BAD_INPUT;
    } else if (access(path, R_OK) != 0) {
      (void)fprintf(stderr, "photherm: error: %s: cannot read the file (%s)\n", path, strerror(errno));
      status = PH_EXIT_BAD_INPUT;
    } else if (summary < 0) {
      (void)fprintf(stderr, "photherm: error: %s: not a photherm result file (no /summary group)\n", path);
      status = PH_EXIT_BAD_INPUT;
    } else {
      case_name = PhReadStringAttr(file, "case_name");
      PetscCall(PhH5ReadStringAttribute(file, "/case", "overrides", &nover, &over, &ok));
      if (PhCollect(summary, &list) < 0) {
        (void)fprintf(stderr, "photherm: error: %s: cannot read /summary\n", path);
        status = PH_EXIT_FAILURE;
      } else if (format == PH_SUMMARY_CSV) {
        (void)printf("case");
        for (PetscInt i = 0; i < nover; i++) {
          char *eq = strchr(over[i], '=');

          (void)printf(",");
          if (eq != NULL) *eq = '\0';
          PhCsvField(stdout, over[i]);
          if (eq != NULL) *eq = '=';
        }
        for (PetscInt i = 0; i < list.n; i++) {
          (void)printf(",");
          PhCsvField(stdout, list.m[i].name);
        }
        (void)printf("\n");
        PhCsvField(stdout, case_name != NULL ? case_name : "");
        for (PetscInt i = 0; i < nover; i++) {
          char *eq = strchr(over[i], '=');

          (void)printf(",");
          PhCsvField(stdout, eq != NULL ? eq + 1 : "");
        }
        for (PetscInt i = 0; i < list.n; i++) {
          char v[64];

          PhFormatValue(list.m[i].value, v, sizeof(v));
          (void)printf(",%s", v);
        }
        (void)printf("\n");
      } else if (format == PH_SUMMARY_REPORT) {
        PhSummaryReportPrint(&list, case_name, path);
      } else {
        (void)printf("summary of %s (%s)\n", case_name != NULL ? case_name : "?", path);
        for (PetscInt i = 0; i < list.n; i++) {
          char v[64];

          PhFormatValue(list.m[i].value, v, sizeof(v));
          (void)printf("  %-40s %14s %-8s %s\n", list.m[i].name, v, list.m[i].units != NULL ? list.m[i].units : "",
                       list.m[i].definition != NULL ? list.m[i].definition : "");
        }
      }
      (void)fflush(stdout);
    }
    for (PetscInt i = 0; i < list.n; i++) {
      PetscCall(PetscFree(list.m[i].name));
      PetscCall(PetscFree(list.m[i].units));
      PetscCall(PetscFree(list.m[i].definition));
    }
    PetscCall(PetscFree(list.m));
    PetscCall(PetscFree(case_name));
    PetscCall(PhH5FreeStrings(nover, &over));
    if (summary >= 0) PhCallHDF5(H5Gclose, (summary));
    if (file >= 0) PhCallHDF5(H5Fclose, (file));
  }
  PetscCallMPI(MPI_Bcast(&status, 1, MPI_INT, 0, comm));
  *exit_code = status;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Print the summary of a finished run: readable (one metric a line) or CSV (header and one row, with the case
  name and the -P overrides of the run as the first columns).

  Collective (rank 0 reads and prints). A missing or unreadable file is bad input: *exit_code 2.
**/
PetscErrorCode PhSummaryPrint(MPI_Comm comm, const char path[], PetscBool csv, int *exit_code)
{
  PetscFunctionBeginUser;
  PetscCall(PhSummaryShow(comm, path, csv ? PH_SUMMARY_CSV : PH_SUMMARY_LIST, exit_code));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  The short report printed at the end of a run: thermal headline, sources, and per link stable throughput, tuning
  power, minimum margin, energy per bit and yield-adjusted bandwidth.
**/
PetscErrorCode PhSummaryReport(MPI_Comm comm, const char path[])
{
  int status;

  PetscFunctionBeginUser;
  PetscCall(PhSummaryShow(comm, path, PH_SUMMARY_REPORT, &status));
  PetscFunctionReturn(PETSC_SUCCESS);
}

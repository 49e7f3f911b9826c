/* photherm summary: read /summary of a result file and print it as a readable list or as CSV (one header, one row). */
#include "sim_impl.h"

#include <photherm/h5.h>
#include <stdio.h>
#include <string.h>

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

static char *PhReadStringAttr(hid_t obj, const char *name)
{
  hid_t  a, type, mem;
  size_t size;
  char  *buf;

  if (H5Aexists(obj, name) <= 0) return NULL;
  a    = H5Aopen(obj, name, H5P_DEFAULT);
  type = H5Aget_type(a);
  size = H5Tget_size(type);
  mem  = H5Tcopy(H5T_C_S1);
  (void)H5Tset_size(mem, size);
  (void)H5Tset_strpad(mem, H5T_STR_NULLPAD);
  buf = (char *)calloc(size + 1, 1);
  if (buf != NULL && H5Aread(a, mem, buf) < 0) buf[0] = '\0';
  (void)H5Tclose(mem);
  (void)H5Tclose(type);
  (void)H5Aclose(a);
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
  a    = H5Aopen(obj, name, H5P_DEFAULT);
  type = H5Aget_type(a);
  if (H5Tget_class(type) != H5T_FLOAT || H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) {
    (void)H5Tclose(type);
    (void)H5Aclose(a);
    return 0;
  }
  (void)H5Tclose(type);
  (void)H5Aclose(a);
  if (list->n == list->cap) {
    PhMetric *bigger;

    list->cap = list->cap ? 2 * list->cap : 64;
    bigger    = (PhMetric *)realloc(list->m, (size_t)list->cap * sizeof(PhMetric));
    if (bigger == NULL) return -1;
    list->m = bigger;
  }
  (void)snprintf(key, sizeof(key), "%s%s", list->prefix, name);
  list->m[list->n].name  = strdup(key);
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
  (void)H5Gclose(sub);
  return status;
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

/**
  @brief Print the summary of a finished run: readable (one metric a line) or CSV (header and one row, with the case
  name and the -P overrides of the run as the first columns).

  Collective (rank 0 reads and prints). A missing or unreadable file is bad input: *exit_code 2.
**/
PetscErrorCode PhSummaryPrint(MPI_Comm comm, const char path[], PetscBool csv, int *exit_code)
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
    if (H5Fis_hdf5(path) > 0) file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file >= 0 && H5Lexists(file, "/summary", H5P_DEFAULT) > 0) summary = H5Gopen2(file, "/summary", H5P_DEFAULT);
    if (summary < 0) {
      (void)fprintf(stderr, "photherm: error: %s: not a photherm result file (no /summary group)\n", path);
      status = PH_EXIT_BAD_INPUT;
    } else {
      hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);

      case_name = PhReadStringAttr(root, "case_name");
      (void)H5Gclose(root);
      PetscCall(PhH5ReadStringAttribute(file, "/case", "overrides", &nover, &over, &ok));
      if (PhCollect(summary, &list) < 0) {
        (void)fprintf(stderr, "photherm: error: %s: cannot read /summary\n", path);
        status = PH_EXIT_FAILURE;
      } else if (csv) {
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
      free(list.m[i].name);
      free(list.m[i].units);
      free(list.m[i].definition);
    }
    free(list.m);
    free(case_name);
    PetscCall(PhH5FreeStrings(nover, &over));
    if (summary >= 0) (void)H5Gclose(summary);
    if (file >= 0) (void)H5Fclose(file);
  }
  PetscCallMPI(MPI_Bcast(&status, 1, MPI_INT, 0, comm));
  *exit_code = status;
  PetscFunctionReturn(PETSC_SUCCESS);
}

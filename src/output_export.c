/* photherm summary --blocks-csv / --ttrace: the blocks' and sources' mean temperatures over time, for tools that read
   CSV or HotSpot's transient temperature trace (.ttrace). */
#include <errno.h>
#include <photherm/h5.h>
#include <photherm/output.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Write one series table as text: CSV (time column, degC) or HotSpot's .ttrace (no time column, K, tab-separated, the
   samples after t = 0, each the state at the end of its interval). */
static int PhWriteSeries(FILE *fp, PetscBool ttrace, const char what[], const char path[], PetscInt ns, const PetscReal *t, PetscInt nc, char **names,
                         const PetscReal *v)
{
  if (!ttrace) {
    (void)fprintf(fp, "# %s of %s (%s), written by photherm summary --blocks-csv\ntime [s]", what, path, "/series/blocks/t_mean");
    for (PetscInt c = 0; c < nc; c++) (void)fprintf(fp, ",%s [C]", names[c]);
    (void)fprintf(fp, "\n");
  } else
    for (PetscInt c = 0; c < nc; c++) (void)fprintf(fp, "%s%s", names[c], c + 1 < nc ? "\t" : "\n");
  for (PetscInt r = 0; r < ns; r++) {
    if (ttrace && t[r] <= 0) continue;
    if (!ttrace) (void)fprintf(fp, "%.10g", (double)t[r]);
    for (PetscInt c = 0; c < nc; c++) {
      if (ttrace) (void)fprintf(fp, "%.2f%s", (double)(v[r * nc + c] + PH_ZERO_CELSIUS), c + 1 < nc ? "\t" : "\n");
      else (void)fprintf(fp, ",%.10g", (double)v[r * nc + c]);
    }
    if (!ttrace) (void)fprintf(fp, "\n");
  }
  return ferror(fp);
}

/**
  @brief Write the blocks' mean temperatures over time as CSV (`blocks_csv`, degC, one column per block) and the sources'
  mean temperatures in HotSpot's .ttrace layout (`ttrace`, K, one column per source in the case's order, a row per
  sample after t = 0); either may be NULL.

  Collective on `comm` (rank 0 reads and writes).
**/
PetscErrorCode PhSummaryExport(MPI_Comm comm, const char path[], const char blocks_csv[], const char ttrace[], int *exit_code)
{
  PetscMPIInt rank;
  int         status = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    hid_t      file = -1;
    PetscReal *t = NULL, *vb = NULL, *vs = NULL;
    PetscInt   ns = 0, nr = 0, nb = 0, nsrc = 0, nbn = 0, nsn = 0;
    char     **bnames = NULL, **snames = NULL;
    PetscBool  ok1 = PETSC_FALSE, ok2 = PETSC_FALSE, ok3 = PETSC_FALSE, ok4 = PETSC_FALSE, ok5 = PETSC_FALSE;

    if (access(path, R_OK) == 0 && H5Fis_hdf5(path) > 0) file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (access(path, F_OK) != 0) {
      (void)fprintf(stderr, "photherm: error: %s: no such file\n", path);
      status = PH_EXIT_BAD_INPUT;
    } else if (file < 0) {
      (void)fprintf(stderr, "photherm: error: %s: cannot read the file as HDF5 (%s)\n", path, strerror(errno));
      status = PH_EXIT_BAD_INPUT;
    } else {
      PetscCall(PhH5ReadReals(file, "/series/time", &ns, &t, &ok1));
      PetscCall(PhH5ReadRealTable(file, "/series/blocks/t_mean", &nr, &nb, &vb, &ok2));
      PetscCall(PhH5ReadStringAttribute(file, "/series/blocks/t_mean", "names", &nbn, &bnames, &ok3));
      PetscCall(PhH5ReadRealTable(file, "/series/sources/t_mean", &nr, &nsrc, &vs, &ok4));
      PetscCall(PhH5ReadStringAttribute(file, "/series/sources/t_mean", "names", &nsn, &snames, &ok5));
      if (!(ok1 && ok2 && ok3 && ok4 && ok5) || nr != ns || nbn != nb || nsn != nsrc) {
        (void)fprintf(stderr, "photherm: error: %s: not a photherm result file (no /series/time, /series/blocks/t_mean and /series/sources/t_mean)\n",
                      path);
        status = PH_EXIT_BAD_INPUT;
      }
      for (int k = 0; k < 2 && !status; k++) {
        const char *out = k == 0 ? blocks_csv : ttrace;
        FILE       *fp;

        if (out == NULL) continue;
        if ((fp = fopen(out, "w")) == NULL) {
          (void)fprintf(stderr, "photherm: error: cannot write %s: %s\n", out, strerror(errno));
          status = PH_EXIT_FAILURE;
          break;
        }
        if (k == 0) status = PhWriteSeries(fp, PETSC_FALSE, "block mean temperatures", path, ns, t, nb, bnames, vb);
        else status = PhWriteSeries(fp, PETSC_TRUE, "source mean temperatures", path, ns, t, nsrc, snames, vs);
        if (fclose(fp) != 0 || status) {
          (void)fprintf(stderr, "photherm: error: cannot write %s: %s\n", out, strerror(errno));
          status = PH_EXIT_FAILURE;
        } else
          (void)printf("wrote %s: %s of %d %s at %d samples\n", out, k == 0 ? "CSV, degC" : "HotSpot .ttrace layout, K", (int)(k == 0 ? nb : nsrc),
                       k == 0 ? "blocks" : "sources", (int)(k == 0 ? ns : ns - (ns > 0 && t[0] <= 0)));
      }
      PhCallHDF5(H5Fclose, (file));
    }
    PetscCall(PetscFree(t));
    PetscCall(PetscFree(vb));
    PetscCall(PetscFree(vs));
    PetscCall(PhH5FreeStrings(nbn, &bnames));
    PetscCall(PhH5FreeStrings(nsn, &snames));
  }
  PetscCallMPI(MPI_Bcast(&status, 1, MPI_INT, 0, comm));
  *exit_code = status;
  PetscFunctionReturn(PETSC_SUCCESS);
}

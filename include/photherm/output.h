/*
  photherm/output.h - the result file (DESIGN §7): one HDF5 file written collectively from all ranks, its XDMF
  companion for ParaView, the series table, and every read of a result file (the initial field of a continued run,
  series of an earlier result, the summary that `photherm summary` prints).

  Layer: output owns the layout of the result file: its group names are defined here once, every dataset and summary
  value is written and read back through this module. It may call case, mesh and the HDF5 helpers (below it); thermal,
  links and sim hand it their data and never open a result file themselves.

  The file is written as OUT.partial and renamed to OUT when PhOutputClose() is called with success; a failed run
  leaves OUT.partial and never truncates an existing OUT. Every dataset and summary value carries `units` and
  `definition` (for a summary attribute `x`: attributes `x.units` and `x.definition`).

  Ownership: PhOutputCreate() gives the caller an object to finish with PhOutputClose() and free with
  PhOutputDestroy(). The case, mesh and DM are borrowed. PhSeriesCreate() gives a table to free with
  PhSeriesDestroy().
*/
#pragma once

#include <petscdmda.h>
#include <photherm/case.h>
#include <photherm/diag.h>
#include <photherm/h5.h>
#include <photherm/mesh.h>

/* The groups and datasets of a result file. */
#define PH_RESULT_FIELDS        "/fields"
#define PH_RESULT_TEMPERATURE   "/fields/temperature"
#define PH_RESULT_FIELD_TIME    "/fields/time"
#define PH_RESULT_SNAPSHOTS     "/fields/snapshots"
#define PH_RESULT_POWER_DENSITY "/fields/power_density"
#define PH_RESULT_SERIES        "/series"
#define PH_RESULT_SUMMARY       "/summary"

typedef struct _p_PhOutput *PhOutput;
typedef struct _p_PhSeries *PhSeries;

#define PH_SERIES_TIME 0 /* the column of the sample times, s */

PH_EXTERN PetscErrorCode PhOutputCreate(MPI_Comm comm, const char path[], PhCase problem, PhMesh mesh, DM da, const char command_line[],
                                        PhOutput *out);
PH_EXTERN PetscErrorCode PhOutputWriteField(PhOutput out, const char name[], Vec field, PetscReal scale, PetscReal shift, const char units[],
                                            const char definition[]);
PH_EXTERN PetscErrorCode PhOutputAppendSnapshot(PhOutput out, PetscReal t, Vec temperature);
PH_EXTERN PetscErrorCode PhOutputWriteTable(PhOutput out, const char path[], PetscInt nrows, PetscInt ncols, const PetscReal *data, PetscInt nnames,
                                            const char *const names[], const char units[], const char definition[]);
PH_EXTERN PetscErrorCode PhOutputSetReal(PhOutput out, const char group[], const char name[], PetscReal value, const char units[],
                                         const char definition[]);
PH_EXTERN PetscErrorCode PhOutputSetString(PhOutput out, const char group[], const char name[], const char value[]);
PH_EXTERN PetscErrorCode PhOutputClose(PhOutput out, const char **final_path, const char **xdmf_path);
PH_EXTERN PetscErrorCode PhOutputDestroy(PhOutput *out);
PH_EXTERN PetscErrorCode PhOutputXdmfPath(const char h5_path[], char *xdmf, size_t len);
PH_EXTERN PetscErrorCode PhOutputReadSnapshot(MPI_Comm comm, hid_t file, const char name[], PetscReal time, DM da, Vec T, PetscReal *t_snap);
PH_EXTERN PetscErrorCode PhResultCheckInitial(MPI_Comm comm, const char path[], PetscReal time, PhMesh mesh, PhDiag diag, PhSourceLoc loc);
PH_EXTERN PetscErrorCode PhResultOpen(MPI_Comm comm, const char path[], const char purpose[], hid_t *file);
PH_EXTERN PetscErrorCode PhResultClose(hid_t *file);
PH_EXTERN PetscErrorCode PhSummaryPrint(MPI_Comm comm, const char path[], PetscBool csv, int *exit_code);
PH_EXTERN PetscErrorCode PhSummaryExport(MPI_Comm comm, const char path[], const char blocks_csv[], const char ttrace[], int *exit_code);
PH_EXTERN PetscErrorCode PhSummaryReport(MPI_Comm comm, const char path[]);

PH_EXTERN PetscErrorCode PhSeriesCreate(PhSeries *series);
PH_EXTERN PetscErrorCode PhSeriesAddColumn(PhSeries series, const char path[], PetscInt width, const char *const names[], PetscReal scale,
                                           PetscReal shift, const char units[], const char definition[], PetscInt *col);
PH_EXTERN PetscErrorCode PhSeriesAppend(PhSeries series, PetscReal t);
PH_EXTERN PetscReal     *PhSeriesRow(PhSeries series, PetscInt col, PetscInt row);
PH_EXTERN PetscErrorCode PhSeriesGetData(PhSeries series, PetscInt col, PetscInt *n, const PetscReal **time, const PetscReal **data);
PH_EXTERN PetscErrorCode PhSeriesWindow(PhSeries series, PhCase problem, PetscInt *first);
PH_EXTERN PetscErrorCode PhSeriesWrite(PhSeries series, PhOutput out);
PH_EXTERN PetscErrorCode PhSeriesReadColumn(PhSeries series, PetscInt col, hid_t file, PetscInt *rows, PetscInt *cols, PetscReal **data,
                                            PetscBool *found);
PH_EXTERN PetscErrorCode PhSeriesDestroy(PhSeries *series);

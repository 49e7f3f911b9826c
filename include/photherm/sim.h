/*
  photherm/sim.h - a whole run: the thermal model in time, the series and snapshots, the energy balance, the summary,
  and the result file (DESIGN §3.7, §5, §7).

  Ownership: PhSimCreate() gives the caller a run to destroy with PhSimDestroy(); it owns the thermal model and the
  output it creates, and borrows the case and the mesh, which must outlive it.
*/
#pragma once

#include <photherm/case.h>
#include <photherm/mesh.h>
#include <photherm/output.h>
#include <photherm/thermal.h>

typedef struct _p_PhSim *PhSim;

/* How a run reports: the output file, the command line for provenance, progress on stderr. */
typedef struct {
  const char *output;       /* result file; NULL for the case's output.file */
  const char *command_line; /* stored in the file */
  PetscBool   quiet;        /* no progress line */
} PhSimOptions;

PH_EXTERN PetscErrorCode PhSimCreate(MPI_Comm comm, PhCase problem, PhMesh mesh, const PhSimOptions *options, PhSim *sim);
PH_EXTERN PetscErrorCode PhSimRun(PhSim sim);
PH_EXTERN PetscErrorCode PhSimGetThermal(PhSim sim, PhThermal *thermal);
PH_EXTERN PetscErrorCode PhSimGetSolution(PhSim sim, Vec *T);
PH_EXTERN PetscErrorCode PhSimDestroy(PhSim *sim);
PH_EXTERN PetscErrorCode PhSummaryPrint(MPI_Comm comm, const char path[], PetscBool csv, int *exit_code);

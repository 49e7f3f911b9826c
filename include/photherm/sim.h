/*
  photherm/sim.h - a whole run (DESIGN §3.7, §5, §7): the orchestrator of the time loop of landings, the series
  samples, the snapshots, the progress line and the thermal summary.

  Layer: sim is the top of the library. It creates the thermal model, the series table, the optics (links) and the
  result file, sets the initial state, lands on every sample and snapshot time, and hands each module's data to the
  output module; the data of a run flows case -> mesh -> thermal -> links -> output. Nothing below includes sim.

  Ownership: PhSimCreate() gives the caller a run to destroy with PhSimDestroy(); it owns the thermal model, the
  optics and the output it creates, and borrows the case and the mesh, which must outlive it.
*/
#pragma once

#include <photherm/links.h>

typedef struct _p_PhSim *PhSim;

/* How a run reports: the output file, the command line for provenance, progress on stderr. */
typedef struct {
  const char *output;       /* result file; NULL for the case's output.file */
  const char *command_line; /* stored in the file */
  PetscBool   quiet;        /* no progress line */
} PhSimOptions;

/* The estimated size of a result file, bytes (PhSimEstimateOutput()). */
typedef struct {
  PetscReal cells, snapshots, samples, values; /* values per series sample */
  PetscReal fields, series, total;             /* bytes */
} PhOutputEstimate;

PH_EXTERN PetscErrorCode PhSimEstimateOutput(PhCase problem, PhMesh mesh, PhOutputEstimate *estimate);
PH_EXTERN PetscErrorCode PhSimCreate(MPI_Comm comm, PhCase problem, PhMesh mesh, const PhSimOptions *options, PhSim *sim);
PH_EXTERN PetscErrorCode PhSimRun(PhSim sim);
PH_EXTERN PetscErrorCode PhSimReduce(PhSim sim, const char path[]);
PH_EXTERN PetscErrorCode PhSimCheckOptions(PhSim sim, char why[], size_t len);
PH_EXTERN PetscErrorCode PhSimDestroy(PhSim *sim);

/*
  photherm/cli.h - the command line (DESIGN §2): subcommands, photherm's own arguments, exit statuses.

  PhCliParse() runs before PetscInitialize(): it takes the subcommand, CASE, every -P, -o, -quiet and --csv out of
  argv and leaves the rest (PETSc options) for PetscInitialize(). Usage problems are kept and reported by PhCliRun(),
  on rank 0 only, with exit status 2.
  Ownership: PhCliParse() fills a PhCliArgs that PhCliArgsFree() releases (plain malloc: PETSc is not yet running).

  Layer: the top: it loads the case, builds the mesh and runs sim, check, mesh and summary. Nothing includes it.
*/
#pragma once

#include <photherm/case.h>
#include <photherm/mesh.h>

typedef struct {
  const char *command;             /* run | check | mesh | reduce | summary | import | help | version */
  const char *path;                /* CASE.yaml, OUT.h5 for summary, the tool (hotspot, 3dice) for import */
  const char *output;              /* -o */
  PetscBool   quiet;               /* -quiet */
  PetscBool   csv;                 /* --csv */
  const char *blocks_csv, *ttrace; /* summary --blocks-csv FILE, --ttrace FILE */
  PetscInt    noverrides;
  PhOverride *overrides;
  char        usage_error[512]; /* empty when the command line is well formed */
  int         petsc_argc;
  char      **petsc_argv;   /* argv[0] and the PETSc options */
  char       *command_line; /* the whole command line as typed, for provenance */
  int         import_argc;  /* photherm import TOOL ...: the tool's own arguments (without the case's -o) */
  char      **import_argv;
} PhCliArgs;

PH_EXTERN int            PhCliParse(int argc, char **argv, PhCliArgs *args);
PH_EXTERN void           PhCliArgsFree(PhCliArgs *args);
PH_EXTERN PetscErrorCode PhCliRun(const PhCliArgs *args, int *exit_code);
PH_EXTERN PetscErrorCode PhCliErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p,
                                           const char *mess, void *ctx);
PH_EXTERN PetscErrorCode PhCliLoad(MPI_Comm comm, const PhCliArgs *args, PhCase *problem, PhMesh *mesh, int *exit_code);
PH_EXTERN PetscErrorCode PhCliCheckOutput(MPI_Comm comm, const char path[], int *exit_code);
PH_EXTERN PetscErrorCode PhCliMemory(MPI_Comm comm, PhCase problem, PhMesh mesh, PhMemoryEstimate *estimate, PetscBool *refused);
PH_EXTERN PetscErrorCode PhCliCheck(MPI_Comm comm, const PhCliArgs *args, int *exit_code);
PH_EXTERN PetscErrorCode PhCliRunCase(MPI_Comm comm, const PhCliArgs *args, int *exit_code);
PH_EXTERN PetscErrorCode PhCliMesh(MPI_Comm comm, const PhCliArgs *args, int *exit_code);

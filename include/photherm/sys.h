/*
  photherm/sys.h - conventions shared by every module: visibility, PETSc compatibility, external-call checks,
  version strings and the exit statuses of the program.

  Layer: the base of every module (with units, diag, signal and h5); it calls nothing of photherm.
*/
#pragma once

#include <errno.h>
#include <petscsys.h>

#define PH_EXTERN extern __attribute__((visibility("default"))) /* public API, declared in include/photherm/ */
#define PH_INTERN extern __attribute__((visibility("hidden")))  /* shared between src/ files, never installed */

#if PETSC_VERSION_LT(3, 19, 0) /* Debian 12 ships 3.18, which has no PETSC_SUCCESS */
  #define PETSC_SUCCESS 0
#endif

#define PH_VERSION "0.1.0"

/* Exit statuses of the photherm program (DESIGN §2). */
enum {
  PH_EXIT_SUCCESS   = 0,
  PH_EXIT_FAILURE   = 1, /* a run that started and failed */
  PH_EXIT_BAD_INPUT = 2  /* bad input or usage: nothing computed, nothing written */
};

/* 0 degC in kelvin. */
#define PH_ZERO_CELSIUS 273.15

/* Coordinates closer than this are the same grid line (DESIGN §3.4), m. */
#define PH_MERGE_DISTANCE 1e-9
/* Edges merge, and a block, layer or source is too thin, below 1 nm less rounding: 1 nm written as
   [19.9999985 mm, 19.9999995 mm], or a 1 nm layer on top of 1 mm, differs from 1 nm in the last digits. m */
#define PH_MERGE_BELOW (PH_MERGE_DISTANCE * (1 - 1e-6))

/* Call an HDF5 routine returning herr_t; a negative status becomes a PETSc error that names the routine, or, when the
   system refused to write (disk full, quota, file size limit, I/O error) while a file was being written, names that
   file and the reason (PhHDF5Failure). */
#define PhCallHDF5(func, args) \
  do { \
    herr_t ph_status_; \
    errno      = 0; \
    ph_status_ = func args; \
    PetscCheck(ph_status_ >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "%s", PhHDF5Failure(#func)); \
  } while (0)

/* Same for routines returning an identifier (hid_t): the result is stored in ret. */
#define PhCallHDF5Return(ret, func, args) \
  do { \
    errno = 0; \
    ret   = func args; \
    PetscCheck((ret) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "%s", PhHDF5Failure(#func)); \
  } while (0)

PH_EXTERN const char    *PhVersion(void);
PH_EXTERN const char    *PhGitDescribe(void);
PH_EXTERN void           PhWritingFile(const char path[]);
PH_EXTERN PetscBool      PhWriteRefused(void);
PH_EXTERN const char    *PhHDF5Failure(const char func[]);
PH_EXTERN PetscErrorCode PhReadFileBroadcast(MPI_Comm comm, const char path[], size_t max_bytes, char **bytes, size_t *length, char *reason,
                                             size_t reason_len);
PH_EXTERN PetscErrorCode PhPathJoin(const char base_file[], const char relative[], char **joined);
PH_EXTERN PetscErrorCode PhFormatBytes(double bytes, char *buf, size_t len);
PH_EXTERN PetscErrorCode PhAvailableMemory(double *bytes);
PH_EXTERN PetscErrorCode PhLogEventsRegister(void);
PH_EXTERN void           PhBlasOneThread(void);
PH_EXTERN void           PhMPISingletonIsolated(void);

/* Log events, registered once by PhLogEventsRegister(), so that -log_view tells where the time went. */
PH_EXTERN PetscLogEvent PH_EVENT_LOAD, PH_EVENT_MESH, PH_EVENT_ASSEMBLE, PH_EVENT_APPLY, PH_EVENT_SOURCES, PH_EVENT_OPTICS, PH_EVENT_YIELD,
  PH_EVENT_OUTPUT, PH_EVENT_RED_FREEZE, PH_EVENT_RED_BASIS, PH_EVENT_RED_ROWS, PH_EVENT_RED_KREG, PH_EVENT_RED_ADVANCE, PH_EVENT_RED_MAXIMA;

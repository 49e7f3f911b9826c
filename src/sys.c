/* Shared helpers: version strings, file reading on rank 0 with broadcast, paths, memory, log events. */
#include <photherm/sys.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#ifndef PH_GIT_DESCRIBE
  #define PH_GIT_DESCRIBE "unknown"
#endif

PetscLogEvent PH_EVENT_LOAD, PH_EVENT_MESH, PH_EVENT_ASSEMBLE, PH_EVENT_APPLY, PH_EVENT_SOURCES, PH_EVENT_OPTICS, PH_EVENT_YIELD, PH_EVENT_OUTPUT;
PetscLogEvent PH_EVENT_RED_FREEZE, PH_EVENT_RED_BASIS, PH_EVENT_RED_ROWS, PH_EVENT_RED_KREG, PH_EVENT_RED_ADVANCE, PH_EVENT_RED_MAXIMA;

/**
  @brief The photherm release, such as "0.1.0".

  Not collective.
**/
const char *PhVersion(void)
{
  return PH_VERSION;
}

/**
  @brief `git describe` of the tree the program was built from ("unknown" outside a git checkout).

  Not collective.
**/
const char *PhGitDescribe(void)
{
  return PH_GIT_DESCRIBE;
}

/**
  @brief Keep the dense linear algebra of each rank on one thread. photherm's parallelism is its MPI ranks: a threaded
  BLAS (OpenBLAS, MKL) would start a pool per rank that spins between the small dense products of the reduced model
  and takes the cores of the other ranks (measured: 60% more CPU per sample on one rank, more with two). A user who
  sets OPENBLAS_NUM_THREADS, MKL_NUM_THREADS or OMP_NUM_THREADS keeps that choice. The libraries are found by name
  at run time, so a BLAS without threads needs nothing.

  Not collective.
**/
void PhBlasOneThread(void)
{
  void (*openblas_set)(int) = NULL, (*mkl_set)(int) = NULL;

  if (getenv("OPENBLAS_NUM_THREADS") || getenv("MKL_NUM_THREADS") || getenv("OMP_NUM_THREADS")) return;
  *(void **)&openblas_set = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  *(void **)&mkl_set      = dlsym(RTLD_DEFAULT, "MKL_Set_Num_Threads");
  if (openblas_set) openblas_set(1);
  if (mkl_set) mkl_set(1);
}

/**
  @brief Let a photherm started without mpirun (a singleton) set up MPI on its own. Open MPI otherwise starts a daemon
  for it, which costs about 0.3 s of wall time and 0.1 s of CPU per run (`photherm --version`: 0.62 -> 0.35 s wall,
  0.25 -> 0.15 s CPU), the largest part of a small case's run and of a scan's many small points. Only Open MPI reads
  the variable; a user's own setting is kept; ranks started by mpirun or srun are not singletons and are unaffected. A
  singleton so started cannot spawn processes, which photherm never does.

  A singleton, which talks to no other process, also takes Open MPI's ob1 messaging layer (OMPI_MCA_pml=ob1) instead
  of trying the cm layer first, whose PSM and PSM2 networks (Omni-Path) wait about 0.2 s for devices before giving up
  (a run that stops at a missing case: 0.35 -> 0.16 s of wall time). Ranks started by a launcher (mpirun's
  OMPI_COMM_WORLD_SIZE, PMIx's PMIX_RANK, PMI's PMI_RANK in their environment) keep Open MPI's own choice, which the
  cluster's network needs. Call before PetscInitialize().

  Not collective.
**/
void PhMPISingletonIsolated(void)
{
  (void)setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
  if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK") && !getenv("PMI_RANK")) (void)setenv("OMPI_MCA_pml", "ob1", 0);
}

static char      ph_writing[PETSC_MAX_PATH_LEN]; /* the file being written, for PhHDF5Failure(); empty when none */
static PetscBool ph_refused;                     /* the system refused a write into it */

/**
  @brief Name the file being written (the result file while it is open), so that a write the system refuses is
  reported as "cannot write FILE: No space left on device"; NULL when it is closed.

  Not collective.
**/
void PhWritingFile(const char path[])
{
  (void)snprintf(ph_writing, sizeof(ph_writing), "%s", path != NULL ? path : "");
  ph_refused = PETSC_FALSE;
}

/**
  @brief Whether the system refused a write into the file named by PhWritingFile() (a full disk, a quota).

  Not collective.
**/
PetscBool PhWriteRefused(void)
{
  return ph_refused;
}

/**
  @brief The message of a failed HDF5 call (PhCallHDF5): the file and the system's reason when a write was refused
  (ENOSPC, EDQUOT, EFBIG, EIO, EROFS, or less than 1 MiB left on its file system) while a file is being
  written, else the routine. Returns a static buffer.

  Not collective.
**/
const char *PhHDF5Failure(const char func[])
{
  static char msg[PETSC_MAX_PATH_LEN + 256];
  int         e = errno;

  if (ph_writing[0] && !(e == ENOSPC || e == EDQUOT || e == EFBIG || e == EIO || e == EROFS)) {
    /* MPI-IO does not always leave errno behind: a file system with (almost) no room left is the reason then */
    char           dir[PETSC_MAX_PATH_LEN];
    const char    *slash = strrchr(ph_writing, '/');
    struct statvfs fs;

    if (slash == NULL) (void)snprintf(dir, sizeof(dir), ".");
    else (void)snprintf(dir, sizeof(dir), "%.*s", slash == ph_writing ? 1 : (int)(slash - ph_writing), ph_writing);
    if (statvfs(dir, &fs) == 0 && (double)fs.f_bavail * (double)fs.f_frsize < 1048576.0) e = ENOSPC;
  }
  if (ph_writing[0] && (e == ENOSPC || e == EDQUOT || e == EFBIG || e == EIO || e == EROFS)) {
    ph_refused = PETSC_TRUE;
    (void)snprintf(msg, sizeof(msg), "cannot write %s: %s (HDF5 call %s() failed)", ph_writing, strerror(e), func);
  } else (void)snprintf(msg, sizeof(msg), "HDF5 call %s() failed", func);
  return msg;
}

/**
  @brief Register photherm's log events under one class, once; later calls do nothing.

  Not collective.
**/
PetscErrorCode PhLogEventsRegister(void)
{
  static PetscBool registered = PETSC_FALSE;
  PetscClassId     classid;

  PetscFunctionBeginUser;
  if (registered) PetscFunctionReturn(PETSC_SUCCESS);
  registered = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("photherm", &classid));
  PetscCall(PetscLogEventRegister("PhLoad", classid, &PH_EVENT_LOAD));
  PetscCall(PetscLogEventRegister("PhMesh", classid, &PH_EVENT_MESH));
  PetscCall(PetscLogEventRegister("PhAssemble", classid, &PH_EVENT_ASSEMBLE));
  PetscCall(PetscLogEventRegister("PhApplyK", classid, &PH_EVENT_APPLY));
  PetscCall(PetscLogEventRegister("PhSources", classid, &PH_EVENT_SOURCES));
  PetscCall(PetscLogEventRegister("PhOptics", classid, &PH_EVENT_OPTICS));
  PetscCall(PetscLogEventRegister("PhYield", classid, &PH_EVENT_YIELD));
  PetscCall(PetscLogEventRegister("PhOutputWrite", classid, &PH_EVENT_OUTPUT));
  PetscCall(PetscLogEventRegister("PhRedFreezeK", classid, &PH_EVENT_RED_FREEZE));  /* the reduced model: k(T) frozen */
  PetscCall(PetscLogEventRegister("PhRedBasis", classid, &PH_EVENT_RED_BASIS));     /* ... its basis built or read */
  PetscCall(PetscLogEventRegister("PhRedRows", classid, &PH_EVENT_RED_ROWS));       /* ... its output rows and maxima trees */
  PetscCall(PetscLogEventRegister("PhRedKRegions", classid, &PH_EVENT_RED_KREG));   /* ... k(T) by regions set up */
  PetscCall(PetscLogEventRegister("PhRedAdvance", classid, &PH_EVENT_RED_ADVANCE)); /* ... stepped over an interval */
  PetscCall(PetscLogEventRegister("PhRedMaxima", classid, &PH_EVENT_RED_MAXIMA));   /* ... the maxima of a sample */
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Read a whole file on rank 0 and broadcast its bytes, so that every rank parses the same text.

  Collective on `comm`.

  @param[in]  comm       communicator
  @param[in]  path       file to read
  @param[in]  max_bytes  a longer file is not read (reason "larger than ..."): /dev/zero or a runaway pipe ends at once
  @param[out] bytes      NUL-terminated contents (PetscMalloc'd, free with PetscFree()), NULL when the file cannot be read
  @param[out] length     number of bytes, without the terminating NUL
  @param[out] reason     why the file could not be read (empty on success), the same on every rank
  @param[in]  reason_len size of `reason`
**/
PetscErrorCode PhReadFileBroadcast(MPI_Comm comm, const char path[], size_t max_bytes, char **bytes, size_t *length, char *reason, size_t reason_len)
{
  PetscMPIInt rank;
  long        header[2] = {0, 0}; /* status (0 ok, -1 too long, else errno), length */
  char       *data      = NULL;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  reason[0] = '\0';
  if (rank == 0) {
    struct stat st;
    FILE       *fp = NULL;

    /* only regular files: opening a FIFO blocks until a writer comes, and a device such as /dev/zero never ends */
    if (stat(path, &st) != 0) header[0] = errno ? errno : EIO;
    else if (!S_ISREG(st.st_mode)) header[0] = -2;
    else if ((fp = fopen(path, "rb")) == NULL) header[0] = errno ? errno : EIO;
    if (fp != NULL) {
      size_t cap = 1 << 16, len = 0, got;

      PetscCall(PetscMalloc1(cap + 1, &data));
      while ((got = fread(data + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len > max_bytes) {
          header[0] = -1;
          break;
        }
        if (len == cap) {
          char *bigger;

          PetscCall(PetscMalloc1(2 * cap + 1, &bigger));
          PetscCall(PetscMemcpy(bigger, data, len));
          PetscCall(PetscFree(data));
          data = bigger;
          cap *= 2;
        }
      }
      if (!header[0] && ferror(fp)) header[0] = errno ? errno : EIO;
      (void)fclose(fp);
      data[len] = '\0';
      header[1] = (long)len;
      if (header[0]) PetscCall(PetscFree(data));
    }
  }
  PetscCallMPI(MPI_Bcast(header, 2, MPI_LONG, 0, comm));
  if (header[0] == -1) {
    char limit[32];

    PetscCall(PhFormatBytes((double)max_bytes, limit, sizeof(limit)));
    (void)snprintf(reason, reason_len, "larger than %s, the most such a file may hold", limit);
    *bytes  = NULL;
    *length = 0;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (header[0] == -2) {
    (void)snprintf(reason, reason_len, "not a regular file (a FIFO, a device or a directory)");
    *bytes  = NULL;
    *length = 0;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (header[0]) {
    (void)snprintf(reason, reason_len, "%s", strerror((int)header[0]));
    *bytes  = NULL;
    *length = 0;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (rank != 0) PetscCall(PetscMalloc1(header[1] + 1, &data));
  for (long off = 0; off < header[1]; off += 1 << 30) {
    long chunk = PetscMin(header[1] - off, 1L << 30);

    PetscCallMPI(MPI_Bcast(data + off, (int)chunk, MPI_CHAR, 0, comm));
  }
  data[header[1]] = '\0';
  *bytes          = data;
  *length         = (size_t)header[1];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Resolve `relative` against the directory of `base_file`; absolute paths are returned unchanged.

  Not collective.

  @param[in]  base_file file that names the path (a case file, an include)
  @param[in]  relative  path as written in that file
  @param[out] joined    new string, free with PetscFree()
**/
PetscErrorCode PhPathJoin(const char base_file[], const char relative[], char **joined)
{
  const char *slash;
  size_t      dir_len, rel_len;

  PetscFunctionBeginUser;
  rel_len = strlen(relative);
  slash   = base_file != NULL ? strrchr(base_file, '/') : NULL;
  if (relative[0] == '/' || slash == NULL) {
    PetscCall(PetscStrallocpy(relative, joined));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  dir_len = (size_t)(slash - base_file) + 1;
  PetscCall(PetscMalloc1(dir_len + rel_len + 1, joined));
  PetscCall(PetscMemcpy(*joined, base_file, dir_len));
  PetscCall(PetscMemcpy(*joined + dir_len, relative, rel_len + 1));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Format a byte count with a binary unit, such as "1.5 GiB".

  Not collective.
**/
PetscErrorCode PhFormatBytes(double bytes, char *buf, size_t len)
{
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int         u       = 0;

  PetscFunctionBeginUser;
  while (bytes >= 1024.0 && u < 6) {
    bytes /= 1024.0;
    u++;
  }
  (void)snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Memory available to new processes on this node (MemAvailable of /proc/meminfo), in bytes; 0 when unknown.

  Not collective. The environment variable PH_AVAILABLE_MEMORY (bytes) overrides the reading, for tests.
**/
PetscErrorCode PhAvailableMemory(double *bytes)
{
  const char *env = getenv("PH_AVAILABLE_MEMORY");
  FILE       *fp;
  char        line[256];

  PetscFunctionBeginUser;
  *bytes = 0;
  if (env != NULL && env[0] != '\0') {
    *bytes = atof(env);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  fp = fopen("/proc/meminfo", "r");
  if (fp == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  while (fgets(line, sizeof(line), fp) != NULL) {
    double kib;

    if (sscanf(line, "MemAvailable: %lf kB", &kib) == 1) {
      *bytes = kib * 1024.0;
      break;
    }
  }
  (void)fclose(fp);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The HDF5 result file of DESIGN §7, written collectively under a temporary name and renamed when complete. */
#define _DEFAULT_SOURCE /* flock() */
#include <photherm/output.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct _p_PhOutput {
  MPI_Comm   comm;
  PhCase     problem; /* borrowed */
  PhMesh     mesh;    /* borrowed */
  DM         da;      /* borrowed */
  hid_t      file;
  hid_t      dxpl; /* collective transfers */
  char      *path, *partial, *xdmf;
  PetscInt   nsnap;
  PetscReal *snap_times;
  PetscInt   snap_cap;
  PetscBool  has_power_density;
  int        lock; /* rank 0: the open, exclusively locked temporary file (-1 elsewhere), see PhOutputLock() */
};

/*
  Rank 0 takes an exclusive lock on PATH.partial before HDF5 writes it, and holds it until the file has its final name:
  a second run writing the same output finds the lock taken and stops before it writes anything (it would otherwise
  truncate the first run's file under it). A lock left by a run that was killed goes with its process, so a rerun
  works. flock() locks belong to the open file, so HDF5's own opens and closes of the file leave it in place.
  Returns 0, or the errno of a failure (EWOULDBLOCK: another run holds the lock).
*/
static int PhOutputLock(PhOutput out)
{
  int fd = open(out->partial, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

  if (fd < 0) return errno ? errno : EIO;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;

    (void)close(fd);
    return e == EWOULDBLOCK ? EWOULDBLOCK : (e ? e : EIO);
  }
  out->lock = fd;
  return 0;
}

/* Whether PATH.partial is still the file this run locked (not removed or replaced by another program meanwhile). */
static PetscBool PhOutputStillOurs(PhOutput out)
{
  struct stat held, named;

  if (out->lock < 0 || fstat(out->lock, &held) != 0 || stat(out->partial, &named) != 0) return PETSC_FALSE;
  return (PetscBool)(held.st_dev == named.st_dev && held.st_ino == named.st_ino);
}

static void PhOutputUnlock(PhOutput out)
{
  if (out->lock >= 0) (void)close(out->lock);
  out->lock = -1;
}

/* The cells this rank owns in a [z][y][x] dataset (or in entry `lead` of a [n][z][y][x] one), for a collective transfer. */
static PetscErrorCode PhOutputSelectLocal(PhOutput out, hsize_t lead, hid_t *fspace, hid_t *mspace, hid_t dset)
{
  DMDALocalInfo in;

  PetscFunctionBeginUser;
  PetscCall(DMDAGetLocalInfo(out->da, &in));
  {
    const PetscInt lo[3] = {in.xs, in.ys, in.zs}, hi[3] = {in.xs + in.xm, in.ys + in.ym, in.zs + in.zm};

    PetscCall(PhH5SelectBox(dset, lead, lo, hi, fspace, mspace));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Create the result file (as PATH.partial) with provenance, the resolved case, /mesh, and an empty /fields.

  Collective on `comm`. Fails (exit 1) when the file cannot be created.
**/
PetscErrorCode PhOutputCreate(MPI_Comm comm, const char path[], PhCase problem, PhMesh mesh, DM da, const char command_line[], PhOutput *out_p)
{
  PhOutput    out;
  hid_t       fapl, root;
  size_t      len = strlen(path) + 16;
  PetscMPIInt size, rank;
  char        buf[256];
  int         lock_error = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&out));
  out->lock    = -1;
  out->file    = -1;
  out->comm    = comm;
  out->problem = problem;
  out->mesh    = mesh;
  out->da      = da;
  PetscCall(PetscStrallocpy(path, &out->path));
  PetscCall(PetscMalloc2(len, &out->partial, len + 8, &out->xdmf));
  (void)snprintf(out->partial, len, "%s.partial", path);
  PetscCall(PhOutputXdmfPath(path, out->xdmf, len + 8));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) lock_error = PhOutputLock(out);
  PetscCallMPI(MPI_Bcast(&lock_error, 1, MPI_INT, 0, comm));
  if (lock_error) { /* the object is freed here: the caller gets none */
    PhOutputUnlock(out);
    PetscCall(PetscFree(out->path));
    PetscCall(PetscFree2(out->partial, out->xdmf));
    PetscCall(PetscFree(out));
    PetscCheck(lock_error != EWOULDBLOCK, comm, PETSC_ERR_FILE_OPEN,
               "cannot write %s: another photherm run is writing it now (%s.partial is locked); wait for that run or choose another -o", path, path);
    SETERRQ(comm, PETSC_ERR_FILE_OPEN, "cannot create the result file %s.partial: %s", path, strerror(lock_error));
  }
  PhCallHDF5Return(fapl, H5Pcreate, (H5P_FILE_ACCESS));
  PhCallHDF5(H5Pset_fapl_mpio, (fapl, comm, MPI_INFO_NULL));
  out->file = H5Fcreate(out->partial, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  PhCallHDF5(H5Pclose, (fapl));
  PetscCheck(out->file >= 0, comm, PETSC_ERR_FILE_OPEN, "cannot create the result file %s (is the directory writable?)", out->partial);
  PhWritingFile(out->partial);
  PhCallHDF5Return(out->dxpl, H5Pcreate, (H5P_DATASET_XFER));
  PhCallHDF5(H5Pset_dxpl_mpio, (out->dxpl, H5FD_MPIO_COLLECTIVE));

  /* provenance (DESIGN §7) */
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PhOutputSetString(out, "/", "photherm_version", PhVersion()));
  PetscCall(PhOutputSetString(out, "/", "photherm_git", PhGitDescribe()));
  (void)snprintf(buf, sizeof(buf), "%d.%d.%d", PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR, PETSC_VERSION_SUBMINOR);
  PetscCall(PhOutputSetString(out, "/", "petsc_version", buf));
  PhCallHDF5Return(root, H5Gopen2, (out->file, "/", H5P_DEFAULT));
  {
    hid_t space, a;
    int   n = size;

    PhCallHDF5Return(space, H5Screate, (H5S_SCALAR));
    PhCallHDF5Return(a, H5Acreate2, (root, "nranks", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT));
    PhCallHDF5(H5Awrite, (a, H5T_NATIVE_INT, &n));
    PhCallHDF5(H5Aclose, (a));
    PhCallHDF5(H5Sclose, (space));
  }
  PhCallHDF5(H5Gclose, (root));
  PetscCall(PhOutputSetString(out, "/", "command_line", command_line != NULL ? command_line : ""));
  {
    time_t    now = time(NULL);
    struct tm tmv;
    char      stamp[64];
    long      secs = (long)now;

    PetscCallMPI(MPI_Bcast(&secs, 1, MPI_LONG, 0, comm)); /* the same text on every rank */
    now = (time_t)secs;
    (void)gmtime_r(&now, &tmv);
    (void)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tmv);
    PetscCall(PhOutputSetString(out, "/", "created", stamp));
  }
  PetscCall(PhOutputSetString(out, "/", "case_name", problem->name));
  PetscCall(PhOutputSetString(out, "/", "description", problem->description));
  /* the resolved case as a string dataset (attributes are limited to 64 KiB) */
  PetscCall(PhH5CreateGroups(out->file, "/case"));
  {
    const char *text = problem->resolved_yaml != NULL ? problem->resolved_yaml : "";
    hid_t       type, space, dset;

    PhCallHDF5Return(type, H5Tcopy, (H5T_C_S1));
    PhCallHDF5(H5Tset_size, (type, PetscMax(strlen(text), 1)));
    PhCallHDF5Return(space, H5Screate, (H5S_SCALAR));
    PhCallHDF5Return(dset, H5Dcreate2, (out->file, "/case/yaml", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (rank == 0) PhCallHDF5(H5Dwrite, (dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, text[0] ? text : " "));
    PhCallHDF5(H5Dclose, (dset));
    PhCallHDF5(H5Sclose, (space));
    PhCallHDF5(H5Tclose, (type));
    PetscCall(PhH5WriteTextAttributes(out->file, "/case/yaml", NULL,
                                      "the case as run: includes merged, -P overrides applied, ${} values resolved to SI"));
  }
  {
    char **list; /* the -P overrides as given, "name=value" */

    PetscCall(PetscMalloc1(PetscMax(problem->noverrides, 1), &list));
    for (PetscInt i = 0; i < problem->noverrides; i++) {
      size_t l = strlen(problem->override_names[i]) + strlen(problem->override_values[i]) + 2;

      PetscCall(PetscMalloc1(l, &list[i]));
      (void)snprintf(list[i], l, "%s=%s", problem->override_names[i], problem->override_values[i]);
    }
    PetscCall(PhH5WriteStringAttribute(out->file, "/case", "overrides", problem->noverrides, (const char *const *)list));
    for (PetscInt i = 0; i < problem->noverrides; i++) PetscCall(PetscFree(list[i]));
    PetscCall(PetscFree(list));
  }
  PetscCall(PhMeshWriteGroup(mesh, out->file));
  PetscCall(PhH5CreateGroups(out->file, PH_RESULT_FIELDS));
  PetscCall(PhH5CreateGroups(out->file, PH_RESULT_SERIES));
  PetscCall(PhH5CreateGroups(out->file, PH_RESULT_SUMMARY));
  *out_p = out;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Write a cell field [nz][ny][nx] as `name` (such as "/fields/power_density"): value * scale + shift, float64.

  Collective.
**/
PetscErrorCode PhOutputWriteField(PhOutput out, const char name[], Vec field, PetscReal scale, PetscReal shift, const char units[],
                                  const char definition[])
{
  PetscInt           nx, ny, nz, n;
  hid_t              space, dset, fspace, mspace;
  hsize_t            dims[3];
  const PetscScalar *v;
  double            *buf;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(PH_EVENT_OUTPUT, 0, 0, 0, 0));
  PetscCall(PhMeshGetSizes(out->mesh, &nx, &ny, &nz));
  dims[0] = (hsize_t)nz, dims[1] = (hsize_t)ny, dims[2] = (hsize_t)nx;
  PhCallHDF5Return(space, H5Screate_simple, (3, dims, NULL));
  PhCallHDF5Return(dset, H5Dcreate2, (out->file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  PetscCall(PhOutputSelectLocal(out, (hsize_t)-1, &fspace, &mspace, dset));
  PetscCall(VecGetLocalSize(field, &n));
  PetscCall(PetscMalloc1(PetscMax(n, 1), &buf));
  PetscCall(VecGetArrayRead(field, &v));
  for (PetscInt i = 0; i < n; i++) buf[i] = (double)(PetscRealPart(v[i]) * scale + shift);
  PetscCall(VecRestoreArrayRead(field, &v));
  PhCallHDF5(H5Dwrite, (dset, H5T_NATIVE_DOUBLE, mspace, fspace, out->dxpl, buf));
  PetscCall(PetscFree(buf));
  PhCallHDF5(H5Sclose, (mspace));
  PhCallHDF5(H5Sclose, (fspace));
  PhCallHDF5(H5Dclose, (dset));
  PhCallHDF5(H5Sclose, (space));
  PetscCall(PhH5WriteTextAttributes(out->file, name, units, definition));
  if (!strcmp(name, PH_RESULT_POWER_DENSITY)) out->has_power_density = PETSC_TRUE;
  PetscCall(PetscLogEventEnd(PH_EVENT_OUTPUT, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  /fields/snapshots/tNNNNN: a virtual dataset [nz][ny][nx] that views snapshot s of /fields/temperature. ParaView's XDMF 3
  reader (the one it picks for .xmf) does not read HyperSlab items, so the XDMF file references these plain datasets.
*/
static PetscErrorCode PhOutputSnapshotView(PhOutput out, PetscInt s, PetscInt nx, PetscInt ny, PetscInt nz)
{
  hsize_t dims[3] = {(hsize_t)nz, (hsize_t)ny, (hsize_t)nx}, start[4] = {(hsize_t)s, 0, 0, 0}, count[4] = {1, (hsize_t)nz, (hsize_t)ny, (hsize_t)nx};
  hsize_t srcdims[4] = {(hsize_t)s + 1, (hsize_t)nz, (hsize_t)ny, (hsize_t)nx}, srcmax[4] = {H5S_UNLIMITED, (hsize_t)nz, (hsize_t)ny, (hsize_t)nx};
  hid_t   vspace, sspace, dcpl, dset;
  char    name[64];

  PetscFunctionBeginUser;
  PetscCall(PhH5CreateGroups(out->file, PH_RESULT_SNAPSHOTS));
  PhCallHDF5Return(vspace, H5Screate_simple, (3, dims, NULL));
  PhCallHDF5Return(sspace, H5Screate_simple, (4, srcdims, srcmax));
  PhCallHDF5(H5Sselect_hyperslab, (sspace, H5S_SELECT_SET, start, NULL, count, NULL));
  PhCallHDF5Return(dcpl, H5Pcreate, (H5P_DATASET_CREATE));
  PhCallHDF5(H5Pset_virtual, (dcpl, vspace, ".", PH_RESULT_TEMPERATURE, sspace));
  (void)snprintf(name, sizeof(name), "%s/t%05d", PH_RESULT_SNAPSHOTS, (int)s);
  PhCallHDF5Return(dset, H5Dcreate2,
                   (out->file, name, out->problem->output.float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, vspace, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  PhCallHDF5(H5Dclose, (dset));
  PhCallHDF5(H5Pclose, (dcpl));
  PhCallHDF5(H5Sclose, (sspace));
  PhCallHDF5(H5Sclose, (vspace));
  PetscCall(PhH5WriteTextAttributes(out->file, name, "degC",
                                    "temperature of every cell [z][y][x] at /fields/time of this snapshot: a view of /fields/temperature"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Append a temperature snapshot (K in, degC out) at time t to /fields/temperature and /fields/time.

  Collective. The datasets are chunked by snapshot and grow by one snapshot per call.
**/
PetscErrorCode PhOutputAppendSnapshot(PhOutput out, PetscReal t, Vec T)
{
  PetscInt           nx, ny, nz, n;
  hid_t              dset, fspace, mspace, tset;
  hsize_t            dims[4], maxdims[4] = {H5S_UNLIMITED, 0, 0, 0};
  const PetscScalar *v;
  hid_t              mtype = out->problem->output.float32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
  void              *buf;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(PH_EVENT_OUTPUT, 0, 0, 0, 0));
  PetscCall(PhMeshGetSizes(out->mesh, &nx, &ny, &nz));
  dims[1] = maxdims[1] = (hsize_t)nz, dims[2] = maxdims[2] = (hsize_t)ny, dims[3] = maxdims[3] = (hsize_t)nx;
  if (out->nsnap == 0) {
    hid_t   space, dcpl, tspace;
    hsize_t chunk[4] = {1, (hsize_t)nz, (hsize_t)ny, (hsize_t)nx}, tdims[1] = {0}, tmax[1] = {H5S_UNLIMITED}, tchunk[1] = {256};

    /* one chunk per snapshot, cut in z to stay near 4 MiB */
    while (chunk[1] > 1 && chunk[1] * chunk[2] * chunk[3] * 8 > (4u << 20)) chunk[1] = (chunk[1] + 1) / 2;
    dims[0] = 0;
    PhCallHDF5Return(space, H5Screate_simple, (4, dims, maxdims));
    PhCallHDF5Return(dcpl, H5Pcreate, (H5P_DATASET_CREATE));
    PhCallHDF5(H5Pset_chunk, (dcpl, 4, chunk));
    PhCallHDF5Return(dset, H5Dcreate2,
                     (out->file, PH_RESULT_TEMPERATURE, out->problem->output.float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl,
                      H5P_DEFAULT));
    PhCallHDF5(H5Dclose, (dset));
    PhCallHDF5(H5Pclose, (dcpl));
    PhCallHDF5(H5Sclose, (space));
    PhCallHDF5Return(tspace, H5Screate_simple, (1, tdims, tmax));
    PhCallHDF5Return(dcpl, H5Pcreate, (H5P_DATASET_CREATE));
    PhCallHDF5(H5Pset_chunk, (dcpl, 1, tchunk));
    PhCallHDF5Return(tset, H5Dcreate2, (out->file, PH_RESULT_FIELD_TIME, H5T_IEEE_F64LE, tspace, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    PhCallHDF5(H5Dclose, (tset));
    PhCallHDF5(H5Pclose, (dcpl));
    PhCallHDF5(H5Sclose, (tspace));
    PetscCall(PhH5WriteTextAttributes(out->file, PH_RESULT_TEMPERATURE, "degC",
                                      "temperature of every cell [snapshot][z][y][x] at the times of /fields/time"));
    PetscCall(PhH5WriteTextAttributes(out->file, PH_RESULT_FIELD_TIME, "s", "simulated time of each temperature snapshot"));
  }
  dims[0] = (hsize_t)(out->nsnap + 1);
  PhCallHDF5Return(dset, H5Dopen2, (out->file, PH_RESULT_TEMPERATURE, H5P_DEFAULT));
  PhCallHDF5(H5Dset_extent, (dset, dims));
  PetscCall(PhOutputSelectLocal(out, (hsize_t)out->nsnap, &fspace, &mspace, dset));
  PetscCall(VecGetLocalSize(T, &n));
  PetscCall(PetscMalloc(PetscMax(n, 1) * (out->problem->output.float32 ? sizeof(float) : sizeof(double)), &buf));
  PetscCall(VecGetArrayRead(T, &v));
  for (PetscInt i = 0; i < n; i++) {
    double c = (double)(PetscRealPart(v[i]) - PH_ZERO_CELSIUS);

    if (out->problem->output.float32) ((float *)buf)[i] = (float)c;
    else ((double *)buf)[i] = c;
  }
  PetscCall(VecRestoreArrayRead(T, &v));
  PhCallHDF5(H5Dwrite, (dset, mtype, mspace, fspace, out->dxpl, buf));
  PetscCall(PetscFree(buf));
  PhCallHDF5(H5Sclose, (mspace));
  PhCallHDF5(H5Sclose, (fspace));
  PhCallHDF5(H5Dclose, (dset));
  {
    hsize_t tdims[1] = {(hsize_t)(out->nsnap + 1)}, start[1] = {(hsize_t)out->nsnap}, count[1] = {1};
    hid_t   ts, tf, tm;
    double  tv = (double)t;

    PhCallHDF5Return(ts, H5Dopen2, (out->file, PH_RESULT_FIELD_TIME, H5P_DEFAULT));
    PhCallHDF5(H5Dset_extent, (ts, tdims));
    PhCallHDF5Return(tf, H5Dget_space, (ts));
    PhCallHDF5(H5Sselect_hyperslab, (tf, H5S_SELECT_SET, start, NULL, count, NULL));
    PhCallHDF5Return(tm, H5Screate_simple, (1, count, NULL));
    PhCallHDF5(H5Dwrite, (ts, H5T_NATIVE_DOUBLE, tm, tf, out->dxpl, &tv));
    PhCallHDF5(H5Sclose, (tm));
    PhCallHDF5(H5Sclose, (tf));
    PhCallHDF5(H5Dclose, (ts));
  }
  PetscCall(PhOutputSnapshotView(out, out->nsnap, nx, ny, nz));
  if (out->nsnap == out->snap_cap) {
    PetscReal *bigger;

    out->snap_cap = out->snap_cap ? 2 * out->snap_cap : 64;
    PetscCall(PetscMalloc1(out->snap_cap, &bigger));
    if (out->nsnap) PetscCall(PetscMemcpy(bigger, out->snap_times, out->nsnap * sizeof(PetscReal)));
    PetscCall(PetscFree(out->snap_times));
    out->snap_times = bigger;
  }
  out->snap_times[out->nsnap++] = t;
  PhCallHDF5(H5Fflush, (out->file, H5F_SCOPE_GLOBAL));
  PetscCall(PetscLogEventEnd(PH_EVENT_OUTPUT, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Write a [nrows][ncols] table such as /series/sources/power (ncols 0: a table of no column; -1: a 1D dataset
  [nrows]); `names` (may be NULL) become its `names` attribute. Every rank passes the same data; rank 0 writes it.

  Collective.
**/
PetscErrorCode PhOutputWriteTable(PhOutput out, const char path[], PetscInt nrows, PetscInt ncols, const PetscReal *data, PetscInt nnames,
                                  const char *const names[], const char units[], const char definition[])
{
  hid_t       space, dset;
  hsize_t     dims[2] = {(hsize_t)nrows, (hsize_t)PetscMax(ncols, 0)};
  PetscMPIInt rank;
  char        parent[256];
  const char *slash = strrchr(path, '/');

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(out->comm, &rank));
  if (slash != NULL && slash != path) {
    (void)snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
    PetscCall(PhH5CreateGroups(out->file, parent));
  }
  PhCallHDF5Return(space, H5Screate_simple, (ncols >= 0 ? 2 : 1, dims, NULL));
  PhCallHDF5Return(dset, H5Dcreate2, (out->file, path, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (rank == 0 && nrows > 0 && ncols != 0) PhCallHDF5(H5Dwrite, (dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
  PhCallHDF5(H5Dclose, (dset));
  PhCallHDF5(H5Sclose, (space));
  PetscCall(PhH5WriteTextAttributes(out->file, path, units, definition));
  if (names != NULL) PetscCall(PhH5WriteStringAttribute(out->file, path, "names", nnames, names));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Set a numeric summary attribute `name` on `group` (created when missing) with `name.units` and `name.definition`.

  Collective. A value that is NaN or finite beyond 1e300 (a sentinel of an empty reduction) is a programming error;
  infinity is allowed where its definition documents it (energy_per_stable_bit of a link that carried nothing).
**/
PetscErrorCode PhOutputSetReal(PhOutput out, const char group[], const char name[], PetscReal value, const char units[], const char definition[])
{
  hid_t  g, space, a;
  double v = (double)value;
  char   key[256];

  PetscFunctionBeginUser;
  PetscCheck(!PetscIsNanReal(value) && (PetscIsInfReal(value) || PetscAbsReal(value) < 1e300), PETSC_COMM_SELF, PETSC_ERR_PLIB,
             "summary value %s/%s is %g: not a result", group, name, (double)value);
  PetscCall(PhH5CreateGroups(out->file, group));
  PhCallHDF5Return(g, H5Gopen2, (out->file, group, H5P_DEFAULT));
  PhCallHDF5Return(space, H5Screate, (H5S_SCALAR));
  if (H5Aexists(g, name) > 0) PhCallHDF5(H5Adelete, (g, name));
  PhCallHDF5Return(a, H5Acreate2, (g, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT));
  PhCallHDF5(H5Awrite, (a, H5T_NATIVE_DOUBLE, &v));
  PhCallHDF5(H5Aclose, (a));
  PhCallHDF5(H5Sclose, (space));
  PhCallHDF5(H5Gclose, (g));
  (void)snprintf(key, sizeof(key), "%s.units", name);
  PetscCall(PhOutputSetString(out, group, key, units));
  (void)snprintf(key, sizeof(key), "%s.definition", name);
  PetscCall(PhOutputSetString(out, group, key, definition));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Set a string attribute on `group` (created when missing).

  Collective.
**/
PetscErrorCode PhOutputSetString(PhOutput out, const char group[], const char name[], const char value[])
{
  hid_t g;

  PetscFunctionBeginUser;
  PetscCall(PhH5CreateGroups(out->file, group));
  PhCallHDF5Return(g, H5Oopen, (out->file, group, H5P_DEFAULT));
  PetscCall(PhH5WriteString(g, name, value));
  PhCallHDF5(H5Oclose, (g));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The XDMF companion of a result file: OUT.h5 -> OUT.xmf (other names get .xmf appended).

  Not collective.
**/
PetscErrorCode PhOutputXdmfPath(const char h5_path[], char *xdmf, size_t len)
{
  size_t n = strlen(h5_path);

  PetscFunctionBeginUser;
  if (n > 3 && !strcmp(h5_path + n - 3, ".h5")) (void)snprintf(xdmf, len, "%.*s.xmf", (int)(n - 3), h5_path);
  else (void)snprintf(xdmf, len, "%s.xmf", h5_path);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The XDMF 2 temporal collection of 3DRectMesh grids with cell-centred attributes read from the HDF5 file. */
static PetscErrorCode PhOutputWriteXdmf(PhOutput out, const char tmp[])
{
  PetscInt    nx, ny, nz;
  const char *base = strrchr(out->path, '/') ? strrchr(out->path, '/') + 1 : out->path;
  FILE       *fp;
  const char *prec = out->problem->output.float32 ? "4" : "8";

  PetscFunctionBeginUser;
  PetscCall(PhMeshGetSizes(out->mesh, &nx, &ny, &nz));
  fp = fopen(tmp, "w");
  PetscCheck(fp != NULL, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s: %s", tmp, strerror(errno));
  (void)fprintf(fp, "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n<Xdmf Version=\"2.0\">\n <Domain>\n");
  (void)fprintf(fp, "  <Grid Name=\"%s\" GridType=\"Collection\" CollectionType=\"Temporal\">\n", out->problem->name);
  for (PetscInt s = 0; s < out->nsnap; s++) {
    (void)fprintf(fp, "   <Grid Name=\"t%d\" GridType=\"Uniform\">\n    <Time Value=\"%.17g\"/>\n", (int)s, (double)out->snap_times[s]);
    (void)fprintf(fp, "    <Topology TopologyType=\"3DRectMesh\" NumberOfElements=\"%d %d %d\"/>\n", (int)nz + 1, (int)ny + 1, (int)nx + 1);
    (void)fprintf(fp, "    <Geometry GeometryType=\"VXVYVZ\">\n");
    (void)fprintf(fp, "     <DataItem Dimensions=\"%d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:" PH_H5_MESH_X "</DataItem>\n",
                  (int)nx + 1, base);
    (void)fprintf(fp, "     <DataItem Dimensions=\"%d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:" PH_H5_MESH_Y "</DataItem>\n",
                  (int)ny + 1, base);
    (void)fprintf(fp, "     <DataItem Dimensions=\"%d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:" PH_H5_MESH_Z "</DataItem>\n",
                  (int)nz + 1, base);
    (void)fprintf(fp, "    </Geometry>\n");
    (void)fprintf(fp, "    <Attribute Name=\"temperature [degC]\" AttributeType=\"Scalar\" Center=\"Cell\">\n");
    (void)fprintf(fp,
                  "     <DataItem Dimensions=\"%d %d %d\" NumberType=\"Float\" Precision=\"%s\" Format=\"HDF\">%s:" PH_RESULT_SNAPSHOTS
                  "/t%05d</DataItem>\n",
                  (int)nz, (int)ny, (int)nx, prec, base, (int)s);
    (void)fprintf(fp, "    </Attribute>\n");
    (void)fprintf(fp, "    <Attribute Name=\"material\" AttributeType=\"Scalar\" Center=\"Cell\">\n");
    (void)fprintf(fp,
                  "     <DataItem Dimensions=\"%d %d %d\" NumberType=\"Int\" Precision=\"4\" Format=\"HDF\">%s:" PH_H5_MESH_MATERIAL
                  "</DataItem>\n    </Attribute>\n",
                  (int)nz, (int)ny, (int)nx, base);
    if (out->has_power_density) {
      (void)fprintf(fp, "    <Attribute Name=\"power_density [W/m^3] at t = 0\" AttributeType=\"Scalar\" Center=\"Cell\">\n");
      (void)fprintf(fp,
                    "     <DataItem Dimensions=\"%d %d %d\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">%s:" PH_RESULT_POWER_DENSITY
                    "</DataItem>\n    </Attribute>\n",
                    (int)nz, (int)ny, (int)nx, base);
    }
    (void)fprintf(fp, "   </Grid>\n");
  }
  (void)fprintf(fp, "  </Grid>\n </Domain>\n</Xdmf>\n");
  {
    int bad = ferror(fp), e = errno;

    if (fclose(fp) != 0 && !bad) bad = 1, e = errno;
    PetscCheck(!bad, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s: %s", tmp, strerror(e ? e : EIO));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Close the result file, write its XDMF companion, and rename both to their final names.

  Collective. On return *final_path and *xdmf_path (may be NULL) point to the names written (owned by `out`).
**/
PetscErrorCode PhOutputClose(PhOutput out, const char **final_path, const char **xdmf_path)
{
  PetscMPIInt rank;
  int         failed = 0;
  char        tmp[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(out->comm, &rank));
  PhCallHDF5(H5Pclose, (out->dxpl));
  PhCallHDF5(H5Fclose, (out->file)); /* the last metadata is written here: a full disk shows here too */
  out->file = -1;
  PhWritingFile(NULL);
  (void)snprintf(tmp, sizeof(tmp), "%s.partial", out->xdmf);
  if (rank == 0) {
    PetscCall(PhOutputWriteXdmf(out, tmp));
    if (!PhOutputStillOurs(out)) failed = 2; /* never rename, and report as done, a file this run did not complete */
    else failed = rename(out->partial, out->path) != 0 || rename(tmp, out->xdmf) != 0;
    PhOutputUnlock(out);
  }
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, out->comm));
  PetscCheck(failed != 2, out->comm, PETSC_ERR_FILE_WRITE,
             "%s was removed or replaced by another program while this run wrote it; the result is lost", out->partial);
  PetscCheck(!failed, out->comm, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s", out->partial, out->path);
  if (final_path != NULL) *final_path = out->path;
  if (xdmf_path != NULL) *xdmf_path = out->xdmf;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Free the object (after PhOutputClose(); an unclosed file is closed and left under its temporary name).

  Collective.
**/
PetscErrorCode PhOutputDestroy(PhOutput *out)
{
  PetscFunctionBeginUser;
  if (*out == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  if ((*out)->file >= 0) { /* a failed run: its file stays PATH.partial */
    (void)H5Pclose((*out)->dxpl);
    /* After a write the system refused (a full disk) the partial file is emptied, which gives the space back: its content
       is lost already. HDF5 1.10 cannot close such a file, and would crash on it in MPI_Finalize: the process ends here,
       its error reported (exit 1), as every rank does, each having failed the same collective write. */
    if (PhWriteRefused() && (*out)->lock >= 0 && ftruncate((*out)->lock, 0) != 0) { /* nothing more can be done */
    }
    if (H5Fclose((*out)->file) < 0 && PhWriteRefused()) {
      (void)fflush(stdout);
      (void)fflush(stderr);
      _exit(PH_EXIT_FAILURE);
    }
    PhWritingFile(NULL);
  }
  PhOutputUnlock(*out);
  PetscCall(PetscFree((*out)->path));
  PetscCall(PetscFree2((*out)->partial, (*out)->xdmf));
  PetscCall(PetscFree((*out)->snap_times));
  PetscCall(PetscFree(*out));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* HDF5 helpers: typed reads that report problems as `ok`, and collective-safe writes of small datasets and attributes. */
#include <photherm/h5.h>

#include <string.h>

/* With parallel HDF5 every rank creates objects and attributes (collective metadata); rank 0 alone writes raw data. */
static PetscErrorCode PhH5IsWriter(hid_t loc, PetscBool *writer)
{
  hid_t       file, fapl, driver;
  MPI_Comm    comm = MPI_COMM_NULL;
  MPI_Info    info = MPI_INFO_NULL;
  PetscMPIInt rank = 0;

  PetscFunctionBeginUser;
  PhCallHDF5Return(file, H5Iget_file_id, (loc));
  PhCallHDF5Return(fapl, H5Fget_access_plist, (file));
  PhCallHDF5Return(driver, H5Pget_driver, (fapl));
  if (driver == H5FD_MPIO) {
    PhCallHDF5(H5Pget_fapl_mpio, (fapl, &comm, &info));
    PetscCallMPI(MPI_Comm_rank(comm, &rank));
    PetscCallMPI(MPI_Comm_free(&comm));
    if (info != MPI_INFO_NULL) PetscCallMPI(MPI_Info_free(&info));
  }
  PhCallHDF5(H5Pclose, (fapl));
  PhCallHDF5(H5Fclose, (file));
  *writer = (PetscBool)(rank == 0);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Read a float64 dataset of `rank` dimensions (1 or 2) into dims[] and new data; `ok` is false when missing or of another rank. */
static PetscErrorCode PhH5ReadRealArray(hid_t file, const char name[], int rank, hsize_t dims[2], PetscReal **data, PetscBool *ok)
{
  hid_t   dset, space;
  hsize_t size = 1;
  int     ndims;

  PetscFunctionBeginUser;
  *ok   = PETSC_FALSE;
  *data = NULL;
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  dset = H5Dopen2(file, name, H5P_DEFAULT);
  if (dset < 0) PetscFunctionReturn(PETSC_SUCCESS);
  PhCallHDF5Return(space, H5Dget_space, (dset));
  PhCallHDF5Return(ndims, H5Sget_simple_extent_ndims, (space));
  if (ndims == rank) {
    PhCallHDF5(H5Sget_simple_extent_dims, (space, dims, NULL));
    for (int d = 0; d < rank; d++) size *= dims[d];
    PetscCall(PetscMalloc1(PetscMax(size, 1), data));
    if (H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) >= 0) *ok = PETSC_TRUE;
    else PetscCall(PetscFree(*data));
  }
  PhCallHDF5(H5Sclose, (space));
  PhCallHDF5(H5Dclose, (dset));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Read a 1D float64 dataset; `ok` is false (and *data NULL) when it is missing or not 1D.

  Not collective (each rank reads).
**/
PetscErrorCode PhH5ReadReals(hid_t file, const char name[], PetscInt *n, PetscReal **data, PetscBool *ok)
{
  hsize_t dims[2] = {0, 0};

  PetscFunctionBeginUser;
  PetscCall(PhH5ReadRealArray(file, name, 1, dims, data, ok));
  *n = *ok ? (PetscInt)dims[0] : 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Read a 2D float64 dataset [rows][cols] (row-major); `ok` is false (and *data NULL) when it is missing or not 2D.

  Not collective (each rank reads).
**/
PetscErrorCode PhH5ReadRealTable(hid_t file, const char name[], PetscInt *rows, PetscInt *cols, PetscReal **data, PetscBool *ok)
{
  hsize_t dims[2] = {0, 0};

  PetscFunctionBeginUser;
  PetscCall(PhH5ReadRealArray(file, name, 2, dims, data, ok));
  *rows = *ok ? (PetscInt)dims[0] : 0;
  *cols = *ok ? (PetscInt)dims[1] : 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Read a 1D fixed-length string attribute of `object` into new strings (free with PhH5FreeStrings()).

  Not collective.
**/
PetscErrorCode PhH5ReadStringAttribute(hid_t file, const char object[], const char attr[], PetscInt *n, char ***strings, PetscBool *ok)
{
  hid_t       a, type, space;
  hsize_t     dims[1] = {1};
  size_t      size;
  char       *buf;
  int         ndims;
  H5S_class_t sclass;
  H5T_class_t tclass;
  htri_t      vlen = 0;

  PetscFunctionBeginUser;
  *ok      = PETSC_FALSE;
  *n       = 0;
  *strings = NULL;
  if (H5Lexists(file, object, H5P_DEFAULT) <= 0 || H5Aexists_by_name(file, object, attr, H5P_DEFAULT) <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  PhCallHDF5Return(a, H5Aopen_by_name, (file, object, attr, H5P_DEFAULT, H5P_DEFAULT));
  PhCallHDF5Return(type, H5Aget_type, (a));
  PhCallHDF5Return(space, H5Aget_space, (a));
  PhCallHDF5Return(ndims, H5Sget_simple_extent_ndims, (space));
  PhCallHDF5Return(sclass, H5Sget_simple_extent_type, (space));
  PhCallHDF5Return(tclass, H5Tget_class, (type));
  if (tclass == H5T_STRING) PhCallHDF5Return(vlen, H5Tis_variable_str, (type));
  if (sclass == H5S_NULL) *ok = PETSC_TRUE; /* an empty list */
  else if (tclass == H5T_STRING && !vlen && ndims <= 1) {
    hid_t mem;

    if (ndims == 1) PhCallHDF5(H5Sget_simple_extent_dims, (space, dims, NULL));
    size = H5Tget_size(type);
    PetscCheck(size > 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 call H5Tget_size() failed");
    PhCallHDF5Return(mem, H5Tcopy, (H5T_C_S1));
    PhCallHDF5(H5Tset_size, (mem, size));
    PhCallHDF5(H5Tset_strpad, (mem, H5T_STR_NULLPAD)); /* keep every byte: a NULLTERM size-1 string holds nothing */
    PetscCall(PetscCalloc1(dims[0] * size + 1, &buf));
    if (H5Aread(a, mem, buf) >= 0) {
      PetscCall(PetscMalloc1(PetscMax(dims[0], 1), strings));
      for (hsize_t i = 0; i < dims[0]; i++) {
        PetscCall(PetscMalloc1(size + 1, &(*strings)[i]));
        PetscCall(PetscMemcpy((*strings)[i], buf + i * size, size));
        (*strings)[i][size] = '\0';
      }
      *n  = (PetscInt)dims[0];
      *ok = PETSC_TRUE;
    }
    PetscCall(PetscFree(buf));
    PhCallHDF5(H5Tclose, (mem));
  }
  PhCallHDF5(H5Sclose, (space));
  PhCallHDF5(H5Tclose, (type));
  PhCallHDF5(H5Aclose, (a));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhH5FreeStrings(PetscInt n, char ***strings)
{
  PetscFunctionBeginUser;
  if (*strings == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt i = 0; i < n; i++) PetscCall(PetscFree((*strings)[i]));
  PetscCall(PetscFree(*strings));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Read a 1D compound table {name: fixed string, nint int32 fields} into new names (free each, then the array,
  with PetscFree()) and a [n][nint] int array; `ok` is false when it is missing or of another shape.

  Not collective.
**/
PetscErrorCode PhH5ReadTable(hid_t file, const char name[], int nint, const char *const fields[], PetscInt *n, char ***names, int **ints,
                             PetscBool *ok)
{
  hid_t       dset, ftype, space, mem, str, member;
  hsize_t     dims[1];
  size_t      ssize, row;
  char       *buf;
  int         idx, ndims;
  H5T_class_t tclass;

  PetscFunctionBeginUser;
  *ok    = PETSC_FALSE;
  *n     = 0;
  *names = NULL;
  *ints  = NULL;
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) PetscFunctionReturn(PETSC_SUCCESS);
  PhCallHDF5Return(dset, H5Dopen2, (file, name, H5P_DEFAULT));
  PhCallHDF5Return(ftype, H5Dget_type, (dset));
  PhCallHDF5Return(space, H5Dget_space, (dset));
  PhCallHDF5Return(tclass, H5Tget_class, (ftype));
  PhCallHDF5Return(ndims, H5Sget_simple_extent_ndims, (space));
  idx = tclass == H5T_COMPOUND ? H5Tget_member_index(ftype, "name") : -1; /* negative: no member "name" */
  if (idx >= 0 && ndims == 1) {
    PhCallHDF5Return(member, H5Tget_member_type, (ftype, (unsigned)idx));
    ssize = H5Tget_size(member);
    PetscCheck(ssize > 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 call H5Tget_size() failed");
    PhCallHDF5(H5Tclose, (member));
    PhCallHDF5(H5Sget_simple_extent_dims, (space, dims, NULL));
    row = ssize + (size_t)nint * sizeof(int);
    PhCallHDF5Return(mem, H5Tcreate, (H5T_COMPOUND, row));
    PhCallHDF5Return(str, H5Tcopy, (H5T_C_S1));
    PhCallHDF5(H5Tset_size, (str, ssize));
    PhCallHDF5(H5Tset_strpad, (str, H5T_STR_NULLPAD));
    PhCallHDF5(H5Tinsert, (mem, "name", 0, str));
    for (int f = 0; f < nint; f++) PhCallHDF5(H5Tinsert, (mem, fields[f], ssize + (size_t)f * sizeof(int), H5T_NATIVE_INT));
    PetscCall(PetscCalloc1(PetscMax(dims[0], 1) * row, &buf));
    if (H5Dread(dset, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
      PetscCall(PetscMalloc1(PetscMax(dims[0], 1), names));
      PetscCall(PetscMalloc1(PetscMax(dims[0], 1) * nint, ints));
      for (hsize_t i = 0; i < dims[0]; i++) {
        PetscCall(PetscMalloc1(ssize + 1, &(*names)[i]));
        PetscCall(PetscMemcpy((*names)[i], buf + i * row, ssize));
        (*names)[i][ssize] = '\0';
        PetscCall(PetscMemcpy(*ints + i * nint, buf + i * row + ssize, (size_t)nint * sizeof(int)));
      }
      *n  = (PetscInt)dims[0];
      *ok = PETSC_TRUE;
    }
    PetscCall(PetscFree(buf));
    PhCallHDF5(H5Tclose, (str));
    PhCallHDF5(H5Tclose, (mem));
  }
  PhCallHDF5(H5Sclose, (space));
  PhCallHDF5(H5Tclose, (ftype));
  PhCallHDF5(H5Dclose, (dset));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Write (or replace) a scalar fixed-length string attribute of an open object.

  Not collective (HDF5 attribute writes are collective in a parallel file: call it on every rank).
**/
PetscErrorCode PhH5WriteString(hid_t obj, const char attr[], const char value[])
{
  hid_t type, space, a;

  PetscFunctionBeginUser;
  PhCallHDF5Return(type, H5Tcopy, (H5T_C_S1));
  PhCallHDF5(H5Tset_size, (type, PetscMax(strlen(value), 1)));
  PhCallHDF5(H5Tset_strpad, (type, H5T_STR_NULLPAD)); /* "" is stored as one NUL byte and reads back empty */
  PhCallHDF5Return(space, H5Screate, (H5S_SCALAR));
  if (H5Aexists(obj, attr) > 0) PhCallHDF5(H5Adelete, (obj, attr));
  PhCallHDF5Return(a, H5Acreate2, (obj, attr, type, space, H5P_DEFAULT, H5P_DEFAULT));
  PhCallHDF5(H5Awrite, (a, type, value[0] ? value : "\0"));
  PhCallHDF5(H5Aclose, (a));
  PhCallHDF5(H5Sclose, (space));
  PhCallHDF5(H5Tclose, (type));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Attach `units` and `definition` string attributes to `object` (either may be NULL).

  Collective on the file's communicator.
**/
PetscErrorCode PhH5WriteTextAttributes(hid_t loc, const char object[], const char units[], const char definition[])
{
  hid_t obj;

  PetscFunctionBeginUser;
  PhCallHDF5Return(obj, H5Oopen, (loc, object, H5P_DEFAULT));
  if (units != NULL) PetscCall(PhH5WriteString(obj, "units", units));
  if (definition != NULL) PetscCall(PhH5WriteString(obj, "definition", definition));
  PhCallHDF5(H5Oclose, (obj));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Create every missing group of an absolute path such as "/series/rings".

  Collective on the file's communicator.
**/
PetscErrorCode PhH5CreateGroups(hid_t file, const char path[])
{
  char buf[512];

  PetscFunctionBeginUser;
  PetscCheck(strlen(path) < sizeof(buf), PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "HDF5 path too long: %s", path);
  for (size_t i = 1; i <= strlen(path); i++) {
    if (path[i] == '/' || path[i] == '\0') {
      hid_t g;

      hid_t gcpl;

      memcpy(buf, path, i);
      buf[i] = '\0';
      if (H5Lexists(file, buf, H5P_DEFAULT) > 0) continue;
      /* keep creation order, so that readers list attributes and groups as written (sources in document order) */
      PhCallHDF5Return(gcpl, H5Pcreate, (H5P_GROUP_CREATE));
      PhCallHDF5(H5Pset_attr_creation_order, (gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
      PhCallHDF5(H5Pset_link_creation_order, (gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
      PhCallHDF5Return(g, H5Gcreate2, (file, buf, H5P_DEFAULT, gcpl, H5P_DEFAULT));
      PhCallHDF5(H5Pclose, (gcpl));
      PhCallHDF5(H5Gclose, (g));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Write a small 1D float64 dataset (rank 0 writes the values), with units and definition attributes.

  Collective on the file's communicator; every rank passes the same data.
**/
PetscErrorCode PhH5WriteReals(hid_t loc, const char name[], PetscInt n, const PetscReal *data, const char units[], const char definition[])
{
  hid_t     space, dset;
  hsize_t   dims[1] = {(hsize_t)n};
  PetscBool writer;

  PetscFunctionBeginUser;
  PetscCall(PhH5IsWriter(loc, &writer));
  PhCallHDF5Return(space, H5Screate_simple, (1, dims, NULL));
  PhCallHDF5Return(dset, H5Dcreate2, (loc, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (writer && n > 0) PhCallHDF5(H5Dwrite, (dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data));
  PhCallHDF5(H5Dclose, (dset));
  PhCallHDF5(H5Sclose, (space));
  PetscCall(PhH5WriteTextAttributes(loc, name, units, definition));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Attach a 1D fixed-length string attribute (such as the names of the columns of a table).

  Collective on the file's communicator.
**/
PetscErrorCode PhH5WriteStringAttribute(hid_t loc, const char object[], const char attr[], PetscInt n, const char *const strings[])
{
  hid_t   obj, type, space, a;
  hsize_t dims[1] = {(hsize_t)n};
  size_t  size    = 1;
  char   *buf;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) size = PetscMax(size, strlen(strings[i]));
  PetscCall(PetscCalloc1(PetscMax(n, 1) * size, &buf));
  for (PetscInt i = 0; i < n; i++) memcpy(buf + i * size, strings[i], strlen(strings[i]));
  PhCallHDF5Return(obj, H5Oopen, (loc, object, H5P_DEFAULT));
  PhCallHDF5Return(type, H5Tcopy, (H5T_C_S1));
  PhCallHDF5(H5Tset_size, (type, size));
  PhCallHDF5(H5Tset_strpad, (type, H5T_STR_NULLPAD));
  PhCallHDF5Return(space, H5Screate_simple, (1, dims, NULL)); /* an empty list has the shape [0], a list like any other */
  if (H5Aexists(obj, attr) > 0) PhCallHDF5(H5Adelete, (obj, attr));
  PhCallHDF5Return(a, H5Acreate2, (obj, attr, type, space, H5P_DEFAULT, H5P_DEFAULT));
  if (n > 0) PhCallHDF5(H5Awrite, (a, type, buf));
  PhCallHDF5(H5Aclose, (a));
  PhCallHDF5(H5Sclose, (space));
  PhCallHDF5(H5Tclose, (type));
  PhCallHDF5(H5Oclose, (obj));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Write a 1D compound table {name, nint int32 fields} with fixed-length names, packed by hand (no VL types:
  parallel HDF5), and its definition; rank 0 writes the rows.

  Collective on the file's communicator; every rank passes the same rows.
**/
PetscErrorCode PhH5WriteTable(hid_t file, const char name[], PetscInt n, const char *const names[], int nint, const char *const fields[],
                              const int *ints, const char definition[])
{
  hid_t     type, str, space, dset;
  hsize_t   dims[1] = {(hsize_t)n};
  size_t    ssize   = 1, row;
  char     *buf;
  PetscBool writer;

  PetscFunctionBeginUser;
  PetscCall(PhH5IsWriter(file, &writer));
  for (PetscInt i = 0; i < n; i++) ssize = PetscMax(ssize, strlen(names[i]) + 1);
  row = ssize + (size_t)nint * sizeof(int);
  PetscCall(PetscCalloc1(PetscMax(n, 1) * row, &buf));
  for (PetscInt i = 0; i < n; i++) {
    memcpy(buf + i * row, names[i], strlen(names[i]));
    memcpy(buf + i * row + ssize, ints + i * nint, (size_t)nint * sizeof(int));
  }
  PhCallHDF5Return(str, H5Tcopy, (H5T_C_S1));
  PhCallHDF5(H5Tset_size, (str, ssize));
  PhCallHDF5Return(type, H5Tcreate, (H5T_COMPOUND, row));
  PhCallHDF5(H5Tinsert, (type, "name", 0, str));
  for (int f = 0; f < nint; f++) PhCallHDF5(H5Tinsert, (type, fields[f], ssize + (size_t)f * sizeof(int), H5T_NATIVE_INT));
  PhCallHDF5Return(space, H5Screate_simple, (1, dims, NULL));
  PhCallHDF5Return(dset, H5Dcreate2, (file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (writer && n > 0) PhCallHDF5(H5Dwrite, (dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf));
  PhCallHDF5(H5Dclose, (dset));
  PhCallHDF5(H5Sclose, (space));
  PhCallHDF5(H5Tclose, (type));
  PhCallHDF5(H5Tclose, (str));
  PetscCall(PetscFree(buf));
  PetscCall(PhH5WriteTextAttributes(file, name, "1", definition));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Select the cells lo <= index < hi (x, y, z order) of a [z][y][x] dataset, or of entry `lead` of a
  [n][z][y][x] one (lead (hsize_t)-1: no leading dimension): new file and memory dataspaces, to close with H5Sclose().
  An empty box selects nothing (a rank without cells still takes part in a collective transfer).

  Not collective.
**/
PetscErrorCode PhH5SelectBox(hid_t dset, hsize_t lead, const PetscInt lo[3], const PetscInt hi[3], hid_t *fspace, hid_t *mspace)
{
  hsize_t   start[4], count[4];
  int       off   = lead == (hsize_t)-1 ? 0 : 1;
  PetscBool empty = PETSC_FALSE;

  PetscFunctionBeginUser;
  start[0] = lead, count[0] = 1;
  for (int d = 0; d < 3; d++) {
    start[off + 2 - d] = (hsize_t)lo[d];
    count[off + 2 - d] = (hsize_t)(hi[d] > lo[d] ? hi[d] - lo[d] : 0);
    if (hi[d] <= lo[d]) empty = PETSC_TRUE;
  }
  PhCallHDF5Return(*fspace, H5Dget_space, (dset));
  if (empty) PhCallHDF5(H5Sselect_none, (*fspace));
  else PhCallHDF5(H5Sselect_hyperslab, (*fspace, H5S_SELECT_SET, start, NULL, count, NULL));
  PhCallHDF5Return(*mspace, H5Screate_simple, (3, count + off, NULL));
  if (empty) PhCallHDF5(H5Sselect_none, (*mspace));
  PetscFunctionReturn(PETSC_SUCCESS);
}

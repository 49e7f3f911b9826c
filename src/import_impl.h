/* Private layout of the importers (import*.c): the package being built, the text files being read, the case writer. */
#pragma once

#include <photherm/diag.h>
#include <photherm/import.h>

#define PH_IMPORT_MAX_BYTES (64u << 20) /* any input file of the other tools: a power trace of a million rows fits */
#define PH_IMPORT_MAX_LINE  65536       /* HotSpot's own LINE_SIZE; a longer line is refused at its start */

/* A material: conductivity along x, y, z (W/m/K) and volumetric heat capacity (J/m^3/K). */
typedef struct {
  char     *name;
  PetscReal k[3];
  PetscReal cap;
  char     *comment;
} PhImpMaterial;

typedef struct {
  char     *name;
  PetscInt  material;
  PetscReal x0, x1, y0, y1; /* m */
} PhImpBlock;

typedef struct {
  char       *name;
  PetscReal   thickness; /* m */
  PetscInt    material;
  PetscInt    cells; /* 0: photherm's grading */
  char       *comment;
  char       *extra; /* more keys of the layer, as YAML lines (a micro-channel layer's), or NULL */
  PhImpBlock *blocks;
  PetscInt    nblocks, cap;
} PhImpLayer;

/* A heat source on a block: a constant power, a column of the trace, or held steps (values per time of the import's steps). */
typedef struct {
  char      *name;
  char      *block;
  PetscReal  power;  /* W, when column < 0 and values == NULL */
  PetscInt   column; /* column of the trace (0-based among the value columns), or -1 */
  PetscReal *values; /* nsteps values, W, or NULL */
} PhImpSource;

typedef struct {
  PetscBool present;
  PetscReal h, ambient;     /* W/m^2/K, K */
  PetscBool region;         /* limited to x0..x1, y0..y1 */
  PetscReal x0, x1, y0, y1; /* m */
  char     *comment;
} PhImpBoundary;

typedef struct {
  char          *name, *description;
  char         **header; /* comment lines at the top of the case */
  PetscInt       nheader;
  PhImpMaterial *materials;
  PetscInt       nmaterials;
  PhImpLayer    *layers; /* bottom to top */
  PetscInt       nlayers;
  PhImpSource   *sources;
  PetscInt       nsources;
  PetscReal      fx0, fx1, fy0, fy1; /* footprint, m */
  PetscReal      max_cell_xy;        /* m, 0 for the default */
  PetscReal      refine_xy;          /* m: grid.refine over rx0..rx1, ry0..ry1; 0 for none */
  PetscReal      rx0, rx1, ry0, ry1;
  char          *grid_comment;
  PhImpBoundary  top, bottom;
  PetscBool      steady;
  PetscReal      end, dt, dt_max, series_every, fields_every; /* s; 0 for photherm's defaults */
  PetscBool      initial_steady;
  PetscReal      initial; /* K, when not initial_steady */
  char          *time_comment;
  /* the trace written beside the case: ntrace_rows rows of time and one value per trace column */
  char     **trace_names;
  PetscInt   ntrace_cols, ntrace_rows;
  PetscReal *trace_times, *trace_values; /* s; W, row-major */
  char     **trace_header;               /* comment lines of the CSV */
  PetscInt   ntrace_header;
  PetscReal *step_times; /* s, nsteps, for sources with values */
  PetscInt   nsteps;
  char     **notes; /* comment lines written at the end of the case: what the import left out and why */
  PetscInt   nnotes;
} PhImport;

/* A text file held in memory, read line by line or token by token. */
typedef struct {
  char  *path; /* as given (relative to the current directory) */
  char  *text;
  size_t len;
} PhImpFile;

/* One whitespace-separated word of a line: its text (NUL-terminated copy in the line buffer) and 1-based column. */
typedef struct {
  char    *s;
  PetscInt col;
} PhImpWord;

typedef struct {
  const PhImpFile *file;
  size_t           pos;
  PetscInt         lineno;
  char            *buf; /* the current line, split in place */
  size_t           cap;
  PhImpWord       *words;
  PetscInt         nwords, wcap;
} PhImpLines;

/* What PhImpEachLine calls with each line of a file, then once with no word at its end. */
typedef PetscErrorCode (*PhImpLineFn)(const PhImpLines *ls, void *ctx);

PH_INTERN PetscErrorCode PhImportCreate(PhImport **imp);
PH_INTERN PetscErrorCode PhImportDestroy(PhImport **imp);
PH_INTERN PetscErrorCode PhImportAddMaterial(PhImport *imp, const char name[], PetscReal kx, PetscReal ky, PetscReal kz, PetscReal cap,
                                             const char comment[], PetscInt *index);
PH_INTERN PetscErrorCode PhImportAddLayer(PhImport *imp, const char name[], PetscReal thickness, PetscInt material, PetscInt cells,
                                          const char comment[], PetscInt *index);
PH_INTERN PetscErrorCode PhImportAddBlock(PhImport *imp, PetscInt layer, const char name[], PetscInt material, PetscReal x0, PetscReal x1,
                                          PetscReal y0, PetscReal y1);
PH_INTERN PetscErrorCode PhImportAddSource(PhImport *imp, const char name[], const char block[], PetscReal power, PetscInt column,
                                           const PetscReal values[]);
PH_INTERN PetscErrorCode PhImportAddLine(char ***lines, PetscInt *n, const char format[], ...) PETSC_ATTRIBUTE_FORMAT(3, 4);
PH_INTERN PetscErrorCode PhImportSetString(char **s, const char format[], ...) PETSC_ATTRIBUTE_FORMAT(2, 3);
PH_INTERN PetscErrorCode PhImportUniqueName(PhImport *imp, const char wanted[], const char prefix[], char **name);
PH_INTERN PetscErrorCode PhImportWrite(MPI_Comm comm, PhImport *imp, const char output[], PhDiag diag, int *exit_code);

PH_INTERN PetscErrorCode PhImpFileRead(MPI_Comm comm, const char path[], PhDiag diag, PhSourceLoc named_at, const char key[], PhImpFile *f,
                                       PetscBool *ok);
PH_INTERN PetscErrorCode PhImpFileFree(PhImpFile *f);
PH_INTERN PetscErrorCode PhImpEachLine(MPI_Comm comm, const char path[], PhDiag diag, PhSourceLoc named_at, const char key[], PhImpLineFn line,
                                       void *ctx);
PH_INTERN PetscBool      PhImpNumber(const char s[], PetscReal *v);

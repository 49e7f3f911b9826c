/*
  src/case_impl.h - private to src/case*.c: the YAML node tree, its memory pool, the loader state, and the layers of
  the case loader.

  The libyaml document is converted into a tree of PhNode with file, line and column on every node (aliases expanded
  under a budget), includes are merged and -P overrides applied on that tree, and the sections then fill the PhCase.
  Every node and string lives in the loader's pool and is freed with it, except the file names of positions: they
  belong to the case (PhCaseInternFile_Private), which outlives loading.

  The layers, each calling only the ones above it in this list (and diag, units, signal, sys):
    case_yaml.c     the tree: pool, nodes and key paths, parsing, includes, -P overrides, the resolved emit, and the
                    file names of the case
    case_trace.c    CSV trace tables
    case_param.c    the parameters: section and the ${name} lookup that evaluating a value calls
    case_get.c      the getters: typed values of keys (quantities, numbers, enums from name tables, names, ranges,
                    signals, references by name), each recording its problems; no section of the case
    case_meshfile.c the header of a mesh file (mesh: {file}), which the geometry section reads
    case_schema.c   the thermal sections: materials, geometry, boundaries, sources, time and output
    case_optics.c   the yield and optics sections; what they need of the thermal ones (blocks, time) they read from
                    the resolved case, never by calling a thermal section
    case.c          the order of the sections and the top level (keys, version, name), PhCaseLoad and PhCaseDestroy
*/
#pragma once

#include <photherm/case.h>
#include <photherm/units.h>

#define PH_MAX_CASE_BYTES  (16 * 1024 * 1024) /* a case file or an include; a real one is a few kB */
#define PH_MAX_TRACE_BYTES (64 * 1024 * 1024) /* a CSV trace: a million rows of a few columns */
/* Counts of the lists of a case (cases/README.md section 18), checked before anything is allocated for them: each name
   is compared with the earlier ones, every block and source is placed on the grid and sampled at every series sample.
   A real package has tens of each. */
#define PH_MAX_LAYERS     10000
#define PH_MAX_CHANNELS   100000 /* channels across one micro-channel layer */
#define PH_MAX_BLOCKS     10000  /* layer blocks and top-level blocks together */
#define PH_MAX_SOURCES    10000
#define PH_MAX_DEVICES    10000   /* each of optics.lasers, optics.rings (groups), optics.links */
#define PH_MAX_TRACE_ROWS 2000000 /* data rows of one CSV trace */

typedef enum {
  PH_NODE_SCALAR,
  PH_NODE_MAP,
  PH_NODE_SEQ
} PhNodeType;
PH_INTERN const char *const PhNodeTypes[]; /* "a scalar", "a mapping", "a list": what a message says was found */

typedef struct _PhNode PhNode;

struct _PhNode {
  PhNodeType  type;
  PhSourceLoc loc;
  char       *value;    /* SCALAR: text */
  PetscBool   plain;    /* SCALAR: unquoted (so "null", "~" and "" mean no value) */
  PetscBool   bad;      /* SCALAR: a problem of the text itself was reported (a NUL character); readers add nothing */
  char       *resolved; /* SCALAR: text after ${} substitution, for the resolved case; NULL when unchanged */
  PetscInt    n, cap;
  PhNode    **keys;   /* MAP: key scalars (with their positions) */
  PhNode    **values; /* MAP: values; SEQ: items */
  PetscInt   *slots;  /* MAP of more than PH_NODE_HASH_MIN keys: open-addressed hash of the keys, index + 1 (0 empty) */
  PetscInt    nslots; /* a power of two, at least twice n */
};
#define PH_NODE_HASH_MIN 8 /* smaller maps are searched in order; larger ones by hash, so loading stays linear */

/* A pool of allocations freed together: small pieces are carved from chunks (PhPoolAlloc_Private). */
#define PH_POOL_CHUNK 65536
typedef struct {
  void   **ptrs;
  PetscInt n, cap;
  char    *chunk; /* the chunk being carved */
  size_t   used;  /* bytes of it in use */
} PhPool;

typedef enum {
  PH_PARAM_PENDING,
  PH_PARAM_ACTIVE,
  PH_PARAM_DONE
} PhParamState;

typedef struct {
  const char  *name;
  PhNode      *node;
  PhParamState state;
  PetscBool    valid;
  PhQuantity   q;
} PhParamSlot;

/* A CSV trace file parsed once and shared by every source that names one of its columns. */
typedef struct {
  char      *path;
  PetscBool  ok;
  PetscInt   nrows, ncols;
  char     **names;           /* length ncols */
  char     **units;           /* length ncols; NULL when the header gives none */
  PetscReal *data;            /* [nrows][ncols], numbers as written */
  PetscInt  *lines;           /* line of each row, for messages */
  PetscInt  *columns;         /* [nrows][ncols]: column of each value, for messages */
  PetscInt   header_line;     /* line of the header */
  PetscInt  *header_columns;  /* length ncols: column of each header cell */
  PetscBool *unit_ok;         /* length ncols: the bracketed unit is a unit (or there is none) */
  PetscBool *reported;        /* length ncols: a problem of this column was reported (by an earlier reference) */
  PetscReal  tscale, toffset; /* time in s = tscale * number + toffset */
} PhTraceTable;

/* A key that PhGetCheckKeys_Private suggested for a misspelt one: it is then not also reported missing. */
typedef struct {
  const PhNode *map;
  const char   *key;
} PhSuggestion;

/* A trace or square pattern read for a key: its timing against time.end is checked once the end is known. */
typedef struct {
  const PhNode   *node;  /* the signal's map */
  const char     *path;  /* its key path (in the pool) */
  const PhSignal *sig;   /* in the case's arrays, which are allocated once */
  PetscInt        trace; /* index into the loader's traces, -1 for a pattern */
} PhSignalRef;

typedef struct {
  MPI_Comm      comm;
  PhDiag        diag;
  PhPool        pool;
  PhNode       *root;
  const char   *case_path;
  PetscInt      nparams;
  PhParamSlot  *params;    /* in the order of the keys of param_map */
  const PhNode *param_map; /* parameters:, looked up by hash */
  PetscInt      ntraces;
  PhTraceTable *traces;
  PetscInt      nsignals, signals_cap;
  PhSignalRef  *signals;      /* traces and square patterns, for PhGetSignalTiming_Private */
  PetscInt      node_budget;  /* nodes left for alias expansion */
  const char   *override_key; /* while parsing the value of -P name=value: name (problems have no position inside the value) */
  PhCase        problem;
  PetscInt      nsuggested, suggested_cap;
  PhSuggestion *suggested;
  PetscBool     param_failed; /* the last evaluation failed at a ${parameter} whose problem is reported at its definition */
  PetscInt      nactive;      /* parameters being evaluated, innermost last (to name a cycle) */
  PhParamSlot **active;
  PetscBool     param_deep;     /* a chain of parameters deeper than PH_MAX_PARAM_DEPTH was reported */
  PetscBool     no_geometry;    /* the stack or the mesh file is unusable (reported): block and layer names are not looked up */
  PetscBool     bad_boundaries; /* a boundary condition without a valid type (reported): whether the case has a heat sink is unknown */
} PhLoader;

/* pool (case_yaml.c) */
PH_INTERN PetscErrorCode PhPoolAdd_Private(PhPool *pool, void *ptr);
PH_INTERN PetscErrorCode PhPoolAlloc_Private(PhPool *pool, size_t size, void **ptr);
PH_INTERN PetscErrorCode PhPoolStrdup_Private(PhPool *pool, const char *s, char **out);
PH_INTERN PetscErrorCode PhPoolFree_Private(PhPool *pool);

/* tree (case_yaml.c) */
PH_INTERN PetscErrorCode PhCaseInternFile_Private(PhCase pb, const char name[], const char **file);
PH_INTERN PetscErrorCode PhNodeCreate_Private(PhLoader *ld, PhNodeType type, PhSourceLoc loc, PhNode **node);
PH_INTERN PetscErrorCode PhNodeAppend_Private(PhLoader *ld, PhNode *parent, PhNode *key, PhNode *value);
PH_INTERN PhNode        *PhNodeGet_Private(const PhNode *map, const char key[]);
PH_INTERN PetscInt       PhNodeIndex_Private(const PhNode *map, const char key[]);
PH_INTERN PhNode        *PhNodeGetKey_Private(const PhNode *map, const char key[]);
PH_INTERN PetscBool      PhNodeIsNull_Private(const PhNode *node);
PH_INTERN const char    *PhNodeTypeName_Private(const PhNode *node);
PH_INTERN PetscErrorCode PhNodePath_Private(char *buf, size_t len, const char parent[], const char key[], PetscInt index);
PH_INTERN PetscErrorCode PhYamlParse_Private(PhLoader *ld, const char file[], const char *bytes, size_t length, PhNode **root);
PH_INTERN PetscErrorCode PhYamlLoadFile_Private(PhLoader *ld, const char path[], PhSourceLoc from, const char from_key[], PetscInt depth,
                                                const char *stack[], PhNode **root);
PH_INTERN PetscErrorCode PhYamlApplyOverrides_Private(PhLoader *ld, PetscInt n, const PhOverride overrides[]);
PH_INTERN PetscErrorCode PhYamlEmit_Private(PhLoader *ld, const PhNode *root, char **text);

/* traces (case_trace.c) */
PH_INTERN PetscErrorCode PhTraceLoad_Private(PhLoader *ld, const PhNode *file_node, const char path[], PhTraceTable **table);
PH_INTERN PetscErrorCode PhTraceFree_Private(PhTraceTable *table);

/* parameters (case_param.c) */
#define PH_REASON_LEN 600 /* room for the reason a value is bad */
PH_INTERN PetscErrorCode PhSchemaParameters_Private(PhLoader *ld);
PH_INTERN PetscErrorCode PhParamLookup_Private(void *ctx, const char name[], PhQuantity *q, PetscBool *found, PetscBool *valid, char *reason,
                                               size_t reason_len);

/* getters (case_get.c) */
typedef enum {
  PH_GEOMETRY_BLOCK,
  PH_GEOMETRY_LAYER
} PhGeometryKind;
PH_INTERN const char *const PhGeometryKinds[]; /* "block", "layer": the nouns of messages */

PH_INTERN PetscErrorCode PhLevenshteinSuggest_Private(const char word[], PetscInt n, const char *const candidates[], const char **best);
PH_INTERN PetscErrorCode PhGetCheckKeys_Private(PhLoader *ld, const PhNode *map, const char path[], const char *const allowed[]);
PH_INTERN PetscErrorCode PhGetExpectMap_Private(PhLoader *ld, const PhNode *node, const char path[], PetscBool *ok);
PH_INTERN PetscErrorCode PhGetTooMany_Private(PhLoader *ld, const PhNode *list, const char path[], PetscInt n, const char noun[], PetscInt limit,
                                              PetscBool *too_many);
PH_INTERN PetscErrorCode PhGetMissing_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char what[]);
PH_INTERN PetscErrorCode PhGetMissingDetail_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char detail[]);
PH_INTERN PetscErrorCode PhGetValueProblem_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char why[]);
PH_INTERN PetscErrorCode PhGetNodeQuantity_Private(PhLoader *ld, PhNode *node, const char path[], PhQuantityType type, PetscReal *value,
                                                   PetscBool *ok);
PH_INTERN PetscErrorCode PhGetQuantity_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PhQuantityType type,
                                               PetscBool required, PetscReal def, PetscReal *value, PetscBool *present);
PH_INTERN PetscErrorCode PhGetInt_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool required, PetscInt def,
                                          PetscInt lo, PetscInt hi, PetscInt *value, PetscBool *valid);
PH_INTERN PetscErrorCode PhGetBool_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool def, PetscBool *value);
PH_INTERN PetscErrorCode PhGetString_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool required,
                                             const char *def, char **value);
PH_INTERN PetscErrorCode PhGetEnum_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char *const names[],
                                           PetscInt def, PetscInt *value);
PH_INTERN PetscErrorCode PhGetRange_Private(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscBool required, PetscReal *lo,
                                            PetscReal *hi, PetscBool *present);
PH_INTERN PetscErrorCode PhGetPlausible_Private(PhLoader *ld, PhSourceLoc loc, const char path[], PhQuantityType type, PetscReal value);
#define PH_NAME_RULE "letters, digits, '_', '-' and '.' only"
PH_INTERN PetscBool      PhNameValid_Private(const char name[]);
PH_INTERN PetscErrorCode PhGetName_Private(PhLoader *ld, const PhNode *map, const char path[], const char noun[], PetscInt nseen, char *const seen[],
                                           const PetscInt seen_lines[], char **name, PetscInt *line);
PH_INTERN PetscErrorCode PhGetRef_Private(PhLoader *ld, const PhNode *node, const char path[], const char *what, PetscInt n,
                                          const char *const names[], PetscInt *index);
PH_INTERN PetscErrorCode PhGetGeometryRef_Private(PhLoader *ld, const PhNode *node, const char path[], PhGeometryKind kind, PetscInt *index);
PH_INTERN PetscErrorCode PhGetSignal_Private(PhLoader *ld, PhNode *node, const char path[], PhQuantityType type, PetscBool nonnegative,
                                             PhSignal *signal);
PH_INTERN PetscErrorCode PhGetSignalTiming_Private(PhLoader *ld, PetscReal t_end);

/* thermal sections (case_schema.c) and the mesh file header they read (case_meshfile.c) */
PH_INTERN PetscErrorCode PhSchemaMaterials_Private(PhLoader *ld);
PH_INTERN PetscErrorCode PhSchemaGeometry_Private(PhLoader *ld);
PH_INTERN PetscErrorCode PhSchemaBoundaries_Private(PhLoader *ld);
PH_INTERN PetscErrorCode PhSchemaSources_Private(PhLoader *ld);
PH_INTERN PetscErrorCode PhSchemaTime_Private(PhLoader *ld);
PH_INTERN PetscErrorCode PhSchemaCheckSink_Private(PhLoader *ld);
PH_INTERN PetscErrorCode PhMeshFileLoadHeader_Private(PhLoader *ld, const PhNode *file_node, const char path[]);

/* optics sections (case_optics.c) */
PH_INTERN PetscErrorCode PhSchemaYield_Private(PhLoader *ld);
PH_INTERN PetscErrorCode PhSchemaOptics_Private(PhLoader *ld);

/*
  photherm/case.h - the case file: loading, validation, and the immutable resolved case in SI (DESIGN §3, PHYSICS §1).

  PhCaseLoad() reads the case on rank 0, broadcasts the bytes, and parses them identically on every rank, so every
  rank holds the same resolved case and the same diagnostics. Every problem of the input is recorded in a PhDiag;
  a case with errors is returned as NULL.

  Ownership: PhCaseLoad() gives the caller a case to destroy with PhCaseDestroy(). All members are read-only after
  loading; every array and string belongs to the case. Units: SI throughout, kelvin for temperatures, dB/dBm kept
  logarithmic; the unit of every dimensional member is written beside it.

  Every enum that the case file names by a word has its name table beside it (as PETSc's KSPConvergedReasons):
  Names[value] is the word, and the table ends with NULL.

  Layer: above the base (units, diag, signal, h5); below mesh and everything else. Inside, the loader is layered too
  (src/case_impl.h): YAML tree and includes, parameters, generic getters, then the thermal and optics sections, which
  call the getters and never each other. It calls nothing above it.
*/
#pragma once

#include <photherm/diag.h>
#include <photherm/signal.h>
#include <photherm/sys.h>

#define PH_CASE_SCHEMA_VERSION 1
/* A temperature above this ends a run as a thermal runaway (exit 1); a steady state that must exceed it is refused. K */
#define PH_RUNAWAY_TEMPERATURE 1000.0

typedef struct {
  char       *name;
  PetscReal   k[3];       /* conductivity along x, y, z at 300 K, W/m/K */
  PetscReal   rho;        /* density, kg/m^3 */
  PetscReal   cp;         /* specific heat, J/kg/K */
  PetscReal   k_exponent; /* k(T) = k * (T / 300 K)^k_exponent; 0 for constant k */
  PhSourceLoc loc;
} PhMaterial;

/* The models of a micro-channel cavity (cases/README.md section 9.6): channels and walls resolved (4-resistor), or the
   porous form (2-resistor) of a dense channel array or of a pin-fin array, coolant and solid sharing each cell. */
typedef enum {
  PH_CAVITY_4RM,
  PH_CAVITY_2RM,
  PH_CAVITY_PINFIN
} PhCavityModel;
PH_EXTERN const char *const PhCavityModels[]; /* "4rm", "2rm", "pinfin" */

/* A micro-channel cavity: a layer of type microchannel, its channels along the flow and the walls between them
   resolved as cells (the 4-resistor model), or in the porous form each porous cell across the flow split into two
   equal strips of cells, coolant and solid, their volumes and areas scaled by the porosity (cases/README.md section 9.6). */
typedef struct {
  PhCavityModel model;
  PetscInt      coolant; /* index into materials (rho, cp, k) */
  PhSignal      flow;    /* flow of the whole cavity, m^3/s (flow_volumetric) or kg/s; constant */
  PetscBool     flow_volumetric;
  PhSignal      inlet;                   /* coolant inlet temperature, K */
  PetscInt      axis, sign;              /* the flow runs along x (0) or y (1), towards + (1) or - (-1) */
  PetscReal     width, pitch;            /* channel width and pitch across the flow, m */
  PetscInt      nchannels;               /* channels across the footprint */
  PetscReal    *lo;                      /* [nchannels] the low edge of each channel across the flow, m */
  PetscReal     h_top, h_bottom, h_side; /* heat-transfer coefficients of the channel's ceiling, floor and side walls, W/m^2/K */
  PetscBool     h_from_correlation;      /* h from the laminar Nusselt number of the channel (cases/README.md section 9.6) */
  PetscReal     velocity;                /* mean velocity in a channel at the flow of t = 0, m/s */
  /* the porous form (model 2rm, pinfin): `nchannels` strips of coolant, `width` (half a cell) wide, one per porous cell */
  PetscReal porosity;     /* coolant volume over cavity volume */
  PetscReal cell;         /* width of a porous cell across the flow, m */
  PetscReal side_area;    /* wetted area of the walls or pins per unit footprint area of the cavity, m^2/m^2 */
  PetscReal pin_diameter; /* pinfin: m */
} PhChannels;
PH_EXTERN const char *const PhLayerTypes[]; /* the values of a layer's type: "solid", "microchannel" */

typedef struct {
  char       *name;
  PetscReal   z0, z1;   /* bottom and top, m */
  PhChannels *channels; /* a micro-channel cavity (type: microchannel), else NULL */
  PetscInt    material; /* background material, index into materials */
  PetscInt    cells;    /* exactly this many equal cells, or 0 for automatic */
  PhSourceLoc loc;
  PhSourceLoc cells_loc; /* the cells: value, for messages about it (line 0 when not given) */
} PhLayer;

typedef struct {
  char       *name;
  PetscInt    material;           /* index into materials; -1 for a block named by a mesh file */
  PetscReal   x0, x1, y0, y1;     /* m */
  PetscReal   z0, z1;             /* m, from the layers it spans */
  PetscInt    layer_lo, layer_hi; /* first and last layer spanned (equal for a layer block) */
  PetscBool   in_layer;           /* declared under stack[].blocks (else top-level blocks:) */
  PhSourceLoc loc;
} PhBlock;

typedef enum {
  PH_FACE_XMIN,
  PH_FACE_XMAX,
  PH_FACE_YMIN,
  PH_FACE_YMAX,
  PH_FACE_BOTTOM,
  PH_FACE_TOP,
  PH_NFACES
} PhFace;
PH_EXTERN const char *const PhFaces[]; /* PhFaces[face]: its key under boundaries:, "xmin" ... "top" */

typedef enum {
  PH_BC_ADIABATIC,
  PH_BC_CONVECTION,
  PH_BC_TEMPERATURE,
  PH_BC_FLUX,
  PH_BC_COLD_PLATE
} PhBoundaryType;
PH_EXTERN const char *const PhBoundaryTypes[]; /* the values of type: in the case file, "adiabatic" ... "cold_plate" */

typedef struct {
  PhBoundaryType type;
  PetscReal      h;       /* CONVECTION, COLD_PLATE: heat transfer coefficient, W/m^2/K */
  PhSignal       value;   /* CONVECTION: ambient, K; TEMPERATURE: surface temperature, K; FLUX: W/m^2 into the domain;
                                    COLD_PLATE: coolant inlet temperature, K */
  char          *name;    /* COLD_PLATE: the plate's name (default: the face) */
  PetscInt       coolant; /* COLD_PLATE: the coolant, index into materials (its rho and cp) */
  PhSignal       flow;    /* COLD_PLATE: coolant flow, m^3/s (flow_volumetric) or kg/s */
  PetscBool      flow_volumetric;
  PetscInt       axis, sign;      /* COLD_PLATE: the flow runs along x (0) or y (1), towards + (1) or - (-1) */
  PetscBool      h_from_channels; /* COLD_PLATE: h computed from channels: (laminar Nusselt number, fin efficiency) */
  PetscBool      has_region;      /* limited to a rectangle of a top or bottom face */
  PetscReal      x0, x1, y0, y1;  /* region, m */
  PhSourceLoc    loc;
  PhSourceLoc    region_loc; /* the region: value, for messages about it */
  char          *path;       /* key path of the condition, such as "boundaries.top[1]", for messages */
} PhBoundaryCondition;

typedef struct {
  PetscInt             n;          /* conditions in order; later regions win; uncovered parts are adiabatic */
  PhBoundaryCondition *conditions; /* length n */
} PhBoundary;

typedef enum {
  PH_SOURCE_BLOCK,
  PH_SOURCE_LAYER_RECT,
  PH_SOURCE_BOX
} PhSourceKind;

typedef struct {
  char        *name;
  PhSourceKind kind;
  PetscInt     block;                  /* PH_SOURCE_BLOCK: index into blocks, else -1 */
  PetscInt     layer;                  /* PH_SOURCE_LAYER_RECT: index into layers, else -1 */
  PetscReal    x0, x1, y0, y1, z0, z1; /* the box the power is spread over, m */
  PhSignal     power;                  /* W */
  PetscBool    has_leakage;
  PetscReal    leak_p_ref; /* W at t_ref */
  PetscReal    leak_t_ref; /* K */
  PetscReal    leak_beta;  /* 1/K */
  PhSourceLoc  loc;
} PhSource;

typedef enum {
  PH_INITIAL_STEADY,
  PH_INITIAL_TEMPERATURE,
  PH_INITIAL_FILE
} PhInitialType;

/* time.method: how a transient advances (DESIGN §5): the full finite-volume model with an error-controlled integrator,
   or the reduced model stepped exactly between landings. */
typedef enum {
  PH_METHOD_FULL,
  PH_METHOD_REDUCED
} PhTimeMethod;
PH_EXTERN const char *const PhTimeMethods[]; /* PhTimeMethods[method]: "full", "reduced" */

typedef struct {
  PetscBool     steady; /* mode: steady */
  PhTimeMethod  method;
  PetscReal     reduced_tolerance; /* time.reduced.tolerance: error of the reduced model's device and source temperatures, K */
  PetscReal     end;               /* s */
  PetscReal     dt;                /* first step, s */
  PetscReal     dt_max;            /* s */
  PhInitialType initial;
  PetscReal     initial_temperature; /* PH_INITIAL_TEMPERATURE: K */
  char         *initial_file;        /* PH_INITIAL_FILE: result to continue from, relative to the current directory like output files */
  PetscReal     initial_time;        /* PH_INITIAL_FILE: s; the snapshot at this time */
  PhSourceLoc   initial_loc;         /* PH_INITIAL_FILE: where the file is named, for messages */
} PhTime;

typedef struct {
  char     *file;         /* result file, relative to the current directory */
  PetscReal fields_every; /* s */
  PetscReal series_every; /* s */
  PetscBool float32;      /* precision of the field snapshots */
} PhOutputSpec;

typedef enum {
  PH_LASER_EXTERNAL,
  PH_LASER_DFB,
  PH_LASER_VCSEL
} PhLaserType;
PH_EXTERN const char *const PhLaserTypes[]; /* the values of type: in the case file, "external", "dfb", "vcsel" */

typedef struct {
  char       *name;
  PhLaserType type;
  PetscReal   temperature; /* EXTERNAL: module temperature, K */
  PetscInt    block;       /* DFB, VCSEL: block whose mean temperature is the laser's, else -1 */
  PetscReal   wavelength;  /* line 0 at T0, m */
  PetscInt    lines;       /* comb / WDM lines */
  PetscReal   spacing;     /* line spacing, m */
  PetscReal   drift;       /* m/K */
  PetscReal   power_dbm;   /* per line at T0, dBm */
  PetscReal   power_drift; /* dB/K */
  PetscReal   wpe;         /* wall-plug efficiency at T0 */
  PetscReal   wpe_t1;      /* K */
  PetscBool   heat;        /* DFB, VCSEL: electrical minus optical power heats the block */
  PetscInt    link;        /* the link that uses it */
  PhSourceLoc loc;
} PhLaser;

typedef struct {
  char       *name;
  PetscInt    block;             /* index into blocks */
  PetscInt    count;             /* rings in the group */
  PetscReal   wavelength;        /* resonance of ring 0 at T0, m */
  PetscReal   spacing;           /* m */
  PetscReal   drift;             /* m/K */
  PetscReal   fsr;               /* m */
  PetscReal   q;                 /* loaded Q */
  PetscReal  *offsets;           /* fabrication offsets, m; length count */
  PetscReal   sigma_die;         /* m */
  PetscReal   sigma_local;       /* m */
  char       *die;               /* groups naming the same die share its die offset */
  PetscInt    die_index;         /* index of `die` among the distinct die names */
  PetscReal   lock_error;        /* m */
  PetscReal   heater_efficiency; /* m/W */
  PetscReal   heater_max_power;  /* W */
  PetscBool   heater_feedback;
  PetscInt    link; /* the link that uses it */
  PhSourceLoc loc;
} PhRingGroup;

typedef enum {
  PH_LOCK_FIXED,
  PH_LOCK_WRAP,
  PH_LOCK_ROTATE
} PhLockPolicy;
PH_EXTERN const char *const PhLockPolicies[]; /* the values of lock: in the case file, "fixed", "wrap", "rotate" */

typedef struct {
  char        *name;
  PetscInt     laser, tx, rx; /* indices into lasers and rings */
  PetscReal    rate;          /* per line, b/s */
  PhLockPolicy lock;
  PetscReal    relock_time;       /* s */
  PetscReal    loss;              /* dB */
  PetscReal    sensitivity;       /* dBm */
  PetscReal    margin_threshold;  /* dB */
  PetscReal    electrical_energy; /* J/b */
  PhSourceLoc  loc;
} PhLink;

typedef struct {
  PetscReal    reference_temperature; /* T0, K */
  PetscReal    metrics_from;          /* s */
  PetscInt     nlasers, nrings, nlinks, ndies;
  PhLaser     *lasers;
  PhRingGroup *rings;
  PhLink      *links;
  char       **die_names; /* length ndies */
} PhOptics;

typedef struct {
  PetscBool  present;
  PetscInt   nassembly;
  char     **assembly_names;
  PetscReal *assembly_values; /* each in (0, 1] */
  PetscInt   samples;
  PetscInt   seed;
} PhYield;

typedef struct {
  char     *name;
  char     *text;      /* value as given: in the file, or by -P */
  PetscBool by_option; /* overridden with -P */
} PhParameter;

typedef struct _p_PhCase *PhCase;

struct _p_PhCase {
  char        *path;   /* the case file as given */
  PetscInt     nfiles; /* names of the files (and "-P name=value" texts) that the PhSourceLoc of the case point into */
  char       **files;
  char        *name; /* `name`, or the file name without extension */
  char        *description;
  char        *resolved_yaml; /* the merged case with parameters substituted, for /case/yaml */
  PetscInt     nparameters;
  PhParameter *parameters;
  PetscInt     noverrides; /* -P name=value pairs as given, in order */
  char       **override_names, **override_values;

  PetscInt    nmaterials;
  PhMaterial *materials;
  PetscReal   fx0, fx1, fy0, fy1; /* footprint, m */
  PetscReal   max_cell_xy;        /* m */
  PetscReal   max_cell_z;         /* m; 0 for none */
  PetscReal   max_ratio;
  PetscBool   has_refine;                    /* grid.refine: a box with its own, smaller max_cell_xy */
  PetscReal   rx0, rx1, ry0, ry1, refine_xy; /* m */
  PhSourceLoc grid_loc[3];                   /* the key that limits the cells along x, y, z, for messages about the grid's size: */
  const char *grid_key[3];                   /* grid.max_cell_xy (else footprint), grid.max_cell_z (else stack) */
  PetscInt    nlayers;
  PhLayer    *layers;
  PetscInt    nblocks; /* layer blocks first in document order, then top-level blocks: the priority order */
  PhBlock    *blocks;
  char       *mesh_file;         /* mesh: {file}: the grid comes from this file instead of stack and blocks */
  PetscInt    nmesh_materials;   /* mesh-file cases: materials named by the file */
  PetscInt   *mesh_material_map; /* mesh-file cases: material id in the file -> index into materials */

  PhBoundary   boundaries[PH_NFACES];
  PetscInt     nsources;
  PhSource    *sources;
  PhTime       time;
  PhOutputSpec output;
  PhOptics     optics;
  PhYield      yield;
};

/* One -P name=value from the command line. */
typedef struct {
  const char *name;
  const char *value;
} PhOverride;

PH_EXTERN PetscErrorCode PhCaseLoad(MPI_Comm comm, const char path[], PetscInt noverrides, const PhOverride overrides[], PhDiag diag,
                                    PhCase *problem);
PH_EXTERN PetscErrorCode PhCaseLoadString(MPI_Comm comm, const char name[], const char yaml[], PetscInt noverrides, const PhOverride overrides[],
                                          PhDiag diag, PhCase *problem);
PH_EXTERN PetscErrorCode PhCaseFindBlock(PhCase problem, const char name[], PetscInt *index);
PH_EXTERN PetscErrorCode PhCaseFindLayer(PhCase problem, const char name[], PetscInt *index);
PH_EXTERN PetscErrorCode PhCaseDestroy(PhCase *problem);
PH_EXTERN const char    *PhFaceName(PhFace face);

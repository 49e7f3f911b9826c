/* photherm import hotspot: HotSpot 7's command line, configuration file, floorplans, power trace, layer configuration
   and materials file as a photherm case (cases/README.md section 19.1 gives the mapping). */
#include "import_impl.h"

#include <math.h>
#include <string.h>

#define PH_HS_C_FACTOR 0.333 /* HotSpot's fitting factor of the lumped convection capacitance (temperature.h) */
#define PH_AIR_K       0.026 /* still air outside HotSpot's layers, W/m/K */
#define PH_AIR_CAP     1.2e3 /* J/m^3/K */
#define PH_HS_K_MAX    1e5   /* W/m/K, the largest conductivity photherm accepts */
#define PH_HS_K_MIN    1e-6  /* W/m/K, the smallest */
#define PH_HS_CAP_MIN  1e3   /* J/m^3/K, the smallest heat capacity (1 J/kg/K at the 1000 kg/m^3 of the import) */
#define PH_HS_BUS      0.125 /* width of a periphery node of -ph_lumping hotspot, as a fraction of the die */
#define PH_HS_SNAP     1e-3  /* unit edges closer than this fraction of the die are one grid line (PhHsSnapEdges) */

/* One -name value of the configuration: from the file given with -c, or from the command line (which wins). */
typedef struct {
  char       *name, *value;
  PhSourceLoc loc; /* the value */
  PetscBool   used;
} PhHsOption;

typedef struct {
  char     *name;
  PetscReal w, h, x, y; /* m, translated so that the floorplan's bounding box starts at 0 */
  PetscBool props;      /* the optional specific heat and resistivity were given */
  PetscReal cap, res;   /* J/m^3/K, m K/W */
} PhHsUnit;

typedef struct {
  char     *path;
  PhHsUnit *units;
  PetscInt  n;
  PetscReal w, h; /* bounding box, m */
} PhHsFloorplan;

typedef struct {
  char     *name;
  PetscReal k, cap;
} PhHsMaterial;

typedef struct {
  PetscBool      lateral, power;
  PetscReal      k, cap, thickness;
  PhHsFloorplan *flp;
  char          *material; /* a material name of the materials file, or NULL */
  PhSourceLoc    loc;
} PhHsLayer;

/* A node layer of -ph_lumping hotspot: one HotSpot layer, in the order of the stack (bottom to top, towards the sink). */
typedef struct {
  PetscInt  layer;    /* index of its layer in the case */
  PetscInt  material; /* its node material, whose kz PhHsLump sets */
  PetscInt  source;   /* the HotSpot layer's own material */
  PetscReal t, R;     /* thickness, m; HotSpot's vertical resistance of the layer t / k, m^2 K/W */
  PetscReal w, h;     /* the layer's extent, m (centred on the footprint) */
  char      name[32];
} PhHsNode;

typedef struct {
  MPI_Comm       comm;
  PhDiag         diag;
  PhHsOption    *opts;
  PetscInt       nopts;
  PhHsMaterial  *mats;
  PetscInt       nmats;
  PhHsFloorplan *flps[64];
  PetscInt       nflps;
  PhSourceLoc    cmdline;
  PetscBool      lump;  /* -ph_lumping hotspot: HotSpot's one node per layer at the layer's face (cases/README.md section 19.1) */
  PhHsNode      *chain; /* -ph_lumping hotspot: the node layers, bottom to top */
  PetscInt       nchain;
} PhHs;

/* Every configuration key of HotSpot 7 (and of HotFloorplan, which shares the file): others are warned about. */
static const char *const PhHsKeys[] = {"t_chip",
                                       "k_chip",
                                       "p_chip",
                                       "thermal_threshold",
                                       "c_convec",
                                       "r_convec",
                                       "s_sink",
                                       "t_sink",
                                       "k_sink",
                                       "p_sink",
                                       "s_spreader",
                                       "t_spreader",
                                       "k_spreader",
                                       "p_spreader",
                                       "t_interface",
                                       "k_interface",
                                       "p_interface",
                                       "material_chip",
                                       "material_sink",
                                       "material_spreader",
                                       "material_interface",
                                       "model_secondary",
                                       "r_convec_sec",
                                       "c_convec_sec",
                                       "n_metal",
                                       "t_metal",
                                       "t_c4",
                                       "s_c4",
                                       "n_c4",
                                       "s_sub",
                                       "t_sub",
                                       "s_solder",
                                       "t_solder",
                                       "s_pcb",
                                       "t_pcb",
                                       "ambient",
                                       "init_file",
                                       "init_temp",
                                       "steady_file",
                                       "sampling_intvl",
                                       "base_proc_freq",
                                       "dtm_used",
                                       "model_type",
                                       "leakage_used",
                                       "leakage_mode",
                                       "package_model_used",
                                       "package_config_file",
                                       "block_omit_lateral",
                                       "grid_rows",
                                       "grid_cols",
                                       "grid_layer_file",
                                       "grid_steady_file",
                                       "grid_transient_file",
                                       "grid_map_mode",
                                       "detailed_3D",
                                       "use_microchannels",
                                       "use_microfluidic_cooling",
                                       "pumping_pressure",
                                       "pump_internal_res",
                                       "inlet_temperature",
                                       "coolant_material",
                                       "coolant_capac",
                                       "coolant_res",
                                       "coolant_visc",
                                       "wall_material",
                                       "wall_capac",
                                       "wall_res",
                                       "htc",
                                       "wrap_l2",
                                       "l2_label",
                                       "model_rim",
                                       "rim_thickness",
                                       "compact_ratio",
                                       "n_orients",
                                       "P0",
                                       "Davg",
                                       "Kmoves",
                                       "Rcool",
                                       "Rreject",
                                       "Nmax",
                                       "lambdaA",
                                       "lambdaT",
                                       "lambdaW",
                                       "materials_file",
                                       "f",
                                       "p",
                                       "o",
                                       "c",
                                       "d",
                                       "ph_lumping",
                                       NULL};

static PetscErrorCode PhHsSet(PhHs *hs, const char name[], const char value[], PhSourceLoc loc)
{
  PhHsOption *o = NULL;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < hs->nopts; i++)
    if (!strcmp(hs->opts[i].name, name)) o = &hs->opts[i];
  if (o == NULL) {
    PhHsOption *bigger;

    PetscCall(PetscCalloc1(hs->nopts + 1, &bigger));
    if (hs->nopts) PetscCall(PetscArraycpy(bigger, hs->opts, hs->nopts));
    PetscCall(PetscFree(hs->opts));
    hs->opts = bigger;
    o        = &hs->opts[hs->nopts++];
    PetscCall(PetscStrallocpy(name, &o->name));
  } else PetscCall(PetscFree(o->value));
  PetscCall(PetscStrallocpy(value, &o->value));
  o->loc = loc;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PhHsOption *PhHsGet(PhHs *hs, const char name[])
{
  for (PetscInt i = 0; i < hs->nopts; i++)
    if (!strcmp(hs->opts[i].name, name)) {
      hs->opts[i].used = PETSC_TRUE;
      return &hs->opts[i];
    }
  return NULL;
}

/* A file name option: NULL when absent or "(null)" as HotSpot writes an unset one. */
static const char *PhHsFile(PhHs *hs, const char name[], PhSourceLoc *loc)
{
  PhHsOption *o = PhHsGet(hs, name);

  if (o == NULL || !strcmp(o->value, "(null)")) return NULL;
  if (loc != NULL) *loc = o->loc;
  return o->value;
}

/* A number option with its HotSpot default; a value that is not a number (or not > 0 when positive) is a problem. */
static PetscErrorCode PhHsReal(PhHs *hs, const char name[], PetscReal def, PetscBool positive, PetscReal *v)
{
  PhHsOption *o = PhHsGet(hs, name);

  PetscFunctionBeginUser;
  *v = def;
  if (o == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  if (!PhImpNumber(o->value, v)) PetscCall(PhDiagAdd(hs->diag, o->loc, name, "expected a number, got \"%s\"", o->value));
  else if (positive && !(*v > 0)) PetscCall(PhDiagAdd(hs->diag, o->loc, name, "must be positive, got %s", o->value));
  else PetscFunctionReturn(PETSC_SUCCESS);
  *v = def;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhHsInt(PhHs *hs, const char name[], PetscInt def, PetscInt lo, PetscInt hi, PetscInt *v)
{
  PhHsOption *o = PhHsGet(hs, name);
  PetscReal   r;

  PetscFunctionBeginUser;
  *v = def;
  if (o == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  if (!PhImpNumber(o->value, &r) || r != PetscFloorReal(r) || r < lo || r > hi)
    PetscCall(PhDiagAdd(hs->diag, o->loc, name, "expected a whole number from %d to %d, got \"%s\"", (int)lo, (int)hi, o->value));
  else *v = (PetscInt)r;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* on/off, 1/0, Y/N style flags as HotSpot reads them. */
static PetscErrorCode PhHsFlag(PhHs *hs, const char name[], PetscBool *v)
{
  PhHsOption *o = PhHsGet(hs, name);

  PetscFunctionBeginUser;
  *v = PETSC_FALSE;
  if (o == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  if (!strcmp(o->value, "on") || !strcmp(o->value, "1") || !strcmp(o->value, "true")) *v = PETSC_TRUE;
  else if (strcmp(o->value, "off") && strcmp(o->value, "0") && strcmp(o->value, "false"))
    PetscCall(PhDiagAdd(hs->diag, o->loc, name, "expected on or off (1 or 0), got \"%s\"", o->value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The configuration file: one "-name value" per line, # comments. */
typedef struct {
  PhHs       *hs;
  const char *path; /* outlives the file: the options keep their locations */
} PhHsConfigRead;

static PetscErrorCode PhHsConfigLine(const PhImpLines *ls, void *ctx)
{
  PhHsConfigRead *r    = (PhHsConfigRead *)ctx;
  PhHs           *hs   = r->hs;
  const char     *path = r->path;

  PetscFunctionBeginUser;
  if (ls->nwords == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PhSourceLoc loc = {path, ls->lineno, ls->words[0].col};

  if (ls->words[0].s[0] != '-' || !ls->words[0].s[1]) PetscCall(PhDiagAdd(hs->diag, loc, NULL, "expected -name value, got \"%s\"", ls->words[0].s));
  else if (ls->nwords != 2)
    PetscCall(PhDiagAdd(hs->diag, loc, ls->words[0].s + 1, "expected one value after %s, got %d", ls->words[0].s, (int)ls->nwords - 1));
  else {
    PetscBool dup = PETSC_FALSE;

    for (PetscInt i = 0; i < hs->nopts; i++)
      if (!strcmp(hs->opts[i].name, ls->words[0].s + 1) && hs->opts[i].loc.file == path) dup = PETSC_TRUE;
    loc.column = ls->words[1].col;
    if (dup) PetscCall(PhDiagAdd(hs->diag, loc, ls->words[0].s + 1, "given twice in %s", path));
    else PetscCall(PhHsSet(hs, ls->words[0].s + 1, ls->words[1].s, loc));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhHsReadConfig(PhHs *hs, const char path[], PhSourceLoc named)
{
  PhHsConfigRead r = {hs, path};

  PetscFunctionBeginUser;
  PetscCall(PhImpEachLine(hs->comm, path, hs->diag, named, "-c", PhHsConfigLine, &r));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The materials file: records "name solid|fluid k capacity [viscosity]" separated by whitespace and # comments. */
typedef struct {
  PhHs     *hs;
  PetscInt  field, nfields; /* the next field of the current record, and how many it has */
  char     *name;
  PetscReal k, cap;
} PhHsMaterialsRead;

static PetscErrorCode PhHsMaterialsLine(const PhImpLines *ls, void *ctx)
{
  PhHsMaterialsRead *r  = (PhHsMaterialsRead *)ctx;
  PhHs              *hs = r->hs;

  PetscFunctionBeginUser;
  if (ls->nwords == 0 && r->field != 0) {
    PhSourceLoc loc = {ls->file->path, ls->lineno, 1};

    PetscCall(PhDiagAdd(hs->diag, loc, r->name, "the file ends inside the record of material \"%s\"", r->name));
  }
  for (PetscInt w = 0; w < ls->nwords; w++) {
    PhSourceLoc loc = {ls->file->path, ls->lineno, ls->words[w].col};
    const char *s   = ls->words[w].s;
    PetscReal   v   = 0;

    if (s[0] == '#') break;
    if (r->field == 0) {
      PetscCall(PetscFree(r->name));
      PetscCall(PetscStrallocpy(s, &r->name));
      for (PetscInt i = 0; i < hs->nmats; i++)
        if (!strcmp(hs->mats[i].name, s)) PetscCall(PhDiagAdd(hs->diag, loc, NULL, "material \"%s\" is defined twice", s));
    } else if (r->field == 1) {
      if (!strcmp(s, "solid")) r->nfields = 4;
      else if (!strcmp(s, "fluid")) r->nfields = 5;
      else PetscCall(PhDiagAdd(hs->diag, loc, r->name, "expected solid or fluid, got \"%s\"", s));
    } else if (!PhImpNumber(s, &v) || !(v > 0)) {
      PetscCall(PhDiagAdd(hs->diag, loc, r->name, "expected a positive %s, got \"%s\"",
                          r->field == 2 ? "conductivity in W/(m K)" : (r->field == 3 ? "volumetric heat capacity in J/(m^3 K)" : "viscosity in Pa s"),
                          s));
    } else if (r->field == 2) r->k = v;
    else if (r->field == 3) r->cap = v;
    if (++r->field == r->nfields) {
      PhHsMaterial *bigger;

      PetscCall(PetscCalloc1(hs->nmats + 1, &bigger));
      if (hs->nmats) PetscCall(PetscArraycpy(bigger, hs->mats, hs->nmats));
      PetscCall(PetscFree(hs->mats));
      hs->mats = bigger;
      PetscCall(PetscStrallocpy(r->name, &hs->mats[hs->nmats].name));
      hs->mats[hs->nmats].k   = r->k;
      hs->mats[hs->nmats].cap = r->cap;
      hs->nmats++;
      r->field   = 0;
      r->nfields = 4;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhHsReadMaterials(PhHs *hs, const char path[], PhSourceLoc named)
{
  PhHsMaterialsRead r = {hs, 0, 4, NULL, 0, 0};

  PetscFunctionBeginUser;
  PetscCall(PhImpEachLine(hs->comm, path, hs->diag, named, "-materials_file", PhHsMaterialsLine, &r));
  PetscCall(PetscFree(r.name));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PhHsMaterial *PhHsFindMaterial(PhHs *hs, const char name[])
{
  for (PetscInt i = 0; i < hs->nmats; i++)
    if (!strcmp(hs->mats[i].name, name)) return &hs->mats[i];
  return NULL;
}

/* A floorplan: "name width height left bottom [specific_heat resistivity]" per line; 3-word connectivity lines are skipped. */
typedef struct {
  PhHs          *hs;
  PhHsFloorplan *flp;
  PetscReal      x0, y0, x1, y1; /* bounding box of the units read, m */
} PhHsFloorplanRead;

static PetscErrorCode PhHsFloorplanLine(const PhImpLines *ls, void *ctx)
{
  PhHsFloorplanRead *r   = (PhHsFloorplanRead *)ctx;
  PhHs              *hs  = r->hs;
  PhHsFloorplan     *flp = r->flp;
  PhSourceLoc        loc = {ls->file->path, ls->lineno, 1};
  PhHsUnit           u;
  PetscReal          v[6] = {0, 0, 0, 0, 0, 0};
  PetscBool          good = PETSC_TRUE;

  PetscFunctionBeginUser;
  if (ls->nwords == 0) { /* the end of the file */
    if (flp->n == 0) {
      loc.line   = 0;
      loc.column = 0;
      PetscCall(PhDiagAdd(hs->diag, loc, NULL, "no functional unit in the floorplan"));
    }
    for (PetscInt i = 0; i < flp->n; i++) { /* HotSpot moves the bounding box to the origin */
      flp->units[i].x -= r->x0;
      flp->units[i].y -= r->y0;
    }
    flp->w = flp->n ? r->x1 - r->x0 : 0;
    flp->h = flp->n ? r->y1 - r->y0 : 0;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (ls->nwords == 3) PetscFunctionReturn(PETSC_SUCCESS); /* HotFloorplan's "unit1 unit2 wire_density" */
  if (ls->nwords != 5 && ls->nwords != 7) {
    PetscCall(PhDiagAdd(hs->diag, loc, ls->words[0].s,
                        "expected 5 fields (name width height left bottom) or 7 (with specific heat and resistivity), got %d", (int)ls->nwords));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt w = 1; w < ls->nwords; w++) {
    loc.column = ls->words[w].col;
    if (!PhImpNumber(ls->words[w].s, &v[w - 1])) {
      PetscCall(PhDiagAdd(hs->diag, loc, ls->words[0].s, "expected a number, got \"%s\"", ls->words[w].s));
      good = PETSC_FALSE;
    } else if ((w <= 2 || w >= 5) && !(v[w - 1] > 0)) {
      PetscCall(PhDiagAdd(hs->diag, loc, ls->words[0].s, "%s must be positive, got %s",
                          w == 1   ? "the width"
                          : w == 2 ? "the height"
                          : w == 5 ? "the specific heat"
                                   : "the resistivity",
                          ls->words[w].s));
      good = PETSC_FALSE;
    }
  }
  for (PetscInt i = 0; i < flp->n; i++)
    if (!strcmp(flp->units[i].name, ls->words[0].s)) {
      loc.column = ls->words[0].col;
      PetscCall(PhDiagAdd(hs->diag, loc, ls->words[0].s, "unit \"%s\" is defined twice in %s", ls->words[0].s, ls->file->path));
      good = PETSC_FALSE;
    }
  if (!good) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscStrallocpy(ls->words[0].s, &u.name));
  u.w     = v[0];
  u.h     = v[1];
  u.x     = v[2];
  u.y     = v[3];
  u.props = (PetscBool)(ls->nwords == 7);
  u.cap   = v[4];
  u.res   = v[5];
  {
    PhHsUnit *bigger;

    PetscCall(PetscMalloc1(flp->n + 1, &bigger));
    if (flp->n) PetscCall(PetscArraycpy(bigger, flp->units, flp->n));
    PetscCall(PetscFree(flp->units));
    flp->units = bigger;
  }
  flp->units[flp->n++] = u;
  r->x0                = PetscMin(r->x0, u.x);
  r->y0                = PetscMin(r->y0, u.y);
  r->x1                = PetscMax(r->x1, u.x + u.w);
  r->y1                = PetscMax(r->y1, u.y + u.h);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhHsReadFloorplan(PhHs *hs, const char path[], PhSourceLoc named, const char key[], PhHsFloorplan **out)
{
  PhHsFloorplanRead r = {hs, NULL, PETSC_MAX_REAL, PETSC_MAX_REAL, -PETSC_MAX_REAL, -PETSC_MAX_REAL};

  PetscFunctionBeginUser;
  *out = NULL;
  for (PetscInt i = 0; i < hs->nflps; i++)
    if (!strcmp(hs->flps[i]->path, path)) {
      *out = hs->flps[i];
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  if (hs->nflps == (PetscInt)(sizeof(hs->flps) / sizeof(hs->flps[0]))) {
    PetscCall(PhDiagAdd(hs->diag, named, key, "more than %d floorplan files", (int)(sizeof(hs->flps) / sizeof(hs->flps[0]))));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscNew(&r.flp));
  PetscCall(PetscStrallocpy(path, &r.flp->path));
  hs->flps[hs->nflps++] = r.flp;
  PetscCall(PhImpEachLine(hs->comm, path, hs->diag, named, key, PhHsFloorplanLine, &r));
  *out = r.flp;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhHsFloorplanFree(PhHsFloorplan **flp)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < (*flp)->n; i++) PetscCall(PetscFree((*flp)->units[i].name));
  PetscCall(PetscFree((*flp)->units));
  PetscCall(PetscFree((*flp)->path));
  PetscCall(PetscFree(*flp));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The layer configuration file: records of 7 value lines (6 when line 4 names a material), first word of each line. */
typedef struct {
  PhHs       *hs;
  const char *path; /* outlives the file: the layers keep their locations */
  PetscInt    field, n, cap;
  PhHsLayer   cur, *layers;
} PhHsLcfRead;

static PetscErrorCode PhHsLcfLine(const PhImpLines *ls, void *ctx)
{
  PhHsLcfRead *r   = (PhHsLcfRead *)ctx;
  PhHs        *hs  = r->hs;
  PhHsLayer   *cur = &r->cur;
  PetscReal    v   = 0;
  char         key[32];

  PetscFunctionBeginUser;
  if (ls->nwords == 0) { /* the end of the file */
    PhSourceLoc loc = {ls->file->path, ls->lineno, 1};

    if (r->field != 0) {
      PetscCall(PhDiagAdd(hs->diag, loc, NULL, "the file ends inside the record of layer %d", (int)r->n));
      PetscCall(PetscFree(cur->material));
    }
    if (r->n == 0 && r->field == 0) {
      loc.line   = 0;
      loc.column = 0;
      PetscCall(PhDiagAdd(hs->diag, loc, NULL, "no layer in the layer configuration file"));
    }
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  const char *s   = ls->words[0].s;
  PhSourceLoc loc = {r->path, ls->lineno, ls->words[0].col};

  (void)snprintf(key, sizeof(key), "layer %d", (int)r->n);
  switch (r->field) {
  case 0:
    if (!PhImpNumber(s, &v) || v != (PetscReal)r->n)
      PetscCall(PhDiagAdd(hs->diag, loc, NULL, "expected the layer number %d, got \"%s\" (layers are numbered 0, 1, ... in order)", (int)r->n, s));
    PetscCall(PetscMemzero(cur, sizeof(*cur)));
    cur->loc = loc;
    break;
  case 1:
  case 2:
    if (strcmp(s, "Y") && strcmp(s, "N") && strcmp(s, "y") && strcmp(s, "n"))
      PetscCall(PhDiagAdd(hs->diag, loc, key, "expected Y or N (%s), got \"%s\"", r->field == 1 ? "lateral heat flow" : "dissipates power", s));
    if (r->field == 1) cur->lateral = (PetscBool)(s[0] == 'Y' || s[0] == 'y');
    else cur->power = (PetscBool)(s[0] == 'Y' || s[0] == 'y');
    break;
  case 3:
    if (PhImpNumber(s, &v)) {
      if (!(v > 0)) PetscCall(PhDiagAdd(hs->diag, loc, key, "the volumetric heat capacity must be positive, got %s", s));
      cur->cap = v;
    } else {
      PhHsMaterial *m = PhHsFindMaterial(hs, s);

      if (m == NULL)
        PetscCall(PhDiagAdd(hs->diag, loc, key, "expected a volumetric heat capacity in J/(m^3 K) or a material of the materials file, got \"%s\"%s",
                            s, hs->nmats ? "" : " (no -materials_file given)"));
      else {
        cur->k   = m->k;
        cur->cap = m->cap;
      }
      PetscCall(PetscStrallocpy(s, &cur->material));
      r->field++; /* no resistivity line */
    }
    break;
  case 4:
    if (!PhImpNumber(s, &v) || !(v > 0)) PetscCall(PhDiagAdd(hs->diag, loc, key, "expected a positive resistivity in m K/W, got \"%s\"", s));
    else cur->k = 1 / v;
    break;
  case 5:
    if (!PhImpNumber(s, &v) || !(v > 0)) PetscCall(PhDiagAdd(hs->diag, loc, key, "expected a positive thickness in m, got \"%s\"", s));
    else cur->thickness = v;
    break;
  case 6: {
    char *flp_path;

    if (strlen(s) > 4 && !strcmp(s + strlen(s) - 4, ".csv")) {
      PetscCall(PhDiagAdd(
        hs->diag, loc, key,
        "a micro-channel layer (%s) is not representable yet: the importer does not map HotSpot's micro-channel model (write the cavity as a layer of type microchannel, cases/README.md section 9.6)",
        s));
      cur->flp = NULL;
    } else {
      PetscCall(PhPathJoin(r->path, s, &flp_path));
      PetscCall(PhHsReadFloorplan(hs, flp_path, loc, key, &cur->flp));
      PetscCall(PetscFree(flp_path));
    }
    if (r->n == r->cap) {
      r->cap = r->cap ? 2 * r->cap : 8;
      PetscCall(PetscRealloc(sizeof(PhHsLayer) * (size_t)r->cap, &r->layers));
    }
    r->layers[r->n++] = *cur;
    PetscCall(PetscMemzero(cur, sizeof(*cur)));
    break;
  }
  }
  if (ls->nwords > 1) {
    loc.column = ls->words[1].col;
    PetscCall(PhDiagWarn(hs->diag, loc, key, "only the first word of a line is read; \"%s\" is ignored", ls->words[1].s));
  }
  r->field = (r->field + 1) % 7;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhHsReadLcf(PhHs *hs, const char path[], PhSourceLoc named, PhHsLayer **layers, PetscInt *nlayers)
{
  PhHsLcfRead r = {.hs = hs, .path = path};

  PetscFunctionBeginUser;
  PetscCall(PhImpEachLine(hs->comm, path, hs->diag, named, "-grid_layer_file", PhHsLcfLine, &r));
  *layers  = r.layers;
  *nlayers = r.n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The power trace: a line of unit names, then one line of powers (W) per sampling interval. */
typedef struct {
  PhHs        *hs;
  const char  *path;  /* outlives the file: the names keep their locations */
  PetscBool    named; /* the line of unit names was read */
  char       **names;
  PhSourceLoc *name_locs;
  PetscInt     ncols, nrows, cap;
  PetscReal   *rows;
} PhHsPtraceRead;

static PetscErrorCode PhHsPtraceLine(const PhImpLines *ls, void *ctx)
{
  PhHsPtraceRead *r   = (PhHsPtraceRead *)ctx;
  PhHs           *hs  = r->hs;
  PhSourceLoc     loc = {ls->file->path, ls->lineno, 1};

  PetscFunctionBeginUser;
  if (ls->nwords == 0) { /* the end of the file */
    if (!r->named) {
      loc.line   = 0;
      loc.column = 0;
      PetscCall(PhDiagAdd(hs->diag, loc, NULL, "the power trace is empty: expected a line of unit names and rows of powers"));
    } else if (r->nrows == 0) PetscCall(PhDiagAdd(hs->diag, loc, NULL, "the power trace has no row of powers"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!r->named) {
    r->named = PETSC_TRUE;
    r->ncols = ls->nwords;
    PetscCall(PetscCalloc2(r->ncols, &r->names, r->ncols, &r->name_locs));
    for (PetscInt c = 0; c < r->ncols; c++) {
      PetscReal v;

      r->name_locs[c].file   = r->path;
      r->name_locs[c].line   = ls->lineno;
      r->name_locs[c].column = ls->words[c].col;
      PetscCall(PetscStrallocpy(ls->words[c].s, &r->names[c]));
      if (PhImpNumber(ls->words[c].s, &v))
        PetscCall(PhDiagAdd(hs->diag, r->name_locs[c], NULL, "expected the line of unit names first, got the number %s", ls->words[c].s));
      for (PetscInt d = 0; d < c; d++)
        if (!strcmp(r->names[d], r->names[c])) PetscCall(PhDiagAdd(hs->diag, r->name_locs[c], NULL, "unit \"%s\" is named twice", r->names[c]));
    }
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (ls->nwords != r->ncols) {
    PetscCall(PhDiagAdd(hs->diag, loc, NULL, "expected %d powers (one per unit of the first line), got %d", (int)r->ncols, (int)ls->nwords));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (r->nrows == r->cap) {
    PetscReal *bigger;

    r->cap = r->cap ? 2 * r->cap : 64;
    PetscCall(PetscMalloc1((size_t)r->cap * (size_t)r->ncols, &bigger));
    if (r->nrows) PetscCall(PetscArraycpy(bigger, r->rows, (size_t)r->nrows * (size_t)r->ncols));
    PetscCall(PetscFree(r->rows));
    r->rows = bigger;
  }
  for (PetscInt c = 0; c < r->ncols; c++) {
    PetscReal *v = &r->rows[r->nrows * r->ncols + c];

    loc.column = ls->words[c].col;
    if (!PhImpNumber(ls->words[c].s, v)) {
      PetscCall(PhDiagAdd(hs->diag, loc, r->names[c], "expected a power in W, got \"%s\"", ls->words[c].s));
      *v = 0;
    } else if (*v < 0) {
      PetscCall(PhDiagAdd(hs->diag, loc, r->names[c], "negative power %s W", ls->words[c].s));
      *v = 0;
    }
  }
  r->nrows++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhHsReadPtrace(PhHs *hs, const char path[], PhSourceLoc named, char ***names, PhSourceLoc **name_locs, PetscInt *ncols,
                                     PetscReal **rows, PetscInt *nrows)
{
  PhHsPtraceRead r = {.hs = hs, .path = path};

  PetscFunctionBeginUser;
  PetscCall(PhImpEachLine(hs->comm, path, hs->diag, named, "-p", PhHsPtraceLine, &r));
  *names     = r.names;
  *name_locs = r.name_locs;
  *ncols     = r.ncols;
  *rows      = r.rows;
  *nrows     = r.nrows;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The init file: "name temperature_K" per line. Read for its problems only (see cases/README.md section 19.1). */
typedef struct {
  PhHs    *hs;
  PetscInt n; /* the good lines */
} PhHsInitRead;

static PetscErrorCode PhHsInitLine(const PhImpLines *ls, void *ctx)
{
  PhHsInitRead *r   = (PhHsInitRead *)ctx;
  PhSourceLoc   loc = {ls->file->path, ls->lineno, 1};
  PetscReal     t;

  PetscFunctionBeginUser;
  if (ls->nwords == 0) PetscFunctionReturn(PETSC_SUCCESS);
  if (ls->nwords != 2) PetscCall(PhDiagAdd(r->hs->diag, loc, NULL, "expected a name and a temperature in K, got %d words", (int)ls->nwords));
  else if (loc.column = ls->words[1].col, !PhImpNumber(ls->words[1].s, &t) || !(t > 0))
    PetscCall(PhDiagAdd(r->hs->diag, loc, ls->words[0].s, "expected a temperature in K, got \"%s\"", ls->words[1].s));
  else r->n++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhHsReadInit(PhHs *hs, const char path[], PhSourceLoc named, PetscInt *n)
{
  PhHsInitRead r = {hs, 0};

  PetscFunctionBeginUser;
  PetscCall(PhImpEachLine(hs->comm, path, hs->diag, named, "init_file", PhHsInitLine, &r));
  *n = r.n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  HotSpot's floorplans are written to a micron and carry rounding gaps and overlaps between units meant to touch (ev6.flp:
  Bpred_1 ends at 28.966 mm, Bpred_2 starts at 28.967 mm). As block edges they would become grid lines around a 1 um
  cell, graded up to the die's cells: a fifth more cells and a multigrid that needs ten times the iterations
  (benchmarks/README.md section 7), for a sliver HotSpot's own grid never sees. So, along x and then y, the unit edges
  of every floorplan closer to each other than PH_HS_SNAP of the die (and than a quarter of the narrowest unit) become
  one line: a floorplan's outer edge where one is among them, else their middle. *moved is the largest move (m) and
  *nmoved the number of edges moved.
*/
static PetscErrorCode PhHsSnapEdges(PhHs *hs, PetscReal *moved, PetscInt *nmoved)
{
  PetscFunctionBeginUser;
  *moved  = 0;
  *nmoved = 0;
  for (int d = 0; d < 2; d++) {
    PetscInt   n = 0, m = 0;
    PetscReal *v, *rep, tol = 0, narrow = PETSC_MAX_REAL;

    for (PetscInt f = 0; f < hs->nflps; f++) {
      n += 2 * hs->flps[f]->n;
      tol = PetscMax(tol, PH_HS_SNAP * PetscMax(hs->flps[f]->w, hs->flps[f]->h));
      for (PetscInt i = 0; i < hs->flps[f]->n; i++) narrow = PetscMin(narrow, d ? hs->flps[f]->units[i].h : hs->flps[f]->units[i].w);
    }
    if (n == 0) continue;
    tol = PetscMin(tol, narrow / 4);
    PetscCall(PetscMalloc2(n, &v, n, &rep));
    for (PetscInt f = 0; f < hs->nflps; f++)
      for (PetscInt i = 0; i < hs->flps[f]->n; i++) {
        const PhHsUnit *u = &hs->flps[f]->units[i];

        v[m++] = d ? u->y : u->x;
        v[m++] = d ? u->y + u->h : u->x + u->w;
      }
    PetscCall(PetscSortReal(n, v));
    for (PetscInt a = 0, b; a < n; a = b) { /* the cluster v[a .. b - 1]: each edge within tol of the previous one */
      PetscReal r = PETSC_MAX_REAL;

      for (b = a + 1; b < n && v[b] - v[b - 1] < tol; b++) {}
      for (PetscInt k = a; k < b; k++)
        for (PetscInt f = 0; f < hs->nflps; f++)
          if (v[k] == 0 || v[k] == (d ? hs->flps[f]->h : hs->flps[f]->w)) r = PetscMin(r, v[k]);
      if (r == PETSC_MAX_REAL) r = (v[a] + v[b - 1]) / 2;
      for (PetscInt k = a; k < b; k++) rep[k] = r;
    }
    for (PetscInt f = 0; f < hs->nflps; f++)
      for (PetscInt i = 0; i < hs->flps[f]->n; i++) {
        PhHsUnit *u = &hs->flps[f]->units[i];
        PetscReal e[2], s[2];

        e[0] = d ? u->y : u->x;
        e[1] = d ? u->y + u->h : u->x + u->w;
        for (int j = 0; j < 2; j++) {
          PetscInt lo = 0, hi = n - 1; /* the first edge not below e[j]: e[j] itself, v holds every edge */

          while (lo < hi) {
            PetscInt mid = (lo + hi) / 2;

            if (v[mid] < e[j]) lo = mid + 1;
            else hi = mid;
          }
          PetscCheck(v[lo] == e[j], PETSC_COMM_SELF, PETSC_ERR_PLIB, "unit edge %g not found", (double)e[j]);
          s[j] = rep[lo];
          if (s[j] != e[j]) {
            *moved = PetscMax(*moved, PetscAbsReal(s[j] - e[j]));
            (*nmoved)++;
          }
        }
        if (d) {
          u->y = s[0];
          u->h = s[1] - s[0];
        } else {
          u->x = s[0];
          u->w = s[1] - s[0];
        }
      }
    PetscCall(PetscFree2(v, rep));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A material of the case from a HotSpot material name (materials file) or from k and capacity. */
static PetscErrorCode PhHsMaterialOf(PhHs *hs, PhImport *imp, const char what[], const char matkey[], PetscReal k, PetscReal cap, PetscReal kxy,
                                     const char comment[], PetscInt *index)
{
  PhHsOption *o = matkey ? PhHsGet(hs, matkey) : NULL;
  char        c[512];

  PetscFunctionBeginUser;
  if (o != NULL && strcmp(o->value, "(null)")) {
    PhHsMaterial *m = PhHsFindMaterial(hs, o->value);

    if (m == NULL)
      PetscCall(PhDiagAdd(hs->diag, o->loc, matkey, "unknown material \"%s\"%s", o->value, hs->nmats ? "" : " (no -materials_file given)"));
    else {
      k   = m->k;
      cap = m->cap;
      (void)snprintf(c, sizeof(c), "%s: -%s %s of the materials file", what, matkey, o->value);
      PetscCall(PhImportAddMaterial(imp, what, kxy > 0 ? kxy : k, kxy > 0 ? kxy : k, k, cap, c, index));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  PetscCall(PhImportAddMaterial(imp, what, kxy > 0 ? kxy : k, kxy > 0 ? kxy : k, k, cap, comment, index));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A layer of the case over a centred square (or the die's rectangle) of `material`, with `outside` around it. */
static PetscErrorCode PhHsPackageLayer(PhImport *imp, const char name[], PetscReal t, PetscInt material, PetscInt outside, PetscReal S, PetscReal w,
                                       PetscReal h, const char comment[], PetscInt *index)
{
  PetscFunctionBeginUser;
  if (w >= S - PH_MERGE_DISTANCE && h >= S - PH_MERGE_DISTANCE) PetscCall(PhImportAddLayer(imp, name, t, material, 1, comment, index));
  else {
    char *bname;

    PetscCall(PhImportAddLayer(imp, name, t, outside, 1, comment, index));
    PetscCall(PhImportUniqueName(imp, name, NULL, &bname));
    PetscCall(PhImportAddBlock(imp, *index, bname, material, (S - w) / 2, (S + w) / 2, (S - h) / 2, (S + h) / 2));
    PetscCall(PetscFree(bname));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A HotSpot layer as the case's layer. Lumped as HotSpot (-ph_lumping hotspot, the default without -detailed_3D and the
   secondary path): a node layer with the layer's lateral conductance and heat capacity, whose conductivity along z
   PhHsLump sets once the whole stack is known. Centred (-ph_lumping centred): one layer of `material`, one cell thick,
   whose node is at mid-thickness (the finite-volume rule). *node_material is the material for the layer's blocks. */
static PetscErrorCode PhHsAddLayer(PhHs *hs, PhImport *imp, const char name[], PetscReal t, PetscInt material, PetscInt outside, PetscReal S,
                                   PetscReal w, PetscReal h, PetscBool bus, const char comment[], PetscInt *node_material, PetscInt *index)
{
  PetscInt       mn;
  PhImpMaterial *m;
  PhHsNode      *node;
  char           nm[80];

  PetscFunctionBeginUser;
  *node_material = material;
  if (!hs->lump) {
    PetscCall(PhHsPackageLayer(imp, name, t, material, outside, S, w, h, comment, index));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  m = &imp->materials[material];
  (void)snprintf(nm, sizeof(nm), "%s_node", m->name);
  /* a negative kz, one per node, keeps two nodes of one material apart until PhHsLump gives each its own */
  PetscCall(PhImportAddMaterial(imp, nm, m->k[0], m->k[1], -1.0 - (PetscReal)hs->nchain, m->cap, "", &mn));
  PetscCall(PhHsPackageLayer(imp, name, t, mn, outside, S, w, h, comment, index));
  node           = &hs->chain[hs->nchain++];
  node->layer    = *index;
  node->material = mn;
  node->source   = material;
  node->t        = t;
  node->R        = t / imp->materials[material].k[2];
  node->w        = w;
  node->h        = h;
  (void)snprintf(node->name, sizeof(node->name), "%s", name);
  *node_material = mn;
  if (bus) { /* HotSpot's four periphery nodes of a spreader or sink the size of the die: each joins the cells along one edge */
    PetscInt        mb;
    const PetscReal x0 = (S - w) / 2, x1 = (S + w) / 2, y0 = (S - h) / 2, y1 = (S + h) / 2, d = PH_HS_BUS * w;
    const char     *side[4] = {"west", "east", "south", "north"};

    PetscCall(PhImportAddMaterial(imp, "periphery_node", PH_HS_K_MAX, PH_HS_K_MAX, PH_HS_K_MIN, PH_HS_CAP_MIN,
                                  "HotSpot's periphery node along an edge of the spreader or sink (-ph_lumping hotspot)", &mb));
    for (int e = 0; e < 4; e++) {
      char *bname;

      (void)snprintf(nm, sizeof(nm), "%s_%s", name, side[e]);
      PetscCall(PhImportUniqueName(imp, nm, NULL, &bname));
      if (e < 2) PetscCall(PhImportAddBlock(imp, *index, bname, mb, e == 0 ? x0 - d : x1, e == 0 ? x0 : x1 + d, y0, y1));
      else PetscCall(PhImportAddBlock(imp, *index, bname, mb, x0, x1, e == 2 ? y0 - d : y1, e == 2 ? y0 : y1 + d));
      PetscCall(PetscFree(bname));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* a_j = c + sg x along a run of joined node layers from s, x = a_s (PhHsSegment) */
static void PhHsLine(const PhHsNode *node, PetscInt s, PetscInt j, PetscReal *c, PetscReal *sg)
{
  *c  = 0;
  *sg = 1;
  for (PetscInt i = s + 1; i <= j; i++) {
    *c  = node[i - 1].R - *c;
    *sg = -*sg;
  }
}

/* The least a_j / t_j of the run s..e at x = a_s: the nearer it is to 1 / (2 kmax), the nearer a node to the largest kz */
static PetscReal PhHsLeast(const PhHsNode *node, PetscInt s, PetscInt e, PetscReal x)
{
  PetscReal least = PETSC_MAX_REAL;

  for (PetscInt j = s; j <= e; j++) {
    PetscReal c, sg;

    PhHsLine(node, s, j, &c, &sg);
    least = PetscMin(least, (c + sg * x) / node[j].t);
  }
  return least;
}

/* Whether the node layers s..e of the chain can be joined with no resistor layer between them, and if `a` is given,
   their half-thickness resistances a[s..e] (m^2 K/W). One cell per layer links two neighbours through the sum of their
   halves, which must be HotSpot's link, the lower layer's whole resistance: a_j + a_(j+1) = R_j. So a_j = c_j + sg_j x
   with x = a_s, and every a_j must lie between t / (2 kmax) and t / (2 kmin). A resistor layer below s or above e takes
   its link's resistance less the two halves, each at most half of what is left beyond the resistor's own least
   (t / kmax); above the last node, the sink's beyond its node goes into the convection (a_(n-1) <= R_(n-1)). */
static PetscBool PhHsSegment(const PhHsNode *node, PetscInt n, PetscInt s, PetscInt e, PetscReal a[])
{
  PetscReal lo = 0, hi = PETSC_MAX_REAL, c = 0, sg = 1;

  for (PetscInt j = s; j <= e; j++) {
    PetscReal lb = node[j].t / (2 * PH_HS_K_MAX), ub = node[j].t / (2 * PH_HS_K_MIN);

    if (j > s) {
      c  = node[j - 1].R - c;
      sg = -sg;
    }
    if (j == s && s > 0) ub = PetscMin(ub, (node[s - 1].R - node[s - 1].t / PH_HS_K_MAX) / 2);
    if (j == e) ub = PetscMin(ub, e < n - 1 ? (node[e].R - node[e].t / PH_HS_K_MAX) / 2 : node[e].R);
    if (sg > 0) {
      lo = PetscMax(lo, lb - c);
      hi = PetscMin(hi, ub - c);
    } else {
      lo = PetscMax(lo, c - ub);
      hi = PetscMin(hi, c - lb);
    }
  }
  if (!(lo <= hi)) return PETSC_FALSE;
  if (a) { /* x as far from the largest conductivity as it goes: the largest least a_j / t_j, at an end or where two are equal */
    PetscReal xbest = lo, best = PhHsLeast(node, s, e, lo);

    if (PhHsLeast(node, s, e, hi) > best) {
      xbest = hi;
      best  = PhHsLeast(node, s, e, hi);
    }
    for (PetscInt i = s; i <= e; i++)
      for (PetscInt k = i + 1; k <= e; k++) {
        PetscReal ci, si, ck, sk, x;

        PhHsLine(node, s, i, &ci, &si);
        PhHsLine(node, s, k, &ck, &sk);
        if (si * node[k].t == sk * node[i].t) continue;
        x = (ck * node[i].t - ci * node[k].t) / (si * node[k].t - sk * node[i].t);
        if (x >= lo && x <= hi && PhHsLeast(node, s, e, x) > best) {
          xbest = x;
          best  = PhHsLeast(node, s, e, x);
        }
      }
    for (PetscInt j = s; j <= e; j++) {
      PetscReal cj, sj;

      PhHsLine(node, s, j, &cj, &sj);
      a[j] = cj + sj * xbest;
    }
  }
  return PETSC_TRUE;
}

/* -ph_lumping hotspot, once the stack is built: HotSpot's node of every layer at the layer's face, with the layer's whole
   vertical resistance between it and the next layer's node (and, for the sink, the ambient). Photherm's one cell per
   layer links two neighbours through half of each one's thickness; the nodes' conductivities along z are chosen so that
   the halves add up to HotSpot's links, with as few resistor layers `<name>_rz` (conductive along z only) as the chain
   allows (a shortest path over runs of joined layers; ev6's die, interface, spreader and sink need none). The sink's
   resistance beyond its half goes into the convection coefficient of the top. */
static PetscErrorCode PhHsLump(PhHs *hs, PhImport *imp, PetscInt outside, PetscReal S)
{
  const PetscInt n    = hs->nchain;
  PhHsNode      *node = hs->chain;
  PetscReal     *a, extra;
  PetscInt      *best, *from;
  PetscBool     *resistor;

  PetscFunctionBeginUser;
  if (n == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc4(n, &a, n, &best, n, &from, n, &resistor));
  for (PetscInt e = 0; e < n; e++) {
    best[e] = PETSC_MAX_INT;
    for (PetscInt s = 0; s <= e; s++)
      if ((s == 0 || best[s - 1] < PETSC_MAX_INT) && (s == 0 ? 0 : best[s - 1] + 1) < best[e] && PhHsSegment(node, n, s, e, NULL)) {
        best[e] = s == 0 ? 0 : best[s - 1] + 1;
        from[e] = s;
      }
    resistor[e] = PETSC_FALSE;
  }
  if (best[n - 1] < PETSC_MAX_INT)
    for (PetscInt e = n - 1; e >= 0; e = from[e] - 1) {
      (void)PhHsSegment(node, n, from[e], e, a);
      if (from[e] > 0) resistor[from[e] - 1] = PETSC_TRUE;
    }
  else /* a layer near the largest conductivity photherm takes: nearly isothermal nodes and a resistor at every link */
    for (PetscInt j = 0; j < n; j++) {
      a[j]        = node[j].t / (2 * PH_HS_K_MAX);
      resistor[j] = (PetscBool)(j < n - 1);
    }
  for (PetscInt j = 0; j < n; j++) {
    PhImpMaterial *m = &imp->materials[node[j].material];

    m->k[2] = node[j].t / (2 * a[j]);
    PetscCall(PetscFree(m->comment));
    PetscCall(PhImportSetString(
      &m->comment, "%s with kz such that half the layer holds %.4g of its %.4g m^2 K/W: HotSpot's node of the layer (-ph_lumping hotspot)",
      imp->materials[node[j].source].name, (double)a[j], (double)node[j].R));
  }
  /* resistor layers, from the top down so that the layers below keep their indices */
  for (PetscInt j = n - 2; j >= 0; j--) {
    PetscInt       mr, lr;
    PetscReal      r = node[j].R - a[j] - a[j + 1];
    PhImpLayer     moved;
    char           nm[80], c[200];
    PhImpMaterial *m;

    if (!resistor[j]) continue;
    r = PetscMax(r, node[j].t / PH_HS_K_MAX);
    m = &imp->materials[node[j].source];
    (void)snprintf(nm, sizeof(nm), "%s_rz", m->name);
    (void)snprintf(c, sizeof(c), "%s along z only: the rest of the layer's vertical resistance, %.4g m^2 K/W (-ph_lumping hotspot)", m->name,
                   (double)r);
    PetscCall(PhImportAddMaterial(imp, nm, PH_HS_K_MIN, PH_HS_K_MIN, node[j].t / r, PH_HS_CAP_MIN, c, &mr));
    (void)snprintf(nm, sizeof(nm), "%s_rz", node[j].name);
    PetscCall(PhHsPackageLayer(imp, nm, node[j].t, mr, outside, S, node[j].w, node[j].h,
                               "the rest of the layer's vertical resistance, between HotSpot's node and the next", &lr));
    moved = imp->layers[lr];
    for (PetscInt l = lr; l > node[j].layer + 1; l--) imp->layers[l] = imp->layers[l - 1];
    imp->layers[node[j].layer + 1] = moved;
  }
  /* the sink's resistance beyond its half cell, in series with the convection */
  extra = node[n - 1].R - a[n - 1];
  if (imp->top.present && extra > 0) {
    char *c = NULL;

    imp->top.h = 1 / (1 / imp->top.h + extra);
    PetscCall(PhImportSetString(&c, "%s, plus the sink's %.4g m^2 K/W beyond its node's half (-ph_lumping hotspot)", imp->top.comment,
                                (double)extra));
    PetscCall(PetscFree(imp->top.comment));
    imp->top.comment = c;
  }
  PetscCall(PetscFree4(a, best, from, resistor));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief photherm import hotspot [HotSpot's options] -o CASE.yaml.

  Collective on `comm`. argv holds HotSpot's options as `-name value` pairs; the last -o names the case, an earlier -o
  is HotSpot's transient trace and asks for a transient.
**/
PetscErrorCode PhImportHotSpot(MPI_Comm comm, int argc, char **argv, const char output[], int *exit_code)
{
  PhHs           hs;
  PhImport      *imp = NULL;
  PhSourceLoc    cmd = {"command line", 0, 0}, loc;
  const char    *flp_path, *ptrace_path, *lcf_path, *mat_path, *init_path, *ttrace = NULL;
  PhHsLayer     *lcf  = NULL;
  PetscInt       nlcf = 0, ncols = 0, nrows = 0, nerrors, ninit = 0;
  char         **names     = NULL;
  PhSourceLoc   *name_locs = NULL;
  PetscReal     *rows      = NULL;
  PetscBool      grid, detailed, secondary, flag;
  PetscReal      t_chip, k_chip, p_chip, c_convec, r_convec, s_sink, t_sink, k_sink, p_sink, s_spreader, t_spreader, k_spreader, p_spreader;
  PetscReal      t_interface, k_interface, p_interface, ambient, init_temp, intvl, r_sec = 0, c_sec = 0, t_metal = 0, t_c4 = 0, s_sub = 0, t_sub = 0;
  PetscReal      s_solder = 0, t_solder = 0, s_pcb = 0, t_pcb = 0, S, W = 0, H = 0, snap_moved;
  PetscInt       snap_n;
  PetscInt       rows_g, cols_g;
  PhHsFloorplan *flp = NULL;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&hs, sizeof(hs)));
  hs.comm = comm;
  PetscCall(PhDiagCreate(&hs.diag));
  /* the command line: -c first (the command line wins over the file), then every other pair */
  for (int i = 0; i < argc; i += 2) {
    const char *a = argv[i];

    if (a[0] != '-' || !a[1]) PetscCall(PhDiagAdd(hs.diag, cmd, NULL, "expected HotSpot's -name value pairs, got \"%s\"", a));
    else if (i + 1 >= argc) PetscCall(PhDiagAdd(hs.diag, cmd, a + 1, "%s needs a value", a));
    else if (!strcmp(a, "-c")) PetscCall(PhHsReadConfig(&hs, argv[i + 1], cmd));
  }
  for (int i = 0; i + 1 < argc; i += 2) {
    if (argv[i][0] != '-' || !strcmp(argv[i], "-c")) continue;
    if (!strcmp(argv[i], "-o")) ttrace = argv[i + 1];
    else PetscCall(PhHsSet(&hs, argv[i] + 1, argv[i + 1], cmd));
  }
  /* unknown keys: HotSpot ignores them silently; a warning says so */
  for (PetscInt i = 0; i < hs.nopts; i++) {
    PetscBool known = PETSC_FALSE;

    for (PetscInt k = 0; PhHsKeys[k] && !known; k++) known = (PetscBool)!strcmp(PhHsKeys[k], hs.opts[i].name);
    if (!known) PetscCall(PhDiagWarn(hs.diag, hs.opts[i].loc, hs.opts[i].name, "not an option of HotSpot 7; ignored, as HotSpot does"));
  }
  /* capabilities that have no photherm counterpart yet */
  PetscCall(PhHsFlag(&hs, "use_microchannels", &flag));
  if (flag)
    PetscCall(PhDiagAdd(
      hs.diag, PhHsGet(&hs, "use_microchannels")->loc, "use_microchannels",
      "micro-channel cooling is not representable yet: the importer does not map HotSpot's micro-channel model (write the cavity as a layer of type microchannel, cases/README.md section 9.6)"));
  PetscCall(PhHsFlag(&hs, "leakage_used", &flag));
  if (flag)
    PetscCall(PhDiagAdd(hs.diag, PhHsGet(&hs, "leakage_used")->loc, "leakage_used",
                        "HotSpot's leakage loop is not converted: add leakage: to the sources of the case (cases/README.md section 12.4)"));
  PetscCall(PhHsFlag(&hs, "package_model_used", &flag));
  if (flag)
    PetscCall(PhDiagAdd(hs.diag, PhHsGet(&hs, "package_model_used")->loc, "package_model_used",
                        "HotSpot's fan and fin package model is not converted: give the sink's r_convec instead"));
  (void)PhHsGet(&hs, "use_microfluidic_cooling");

  /* the package */
  PetscCall(PhHsReal(&hs, "t_chip", 1.5e-4, PETSC_TRUE, &t_chip));
  PetscCall(PhHsReal(&hs, "k_chip", 100, PETSC_TRUE, &k_chip));
  PetscCall(PhHsReal(&hs, "p_chip", 1.75e6, PETSC_TRUE, &p_chip));
  PetscCall(PhHsReal(&hs, "c_convec", 140.4, PETSC_FALSE, &c_convec));
  PetscCall(PhHsReal(&hs, "r_convec", 0.1, PETSC_TRUE, &r_convec));
  PetscCall(PhHsReal(&hs, "s_sink", 0.06, PETSC_TRUE, &s_sink));
  PetscCall(PhHsReal(&hs, "t_sink", 6.9e-3, PETSC_TRUE, &t_sink));
  PetscCall(PhHsReal(&hs, "k_sink", 400, PETSC_TRUE, &k_sink));
  PetscCall(PhHsReal(&hs, "p_sink", 3.55e6, PETSC_TRUE, &p_sink));
  PetscCall(PhHsReal(&hs, "s_spreader", 0.03, PETSC_TRUE, &s_spreader));
  PetscCall(PhHsReal(&hs, "t_spreader", 1e-3, PETSC_TRUE, &t_spreader));
  PetscCall(PhHsReal(&hs, "k_spreader", 400, PETSC_TRUE, &k_spreader));
  PetscCall(PhHsReal(&hs, "p_spreader", 3.55e6, PETSC_TRUE, &p_spreader));
  PetscCall(PhHsReal(&hs, "t_interface", 2e-5, PETSC_TRUE, &t_interface));
  PetscCall(PhHsReal(&hs, "k_interface", 4, PETSC_TRUE, &k_interface));
  PetscCall(PhHsReal(&hs, "p_interface", 4e6, PETSC_TRUE, &p_interface));
  PetscCall(PhHsReal(&hs, "ambient", 318.15, PETSC_TRUE, &ambient));
  PetscCall(PhHsReal(&hs, "init_temp", 333.15, PETSC_TRUE, &init_temp));
  PetscCall(PhHsReal(&hs, "sampling_intvl", 3.333e-6, PETSC_TRUE, &intvl));
  PetscCall(PhHsInt(&hs, "grid_rows", 64, 1, 100000, &rows_g));
  PetscCall(PhHsInt(&hs, "grid_cols", 64, 1, 100000, &cols_g));
  PetscCall(PhHsFlag(&hs, "detailed_3D", &detailed));
  PetscCall(PhHsFlag(&hs, "model_secondary", &secondary));
  {
    PhHsOption *o = PhHsGet(&hs, "ph_lumping");

    /* HotSpot's own network unless asked otherwise, where the import builds it (-detailed_3D off, no secondary path) */
    hs.lump = (PetscBool)(o == NULL ? !detailed && !secondary : !strcmp(o->value, "hotspot"));
    if (o != NULL && strcmp(o->value, "hotspot") && strcmp(o->value, "centred"))
      PetscCall(PhDiagAdd(hs.diag, o->loc, "ph_lumping", "expected centred or hotspot, got \"%s\"", o->value));
    if (hs.lump && detailed)
      PetscCall(PhDiagAdd(hs.diag, o->loc, "ph_lumping",
                          "-ph_lumping hotspot reproduces HotSpot's grid model with -detailed_3D off only: HotSpot's -detailed_3D network adds half "
                          "the sink's convection resistance under the die and sends most of the heat through its lumped spreader edges, which "
                          "the import does not build (cases/README.md section 19.1)"));
    else if (hs.lump && secondary)
      PetscCall(PhDiagAdd(hs.diag, o->loc, "ph_lumping", "-ph_lumping hotspot reproduces HotSpot's grid model with -model_secondary 0 only"));
  }
  {
    PhHsOption *o = PhHsGet(&hs, "model_type");

    grid = (PetscBool)(o != NULL && !strcmp(o->value, "grid"));
    if (o != NULL && strcmp(o->value, "grid") && strcmp(o->value, "block"))
      PetscCall(PhDiagAdd(hs.diag, o->loc, "model_type", "expected block or grid, got \"%s\"", o->value));
  }
  if (secondary) {
    PetscCall(PhHsReal(&hs, "r_convec_sec", 1.0, PETSC_TRUE, &r_sec));
    PetscCall(PhHsReal(&hs, "c_convec_sec", 140.4, PETSC_FALSE, &c_sec));
    PetscCall(PhHsReal(&hs, "t_metal", 1e-5, PETSC_TRUE, &t_metal));
    PetscCall(PhHsReal(&hs, "t_c4", 1e-4, PETSC_TRUE, &t_c4));
    PetscCall(PhHsReal(&hs, "s_sub", 0.021, PETSC_TRUE, &s_sub));
    PetscCall(PhHsReal(&hs, "t_sub", 1e-3, PETSC_TRUE, &t_sub));
    PetscCall(PhHsReal(&hs, "s_solder", 0.021, PETSC_TRUE, &s_solder));
    PetscCall(PhHsReal(&hs, "t_solder", 9.4e-4, PETSC_TRUE, &t_solder));
    PetscCall(PhHsReal(&hs, "s_pcb", 0.1, PETSC_TRUE, &s_pcb));
    PetscCall(PhHsReal(&hs, "t_pcb", 2e-3, PETSC_TRUE, &t_pcb));
    if (!grid)
      PetscCall(PhDiagAdd(hs.diag, PhHsGet(&hs, "model_secondary")->loc, "model_secondary",
                          "HotSpot models the secondary path only with -model_type grid"));
  }

  /* the files */
  mat_path = PhHsFile(&hs, "materials_file", &loc);
  if (mat_path) PetscCall(PhHsReadMaterials(&hs, mat_path, loc));
  lcf_path = PhHsFile(&hs, "grid_layer_file", &loc);
  if (lcf_path && !grid) {
    PetscCall(PhDiagAdd(hs.diag, loc, "grid_layer_file", "a layer configuration file needs -model_type grid"));
    lcf_path = NULL;
  }
  if (lcf_path) PetscCall(PhHsReadLcf(&hs, lcf_path, loc, &lcf, &nlcf));
  else {
    flp_path = PhHsFile(&hs, "f", &loc);
    if (flp_path == NULL) PetscCall(PhDiagAdd(hs.diag, cmd, "-f", "no floorplan: give -f FILE.flp (or -grid_layer_file FILE.lcf)"));
    else PetscCall(PhHsReadFloorplan(&hs, flp_path, loc, "-f", &flp));
  }
  ptrace_path = PhHsFile(&hs, "p", &loc);
  if (ptrace_path == NULL) PetscCall(PhDiagAdd(hs.diag, cmd, "-p", "no power trace: give -p FILE.ptrace"));
  else PetscCall(PhHsReadPtrace(&hs, ptrace_path, loc, &names, &name_locs, &ncols, &rows, &nrows));
  init_path = PhHsFile(&hs, "init_file", &loc);
  if (init_path) PetscCall(PhHsReadInit(&hs, init_path, loc, &ninit));
  (void)PhHsGet(&hs, "steady_file");
  (void)PhHsGet(&hs, "grid_steady_file");
  (void)PhHsGet(&hs, "grid_transient_file");
  PetscCall(PhHsSnapEdges(&hs, &snap_moved, &snap_n));

  /* the die: every layer's floorplan has the same size */
  if (lcf_path) {
    for (PetscInt l = 0; l < nlcf; l++)
      if (lcf[l].flp && lcf[l].flp->n) {
        if (W == 0) {
          W = lcf[l].flp->w;
          H = lcf[l].flp->h;
        } else if (PetscAbsReal(lcf[l].flp->w - W) > 1e-9 || PetscAbsReal(lcf[l].flp->h - H) > 1e-9)
          PetscCall(PhDiagAdd(hs.diag, lcf[l].loc, NULL,
                              "the floorplan %s is %g m x %g m, other layers' %g m x %g m: HotSpot needs one size for every layer", lcf[l].flp->path,
                              (double)lcf[l].flp->w, (double)lcf[l].flp->h, (double)W, (double)H));
      }
  } else if (flp) {
    W = flp->w;
    H = flp->h;
  }
  if (W > 0 && (s_spreader < W - 1e-12 || s_spreader < H - 1e-12))
    PetscCall(PhDiagAdd(hs.diag, PhHsGet(&hs, "s_spreader") ? PhHsGet(&hs, "s_spreader")->loc : cmd, "s_spreader",
                        "the spreader (%g m) is smaller than the die (%g m x %g m)", (double)s_spreader, (double)W, (double)H));
  if (s_sink < s_spreader - 1e-12)
    PetscCall(PhDiagAdd(hs.diag, PhHsGet(&hs, "s_sink") ? PhHsGet(&hs, "s_sink")->loc : cmd, "s_sink",
                        "the sink (%g m) is smaller than the spreader (%g m)", (double)s_sink, (double)s_spreader));
  if (ttrace != NULL && !strcmp(ttrace, output)) ttrace = NULL;

  PetscCall(PhDiagGetCount(hs.diag, &nerrors, NULL));
  if (nerrors == 0) {
    PetscInt   outside, m_spr, m_sink, li;
    PetscBool  bus_spr, bus_sink;
    PetscReal  ox, oy, cap_sink;
    char       c[1024];
    PetscInt  *col_of = NULL; /* ptrace column of each power unit */
    PetscInt   npower = 0;
    PhHsLayer  die_layers[2];
    PhHsLayer *stack  = lcf;
    PetscInt   nstack = nlcf;
    PetscReal *mean;

    PetscCall(PhImportCreate(&imp));
    S = PetscMax(PetscMax(s_sink, s_spreader), PetscMax(W, H));
    if (secondary) S = PetscMax(S, PetscMax(s_pcb, PetscMax(s_sub, s_solder)));
    /* -ph_lumping hotspot: a spreader or sink the size of a square die keeps HotSpot's periphery nodes, beside it */
    bus_spr  = (PetscBool)(hs.lump && s_spreader <= W + 1e-9 && s_spreader <= H + 1e-9);
    bus_sink = (PetscBool)(hs.lump && s_sink <= W + 1e-9 && s_sink <= H + 1e-9);
    if (bus_spr || bus_sink) S = PetscMax(S, (1 + 2 * PH_HS_BUS) * W);
    ox = (S - W) / 2;
    oy = (S - H) / 2;
    {
      const char *slash = strrchr(output, '/'), *base = slash ? slash + 1 : output;
      size_t      n = strlen(base);

      if (n > 5 && !strcmp(base + n - 5, ".yaml")) n -= 5;
      PetscCall(PhImportSetString(&imp->name, "%.*s", (int)n, base));
      for (char *p = imp->name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.')) *p = '_';
    }
    PetscCall(PhImportSetString(&imp->description, "HotSpot %s model converted by photherm import hotspot", grid ? "grid" : "block"));
    PetscCall(PhImportAddLine(&imp->header, &imp->nheader,
                              "Converted from HotSpot 7 inputs by photherm import hotspot (cases/README.md section 19.1):"));
    {
      char *line = NULL;

      PetscCall(PhImportSetString(&line, "  hotspot"));
      for (int i = 0; i < argc; i++) PetscCall(PhImportSetString(&line, "%s %s", line, argv[i]));
      PetscCall(PhImportAddLine(&imp->header, &imp->nheader, "%s", line));
      PetscCall(PetscFree(line));
    }
    for (int i = 0; i + 1 < argc; i += 2)
      if (!strcmp(argv[i], "-c")) PetscCall(PhImportAddLine(&imp->header, &imp->nheader, "configuration file: %s", argv[i + 1]));
    if (lcf_path) PetscCall(PhImportAddLine(&imp->header, &imp->nheader, "layer configuration: %s", lcf_path));
    for (PetscInt i = 0; i < hs.nflps; i++) PetscCall(PhImportAddLine(&imp->header, &imp->nheader, "floorplan: %s", hs.flps[i]->path));
    PetscCall(PhImportAddLine(&imp->header, &imp->nheader, "power trace: %s (%d units, %d rows of %g s)", ptrace_path, (int)ncols, (int)nrows,
                              (double)intvl));
    if (mat_path) PetscCall(PhImportAddLine(&imp->header, &imp->nheader, "materials: %s", mat_path));
    PetscCall(PhImportAddLine(
      &imp->header, &imp->nheader,
      "HotSpot's package: die %g x %g mm centred on a %g mm spreader and a %g mm sink%s; photherm resolves the spreader and sink", (double)(W * 1e3),
      (double)(H * 1e3), (double)(s_spreader * 1e3), (double)(s_sink * 1e3), secondary ? ", the secondary path below the die" : ""));
    PetscCall(PhImportAddLine(&imp->header, &imp->nheader,
                              "outside the die where HotSpot lumps them into 12 nodes; around them is still air, where nothing conducts in HotSpot."));

    if (snap_n)
      PetscCall(PhImportAddLine(
        &imp->notes, &imp->nnotes,
        "%d unit edges closer than %g of the die to another were merged into one grid line, moved by %.3g um at most (cases/README.md section 19.1)",
        (int)snap_n, (double)PH_HS_SNAP, (double)(snap_moved * 1e6)));
    PetscCall(PhImportAddMaterial(imp, "outside", PH_AIR_K, PH_AIR_K, PH_AIR_K, PH_AIR_CAP,
                                  "still air around the die and spreader: HotSpot has no material there", &outside));
    imp->fx0 = 0;
    imp->fx1 = S;
    imp->fy0 = 0;
    imp->fy1 = S;
    /* the die at HotSpot's cell; beyond it the cells grow by grid.max_ratio up to 1/32 of the footprint */
    imp->refine_xy   = grid ? PetscMin(W / cols_g, H / rows_g) : PetscMin(W, H) / 64;
    imp->max_cell_xy = PetscMax(imp->refine_xy, S / 32);
    imp->rx0         = ox;
    imp->rx1         = ox + W;
    imp->ry0         = oy;
    imp->ry1         = oy + H;
    if (imp->max_cell_xy <= imp->refine_xy * (1 + 1e-9)) imp->refine_xy = 0;
    if (grid)
      PetscCall(PhImportSetString(&imp->grid_comment,
                                  "HotSpot's grid: %d x %d cells over the die; coarser beyond it, where HotSpot has 12 lumped nodes", (int)rows_g,
                                  (int)cols_g));
    else
      PetscCall(PhImportSetString(&imp->grid_comment,
                                  "HotSpot's block model has one node per unit; photherm resolves the die with 64 x 64 cells, coarser beyond it"));

    /* secondary path, bottom to top: PCB, solder, substrate (and without a layer file C4/underfill and metal) */
    if (secondary) {
      PetscInt m, l;

      PetscCall(PhImportAddMaterial(imp, "pcb", 1 / 0.333, 1 / 0.333, 1 / 0.333, 1.32e6 + PH_HS_C_FACTOR * c_sec / (s_pcb * s_pcb * t_pcb),
                                    "HotSpot's PCB (resistivity 0.333 m K/W, 1.32e6 J/m^3/K) plus 0.333 x c_convec_sec", &m));
      PetscCall(PhHsPackageLayer(imp, "pcb", t_pcb, m, outside, S, s_pcb, s_pcb, "secondary path: s_pcb, t_pcb", &l));
      PetscCall(PhImportAddMaterial(imp, "solder", 1 / 0.06, 1 / 0.06, 1 / 0.06, 2.1e6, "HotSpot's solder balls (0.06 m K/W, 2.1e6 J/m^3/K)", &m));
      PetscCall(PhHsPackageLayer(imp, "solder", t_solder, m, outside, S, s_solder, s_solder, "secondary path: s_solder, t_solder", &l));
      PetscCall(PhImportAddMaterial(imp, "substrate", 1 / 0.5, 1 / 0.5, 1 / 0.5, 1.6e6, "HotSpot's package substrate (0.5 m K/W, 1.6e6 J/m^3/K)",
                                    &m));
      PetscCall(PhHsPackageLayer(imp, "substrate", t_sub, m, outside, S, s_sub, s_sub, "secondary path: s_sub, t_sub", &l));
      if (!lcf_path) {
        PetscCall(PhImportAddMaterial(imp, "c4", 1 / 0.8, 1 / 0.8, 1 / 0.8, 1.65e6, "HotSpot's C4/underfill (0.8 m K/W, 1.65e6 J/m^3/K)", &m));
        PetscCall(PhHsPackageLayer(imp, "c4", t_c4, m, outside, S, W, H, "secondary path: t_c4", &l));
        PetscCall(PhImportAddMaterial(imp, "metal", 1 / 0.0025, 1 / 0.0025, 1 / 0.0025, 3.55e6,
                                      "HotSpot's metal layer (0.0025 m K/W, 3.55e6 J/m^3/K)", &m));
        PetscCall(PhHsPackageLayer(imp, "metal", t_metal, m, outside, S, W, H, "secondary path: t_metal", &l));
      }
      imp->bottom.present = PETSC_TRUE;
      imp->bottom.h       = 1 / (r_sec * s_pcb * s_pcb);
      imp->bottom.ambient = ambient;
      if (s_pcb < S - PH_MERGE_DISTANCE) {
        imp->bottom.region = PETSC_TRUE;
        imp->bottom.x0 = imp->bottom.y0 = (S - s_pcb) / 2;
        imp->bottom.x1 = imp->bottom.y1 = (S + s_pcb) / 2;
      }
      PetscCall(PhImportSetString(&imp->bottom.comment, "secondary path: 1 / (r_convec_sec %g K/W x s_pcb^2)", (double)r_sec));
    }
    /* the chip layers: the layer file's, or silicon and interface */
    if (!lcf_path) {
      PetscCall(PetscMemzero(die_layers, sizeof(die_layers)));
      die_layers[0].lateral   = PETSC_TRUE;
      die_layers[0].power     = PETSC_TRUE;
      die_layers[0].thickness = t_chip;
      die_layers[0].flp       = flp;
      die_layers[1].lateral   = PETSC_TRUE;
      die_layers[1].thickness = t_interface;
      die_layers[1].flp       = flp;
      stack                   = die_layers;
      nstack                  = 2;
    }
    if (hs.lump) PetscCall(PetscCalloc1(nstack + 2, &hs.chain));
    PetscCall(PetscCalloc1(ncols, &col_of));
    for (PetscInt c = 0; c < ncols; c++) col_of[c] = -1;
    for (PetscInt l = 0; l < nstack; l++) {
      PhHsLayer *L = &stack[l];
      char       lname[32], prefix[40];
      PetscInt   m;

      if (lcf_path) {
        (void)snprintf(lname, sizeof(lname), "layer_%d", (int)l);
        (void)snprintf(c, sizeof(c), "layer %d of %s, %s%s", (int)l, lcf_path, L->material ? "material " : "", L->material ? L->material : "");
        PetscCall(PhHsMaterialOf(&hs, imp, lname, NULL, L->k, L->cap, L->lateral ? 0 : L->k * 1e-9, c, &m));
      } else if (l == 0) {
        (void)snprintf(lname, sizeof(lname), "die");
        PetscCall(PhHsMaterialOf(&hs, imp, "chip", "material_chip", k_chip, p_chip, 0, "k_chip, p_chip", &m));
      } else {
        (void)snprintf(lname, sizeof(lname), "interface");
        PetscCall(PhHsMaterialOf(&hs, imp, "interface", "material_interface", k_interface, p_interface, 0, "k_interface, p_interface", &m));
      }
      if (lcf_path) (void)snprintf(c, sizeof(c), "LCF layer %d: %s", (int)l, L->flp ? L->flp->path : "");
      else (void)snprintf(c, sizeof(c), l == 0 ? "t_chip, floorplan %s" : "t_interface, as wide as the die (floorplan %s)", flp->path);
      PetscCall(PhHsAddLayer(&hs, imp, lname, L->thickness, m, outside, S, W, H, PETSC_FALSE, c, &m, &li));
      if (!L->flp) continue;
      (void)snprintf(prefix, sizeof(prefix), "L%d_", (int)l);
      for (PetscInt u = 0; u < L->flp->n; u++) {
        PhHsUnit *U     = &L->flp->units[u];
        PetscInt  um    = m;
        PetscBool block = L->power;
        char     *bname;

        if (detailed && U->props) {
          char mn[80];

          (void)snprintf(mn, sizeof(mn), "%s_unit", lname);
          PetscCall(PhImportAddMaterial(imp, mn, L->lateral ? 1 / U->res : 1e-9 / U->res, L->lateral ? 1 / U->res : 1e-9 / U->res, 1 / U->res, U->cap,
                                        "specific heat and resistivity of a unit of the floorplan (-detailed_3D on)", &um));
          block = PETSC_TRUE;
        }
        if (!block) continue;
        PetscCall(PhImportUniqueName(imp, U->name, prefix, &bname));
        PetscCall(PhImportAddBlock(imp, li, bname, um, ox + U->x, ox + U->x + U->w, oy + U->y, oy + U->y + U->h));
        if (L->power) { /* its ptrace column: HotSpot groups the columns by power layer, in layer order */
          PetscInt found = -1;

          for (PetscInt cc = npower; cc < ncols && found < 0; cc++)
            if (!strcmp(names[cc], U->name) && col_of[cc] < 0) found = cc;
          if (found < 0)
            for (PetscInt cc = 0; cc < ncols && found < 0; cc++)
              if (!strcmp(names[cc], U->name) && col_of[cc] < 0) found = cc;
          if (found < 0)
            PetscCall(PhDiagAdd(hs.diag, name_locs ? name_locs[0] : cmd, NULL, "no column for unit \"%s\" of %s", U->name, L->flp->path));
          else {
            col_of[found] = imp->nsources;
            PetscCall(PhImportAddSource(imp, bname, bname, 0, found, NULL));
          }
        }
        PetscCall(PetscFree(bname));
      }
      npower += L->power ? L->flp->n : 0;
    }
    for (PetscInt cc = 0; cc < ncols; cc++)
      if (col_of[cc] < 0)
        PetscCall(PhDiagAdd(hs.diag, name_locs[cc], NULL, "unit \"%s\" is in no floorplan of a layer that dissipates power", names[cc]));
    if (imp->nsources == ncols) { /* the sources in the trace's column order, as HotSpot's .ttrace lists them */
      PhImpSource *ordered;

      PetscCall(PetscMalloc1(ncols, &ordered));
      for (PetscInt cc = 0; cc < ncols; cc++) {
        ordered[cc] = imp->sources[col_of[cc]];
        col_of[cc]  = cc;
      }
      PetscCall(PetscArraycpy(imp->sources, ordered, ncols));
      PetscCall(PetscFree(ordered));
    }
    /* spreader and sink; the lumped convection capacitance goes into the sink, spread as HotSpot spreads it */
    PetscCall(PhHsMaterialOf(&hs, imp, "spreader", "material_spreader", k_spreader, p_spreader, 0, "k_spreader, p_spreader", &m_spr));
    PetscCall(PhHsAddLayer(&hs, imp, "spreader", t_spreader, m_spr, outside, S, s_spreader, s_spreader, bus_spr, "s_spreader, t_spreader", &m_spr,
                           &li));
    {
      PhHsOption *o = PhHsGet(&hs, "material_sink");

      if (o && strcmp(o->value, "(null)") && PhHsFindMaterial(&hs, o->value)) {
        k_sink = PhHsFindMaterial(&hs, o->value)->k;
        p_sink = PhHsFindMaterial(&hs, o->value)->cap;
      }
    }
    cap_sink = p_sink + PH_HS_C_FACTOR * c_convec / (s_sink * s_sink * t_sink);
    (void)snprintf(c, sizeof(c), "k_sink %g, p_sink %g plus 0.333 x c_convec %g J/K spread over the sink (HotSpot's lumped convection capacitance)",
                   (double)k_sink, (double)p_sink, (double)c_convec);
    PetscCall(PhImportAddMaterial(imp, "sink", k_sink, k_sink, k_sink, cap_sink, c, &m_sink));
    PetscCall(PhHsAddLayer(&hs, imp, "sink", t_sink, m_sink, outside, S, s_sink, s_sink, bus_sink, "s_sink, t_sink", &m_sink, &li));
    imp->top.present = PETSC_TRUE;
    imp->top.h       = 1 / (r_convec * s_sink * s_sink);
    imp->top.ambient = ambient;
    if (s_sink < S - PH_MERGE_DISTANCE) {
      imp->top.region = PETSC_TRUE;
      imp->top.x0 = imp->top.y0 = (S - s_sink) / 2;
      imp->top.x1 = imp->top.y1 = (S + s_sink) / 2;
    }
    PetscCall(PhImportSetString(&imp->top.comment, "1 / (r_convec %g K/W x s_sink^2), ambient %g K", (double)r_convec, (double)ambient));
    PetscCall(PhHsLump(&hs, imp, outside, S));

    /* powers: the trace for a transient (HotSpot's -o), the mean of all rows for a steady state (as HotSpot's) */
    PetscCall(PetscCalloc1(ncols, &mean));
    for (PetscInt r = 0; r < nrows; r++)
      for (PetscInt cc = 0; cc < ncols; cc++) mean[cc] += rows[r * ncols + cc] / nrows;
    if (ttrace == NULL) {
      imp->steady = PETSC_TRUE;
      for (PetscInt cc = 0; cc < ncols; cc++)
        if (col_of[cc] >= 0) {
          imp->sources[col_of[cc]].column = -1;
          imp->sources[col_of[cc]].power  = mean[cc];
        }
      PetscCall(PhImportSetString(&imp->time_comment, "steady state of the mean of the %d rows of %s, as HotSpot's (no -o given)", (int)nrows,
                                  ptrace_path));
    } else {
      PetscInt extra = init_path ? 1 : 0;

      imp->steady       = PETSC_FALSE;
      imp->end          = nrows * intvl;
      imp->dt_max       = intvl;
      imp->series_every = intvl;
      imp->fields_every = imp->end;
      imp->ntrace_cols  = ncols;
      imp->ntrace_rows  = nrows + extra;
      PetscCall(PetscMalloc1(ncols, &imp->trace_names));
      for (PetscInt cc = 0; cc < ncols; cc++)
        PetscCall(PetscStrallocpy(col_of[cc] >= 0 ? imp->sources[col_of[cc]].name : names[cc], &imp->trace_names[cc]));
      PetscCall(PetscMalloc2(imp->ntrace_rows, &imp->trace_times, imp->ntrace_rows * ncols, &imp->trace_values));
      if (extra) {
        imp->trace_times[0] = 0;
        PetscCall(PetscArraycpy(imp->trace_values, mean, ncols));
      }
      for (PetscInt r = 0; r < nrows; r++) {
        imp->trace_times[r + extra] = r * intvl + (r == 0 && extra ? 1e-6 * intvl : 0);
        PetscCall(PetscArraycpy(imp->trace_values + (r + extra) * ncols, rows + r * ncols, ncols));
      }
      PetscCall(PhImportAddLine(&imp->trace_header, &imp->ntrace_header,
                                "power trace %s converted by photherm import hotspot: row k holds from k x %g s (sampling_intvl)", ptrace_path,
                                (double)intvl));
      if (extra)
        PetscCall(PhImportAddLine(
          &imp->trace_header, &imp->ntrace_header,
          "the first row (t = 0, for 1e-6 of an interval) is the mean of all rows: the steady start stands for HotSpot's init file %s", init_path));
      imp->initial_steady = (PetscBool)(init_path != NULL);
      imp->initial        = init_temp;
      PetscCall(PhImportSetString(
        &imp->time_comment, "transient of the %d rows of %s every %g s (HotSpot's -o %s: photherm summary OUT.h5 --ttrace FILE writes it), from %s",
        (int)nrows, ptrace_path, (double)intvl, ttrace, init_path ? "the steady state of the mean powers (HotSpot's init file)" : "init_temp"));
    }
    PetscCall(PetscFree(mean));
    PetscCall(PetscFree(col_of));
    {
      PhHsOption *o = PhHsGet(&hs, "grid_map_mode");

      PetscCall(
        PhImportAddLine(&imp->notes, &imp->nnotes,
                        "Block temperatures: /series/blocks/t_mean is the mean over each unit (HotSpot's grid_map_mode avg; this model's is %s).",
                        o ? o->value : "center"));
    }
    if (!grid)
      PetscCall(PhImportAddLine(&imp->notes, &imp->nnotes,
                                "HotSpot's block model (one node per unit and layer) is replaced by photherm's resolved model of the same package."));
    if (hs.lump)
      PetscCall(PhImportAddLine(&imp->notes, &imp->nnotes,
                                "HotSpot's node of each layer at its face (-ph_lumping hotspot, the default): -ph_lumping centred gives photherm's "
                                "node at mid-thickness instead (cases/README.md section 19.1)."));
    else if (secondary && !PhHsGet(&hs, "ph_lumping"))
      PetscCall(PhImportAddLine(&imp->notes, &imp->nnotes,
                                "With the secondary path every layer has photherm's node at mid-thickness: HotSpot's node at the layer's face "
                                "(-ph_lumping hotspot) is built without it only (cases/README.md section 19.1)."));
    if (grid && detailed) {
      PetscCall(
        PhImportAddLine(&imp->notes, &imp->nnotes,
                        "HotSpot's -detailed_3D on is hotter than this model: under the die its link from the spreader to the sink takes half of "
                        "the sink cell's resistance,"));
      PetscCall(
        PhImportAddLine(&imp->notes, &imp->nnotes,
                        "which holds the cell's share of r_convec (%g K/W x s_sink^2 / die area / 2 = %.4g K/W over the die), on top of the whole "
                        "of it to the ambient;",
                        (double)r_convec, (double)(r_convec * s_sink * s_sink / (W * H) / 2)));
      PetscCall(PhImportAddLine(&imp->notes, &imp->nnotes,
                                "on its examples 3 and 4 that makes its units 15 and 21 K hotter on average (benchmarks/README.md section 7). This "
                                "model uses the units' own materials as -detailed_3D does."));
    }
    PetscCall(PhDiagGetCount(hs.diag, &nerrors, NULL));
    if (nerrors == 0) PetscCall(PhImportWrite(comm, imp, output, hs.diag, exit_code));
    (void)ninit;
  }
  if (nerrors > 0) {
    PetscCall(PhDiagPrint(hs.diag, comm, stderr));
    *exit_code = PH_EXIT_BAD_INPUT;
  }
  PetscCall(PhImportDestroy(&imp));
  PetscCall(PetscFree(hs.chain));
  for (PetscInt l = 0; l < nlcf; l++) PetscCall(PetscFree(lcf[l].material));
  PetscCall(PetscFree(lcf));
  for (PetscInt i = 0; i < hs.nflps; i++) PetscCall(PhHsFloorplanFree(&hs.flps[i]));
  for (PetscInt i = 0; i < hs.nopts; i++) {
    PetscCall(PetscFree(hs.opts[i].name));
    PetscCall(PetscFree(hs.opts[i].value));
  }
  PetscCall(PetscFree(hs.opts));
  for (PetscInt i = 0; i < hs.nmats; i++) PetscCall(PetscFree(hs.mats[i].name));
  PetscCall(PetscFree(hs.mats));
  for (PetscInt c = 0; c < ncols; c++) PetscCall(PetscFree(names[c]));
  PetscCall(PetscFree2(names, name_locs));
  PetscCall(PetscFree(rows));
  PetscCall(PhDiagDestroy(&hs.diag));
  PetscFunctionReturn(PETSC_SUCCESS);
}

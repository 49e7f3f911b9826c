/*
  The thermal sections of the case file (DESIGN §3): materials, the geometry (footprint, grid, stack, blocks, or a
  mesh file), boundaries, sources, time and output, and the check that a steady state can exist.

  Owns the resolved thermal part of the PhCase and the names of faces and boundary types (PhFaces, PhBoundaryTypes).
  Calls the getters (case_get.c), the tree (case_yaml.c) and the mesh file header (case_meshfile.c); never the
  optics sections, which come after it (case.c).
*/
#include "case_impl.h"

#include <errno.h>
#include <photherm/h5.h>
#include <string.h>

/*
  "[kx, ky, kz] UNIT" written as one quoted scalar: YAML does not allow text after a flow list, so the form of
  DESIGN §3.3 has to be quoted. The unit applies to each of the three numbers.
*/
static PetscErrorCode PhSchemaConductivityList(PhLoader *ld, PhNode *node, const char path[], PetscReal k[3])
{
  const char *close = strchr(node->value, ']');
  char        inner[256], unit[64], item[300], reason[PH_REASON_LEN];
  char       *save = NULL, *tok;
  PetscInt    n    = 0;

  PetscFunctionBeginUser;
  if (close == NULL || (size_t)(close - node->value) >= sizeof(inner) || strlen(close + 1) >= sizeof(unit)) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected \"[kx, ky, kz] W/m/K\", got \"%s\"", node->value));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  memcpy(inner, node->value + 1, (size_t)(close - node->value) - 1);
  inner[close - node->value - 1] = '\0';
  (void)snprintf(unit, sizeof(unit), "%s", close + 1);
  for (tok = strtok_r(inner, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
    PetscBool ok;

    if (n == 3) {
      n++;
      break;
    }
    (void)snprintf(item, sizeof(item), "%s %s", tok, unit);
    ld->param_failed = PETSC_FALSE;
    PetscCall(PhUnitsParse(item, PH_QT_CONDUCTIVITY, PhParamLookup_Private, ld, NULL, &k[n], &ok, reason, sizeof(reason)));
    if (!ok) {
      if (!ld->param_failed) PetscCall(PhDiagAdd(ld->diag, node->loc, path, "%s", reason));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    if (!(k[n] > 0)) {
      PetscCall(PhDiagAdd(ld->diag, node->loc, path, "a conductivity must be positive, got %g W/m/K", (double)k[n]));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    n++;
  }
  if (n != 3) PetscCall(PhDiagAdd(ld->diag, node->loc, path, "expected three conductivities \"[kx, ky, kz] W/m/K\", got \"%s\"", node->value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhSchemaMaterials_Private(PhLoader *ld)
{
  static const char *const keys[] = {"k", "rho", "cp", "k_exponent", NULL};
  PhNode                  *mats   = PhNodeGet_Private(ld->root, "materials");
  PhCase                   pb     = ld->problem;
  PetscBool                ok;

  PetscFunctionBeginUser;
  if (PhNodeIsNull_Private(mats)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhGetExpectMap_Private(ld, mats, "materials", &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscCalloc1(mats->n, &pb->materials));
  pb->nmaterials = mats->n;
  for (PetscInt m = 0; m < mats->n; m++) {
    PhMaterial *mat = &pb->materials[m];
    PhNode     *map = mats->values[m], *k;
    char        path[512], sub[540];

    PetscCall(PetscStrallocpy(mats->keys[m]->value, &mat->name));
    mat->loc = mats->keys[m]->loc;
    PetscCall(PhNodePath_Private(path, sizeof(path), "materials", mat->name, -1));
    PetscCall(PhGetExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    PetscCall(PhGetCheckKeys_Private(ld, map, path, keys));
    k = PhNodeGet_Private(map, "k");
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "k", -1));
    if (PhNodeIsNull_Private(k)) PetscCall(PhGetMissing_Private(ld, map, path, "k", PhQuantityTypeDescription(PH_QT_CONDUCTIVITY)));
    else if (k->type == PH_NODE_SEQ) {
      /* [kx, ky, kz] W/m/K: the unit after the list applies to each; YAML gives us the items only */
      if (k->n != 3) PetscCall(PhDiagAdd(ld->diag, k->loc, sub, "expected one conductivity or three [kx, ky, kz], got a list of %d", (int)k->n));
      else {
        for (PetscInt d = 0; d < 3; d++) {
          char item[560];

          PetscCall(PhNodePath_Private(item, sizeof(item), sub, NULL, d));
          PetscCall(PhGetNodeQuantity_Private(ld, k->values[d], item, PH_QT_CONDUCTIVITY, &mat->k[d], &ok));
          if (ok && !(mat->k[d] > 0))
            PetscCall(PhDiagAdd(ld->diag, k->values[d]->loc, item, "a conductivity must be positive, got %g W/m/K", (double)mat->k[d]));
        }
      }
    } else if (k->type == PH_NODE_SCALAR && k->value[0] == '[' && !k->bad) {
      PetscCall(PhSchemaConductivityList(ld, k, sub, mat->k));
    } else {
      PetscCall(PhGetNodeQuantity_Private(ld, k, sub, PH_QT_CONDUCTIVITY, &mat->k[0], &ok));
      if (ok && !(mat->k[0] > 0)) PetscCall(PhDiagAdd(ld->diag, k->loc, sub, "a conductivity must be positive, got %g W/m/K", (double)mat->k[0]));
      mat->k[1] = mat->k[2] = mat->k[0];
    }
    if (!PhNodeIsNull_Private(k))
      for (PetscInt d = 0; d < 3; d++) { /* one message for an isotropic k */
        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "k", -1));
        if (mat->k[d] > 0 && (d == 0 || mat->k[d] != mat->k[d - 1]))
          PetscCall(PhGetPlausible_Private(ld, k->loc, sub, PH_QT_CONDUCTIVITY, mat->k[d]));
      }
    PetscCall(PhGetQuantity_Private(ld, map, path, "rho", PH_QT_DENSITY, PETSC_TRUE, 0, &mat->rho, &ok));
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "rho", -1));
    if (ok && !(mat->rho > 0))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "rho")->loc, sub, "a density must be positive, got %g kg/m^3", (double)mat->rho));
    else if (ok) PetscCall(PhGetPlausible_Private(ld, PhNodeGet_Private(map, "rho")->loc, sub, PH_QT_DENSITY, mat->rho));
    PetscCall(PhGetQuantity_Private(ld, map, path, "cp", PH_QT_SPECIFIC_HEAT, PETSC_TRUE, 0, &mat->cp, &ok));
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "cp", -1));
    if (ok && !(mat->cp > 0))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "cp")->loc, sub, "a specific heat must be positive, got %g J/kg/K", (double)mat->cp));
    else if (ok) PetscCall(PhGetPlausible_Private(ld, PhNodeGet_Private(map, "cp")->loc, sub, PH_QT_SPECIFIC_HEAT, mat->cp));
    PetscCall(PhGetQuantity_Private(ld, map, path, "k_exponent", PH_QT_DIMENSIONLESS, PETSC_FALSE, 0, &mat->k_exponent, &ok));
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "k_exponent", -1));
    if (ok && PetscAbsReal(mat->k_exponent) > 5)
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "k_exponent")->loc, sub, "must be in [-5, 5], got %g", (double)mat->k_exponent));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The material named by `key` of `map` (required; `what` describes it when missing): its index, or -1. */
static PetscErrorCode PhFindMaterialKey(PhLoader *ld, const PhNode *map, const char path[], const char key[], const char what[], PetscInt *index)
{
  PhCase       pb   = ld->problem;
  PhNode      *node = PhNodeGet_Private(map, key);
  const char **names;
  char         sub[600];

  PetscFunctionBeginUser;
  *index = -1;
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, key, -1));
  if (PhNodeIsNull_Private(node)) {
    PetscCall(PhGetMissing_Private(ld, map, path, key, what));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscMalloc1(pb->nmaterials + 1, &names));
  for (PetscInt i = 0; i < pb->nmaterials; i++) names[i] = pb->materials[i].name;
  PetscCall(PhGetRef_Private(ld, node, sub, "material", pb->nmaterials, names, index));
  PetscCall(PetscFree(names));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhFindMaterial(PhLoader *ld, const PhNode *map, const char path[], PetscInt *index)
{
  PetscFunctionBeginUser;
  PetscCall(PhFindMaterialKey(ld, map, path, "material", "the name of a material", index));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A block must lie inside the footprint (DESIGN §3.4); `path` is its key path, such as stack[1].blocks[1]. */
static PetscErrorCode PhBlockInFootprint(PhLoader *ld, const PhBlock *blk, const char path[])
{
  PhCase pb = ld->problem;
  char   a[64], b[64], c[64], d[64];

  PetscFunctionBeginUser;
  if (blk->x0 >= pb->fx0 - PH_MERGE_DISTANCE && blk->x1 <= pb->fx1 + PH_MERGE_DISTANCE && blk->y0 >= pb->fy0 - PH_MERGE_DISTANCE &&
      blk->y1 <= pb->fy1 + PH_MERGE_DISTANCE)
    PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhUnitsFormat(blk->x0, PH_QT_LENGTH, a, sizeof(a)));
  PetscCall(PhUnitsFormat(blk->x1, PH_QT_LENGTH, b, sizeof(b)));
  PetscCall(PhUnitsFormat(blk->y0, PH_QT_LENGTH, c, sizeof(c)));
  PetscCall(PhUnitsFormat(blk->y1, PH_QT_LENGTH, d, sizeof(d)));
  PetscCall(PhDiagAdd(ld->diag, blk->loc, path, "block \"%s\" (x [%s, %s], y [%s, %s]) extends outside the footprint", blk->name ? blk->name : "?", a,
                      b, c, d));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode    PhSchemaFlow(PhLoader *ld, PhNode *node, const char path[], PhSignal *flow, PetscBool *volumetric);
static PetscReal         PhChannelNusselt(PetscReal w, PetscReal H);
static const char *const PhFlowDirections[] = {"+x", "-x", "+y", "-y", NULL};

/*
  A layer of type microchannel (cases/README.md section 9.6): the model (4rm, 2rm, pinfin); channels of `channel_width`
  at `pitch` across the flow (4rm: as many as fit in the footprint, centred, the walls between them of the layer's
  material; 2rm: porous cells of `cell` across the flow, each split into two equal strips, coolant then solid), or pins of `pin_diameter` at `pitch` (pinfin, porous cells as for 2rm); the coolant, its flow, inlet
  and direction; h given (h, or h_top, h_bottom, h_side) or from the laminar Nusselt number of the channel.
*/
static PetscErrorCode PhSchemaMicrochannel(PhLoader *ld, PhNode *map, const char path[], PhLayer *layer, PetscBool have_foot)
{
  PhCase      pb = ld->problem;
  PhChannels *ch;
  PhNode     *node;
  PetscBool   pw, pp, ph, ok, porous, pcell;
  PetscInt    dir = -1, model = PH_CAVITY_4RM;
  PetscReal   h = 0, span, H = layer->z1 - layer->z0, cell = 0, velocity = 0;
  char        sub[600];

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&ch));
  layer->channels = ch;
  ch->coolant     = -1;
  PetscCall(PhGetEnum_Private(ld, map, path, "model", PhCavityModels, PH_CAVITY_4RM, &model));
  if (model < 0) model = PH_CAVITY_4RM;
  ch->model = (PhCavityModel)model;
  porous    = (PetscBool)(ch->model != PH_CAVITY_4RM);
  PetscCall(PhFindMaterialKey(ld, map, path, "coolant", "the name of a material such as \"water\"", &ch->coolant));
  node = PhNodeGet_Private(map, "flow");
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "flow", -1));
  if (!PhNodeIsNull_Private(PhNodeGet_Private(map, "velocity"))) { /* the mean velocity in a channel instead: the flow from it, below */
    PhNode *v = PhNodeGet_Private(map, "velocity");

    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "velocity", -1));
    if (!PhNodeIsNull_Private(node))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(map, "velocity")->loc, sub, "give flow or velocity, not both"));
    else if (v->type != PH_NODE_SCALAR) PetscCall(PhDiagAdd(ld->diag, v->loc, sub, "the mean velocity in a channel must be constant"));
    else {
      PetscCall(PhGetNodeQuantity_Private(ld, v, sub, PH_QT_VELOCITY, &velocity, &ok));
      if (ok && !(velocity > 0)) PetscCall(PhDiagAdd(ld->diag, v->loc, sub, "must be positive, got \"%s\"", v->value));
      if (!ok) velocity = 0;
      ch->flow_volumetric = PETSC_TRUE;
    }
  } else if (PhNodeIsNull_Private(node))
    PetscCall(PhGetMissing_Private(ld, map, path, "flow",
                                   "a flow such as \"1.5 L/min\" or \"0.025 kg/s\" (or velocity: the mean velocity in a channel)"));
  else {
    PetscCall(PhSchemaFlow(ld, node, sub, &ch->flow, &ch->flow_volumetric));
    if (node->type != PH_NODE_SCALAR)
      PetscCall(PhDiagAdd(ld->diag, node->loc, sub,
                          "the flow of a micro-channel layer must be constant, with either time.method: the coolant's advection is "
                          "assembled for one flow, and the reduced model's basis is built for it (a flow that follows a trace or pattern "
                          "is taken by cold plates, with time.method: full)"));
  }
  node = PhNodeGet_Private(map, "inlet");
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "inlet", -1));
  if (PhNodeIsNull_Private(node)) PetscCall(PhGetMissing_Private(ld, map, path, "inlet", PhQuantityTypeDescription(PH_QT_TEMPERATURE)));
  else PetscCall(PhGetSignal_Private(ld, node, sub, PH_QT_TEMPERATURE, PETSC_FALSE, &ch->inlet));
  if (PhNodeIsNull_Private(PhNodeGet_Private(map, "direction"))) PetscCall(PhGetMissing_Private(ld, map, path, "direction", "+x | -x | +y | -y"));
  else {
    PetscCall(PhGetEnum_Private(ld, map, path, "direction", PhFlowDirections, -1, &dir));
    if (dir >= 0) {
      ch->axis = dir / 2;
      ch->sign = dir % 2 ? -1 : 1;
    }
  }
  { /* keys of one model that another does not take */
    const char *only[3] = {"channel_width", "pin_diameter", "cell"};
    PetscBool   takes[3];

    takes[0] = (PetscBool)(ch->model != PH_CAVITY_PINFIN);
    takes[1] = (PetscBool)(ch->model == PH_CAVITY_PINFIN);
    takes[2] = porous;
    for (int q = 0; q < 3; q++)
      if (!takes[q] && !PhNodeIsNull_Private(PhNodeGet_Private(map, only[q]))) {
        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, only[q], -1));
        PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(map, only[q])->loc, sub, "is not a key of a micro-channel layer of model %s%s",
                            PhCavityModels[ch->model],
                            q == 0 ? " (pins: pin_diameter)" : (q == 1 ? " (channels: channel_width)" : " (porous models only)")));
      }
  }
  PetscCall(PhGetQuantity_Private(ld, map, path, "pitch", PH_QT_LENGTH, PETSC_TRUE, 0, &ch->pitch, &pp));
  if (ch->model == PH_CAVITY_PINFIN) {
    PetscCall(PhGetQuantity_Private(ld, map, path, "pin_diameter", PH_QT_LENGTH, PETSC_TRUE, 0, &ch->pin_diameter, &pw));
    if (pw && pp && !(ch->pin_diameter > PH_MERGE_BELOW && ch->pitch - ch->pin_diameter > PH_MERGE_BELOW)) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "pitch", -1));
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "pitch")->loc, sub,
                          "needs a pin_diameter of at least 1 nm and a pitch at least 1 nm wider, got pin_diameter %g um, pitch %g um",
                          (double)(ch->pin_diameter * 1e6), (double)(ch->pitch * 1e6)));
      pw = PETSC_FALSE;
    }
    if (pw && pp) {
      ch->porosity  = 1 - PETSC_PI * ch->pin_diameter * ch->pin_diameter / (4 * ch->pitch * ch->pitch);
      ch->side_area = PETSC_PI * ch->pin_diameter * H / (ch->pitch * ch->pitch);
    }
  } else {
    PetscCall(PhGetQuantity_Private(ld, map, path, "channel_width", PH_QT_LENGTH, PETSC_TRUE, 0, &ch->width, &pw));
    if (pw && pp && !(ch->width > PH_MERGE_BELOW && ch->pitch - ch->width > PH_MERGE_BELOW)) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "pitch", -1));
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "pitch")->loc, sub,
                          "needs a channel_width of at least 1 nm and a pitch at least 1 nm wider, got channel_width %g um, pitch %g um",
                          (double)(ch->width * 1e6), (double)(ch->pitch * 1e6)));
      pw = PETSC_FALSE;
    }
    if (pw && pp) {
      ch->porosity  = ch->width / ch->pitch;
      ch->side_area = 2 * H / ch->pitch;
    }
  }
  /* h: one value for every wall, each wall's own, or the correlation; the porous forms take h_side 0 (no exchange
     with the walls or pins, as 3D-ICE's 2-resistor model) */
  PetscCall(PhGetQuantity_Private(ld, map, path, "h", PH_QT_HEAT_TRANSFER, PETSC_FALSE, 0, &h, &ph));
  ch->h_top = ch->h_bottom = ch->h_side = h;
  {
    const char *keys[3] = {"h_top", "h_bottom", "h_side"};
    PetscReal  *val[3]  = {&ch->h_top, &ch->h_bottom, &ch->h_side};

    for (int q = 0; q < 3; q++) {
      PetscReal v;
      PetscBool present;

      PetscCall(PhGetQuantity_Private(ld, map, path, keys[q], PH_QT_HEAT_TRANSFER, PETSC_FALSE, 0, &v, &present));
      if (present) *val[q] = v;
      if (present) ph = PETSC_TRUE;
    }
  }
  if (ph) {
    const char *keys[4] = {"h", "h_top", "h_bottom", "h_side"};

    for (int q = 0; q < 4; q++) {
      const PetscReal v       = q == 0 ? h : (q == 1 ? ch->h_top : (q == 2 ? ch->h_bottom : ch->h_side));
      const PetscBool zero_ok = (PetscBool)(porous && q == 3);

      if (!PhNodeIsNull_Private(PhNodeGet_Private(map, keys[q])) && !(v > 0 || (zero_ok && v == 0))) {
        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, keys[q], -1));
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, keys[q])->loc, sub, zero_ok ? "must be positive or zero" : "must be positive"));
      }
    }
    if (!(ch->h_top > 0 && ch->h_bottom > 0 && (ch->h_side > 0 || (porous && ch->h_side == 0))) && PhNodeIsNull_Private(PhNodeGet_Private(map, "h")))
      PetscCall(PhDiagAdd(ld->diag, map->loc, path, "give h, or all three of h_top, h_bottom and h_side (or none, for the laminar correlation)"));
  } else if (ch->model == PH_CAVITY_PINFIN) {
    PetscCall(PhDiagAdd(ld->diag, map->loc, path,
                        "a pin-fin cavity needs h, or h_top, h_bottom and h_side: photherm has no correlation for pin fins"));
  } else if (pw && ch->coolant >= 0 && H > 0) { /* fully developed laminar flow, uniform flux on the four walls */
    const PetscReal dh = 2 * ch->width * H / (ch->width + H);

    ch->h_top = ch->h_bottom = ch->h_side = PhChannelNusselt(ch->width, H) * pb->materials[ch->coolant].k[0] / dh;
    ch->h_from_correlation                = PETSC_TRUE;
  }
  if (porous) {
    PetscCall(PhGetQuantity_Private(ld, map, path, "cell", PH_QT_LENGTH, PETSC_FALSE, 0, &cell, &pcell));
    if (pcell && !(cell > 2 * PH_MERGE_BELOW)) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "cell", -1));
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "cell")->loc, sub, "must be at least 2 nm (two strips of 1 nm), got %g um",
                          (double)(cell * 1e6)));
      pp = PETSC_FALSE;
    }
    if (!pcell) cell = PetscMax(2 * pb->max_cell_xy, ch->pitch);
  }
  if (!PhNodeIsNull_Private(PhNodeGet_Private(map, "blocks")))
    PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(map, "blocks")->loc, path,
                        "a micro-channel layer takes no blocks: its channels and walls are its cells"));
  if (!pw || !pp || dir < 0 || !have_foot) PetscFunctionReturn(PETSC_SUCCESS);
  span = ch->axis == 0 ? pb->fy1 - pb->fy0 : pb->fx1 - pb->fx0;
  if (porous) { /* equal porous cells across the footprint, each a coolant strip then a solid strip */
    const PetscReal lo0 = ch->axis == 0 ? pb->fy0 : pb->fx0;

    ch->nchannels = PetscMax(1, (PetscInt)PetscCeilReal(span / cell * (1 - 1e-12)));
    ch->cell      = span / ch->nchannels;
    ch->width     = 0.5 * ch->cell; /* the strips are equal; their volumes and areas are scaled by the porosity (thermal_channel.c) */
    if (ch->width > pb->max_cell_xy * (1 + 1e-9)) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "cell", -1));
      PetscCall(PhDiagAdd(ld->diag, pcell ? PhNodeGet_Private(map, "cell")->loc : map->loc, sub,
                          "porous cells of %g um would have their coolant and solid strips (half a cell each) split by the grid's %g um cells; make "
                          "them at most %g um or raise grid.max_cell_xy",
                          (double)(ch->cell * 1e6), (double)(pb->max_cell_xy * 1e6), (double)(2 * pb->max_cell_xy * 1e6)));
      ch->nchannels = 0;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    if (!(ch->nchannels <= PH_MAX_CHANNELS && ch->width > PH_MERGE_BELOW && ch->cell - ch->width > PH_MERGE_BELOW)) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "cell", -1));
      PetscCall(PhDiagAdd(
        ld->diag, pcell ? PhNodeGet_Private(map, "cell")->loc : map->loc, sub,
        "%d porous cells of %g um across the footprint (porosity %g): between 1 and %d cells, and strips of coolant and solid of at least 1 nm, are allowed",
        (int)ch->nchannels, (double)(ch->cell * 1e6), (double)ch->porosity, PH_MAX_CHANNELS));
      ch->nchannels = 0;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    PetscCall(PetscMalloc1(ch->nchannels, &ch->lo));
    for (PetscInt c = 0; c < ch->nchannels; c++) ch->lo[c] = lo0 + c * ch->cell;
  } else {
    ch->nchannels = (PetscInt)PetscFloorReal(span / ch->pitch * (1 + 1e-12));
    ok            = (PetscBool)(ch->nchannels >= 1 && ch->nchannels <= PH_MAX_CHANNELS);
    if (!ok) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "pitch", -1));
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "pitch")->loc, sub,
                          "%g channels fit across the footprint's %g mm; between 1 and %d are allowed", (double)PetscFloorReal(span / ch->pitch),
                          (double)(span * 1e3), PH_MAX_CHANNELS));
      ch->nchannels = 0;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    PetscCall(PetscMalloc1(ch->nchannels, &ch->lo));
    for (PetscInt c = 0; c < ch->nchannels; c++)
      ch->lo[c] = (ch->axis == 0 ? pb->fy0 : pb->fx0) + 0.5 * (span - ch->nchannels * ch->pitch) + 0.5 * (ch->pitch - ch->width) + c * ch->pitch;
  }
  if (velocity > 0) { /* velocity: the flow of the whole cavity that gives it, v n w H (porous: v phi B H) */
    ch->flow.type  = PH_SIGNAL_CONSTANT;
    ch->flow.scale = 1.0;
    ch->flow.value = velocity * ch->nchannels * (porous ? ch->porosity * ch->cell : ch->width) * H;
  }
  if (ch->coolant >= 0 && PhSignalIsConstant(&ch->flow)) {
    PetscReal q = PhSignalEvaluate(&ch->flow, 0);

    if (!ch->flow_volumetric) q /= pb->materials[ch->coolant].rho;
    ch->velocity = q / (ch->nchannels * (porous ? ch->porosity * ch->cell : ch->width) * H);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* grid.refine: {x: [x0, x1], y: [y0, y1], max_cell_xy: L}: cells inside the box no larger than L (its edges are grid
   lines, and the cells grow by grid.max_ratio away from it up to grid.max_cell_xy). */
static PetscErrorCode PhSchemaRefine(PhLoader *ld, PhNode *grid)
{
  static const char *const rkeys[] = {"x", "y", "max_cell_xy", NULL};
  PhCase                   pb      = ld->problem;
  PhNode                  *r       = PhNodeGet_Private(grid, "refine");
  PetscBool                ok, px, py, ph;

  PetscFunctionBeginUser;
  if (PhNodeIsNull_Private(r)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhGetExpectMap_Private(ld, r, "grid.refine", &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhGetCheckKeys_Private(ld, r, "grid.refine", rkeys));
  PetscCall(PhGetRange_Private(ld, r, "grid.refine", "x", PETSC_TRUE, &pb->rx0, &pb->rx1, &px));
  PetscCall(PhGetRange_Private(ld, r, "grid.refine", "y", PETSC_TRUE, &pb->ry0, &pb->ry1, &py));
  PetscCall(PhGetQuantity_Private(ld, r, "grid.refine", "max_cell_xy", PH_QT_LENGTH, PETSC_TRUE, 0, &pb->refine_xy, &ph));
  if (ph && !(pb->refine_xy > 0)) {
    PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(r, "max_cell_xy")->loc, "grid.refine.max_cell_xy", "must be positive"));
    ph = PETSC_FALSE;
  }
  pb->has_refine = (PetscBool)(px && py && ph);
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhSchemaGeometry_Private(PhLoader *ld)
{
  static const char *const fkeys[]    = {"x", "y", NULL};
  static const char *const gkeys[]    = {"max_cell_xy", "max_cell_z", "max_ratio", "refine", NULL};
  static const char *const lkeys[]    = {"name", "thickness", "material", "cells", "blocks", "type", NULL};
  static const char *const mkeys_mc[] = {"name",  "thickness", "material", "type",   "model",    "channel_width", "pin_diameter",
                                         "pitch", "cell",      "coolant",  "flow",   "velocity", "inlet",         "direction",
                                         "h",     "h_top",     "h_bottom", "h_side", NULL};
  static const char *const bkeys[]    = {"name", "material", "x", "y", NULL};
  static const char *const tkeys[]    = {"name", "material", "x", "y", "layers", NULL};
  PhCase                   pb         = ld->problem;
  PhNode                  *foot = PhNodeGet_Private(ld->root, "footprint"), *grid = PhNodeGet_Private(ld->root, "grid");
  PhNode *stack = PhNodeGet_Private(ld->root, "stack"), *blocks = PhNodeGet_Private(ld->root, "blocks"), *mesh = PhNodeGet_Private(ld->root, "mesh");
  PetscBool ok, present, px, py, have_foot = PETSC_FALSE;
  PetscReal z       = 0;
  PetscInt  nblocks = 0, *layer_lines, *block_lines;

  PetscFunctionBeginUser;
  if (!PhNodeIsNull_Private(mesh)) {
    static const char *const mkeys[] = {"file", NULL};

    PetscCall(PhGetExpectMap_Private(ld, mesh, "mesh", &ok));
    if (ok) {
      PhNode *file = PhNodeGet_Private(mesh, "file");

      PetscCall(PhGetCheckKeys_Private(ld, mesh, "mesh", mkeys));
      if (PhNodeIsNull_Private(file) || file->type != PH_NODE_SCALAR) {
        PetscCall(PhGetMissing_Private(ld, mesh, "mesh", "file", "the path of a mesh file written by photherm mesh"));
        ld->no_geometry = PETSC_TRUE;
      } else if (file->bad) ld->no_geometry = PETSC_TRUE;
      else PetscCall(PhMeshFileLoadHeader_Private(ld, file, "mesh.file"));
    } else ld->no_geometry = PETSC_TRUE;
    if (!PhNodeIsNull_Private(stack))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(ld->root, "stack")->loc, "stack",
                          "give either stack (and blocks) or mesh: {file}, not both"));
    if (!PhNodeIsNull_Private(blocks))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(ld->root, "blocks")->loc, "blocks",
                          "top-level blocks cannot be added to a mesh read from a file"));
    if (!PhNodeIsNull_Private(grid))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(ld->root, "grid")->loc, "grid", "grid settings do not apply to a mesh read from a file"));
    if (!PhNodeIsNull_Private(foot))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(ld->root, "footprint")->loc, "footprint",
                          "the footprint of a mesh read from a file is the file's; remove footprint"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }

  /* footprint */
  if (PhNodeIsNull_Private(foot)) PetscCall(PhGetMissing_Private(ld, ld->root, "", "footprint", "footprint: {x: [x0, x1], y: [y0, y1]}"));
  else {
    PetscCall(PhGetExpectMap_Private(ld, foot, "footprint", &ok));
    if (ok) {
      PetscCall(PhGetCheckKeys_Private(ld, foot, "footprint", fkeys));
      PetscCall(PhGetRange_Private(ld, foot, "footprint", "x", PETSC_TRUE, &pb->fx0, &pb->fx1, &px));
      PetscCall(PhGetRange_Private(ld, foot, "footprint", "y", PETSC_TRUE, &pb->fy0, &pb->fy1, &py));
      if (px && pb->fx1 > pb->fx0)
        PetscCall(PhGetPlausible_Private(ld, PhNodeGet_Private(foot, "x")->loc, "footprint.x", PH_QT_LENGTH, pb->fx1 - pb->fx0));
      if (py && pb->fy1 > pb->fy0)
        PetscCall(PhGetPlausible_Private(ld, PhNodeGet_Private(foot, "y")->loc, "footprint.y", PH_QT_LENGTH, pb->fy1 - pb->fy0));
      have_foot = (PetscBool)(px && py);
    }
  }

  /* grid */
  pb->max_ratio = 2.0;
  if (!PhNodeIsNull_Private(grid)) {
    PetscCall(PhGetExpectMap_Private(ld, grid, "grid", &ok));
    if (ok) {
      PetscCall(PhGetCheckKeys_Private(ld, grid, "grid", gkeys));
      PetscCall(PhGetQuantity_Private(ld, grid, "grid", "max_cell_xy", PH_QT_LENGTH, PETSC_FALSE, 0, &pb->max_cell_xy, &present));
      if (present && !(pb->max_cell_xy > 0))
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(grid, "max_cell_xy")->loc, "grid.max_cell_xy", "must be positive"));
      PetscCall(PhGetQuantity_Private(ld, grid, "grid", "max_cell_z", PH_QT_LENGTH, PETSC_FALSE, 0, &pb->max_cell_z, &present));
      if (present && !(pb->max_cell_z > 0))
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(grid, "max_cell_z")->loc, "grid.max_cell_z", "must be positive"));
      PetscCall(PhGetQuantity_Private(ld, grid, "grid", "max_ratio", PH_QT_DIMENSIONLESS, PETSC_FALSE, 2.0, &pb->max_ratio, &present));
      if (present && !(pb->max_ratio > 1.0 && pb->max_ratio <= 100.0)) {
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(grid, "max_ratio")->loc, "grid.max_ratio", "must be greater than 1 and at most 100, got %g",
                            (double)pb->max_ratio));
        pb->max_ratio = 2.0;
      }
      PetscCall(PhSchemaRefine(ld, grid));
    }
  }
  if (!(pb->max_cell_xy > 0) && have_foot) pb->max_cell_xy = PetscMax(pb->fx1 - pb->fx0, pb->fy1 - pb->fy0) / 64.0;
  for (PetscInt d = 0; d < 3; d++) {
    const char *key  = d < 2 ? "max_cell_xy" : "max_cell_z";
    PhNode     *node = PhNodeGet_Private(grid, key), *near = d < 2 ? foot : stack;

    if (PhNodeIsNull_Private(node)) node = NULL;
    pb->grid_key[d] = d < 2 ? (node ? "grid.max_cell_xy" : "footprint") : (node ? "grid.max_cell_z" : "stack");
    pb->grid_loc[d] = node ? node->loc : (PhNodeIsNull_Private(near) ? ld->root->loc : near->loc);
  }

  /* stack */
  if (PhNodeIsNull_Private(stack)) {
    PetscCall(PhGetMissing_Private(ld, ld->root, "", "stack", "a list of layers from bottom to top (or mesh: {file: ...})"));
    ld->no_geometry = PETSC_TRUE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (stack->type != PH_NODE_SEQ || stack->n == 0) {
    PetscCall(PhDiagAdd(ld->diag, stack->loc, "stack", "expected a non-empty list of layers from bottom to top, got %s",
                        stack->type == PH_NODE_SEQ ? "an empty list" : PhNodeTypeName_Private(stack)));
    ld->no_geometry = PETSC_TRUE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt l = 0; l < stack->n; l++) {
    PhNode *lb = PhNodeGet_Private(stack->values[l], "blocks");

    if (lb != NULL && lb->type == PH_NODE_SEQ) nblocks += lb->n;
  }
  if (!PhNodeIsNull_Private(blocks) && blocks->type == PH_NODE_SEQ) nblocks += blocks->n;
  {
    PetscBool many_layers, many_blocks;

    PetscCall(PhGetTooMany_Private(ld, stack, "stack", stack->n, "layers", PH_MAX_LAYERS, &many_layers));
    PetscCall(PhGetTooMany_Private(ld, !PhNodeIsNull_Private(blocks) && blocks->type == PH_NODE_SEQ ? blocks : stack,
                                   !PhNodeIsNull_Private(blocks) && blocks->type == PH_NODE_SEQ ? "blocks" : "stack", nblocks,
                                   "blocks (in layers and at the top level)", PH_MAX_BLOCKS, &many_blocks));
    if (many_layers || many_blocks) {
      ld->no_geometry = PETSC_TRUE;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  PetscCall(PetscCalloc1(stack->n, &pb->layers));
  PetscCall(PetscCalloc1(PetscMax(nblocks, 1), &pb->blocks));
  PetscCall(PetscCalloc2(stack->n, &layer_lines, PetscMax(nblocks, 1), &block_lines));
  pb->nlayers = stack->n;
  for (PetscInt l = 0; l < stack->n; l++) {
    PhNode   *map   = stack->values[l], *lb;
    PhLayer  *layer = &pb->layers[l];
    char      path[512];
    char    **seen;
    PetscBool mc = PETSC_FALSE;

    PetscCall(PhNodePath_Private(path, sizeof(path), "stack", NULL, l));
    layer->material = -1;
    layer->loc      = map->loc;
    PetscCall(PhGetExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    {
      PetscInt type = 0;

      PetscCall(PhGetEnum_Private(ld, map, path, "type", PhLayerTypes, 0, &type));
      PetscCall(PhGetCheckKeys_Private(ld, map, path, type == 1 ? mkeys_mc : lkeys));
      mc = (PetscBool)(type == 1);
    }
    PetscCall(PetscMalloc1(l + 1, &seen));
    for (PetscInt i = 0; i < l; i++) seen[i] = pb->layers[i].name;
    PetscCall(PhGetName_Private(ld, map, path, "layer", l, seen, layer_lines, &layer->name, &layer_lines[l]));
    PetscCall(PetscFree(seen));
    {
      PetscReal t;

      PetscCall(PhGetQuantity_Private(ld, map, path, "thickness", PH_QT_LENGTH, PETSC_TRUE, 0, &t, &present));
      if (present && !(t > 0)) {
        char sub[540], got[64];

        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "thickness", -1));
        PetscCall(PhUnitsFormat(t, PH_QT_LENGTH, got, sizeof(got)));
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "thickness")->loc, sub, "a layer thickness must be positive, got %s", got));
        t = 0;
      } else if (present && t < PH_MERGE_BELOW) { /* its two faces would become one grid line */
        char sub[540];

        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "thickness", -1));
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "thickness")->loc, sub,
                            "the layer is %.6g nm thick, less than the %g nm below which grid lines are merged; make it at least %g nm thick",
                            (double)t * 1e9, PH_MERGE_DISTANCE * 1e9, PH_MERGE_DISTANCE * 1e9));
      } else if (present) {
        char sub[540];

        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "thickness", -1));
        PetscCall(PhGetPlausible_Private(ld, PhNodeGet_Private(map, "thickness")->loc, sub, PH_QT_LENGTH, t));
      }
      layer->z0 = z;
      layer->z1 = z + t;
      z += t;
    }
    PetscCall(PhFindMaterial(ld, map, path, &layer->material));
    PetscCall(PhGetInt_Private(ld, map, path, "cells", PETSC_FALSE, 0, 1, 100000, &layer->cells, NULL));
    if (mc) {
      layer->cells = 1; /* one cell high: the channel's floor and ceiling are its top and bottom walls */
      PetscCall(PhSchemaMicrochannel(ld, map, path, layer, have_foot));
      continue;
    }
    if (PhNodeGet_Private(map, "cells") != NULL) layer->cells_loc = PhNodeGet_Private(map, "cells")->loc;
    lb = PhNodeGet_Private(map, "blocks");
    if (!PhNodeIsNull_Private(lb)) {
      char bpath[540];

      PetscCall(PhNodePath_Private(bpath, sizeof(bpath), path, "blocks", -1));
      if (lb->type != PH_NODE_SEQ) PetscCall(PhDiagAdd(ld->diag, lb->loc, bpath, "expected a list of blocks, got %s", PhNodeTypeName_Private(lb)));
      else {
        for (PetscInt b = 0; b < lb->n; b++) {
          PhBlock *blk = &pb->blocks[pb->nblocks];
          char     sub[560];
          char   **bseen;

          PetscCall(PhNodePath_Private(sub, sizeof(sub), bpath, NULL, b));
          PetscCall(PhGetExpectMap_Private(ld, lb->values[b], sub, &ok));
          if (!ok) continue;
          PetscCall(PhGetCheckKeys_Private(ld, lb->values[b], sub, bkeys));
          PetscCall(PetscMalloc1(pb->nblocks + 1, &bseen));
          for (PetscInt i = 0; i < pb->nblocks; i++) bseen[i] = pb->blocks[i].name;
          PetscCall(PhGetName_Private(ld, lb->values[b], sub, "block", pb->nblocks, bseen, block_lines, &blk->name, &block_lines[pb->nblocks]));
          PetscCall(PetscFree(bseen));
          PetscCall(PhFindMaterial(ld, lb->values[b], sub, &blk->material));
          PetscCall(PhGetRange_Private(ld, lb->values[b], sub, "x", PETSC_TRUE, &blk->x0, &blk->x1, &px));
          PetscCall(PhGetRange_Private(ld, lb->values[b], sub, "y", PETSC_TRUE, &blk->y0, &blk->y1, &py));
          blk->layer_lo = blk->layer_hi = l;
          blk->z0                       = layer->z0;
          blk->z1                       = layer->z1;
          blk->in_layer                 = PETSC_TRUE;
          blk->loc                      = lb->values[b]->loc;
          if (have_foot && px && py && blk->name) PetscCall(PhBlockInFootprint(ld, blk, sub));
          pb->nblocks++;
        }
      }
    }
  }

  /* top-level blocks spanning layers */
  if (!PhNodeIsNull_Private(blocks)) {
    if (blocks->type != PH_NODE_SEQ)
      PetscCall(PhDiagAdd(ld->diag, blocks->loc, "blocks", "expected a list of blocks, got %s", PhNodeTypeName_Private(blocks)));
    else {
      for (PetscInt b = 0; b < blocks->n; b++) {
        PhBlock *blk = &pb->blocks[pb->nblocks];
        PhNode  *map = blocks->values[b], *layers;
        char     path[512], sub[540];
        char   **bseen;

        PetscCall(PhNodePath_Private(path, sizeof(path), "blocks", NULL, b));
        PetscCall(PhGetExpectMap_Private(ld, map, path, &ok));
        if (!ok) continue;
        PetscCall(PhGetCheckKeys_Private(ld, map, path, tkeys));
        PetscCall(PetscMalloc1(pb->nblocks + 1, &bseen));
        for (PetscInt i = 0; i < pb->nblocks; i++) bseen[i] = pb->blocks[i].name;
        PetscCall(PhGetName_Private(ld, map, path, "block", pb->nblocks, bseen, block_lines, &blk->name, &block_lines[pb->nblocks]));
        PetscCall(PetscFree(bseen));
        PetscCall(PhFindMaterial(ld, map, path, &blk->material));
        PetscCall(PhGetRange_Private(ld, map, path, "x", PETSC_TRUE, &blk->x0, &blk->x1, &px));
        PetscCall(PhGetRange_Private(ld, map, path, "y", PETSC_TRUE, &blk->y0, &blk->y1, &py));
        blk->in_layer = PETSC_FALSE;
        blk->loc      = map->loc;
        blk->layer_lo = blk->layer_hi = -1;
        if (have_foot && px && py && blk->name) PetscCall(PhBlockInFootprint(ld, blk, path));
        layers = PhNodeGet_Private(map, "layers");
        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "layers", -1));
        if (PhNodeIsNull_Private(layers))
          PetscCall(PhGetMissing_Private(ld, map, path, "layers", "[from, to]: the first and last layer the block spans"));
        else if (layers->type != PH_NODE_SEQ || layers->n != 2)
          PetscCall(PhDiagAdd(ld->diag, layers->loc, sub, "expected [from, to], the names of the first and last layer spanned"));
        else {
          char item[560];

          PetscCall(PhNodePath_Private(item, sizeof(item), sub, NULL, 0));
          PetscCall(PhGetGeometryRef_Private(ld, layers->values[0], item, PH_GEOMETRY_LAYER, &blk->layer_lo));
          PetscCall(PhNodePath_Private(item, sizeof(item), sub, NULL, 1));
          PetscCall(PhGetGeometryRef_Private(ld, layers->values[1], item, PH_GEOMETRY_LAYER, &blk->layer_hi));
          if (blk->layer_lo >= 0 && blk->layer_hi >= 0 && blk->layer_lo > blk->layer_hi) {
            PetscCall(PhDiagAdd(ld->diag, layers->loc, sub, "layer \"%s\" lies above \"%s\": give [from, to] from bottom to top",
                                pb->layers[blk->layer_lo].name, pb->layers[blk->layer_hi].name));
            blk->layer_lo = blk->layer_hi = -1;
          }
          if (blk->layer_lo >= 0 && blk->layer_hi >= 0) {
            blk->z0 = pb->layers[blk->layer_lo].z0;
            blk->z1 = pb->layers[blk->layer_hi].z1;
          }
        }
        pb->nblocks++;
      }
    }
  }
  PetscCall(PetscFree2(layer_lines, block_lines));
  PetscFunctionReturn(PETSC_SUCCESS);
}

const char *const PhLayerTypes[]    = {"solid", "microchannel", NULL};
const char *const PhCavityModels[]  = {"4rm", "2rm", "pinfin", NULL};
const char *const PhFaces[]         = {"xmin", "xmax", "ymin", "ymax", "bottom", "top", NULL};
const char *const PhBoundaryTypes[] = {"adiabatic", "convection", "temperature", "flux", "cold_plate", NULL};

/* The name of a face, as a key of boundaries: (PhFaces[face]). */
const char *PhFaceName(PhFace face)
{
  return PhFaces[face];
}

/* Whether a value's text is a mass flow (kg/s) rather than a volume flow; text that does not evaluate is neither. */
static PetscBool PhTextIsMassFlow(PhLoader *ld, const char text[])
{
  PhQuantity q;
  PetscBool  valid = PETSC_FALSE;
  char       reason[PH_REASON_LEN];

  if (text == NULL || PhUnitsEvaluate(text, PhParamLookup_Private, ld, &q, &valid, reason, sizeof(reason)) != PETSC_SUCCESS) return PETSC_FALSE;
  return (PetscBool)(valid && PhUnitsMatch(&q, PH_QT_MASS_FLOW));
}

/*
  The flow of a cold plate: a volume flow (L/min, mL/min, m^3/s) or a mass flow (kg/s), constant, trace or pattern.
  Its unit decides which: that of the value, of the pattern's high, mean or first value, or of the trace column's
  header. Anything else is read, and reported, as a volume flow (whose description names both forms).
*/
static PetscErrorCode PhSchemaFlow(PhLoader *ld, PhNode *node, const char path[], PhSignal *flow, PetscBool *volumetric)
{
  PetscBool mass = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (node->type == PH_NODE_SCALAR) mass = PhTextIsMassFlow(ld, node->value);
  else if (node->type == PH_NODE_MAP && !PhNodeIsNull_Private(PhNodeGet_Private(node, "trace"))) {
    PhNode       *file = PhNodeGet_Private(node, "trace"), *col = PhNodeGet_Private(node, "column");
    PhTraceTable *table = NULL;
    char          tsub[600];

    PetscCall(PhNodePath_Private(tsub, sizeof(tsub), path, "trace", -1));
    if (file->type == PH_NODE_SCALAR && !file->bad) {
      PetscCall(PhTraceLoad_Private(ld, file, tsub, &table)); /* parsed once: the signal below finds it loaded */
      if (table == NULL) PetscFunctionReturn(PETSC_SUCCESS);  /* unreadable: reported */
    }
    for (PetscInt c = 1; table != NULL && table->ok && col != NULL && col->type == PH_NODE_SCALAR && c < table->ncols; c++)
      if (!strcmp(table->names[c], col->value) && table->units[c] != NULL) {
        char text[300];

        (void)snprintf(text, sizeof(text), "1 %s", table->units[c]);
        mass = PhTextIsMassFlow(ld, text);
      }
  } else if (node->type == PH_NODE_MAP) {
    static const char *const keys[] = {"high", "mean", "low"};
    PhNode                  *values = PhNodeGet_Private(node, "values");

    for (int k = 0; k < 3 && !mass; k++) {
      PhNode *v = PhNodeGet_Private(node, keys[k]);

      if (!PhNodeIsNull_Private(v) && v->type == PH_NODE_SCALAR) mass = PhTextIsMassFlow(ld, v->value);
    }
    if (!mass && values != NULL && values->type == PH_NODE_SEQ && values->n > 0 && values->values[0]->type == PH_NODE_SCALAR)
      mass = PhTextIsMassFlow(ld, values->values[0]->value);
  }
  *volumetric = (PetscBool)!mass;
  PetscCall(PhGetSignal_Private(ld, node, path, mass ? PH_QT_MASS_FLOW : PH_QT_VOLUME_FLOW, PETSC_TRUE, flow));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The keys of a cold plate other than h and region: name, coolant, flow, inlet, direction (cases/README.md section 11). */
static PetscErrorCode PhSchemaColdPlate(PhLoader *ld, PhNode *map, const char path[], PhFace face, PhBoundaryCondition *bc)
{
  PhNode  *node;
  PetscInt dir, line;
  char     sub[560];

  PetscFunctionBeginUser;
  bc->coolant = -1;
  if (face != PH_FACE_TOP && face != PH_FACE_BOTTOM)
    PetscCall(PhDiagAdd(ld->diag, map->loc, path, "a cold plate can only be a top or bottom condition"));
  if (PhNodeIsNull_Private(PhNodeGet_Private(map, "name"))) PetscCall(PetscStrallocpy(PhFaces[face], &bc->name));
  else PetscCall(PhGetName_Private(ld, map, path, "cold plate", 0, NULL, NULL, &bc->name, &line));
  PetscCall(PhFindMaterialKey(ld, map, path, "coolant", "the name of a material such as \"water\"", &bc->coolant));
  node = PhNodeGet_Private(map, "flow");
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "flow", -1));
  if (PhNodeIsNull_Private(node)) PetscCall(PhGetMissing_Private(ld, map, path, "flow", PhQuantityTypeDescription(PH_QT_VOLUME_FLOW)));
  else PetscCall(PhSchemaFlow(ld, node, sub, &bc->flow, &bc->flow_volumetric));
  node = PhNodeGet_Private(map, "inlet");
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "inlet", -1));
  if (PhNodeIsNull_Private(node)) PetscCall(PhGetMissing_Private(ld, map, path, "inlet", PhQuantityTypeDescription(PH_QT_TEMPERATURE)));
  else PetscCall(PhGetSignal_Private(ld, node, sub, PH_QT_TEMPERATURE, PETSC_FALSE, &bc->value));
  if (PhNodeIsNull_Private(PhNodeGet_Private(map, "direction"))) PetscCall(PhGetMissing_Private(ld, map, path, "direction", "+x | -x | +y | -y"));
  else {
    PetscCall(PhGetEnum_Private(ld, map, path, "direction", PhFlowDirections, -1, &dir));
    if (dir >= 0) {
      bc->axis = dir / 2;
      bc->sign = dir % 2 ? -1 : 1;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The heat-transfer coefficient of a cold plate from its channels (cases/README.md section 11.1), per unit of the
  plate's base area: fully developed laminar flow in rectangular channels of width w and height H, Nusselt number of
  Shah and London for four heated walls at aspect ratio a = min(w, H) / max(w, H),
    Nu = 8.235 (1 - 2.0421 a + 3.0853 a^2 - 2.4765 a^3 + 1.0578 a^4 - 0.1861 a^5),
  h_c = Nu k_coolant / D_h with D_h = 2 w H / (w + H); the walls between channels (thickness pitch - w, conductivity
  of `fin`) are fins of efficiency eta = tanh(m H) / (m H), m = sqrt(2 h_c / (k_fin (pitch - w))), so that
    h = h_c (w + 2 eta H) / pitch.
*/
static PetscReal PhChannelNusselt(PetscReal w, PetscReal H)
{
  const PetscReal a = PetscMin(w, H) / PetscMax(w, H);

  return 8.235 * (1 - 2.0421 * a + 3.0853 * a * a - 2.4765 * a * a * a + 1.0578 * a * a * a * a - 0.1861 * a * a * a * a * a);
}

static PetscErrorCode PhSchemaChannels(PhLoader *ld, PhNode *map, const char path[], PhBoundaryCondition *bc)
{
  static const char *const keys[] = {"width", "height", "pitch", "fin", NULL};
  PhCase                   pb     = ld->problem;
  PhNode                  *ch     = PhNodeGet_Private(map, "channels");
  PetscReal                w = 0, H = 0, p = 0;
  PetscBool                ok, pw, ph, pp;
  PetscInt                 mfin = -1;
  char                     sub[560];

  PetscFunctionBeginUser;
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "channels", -1));
  PetscCall(PhGetExpectMap_Private(ld, ch, sub, &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhGetCheckKeys_Private(ld, ch, sub, keys));
  PetscCall(PhGetQuantity_Private(ld, ch, sub, "width", PH_QT_LENGTH, PETSC_TRUE, 0, &w, &pw));
  PetscCall(PhGetQuantity_Private(ld, ch, sub, "height", PH_QT_LENGTH, PETSC_TRUE, 0, &H, &ph));
  PetscCall(PhGetQuantity_Private(ld, ch, sub, "pitch", PH_QT_LENGTH, PETSC_TRUE, 0, &p, &pp));
  PetscCall(PhFindMaterialKey(ld, ch, sub, "fin", "the material of the walls between the channels", &mfin));
  if (!(pw && ph && pp)) PetscFunctionReturn(PETSC_SUCCESS);
  if (!(w > 0) || !(H > 0) || !(p > w)) {
    PetscCall(PhDiagAdd(ld->diag, ch->loc, sub,
                        "needs a positive width and height and a pitch larger than the width, got width %g um, height %g um, pitch %g um",
                        (double)(w * 1e6), (double)(H * 1e6), (double)(p * 1e6)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (mfin < 0 || bc->coolant < 0) PetscFunctionReturn(PETSC_SUCCESS);
  {
    const PetscReal kf = pb->materials[bc->coolant].k[0], kfin = pb->materials[mfin].k[0];
    const PetscReal dh = 2 * w * H / (w + H), hc = PhChannelNusselt(w, H) * kf / dh;
    const PetscReal m = PetscSqrtReal(2 * hc / (kfin * (p - w))), eta = PetscTanhReal(m * H) / (m * H);

    bc->h               = hc * (w + 2 * eta * H) / p;
    bc->h_from_channels = PETSC_TRUE;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaCondition(PhLoader *ld, PhNode *map, const char path[], PhFace face, PhBoundaryCondition *bc)
{
  static const char *const        k_adi[]  = {"type", "region", NULL};
  static const char *const        k_conv[] = {"type", "h", "ambient", "region", NULL};
  static const char *const        k_val[]  = {"type", "value", "region", NULL};
  static const char *const        k_cold[] = {"type", "name", "coolant", "flow", "inlet", "direction", "h", "channels", "region", NULL};
  static const char *const *const keys[] =
    {[PH_BC_ADIABATIC] = k_adi, [PH_BC_CONVECTION] = k_conv, [PH_BC_TEMPERATURE] = k_val, [PH_BC_FLUX] = k_val, [PH_BC_COLD_PLATE] = k_cold};
  PhCase    pb = ld->problem;
  PetscBool ok, present;
  PetscInt  type;
  PhNode   *region;
  char      sub[560];

  PetscBool bad = ld->bad_boundaries;

  PetscFunctionBeginUser;
  bc->loc = map->loc;
  PetscCall(PetscStrallocpy(path, &bc->path));
  PetscCall(PhGetExpectMap_Private(ld, map, path, &ok));
  if (!ok) {
    ld->bad_boundaries = PETSC_TRUE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  ld->bad_boundaries = PETSC_TRUE; /* until the type is known */
  if (PhNodeIsNull_Private(PhNodeGet_Private(map, "type"))) {
    static const char *const k_all[] = {"type", "h", "ambient", "value", "region", "name", "coolant", "flow", "inlet", "direction", "channels", NULL};

    PetscCall(PhGetCheckKeys_Private(ld, map, path, k_all));
    PetscCall(PhGetMissing_Private(ld, map, path, "type", "adiabatic | convection | temperature | flux | cold_plate"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhGetEnum_Private(ld, map, path, "type", PhBoundaryTypes, -1, &type));
  if (type < 0) PetscFunctionReturn(PETSC_SUCCESS);
  ld->bad_boundaries = bad;
  bc->type           = (PhBoundaryType)type;
  PetscCall(PhGetCheckKeys_Private(ld, map, path, keys[bc->type]));
  if (bc->type == PH_BC_COLD_PLATE) PetscCall(PhSchemaColdPlate(ld, map, path, face, bc));
  switch (bc->type) {
  case PH_BC_COLD_PLATE: /* h as for convection, or from the plate's channels */
  case PH_BC_CONVECTION:
    if (bc->type == PH_BC_COLD_PLATE && !PhNodeIsNull_Private(PhNodeGet_Private(map, "channels"))) {
      if (!PhNodeIsNull_Private(PhNodeGet_Private(map, "h"))) {
        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "h", -1));
        PetscCall(PhDiagAdd(ld->diag, PhNodeGetKey_Private(map, "h")->loc, sub, "give either h or channels, not both"));
      }
      PetscCall(PhSchemaChannels(ld, map, path, bc));
      break;
    }
    PetscCall(PhGetQuantity_Private(ld, map, path, "h", PH_QT_HEAT_TRANSFER, PETSC_TRUE, 0, &bc->h, &present));
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "h", -1));
    if (present && !(bc->h > 0))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "h")->loc, sub, "a heat transfer coefficient must be positive, got %g W/m^2/K",
                          (double)bc->h));
    else if (present) PetscCall(PhGetPlausible_Private(ld, PhNodeGet_Private(map, "h")->loc, sub, PH_QT_HEAT_TRANSFER, bc->h));
    if (bc->type == PH_BC_COLD_PLATE) break;
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "ambient", -1));
    if (PhNodeIsNull_Private(PhNodeGet_Private(map, "ambient")))
      PetscCall(PhGetMissing_Private(ld, map, path, "ambient", PhQuantityTypeDescription(PH_QT_TEMPERATURE)));
    else PetscCall(PhGetSignal_Private(ld, PhNodeGet_Private(map, "ambient"), sub, PH_QT_TEMPERATURE, PETSC_FALSE, &bc->value));
    break;
  case PH_BC_TEMPERATURE:
  case PH_BC_FLUX:
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "value", -1));
    if (PhNodeIsNull_Private(PhNodeGet_Private(map, "value")))
      PetscCall(PhGetMissing_Private(ld, map, path, "value", PhQuantityTypeDescription(bc->type == PH_BC_FLUX ? PH_QT_FLUX : PH_QT_TEMPERATURE)));
    else
      PetscCall(PhGetSignal_Private(ld, PhNodeGet_Private(map, "value"), sub, bc->type == PH_BC_FLUX ? PH_QT_FLUX : PH_QT_TEMPERATURE, PETSC_FALSE,
                                    &bc->value));
    break;
  default:
    break;
  }
  region = PhNodeGet_Private(map, "region");
  if (!PhNodeIsNull_Private(region)) {
    static const char *const rkeys[] = {"x", "y", NULL};

    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "region", -1));
    bc->region_loc = region->loc;
    if (face != PH_FACE_TOP && face != PH_FACE_BOTTOM) {
      PetscCall(PhDiagAdd(ld->diag, region->loc, sub, "a region can only limit a top or bottom condition"));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    PetscCall(PhGetExpectMap_Private(ld, region, sub, &ok));
    if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
    PetscCall(PhGetCheckKeys_Private(ld, region, sub, rkeys));
    {
      PetscBool px, py;

      PetscCall(PhGetRange_Private(ld, region, sub, "x", PETSC_TRUE, &bc->x0, &bc->x1, &px));
      PetscCall(PhGetRange_Private(ld, region, sub, "y", PETSC_TRUE, &bc->y0, &bc->y1, &py));
      bc->has_region = (PetscBool)(px && py);
      if (bc->has_region && pb->mesh_file == NULL &&
          (bc->x0 < pb->fx0 - PH_MERGE_DISTANCE || bc->x1 > pb->fx1 + PH_MERGE_DISTANCE || bc->y0 < pb->fy0 - PH_MERGE_DISTANCE ||
           bc->y1 > pb->fy1 + PH_MERGE_DISTANCE))
        PetscCall(PhDiagAdd(ld->diag, region->loc, sub, "the region extends outside the footprint"));
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhSchemaBoundaries_Private(PhLoader *ld)
{
  static const char *const keys[] = {"top", "bottom", "sides", "xmin", "xmax", "ymin", "ymax", NULL};
  PhCase                   pb     = ld->problem;
  PhNode                  *bnd    = PhNodeGet_Private(ld->root, "boundaries");
  PetscBool                ok;

  PetscFunctionBeginUser;
  if (PhNodeIsNull_Private(bnd)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhGetExpectMap_Private(ld, bnd, "boundaries", &ok));
  if (!ok) {
    ld->bad_boundaries = PETSC_TRUE;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhGetCheckKeys_Private(ld, bnd, "boundaries", keys));
  for (PetscInt f = 0; f < PH_NFACES; f++) {
    PhNode     *node = PhNodeGet_Private(bnd, PhFaces[f]);
    const char *key  = PhFaces[f];
    char        path[128];

    if (PhNodeIsNull_Private(node) && f <= PH_FACE_YMAX) {
      node = PhNodeGet_Private(bnd, "sides");
      key  = "sides";
    }
    if (PhNodeIsNull_Private(node)) continue;
    (void)snprintf(path, sizeof(path), "boundaries.%s", key);
    if (node->type == PH_NODE_SEQ) {
      PetscCall(PetscCalloc1(PetscMax(node->n, 1), &pb->boundaries[f].conditions));
      pb->boundaries[f].n = node->n;
      for (PetscInt i = 0; i < node->n; i++) {
        char sub[160];

        PetscCall(PhNodePath_Private(sub, sizeof(sub), path, NULL, i));
        PetscCall(PhSchemaCondition(ld, node->values[i], sub, (PhFace)f, &pb->boundaries[f].conditions[i]));
      }
    } else {
      PetscCall(PetscCalloc1(1, &pb->boundaries[f].conditions));
      pb->boundaries[f].n = 1;
      PetscCall(PhSchemaCondition(ld, node, path, (PhFace)f, &pb->boundaries[f].conditions[0]));
    }
  }
  /* cold plates name their columns of the result file: each name once */
  for (PetscInt f = 0; f < PH_NFACES; f++)
    for (PetscInt i = 0; i < pb->boundaries[f].n; i++) {
      const PhBoundaryCondition *a = &pb->boundaries[f].conditions[i];

      if (a->type != PH_BC_COLD_PLATE || a->name == NULL) continue;
      for (PetscInt g = 0; g <= f; g++)
        for (PetscInt j = 0; j < (g == f ? i : pb->boundaries[g].n); j++) {
          const PhBoundaryCondition *b = &pb->boundaries[g].conditions[j];

          if (b->type == PH_BC_COLD_PLATE && b->name != NULL && !strcmp(a->name, b->name))
            PetscCall(PhDiagAdd(ld->diag, a->loc, a->path, "cold plate \"%s\" is defined twice (first at %s); give each plate its own name", a->name,
                                b->path));
        }
      for (PetscInt l = 0; l < pb->nlayers; l++) /* micro-channel layers name theirs by the layer */
        if (pb->layers[l].channels != NULL && pb->layers[l].name != NULL && !strcmp(a->name, pb->layers[l].name))
          PetscCall(PhDiagAdd(ld->diag, a->loc, a->path,
                              "cold plate \"%s\" has the name of the micro-channel layer stack[%d], whose coolant is reported under that name; "
                              "give the plate another name",
                              a->name, (int)l));
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* x and y given where they do not belong: one line, at the first of them. */
static PetscErrorCode PhMisplacedXY(PhLoader *ld, const PhNode *map, const char path[], const char where[])
{
  PhNode *x = PhNodeGetKey_Private(map, "x"), *y = PhNodeGetKey_Private(map, "y");
  char    sub[300];

  PetscFunctionBeginUser;
  if (x == NULL && y == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhNodePath_Private(sub, sizeof(sub), path, x != NULL ? "x" : "y", -1));
  PetscCall(PhDiagAdd(ld->diag, (x != NULL ? x : y)->loc, sub, "%s belong%s %s", x != NULL && y != NULL ? "x and y" : (x != NULL ? "x" : "y"),
                      x != NULL && y != NULL ? "" : "s", where));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhSchemaSources_Private(PhLoader *ld)
{
  static const char *const keys[]  = {"name", "block", "layer", "x", "y", "box", "power", "leakage", NULL};
  static const char *const bkeys[] = {"x", "y", "z", NULL};
  static const char *const lkeys[] = {"p_ref", "t_ref", "beta", NULL};
  PhCase                   pb      = ld->problem;
  PhNode                  *srcs    = PhNodeGet_Private(ld->root, "sources");
  PetscInt                *name_lines;

  PetscFunctionBeginUser;
  if (PhNodeIsNull_Private(srcs)) PetscFunctionReturn(PETSC_SUCCESS);
  if (srcs->type != PH_NODE_SEQ) {
    PetscCall(PhDiagAdd(ld->diag, srcs->loc, "sources", "expected a list of heat sources, got %s", PhNodeTypeName_Private(srcs)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  {
    PetscBool many;

    PetscCall(PhGetTooMany_Private(ld, srcs, "sources", srcs->n, "sources", PH_MAX_SOURCES, &many));
    if (many) PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscCalloc1(PetscMax(srcs->n, 1), &pb->sources));
  PetscCall(PetscMalloc1(srcs->n + 1, &name_lines));
  for (PetscInt s = 0; s < srcs->n; s++) {
    PhNode   *map = srcs->values[s], *blk, *lay, *box, *power, *leak;
    PhSource *src = &pb->sources[pb->nsources];
    char      path[128], sub[200];
    char    **seen;
    PetscBool ok, px, py, pz;
    PetscInt  forms;

    PetscCall(PhNodePath_Private(path, sizeof(path), "sources", NULL, s));
    PetscCall(PhGetExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    pb->nsources++;
    src->loc   = map->loc;
    src->block = src->layer = -1;
    PetscCall(PhGetCheckKeys_Private(ld, map, path, keys));
    PetscCall(PetscMalloc1(pb->nsources, &seen));
    for (PetscInt i = 0; i < pb->nsources - 1; i++) seen[i] = pb->sources[i].name;
    PetscCall(PhGetName_Private(ld, map, path, "source", pb->nsources - 1, seen, name_lines, &src->name, &name_lines[pb->nsources - 1]));
    PetscCall(PetscFree(seen));
    blk   = PhNodeGet_Private(map, "block");
    lay   = PhNodeGet_Private(map, "layer");
    box   = PhNodeGet_Private(map, "box");
    forms = !PhNodeIsNull_Private(blk) + !PhNodeIsNull_Private(lay) + !PhNodeIsNull_Private(box);
    if (forms != 1) {
      PetscCall(PhDiagAdd(ld->diag, map->loc, path, "give exactly one of block: NAME, layer: NAME with x and y, or box: {x, y, z}"));
    } else if (!PhNodeIsNull_Private(blk)) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "block", -1));
      src->kind = PH_SOURCE_BLOCK;
      PetscCall(PhGetGeometryRef_Private(ld, blk, sub, PH_GEOMETRY_BLOCK, &src->block));
      if (src->block >= 0) {
        PhBlock *b = &pb->blocks[src->block];

        src->x0 = b->x0, src->x1 = b->x1, src->y0 = b->y0, src->y1 = b->y1, src->z0 = b->z0, src->z1 = b->z1;
      }
      PetscCall(PhMisplacedXY(ld, map, path, "to a layer source; a block source covers its whole block"));
    } else if (!PhNodeIsNull_Private(lay)) {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "layer", -1));
      src->kind = PH_SOURCE_LAYER_RECT;
      PetscCall(PhGetGeometryRef_Private(ld, lay, sub, PH_GEOMETRY_LAYER, &src->layer));
      PetscCall(PhGetRange_Private(ld, map, path, "x", PETSC_TRUE, &src->x0, &src->x1, &px));
      PetscCall(PhGetRange_Private(ld, map, path, "y", PETSC_TRUE, &src->y0, &src->y1, &py));
      if (src->layer >= 0) {
        src->z0 = pb->layers[src->layer].z0;
        src->z1 = pb->layers[src->layer].z1;
      }
    } else {
      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "box", -1));
      src->kind = PH_SOURCE_BOX;
      PetscCall(PhGetExpectMap_Private(ld, box, sub, &ok));
      if (ok) {
        PetscCall(PhGetCheckKeys_Private(ld, box, sub, bkeys));
        PetscCall(PhGetRange_Private(ld, box, sub, "x", PETSC_TRUE, &src->x0, &src->x1, &px));
        PetscCall(PhGetRange_Private(ld, box, sub, "y", PETSC_TRUE, &src->y0, &src->y1, &py));
        PetscCall(PhGetRange_Private(ld, box, sub, "z", PETSC_TRUE, &src->z0, &src->z1, &pz));
        if (pz && pb->nlayers > 0 && (src->z0 < -PH_MERGE_DISTANCE || src->z1 > pb->layers[pb->nlayers - 1].z1 + PH_MERGE_DISTANCE)) {
          char zsub[300], top[64];

          PetscCall(PhNodePath_Private(zsub, sizeof(zsub), sub, "z", -1));
          PetscCall(PhUnitsFormat(pb->layers[pb->nlayers - 1].z1, PH_QT_LENGTH, top, sizeof(top)));
          PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(box, "z")->loc, zsub, "the box extends above or below the stack, which spans z = 0 m to %s",
                              top));
        }
      }
      PetscCall(PhMisplacedXY(ld, map, path, "inside box: {x, y, z}"));
    }
    if (src->kind != PH_SOURCE_BLOCK && src->x1 > src->x0 && src->y1 > src->y0 && pb->nlayers > 0 &&
        (src->x0 < pb->fx0 - PH_MERGE_DISTANCE || src->x1 > pb->fx1 + PH_MERGE_DISTANCE || src->y0 < pb->fy0 - PH_MERGE_DISTANCE ||
         src->y1 > pb->fy1 + PH_MERGE_DISTANCE))
      PetscCall(PhDiagAdd(ld->diag, map->loc, path, "source \"%s\" extends outside the footprint", src->name ? src->name : "?"));
    power = PhNodeGet_Private(map, "power");
    PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "power", -1));
    if (PhNodeIsNull_Private(power)) PetscCall(PhGetMissing_Private(ld, map, path, "power", "a power such as \"4 W\", a trace or a pattern"));
    else {
      PetscInt before, after;

      PetscCall(PhDiagGetCount(ld->diag, &before, NULL));
      PetscCall(PhGetSignal_Private(ld, power, sub, PH_QT_POWER, PETSC_TRUE, &src->power));
      PetscCall(PhDiagGetCount(ld->diag, &after, NULL));
      if (after == before) PetscCall(PhGetPlausible_Private(ld, power->loc, sub, PH_QT_POWER, PhSignalMaxAbs(&src->power))); /* its largest */
    }
    leak = PhNodeGet_Private(map, "leakage");
    if (!PhNodeIsNull_Private(leak)) {
      PetscBool present;

      PetscCall(PhNodePath_Private(sub, sizeof(sub), path, "leakage", -1));
      PetscCall(PhGetExpectMap_Private(ld, leak, sub, &ok));
      if (ok) {
        PetscCall(PhGetCheckKeys_Private(ld, leak, sub, lkeys));
        src->has_leakage = PETSC_TRUE;
        PetscCall(PhGetQuantity_Private(ld, leak, sub, "p_ref", PH_QT_POWER, PETSC_TRUE, 0, &src->leak_p_ref, &present));
        if (present && src->leak_p_ref < 0) PetscCall(PhGetValueProblem_Private(ld, leak, sub, "p_ref", "must not be negative"));
        PetscCall(PhGetQuantity_Private(ld, leak, sub, "t_ref", PH_QT_TEMPERATURE, PETSC_TRUE, 0, &src->leak_t_ref, &present));
        PetscCall(PhGetQuantity_Private(ld, leak, sub, "beta", PH_QT_INVERSE_TEMPERATURE, PETSC_TRUE, 0, &src->leak_beta, &present));
        if (present && !(src->leak_beta >= 0 && src->leak_beta < 1)) {
          char why[80];

          (void)snprintf(why, sizeof(why), "must be in [0, 1) 1/K, got %g 1/K", (double)src->leak_beta);
          PetscCall(PhGetValueProblem_Private(ld, leak, sub, "beta", why));
        }
      }
    }
  }
  PetscCall(PetscFree(name_lines));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  time.initial.file names an earlier result. Like output files it is relative to the current directory, not to the
  case file (DESIGN §3.2: output paths are relative to the current directory). It is read only when the run starts,
  but a file that cannot be read is bad input, found now (exit 2) rather than after the mesh is built.
*/
static PetscErrorCode PhCheckInitialFile(PhLoader *ld, const PhNode *node)
{
  PetscMPIInt rank;
  int         status = 0; /* 0 a readable result, -1 not HDF5, -2 truncated or damaged, -3 no snapshots, else errno */

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(ld->comm, &rank));
  if (rank == 0) {
    FILE *fp = fopen(node->value, "rb");

    if (fp == NULL) status = errno ? errno : EIO;
    else {
      (void)fclose(fp);
      if (H5Fis_hdf5(node->value) <= 0) status = -1;
      else {
        hid_t file = H5Fopen(node->value, H5F_ACC_RDONLY, H5P_DEFAULT);

        if (file < 0) status = -2;
        else { /* the snapshots of a result (output.h: PH_RESULT_FIELD_TIME, PH_RESULT_TEMPERATURE), which the run reads */
          if (H5Lexists(file, "/fields", H5P_DEFAULT) <= 0 || H5Lexists(file, "/fields/time", H5P_DEFAULT) <= 0 ||
              H5Lexists(file, "/fields/temperature", H5P_DEFAULT) <= 0)
            status = -3;
          (void)H5Fclose(file);
        }
      }
    }
  }
  PetscCallMPI(MPI_Bcast(&status, 1, MPI_INT, 0, ld->comm));
  if (status > 0) PetscCall(PhDiagAdd(ld->diag, node->loc, "time.initial.file", "cannot read \"%s\": %s", node->value, strerror(status)));
  else if (status == -1)
    PetscCall(PhDiagAdd(ld->diag, node->loc, "time.initial.file", "\"%s\" is not an HDF5 result file of photherm run", node->value));
  else if (status == -2)
    PetscCall(PhDiagAdd(ld->diag, node->loc, "time.initial.file", "cannot open \"%s\": the HDF5 file is truncated or damaged", node->value));
  else if (status == -3)
    PetscCall(PhDiagAdd(ld->diag, node->loc, "time.initial.file",
                        "\"%s\" is not a result of photherm run: it has no temperature snapshots (/fields/time, /fields/temperature)", node->value));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* time.mode */
typedef enum {
  PH_TIME_TRANSIENT,
  PH_TIME_STEADY
} PhTimeMode;
static const char *const PhTimeModes[] = {"transient", "steady", NULL};

const char *const PhTimeMethods[] = {"full", "reduced", NULL};

/* output.precision of the field snapshots */
typedef enum {
  PH_PRECISION_FLOAT64,
  PH_PRECISION_FLOAT32
} PhPrecision;
static const char *const PhPrecisions[] = {"float64", "float32", NULL};

PetscErrorCode PhSchemaTime_Private(PhLoader *ld)
{
  static const char *const keys[]  = {"mode", "method", "reduced", "end", "dt", "dt_max", "initial", NULL};
  static const char *const okeys[] = {"file", "fields_every", "series_every", "precision", NULL};
  PhCase                   pb      = ld->problem;
  PhNode                  *time = PhNodeGet_Private(ld->root, "time"), *out = PhNodeGet_Private(ld->root, "output"), *init;
  PetscBool                ok, present;
  PetscInt                 mode = PH_TIME_TRANSIENT, prec = PH_PRECISION_FLOAT64, method = PH_METHOD_FULL;
  PhTime                  *t = &pb->time;

  PetscFunctionBeginUser;
  t->initial = PH_INITIAL_STEADY;
  if (!PhNodeIsNull_Private(time)) {
    PetscCall(PhGetExpectMap_Private(ld, time, "time", &ok));
    if (!ok) time = NULL;
  } else time = NULL;
  if (time != NULL) {
    PetscCall(PhGetCheckKeys_Private(ld, time, "time", keys));
    PetscCall(PhGetEnum_Private(ld, time, "time", "mode", PhTimeModes, PH_TIME_TRANSIENT, &mode));
    PetscCall(PhGetEnum_Private(ld, time, "time", "method", PhTimeMethods, PH_METHOD_FULL, &method));
  }
  t->method = (PhTimeMethod)method;
  if (t->method == PH_METHOD_REDUCED) /* its basis is built for one coolant flow: the coolant is linear only while the flow is fixed */
    for (PetscInt f = 0; f < PH_NFACES; f++)
      for (PetscInt i = 0; i < pb->boundaries[f].n; i++)
        if (pb->boundaries[f].conditions[i].type == PH_BC_COLD_PLATE && !PhSignalIsConstant(&pb->boundaries[f].conditions[i].flow)) {
          PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(time, "method")->loc, "time.method",
                              "the reduced model needs a constant coolant flow, and %s.flow changes over time: its basis is built for one flow "
                              "(the inlet temperature may follow a trace); use time.method: full",
                              pb->boundaries[f].conditions[i].path));
          f = PH_NFACES;
          break;
        }
  t->reduced_tolerance = 0.05;
  if (time != NULL && !PhNodeIsNull_Private(PhNodeGet_Private(time, "reduced"))) {
    static const char *const rkeys[] = {"tolerance", NULL};
    PhNode                  *red     = PhNodeGet_Private(time, "reduced");

    PetscCall(PhGetExpectMap_Private(ld, red, "time.reduced", &ok));
    if (ok) {
      PetscCall(PhGetCheckKeys_Private(ld, red, "time.reduced", rkeys));
      PetscCall(PhGetQuantity_Private(ld, red, "time.reduced", "tolerance", PH_QT_TEMPERATURE_DIFFERENCE, PETSC_FALSE, 0.05, &t->reduced_tolerance,
                                      &present));
      if (present && !(t->reduced_tolerance > 0))
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(red, "tolerance")->loc, "time.reduced.tolerance", "must be positive"));
    }
  }
  t->steady = (PetscBool)(mode == PH_TIME_STEADY);
  if (!t->steady) {
    if (time == NULL) PetscCall(PhGetMissing_Private(ld, ld->root, "", "time", "time: {end: ...} for a transient (or time: {mode: steady})"));
    else {
      PetscCall(PhGetQuantity_Private(ld, time, "time", "end", PH_QT_TIME, PETSC_TRUE, 0, &t->end, &present));
      if (present && !(t->end > 0)) PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(time, "end")->loc, "time.end", "must be positive"));
    }
  } else if (time != NULL) {
    PetscCall(PhGetQuantity_Private(ld, time, "time", "end", PH_QT_TIME, PETSC_FALSE, 0, &t->end, &present));
  }
  t->dt     = t->end / 1000;
  t->dt_max = t->end / 20;
  if (time != NULL) {
    PetscCall(PhGetQuantity_Private(ld, time, "time", "dt", PH_QT_TIME, PETSC_FALSE, t->end / 1000, &t->dt, &present));
    if (present && !(t->dt > 0)) PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(time, "dt")->loc, "time.dt", "must be positive"));
    PetscCall(PhGetQuantity_Private(ld, time, "time", "dt_max", PH_QT_TIME, PETSC_FALSE, t->end / 20, &t->dt_max, &ok));
    if (ok && !(t->dt_max > 0)) PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(time, "dt_max")->loc, "time.dt_max", "must be positive"));
    if (present && ok && t->dt > t->dt_max && !t->steady)
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(time, "dt")->loc, "time.dt", "the first step exceeds dt_max"));
    if (!present && ok && t->dt > t->dt_max) t->dt = t->dt_max;
    init = PhNodeGet_Private(time, "initial");
    if (!PhNodeIsNull_Private(init)) {
      if (init->type == PH_NODE_SCALAR && !strcmp(init->value, "steady")) t->initial = PH_INITIAL_STEADY;
      else if (init->type == PH_NODE_SCALAR) {
        t->initial = PH_INITIAL_TEMPERATURE;
        PetscCall(PhGetNodeQuantity_Private(ld, init, "time.initial", PH_QT_TEMPERATURE, &t->initial_temperature, &ok));
      } else if (init->type == PH_NODE_MAP) {
        static const char *const ikeys[] = {"file", "time", NULL};

        t->initial = PH_INITIAL_FILE;
        PetscCall(PhGetCheckKeys_Private(ld, init, "time.initial", ikeys));
        PetscCall(PhGetString_Private(ld, init, "time.initial", "file", PETSC_TRUE, NULL, &t->initial_file));
        if (t->initial_file != NULL && !PhNodeGet_Private(init, "file")->bad) PetscCall(PhCheckInitialFile(ld, PhNodeGet_Private(init, "file")));
        if (t->initial_file != NULL) t->initial_loc = PhNodeGet_Private(init, "file")->loc;
        PetscCall(PhGetQuantity_Private(ld, init, "time.initial", "time", PH_QT_TIME, PETSC_FALSE, -1, &t->initial_time, &present));
        if (present && t->initial_time < 0)
          PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(init, "time")->loc, "time.initial.time", "must not be negative"));
      } else
        PetscCall(PhDiagAdd(ld->diag, init->loc, "time.initial",
                            "expected steady, a temperature such as \"35 C\", or {file: earlier.h5, time: 0.2 s}"));
    }
  }
  if (!t->steady && t->end > 0 && t->end <= PH_MAX_TIME) PetscCall(PhGetSignalTiming_Private(ld, t->end));
  /* output */
  pb->output.fields_every = t->end / 20;
  pb->output.series_every = t->end / 200;
  if (!PhNodeIsNull_Private(out)) {
    PetscCall(PhGetExpectMap_Private(ld, out, "output", &ok));
    if (ok) {
      PetscCall(PhGetCheckKeys_Private(ld, out, "output", okeys));
      PetscCall(PhGetString_Private(ld, out, "output", "file", PETSC_FALSE, NULL, &pb->output.file));
      PetscCall(PhGetQuantity_Private(ld, out, "output", "fields_every", PH_QT_TIME, PETSC_FALSE, t->end / 20, &pb->output.fields_every, &present));
      if (present && !(pb->output.fields_every > 0))
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(out, "fields_every")->loc, "output.fields_every", "must be positive"));
      PetscCall(PhGetQuantity_Private(ld, out, "output", "series_every", PH_QT_TIME, PETSC_FALSE, t->end / 200, &pb->output.series_every, &present));
      if (present && !(pb->output.series_every > 0))
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(out, "series_every")->loc, "output.series_every", "must be positive"));
      PetscCall(PhGetEnum_Private(ld, out, "output", "precision", PhPrecisions, PH_PRECISION_FLOAT64, &prec));
      if (pb->output.file != NULL && pb->output.file[0] == '\0')
        PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(out, "file")->loc, "output.file", "must not be empty"));
    }
  }
  if (!t->steady && t->end > 0 && t->end <= PH_MAX_TIME) { /* steps and intervals the time loop can resolve */
    const PhNode *maps[]  = {time, time, out, out};
    const char   *keys2[] = {"dt", "dt_max", "fields_every", "series_every"},
               *paths[]   = {"time.dt", "time.dt_max", "output.fields_every", "output.series_every"};
    PetscReal values[]    = {t->dt, t->dt_max, pb->output.fields_every, pb->output.series_every};

    for (int i = 0; i < 4; i++) {
      const PhNode *node = maps[i] != NULL && maps[i]->type == PH_NODE_MAP ? PhNodeGet_Private(maps[i], keys2[i]) : NULL;

      if (node != NULL && values[i] > 0 && values[i] < PhTimeResolution(t->end))
        PetscCall(PhDiagAdd(ld->diag, node->loc, paths[i],
                            "%.3g s is below %.3g s, the resolution of times up to time.end %g s (1 ns, or 1e-9 of the time beyond 1 s)",
                            (double)values[i], (double)PhTimeResolution(t->end), (double)t->end));
    }
  }
  pb->output.float32 = (PetscBool)(prec == PH_PRECISION_FLOAT32);
  if (pb->output.file == NULL && pb->name != NULL) {
    size_t len = strlen(pb->name) + 4;

    PetscCall(PetscMalloc1(len, &pb->output.file));
    (void)snprintf(pb->output.file, len, "%s.h5", pb->name);
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  A steady state the sinks cannot reach below the runaway temperature: with only convection sinks, sum h A (T - T_amb)
  over them equals the net heat in at t = 0 (sources and fluxes), so some sink surface is at least min T_amb + P / sum h A.
  When that exceeds PH_RUNAWAY_TEMPERATURE (a sink of a square micrometre under 1 W: 5e7 K) the run must fail, in the
  linear solver or as a runaway; it is an input error at the boundaries. Overlapping conditions count twice, which only
  lowers the bound; a case with a temperature condition, or a transient from a given temperature, is not judged.
*/
static PetscErrorCode PhSchemaCheckSinkStrength(PhLoader *ld)
{
  PhCase    pb          = ld->problem;
  PetscReal conductance = 0, power = 0, ambient = PETSC_MAX_REAL, height;
  PhNode   *bnd = PhNodeGetKey_Private(ld->root, "boundaries");
  PetscInt  nerrors;

  PetscFunctionBeginUser;
  PetscCall(PhDiagGetCount(ld->diag, &nerrors, NULL));
  if (nerrors > 0) PetscFunctionReturn(PETSC_SUCCESS); /* signals with problems hold no values */
  if (!pb->time.steady && pb->time.initial != PH_INITIAL_STEADY) PetscFunctionReturn(PETSC_SUCCESS);
  if (pb->nlayers < 1 || ld->no_geometry) PetscFunctionReturn(PETSC_SUCCESS);
  height = pb->layers[pb->nlayers - 1].z1 - pb->layers[0].z0;
  for (PetscInt l = 0; l < pb->nlayers; l++)
    if (pb->layers[l].channels != NULL) PetscFunctionReturn(PETSC_SUCCESS); /* a micro-channel coolant's own rise: not judged here */
  for (PetscInt f = 0; f < PH_NFACES; f++)
    for (PetscInt i = 0; i < pb->boundaries[f].n; i++) {
      const PhBoundaryCondition *bc = &pb->boundaries[f].conditions[i];
      PetscReal                  area;

      if (bc->has_region) area = (bc->x1 - bc->x0) * (bc->y1 - bc->y0);
      else if (f == PH_FACE_BOTTOM || f == PH_FACE_TOP) area = (pb->fx1 - pb->fx0) * (pb->fy1 - pb->fy0);
      else if (f == PH_FACE_XMIN || f == PH_FACE_XMAX) area = (pb->fy1 - pb->fy0) * height;
      else area = (pb->fx1 - pb->fx0) * height;
      if (bc->type == PH_BC_TEMPERATURE) PetscFunctionReturn(PETSC_SUCCESS);
      if (bc->type == PH_BC_COLD_PLATE) PetscFunctionReturn(PETSC_SUCCESS); /* the coolant's own rise: not judged here */
      if (bc->type == PH_BC_CONVECTION) {
        conductance += bc->h * area;
        ambient = PetscMin(ambient, PhSignalEvaluate(&bc->value, 0));
      } else if (bc->type == PH_BC_FLUX) power += PhSignalEvaluate(&bc->value, 0) * area;
    }
  for (PetscInt s = 0; s < pb->nsources; s++) power += PhSignalEvaluate(&pb->sources[s].power, 0);
  if (conductance > 0 && power > 0 && ambient + power / conductance > PH_RUNAWAY_TEMPERATURE)
    PetscCall(
      PhDiagAdd(ld->diag, bnd ? bnd->loc : ld->root->loc, "boundaries",
                "the convection sinks conduct %.3g W/K in all (h times area), so the %.3g W of heat at t = 0 would raise them by at least %.3g K, "
                "above the %g K of a thermal runaway: no steady state can be computed",
                (double)conductance, (double)power, (double)(power / conductance), PH_RUNAWAY_TEMPERATURE));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A case that can reach no steady state: no convection or fixed-temperature condition anywhere. */
PetscErrorCode PhSchemaCheckSink_Private(PhLoader *ld)
{
  PhCase    pb   = ld->problem;
  PetscBool sink = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (PetscInt f = 0; f < PH_NFACES; f++)
    for (PetscInt i = 0; i < pb->boundaries[f].n; i++)
      if (pb->boundaries[f].conditions[i].type == PH_BC_CONVECTION || pb->boundaries[f].conditions[i].type == PH_BC_TEMPERATURE ||
          pb->boundaries[f].conditions[i].type == PH_BC_COLD_PLATE)
        sink = PETSC_TRUE;
  for (PetscInt l = 0; l < pb->nlayers; l++)
    if (pb->layers[l].channels != NULL) sink = PETSC_TRUE;    /* the coolant of a micro-channel layer */
  if (ld->bad_boundaries) PetscFunctionReturn(PETSC_SUCCESS); /* a condition with a bad type is reported; it may be the sink */
  if (sink) {
    PetscCall(PhSchemaCheckSinkStrength(ld));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (pb->time.steady) {
    PhNode *bnd = PhNodeGetKey_Private(ld->root, "boundaries");

    PetscCall(PhDiagAdd(ld->diag, bnd ? bnd->loc : ld->root->loc, "boundaries",
                        "a steady case needs a convection or temperature boundary somewhere; with only adiabatic and flux faces it has no solution"));
  } else if (pb->time.initial == PH_INITIAL_STEADY && !PhNodeIsNull_Private(PhNodeGet_Private(ld->root, "time"))) { /* no time: reported */
    PhNode *key = PhNodeGetKey_Private(PhNodeGet_Private(ld->root, "time"), "initial");

    if (key == NULL) key = PhNodeGetKey_Private(ld->root, "time"); /* initial: steady by default */
    PetscCall(PhDiagAdd(ld->diag, key ? key->loc : ld->root->loc, "time.initial",
                        "a steady initial state needs a convection or temperature boundary; give an initial temperature such as \"25 C\" instead"));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

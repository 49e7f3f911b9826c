/* The optics and yield sections of the case file (PHYSICS §1): lasers, ring groups, links, metrics and yield. */
#include "case_impl.h"

#include <string.h>

#define PH_SPEED_OF_LIGHT 299792458.0 /* m/s */

/* A WDM spacing: a length, or a frequency converted at the line-0 wavelength (dlambda = lambda^2 df / c). */
static PetscErrorCode PhSchemaSpacing(PhLoader *ld, const PhNode *map, const char path[], PetscReal wavelength, PetscReal def, PetscReal *spacing)
{
  PhNode    *node = PhNodeGet_Private(map, "spacing");
  char       sub[600], reason[600];
  PhQuantity q;
  PetscBool  ok;

  PetscFunctionBeginUser;
  *spacing = def;
  if (PhNodeIsNull_Private(node)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "spacing", -1));
  if (node->type != PH_NODE_SCALAR) {
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "expected a spacing such as \"1.12 nm\" or \"200 GHz\", got %s", PhNodeTypeName_Private(node)));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhUnitsEvaluate(node->value, PhParamLookup_Private, ld, &q, &ok, reason, sizeof(reason)));
  if (ok && !q.bare && PhUnitsMatch(&q, PH_QT_FREQUENCY)) {
    *spacing = wavelength * wavelength * q.value / PH_SPEED_OF_LIGHT;
  } else if (ok && !q.bare && PhUnitsMatch(&q, PH_QT_WAVELENGTH)) {
    *spacing = q.value;
  } else {
    if (ok) (void)snprintf(reason, sizeof(reason), "expected a spacing such as \"1.12 nm\" or \"200 GHz\", got \"%s\"", node->value);
    PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "%s", reason));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!(*spacing > 0)) PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "the spacing must be positive"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhPositive(PhLoader *ld, const PhNode *map, const char path[], const char key[], PetscReal value, PetscBool allow_zero)
{
  PhNode *node = PhNodeGet_Private(map, key);
  char    sub[600];

  PetscFunctionBeginUser;
  if (node == NULL || (allow_zero ? value >= 0 : value > 0)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, key, -1));
  PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "must be %s, got \"%s\"", allow_zero ? "zero or positive" : "positive",
                      node->type == PH_NODE_SCALAR ? node->value : "?"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* A name-valued key that must name one of the blocks. */
static PetscErrorCode PhBlockRef(PhLoader *ld, const PhNode *node, const char path[], PetscInt *block)
{
  PhCase       pb = ld->problem;
  const char **names;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(pb->nblocks + 1, &names));
  for (PetscInt b = 0; b < pb->nblocks; b++) names[b] = pb->blocks[b].name;
  PetscCall(PhSchemaFindName_Private(ld, node, path, "block", pb->nblocks, names, block));
  PetscCall(PetscFree(names));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaLasers(PhLoader *ld, PhNode *list)
{
  static const char *const keys[]  = {"name",  "type",        "temperature",          "at",     "wavelength", "lines", "spacing", "drift",
                                      "power", "power_drift", "wall_plug_efficiency", "wpe_t1", "heat",       NULL};
  static const char *const types[] = {"external", "dfb", "vcsel", NULL};
  PhOptics                *op      = &ld->problem->optics;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(PetscMax(list->n, 1), &op->lasers));
  for (PetscInt i = 0; i < list->n; i++) {
    PhNode   *map = list->values[i], *at, *temp;
    PhLaser  *ls  = &op->lasers[op->nlasers];
    char      path[128], sub[160];
    PetscBool ok, present;
    PetscInt  type;

    PetscCall(PhSchemaPath_Private(path, sizeof(path), "optics.lasers", NULL, i));
    PetscCall(PhSchemaExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    op->nlasers++;
    ls->loc   = map->loc;
    ls->block = -1;
    ls->link  = -1;
    PetscCall(PhSchemaCheckKeys_Private(ld, map, path, keys));
    PetscCall(PhSchemaString_Private(ld, map, path, "name", PETSC_TRUE, NULL, &ls->name));
    for (PetscInt j = 0; j < op->nlasers - 1; j++)
      if (ls->name && op->lasers[j].name && !strcmp(ls->name, op->lasers[j].name))
        PetscCall(PhDiagAdd(ld->diag, map->loc, path, "laser \"%s\" is defined twice", ls->name));
    PetscCall(PhSchemaEnum_Private(ld, map, path, "type", types, 0, &type));
    ls->type = (PhLaserType)type;
    at       = PhNodeGet_Private(map, "at");
    temp     = PhNodeGet_Private(map, "temperature");
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "temperature", PH_QT_TEMPERATURE, PETSC_FALSE, 35.0 + PH_ZERO_CELSIUS, &ls->temperature,
                                       &present));
    if (ls->type == PH_LASER_EXTERNAL) {
      if (!PhNodeIsNull_Private(at)) {
        PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "at", -1));
        PetscCall(PhDiagAdd(ld->diag, at->loc, sub, "an external laser has its own temperature; at: {block} is for dfb and vcsel lasers"));
      }
    } else {
      if (!PhNodeIsNull_Private(temp)) {
        PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "temperature", -1));
        PetscCall(PhDiagAdd(ld->diag, temp->loc, sub, "a %s laser takes the temperature of its block (at: {block: ...}), not a fixed one",
                            types[type]));
      }
      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "at", -1));
      if (PhNodeIsNull_Private(at))
        PetscCall(PhDiagAdd(ld->diag, map->loc, sub, "missing required key (a %s laser needs at: {block: NAME})", types[type]));
      else {
        static const char *const akeys[] = {"block", NULL};

        PetscCall(PhSchemaExpectMap_Private(ld, at, sub, &ok));
        if (ok) {
          char bsub[200];

          PetscCall(PhSchemaCheckKeys_Private(ld, at, sub, akeys));
          PetscCall(PhSchemaPath_Private(bsub, sizeof(bsub), sub, "block", -1));
          if (PhNodeIsNull_Private(PhNodeGet_Private(at, "block")))
            PetscCall(PhDiagAdd(ld->diag, at->loc, bsub, "missing required key (the name of the laser's block)"));
          else PetscCall(PhBlockRef(ld, PhNodeGet_Private(at, "block"), bsub, &ls->block));
        }
      }
    }
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "wavelength", PH_QT_WAVELENGTH, PETSC_FALSE, 1310e-9, &ls->wavelength, &present));
    PetscCall(PhPositive(ld, map, path, "wavelength", ls->wavelength, PETSC_FALSE));
    PetscCall(PhSchemaInt_Private(ld, map, path, "lines", PETSC_FALSE, 8, 1, 4096, &ls->lines));
    PetscCall(PhSchemaSpacing(ld, map, path, ls->wavelength, 1.12e-9, &ls->spacing));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "drift", PH_QT_DRIFT, PETSC_FALSE, 0.09e-9, &ls->drift, &present));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "power", PH_QT_OPTICAL_POWER, PETSC_FALSE, 10.0, &ls->power_dbm, &present));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "power_drift", PH_QT_DB_PER_K, PETSC_FALSE, -0.02, &ls->power_drift, &present));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "wall_plug_efficiency", PH_QT_DIMENSIONLESS, PETSC_FALSE, 0.20, &ls->wpe, &present));
    if (present && !(ls->wpe > 0 && ls->wpe <= 1))
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, "wall_plug_efficiency")->loc, path, "wall_plug_efficiency must be in (0, 1], got %g",
                          (double)ls->wpe));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "wpe_t1", PH_QT_TEMPERATURE_DIFFERENCE, PETSC_FALSE, 200.0, &ls->wpe_t1, &present));
    PetscCall(PhPositive(ld, map, path, "wpe_t1", ls->wpe_t1, PETSC_FALSE));
    PetscCall(PhSchemaBool_Private(ld, map, path, "heat", PETSC_TRUE, &ls->heat));
    if (ls->type == PH_LASER_EXTERNAL) ls->heat = PETSC_FALSE;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaRings(PhLoader *ld, PhNode *list)
{
  static const char *const keys[]  = {"name",    "block",     "count",       "wavelength", "spacing",    "drift",  "fsr", "q",
                                      "offsets", "sigma_die", "sigma_local", "die",        "lock_error", "heater", NULL};
  static const char *const hkeys[] = {"efficiency", "max_power", "feedback", NULL};
  PhOptics                *op      = &ld->problem->optics;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(PetscMax(list->n, 1), &op->rings));
  PetscCall(PetscCalloc1(PetscMax(list->n, 1), &op->die_names));
  for (PetscInt i = 0; i < list->n; i++) {
    PhNode      *map = list->values[i], *heater, *offsets;
    PhRingGroup *rg  = &op->rings[op->nrings];
    char         path[128], sub[160];
    PetscBool    ok, present;

    PetscCall(PhSchemaPath_Private(path, sizeof(path), "optics.rings", NULL, i));
    PetscCall(PhSchemaExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    op->nrings++;
    rg->loc   = map->loc;
    rg->block = -1;
    rg->link  = -1;
    PetscCall(PhSchemaCheckKeys_Private(ld, map, path, keys));
    PetscCall(PhSchemaString_Private(ld, map, path, "name", PETSC_TRUE, NULL, &rg->name));
    for (PetscInt j = 0; j < op->nrings - 1; j++)
      if (rg->name && op->rings[j].name && !strcmp(rg->name, op->rings[j].name))
        PetscCall(PhDiagAdd(ld->diag, map->loc, path, "ring group \"%s\" is defined twice", rg->name));
    PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "block", -1));
    if (PhNodeIsNull_Private(PhNodeGet_Private(map, "block")))
      PetscCall(PhDiagAdd(ld->diag, map->loc, sub, "missing required key (the block the rings sit in)"));
    else PetscCall(PhBlockRef(ld, PhNodeGet_Private(map, "block"), sub, &rg->block));
    PetscCall(PhSchemaInt_Private(ld, map, path, "count", PETSC_FALSE, 8, 1, 4096, &rg->count));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "wavelength", PH_QT_WAVELENGTH, PETSC_FALSE, 1308e-9, &rg->wavelength, &present));
    PetscCall(PhPositive(ld, map, path, "wavelength", rg->wavelength, PETSC_FALSE));
    PetscCall(PhSchemaSpacing(ld, map, path, rg->wavelength, 1.12e-9, &rg->spacing));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "drift", PH_QT_DRIFT, PETSC_FALSE, 0.07e-9, &rg->drift, &present));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "fsr", PH_QT_WAVELENGTH, PETSC_FALSE, 12.7e-9, &rg->fsr, &present));
    PetscCall(PhPositive(ld, map, path, "fsr", rg->fsr, PETSC_FALSE));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "q", PH_QT_DIMENSIONLESS, PETSC_FALSE, 5000, &rg->q, &present));
    PetscCall(PhPositive(ld, map, path, "q", rg->q, PETSC_FALSE));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "sigma_die", PH_QT_WAVELENGTH, PETSC_FALSE, 1.0e-9, &rg->sigma_die, &present));
    PetscCall(PhPositive(ld, map, path, "sigma_die", rg->sigma_die, PETSC_TRUE));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "sigma_local", PH_QT_WAVELENGTH, PETSC_FALSE, 0.25e-9, &rg->sigma_local, &present));
    PetscCall(PhPositive(ld, map, path, "sigma_local", rg->sigma_local, PETSC_TRUE));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "lock_error", PH_QT_WAVELENGTH, PETSC_FALSE, 0, &rg->lock_error, &present));
    PetscCall(PhPositive(ld, map, path, "lock_error", rg->lock_error, PETSC_TRUE));
    PetscCall(PhSchemaString_Private(ld, map, path, "die", PETSC_FALSE, rg->name ? rg->name : "", &rg->die));
    PetscCall(PetscCalloc1(rg->count, &rg->offsets));
    offsets = PhNodeGet_Private(map, "offsets");
    if (!PhNodeIsNull_Private(offsets)) {
      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "offsets", -1));
      if (offsets->type != PH_NODE_SEQ || offsets->n != rg->count) {
        PetscCall(PhDiagAdd(ld->diag, offsets->loc, sub, "expected a list of %d wavelength offsets (one per ring), got %s", (int)rg->count,
                            offsets->type == PH_NODE_SEQ ? "a list of another length" : PhNodeTypeName_Private(offsets)));
      } else {
        for (PetscInt r = 0; r < rg->count; r++) {
          char item[200];

          PetscCall(PhSchemaPath_Private(item, sizeof(item), sub, NULL, r));
          PetscCall(PhSchemaNodeQuantity_Private(ld, offsets->values[r], item, PH_QT_WAVELENGTH, &rg->offsets[r], &ok));
        }
      }
    }
    rg->heater_efficiency = 0.28e-9 / 1e-3;
    rg->heater_max_power  = 20e-3;
    rg->heater_feedback   = PETSC_TRUE;
    heater                = PhNodeGet_Private(map, "heater");
    if (!PhNodeIsNull_Private(heater)) {
      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, "heater", -1));
      PetscCall(PhSchemaExpectMap_Private(ld, heater, sub, &ok));
      if (ok) {
        PetscCall(PhSchemaCheckKeys_Private(ld, heater, sub, hkeys));
        PetscCall(PhSchemaQuantity_Private(ld, heater, sub, "efficiency", PH_QT_TUNING, PETSC_FALSE, rg->heater_efficiency, &rg->heater_efficiency,
                                           &present));
        PetscCall(PhPositive(ld, heater, sub, "efficiency", rg->heater_efficiency, PETSC_FALSE));
        PetscCall(PhSchemaQuantity_Private(ld, heater, sub, "max_power", PH_QT_POWER, PETSC_FALSE, rg->heater_max_power, &rg->heater_max_power,
                                           &present));
        PetscCall(PhPositive(ld, heater, sub, "max_power", rg->heater_max_power, PETSC_TRUE));
        PetscCall(PhSchemaBool_Private(ld, heater, sub, "feedback", PETSC_TRUE, &rg->heater_feedback));
      }
    }
    rg->die_index = -1;
    if (rg->die != NULL) {
      for (PetscInt d = 0; d < op->ndies; d++)
        if (!strcmp(op->die_names[d], rg->die)) rg->die_index = d;
      if (rg->die_index < 0) {
        PetscCall(PetscStrallocpy(rg->die, &op->die_names[op->ndies]));
        rg->die_index = op->ndies++;
      }
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaLinks(PhLoader *ld, PhNode *list)
{
  static const char *const keys[] =
    {"name", "laser", "tx", "rx", "rate", "lock", "relock_time", "loss", "sensitivity", "margin_threshold", "electrical_energy", NULL};
  static const char *const locks[] = {"fixed", "wrap", "rotate", NULL};
  PhOptics                *op      = &ld->problem->optics;
  const char             **lnames, **rnames;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(PetscMax(list->n, 1), &op->links));
  PetscCall(PetscMalloc2(op->nlasers + 1, &lnames, op->nrings + 1, &rnames));
  for (PetscInt i = 0; i < op->nlasers; i++) lnames[i] = op->lasers[i].name;
  for (PetscInt i = 0; i < op->nrings; i++) rnames[i] = op->rings[i].name;
  for (PetscInt i = 0; i < list->n; i++) {
    PhNode     *map = list->values[i];
    PhLink     *lk  = &op->links[op->nlinks];
    char        path[128], sub[160];
    PetscBool   ok, present;
    PetscInt    lock;
    const char *roles[3] = {"laser", "tx", "rx"};
    PetscInt   *refs[3];

    PetscCall(PhSchemaPath_Private(path, sizeof(path), "optics.links", NULL, i));
    PetscCall(PhSchemaExpectMap_Private(ld, map, path, &ok));
    if (!ok) continue;
    op->nlinks++;
    lk->loc   = map->loc;
    lk->laser = lk->tx = lk->rx = -1;
    refs[0]                     = &lk->laser;
    refs[1]                     = &lk->tx;
    refs[2]                     = &lk->rx;
    PetscCall(PhSchemaCheckKeys_Private(ld, map, path, keys));
    PetscCall(PhSchemaString_Private(ld, map, path, "name", PETSC_TRUE, NULL, &lk->name));
    for (PetscInt j = 0; j < op->nlinks - 1; j++)
      if (lk->name && op->links[j].name && !strcmp(lk->name, op->links[j].name))
        PetscCall(PhDiagAdd(ld->diag, map->loc, path, "link \"%s\" is defined twice", lk->name));
    for (int r = 0; r < 3; r++) {
      PhNode *node = PhNodeGet_Private(map, roles[r]);

      PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, roles[r], -1));
      if (PhNodeIsNull_Private(node)) {
        PetscCall(PhDiagAdd(ld->diag, map->loc, sub, "missing required key (the name of a %s)", r == 0 ? "laser" : "ring group"));
        continue;
      }
      if (r == 0) PetscCall(PhSchemaFindName_Private(ld, node, sub, "laser", op->nlasers, lnames, refs[r]));
      else PetscCall(PhSchemaFindName_Private(ld, node, sub, "ring group", op->nrings, rnames, refs[r]));
      if (*refs[r] < 0) continue;
      if (r == 0) {
        if (op->lasers[lk->laser].link >= 0)
          PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "laser \"%s\" is already used by link \"%s\"; each laser belongs to one link", node->value,
                              op->links[op->lasers[lk->laser].link].name));
        else op->lasers[lk->laser].link = op->nlinks - 1;
      } else {
        PhRingGroup *rg = &op->rings[*refs[r]];

        if (rg->link >= 0)
          PetscCall(PhDiagAdd(ld->diag, node->loc, sub, "ring group \"%s\" is already used by link \"%s\"; each ring group belongs to one link",
                              node->value, op->links[rg->link].name));
        else rg->link = op->nlinks - 1;
      }
    }
    if (lk->laser >= 0) {
      for (int r = 1; r < 3; r++) {
        PetscInt g = *refs[r];

        if (g < 0) continue;
        if (op->rings[g].count != op->lasers[lk->laser].lines) {
          PetscCall(PhSchemaPath_Private(sub, sizeof(sub), path, roles[r], -1));
          PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(map, roles[r])->loc, sub,
                              "ring group \"%s\" has count %d but laser \"%s\" has %d lines; they must be equal", op->rings[g].name,
                              (int)op->rings[g].count, op->lasers[lk->laser].name, (int)op->lasers[lk->laser].lines));
        }
      }
    }
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "rate", PH_QT_RATE, PETSC_FALSE, 112e9, &lk->rate, &present));
    PetscCall(PhPositive(ld, map, path, "rate", lk->rate, PETSC_FALSE));
    PetscCall(PhSchemaEnum_Private(ld, map, path, "lock", locks, 1, &lock));
    lk->lock = (PhLockPolicy)lock;
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "relock_time", PH_QT_TIME, PETSC_FALSE, 100e-6, &lk->relock_time, &present));
    PetscCall(PhPositive(ld, map, path, "relock_time", lk->relock_time, PETSC_TRUE));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "loss", PH_QT_DB, PETSC_FALSE, 8.0, &lk->loss, &present));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "sensitivity", PH_QT_OPTICAL_POWER, PETSC_FALSE, -12.0, &lk->sensitivity, &present));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "margin_threshold", PH_QT_DB, PETSC_FALSE, 0.0, &lk->margin_threshold, &present));
    PetscCall(PhSchemaQuantity_Private(ld, map, path, "electrical_energy", PH_QT_ENERGY_PER_BIT, PETSC_FALSE, 2e-12, &lk->electrical_energy,
                                       &present));
    PetscCall(PhPositive(ld, map, path, "electrical_energy", lk->electrical_energy, PETSC_TRUE));
  }
  PetscCall(PetscFree2(lnames, rnames));
  for (PetscInt i = 0; i < op->nlasers; i++)
    if (op->lasers[i].link < 0 && op->lasers[i].name)
      PetscCall(PhDiagAdd(ld->diag, op->lasers[i].loc, "optics.lasers", "laser \"%s\" is not used by any link", op->lasers[i].name));
  for (PetscInt i = 0; i < op->nrings; i++)
    if (op->rings[i].link < 0 && op->rings[i].name)
      PetscCall(PhDiagAdd(ld->diag, op->rings[i].loc, "optics.rings", "ring group \"%s\" is not used by any link", op->rings[i].name));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhSchemaYield(PhLoader *ld)
{
  static const char *const keys[]       = {"assembly", "samples", "seed", NULL};
  static const char *const def_names[]  = {"asic", "pic", "eic", "bonds", "fibre_attach"};
  static const PetscReal   def_values[] = {0.92, 0.97, 0.98, 0.95, 0.99};
  PhYield                 *y            = &ld->problem->yield;
  PhNode                  *node         = PhNodeGet_Private(ld->root, "yield"), *assembly;
  PetscBool                ok;

  PetscFunctionBeginUser;
  if (PhNodeIsNull_Private(node)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaExpectMap_Private(ld, node, "yield", &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  y->present = PETSC_TRUE;
  PetscCall(PhSchemaCheckKeys_Private(ld, node, "yield", keys));
  PetscCall(PhSchemaInt_Private(ld, node, "yield", "samples", PETSC_FALSE, 2000, 1, 10000000, &y->samples));
  PetscCall(PhSchemaInt_Private(ld, node, "yield", "seed", PETSC_FALSE, 1, 0, 2147483647, &y->seed));
  assembly = PhNodeGet_Private(node, "assembly");
  if (PhNodeIsNull_Private(assembly)) {
    y->nassembly = 5;
    PetscCall(PetscMalloc2(5, &y->assembly_names, 5, &y->assembly_values));
    for (int i = 0; i < 5; i++) {
      PetscCall(PetscStrallocpy(def_names[i], &y->assembly_names[i]));
      y->assembly_values[i] = def_values[i];
    }
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhSchemaExpectMap_Private(ld, assembly, "yield.assembly", &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  y->nassembly = assembly->n;
  PetscCall(PetscMalloc2(PetscMax(assembly->n, 1), &y->assembly_names, PetscMax(assembly->n, 1), &y->assembly_values));
  for (PetscInt i = 0; i < assembly->n; i++) {
    char path[300];

    PetscCall(PetscStrallocpy(assembly->keys[i]->value, &y->assembly_names[i]));
    PetscCall(PhSchemaPath_Private(path, sizeof(path), "yield.assembly", assembly->keys[i]->value, -1));
    PetscCall(PhSchemaNodeQuantity_Private(ld, assembly->values[i], path, PH_QT_DIMENSIONLESS, &y->assembly_values[i], &ok));
    if (ok && !(y->assembly_values[i] > 0 && y->assembly_values[i] <= 1))
      PetscCall(PhDiagAdd(ld->diag, assembly->values[i]->loc, path, "a yield must be in (0, 1], got %g", (double)y->assembly_values[i]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* optics: and yield: (PHYSICS §1). */
PetscErrorCode PhSchemaOptics_Private(PhLoader *ld)
{
  static const char *const keys[] = {"reference_temperature", "lasers", "rings", "links", "metrics_from", NULL};
  PhCase                   pb     = ld->problem;
  PhOptics                *op     = &pb->optics;
  PhNode                  *node   = PhNodeGet_Private(ld->root, "optics");
  PetscBool                ok, present;
  const char              *lists[3] = {"lasers", "rings", "links"};

  PetscFunctionBeginUser;
  op->reference_temperature = 25.0 + PH_ZERO_CELSIUS;
  PetscCall(PhSchemaYield(ld));
  if (PhNodeIsNull_Private(node)) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaExpectMap_Private(ld, node, "optics", &ok));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhSchemaCheckKeys_Private(ld, node, "optics", keys));
  PetscCall(PhSchemaQuantity_Private(ld, node, "optics", "reference_temperature", PH_QT_TEMPERATURE, PETSC_FALSE, op->reference_temperature,
                                     &op->reference_temperature, &present));
  PetscCall(PhSchemaQuantity_Private(ld, node, "optics", "metrics_from", PH_QT_TIME, PETSC_FALSE, 0, &op->metrics_from, &present));
  if (present && (op->metrics_from < 0 || (!pb->time.steady && pb->time.end > 0 && op->metrics_from >= pb->time.end)))
    PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(node, "metrics_from")->loc, "optics.metrics_from", "must be at least 0 and before time.end"));
  for (int i = 0; i < 3; i++) {
    PhNode *list = PhNodeGet_Private(node, lists[i]);
    char    path[64];

    (void)snprintf(path, sizeof(path), "optics.%s", lists[i]);
    if (PhNodeIsNull_Private(list)) {
      PhNode empty;

      PetscCall(PetscMemzero(&empty, sizeof(empty)));
      empty.type = PH_NODE_SEQ;
      if (i == 0) PetscCall(PhSchemaLasers(ld, &empty));
      else if (i == 1) PetscCall(PhSchemaRings(ld, &empty));
      else PetscCall(PhSchemaLinks(ld, &empty));
      continue;
    }
    if (list->type != PH_NODE_SEQ) {
      PetscCall(PhDiagAdd(ld->diag, list->loc, path, "expected a list, got %s", PhNodeTypeName_Private(list)));
      continue;
    }
    if (i == 0) PetscCall(PhSchemaLasers(ld, list));
    else if (i == 1) PetscCall(PhSchemaRings(ld, list));
    else PetscCall(PhSchemaLinks(ld, list));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

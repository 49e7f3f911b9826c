/*
  Loading a case: read, merge includes, apply -P overrides, read the sections in order, keep the resolved case; and
  its destruction.

  Owns the PhCase lifetime, the order of the sections and the top level of the file (its keys, version, name and
  description). Calls the tree (case_yaml.c), the getters (case_get.c) and the sections (case_param.c,
  case_schema.c, case_optics.c); none of them calls back.
*/
#include "case_impl.h"

#include <string.h>

/* The top level: known keys, version, name and description. */
static PetscErrorCode PhCaseLoadHeader(PhLoader *ld)
{
  static const char *const top[] = {"version", "name", "description", "include", "parameters", "materials", "footprint", "grid",  "stack",
                                    "blocks",  "mesh", "boundaries",  "sources", "time",       "output",    "optics",    "yield", NULL};
  PhCase                   pb    = ld->problem;
  PetscInt                 version;
  PhNode                  *vnode = PhNodeGet_Private(ld->root, "version");

  PetscFunctionBeginUser;
  PetscCall(PhGetCheckKeys_Private(ld, ld->root, "", top));
  if (PhNodeIsNull_Private(vnode)) PetscCall(PhGetMissing_Private(ld, ld->root, "", "version", "version: 1"));
  else {
    PetscBool valid;

    PetscCall(PhGetInt_Private(ld, ld->root, "", "version", PETSC_TRUE, 0, 0, 1000000, &version, &valid));
    if (valid && version != PH_CASE_SCHEMA_VERSION)
      PetscCall(PhDiagAdd(ld->diag, vnode->loc, "version", "this photherm reads case schema version %d, got \"%s\"", PH_CASE_SCHEMA_VERSION,
                          vnode->value));
  }
  {
    char       *stem;
    const char *base = strrchr(pb->path, '/') ? strrchr(pb->path, '/') + 1 : pb->path;
    char       *dot;

    PetscCall(PetscStrallocpy(base, &stem));
    dot = strrchr(stem, '.');
    if (dot != NULL && dot != stem) *dot = '\0';
    PetscCall(PhGetString_Private(ld, ld->root, "", "name", PETSC_FALSE, stem, &pb->name));
    PetscCall(PetscFree(stem));
    if (pb->name != NULL && (pb->name[0] == '\0' || strchr(pb->name, '/') != NULL) && !PhNodeGet_Private(ld->root, "name")->bad)
      PetscCall(PhDiagAdd(ld->diag, PhNodeGet_Private(ld->root, "name")->loc, "name", "a case name must be non-empty and contain no '/'"));
  }
  PetscCall(PhGetString_Private(ld, ld->root, "", "description", PETSC_FALSE, "", &pb->description));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Walk the merged tree and fill the case, section by section in this order: a section reads only its own keys and
  what the sections before it resolved into the case (optics names blocks and reads the time). Every problem is a
  diagnostic; the walk always goes to the end.
*/
static PetscErrorCode PhCaseLoadSections(PhLoader *ld)
{
  PetscFunctionBeginUser;
  PetscCall(PhCaseLoadHeader(ld));
  PetscCall(PhSchemaParameters_Private(ld));
  PetscCall(PhSchemaMaterials_Private(ld));
  PetscCall(PhSchemaGeometry_Private(ld));
  PetscCall(PhSchemaBoundaries_Private(ld));
  PetscCall(PhSchemaSources_Private(ld));
  PetscCall(PhSchemaTime_Private(ld));
  PetscCall(PhSchemaCheckSink_Private(ld));
  PetscCall(PhSchemaYield_Private(ld));
  PetscCall(PhSchemaOptics_Private(ld));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhLoaderFinish(PhLoader *ld, PetscInt noverrides, const PhOverride overrides[], PhCase *problem)
{
  PhCase   pb = ld->problem;
  PetscInt nerrors;

  PetscFunctionBeginUser;
  if (ld->root != NULL) {
    PetscCall(PhYamlApplyOverrides_Private(ld, noverrides, overrides));
    PetscCall(PhCaseLoadSections(ld));
    PetscCall(PhYamlEmit_Private(ld, ld->root, &pb->resolved_yaml));
  }
  pb->noverrides = noverrides;
  PetscCall(PetscCalloc2(PetscMax(noverrides, 1), &pb->override_names, PetscMax(noverrides, 1), &pb->override_values));
  for (PetscInt i = 0; i < noverrides; i++) {
    PetscCall(PetscStrallocpy(overrides[i].name, &pb->override_names[i]));
    PetscCall(PetscStrallocpy(overrides[i].value, &pb->override_values[i]));
  }
  PetscCall(PetscFree(ld->suggested));
  PetscCall(PetscFree(ld->signals));
  for (PetscInt i = 0; i < ld->ntraces; i++) PetscCall(PhTraceFree_Private(&ld->traces[i]));
  PetscCall(PetscFree(ld->traces));
  PetscCall(PhPoolFree_Private(&ld->pool));
  PetscCall(PhDiagGetCount(ld->diag, &nerrors, NULL));
  if (nerrors > 0 || ld->root == NULL) PetscCall(PhCaseDestroy(&pb));
  *problem = pb;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Load, validate and resolve a case file (with its includes and traces) and -P overrides.

  Collective on `comm`: rank 0 reads every file and broadcasts it; every rank parses and validates the same bytes,
  so every rank returns the same case and records the same diagnostics.

  @param[in]  comm       communicator of the run
  @param[in]  path       case file
  @param[in]  noverrides number of -P overrides
  @param[in]  overrides  -P name=value pairs, applied in order after includes are merged
  @param[in]  diag       collector for every problem found
  @param[out] problem    the resolved case, or NULL when the input has errors (destroy with PhCaseDestroy())
**/
PetscErrorCode PhCaseLoad(MPI_Comm comm, const char path[], PetscInt noverrides, const PhOverride overrides[], PhDiag diag, PhCase *problem)
{
  PhLoader    ld;
  const char *stack[32];
  PhSourceLoc none = {path, 0, 0};

  PetscFunctionBeginUser;
  PetscCall(PhLogEventsRegister());
  PetscCall(PetscLogEventBegin(PH_EVENT_LOAD, 0, 0, 0, 0));
  PetscCall(PetscMemzero(&ld, sizeof(ld)));
  ld.comm      = comm;
  ld.diag      = diag;
  ld.case_path = path;
  PetscCall(PetscNew(&ld.problem));
  PetscCall(PetscStrallocpy(path, &ld.problem->path));
  PetscCall(PhYamlLoadFile_Private(&ld, path, none, NULL, 0, stack, &ld.root));
  PetscCall(PhLoaderFinish(&ld, noverrides, overrides, problem));
  PetscCall(PetscLogEventEnd(PH_EVENT_LOAD, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Load a case from YAML text (tests, tools); `name` stands for the file in messages and relative paths.

  Collective on `comm`.
**/
PetscErrorCode PhCaseLoadString(MPI_Comm comm, const char name[], const char yaml[], PetscInt noverrides, const PhOverride overrides[], PhDiag diag,
                                PhCase *problem)
{
  PhLoader    ld;
  const char *file;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&ld, sizeof(ld)));
  ld.comm      = comm;
  ld.diag      = diag;
  ld.case_path = name;
  PetscCall(PetscNew(&ld.problem));
  PetscCall(PetscStrallocpy(name, &ld.problem->path));
  PetscCall(PhCaseInternFile_Private(ld.problem, name, &file));
  PetscCall(PhYamlParse_Private(&ld, file, yaml, strlen(yaml), &ld.root));
  if (ld.root != NULL && ld.root->type != PH_NODE_MAP) {
    PetscCall(PhDiagAdd(diag, ld.root->loc, NULL, "expected a mapping of keys at the top of the file, got %s", PhNodeTypeName_Private(ld.root)));
    ld.root = NULL;
  }
  if (ld.root != NULL && PhNodeGet_Private(ld.root, "include") != NULL) {
    PetscCall(PhDiagAdd(diag, PhNodeGetKey_Private(ld.root, "include")->loc, "include", "includes are not available for a case given as text"));
  }
  PetscCall(PhLoaderFinish(&ld, noverrides, overrides, problem));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Index of the block called `name`, or -1.

  Not collective.
**/
PetscErrorCode PhCaseFindBlock(PhCase problem, const char name[], PetscInt *index)
{
  PetscFunctionBeginUser;
  *index = -1;
  for (PetscInt b = 0; b < problem->nblocks; b++)
    if (problem->blocks[b].name && !strcmp(problem->blocks[b].name, name)) *index = b;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Index of the layer called `name`, or -1.

  Not collective.
**/
PetscErrorCode PhCaseFindLayer(PhCase problem, const char name[], PetscInt *index)
{
  PetscFunctionBeginUser;
  *index = -1;
  for (PetscInt l = 0; l < problem->nlayers; l++)
    if (problem->layers[l].name && !strcmp(problem->layers[l].name, name)) *index = l;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Destroy a case and everything it owns; NULL is accepted and *problem is NULL on return.

  Not collective.
**/
PetscErrorCode PhCaseDestroy(PhCase *problem)
{
  PhCase pb = *problem;

  PetscFunctionBeginUser;
  if (pb == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscFree(pb->path));
  for (PetscInt i = 0; i < pb->nfiles; i++) PetscCall(PetscFree(pb->files[i]));
  PetscCall(PetscFree(pb->files));
  PetscCall(PetscFree(pb->name));
  PetscCall(PetscFree(pb->description));
  PetscCall(PetscFree(pb->resolved_yaml));
  for (PetscInt i = 0; i < pb->nparameters; i++) {
    PetscCall(PetscFree(pb->parameters[i].name));
    PetscCall(PetscFree(pb->parameters[i].text));
  }
  PetscCall(PetscFree(pb->parameters));
  for (PetscInt i = 0; i < pb->noverrides; i++) {
    PetscCall(PetscFree(pb->override_names[i]));
    PetscCall(PetscFree(pb->override_values[i]));
  }
  PetscCall(PetscFree2(pb->override_names, pb->override_values));
  for (PetscInt i = 0; i < pb->nmaterials; i++) PetscCall(PetscFree(pb->materials[i].name));
  PetscCall(PetscFree(pb->materials));
  for (PetscInt i = 0; i < pb->nlayers; i++) {
    PetscCall(PetscFree(pb->layers[i].name));
    if (pb->layers[i].channels == NULL) continue;
    PetscCall(PhSignalDestroyContents(&pb->layers[i].channels->flow));
    PetscCall(PhSignalDestroyContents(&pb->layers[i].channels->inlet));
    PetscCall(PetscFree(pb->layers[i].channels->lo));
    PetscCall(PetscFree(pb->layers[i].channels));
  }
  PetscCall(PetscFree(pb->layers));
  for (PetscInt i = 0; i < pb->nblocks; i++) PetscCall(PetscFree(pb->blocks[i].name));
  PetscCall(PetscFree(pb->blocks));
  PetscCall(PetscFree(pb->mesh_file));
  PetscCall(PetscFree(pb->mesh_material_map));
  for (PetscInt f = 0; f < PH_NFACES; f++) {
    for (PetscInt i = 0; i < pb->boundaries[f].n; i++) {
      PetscCall(PhSignalDestroyContents(&pb->boundaries[f].conditions[i].value));
      PetscCall(PhSignalDestroyContents(&pb->boundaries[f].conditions[i].flow));
      PetscCall(PetscFree(pb->boundaries[f].conditions[i].name));
      PetscCall(PetscFree(pb->boundaries[f].conditions[i].path));
    }
    PetscCall(PetscFree(pb->boundaries[f].conditions));
  }
  for (PetscInt i = 0; i < pb->nsources; i++) {
    PetscCall(PetscFree(pb->sources[i].name));
    PetscCall(PhSignalDestroyContents(&pb->sources[i].power));
  }
  PetscCall(PetscFree(pb->sources));
  PetscCall(PetscFree(pb->time.initial_file));
  PetscCall(PetscFree(pb->output.file));
  for (PetscInt i = 0; i < pb->optics.nlasers; i++) PetscCall(PetscFree(pb->optics.lasers[i].name));
  PetscCall(PetscFree(pb->optics.lasers));
  for (PetscInt i = 0; i < pb->optics.nrings; i++) {
    PetscCall(PetscFree(pb->optics.rings[i].name));
    PetscCall(PetscFree(pb->optics.rings[i].die));
    PetscCall(PetscFree(pb->optics.rings[i].offsets));
  }
  PetscCall(PetscFree(pb->optics.rings));
  for (PetscInt i = 0; i < pb->optics.ndies; i++) PetscCall(PetscFree(pb->optics.die_names[i]));
  PetscCall(PetscFree(pb->optics.die_names));
  for (PetscInt i = 0; i < pb->optics.nlinks; i++) PetscCall(PetscFree(pb->optics.links[i].name));
  PetscCall(PetscFree(pb->optics.links));
  for (PetscInt i = 0; i < pb->yield.nassembly; i++) PetscCall(PetscFree(pb->yield.assembly_names[i]));
  PetscCall(PetscFree2(pb->yield.assembly_names, pb->yield.assembly_values));
  PetscCall(PetscFree(*problem));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The case loader (DESIGN §3, PHYSICS §1): resolved values in SI, defaults, parameters, overrides, includes, traces. */
#include "ph_test.h"

#include <photherm/case.h>
#include <photherm/mesh.h>
#include <string.h>

static const char *BASE = "version: 1\n"
                          "name: unit\n"
                          "parameters: {gap: 1.5 mm, p: 700 W}\n"
                          "materials:\n"
                          "  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K, k_exponent: -1.3}\n"
                          "  beol: {k: \"[3, 3, 1.2] W/m/K\", rho: 2200 kg/m^3, cp: 750 J/kg/K}\n"
                          "  uf: {k: [0.5 W/m/K, 0.5 W/m/K, 0.4 W/m/K], rho: 1800 kg/m^3, cp: 1000 J/kg/K}\n"
                          "footprint: {x: [0, 20 mm], y: [0, 10 mm]}\n"
                          "stack:\n"
                          "  - {name: sub, thickness: 1 mm, material: uf}\n"
                          "  - name: dies\n"
                          "    thickness: 100 um\n"
                          "    material: uf\n"
                          "    blocks:\n"
                          "      - {name: asic, material: si, x: [2 mm, 8 mm], y: [2 mm, 8 mm]}\n"
                          "      - {name: pic, material: si, x: [\"8 mm + ${gap}\", 15 mm], y: [2 mm, 6 mm]}\n"
                          "      - {name: rings, material: si, x: [10 mm, 14 mm], y: [3 mm, 4 mm]}\n"
                          "  - {name: lid, thickness: 1 mm, material: si}\n"
                          "boundaries:\n"
                          "  top: {type: convection, h: 2e4 W/m^2/K, ambient: 35 C}\n"
                          "sources:\n"
                          "  - {name: asic, block: asic, power: \"${p}\"}\n"
                          "time: {end: 100 ms}\n";

/* Load `yaml`; return the case (NULL on errors) and the number of errors; the first message goes into `first`. */
static PhCase load(const char *yaml, PetscInt n, const PhOverride *ov, PetscInt *nerrors, char *first, size_t len)
{
  PhDiag      diag;
  PhCase      pb;
  const char *msg;

  PH_CK(PhDiagCreate(&diag));
  PH_CK(PhCaseLoadString(PETSC_COMM_SELF, "unit.yaml", yaml, n, ov, diag, &pb));
  PH_CK(PhDiagGetCount(diag, nerrors, NULL));
  if (first != NULL) {
    first[0] = '\0';
    if (*nerrors > 0) {
      PH_CK(PhDiagGetMessage(diag, 0, &msg));
      (void)snprintf(first, len, "%s", msg);
    }
  }
  PH_CK(PhDiagDestroy(&diag));
  return pb;
}

/* BASE with `extra` appended (later keys of a YAML mapping may not repeat earlier ones). */
static PhCase load_with(const char *extra, PetscInt *nerrors, char *first, size_t len)
{
  char yaml[8192];

  (void)snprintf(yaml, sizeof(yaml), "%s%s", BASE, extra);
  return load(yaml, 0, NULL, nerrors, first, len);
}

START_TEST(resolves_the_base_case_in_si)
{
  PetscInt n;
  char     msg[512];
  PhCase   pb = load(BASE, 0, NULL, &n, msg, sizeof(msg));

  ck_assert_msg(n == 0 && pb != NULL, "%s", msg);
  ck_assert_str_eq(pb->name, "unit");
  ck_assert_int_eq(pb->nmaterials, 3);
  ck_assert_double_eq_tol(pb->materials[1].k[0], 3.0, 1e-12);
  ck_assert_double_eq_tol(pb->materials[1].k[2], 1.2, 1e-12);
  ck_assert_double_eq_tol(pb->materials[2].k[2], 0.4, 1e-12);
  ck_assert_double_eq_tol(pb->materials[0].k_exponent, -1.3, 1e-12);
  ck_assert_int_eq(pb->nlayers, 3);
  ck_assert_double_eq_tol(pb->layers[1].z0, 1e-3, 1e-15);
  ck_assert_double_eq_tol(pb->layers[2].z1, 2.1e-3, 1e-15);
  ck_assert_int_eq(pb->nblocks, 3);
  ck_assert_double_eq_tol(pb->blocks[1].x0, 9.5e-3, 1e-15);
  ck_assert_double_eq_tol(pb->max_cell_xy, 20e-3 / 64, 1e-15); /* default: larger side / 64 */
  ck_assert_double_eq(pb->max_ratio, 2.0);
  ck_assert_double_eq_tol(pb->sources[0].power.value, 700, 1e-12);
  ck_assert_int_eq(pb->boundaries[PH_FACE_TOP].n, 1);
  ck_assert_double_eq_tol(pb->boundaries[PH_FACE_TOP].conditions[0].value.value, 308.15, 1e-12);
  ck_assert_int_eq(pb->boundaries[PH_FACE_XMIN].n, 0);
  /* time defaults (DESIGN §3.7) */
  ck_assert_double_eq_tol(pb->time.dt, 100e-3 / 1000, 1e-15);
  ck_assert_double_eq_tol(pb->time.dt_max, 100e-3 / 20, 1e-15);
  ck_assert_double_eq_tol(pb->output.fields_every, 100e-3 / 20, 1e-15);
  ck_assert_double_eq_tol(pb->output.series_every, 100e-3 / 200, 1e-15);
  ck_assert_str_eq(pb->output.file, "unit.h5");
  ck_assert(pb->time.initial == PH_INITIAL_STEADY);
  /* the resolved case has parameters substituted */
  ck_assert_msg(strstr(pb->resolved_yaml, "0.0094999999999999998 m") != NULL || strstr(pb->resolved_yaml, "0.0095 m") != NULL, "%s",
                pb->resolved_yaml);
  ck_assert_ptr_null(strstr(pb->resolved_yaml, "${gap}"));
  PH_CK(PhCaseDestroy(&pb));
}
END_TEST

START_TEST(overrides_parameters_and_keys_by_path)
{
  PhOverride ov[] = {
    {"gap",                  "2 mm"      },
    {"stack.dies.thickness", "120 um"    },
    {"time.dt",              "1 us"      },
    {"stack[0].material",    "si"        },
    {"boundaries.top.h",     "5e3"       },
    {"footprint.x",          "[0, 25 mm]"}
  };
  PetscInt n;
  char     msg[512];
  PhCase   pb = load(BASE, 6, ov, &n, msg, sizeof(msg));

  ck_assert_msg(n == 0 && pb != NULL, "%s", msg);
  ck_assert_double_eq_tol(pb->blocks[1].x0, 10e-3, 1e-15);
  ck_assert_double_eq_tol(pb->layers[1].z1 - pb->layers[1].z0, 120e-6, 1e-15);
  ck_assert_double_eq_tol(pb->time.dt, 1e-6, 1e-18);
  ck_assert_int_eq(pb->layers[0].material, 0);
  ck_assert_double_eq_tol(pb->boundaries[PH_FACE_TOP].conditions[0].h, 5e3, 1e-9);
  ck_assert_double_eq_tol(pb->fx1, 25e-3, 1e-15);
  ck_assert(pb->parameters[0].by_option);
  ck_assert_int_eq(pb->noverrides, 6);
  PH_CK(PhCaseDestroy(&pb));
}
END_TEST

START_TEST(rejects_bad_overrides)
{
  PhOverride a[] = {
    {"nosuch", "1 mm"}
  };
  PhOverride b[] = {
    {"stack.nosuch.thickness", "1 mm"}
  };
  PhOverride c[] = {
    {"time.end", "abc"}
  };
  PetscInt n;
  char     msg[512];
  PhCase   pb;

  pb = load(BASE, 1, a, &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_ptr_nonnull(strstr(msg, "-P nosuch=1 mm: nosuch: not a declared parameter"));
  pb = load(BASE, 1, b, &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_ptr_nonnull(strstr(msg, "no item \"nosuch\""));
  pb = load(BASE, 1, c, &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_msg(strstr(msg, "photherm: error: -P time.end=abc: time.end: expected a time") != NULL, "%s", msg);
}
END_TEST

START_TEST(reports_every_problem_with_file_line_column_and_key)
{
  PetscInt    n;
  char        msg[512];
  const char *yaml = "version: 1\n"
                     "materials:\n"
                     "  si: {k: -148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}\n"
                     "footprint: {x: [0, 10 mm], y: [0, 10 mm]}\n"
                     "stack:\n"
                     "  - {name: a, thickness: abc, material: si}\n"
                     "  - {name: b, thicknes: 1 mm, material: sj}\n"
                     "boundaries: {top: {type: convection, h: 1e4 W/m^2/K, ambient: 35}}\n"
                     "time: {end: 10 ms}\n";
  PhCase      pb   = load(yaml, 0, NULL, &n, msg, sizeof(msg));

  ck_assert(pb == NULL);
  ck_assert_int_eq(n, 5); /* conductivity, thickness, unknown key (which says what "thicknes" meant: not also missing), material, ambient */
  ck_assert_msg(strstr(msg, "unit.yaml:3:11: materials.si.k: a conductivity must be positive") != NULL, "%s", msg);
}
END_TEST

START_TEST(suggests_the_nearest_key_and_name)
{
  PetscInt n;
  char     msg[512];
  PhCase   pb = load_with("output: {fields_evry: 1 ms}\n", &n, msg, sizeof(msg));

  ck_assert(pb == NULL && n == 1);
  ck_assert_msg(strstr(msg, "output.fields_evry: unknown key \"fields_evry\"; did you mean \"fields_every\"?") != NULL, "%s", msg);
  pb = load_with("optics:\n  lasers: [{name: l, type: dfb, at: {block: asci}}]\n  rings: []\n", &n, msg, sizeof(msg));
  ck_assert(pb == NULL);
  ck_assert_msg(strstr(msg, "unknown block \"asci\"; did you mean \"asic\"?") != NULL, "%s", msg);
}
END_TEST

START_TEST(detects_duplicate_keys_cycles_and_alias_bombs)
{
  PetscInt    n;
  char        msg[512];
  PhCase      pb;
  const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                     "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                     "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";

  pb = load("version: 1\nversion: 1\n", 0, NULL, &n, msg, sizeof(msg));
  ck_assert(pb == NULL);
  ck_assert_msg(strstr(msg, "unit.yaml:2:1: version: duplicate key (first given at line 1)") != NULL, "%s", msg);
  pb = load_with("", &n, msg, sizeof(msg));
  ck_assert(pb != NULL);
  PH_CK(PhCaseDestroy(&pb));
  {
    char yaml[8192];

    (void)snprintf(yaml, sizeof(yaml), "%s", BASE);
    *strstr(yaml, "parameters: {gap: 1.5 mm, p: 700 W}") = '#';
    strcat(yaml, "parameters: {gap: \"${p2} + 1 mm\", p2: \"${gap}\", p: 700 W}\n");
    pb = load(yaml, 0, NULL, &n, msg, sizeof(msg));
    ck_assert(pb == NULL && n == 1);
    ck_assert_msg(strstr(msg, "parameters.gap: parameter cycle: gap -> p2 -> gap") != NULL, "%s", msg);
  }
  pb = load(bomb, 0, NULL, &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_msg(strstr(msg, "alias bomb") != NULL, "%s", msg);
}
END_TEST

/* Fix 8: the expansion that goes over the budget is reported at the alias being expanded, with its own key path. */
START_TEST(reports_an_alias_bomb_at_the_alias)
{
  PetscInt    n;
  char        msg[512];
  PhCase      pb;
  const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"           /* 11 nodes */
                     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" /* 111 */
                     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" /* 1111 */
                     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n" /* 11111 */
                     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n" /* 111111 */
                     "f: [*d, *e, *e]\n";                               /* f[1] takes the total over 200000 */
  const char *self = "version: 1\nlist: &l [1, [2, *l]]\n";

  pb = load(bomb, 0, NULL, &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_msg(strstr(msg, "photherm: error: unit.yaml:6:9: f[1]: this alias expands the document to more than 200000 nodes (an alias bomb?)") !=
                  NULL,
                "%s", msg);
  pb = load(self, 0, NULL, &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_msg(strstr(msg, "unit.yaml:2:18: list[1][1]: this alias nests the document deeper than 64 levels") != NULL, "%s", msg);
}
END_TEST

/* Fixes 15-16: a bad parameter is one line at its definition, whatever uses it; a cycle is one line naming it. */
START_TEST(reports_a_bad_parameter_once_at_its_definition)
{
  PetscInt n;
  char     msg[512], yaml[8192];
  PhCase   pb;

  (void)snprintf(yaml, sizeof(yaml), "%s", BASE);
  *strstr(yaml, "parameters: {gap: 1.5 mm, p: 700 W}") = '#';
  strcat(yaml, "parameters: {gap: 1.5 parsecs, p: \"${gap} * 1 W/m\", q: \"${p} + 1 W\"}\n");
  strcat(yaml, "blocks: [{name: top, material: si, x: [\"${gap}\", 3 mm], y: [\"${gap}\", 3 mm], layers: [lid, lid]}]\n");
  pb = load(yaml, 0, NULL, &n, msg, sizeof(msg)); /* gap is used by p, q (through p), pic, the source power and block top */
  ck_assert(pb == NULL);
  ck_assert_msg(n == 1, "%d errors, the first: %s", (int)n, msg);
  ck_assert_msg(strstr(msg, "unit.yaml:24:19: parameters.gap: expected a value such as \"1.5 mm\" or \"700 W\", got \"1.5 parsecs\"") != NULL, "%s",
                msg);
  (void)snprintf(yaml, sizeof(yaml), "%s", BASE);
  *strstr(yaml, "parameters: {gap: 1.5 mm, p: 700 W}") = '#';
  strcat(yaml, "parameters: {gap: \"${a} + 1 mm\", p: 700 W, a: \"${b}\", b: \"2 * ${a}\"}\n");
  pb = load(yaml, 0, NULL, &n, msg, sizeof(msg)); /* gap depends on the cycle a -> b -> a and pic uses gap */
  ck_assert(pb == NULL);
  ck_assert_msg(n == 1, "%d errors, the first: %s", (int)n, msg);
  ck_assert_msg(strstr(msg, "parameters.a: parameter cycle: a -> b -> a") != NULL, "%s", msg);
}
END_TEST

/* Fix 3: a result to continue from that cannot be read is bad input at load, relative to the current directory. */
START_TEST(rejects_an_initial_file_that_cannot_be_read)
{
  PetscInt n;
  char     msg[512], yaml[8192];
  PhCase   pb;

  (void)snprintf(yaml, sizeof(yaml), "%s", BASE);
  *strstr(yaml, "time: {end: 100 ms}") = '#';
  strcat(yaml, "time: {end: 100 ms, initial: {file: nosuch.h5}}\n");
  pb = load(yaml, 0, NULL, &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_msg(strstr(msg, "unit.yaml:24:37: time.initial.file: cannot read \"nosuch.h5\": No such file or directory") != NULL, "%s", msg);
}
END_TEST

START_TEST(rejects_empty_binary_and_malformed_text)
{
  PetscInt n;
  char     msg[512];
  PhCase   pb;

  pb = load("", 0, NULL, &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_msg(strstr(msg, "unit.yaml:1:1: the file is empty") != NULL, "%s", msg);
  pb = load("version: 1\nstack: [\n", 0, NULL, &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_msg(strstr(msg, "YAML syntax error") != NULL, "%s", msg);
  pb = load("- a\n- b\n", 0, NULL, &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_msg(strstr(msg, "expected a mapping of keys at the top") != NULL, "%s", msg);
}
END_TEST

START_TEST(fills_optics_defaults_of_physics_section_1)
{
  PetscInt     n;
  char         msg[512];
  const char  *optics = "optics:\n"
                        "  lasers: [{name: els}]\n"
                        "  rings: [{name: tx, block: rings}, {name: rx, block: rings, spacing: 200 GHz}]\n"
                        "  links: [{name: l0, laser: els, tx: tx, rx: rx}]\n"
                        "yield: {}\n";
  PhCase       pb     = load_with(optics, &n, msg, sizeof(msg));
  PhLaser     *ls;
  PhRingGroup *rg;
  PhLink      *lk;

  ck_assert_msg(n == 0 && pb != NULL, "%s", msg);
  ls = &pb->optics.lasers[0];
  rg = &pb->optics.rings[0];
  lk = &pb->optics.links[0];
  ck_assert_double_eq_tol(pb->optics.reference_temperature, 298.15, 1e-12);
  ck_assert(ls->type == PH_LASER_EXTERNAL);
  ck_assert_double_eq_tol(ls->temperature, 308.15, 1e-12);
  ck_assert_double_eq_tol(ls->wavelength, 1310e-9, 1e-21);
  ck_assert_int_eq(ls->lines, 8);
  ck_assert_double_eq_tol(ls->spacing, 1.12e-9, 1e-21);
  ck_assert_double_eq_tol(ls->drift, 0.09e-9, 1e-21);
  ck_assert_double_eq_tol(ls->power_dbm, 10, 1e-12);
  ck_assert_double_eq_tol(ls->power_drift, -0.02, 1e-12);
  ck_assert_double_eq_tol(ls->wpe, 0.20, 1e-12);
  ck_assert_double_eq_tol(ls->wpe_t1, 200, 1e-12);
  ck_assert_int_eq(rg->count, 8);
  ck_assert_double_eq_tol(rg->wavelength, 1308e-9, 1e-21);
  ck_assert_double_eq_tol(rg->drift, 0.07e-9, 1e-21);
  ck_assert_double_eq_tol(rg->fsr, 12.7e-9, 1e-21);
  ck_assert_double_eq_tol(rg->q, 5000, 1e-12);
  ck_assert_double_eq_tol(rg->sigma_die, 1e-9, 1e-21);
  ck_assert_double_eq_tol(rg->sigma_local, 0.25e-9, 1e-21);
  ck_assert_double_eq_tol(rg->heater_efficiency, 0.28e-6, 1e-18);
  ck_assert_double_eq_tol(rg->heater_max_power, 20e-3, 1e-15);
  ck_assert(rg->heater_feedback);
  ck_assert_str_eq(rg->die, "tx");
  ck_assert_int_eq(pb->optics.ndies, 2);
  /* 200 GHz at 1308 nm: dlambda = lambda^2 df / c */
  ck_assert_double_eq_tol(pb->optics.rings[1].spacing, 1308e-9 * 1308e-9 * 200e9 / 299792458.0, 1e-21);
  ck_assert_double_eq_tol(lk->rate, 112e9, 1e-3);
  ck_assert(lk->lock == PH_LOCK_WRAP);
  ck_assert_double_eq_tol(lk->relock_time, 100e-6, 1e-18);
  ck_assert_double_eq_tol(lk->loss, 8, 1e-12);
  ck_assert_double_eq_tol(lk->sensitivity, -12, 1e-12);
  ck_assert_double_eq_tol(lk->electrical_energy, 2e-12, 1e-24);
  ck_assert(pb->yield.present);
  ck_assert_int_eq(pb->yield.samples, 2000);
  ck_assert_int_eq(pb->yield.nassembly, 5);
  PH_CK(PhCaseDestroy(&pb));
}
END_TEST

START_TEST(checks_optics_cross_references)
{
  PetscInt n;
  char     msg[512];
  PhCase   pb;

  pb = load_with(
    "optics:\n  lasers: [{name: els, lines: 4}]\n  rings: [{name: tx, block: rings}, {name: rx, block: rings, count: 4}]\n  links: [{name: l0, laser: els, tx: tx, rx: rx}]\n",
    &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 1);
  ck_assert_msg(strstr(msg, "ring group \"tx\" has count 8 but laser \"els\" has 4 lines") != NULL, "%s", msg);
  pb = load_with(
    "optics:\n  lasers: [{name: els}, {name: spare}]\n  rings: [{name: tx, block: rings}, {name: rx, block: rings}]\n  links: [{name: l0, laser: els, tx: tx, rx: tx}]\n",
    &n, msg, sizeof(msg));
  ck_assert(pb == NULL && n == 3); /* tx used twice, rx unused, spare unused */
}
END_TEST

START_TEST(reads_includes_and_traces_relative_to_the_naming_file)
{
  PhDiag   diag;
  PhCase   pb;
  PetscInt n;

  PH_CK(PhDiagCreate(&diag));
  PH_CK(PhCaseLoad(PETSC_COMM_SELF, "tests/unit/data/with_include.yaml", 0, NULL, diag, &pb));
  PH_CK(PhDiagGetCount(diag, &n, NULL));
  if (n > 0) PH_CK(PhDiagPrint(diag, PETSC_COMM_SELF, stderr));
  ck_assert(n == 0 && pb != NULL);
  ck_assert_int_eq(pb->nmaterials, 2);                        /* si from the include, cu from the case */
  ck_assert_double_eq_tol(pb->materials[0].k[0], 150, 1e-12); /* the case overrides the included k */
  ck_assert_double_eq_tol(pb->materials[0].rho, 2330, 1e-12); /* maps merge recursively */
  ck_assert(pb->sources[0].power.type == PH_SIGNAL_TRACE);
  ck_assert_int_eq(pb->sources[0].power.n, 4);
  ck_assert_double_eq_tol(pb->sources[0].power.t[1], 2e-3, 1e-15);                              /* [ms] in the header */
  ck_assert_double_eq_tol(pb->sources[0].power.v[1], 2 * 60, 1e-12);                            /* scale: 2 */
  ck_assert_double_eq_tol(pb->boundaries[PH_FACE_TOP].conditions[0].value.v[0], 300.15, 1e-12); /* coolant [C] */
  PH_CK(PhCaseDestroy(&pb));
  PH_CK(PhDiagDestroy(&diag));
  PH_CK(PhDiagCreate(&diag));
  PH_CK(PhCaseLoad(PETSC_COMM_SELF, "tests/unit/data/cycle_a.yaml", 0, NULL, diag, &pb));
  PH_CK(PhDiagGetCount(diag, &n, NULL));
  ck_assert(pb == NULL && n >= 1);
  {
    const char *m;

    PH_CK(PhDiagGetMessage(diag, 0, &m));
    ck_assert_msg(strstr(m, "include cycle") != NULL, "%s", m);
  }
  PH_CK(PhDiagDestroy(&diag));
}
END_TEST

/* Fix 1: positions kept in the case name files that the case owns, so problems found by the mesh can still name them. */
static PhCase load_named_copy(const char *name, const char *yaml, PhDiag diag)
{
  char  *heap;
  PhCase pb;

  PH_CK(PetscStrallocpy(name, &heap)); /* the caller's name is gone before the mesh is built */
  PH_CK(PhCaseLoadString(PETSC_COMM_SELF, heap, yaml, 0, NULL, diag, &pb));
  PH_CK(PetscFree(heap));
  return pb;
}

START_TEST(keeps_file_names_valid_after_loading)
{
  PhDiag      diag;
  PhCase      pb;
  PhMesh      mesh;
  PetscInt    n;
  const char *msg;
  char        yaml[4096];
  const char *cells = "version: 1\n"
                      "materials:\n"
                      "  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}\n"
                      "footprint: {x: [0, 10 mm], y: [0, 10 mm]}\n"
                      "stack:\n"
                      "  - {name: sub, thickness: 900 um, material: si, cells: 3}\n"
                      "  - {name: lid, thickness: 1 mm, material: si}\n"
                      "boundaries: {top: {type: convection, h: 1e4 W/m^2/K, ambient: 35 C}}\n"
                      "time: {end: 10 ms}\n";

  PH_CK(PhDiagCreate(&diag));
  pb = load_named_copy("cells.yaml", cells, diag);
  PH_CK(PhDiagGetCount(diag, &n, NULL));
  ck_assert(n == 0 && pb != NULL);
  ck_assert_str_eq(pb->layers[0].loc.file, "cells.yaml");
  ck_assert_str_eq(pb->layers[0].cells_loc.file, "cells.yaml");
  ck_assert_int_eq(pb->layers[0].cells_loc.line, 6);
  PH_CK(PhMeshCreate(PETSC_COMM_SELF, pb, diag, &mesh));
  ck_assert_ptr_nonnull(mesh);
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
  /* a box source whose top edge (450 um) falls inside one of the 300 um cells of "sub": found by the mesh */
  (void)snprintf(yaml, sizeof(yaml), "%ssources: [{name: vrm, box: {x: [2 mm, 4 mm], y: [2 mm, 4 mm], z: [0, 450 um]}, power: 5 W}]\n", cells);
  pb = load_named_copy("cells.yaml", yaml, diag);
  ck_assert_ptr_nonnull(pb);
  PH_CK(PhMeshCreate(PETSC_COMM_SELF, pb, diag, &mesh));
  ck_assert_ptr_null(mesh);
  PH_CK(PhDiagGetCount(diag, &n, NULL));
  ck_assert_int_eq(n, 1);
  PH_CK(PhDiagGetMessage(diag, 0, &msg));
  ck_assert_msg(strstr(msg, "photherm: error: cells.yaml:6:57: stack[0].cells: layer \"sub\" has cells: 3, but a source box edge at z = 450 um") ==
                  msg,
                "%s", msg);
  PH_CK(PhCaseDestroy(&pb));
  PH_CK(PhDiagDestroy(&diag));
}
END_TEST

Suite *ph_case_suite(void)
{
  Suite *s  = suite_create("case");
  TCase *tc = tcase_create("load");

  tcase_add_test(tc, resolves_the_base_case_in_si);
  tcase_add_test(tc, overrides_parameters_and_keys_by_path);
  tcase_add_test(tc, rejects_bad_overrides);
  tcase_add_test(tc, reports_every_problem_with_file_line_column_and_key);
  tcase_add_test(tc, suggests_the_nearest_key_and_name);
  tcase_add_test(tc, detects_duplicate_keys_cycles_and_alias_bombs);
  tcase_add_test(tc, reports_an_alias_bomb_at_the_alias);
  tcase_add_test(tc, reports_a_bad_parameter_once_at_its_definition);
  tcase_add_test(tc, rejects_an_initial_file_that_cannot_be_read);
  tcase_add_test(tc, keeps_file_names_valid_after_loading);
  tcase_add_test(tc, rejects_empty_binary_and_malformed_text);
  tcase_add_test(tc, fills_optics_defaults_of_physics_section_1);
  tcase_add_test(tc, checks_optics_cross_references);
  tcase_add_test(tc, reads_includes_and_traces_relative_to_the_naming_file);
  suite_add_tcase(s, tc);
  return s;
}

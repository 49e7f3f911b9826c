/* The voxel mesh (DESIGN §3.4, §4): edges are lines, size limits, grading, symmetry, material priority, file round trip. */
#include "ph_test.h"

#include <math.h>
#include <photherm/mesh.h>
#include <stdio.h>
#include <string.h>

/* Every cell within its limit and every pair of neighbours within `ratio` (a small relative slack for rounding); one
   assertion per check, as each costs Check a message to its parent process. */
static void check_lines(PetscInt n, const PetscReal *x, PetscReal hmax, PetscReal ratio)
{
  PetscInt bad = -1;

  for (PetscInt i = 0; i + 1 < n && bad < 0; i++) {
    PetscReal h = x[i + 1] - x[i], g = i + 2 < n ? x[i + 2] - x[i + 1] : h;

    if (!(h > 0 && h <= hmax * (1 + 1e-9) && PetscMax(h, g) <= ratio * PetscMin(h, g) * (1 + 1e-9))) bad = i;
  }
  ck_assert_msg(bad < 0, "cells %d and %d are %g and %g wide: not positive, above the limit %g or beyond the ratio %g", (int)bad, (int)bad + 1,
                (double)(x[bad + 1] - x[bad]), bad + 2 < n ? (double)(x[bad + 2] - x[bad + 1]) : 0.0, (double)hmax, (double)ratio);
}

static PetscBool has_line(PetscInt n, const PetscReal *x, PetscReal v)
{
  for (PetscInt i = 0; i < n; i++)
    if (PetscAbsReal(x[i] - v) <= 1e-12) return PETSC_TRUE;
  return PETSC_FALSE;
}

START_TEST(uniform_interval_gets_the_fewest_cells_under_the_limit)
{
  PetscReal  e[] = {0, 1}, hmax[] = {0.1};
  PetscInt   fixed[] = {0}, n;
  PetscReal *x;
  PetscBool  ok;

  PH_CK(PhGradeLines(2, e, hmax, fixed, 2.0, &n, &x, &ok));
  ck_assert(ok);
  ck_assert_int_eq(n, 11);
  for (PetscInt i = 0; i < n; i++) ck_assert_double_eq_tol(x[i], 0.1 * i, 1e-14);
  PH_CK(PetscFree(x));
}
END_TEST

START_TEST(grades_away_from_a_thin_interval)
{
  PetscReal  e[] = {0, 0.5, 0.501, 1.0}, hmax[] = {0.1, 0.1, 0.1};
  PetscInt   fixed[] = {0, 0, 0}, n;
  PetscReal *x;
  PetscBool  ok;

  PH_CK(PhGradeLines(4, e, hmax, fixed, 2.0, &n, &x, &ok));
  ck_assert(ok);
  check_lines(n, x, 0.1, 2.0);
  for (int i = 0; i < 4; i++) ck_assert(has_line(n, x, e[i]));
  ck_assert_int_lt(n, 60); /* graded, not uniformly refined to the thin cell */
  PH_CK(PetscFree(x));
  PH_CK(PhGradeLines(4, e, hmax, fixed, 1.2, &n, &x, &ok));
  check_lines(n, x, 0.1, 1.2);
  PH_CK(PetscFree(x));
}
END_TEST

START_TEST(symmetric_edges_give_symmetric_lines)
{
  PetscReal  e[] = {0, 0.013, 0.4, 0.6, 0.987, 1.0}, hmax[] = {0.05, 0.05, 0.05, 0.05, 0.05};
  PetscInt   fixed[] = {0, 0, 0, 0, 0}, n;
  PetscReal *x;
  PetscBool  ok;

  PH_CK(PhGradeLines(6, e, hmax, fixed, 1.5, &n, &x, &ok));
  ck_assert(ok);
  check_lines(n, x, 0.05, 1.5);
  for (PetscInt i = 0; i < n; i++)
    ck_assert_msg(PetscAbsReal(x[i] + x[n - 1 - i] - 1.0) < 1e-14, "line %d: %.17g vs %.17g", (int)i, (double)x[i], (double)x[n - 1 - i]);
  PH_CK(PetscFree(x));
}
END_TEST

START_TEST(fixed_intervals_get_exactly_their_cells_and_no_ratio_at_their_faces)
{
  PetscReal  e[] = {0, 1.2e-3, 1.3e-3, 1.4e-3}, hmax[] = {PETSC_INFINITY, PETSC_INFINITY, PETSC_INFINITY};
  PetscInt   fixed[] = {0, 2, 0}, n;
  PetscReal *x;
  PetscBool  ok;

  PH_CK(PhGradeLines(4, e, hmax, fixed, 2.0, &n, &x, &ok));
  ck_assert(ok);
  ck_assert_int_eq(n, 5); /* 1 + 2 + 1 cells: the 1.2 mm cell is not graded against the fixed 50 um cells */
  ck_assert_double_eq_tol(x[2] - x[1], 50e-6, 1e-15);
  ck_assert_double_eq_tol(x[3] - x[2], 50e-6, 1e-15);
  PH_CK(PetscFree(x));
}
END_TEST

START_TEST(refuses_absurdly_fine_grids)
{
  PetscReal  e[] = {0, 1}, hmax[] = {1e-9};
  PetscInt   fixed[] = {0}, n;
  PetscReal *x;
  PetscBool  ok;

  PH_CK(PhGradeLines(2, e, hmax, fixed, 2.0, &n, &x, &ok));
  ck_assert(!ok);
}
END_TEST

/* Grading costs no work per cell until the lines are made: ten million equal cells, a ratio of 1 + 1e-6 away from a
   thin interval, and many equal intervals are all planned at once and made in one pass (the old grading sorted the
   equal cells of every interval at every iteration, and summed positions cell by cell). */
START_TEST(grades_huge_and_nearly_uniform_grids_in_linear_time)
{
  PetscReal  e[] = {0, 0.3, 0.3 + 1e-6, 1}, hmax[] = {1e-3, 1e-3, 1e-3}, big[] = {1e-7}, one[] = {0, 1};
  PetscInt   fixed[] = {0, 0, 0}, n, nc;
  PetscReal *x, *edges, *limits;
  PetscInt  *none;
  PetscBool  ok;

  PH_CK(PhGradeLines(2, one, big, fixed, 2.0, &nc, NULL, &ok));
  ck_assert(ok);
  ck_assert_int_eq(nc, 10000001);
  PH_CK(PhGradeLines(2, one, big, fixed, 2.0, &n, &x, &ok));
  ck_assert_int_eq(n, nc);
  ck_assert_double_eq_tol(x[n / 2], 0.5, 1e-12);
  ck_assert_double_eq_tol(x[1], 1e-7, 1e-15);
  PH_CK(PetscFree(x));
  PH_CK(PhGradeLines(4, e, hmax, fixed, 1.000001, &n, &x, &ok));
  ck_assert(ok);
  check_lines(n, x, 1e-3, 1.000001);
  ck_assert_int_gt(n, 100000); /* growing from 1 um to 1 mm by 1e-6 per cell takes most of the 1 m */
  PH_CK(PetscFree(x));
  PH_CK(PetscMalloc3(20001, &edges, 20000, &limits, 20000, &none));
  for (PetscInt i = 0; i <= 20000; i++) edges[i] = i * 1e-3 + (i % 2 ? 1e-7 : 0); /* thin and wide intervals alternate */
  for (PetscInt i = 0; i < 20000; i++) {
    limits[i] = 2e-4;
    none[i]   = 0;
  }
  PH_CK(PhGradeLines(20001, edges, limits, none, 1.5, &n, &x, &ok));
  ck_assert(ok);
  check_lines(n, x, 2e-4, 1.5);
  PH_CK(PetscFree(x));
  PH_CK(PetscFree3(edges, limits, none));
}
END_TEST

static const char *MESHCASE = "version: 1\n"
                              "materials:\n"
                              "  a: {k: 1 W/m/K, rho: 1 kg/m^3, cp: 1 J/kg/K}\n"
                              "  b: {k: 2 W/m/K, rho: 1 kg/m^3, cp: 1 J/kg/K}\n"
                              "  c: {k: 3 W/m/K, rho: 1 kg/m^3, cp: 1 J/kg/K}\n"
                              "  d: {k: 4 W/m/K, rho: 1 kg/m^3, cp: 1 J/kg/K}\n"
                              "footprint: {x: [0, 10 mm], y: [0, 10 mm]}\n"
                              "grid: {max_cell_xy: 1 mm, max_cell_z: 200 um, max_ratio: 1.5}\n"
                              "stack:\n"
                              "  - {name: base, thickness: 500 um, material: a}\n"
                              "  - name: act\n"
                              "    thickness: 20 um\n"
                              "    material: a\n"
                              "    blocks:\n"
                              "      - {name: big, material: b, x: [2 mm, 8 mm], y: [2 mm, 8 mm]}\n"
                              "      - {name: small, material: c, x: [4 mm, 6 mm], y: [4.3 mm, 5.7 mm]}\n"
                              "  - {name: top, thickness: 300 um, material: a, cells: 3}\n"
                              "blocks:\n"
                              "  - {name: post, material: d, x: [4.5 mm, 5.5 mm], y: [4.5 mm, 5.5 mm], layers: [base, act]}\n"
                              "boundaries: {top: {type: convection, h: 1e4 W/m^2/K, ambient: 25 C}}\n"
                              "sources: [{name: s, layer: act, x: [3.33 mm, 6.67 mm], y: [3.33 mm, 6.67 mm], power: 1 W}]\n"
                              "time: {mode: steady}\n";

static void make_mesh(const char *yaml, const char *name, PhCase *pb, PhMesh *mesh)
{
  PhDiag   diag;
  PetscInt n;

  PH_CK(PhDiagCreate(&diag));
  PH_CK(PhCaseLoadString(PETSC_COMM_SELF, name, yaml, 0, NULL, diag, pb));
  *mesh = NULL;
  if (*pb != NULL) PH_CK(PhMeshCreate(PETSC_COMM_SELF, *pb, diag, mesh));
  PH_CK(PhDiagGetCount(diag, &n, NULL));
  if (n) PH_CK(PhDiagPrint(diag, PETSC_COMM_SELF, stderr));
  ck_assert(n == 0 && *mesh != NULL);
  PH_CK(PhDiagDestroy(&diag));
}

START_TEST(mesh_of_a_case_puts_lines_on_every_edge_and_respects_limits)
{
  PhCase           pb;
  PhMesh           mesh;
  PetscInt         nx, ny, nz;
  const PetscReal *x, *y, *z;
  PetscReal        edges[] = {2e-3, 8e-3, 4e-3, 6e-3, 4.5e-3, 5.5e-3, 3.33e-3, 6.67e-3};

  make_mesh(MESHCASE, "mesh.yaml", &pb, &mesh);
  PH_CK(PhMeshGetSizes(mesh, &nx, &ny, &nz));
  PH_CK(PhMeshGetLines(mesh, &x, &y, &z));
  for (int i = 0; i < 8; i++) ck_assert(has_line(nx + 1, x, edges[i]));
  ck_assert(has_line(ny + 1, y, 4.3e-3) && has_line(ny + 1, y, 5.7e-3));
  ck_assert(has_line(nz + 1, z, 500e-6) && has_line(nz + 1, z, 520e-6));
  check_lines(nx + 1, x, 1e-3, 1.5);
  check_lines(ny + 1, y, 1e-3, 1.5);
  /* z: graded below the fixed top layer, whose three 100 um cells are exempt at their faces */
  {
    PetscInt ktop;

    PH_CK(PhMeshFindLine(mesh, 2, 520e-6, &ktop));
    check_lines(ktop + 1, z, 200e-6, 1.5);
    ck_assert_int_eq(nz - ktop, 3);
  }
  /* x and y are the same geometry mirrored about 5 mm: symmetric lines */
  for (PetscInt i = 0; i <= nx; i++) ck_assert_double_eq_tol(x[i] + x[nx - i], 10e-3, 1e-15);
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
}
END_TEST

START_TEST(later_blocks_win_and_top_level_blocks_come_last)
{
  PhCase     pb;
  PhMesh     mesh;
  PetscInt   nx, ny, nz, *mat, i5, j5, i3, k_act, k_base;
  PhIndexBox all, small;

  make_mesh(MESHCASE, "mesh.yaml", &pb, &mesh);
  PH_CK(PhMeshGetSizes(mesh, &nx, &ny, &nz));
  all.lo[0] = all.lo[1] = all.lo[2] = 0;
  all.hi[0] = nx, all.hi[1] = ny, all.hi[2] = nz;
  PH_CK(PetscMalloc1(nx * ny * nz, &mat));
  PH_CK(PhMeshFillMaterial(mesh, &all, mat));
  PH_CK(PhMeshFindLine(mesh, 0, 4.5e-3, &i5));
  PH_CK(PhMeshFindLine(mesh, 1, 4.5e-3, &j5));
  PH_CK(PhMeshFindLine(mesh, 0, 2e-3, &i3));
  PH_CK(PhMeshFindLine(mesh, 2, 500e-6, &k_act));
  k_base = 0;
#define MAT(i, j, k) mat[((k)*ny + (j)) * nx + (i)]
  ck_assert_int_eq(MAT(i5, j5, k_act), 3);     /* post (top-level, last) over small over big */
  ck_assert_int_eq(MAT(i5, j5, k_base), 3);    /* post spans base too */
  ck_assert_int_eq(MAT(i5 - 1, j5, k_act), 2); /* small, next to the post */
  ck_assert_int_eq(MAT(i3, j5, k_act), 1);     /* big */
  ck_assert_int_eq(MAT(0, 0, k_act), 0);       /* background */
  ck_assert_int_eq(MAT(i5 - 1, j5, k_base), 0);
#undef MAT
  /* a block's box is its whole box even where later blocks overwrote its material */
  PH_CK(PhMeshGetBlockBox(mesh, 1, &small));
  ck_assert_int_eq(small.hi[0] - small.lo[0] > 0, 1);
  {
    PetscInt a, b;

    PH_CK(PhMeshFindLine(mesh, 0, 4e-3, &a));
    PH_CK(PhMeshFindLine(mesh, 0, 6e-3, &b));
    ck_assert_int_eq(small.lo[0], a);
    ck_assert_int_eq(small.hi[0], b);
  }
  PH_CK(PetscFree(mat));
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
}
END_TEST

/* Geometry at the 1 nm merge distance: a block 1.1 nm wide whose edges fall 0.5 nm and 0.6 nm from the edges of
   others (the nearest line to both of its edges is the same one), and a 1 nm layer whose graded neighbours have
   cells thinner than 1 nm. Each keeps its own lines. */
START_TEST(geometry_at_the_merge_distance_keeps_its_lines)
{
  const char *yaml = "version: 1\n"
                     "materials: {a: {k: 1 W/m/K, rho: 1 kg/m^3, cp: 1 J/kg/K}}\n"
                     "footprint: {x: [0, 10 mm], y: [0, 10 mm]}\n"
                     "stack:\n"
                     "  - {name: bottom, thickness: 400 um, material: a}\n"
                     "  - {name: dies, thickness: 30 um, material: a, blocks: [\n"
                     "      {name: p, material: a, x: [1 mm, 2 mm], y: [1 mm, 2 mm]},\n"
                     "      {name: q, material: a, x: [1.000001 mm, 3 mm], y: [1 mm, 2 mm]},\n"
                     "      {name: r, material: a, x: [1.0000005 mm, 1.0000016 mm], y: [1 mm, 2 mm]}]}\n"
                     "  - {name: glue, thickness: 1 nm, material: a}\n"
                     "  - {name: top, thickness: 300 um, material: a}\n"
                     "boundaries: {top: {type: convection, h: 1e4 W/m^2/K, ambient: 25 C}}\n"
                     "time: {mode: steady}\n";
  PhCase      pb;
  PhMesh      mesh;
  PhIndexBox  box;

  make_mesh(yaml, "thin.yaml", &pb, &mesh);
  for (PetscInt b = 0; b < 3; b++) {
    PH_CK(PhMeshGetBlockBox(mesh, b, &box));
    ck_assert_int_gt(box.hi[0], box.lo[0]);
  }
  PH_CK(PhMeshGetLayerBox(mesh, 2, &box));
  ck_assert_int_eq(box.hi[2] - box.lo[2], 1);
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
}
END_TEST

START_TEST(estimates_memory_linearly_in_cells_and_ranks)
{
  PhCase           pb;
  PhMesh           mesh;
  PhMemoryEstimate one, two;

  make_mesh(MESHCASE, "mesh.yaml", &pb, &mesh);
  PH_CK(PhMeshEstimateMemory(mesh, 1, 1, &one));
  PH_CK(PhMeshEstimateMemory(mesh, 2, 2, &two));
  ck_assert_double_eq_tol(one.per_rank - one.fixed_per_rank, 2 * (two.per_rank - two.fixed_per_rank), 1e-6);
  ck_assert_double_eq_tol(two.per_node, 2 * two.per_rank, 1e-6);
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
}
END_TEST

START_TEST(mesh_file_round_trip_gives_the_same_lines_materials_and_names)
{
  PhCase           pb, pb2;
  PhMesh           mesh, mesh2;
  PetscInt         n[3], n2[3], *m1, *m2;
  const PetscReal *l1[3], *l2[3];
  PhIndexBox       all;
  char             yaml[4096];

  make_mesh(MESHCASE, "mesh.yaml", &pb, &mesh);
  PH_CK(PhMeshWrite(mesh, "build/unit_roundtrip.h5"));
  (void)snprintf(yaml, sizeof(yaml),
                 "version: 1\n"
                 "materials:\n"
                 "  a: {k: 1 W/m/K, rho: 1 kg/m^3, cp: 1 J/kg/K}\n"
                 "  b: {k: 2 W/m/K, rho: 1 kg/m^3, cp: 1 J/kg/K}\n"
                 "  c: {k: 3 W/m/K, rho: 1 kg/m^3, cp: 1 J/kg/K}\n"
                 "  d: {k: 4 W/m/K, rho: 1 kg/m^3, cp: 1 J/kg/K}\n"
                 "mesh: {file: unit_roundtrip.h5}\n"
                 "boundaries: {top: {type: convection, h: 1e4 W/m^2/K, ambient: 25 C}}\n"
                 "sources: [{name: s, block: small, power: 1 W}]\n"
                 "time: {mode: steady}\n");
  make_mesh(yaml, "build/unit_roundtrip.yaml", &pb2, &mesh2);
  PH_CK(PhMeshGetSizes(mesh, &n[0], &n[1], &n[2]));
  PH_CK(PhMeshGetSizes(mesh2, &n2[0], &n2[1], &n2[2]));
  PH_CK(PhMeshGetLines(mesh, &l1[0], &l1[1], &l1[2]));
  PH_CK(PhMeshGetLines(mesh2, &l2[0], &l2[1], &l2[2]));
  for (int d = 0; d < 3; d++) {
    ck_assert_int_eq(n[d], n2[d]);
    for (PetscInt i = 0; i <= n[d]; i++) ck_assert_double_eq(l1[d][i], l2[d][i]);
  }
  ck_assert_int_eq(pb2->nlayers, 3);
  ck_assert_str_eq(pb2->layers[1].name, "act");
  ck_assert_int_eq(pb2->nblocks, 3);
  ck_assert_str_eq(pb2->blocks[2].name, "post");
  ck_assert_double_eq_tol(pb2->sources[0].x0, 4e-3, 1e-15);
  all.lo[0] = all.lo[1] = all.lo[2] = 0;
  all.hi[0] = n[0], all.hi[1] = n[1], all.hi[2] = n[2];
  PH_CK(PetscMalloc2(n[0] * n[1] * n[2], &m1, n[0] * n[1] * n[2], &m2));
  PH_CK(PhMeshFillMaterial(mesh, &all, m1));
  PH_CK(PhMeshFillMaterial(mesh2, &all, m2));
  for (PetscInt c = 0; c < n[0] * n[1] * n[2]; c++) ck_assert_int_eq(m1[c], m2[c]);
  PH_CK(PetscFree2(m1, m2));
  PH_CK(PhMeshDestroy(&mesh2));
  PH_CK(PhCaseDestroy(&pb2));
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
  (void)remove("build/unit_roundtrip.h5");
}
END_TEST

/* Edges of sources and regions that are not lines of a mesh file: found by the mesh, reported with the key path of each. */
START_TEST(reports_edges_off_the_lines_of_a_mesh_file_with_their_key_paths)
{
  PhCase      pb;
  PhMesh      mesh;
  PhDiag      diag;
  PetscInt    n;
  const char *m0, *m1;
  char       *name;
  const char *yaml = "version: 1\n"
                     "materials:\n"
                     "  a: {k: 1 W/m/K, rho: 1 kg/m^3, cp: 1000 J/kg/K}\n"
                     "  b: {k: 2 W/m/K, rho: 1 kg/m^3, cp: 1000 J/kg/K}\n"
                     "  c: {k: 3 W/m/K, rho: 1 kg/m^3, cp: 1000 J/kg/K}\n"
                     "  d: {k: 4 W/m/K, rho: 1 kg/m^3, cp: 1000 J/kg/K}\n"
                     "mesh: {file: unit_edges.h5}\n"
                     "boundaries:\n"
                     "  top:\n"
                     "    - {type: convection, h: 1e4 W/m^2/K, ambient: 25 C}\n"
                     "    - {type: convection, h: 2e4 W/m^2/K, ambient: 25 C, region: {x: [0, 3.21 mm], y: [0, 10 mm]}}\n"
                     "sources:\n"
                     "  - {name: s, block: small, power: 1 W}\n"
                     "  - {name: t, layer: act, x: [3.21 mm, 6.67 mm], y: [3.33 mm, 6.67 mm], power: 1 W}\n"
                     "time: {mode: steady}\n";

  make_mesh(MESHCASE, "mesh.yaml", &pb, &mesh);
  PH_CK(PhMeshWrite(mesh, "build/unit_edges.h5"));
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
  PH_CK(PhDiagCreate(&diag));
  PH_CK(PetscStrallocpy("build/unit_edges.yaml", &name)); /* gone before the mesh reports: the case keeps its own copy */
  PH_CK(PhCaseLoadString(PETSC_COMM_SELF, name, yaml, 0, NULL, diag, &pb));
  PH_CK(PetscFree(name));
  PH_CK(PhDiagGetCount(diag, &n, NULL));
  ck_assert(n == 0 && pb != NULL);
  PH_CK(PhMeshCreate(PETSC_COMM_SELF, pb, diag, &mesh));
  ck_assert_ptr_null(mesh);
  PH_CK(PhDiagGetCount(diag, &n, NULL));
  ck_assert_int_eq(n, 2);
  PH_CK(PhDiagGetMessage(diag, 0, &m0));
  PH_CK(PhDiagGetMessage(diag, 1, &m1));
  ck_assert_msg(strstr(m0, "photherm: error: build/unit_edges.yaml:14:5: sources[1]: the edges of source \"t\" must be grid lines") == m0, "%s", m0);
  ck_assert_msg(strstr(m1, "photherm: error: build/unit_edges.yaml:11:65: boundaries.top[1].region: the region edges must be grid lines") == m1, "%s",
                m1);
  PH_CK(PhCaseDestroy(&pb));
  PH_CK(PhDiagDestroy(&diag));
  (void)remove("build/unit_edges.h5");
}
END_TEST

Suite *ph_mesh_suite(void)
{
  Suite *s     = suite_create("mesh");
  TCase *lines = tcase_create("lines"), *mesh = tcase_create("mesh");

  tcase_add_test(lines, uniform_interval_gets_the_fewest_cells_under_the_limit);
  tcase_add_test(lines, grades_away_from_a_thin_interval);
  tcase_add_test(lines, symmetric_edges_give_symmetric_lines);
  tcase_add_test(lines, fixed_intervals_get_exactly_their_cells_and_no_ratio_at_their_faces);
  tcase_add_test(lines, refuses_absurdly_fine_grids);
  tcase_add_test(lines, grades_huge_and_nearly_uniform_grids_in_linear_time);
  tcase_add_test(mesh, mesh_of_a_case_puts_lines_on_every_edge_and_respects_limits);
  tcase_add_test(mesh, later_blocks_win_and_top_level_blocks_come_last);
  tcase_add_test(mesh, geometry_at_the_merge_distance_keeps_its_lines);
  tcase_add_test(mesh, estimates_memory_linearly_in_cells_and_ranks);
  tcase_add_test(mesh, mesh_file_round_trip_gives_the_same_lines_materials_and_names);
  tcase_add_test(mesh, reports_edges_off_the_lines_of_a_mesh_file_with_their_key_paths);
  suite_add_tcase(s, lines);
  suite_add_tcase(s, mesh);
  return s;
}

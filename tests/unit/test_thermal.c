/*
  The thermal discretisation (DESIGN §5) against a manufactured solution with conductivity jumps of 1000 between
  layers: second-order convergence of the cell-centre temperatures under refinement.

  T = T0 + g(x, y) F(z) on [0, a] x [0, b] x [0, Lz], with g = 1 + cos(pi x / a) cos(pi y / b) / 2 (zero normal
  derivative on the sides: adiabatic) and F(z) = sin(c phi(z)), phi(z) = int_0^z dz'/k_z, c = pi / phi(Lz), so F
  vanishes on the top and bottom (fixed temperature T0) and k_z F' = c cos(c phi) is continuous across every layer
  interface (flux continuity), although F' jumps by the conductivity ratio. The source that makes T exact is
  q = -div(k grad T) = -(k_x g_xx + k_y g_yy) F + g c^2 sin(c phi) / k_z, given to every cell as q(centre) V.
*/
#include "ph_test.h"

#include <math.h>
#include <photherm/mesh.h>
#include <photherm/thermal.h>
#include <stdio.h>

#include "thermal_impl.h" /* the multigrid's coarse operators */

#define NLAYER             4
#define PH_TEST_MAX_LEVELS 25
static const double KX[NLAYER] = {1.0, 1000.0, 3.0, 400.0}; /* W/m/K, lateral */
static const double KZ[NLAYER] = {1.0, 1000.0, 1.5, 200.0}; /* W/m/K, vertical */
static const double TH[NLAYER] = {0.3e-3, 0.2e-3, 0.25e-3, 0.25e-3};
static const double A_X = 1e-3, B_Y = 0.8e-3, T_0 = 300.0;

/* phi(z) = int_0^z dz'/k_z and the layer of z */
static double phi_of(double z, int *layer)
{
  double phi = 0, z0 = 0;

  for (int l = 0; l < NLAYER; l++) {
    if (z <= z0 + TH[l] || l == NLAYER - 1) {
      if (layer) *layer = l;
      return phi + (z - z0) / KZ[l];
    }
    phi += TH[l] / KZ[l];
    z0 += TH[l];
  }
  return phi;
}

static double exact(double x, double y, double z, double c)
{
  double g = 1 + 0.5 * cos(PETSC_PI * x / A_X) * cos(PETSC_PI * y / B_Y);

  return T_0 + g * sin(c * phi_of(z, NULL));
}

static double source(double x, double y, double z, double c)
{
  int    l;
  double ph = phi_of(z, &l);
  double cc = cos(PETSC_PI * x / A_X) * cos(PETSC_PI * y / B_Y);
  double g = 1 + 0.5 * cc, gxx = -0.5 * pow(PETSC_PI / A_X, 2) * cc, gyy = -0.5 * pow(PETSC_PI / B_Y, 2) * cc;

  return -(KX[l] * gxx + KX[l] * gyy) * sin(c * ph) + g * c * c * sin(c * ph) / KZ[l];
}

/* Max error of the steady solution relative to the largest rise, with n cells along x and about 11 n / 8 along z. */
static double solve_error(int n)
{
  char             yaml[4096];
  PhDiag           diag;
  PhCase           pb;
  PhMesh           mesh;
  PhThermal        th;
  DM               da;
  DMDALocalInfo    in;
  Vec              T;
  PetscScalar     *t;
  const PetscReal *x, *y, *z;
  double           c = PETSC_PI / (TH[0] / KZ[0] + TH[1] / KZ[1] + TH[2] / KZ[2] + TH[3] / KZ[3]), err = 0, rise = 0;
  PetscInt         nerr;
  int              cells[NLAYER] = {3 * n / 8, 2 * n / 8, 3 * n / 8, 3 * n / 8};

  (void)snprintf(yaml, sizeof(yaml),
                 "version: 1\n"
                 "materials:\n"
                 "  m0: {k: [%g W/m/K, %g W/m/K, %g W/m/K], rho: 1000 kg/m^3, cp: 1000 J/kg/K}\n"
                 "  m1: {k: [%g W/m/K, %g W/m/K, %g W/m/K], rho: 1000 kg/m^3, cp: 1000 J/kg/K}\n"
                 "  m2: {k: [%g W/m/K, %g W/m/K, %g W/m/K], rho: 1000 kg/m^3, cp: 1000 J/kg/K}\n"
                 "  m3: {k: [%g W/m/K, %g W/m/K, %g W/m/K], rho: 1000 kg/m^3, cp: 1000 J/kg/K}\n"
                 "footprint: {x: [0, %g m], y: [0, %g m]}\n"
                 "grid: {max_cell_xy: %.17g m}\n"
                 "stack:\n"
                 "  - {name: l0, thickness: %g m, material: m0, cells: %d}\n"
                 "  - {name: l1, thickness: %g m, material: m1, cells: %d}\n"
                 "  - {name: l2, thickness: %g m, material: m2, cells: %d}\n"
                 "  - {name: l3, thickness: %g m, material: m3, cells: %d}\n"
                 "boundaries:\n"
                 "  top: {type: temperature, value: %g K}\n"
                 "  bottom: {type: temperature, value: %g K}\n"
                 "time: {mode: steady}\n",
                 KX[0], KX[0], KZ[0], KX[1], KX[1], KZ[1], KX[2], KX[2], KZ[2], KX[3], KX[3], KZ[3], A_X, B_Y, A_X / n, TH[0], cells[0], TH[1],
                 cells[1], TH[2], cells[2], TH[3], cells[3], T_0, T_0);
  PH_CK(PhDiagCreate(&diag));
  PH_CK(PhCaseLoadString(PETSC_COMM_SELF, "mms.yaml", yaml, 0, NULL, diag, &pb));
  PH_CK(PhDiagGetCount(diag, &nerr, NULL));
  if (nerr) PH_CK(PhDiagPrint(diag, PETSC_COMM_SELF, stderr));
  ck_assert(pb != NULL);
  PH_CK(PhMeshCreate(PETSC_COMM_SELF, pb, diag, &mesh));
  ck_assert(mesh != NULL);
  PH_CK(PhThermalCreate(PETSC_COMM_SELF, pb, mesh, &th));
  PH_CK(PhThermalGetDM(th, &da));
  PH_CK(DMDAGetLocalInfo(da, &in));
  PH_CK(PhMeshGetLines(mesh, &x, &y, &z));
  PH_CK(DMCreateGlobalVector(da, &T));
  {
    /* the manufactured heat as one heat input per cell (weight 1, power = the cell's heat) */
    PetscInt   n = in.mx * in.my * in.mz, *cell, *input;
    PetscReal *weight, *power;

    PH_CK(PetscMalloc4(n, &cell, n, &input, n, &weight, n, &power));
    for (PetscInt k = 0, q = 0; k < in.mz; k++)
      for (PetscInt j = 0; j < in.my; j++)
        for (PetscInt i = 0; i < in.mx; i++, q++) {
          double xc = 0.5 * (x[i] + x[i + 1]), yc = 0.5 * (y[j] + y[j + 1]), zc = 0.5 * (z[k] + z[k + 1]);

          cell[q]   = q;
          input[q]  = q;
          weight[q] = 1.0;
          power[q]  = source(xc, yc, zc, c) * (x[i + 1] - x[i]) * (y[j + 1] - y[j]) * (z[k + 1] - z[k]);
        }
    PH_CK(PhThermalSetHeatInputs(th, n, n, cell, input, weight, NULL));
    PH_CK(PhThermalSetHeatPowers(th, power));
    PH_CK(PetscFree4(cell, input, weight, power));
  }
  PH_CK(VecSet(T, T_0));
  PH_CK(PhThermalSolveSteady(th, 0, T));
  PH_CK(VecGetArray(T, &t));
  for (PetscInt k = 0, q = 0; k < in.mz; k++)
    for (PetscInt j = 0; j < in.my; j++)
      for (PetscInt i = 0; i < in.mx; i++, q++) {
        double e = exact(0.5 * (x[i] + x[i + 1]), 0.5 * (y[j] + y[j + 1]), 0.5 * (z[k] + z[k + 1]), c);

        err  = fmax(err, fabs(t[q] - e));
        rise = fmax(rise, fabs(e - T_0));
      }
  PH_CK(VecRestoreArray(T, &t));
  PH_CK(VecDestroy(&T));
  PH_CK(PhThermalDestroy(&th));
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
  PH_CK(PhDiagDestroy(&diag));
  return err / rise;
}

/*
  The multigrid's coarse operators are updated for a new time step size by adding (shift - old shift) C_l, not by new
  Galerkin products (src/thermal_mg.c). Every coarse operator must still equal P^T A P of the level above, formed
  here from the fine operator at each shift, including after a shift of 1e30 (a step of 1e-30 s), which would leave
  the conductances to rounding if it were added and taken away.
*/
START_TEST(coarse_operators_stay_galerkin_products_of_the_shifted_operator)
{
  const char     *yaml     = "version: 1\n"
                             "materials:\n"
                             "  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}\n"
                             "  tim: {k: [3 W/m/K, 3 W/m/K, 0.5 W/m/K], rho: 2000 kg/m^3, cp: 900 J/kg/K}\n"
                             "footprint: {x: [0, 9 mm], y: [0, 8 mm]}\n"
                             "grid: {max_cell_xy: 100 um}\n"
                             "stack:\n"
                             "  - {name: die, thickness: 0.5 mm, material: si, cells: 2}\n"
                             "  - {name: tim, thickness: 20 um, material: tim, cells: 1}\n"
                             "  - {name: lid, thickness: 1 mm, material: si, cells: 2}\n"
                             "boundaries:\n"
                             "  top: {type: convection, h: 1e4 W/m^2/K, ambient: 30 C}\n"
                             "time: {mode: steady}\n";
  const PetscReal shifts[] = {0, 1e3, 4e5, 1e30, 2e2, 7e4, 7e4};
  PhDiag          diag;
  PhCase          pb;
  PhMesh          mesh;
  PhThermal       th;
  KSP             ksp;
  PC              pc;
  PetscInt        nlevels;

  PH_CK(PhDiagCreate(&diag));
  PH_CK(PhCaseLoadString(PETSC_COMM_SELF, "mg.yaml", yaml, 0, NULL, diag, &pb));
  ck_assert(pb != NULL);
  PH_CK(PhMeshCreate(PETSC_COMM_SELF, pb, diag, &mesh));
  PH_CK(PhThermalCreate(PETSC_COMM_SELF, pb, mesh, &th));
  PH_CK(KSPCreate(PETSC_COMM_SELF, &ksp));
  PH_CK(KSPSetOperators(ksp, th->A, th->A));
  PH_CK(PhThermalConfigureKSP_Private(th, ksp, PETSC_TRUE));
  PH_CK(KSPGetPC(ksp, &pc));
  PH_CK(PCMGGetLevels(pc, &nlevels));
  ck_assert_int_ge(nlevels, 3);
  for (size_t s = 0; s < sizeof(shifts) / sizeof(shifts[0]); s++) {
    Mat fine = th->A, fresh[PH_TEST_MAX_LEVELS] = {NULL};

    PH_CK(PhThermalSetShift_Private(th, shifts[s]));
    PH_CK(PhThermalUpdateMG_Private(th, pc));
    for (PetscInt l = nlevels - 1; l > 0; l--) {
      Mat       P, kept;
      KSP       smoother;
      PetscReal norm, diff;

      PH_CK(PCMGGetInterpolation(pc, l, &P));
      PH_CK(MatPtAP(fine, P, MAT_INITIAL_MATRIX, 2.0, &fresh[l - 1]));
      PH_CK(PCMGGetSmoother(pc, l - 1, &smoother));
      PH_CK(KSPGetOperators(smoother, &kept, NULL));
      PH_CK(MatNorm(fresh[l - 1], NORM_FROBENIUS, &norm));
      {
        Mat d;

        PH_CK(MatDuplicate(fresh[l - 1], MAT_COPY_VALUES, &d));
        PH_CK(MatAXPY(d, -1.0, kept, DIFFERENT_NONZERO_PATTERN));
        PH_CK(MatNorm(d, NORM_FROBENIUS, &diff));
        PH_CK(MatDestroy(&d));
      }
      if (!(diff <= 1e-12 * norm))
        fprintf(stderr, "shift %g level %d: |kept - P^T A P| / |P^T A P| = %g\n", (double)shifts[s], (int)(l - 1), (double)(diff / norm));
      ck_assert_double_le(diff, 1e-12 * norm);
      fine = fresh[l - 1];
    }
    for (PetscInt l = 0; l < nlevels - 1; l++) PH_CK(MatDestroy(&fresh[l]));
  }
  PH_CK(KSPDestroy(&ksp));
  PH_CK(PhThermalDestroy(&th));
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
  PH_CK(PhDiagDestroy(&diag));
}
END_TEST

/* For random x and y, y . (J x) must equal x . (J^T y) to rounding, J the operator of the linear solves of `yaml`. */
static void check_adjoint(const char *yaml, PetscInt nplates, PetscInt ncavities, const char *what)
{
  PhDiag      diag;
  PhCase      pb;
  PhMesh      mesh;
  PhThermal   th;
  Mat         J;
  Vec         x, y, Jx, Jty;
  PetscRandom rnd;

  PH_CK(PhDiagCreate(&diag));
  PH_CK(PhCaseLoadString(PETSC_COMM_SELF, "plates.yaml", yaml, 0, NULL, diag, &pb));
  ck_assert(pb != NULL);
  PH_CK(PhMeshCreate(PETSC_COMM_SELF, pb, diag, &mesh));
  PH_CK(PhThermalCreate(PETSC_COMM_SELF, pb, mesh, &th));
  ck_assert_int_eq(th->nplates, nplates);
  ck_assert_int_eq(th->ncavities, ncavities);
  PH_CK(PhThermalOperator_Private(th, 0, PETSC_FALSE, &J));
  PH_CK(PetscRandomCreate(PETSC_COMM_SELF, &rnd));
  PH_CK(VecDuplicate(th->capacity, &x));
  PH_CK(VecDuplicate(th->capacity, &y));
  PH_CK(VecDuplicate(th->capacity, &Jx));
  PH_CK(VecDuplicate(th->capacity, &Jty));
  for (int trial = 0; trial < 4; trial++) {
    PetscScalar a, b;
    PetscReal   na, nb;

    PH_CK(VecSetRandom(x, rnd));
    PH_CK(VecSetRandom(y, rnd));
    PH_CK(MatMult(J, x, Jx));
    PH_CK(MatMultTranspose(J, y, Jty));
    PH_CK(VecDot(Jx, y, &a));
    PH_CK(VecDot(Jty, x, &b));
    PH_CK(VecNorm(Jx, NORM_2, &na));
    PH_CK(VecNorm(y, NORM_2, &nb));
    fprintf(stderr, "# %s: y.(J x) = %.15g, x.(J^T y) = %.15g\n", what, (double)PetscRealPart(a), (double)PetscRealPart(b));
    ck_assert_double_le(PetscAbsReal(PetscRealPart(a - b)), 1e-13 * na * nb);
  }
  PH_CK(VecDestroy(&x));
  PH_CK(VecDestroy(&y));
  PH_CK(VecDestroy(&Jx));
  PH_CK(VecDestroy(&Jty));
  PH_CK(PetscRandomDestroy(&rnd));
  PH_CK(PhThermalDestroy(&th));
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
  PH_CK(PhDiagDestroy(&diag));
}

/*
  The reduced model with cold plates forms K_r = V^T J V from columns J v and rows J^T v (src/thermal_reduced.c), the
  transpose by a sweep against the flow (src/thermal_coolant.c). For random x and y, y . (J x) must equal x . (J^T y)
  to rounding: two plates with regions, flows along -x and +y, a slow flow (NTU about 5) and a fast one.
*/
START_TEST(cold_plate_transpose_is_the_adjoint_of_the_coolant_operator)
{
  check_adjoint("version: 1\n"
                "materials:\n"
                "  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}\n"
                "  coolant: {k: 0.6 W/m/K, rho: 1000 kg/m^3, cp: 4000 J/kg/K}\n"
                "footprint: {x: [0, 6 mm], y: [0, 4 mm]}\n"
                "grid: {max_cell_xy: 500 um}\n"
                "stack:\n"
                "  - {name: die, thickness: 0.5 mm, material: si, cells: 2}\n"
                "boundaries:\n"
                "  top:\n"
                "    - {type: cold_plate, coolant: coolant, flow: 0.001 L/min, inlet: 30 C, direction: -x, h: 2e4 W/m^2/K,\n"
                "       region: {x: [0, 4 mm], y: [0, 4 mm]}}\n"
                "    - {type: cold_plate, name: b, coolant: coolant, flow: 2e-3 kg/s, inlet: 25 C, direction: +y, h: 5e3 W/m^2/K,\n"
                "       region: {x: [4 mm, 6 mm], y: [0, 4 mm]}}\n"
                "  bottom: {type: convection, h: 100 W/m^2/K, ambient: 40 C}\n"
                "time: {mode: steady}\n",
                2, 0, "cold plates");
}
END_TEST

/*
  The same with a micro-channel layer under the die, whose advection makes A itself non-symmetric: with a cold plate
  on top J is the plate's shell and its transpose must take A^T (the reduced model's rows); without one, J is A.
*/
START_TEST(micro_channel_transpose_is_the_adjoint_of_the_operator)
{
  const char *base = "version: 1\n"
                     "materials:\n"
                     "  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}\n"
                     "  water: {k: 0.6 W/m/K, rho: 1000 kg/m^3, cp: 4000 J/kg/K}\n"
                     "footprint: {x: [0, 3 mm], y: [0, 2 mm]}\n"
                     "grid: {max_cell_xy: 250 um}\n"
                     "stack:\n"
                     "  - {name: base, thickness: 200 um, material: si}\n"
                     "  - {name: cavity, type: microchannel, thickness: 100 um, material: si, channel_width: 100 um, pitch: 200 um,\n"
                     "     coolant: water, flow: 2 mL/min, inlet: 30 C, direction: -x}\n"
                     "  - {name: die, thickness: 0.2 mm, material: si, cells: 2}\n"
                     "time: {mode: steady}\n";
  char        yaml[2048];

  (void)snprintf(yaml, sizeof(yaml),
                 "%sboundaries:\n  top: {type: cold_plate, coolant: water, flow: 0.01 L/min, inlet: 25 C, direction: +y, h: 1e4 W/m^2/K}\n", base);
  check_adjoint(yaml, 1, 1, "micro-channels and a cold plate");
  (void)snprintf(yaml, sizeof(yaml), "%sboundaries:\n  top: {type: convection, h: 1e3 W/m^2/K, ambient: 40 C}\n", base);
  check_adjoint(yaml, 0, 1, "micro-channels");
}
END_TEST

START_TEST(manufactured_solution_converges_at_second_order_across_conductivity_jumps)
{
  double e8 = solve_error(8), e16 = solve_error(16), e32 = solve_error(32);
  double p1 = log2(e8 / e16), p2 = log2(e16 / e32);

  fprintf(stderr, "# manufactured solution: relative max error %.3e, %.3e, %.3e on 8, 16, 32 cells per side; observed order %.3f, %.3f\n", e8, e16,
          e32, p1, p2);
  ck_assert_msg(p1 > 1.8 && p2 > 1.85, "observed orders %.3f and %.3f, expected 2", p1, p2);
  ck_assert_msg(e32 < 4e-3, "error %.3e on the finest grid", e32);
}
END_TEST

/*
  The maxima's tree of bounds (thermal_maxtree.c) against brute force: rows of a smooth field with two hot spots 1e-6
  apart (relative) on a plane of 45 x 38 cells and a second plane, values near 1e3 (so that the single-precision
  coefficients' rounding, 1e-4 of them, is far above the gap), along a walk of 300 states: every query's largest value
  is the brute-force largest, and the first natural index at or above a threshold is the brute-force one; with every
  component rotated, and with the first three kept as they are (the reduced model's leading vectors).
*/
static void check_max_tree(PetscInt nlead)
{
  const PetscInt nx = 45, ny = 38, nz = 2, n = nx * ny * nz, r = 12, nq = 300;
  PetscReal     *w, *z, *v;
  PetscInt      *ijk, *nat;
  PhMaxTree      tree;
  unsigned       seed = 12345;

  ck_assert_int_eq(PetscMalloc5(n * r, &w, r, &z, n, &v, 3 * n, &ijk, n, &nat), 0);
  for (PetscInt c = 0; c < n; c++) {
    const PetscInt  i = c % nx, j = (c / nx) % ny, k = c / (nx * ny);
    const PetscReal x = (PetscReal)i / nx, y = (PetscReal)j / ny;

    ijk[3 * c] = i, ijk[3 * c + 1] = j, ijk[3 * c + 2] = k;
    nat[c] = n - 1 - c;
    for (PetscInt q = 0; q < r; q++) w[c * r + q] = cos(PETSC_PI * (q % 4 + 1) * x + q) * sin(PETSC_PI * (q / 4 + 1) * y + 0.3 * q) + 0.1 * q;
    w[c * r] = 1e3 * (1 + 0.01 * k) + 0.05 * exp(-((x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6)) * 400) +
               0.05 * (1 - 1e-6) * exp(-((x - 0.7) * (x - 0.7) + (y - 0.2) * (y - 0.2)) * 400);
  }
  ck_assert_int_eq(PhMaxTreeCreate(n, r, nlead, w, ijk, nat, &tree), 0);
  for (PetscInt q = 0; q < r; q++) z[q] = q == 0 ? 1 : 0;
  for (PetscInt s = 0; s < nq; s++) {
    PetscReal best, brute   = PETSC_MIN_REAL, theta;
    PetscInt  first, bfirst = PETSC_MAX_INT, above = 0;

    for (PetscInt q = 1; q < r; q++) { /* a walk that mostly stays near the last state */
      seed = seed * 1103515245u + 12345u;
      z[q] += 2e-3 * (((seed >> 16) & 0x7fff) / 32767.0 - 0.5) * (s % 50 == 0 ? 50 : 1);
    }
    for (PetscInt c = 0; c < n; c++) {
      v[c] = 0;
      for (PetscInt q = 0; q < r; q++) v[c] += w[c * r + q] * z[q];
      brute = PetscMax(brute, v[c]);
    }
    ck_assert_int_eq(PhMaxTreeQuery(tree, z, PETSC_FALSE, 0, &best, &first), 0);
    ck_assert_msg(PetscAbsReal(best - brute) <= 1e-10 * PetscAbsReal(brute), "query %d: tree %.15g, brute force %.15g", (int)s, (double)best,
                  (double)brute);
    theta = brute - 0.02; /* the first natural index at or above a threshold just below the maximum */
    for (PetscInt c = 0; c < n; c++)
      if (v[c] >= theta && PetscAbsReal(v[c] - theta) > 1e-9 * PetscAbsReal(theta)) {
        above++;
        bfirst = PetscMin(bfirst, nat[c]);
      }
    ck_assert_int_eq(PhMaxTreeQuery(tree, z, PETSC_TRUE, theta, &best, &first), 0);
    ck_assert_msg(first == bfirst, "query %d: first index above %.15g: tree %d, brute force %d (%d cells above)", (int)s, (double)theta, (int)first,
                  (int)bfirst, (int)above);
  }
  ck_assert_int_eq(PhMaxTreeDestroy(&tree), 0);
  ck_assert_int_eq(PetscFree5(w, z, v, ijk, nat), 0);
}

START_TEST(max_tree_finds_the_brute_force_maximum_along_a_walk)
{
  check_max_tree(0);
  check_max_tree(3);
}
END_TEST

/*
  k(T) by regions (src/thermal_reduced.c) corrects the operator by dG/ds over the faces of the k(T) cells
  (PhThermalKFaces_Private()), s the relative change of k. Against the operator itself: with k(T) silicon under and in
  a micro-channel layer, (A(T+) - A(T-)) x / (s+ - s-) at uniform temperatures T+- that scale k by s+- = 1 +- 1e-3 must
  equal D x, D = sum over the listed face sides of dG/ds (e_own - e_nbr)(e_own - e_nbr)^T, for random x: the walls'
  exchange with the coolant of the 4-resistor model, and the porous model's strips, tiers and ties.
*/
static void check_k_faces(const char *geometry)
{
  const double       eps = 1e-3;
  char               yaml[2048];
  PhDiag             diag;
  PhCase             pb;
  PhMesh             mesh;
  PhThermal          th;
  Mat                Ap, Am;
  Vec                x, Tp, Tm, y, z;
  PetscRandom        rnd;
  PetscInt           n, *own, *nbr;
  PetscReal         *dgds, ny, nd;
  PetscBool          boundary;
  PetscScalar       *ya;
  const PetscScalar *xa;

  (void)snprintf(yaml, sizeof(yaml),
                 "version: 1\n"
                 "materials:\n"
                 "  sikt: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K, k_exponent: -1.3}\n"
                 "  si: {k: 148 W/m/K, rho: 2330 kg/m^3, cp: 712 J/kg/K}\n"
                 "  water: {k: 0.6 W/m/K, rho: 1000 kg/m^3, cp: 4000 J/kg/K}\n"
                 "footprint: {x: [0, 2 mm], y: [0, 1 mm]}\n"
                 "grid: {max_cell_xy: 250 um}\n"
                 "stack:\n"
                 "  - {name: base, thickness: 200 um, material: sikt}\n"
                 "  - {name: cavity, type: microchannel, thickness: 100 um, material: sikt, %s,\n"
                 "     coolant: water, flow: 2 mL/min, inlet: 30 C, direction: -x}\n"
                 "  - {name: die, thickness: 0.2 mm, material: sikt, cells: 2}\n"
                 "  - {name: lid, thickness: 0.2 mm, material: si}\n"
                 "boundaries:\n  top: {type: convection, h: 1e3 W/m^2/K, ambient: 40 C}\n"
                 "time: {mode: steady}\n",
                 geometry);
  PH_CK(PhDiagCreate(&diag));
  PH_CK(PhCaseLoadString(PETSC_COMM_SELF, "kfaces.yaml", yaml, 0, NULL, diag, &pb));
  ck_assert(pb != NULL);
  PH_CK(PhMeshCreate(PETSC_COMM_SELF, pb, diag, &mesh));
  PH_CK(PhThermalCreate(PETSC_COMM_SELF, pb, mesh, &th));
  ck_assert_int_eq(PhIndexBoxCount(&th->ghost), PhIndexBoxCount(&th->owned)); /* one rank: ghost offsets are the vector's */
  PH_CK(PhThermalAssemble_Private(th, NULL));                                 /* the reference k, where the faces' derivatives are taken */
  PH_CK(PhThermalKFaces_Private(th, &n, &own, &nbr, &dgds, &boundary));
  ck_assert(!boundary);
  PH_CK(VecDuplicate(th->capacity, &Tp));
  PH_CK(VecDuplicate(th->capacity, &Tm));
  PH_CK(VecSet(Tp, 300.0 * pow(1 + eps, 1 / -1.3))); /* k = k_ref (T / 300 K)^n */
  PH_CK(VecSet(Tm, 300.0 * pow(1 - eps, 1 / -1.3)));
  PH_CK(PhThermalAssemble_Private(th, Tp));
  PH_CK(MatDuplicate(th->A, MAT_COPY_VALUES, &Ap));
  PH_CK(PhThermalAssemble_Private(th, Tm));
  PH_CK(MatDuplicate(th->A, MAT_COPY_VALUES, &Am));
  PH_CK(MatAXPY(Ap, -1.0, Am, SAME_NONZERO_PATTERN));
  PH_CK(PetscRandomCreate(PETSC_COMM_SELF, &rnd));
  PH_CK(VecDuplicate(th->capacity, &x));
  PH_CK(VecDuplicate(th->capacity, &y));
  PH_CK(VecDuplicate(th->capacity, &z));
  for (int trial = 0; trial < 3; trial++) {
    PH_CK(VecSetRandom(x, rnd));
    PH_CK(MatMult(Ap, x, y));
    PH_CK(VecScale(y, 1 / (2 * eps)));
    PH_CK(VecSet(z, 0.0));
    PH_CK(VecGetArrayRead(x, &xa));
    PH_CK(VecGetArray(z, &ya));
    for (PetscInt f = 0; f < n; f++) {
      const PetscScalar dx = xa[own[f]] - xa[nbr[f]];

      ya[own[f]] += dgds[f] * dx;
      ya[nbr[f]] -= dgds[f] * dx;
    }
    PH_CK(VecRestoreArray(z, &ya));
    PH_CK(VecRestoreArrayRead(x, &xa));
    PH_CK(VecNorm(y, NORM_2, &ny));
    PH_CK(VecAXPY(y, -1.0, z));
    PH_CK(VecNorm(y, NORM_2, &nd));
    fprintf(stderr, "# k(T) faces, %s: |dA/ds x - D x| / |dA/ds x| = %.3g over %d face sides\n", geometry, (double)(nd / ny), (int)n);
    ck_assert_double_le(nd, 1e-6 * ny);
  }
  PH_CK(PetscFree3(own, nbr, dgds));
  PH_CK(VecDestroy(&x));
  PH_CK(VecDestroy(&y));
  PH_CK(VecDestroy(&z));
  PH_CK(VecDestroy(&Tp));
  PH_CK(VecDestroy(&Tm));
  PH_CK(MatDestroy(&Ap));
  PH_CK(MatDestroy(&Am));
  PH_CK(PetscRandomDestroy(&rnd));
  PH_CK(PhThermalDestroy(&th));
  PH_CK(PhMeshDestroy(&mesh));
  PH_CK(PhCaseDestroy(&pb));
  PH_CK(PhDiagDestroy(&diag));
}

START_TEST(k_faces_are_the_derivative_of_the_operator_beside_coolant)
{
  check_k_faces("channel_width: 100 um, pitch: 200 um");
  check_k_faces("model: 2rm, cell: 250 um, channel_width: 100 um, pitch: 200 um");
  check_k_faces("model: pinfin, cell: 250 um, pin_diameter: 50 um, pitch: 100 um, h: 2e4 W/m^2/K");
}
END_TEST

Suite *ph_thermal_suite(void)
{
  Suite *s  = suite_create("thermal");
  TCase *tc = tcase_create("discretisation");

  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, manufactured_solution_converges_at_second_order_across_conductivity_jumps);
  tcase_add_test(tc, coarse_operators_stay_galerkin_products_of_the_shifted_operator);
  tcase_add_test(tc, cold_plate_transpose_is_the_adjoint_of_the_coolant_operator);
  tcase_add_test(tc, micro_channel_transpose_is_the_adjoint_of_the_operator);
  tcase_add_test(tc, max_tree_finds_the_brute_force_maximum_along_a_walk);
  tcase_add_test(tc, k_faces_are_the_derivative_of_the_operator_beside_coolant);
  suite_add_tcase(s, tc);
  return s;
}

/*
  Geometric multigrid for the cell-centred operator on the tensor grid (DESIGN §5): PCMG with interpolation built from
  the cell coordinates, any grid size, and Galerkin coarse operators.

  Package stacks have layers far thinner than their cells are wide, with conductivities 1000 apart from layer to layer:
  across such a layer the cells couple much more strongly than along it, which point smoothers and interpolation
  across the layers handle badly. So every level keeps all the cells of a column in z and smooths by z-line
  relaxation: the tridiagonal system of each column is solved exactly (line Jacobi, accelerated by Chebyshev), which
  handles any thickness and conductivity contrast in z. Levels coarsen in x and y only; a coarse cell is the union of
  up to three neighbouring cells (the last one or two of the row stay together), and when the cells are much thinner along one lateral
  direction than the other, that direction alone is coarsened (semi-coarsening). On graded meshes the cells wider than
  the coarse cells of the level are left unmerged (PhMGCoarsen()), which does the same semi-coarsening cell by cell. Interpolation is linear between
  coarse cell centres (constant beyond the outermost centres); restriction is its transpose, which keeps the V-cycle
  symmetric for CG. Columns must not be split between ranks: the DMDA has one process along z.

  Coarse levels are plain parallel matrices (not DMDAs): a coarse cell belongs to the rank that owns its first fine
  child, each rank's coarse cells form a box, and ranks may own none on the coarsest levels.
*/
#include "thermal_impl.h"

#include <math.h>

#define PH_MG_MAX_LEVELS   25
#define PH_MG_COARSE_CELLS 2000 /* a coarse grid this small (per rank) is solved directly */
#define PH_MG_THIN_FACTOR  4.0  /* a direction is "thin" when its cells are this much thinner than the widest */

/* One grid of the hierarchy: lines in each direction and the per-rank ranges along each direction. */
typedef struct {
  PetscInt   n[3];      /* cells along x, y, z */
  PetscReal *line[3];   /* node coordinates, length n[d] + 1 */
  PetscInt   np[3];     /* ranks along each direction */
  PetscInt  *first[3];  /* first[d][r]: first cell of rank coordinate r along d; first[d][np[d]] = n[d] */
  PetscInt  *parent[3]; /* on a coarse grid, along a coarsened direction: the coarse cell of each cell of the finer grid */
} PhMGGrid;

static PetscErrorCode PhMGGridFree(PhMGGrid *g)
{
  PetscFunctionBeginUser;
  for (int d = 0; d < 3; d++) {
    PetscCall(PetscFree(g->line[d]));
    PetscCall(PetscFree(g->first[d]));
    PetscCall(PetscFree(g->parent[d]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Geometric mean of the cell widths along d: the typical width, insensitive to a few very thin or thick cells. */
static PetscReal PhMGTypicalWidth(const PhMGGrid *g, PetscInt d)
{
  PetscReal s = 0;

  for (PetscInt i = 0; i < g->n[d]; i++) s += log(g->line[d][i + 1] - g->line[d][i]);
  return exp(s / g->n[d]);
}

/*
  Which directions the next level coarsens. A direction whose thinnest cells are PH_MG_THIN_FACTOR times thinner than
  the typical width of the widest direction is coarsened alone (with the other thin ones); when no direction is thin,
  every direction with more than one cell is coarsened.
*/
static void PhMGChooseDirections(const PhMGGrid *g, PetscBool coarsen[3])
{
  PetscReal typical[2], widest = 0;
  PetscBool any_thin = PETSC_FALSE;

  coarsen[2] = PETSC_FALSE; /* z is handled by the line smoother */
  for (int d = 0; d < 2; d++) {
    typical[d] = g->n[d] > 1 ? PhMGTypicalWidth(g, d) : 0;
    widest     = PetscMax(widest, typical[d]);
  }
  for (int d = 0; d < 2; d++) {
    coarsen[d] = (PetscBool)(g->n[d] > 1 && PH_MG_THIN_FACTOR * typical[d] < widest);
    if (coarsen[d]) any_thin = PETSC_TRUE;
  }
  if (!any_thin)
    for (int d = 0; d < 2; d++) coarsen[d] = (PetscBool)(g->n[d] > 1);
}

/* Cells merged into one coarse cell along a coarsened direction. With 3, coarse centres sit on fine centres and the
   Galerkin operators keep a 3 x 3 x 3 stencil (with 2 they spread to 5 x 5 in the plane): the first coarse level then
   costs a third of the memory and each cycle less than with 2, which outweighs the somewhat slower convergence
   (benchmarks/README.md). -ph_mg_coarsen_factor overrides it. */
static PetscInt PhMGFactor = 3;

/* A coarse cell is at most this many times the factor times the median width of its direction (the width cap below). */
#define PH_MG_WIDTH_SLACK 1.5

/* Median cell width along d. */
static PetscErrorCode PhMGMedianWidth(const PhMGGrid *g, PetscInt d, PetscReal *median)
{
  PetscReal *w;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(g->n[d], &w));
  for (PetscInt i = 0; i < g->n[d]; i++) w[i] = g->line[d][i + 1] - g->line[d][i];
  PetscCall(PetscSortReal(g->n[d], w));
  *median = w[g->n[d] / 2];
  PetscCall(PetscFree(w));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The coarse grid of `f` along the chosen directions. Along a coarsened direction, runs of up to PhMGFactor neighbouring
  cells are merged from the start, but a run stops before it would grow wider than PH_MG_WIDTH_SLACK x PhMGFactor x the
  median cell width: on a graded mesh the fine cells are merged and the wide ones are left as they are until the coarse
  cells grow as wide. On a tensor grid with fine cells in one region (a die under a spreader), the cells where the fine
  lines of one direction cross the wide ones of the other are thin along one direction only; merging only the thin
  cells coarsens such a cell along its strong coupling alone, which is what the point smoother needs (semi-coarsening,
  chosen cell by cell). On an even mesh the runs are the plain groups of PhMGFactor cells. Rank ranges follow the first
  child of each coarse cell.
*/
static PetscErrorCode PhMGCoarsen(const PhMGGrid *f, const PetscBool coarsen[3], PhMGGrid *c)
{
  PetscFunctionBeginUser;
  for (int d = 0; d < 3; d++) {
    PetscInt *start, nc = 0;
    PetscReal cap = 0;

    c->np[d] = f->np[d];
    PetscCall(PetscMalloc1(f->np[d] + 1, &c->first[d]));
    if (!coarsen[d]) {
      c->n[d] = f->n[d];
      PetscCall(PetscMalloc1(f->n[d] + 1, &c->line[d]));
      PetscCall(PetscArraycpy(c->line[d], f->line[d], f->n[d] + 1));
      PetscCall(PetscArraycpy(c->first[d], f->first[d], f->np[d] + 1));
      continue;
    }
    PetscCall(PhMGMedianWidth(f, d, &cap));
    cap *= PH_MG_WIDTH_SLACK * PhMGFactor;
    PetscCall(PetscMalloc1(f->n[d], &c->parent[d]));
    PetscCall(PetscMalloc1(f->n[d] + 1, &start));
    for (PetscInt i = 0; i < f->n[d];) { /* one run per pass */
      PetscInt e = i + 1;

      while (e < f->n[d] && e - i < PhMGFactor && f->line[d][e + 1] - f->line[d][i] <= cap) e++;
      start[nc] = i;
      for (; i < e; i++) c->parent[d][i] = nc;
      nc++;
    }
    start[nc] = f->n[d];
    c->n[d]   = nc;
    PetscCall(PetscMalloc1(nc + 1, &c->line[d]));
    for (PetscInt q = 0; q <= nc; q++) c->line[d][q] = f->line[d][start[q]];
    for (PetscInt r = 0, q = 0; r <= f->np[d]; r++) { /* coarse I is owned where its first child is */
      while (q < nc && start[q] < f->first[d][r]) q++;
      c->first[d][r] = q;
    }
    PetscCall(PetscFree(start));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The box of cells of grid g that the rank with coordinates r[] owns. */
static PhIndexBox PhMGRankBox(const PhMGGrid *g, const PetscInt r[3])
{
  PhIndexBox box;

  for (int d = 0; d < 3; d++) {
    box.lo[d] = g->first[d][r[d]];
    box.hi[d] = g->first[d][r[d] + 1];
  }
  return box;
}

/* Global (PETSc) index of cell (i, j, k) of a grid whose ranks own boxes in DMDA order (x fastest). */
typedef struct {
  PetscInt *rank_of[3]; /* rank coordinate of each cell along d */
  PetscInt *offset;     /* first global index of each rank */
} PhMGIndex;

static PetscErrorCode PhMGIndexCreate(const PhMGGrid *g, PhMGIndex *ix)
{
  PetscInt nranks = g->np[0] * g->np[1] * g->np[2], acc = 0;

  PetscFunctionBeginUser;
  for (int d = 0; d < 3; d++) {
    PetscCall(PetscMalloc1(PetscMax(g->n[d], 1), &ix->rank_of[d]));
    for (PetscInt r = 0; r < g->np[d]; r++)
      for (PetscInt i = g->first[d][r]; i < g->first[d][r + 1]; i++) ix->rank_of[d][i] = r;
  }
  PetscCall(PetscMalloc1(nranks + 1, &ix->offset));
  for (PetscInt rz = 0; rz < g->np[2]; rz++)
    for (PetscInt ry = 0; ry < g->np[1]; ry++)
      for (PetscInt rx = 0; rx < g->np[0]; rx++) {
        const PetscInt   r[3] = {rx, ry, rz};
        const PhIndexBox box  = PhMGRankBox(g, r);

        ix->offset[rx + g->np[0] * (ry + g->np[1] * rz)] = acc;
        acc += PhIndexBoxCount(&box);
      }
  ix->offset[nranks] = acc;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscInt PhMGGlobal(const PhMGGrid *g, const PhMGIndex *ix, PetscInt i, PetscInt j, PetscInt k)
{
  const PetscInt   r[3] = {ix->rank_of[0][i], ix->rank_of[1][j], ix->rank_of[2][k]};
  const PhIndexBox box  = PhMGRankBox(g, r);

  return ix->offset[r[0] + g->np[0] * (r[1] + g->np[1] * r[2])] + PhIndexBoxOffset(&box, i, j, k);
}

static PetscErrorCode PhMGIndexFree(PhMGIndex *ix)
{
  PetscFunctionBeginUser;
  for (int d = 0; d < 3; d++) PetscCall(PetscFree(ix->rank_of[d]));
  PetscCall(PetscFree(ix->offset));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* 1D interpolation weights of fine cell i from the coarse cells: linear between coarse centres, constant at the ends. */
static void PhMGWeights1D(const PhMGGrid *f, const PhMGGrid *c, PetscInt d, PetscBool coarsened, PetscInt i, PetscInt idx[2], PetscReal w[2],
                          PetscInt *n)
{
  PetscReal xf, xp, xq;
  PetscInt  p, q;

  if (!coarsened) {
    idx[0] = i, w[0] = 1, *n = 1;
    return;
  }
  p  = c->parent[d][i];
  xf = 0.5 * (f->line[d][i] + f->line[d][i + 1]);
  xp = 0.5 * (c->line[d][p] + c->line[d][p + 1]);
  q  = xf < xp ? p - 1 : p + 1;
  if (q < 0 || q >= c->n[d] || xf == xp) {
    idx[0] = p, w[0] = 1, *n = 1;
    return;
  }
  xq     = 0.5 * (c->line[d][q] + c->line[d][q + 1]);
  idx[0] = p, idx[1] = q;
  w[1] = (xf - xp) / (xq - xp);
  w[0] = 1 - w[1];
  *n   = 2;
}

/* The interpolation from grid c (coarse) to grid f (fine): rows are f's owned cells, columns c's cells. */
static PetscErrorCode PhMGInterpolation(MPI_Comm comm, const PhMGGrid *f, const PhMGGrid *c, const PetscBool coarsened[3], PetscMPIInt rank, Mat *P)
{
  const PetscInt   r[3] = {rank % f->np[0], (rank / f->np[0]) % f->np[1], rank / (f->np[0] * f->np[1])};
  const PhIndexBox fbox = PhMGRankBox(f, r), cbox = PhMGRankBox(c, r); /* the cells this rank owns on each grid */
  const PetscInt   nf = PhIndexBoxCount(&fbox), nc = PhIndexBoxCount(&cbox);
  PhMGIndex        fi, ci;
  PetscInt        *dnz, *onz;

  PetscFunctionBeginUser;
  PetscCall(PhMGIndexCreate(f, &fi));
  PetscCall(PhMGIndexCreate(c, &ci));
  /* exact preallocation (two passes): the rows hold 1 to 8 entries, and unused preallocated space is never freed */
  PetscCall(PetscCalloc2(PetscMax(nf, 1), &dnz, PetscMax(nf, 1), &onz));
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      PetscCall(MatCreateAIJ(comm, nf, nc, PETSC_DETERMINE, PETSC_DETERMINE, 0, dnz, 0, onz, P));
      PetscCall(MatSetOption(*P, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
    }
    PH_BOX_FOR(fbox, i, j, k) {
      PetscInt    ix[3][2], n[3], local = PhIndexBoxOffset(&fbox, i, j, k), row = PhMGGlobal(f, &fi, i, j, k), cols[8], m = 0;
      PetscReal   w[3][2];
      PetscScalar vals[8];

      PhMGWeights1D(f, c, 0, coarsened[0], i, ix[0], w[0], &n[0]);
      PhMGWeights1D(f, c, 1, coarsened[1], j, ix[1], w[1], &n[1]);
      PhMGWeights1D(f, c, 2, coarsened[2], k, ix[2], w[2], &n[2]);
      for (PetscInt a = 0; a < n[2]; a++)
        for (PetscInt b = 0; b < n[1]; b++)
          for (PetscInt e = 0; e < n[0]; e++) {
            PetscInt  at[3] = {ix[0][e], ix[1][b], ix[2][a]};
            PetscBool own   = PETSC_TRUE;

            for (int d = 0; d < 3; d++) own = (PetscBool)(own && at[d] >= cbox.lo[d] && at[d] < cbox.hi[d]);
            if (pass == 0) {
              if (own) dnz[local]++;
              else onz[local]++;
              continue;
            }
            cols[m]   = PhMGGlobal(c, &ci, at[0], at[1], at[2]);
            vals[m++] = w[0][e] * w[1][b] * w[2][a];
          }
      if (pass == 1) PetscCall(MatSetValues(*P, 1, &row, m, cols, vals, INSERT_VALUES));
    }
  }
  PetscCall(PetscFree2(dnz, onz));
  PetscCall(MatAssemblyBegin(*P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*P, MAT_FINAL_ASSEMBLY));
  PetscCall(PhMGIndexFree(&fi));
  PetscCall(PhMGIndexFree(&ci));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The z-line smoother of one level: the tridiagonal part of every column, factored (Thomas algorithm). */
typedef struct {
  PetscInt   xm, ym, zm; /* the rank's box on this level; zm is the whole column */
  PetscReal *lower;      /* [zm][ym][xm] sub-diagonal, scaled by the pivots */
  PetscReal *upper;      /* super-diagonal over the pivot */
  PetscReal *pivot_inv;  /* 1 / pivot */
} PhLineSmoother;

static PetscErrorCode PhLineSetUp(PC pc)
{
  PhLineSmoother *ls;
  Mat             A, P;
  PetscInt        rstart, plane, n;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ls));
  PetscCall(PCGetOperators(pc, &A, &P));
  PetscCall(MatGetOwnershipRange(P, &rstart, NULL));
  plane = ls->xm * ls->ym;
  n     = plane * ls->zm;
  PetscCall(PetscFree3(ls->lower, ls->upper, ls->pivot_inv));
  PetscCall(PetscMalloc3(PetscMax(n, 1), &ls->lower, PetscMax(n, 1), &ls->upper, PetscMax(n, 1), &ls->pivot_inv));
  for (PetscInt c = 0; c < n; c++) {
    const PetscInt    *cols;
    const PetscScalar *vals;
    PetscInt           ncols, row = rstart + c;
    PetscReal          d = 0, l = 0, u = 0;

    PetscCall(MatGetRow(P, row, &ncols, &cols, &vals));
    for (PetscInt q = 0; q < ncols; q++) {
      if (cols[q] == row) d = PetscRealPart(vals[q]);
      else if (cols[q] == row - plane && c >= plane) l = PetscRealPart(vals[q]);
      else if (cols[q] == row + plane && c + plane < n) u = PetscRealPart(vals[q]);
    }
    PetscCall(MatRestoreRow(P, row, &ncols, &cols, &vals));
    ls->lower[c]     = l;
    ls->upper[c]     = u;
    ls->pivot_inv[c] = d; /* the diagonal, factored below */
  }
  /* Thomas factorisation, plane by plane: pivot_k = d_k - l_k * u_{k-1} / pivot_{k-1} */
  for (PetscInt k = 0; k < ls->zm; k++)
    for (PetscInt c = k * plane; c < (k + 1) * plane; c++) {
      PetscReal pivot = ls->pivot_inv[c] - (k > 0 ? ls->lower[c] * ls->upper[c - plane] : 0);

      PetscCheck(pivot > 0, PETSC_COMM_SELF, PETSC_ERR_MAT_LU_ZRPVT, "z-line smoother: non-positive pivot %.6g (the operator is not an M-matrix)",
                 (double)pivot);
      ls->pivot_inv[c] = 1.0 / pivot;
      ls->upper[c] *= ls->pivot_inv[c]; /* u_k / pivot_k */
    }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* y = M^{-1} x, M the tridiagonal part of every column (line Jacobi): forward elimination, back substitution. */
static PetscErrorCode PhLineApply(PC pc, Vec x, Vec y)
{
  PhLineSmoother    *ls;
  const PetscScalar *xv;
  PetscScalar       *yv;
  PetscInt           plane;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ls));
  plane = ls->xm * ls->ym;
  PetscCall(VecGetArrayRead(x, &xv));
  PetscCall(VecGetArray(y, &yv));
  for (PetscInt c = 0; c < plane; c++) yv[c] = xv[c] * ls->pivot_inv[c];
  for (PetscInt k = 1; k < ls->zm; k++)
    for (PetscInt c = k * plane; c < (k + 1) * plane; c++) yv[c] = (xv[c] - ls->lower[c] * yv[c - plane]) * ls->pivot_inv[c];
  for (PetscInt k = ls->zm - 2; k >= 0; k--)
    for (PetscInt c = k * plane; c < (k + 1) * plane; c++) yv[c] -= ls->upper[c] * yv[c + plane];
  PetscCall(VecRestoreArray(y, &yv));
  PetscCall(VecRestoreArrayRead(x, &xv));
  PetscCall(PetscLogFlops(5.0 * plane * ls->zm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhLineDestroy(PC pc)
{
  PhLineSmoother *ls;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ls));
  PetscCall(PetscFree3(ls->lower, ls->upper, ls->pivot_inv));
  PetscCall(PetscFree(ls));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Give a level Chebyshev-accelerated z-line Jacobi as its smoother. */
static PetscErrorCode PhMGSetLineSmoother(PC mg, PetscInt level, const PhMGGrid *g, PetscMPIInt rank)
{
  KSP             smoother;
  PC              pc;
  PhLineSmoother *ls;
  PetscInt        r[2];

  PetscFunctionBeginUser;
  PetscCall(PCMGGetSmoother(mg, level, &smoother));
  PetscCall(KSPSetType(smoother, KSPCHEBYSHEV));
  PetscCall(KSPSetTolerances(smoother, PETSC_DEFAULT, PETSC_DEFAULT, PETSC_DEFAULT, 1)); /* one Chebyshev step before and after */
  {
    KSP est;

    /* Chebyshev's eigenvalue estimate by CG (the operator and line Jacobi are SPD; with micro-channels the multigrid is
       built from the symmetric Psym), which keeps 4 vectors where GMRES keeps 30 */
    PetscCall(KSPChebyshevEstEigSet(smoother, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE));
    PetscCall(KSPChebyshevEstEigGetKSP(smoother, &est));
    if (est != NULL) PetscCall(KSPSetType(est, KSPCG));
  }
  PetscCall(KSPGetPC(smoother, &pc));
  PetscCall(PCSetType(pc, PCSHELL));
  PetscCall(PetscNew(&ls));
  r[0]   = rank % g->np[0];
  r[1]   = (rank / g->np[0]) % g->np[1];
  ls->xm = g->first[0][r[0] + 1] - g->first[0][r[0]];
  ls->ym = g->first[1][r[1] + 1] - g->first[1][r[1]];
  ls->zm = g->n[2];
  PetscCall(PCShellSetContext(pc, ls));
  PetscCall(PCShellSetSetUp(pc, PhLineSetUp));
  PetscCall(PCShellSetApply(pc, PhLineApply));
  PetscCall(PCShellSetDestroy(pc, PhLineDestroy));
  PetscCall(PCShellSetName(pc, "z-line Jacobi (photherm)"));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The coarse operators, kept apart from PCMG so that a new time step size costs no Galerkin product: the fine operator
  is J = K + shift C (conductances K, diagonal capacities C), so every coarse Galerkin operator is A_l = K_l + shift C_l
  with C_l = P^T C_{l+1} P, formed once, at the first change of shift (a steady run never forms them). A new shift adds (shift - old shift) C_l to A_l. The products themselves are
  formed again when the conductances change (first use, k(T)) by more than PH_MG_K_LAG of a cell's diagonal since they
  were formed (coarse operators that far off still precondition well: the smoother and the residual use the fine
  operator as it is, so the solution does not depend on them; on the 2.5D example's reduced build at 0.2 mm a lag of
  0.2 instead of 0.05 formed them 9 times instead of 15 with the same 1 030 preconditioner applications), and when
  the old or the new shift is so large that the addition would leave K_l to rounding (shift C / K above 1e8, such as
  a step of 1e-20 s that lands on an event).
  PCMG numbers levels from the coarsest (0); the arrays hold levels 0 to nlevels - 2, the finest level being the
  KSP's own operator.
*/
typedef struct {
  PetscInt  nlevels;
  Mat      *A, *C;
  PetscReal shift;        /* the shift A[] holds */
  PetscReal c_over_k;     /* the largest capacity over the largest conductance diagonal, s */
  PetscBool scaled;       /* c_over_k is set */
  PetscInt  version;      /* the PhThermal k_version A[] were formed from; -1 before the first */
  Vec       kdiag, kwork; /* the conductances' diagonal A[] were formed from, and scratch */
  PetscInt  nform, nlag;  /* Galerkin products formed, and changes of the conductances that kept them */
} PhMGCoarse;

#define PH_MG_SHIFT_LIMIT 1e8 /* shift * c_over_k above which A_l is formed again rather than updated */
#define PH_MG_K_LAG       0.2 /* a change of the conductances' diagonal (relative, in any cell) that forms A_l again */

static PetscErrorCode PhMGCoarseDestroy(void *ctx)
{
  PhMGCoarse *co = (PhMGCoarse *)ctx;

  PetscFunctionBeginUser;
  if (co->nform > 0)
    PetscCall(PetscInfo(NULL, "multigrid: coarse operators formed %d times, kept over %d changes of k(T)\n", (int)co->nform, (int)co->nlag));
  PetscCall(VecDestroy(&co->kdiag));
  PetscCall(VecDestroy(&co->kwork));
  for (PetscInt l = 0; l < co->nlevels; l++) {
    PetscCall(MatDestroy(&co->A[l]));
    PetscCall(MatDestroy(&co->C[l]));
  }
  PetscCall(PetscFree2(co->A, co->C));
  PetscCall(PetscFree(co));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* C_l: the Galerkin products of the diagonal capacity matrix, formed once (the capacities never change). */
static PetscErrorCode PhMGCapacities(PhThermal th, PC pc, PhMGCoarse *co)
{
  Mat                C;
  PetscInt           rstart, rend, top = co->nlevels - 1;
  const PetscScalar *cap;

  PetscFunctionBeginUser;
  PetscCall(MatGetOwnershipRange(th->A, &rstart, &rend));
  PetscCall(MatCreateAIJ(th->comm, rend - rstart, rend - rstart, PETSC_DETERMINE, PETSC_DETERMINE, 1, NULL, 0, NULL, &C));
  PetscCall(VecGetArrayRead(th->capacity, &cap));
  for (PetscInt r = rstart; r < rend; r++) PetscCall(MatSetValue(C, r, r, cap[r - rstart], INSERT_VALUES));
  PetscCall(VecRestoreArrayRead(th->capacity, &cap));
  PetscCall(MatAssemblyBegin(C, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(C, MAT_FINAL_ASSEMBLY));
  for (PetscInt l = top; l > 0; l--) {
    Mat P;

    PetscCall(PCMGGetInterpolation(pc, l, &P));
    PetscCall(MatPtAP(l == top ? C : co->C[l], P, MAT_INITIAL_MATRIX, 2.0, &co->C[l - 1]));
  }
  for (PetscInt l = 0; l < top; l++) PetscCall(MatProductClear(co->C[l])); /* never recomputed: drop the product data */
  PetscCall(MatDestroy(&C));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Bring the coarse operators of photherm's multigrid on `pc` to the thermal model's current operator (its
  conductances and shift) before the preconditioner is rebuilt. Does nothing when `pc` is another preconditioner
  (-pc_type) or PCMG's own Galerkin products were asked for (-pc_mg_galerkin).

  Collective.
**/
PetscErrorCode PhThermalUpdateMG_Private(PhThermal th, PC pc)
{
  PetscContainer   container;
  PhMGCoarse      *co;
  PetscBool        mg;
  PCMGGalerkinType galerkin;
  PetscInt         top;

  PetscFunctionBeginUser;
  PetscCall(PhThermalCoolantInnerPC_Private(th, pc, &pc)); /* micro-channels: the multigrid inside the coolant's preconditioner */
  PetscCall(PetscObjectQuery((PetscObject)pc, "PhMGCoarse", (PetscObject *)&container));
  PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCMG, &mg));
  if (container == NULL || !mg) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PCMGGetGalerkin(pc, &galerkin));
  if (galerkin != PC_MG_GALERKIN_EXTERNAL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscContainerGetPointer(container, (void **)&co));
  top = co->nlevels - 1;
  if (top == 0 || (co->version == th->k_version && co->shift == th->shift)) PetscFunctionReturn(PETSC_SUCCESS);
  if (!co->scaled) {
    PetscReal cmax, kmax;

    PetscCall(VecMax(th->capacity, NULL, &cmax));
    PetscCall(VecMax(th->adiag, NULL, &kmax));
    co->c_over_k = cmax / PetscMax(kmax, PETSC_SMALL);
    co->scaled   = PETSC_TRUE;
  }
  if (co->version >= 0 && co->version != th->k_version && PetscMax(co->shift, th->shift) * co->c_over_k <= PH_MG_SHIFT_LIMIT) {
    PetscReal change; /* the conductances moved: by less than PH_MG_K_LAG everywhere, the coarse operators are kept */

    PetscCall(VecWAXPY(co->kwork, -1.0, co->kdiag, th->adiag));
    PetscCall(VecPointwiseDivide(co->kwork, co->kwork, co->kdiag));
    PetscCall(VecNorm(co->kwork, NORM_INFINITY, &change));
    if (change <= PH_MG_K_LAG) {
      co->version = th->k_version;
      co->nlag++;
    }
  }
  if (co->version != th->k_version || PetscMax(co->shift, th->shift) * co->c_over_k > PH_MG_SHIFT_LIMIT) {
    for (PetscInt l = top; l > 0; l--) {
      Mat P;

      PetscCall(PCMGGetInterpolation(pc, l, &P));
      PetscCall(MatPtAP(l == top ? (th->Psym ? th->Psym : th->A) : co->A[l], P, co->A[l - 1] ? MAT_REUSE_MATRIX : MAT_INITIAL_MATRIX, 2.0,
                        &co->A[l - 1]));
    }
    if (co->version < 0)
      for (PetscInt l = 0; l < top; l++) {
        KSP smoother;

        PetscCall(PCMGGetSmoother(pc, l, &smoother));
        PetscCall(KSPSetOperators(smoother, co->A[l], co->A[l]));
      }
    co->version = th->k_version;
    if (co->kdiag == NULL) PetscCall(VecDuplicate(th->adiag, &co->kdiag));
    if (co->kwork == NULL) PetscCall(VecDuplicate(th->adiag, &co->kwork));
    PetscCall(VecCopy(th->adiag, co->kdiag));
    co->nform++;
  } else if (th->shift != co->shift || co->C[0] != NULL) {
    if (co->C[0] == NULL) PetscCall(PhMGCapacities(th, pc, co)); /* at the first change of shift: a steady run never needs them */
    for (PetscInt l = 0; l < top; l++) PetscCall(MatAXPY(co->A[l], th->shift - co->shift, co->C[l], SUBSET_NONZERO_PATTERN));
  }
  co->shift = th->shift;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Make `pc` a geometric multigrid on the thermal model's grid: levels, interpolations, Galerkin coarse operators.
  Every -pc_mg_ and -mg_levels_ option still applies (set afterwards by KSPSetFromOptions()).
**/
PetscErrorCode PhThermalSetUpMG_Private(PhThermal th, PC pc)
{
  PhMGGrid         grids[PH_MG_MAX_LEVELS];
  PetscBool        dirs[PH_MG_MAX_LEVELS][3];
  PetscInt         nlevels = 1, px, py, pz;
  const PetscInt  *lx, *ly, *lz;
  const PetscReal *line[3];
  PetscMPIInt      rank, size;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(th->comm, &rank));
  PetscCallMPI(MPI_Comm_size(th->comm, &size));
  PetscCall(PetscMemzero(grids, sizeof(grids)));
  PetscCall(DMDAGetInfo(th->da, NULL, NULL, NULL, NULL, &px, &py, &pz, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCheck(pz == 1, th->comm, PETSC_ERR_ARG_INCOMP,
             "the multigrid preconditioner needs whole columns on each rank: do not set -da_processors_z (or choose another -pc_type)");
  PetscCall(DMDAGetOwnershipRanges(th->da, &lx, &ly, &lz));
  PetscCall(PhMeshGetLines(th->mesh, &line[0], &line[1], &line[2]));
  {
    const PetscInt *l[3] = {lx, ly, lz}, p[3] = {px, py, pz}, n[3] = {th->info.mx, th->info.my, th->info.mz};

    for (int d = 0; d < 3; d++) {
      grids[0].n[d]  = n[d];
      grids[0].np[d] = p[d];
      PetscCall(PetscMalloc1(n[d] + 1, &grids[0].line[d]));
      PetscCall(PetscArraycpy(grids[0].line[d], line[d], n[d] + 1));
      PetscCall(PetscMalloc1(p[d] + 1, &grids[0].first[d]));
      grids[0].first[d][0] = 0;
      for (PetscInt r = 0; r < p[d]; r++) grids[0].first[d][r + 1] = grids[0].first[d][r] + l[d][r];
    }
  }
  PhMGFactor = th->mg_coarsen_factor;
  while (nlevels < PH_MG_MAX_LEVELS) {
    PhMGGrid *g     = &grids[nlevels - 1];
    PetscReal cells = (PetscReal)g->n[0] * g->n[1] * g->n[2];

    if (cells <= PH_MG_COARSE_CELLS * (PetscReal)size || (g->n[0] == 1 && g->n[1] == 1)) break;
    PhMGChooseDirections(g, dirs[nlevels - 1]);
    PetscCall(PhMGCoarsen(g, dirs[nlevels - 1], &grids[nlevels]));
    nlevels++;
  }
  if (size > 1) { /* the Galerkin products of PETSc's default parallel algorithm keep about four times the memory of the result */
    PetscBool set;

    PetscCall(PetscOptionsHasName(NULL, NULL, "-matptap_via", &set));
    if (!set) PetscCall(PetscOptionsSetValue(NULL, "-matptap_via", "allatonce"));
  }
  PetscCall(PCSetType(pc, PCMG));
  PetscCall(PCMGSetLevels(pc, nlevels, NULL));
  PetscCall(PCMGSetGalerkin(pc, PC_MG_GALERKIN_EXTERNAL)); /* Galerkin operators, formed by PhThermalUpdateMG_Private() */
  {
    PhMGCoarse    *co;
    PetscContainer container;

    PetscCall(PetscNew(&co));
    co->nlevels = nlevels;
    co->version = -1;
    PetscCall(PetscCalloc2(nlevels, &co->A, nlevels, &co->C));
    PetscCall(PetscContainerCreate(th->comm, &container));
    PetscCall(PetscContainerSetPointer(container, co));
    PetscCall(PetscContainerSetUserDestroy(container, PhMGCoarseDestroy));
    PetscCall(PetscObjectCompose((PetscObject)pc, "PhMGCoarse", (PetscObject)container));
    PetscCall(PetscContainerDestroy(&container));
  }
  for (PetscInt l = 1; l < nlevels; l++) {
    Mat P;

    /* PCMG numbers levels from the coarsest (0); our grids from the finest */
    PetscCall(PhMGInterpolation(th->comm, &grids[nlevels - 1 - l], &grids[nlevels - l], dirs[nlevels - 1 - l], rank, &P));
    PetscCall(PCMGSetInterpolation(pc, l, P));
    PetscCall(MatDestroy(&P));
  }
  for (PetscInt l = 1; l < nlevels; l++) PetscCall(PhMGSetLineSmoother(pc, l, &grids[nlevels - 1 - l], rank));
  for (PetscInt l = 0; l < nlevels; l++) PetscCall(PhMGGridFree(&grids[l]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The largest of many linear functions v_i = w_i . z (the rise of every cell of a report box, w_i the basis at the cell
  and z the reduced model's coordinates) without evaluating them all: a tree of bounds.

  The rows are first rotated (w -> R^T w): a change of basis that leaves every value unchanged. The first nlead
  components are kept as they are: the reduced model's leading basis vectors (the uniform field, the steady responses,
  the initial rise) carry the quasi-static field, so their coordinates are large and move together, and a node bounds
  what its quadratic leaves of each of them on its own. The others are rotated by the right singular vectors of their
  rows, largest first, which puts their variation over the cells into the leading ones, so that a query bounds the
  trailing components of small weight together (at most PH_MAXTREE_TAIL) and the others one by one. (Rotating every
  component alike mixes the large quasi-static coordinates into all of them, and the sum of the deviations' bounds
  over the components then far exceeds the deviation itself: on the 2.5D example at 7e5 cells 6.0 K against 0.5 K
  over 4 x 4 cells, and 2 160 nodes bounded per sample against 600.)
  The cells are ordered along a Morton curve of their (i, j) indices within each plane k, so that squares of 2^l x 2^l
  cells are contiguous; each such square is a node of level l. A node holds the quadratic in (i, j) fitted to its
  cells' rows by least squares and the half-range d of what it leaves (componentwise), so that every cell c of the node
  has |v_c - P_c . z| <= d . |z|; the quadratic's range over the node's rectangle bounds the node's values above, its
  value at the node's first cell below. A query evaluates the cell that held the maximum last time (a lower bound),
  walks the levels from the top, keeps the nodes whose upper bound reaches the best lower bound (or a given threshold)
  and descends into their children; at the cells it evaluates exactly. The result is exactly the largest value (the
  cells that can hold it are never dropped), at a cost that follows the number of cells near the maximum rather than
  the number of cells. Successive queries (a run's samples) reuse the bounds: a node's values move by at most
  max_c |w_c| |z' - z| between two queries, so with the odometer s (the length of the path z has taken over the
  queries) the bound u found at s0 still holds at s as u + max_c |w_c| (s - s0); a node whose bound so carried over is
  below the cut is dropped without being bounded again.
*/
#include "thermal_impl.h"

#include <math.h>
#include <petscblaslapack.h>

#define PH_MAXTREE_FANOUT_BITS 2    /* a level groups 2 x 2 squares of Morton order */
#define PH_MAXTREE_TAIL        1e-3 /* the components a query bounds together add at most this much (units of the values) */
#define PH_MAXTREE_NB          6    /* the quadratic's terms: 1, x, y, x^2, y^2, x y */
#define PH_MAXTREE_PINV_CELLS  256  /* full squares up to this many cells are fitted by their level's pseudo-inverse */

struct _p_PhMaxTree {
  PetscInt    n, r, nlevel; /* cells, row length, levels above the cells */
  PetscReal  *w;            /* [n][r] rows in tree order, rotated */
  PetscInt   *nat;          /* [n] natural index of each cell */
  PetscReal  *R;            /* [r][r] the rotation (column-major): the right singular vectors of the rows */
  PetscReal  *amax;         /* [r] the largest |w_k| over the cells */
  PetscReal  *zr, *azr;     /* [r] scratch: R^T z and its magnitude */
  PetscInt   *nnode;        /* [nlevel + 1] nodes per level (level 0: the cells) */
  PetscInt  **start;        /* [nlevel + 1][nnode + 1] first cell of each node */
  PetscInt  **child;        /* [nlevel + 1][nnode + 1] first child (a node of the level below, a cell at level 1) */
  float     **coef;         /* [nlevel + 1][nnode][PH_MAXTREE_NB][r] the quadratic fitted to each node's rows (single precision:
                               a query reads them for every node it bounds; d covers their rounding) */
  float     **d;            /* [nlevel + 1][nnode][r] the half-range of what it leaves, and the rounding of coef, rounded up */
  PetscReal **geo;          /* [nlevel + 1][nnode][6] x and y ranges of the node's cells, the first cell's x and y */
  PetscInt   *list, *next;  /* [n] scratch: nodes in play */
  PetscReal  *ub;           /* [n] scratch: their upper bounds */
  PetscInt    last;         /* the cell of the largest value of the last query, -1 before one */
  PetscReal **wnorm;        /* [nlevel + 1][nnode] the largest |w_c| over each node's cells */
  PetscReal **ubc, **odc;   /* [nlevel + 1][nnode] each node's last upper bound, and the odometer then (-1: none yet) */
  PetscReal   odo, *zprev;  /* the odometer: the length of the path of z over the queries; z at the last query */
  PetscBool   started;      /* zprev holds a z */
  PetscInt    nodes, cells; /* nodes in play and cells evaluated by the last query */
  PetscInt    evaluated;    /* nodes bounded anew by the last query (the others by their carried-over bounds) */
};

typedef struct {
  PetscInt64 key;
  PetscInt   cell;
} PhMaxTreeKey;

static int PhMaxTreeKeyCompare(const void *a, const void *b, void *ctx)
{
  const PhMaxTreeKey *x = (const PhMaxTreeKey *)a, *y = (const PhMaxTreeKey *)b;

  (void)ctx;
  return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->cell > y->cell) - (x->cell < y->cell);
}

static PetscInt64 PhMorton(PetscInt i, PetscInt j)
{
  PetscInt64 key = 0;

  for (int b = 0; b < 24; b++) key |= (((PetscInt64)(i >> b) & 1) << (2 * b)) | (((PetscInt64)(j >> b) & 1) << (2 * b + 1));
  return key;
}

static inline void PhMaxTreeTerms(PetscReal x, PetscReal y, PetscReal f[PH_MAXTREE_NB])
{
  f[0] = 1;
  f[1] = x;
  f[2] = y;
  f[3] = x * x;
  f[4] = y * y;
  f[5] = x * y;
}

/* Node p of level l: the quadratic in the node's scaled coordinates (x, y) fitted to its cells' rows by least squares
   (LAPACK gelss, which also takes the nodes too thin or too small to fix every term), and the midrange and half-range
   of what it leaves. ci, cj: the cells' indices in tree order. The fit is the pseudo-inverse of the node's design
   applied to its rows; every full square of a level has the same design, so up to PH_MAXTREE_PINV_CELLS cells (the
   levels that hold nearly all the nodes) its pseudo-inverse is formed once (in pinv[l], [4^l][6]) and the full
   squares cost one product. */
static PetscErrorCode PhMaxTreeFit(PhMaxTree t, PetscInt l, PetscInt p, const PetscInt ci[], const PetscInt cj[], PetscReal *pinv[])
{
  PetscInt     r = t->r, c0 = t->start[l][p], c1 = t->start[l][p + 1], nc = c1 - c0, ld = PetscMax(nc, PH_MAXTREE_NB);
  float       *coefs = t->coef[l] + p * PH_MAXTREE_NB * r, *ds = t->d[l] + p * r;
  PetscReal   *geo = t->geo[l] + 6 * p, *coef, *d, *lo, *hi, fmax[PH_MAXTREE_NB];
  PetscReal    i0 = 0, j0 = 0, half = 0.5, *X, *Y, *B, *S, *work, rcond = 1e-10, f[PH_MAXTREE_NB];
  PetscBLASInt m, nb = PH_MAXTREE_NB, nrhs, ldb, rank, lwork, info;

  PetscFunctionBeginUser;
  for (PetscInt c = c0; c < c1; c++) {
    i0 += ci[c];
    j0 += cj[c];
    half = PetscMax(half, PetscMax(PetscAbsReal((PetscReal)(ci[c] - ci[c0])), PetscAbsReal((PetscReal)(cj[c] - cj[c0]))));
  }
  i0 /= nc;
  j0 /= nc;
  PetscCall(PetscMalloc3(nc, &X, nc, &Y, ld * PetscMax(r, PH_MAXTREE_NB) + nc * PH_MAXTREE_NB, &B));
  PetscCall(PetscMalloc4(PH_MAXTREE_NB * r, &coef, r, &d, r, &lo, r, &hi));
  geo[0] = geo[2] = PETSC_MAX_REAL;
  geo[1] = geo[3] = PETSC_MIN_REAL;
  for (PetscInt c = 0; c < nc; c++) {
    X[c]   = (ci[c0 + c] - i0) / half;
    Y[c]   = (cj[c0 + c] - j0) / half;
    geo[0] = PetscMin(geo[0], X[c]);
    geo[1] = PetscMax(geo[1], X[c]);
    geo[2] = PetscMin(geo[2], Y[c]);
    geo[3] = PetscMax(geo[3], Y[c]);
  }
  geo[4] = X[0];
  geo[5] = Y[0];
  if (nc == (PetscInt)1 << (2 * l) && pinv[l] != NULL) { /* a full square, its pseudo-inverse formed: coef = pinv^T rows */
    PetscCall(PetscArrayzero(coef, PH_MAXTREE_NB * r));
    for (PetscInt c = 0; c < nc; c++) {
      const PetscReal *wc = t->w + (c0 + c) * r, *pc = pinv[l] + c * PH_MAXTREE_NB;

      for (PetscInt q = 0; q < PH_MAXTREE_NB; q++)
        for (PetscInt k = 0; k < r; k++) coef[q * r + k] += pc[q] * wc[k];
    }
  } else { /* least squares: design A [nc][6] (column-major, in B's tail), right-hand sides the rows, [nc][r]
              column-major (a full square's: the identity, whose solution is the pseudo-inverse, then kept) */
    PetscReal *A = B + ld * PetscMax(r, PH_MAXTREE_NB), *rhs = B;
    PetscBool  full = (PetscBool)(nc == (PetscInt)1 << (2 * l) && nc <= PH_MAXTREE_PINV_CELLS);
    PetscInt   nr   = full ? nc : r;

    for (PetscInt c = 0; c < nc; c++) {
      PhMaxTreeTerms(X[c], Y[c], f);
      for (PetscInt q = 0; q < PH_MAXTREE_NB; q++) A[q * nc + c] = f[q];
    }
    if (full) {
      PetscCall(PetscCalloc1(ld * nc, &rhs));
      for (PetscInt c = 0; c < nc; c++) rhs[c * ld + c] = 1;
    } else
      for (PetscInt k = 0; k < r; k++)
        for (PetscInt c = 0; c < nc; c++) B[k * ld + c] = t->w[(c0 + c) * r + k];
    PetscCall(PetscBLASIntCast(nc, &m));
    PetscCall(PetscBLASIntCast(nr, &nrhs));
    PetscCall(PetscBLASIntCast(ld, &ldb));
    PetscCall(PetscBLASIntCast(3 * PH_MAXTREE_NB + 2 * PetscMax(PetscMax(nc, nr), PH_MAXTREE_NB) + 64, &lwork));
    PetscCall(PetscMalloc2(PH_MAXTREE_NB, &S, lwork, &work));
    PetscCallBLAS("LAPACKgelss", LAPACKgelss_(&m, &nb, &nrhs, A, &m, rhs, &ldb, S, &rcond, &rank, work, &lwork, &info));
    PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "the least-squares fit of a node failed (%d)", (int)info);
    PetscCall(PetscFree2(S, work));
    if (full) { /* column c of the solution: the pseudo-inverse's row for cell c */
      PetscCall(PetscMalloc1(nc * PH_MAXTREE_NB, &pinv[l]));
      for (PetscInt c = 0; c < nc; c++)
        for (PetscInt q = 0; q < PH_MAXTREE_NB; q++) pinv[l][c * PH_MAXTREE_NB + q] = rhs[c * ld + q];
      PetscCall(PetscFree(rhs));
      PetscCall(PhMaxTreeFit(t, l, p, ci, cj, pinv)); /* now by the pseudo-inverse */
      PetscCall(PetscFree4(coef, d, lo, hi));
      PetscCall(PetscFree3(X, Y, B));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
    for (PetscInt k = 0; k < r; k++)
      for (PetscInt q = 0; q < PH_MAXTREE_NB; q++) coef[q * r + k] = B[k * ld + q];
  }
  for (PetscInt k = 0; k < r; k++) {
    lo[k] = PETSC_MAX_REAL;
    hi[k] = PETSC_MIN_REAL;
  }
  for (PetscInt c = 0; c < nc; c++) { /* what the quadratic leaves of each cell's row */
    const PetscReal *wc = t->w + (c0 + c) * r;

    PhMaxTreeTerms(X[c], Y[c], f);
    for (PetscInt k = 0; k < r; k++) {
      PetscReal res = wc[k];

      for (PetscInt q = 0; q < PH_MAXTREE_NB; q++) res -= coef[q * r + k] * f[q];
      lo[k] = PetscMin(lo[k], res);
      hi[k] = PetscMax(hi[k], res);
    }
  }
  for (PetscInt k = 0; k < r; k++) {
    coef[k] += 0.5 * (lo[k] + hi[k]);
    d[k] = 0.5 * (hi[k] - lo[k]);
  }
  { /* single precision: what the rounding of the coefficients moves over the node's rectangle (each term at most its
       value at the largest |x| and |y|) joins d, rounded up */
    PhMaxTreeTerms(PetscMax(PetscAbsReal(geo[0]), PetscAbsReal(geo[1])), PetscMax(PetscAbsReal(geo[2]), PetscAbsReal(geo[3])), fmax);
    for (PetscInt k = 0; k < r; k++) {
      PetscReal dk = d[k];
      float     dr;

      for (PetscInt q = 0; q < PH_MAXTREE_NB; q++) {
        coefs[q * r + k] = (float)coef[q * r + k];
        dk += PetscAbsReal(coef[q * r + k] - (PetscReal)coefs[q * r + k]) * fmax[q];
      }
      dk *= 1 + 1e-6;
      dr = (float)dk;
      if ((PetscReal)dr < dk) dr = nextafterf(dr, HUGE_VALF);
      ds[k] = dr;
    }
  }
  PetscCall(PetscFree4(coef, d, lo, hi));
  PetscCall(PetscFree3(X, Y, B));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* a . b, in four independent sums (a single sum waits on its own additions). */
static inline PetscReal PhMaxTreeDot(const PetscReal *a, const PetscReal *b, PetscInt n)
{
  PetscReal s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  PetscInt  i = 0;

  for (; i + 3 < n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; i++) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

/**
  Build the tree of n rows w[n][r] (copied) of cells at box-relative indices ijk[n][3] with natural indices nat[n]; the
  first nlead components are not rotated.
**/
PetscErrorCode PhMaxTreeCreate(PetscInt n, PetscInt r, PetscInt nlead, const PetscReal w[], const PetscInt ijk[], const PetscInt nat[],
                               PhMaxTree *tree)
{
  PhMaxTree     t;
  PhMaxTreeKey *key;
  PetscInt      extent = 1, *ci, *cj;
  PetscReal    *rows, **pinv;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&t));
  t->n    = n;
  t->r    = r;
  t->last = -1;
  for (PetscInt c = 0; c < n; c++) extent = PetscMax(extent, PetscMax(ijk[3 * c], ijk[3 * c + 1]) + 1);
  while (((PetscInt64)1 << (PH_MAXTREE_FANOUT_BITS / 2 * t->nlevel)) < extent) t->nlevel++; /* the top squares cover the box's plane */
  t->nlevel = PetscMax(t->nlevel, 1);
  PetscCall(PetscMalloc4(r * r + 1, &t->R, r + 1, &t->amax, r + 1, &t->zr, r + 1, &t->azr));
  PetscCall(PetscMalloc1(n * r + 1, &rows));
  { /* the rotation: the first nl components as they are, the others by the eigenvectors of their rows' Gram matrix,
       largest first */
    const PetscInt nl = PetscClipInterval(nlead, 0, r), rt = r - nl;
    PetscBLASInt   bn, br, brt, lwork, info;
    PetscReal     *G, *ev, *work, one = 1, zero = 0;

    PetscCall(PetscBLASIntCast(n, &bn));
    PetscCall(PetscBLASIntCast(r, &br));
    PetscCall(PetscBLASIntCast(rt, &brt));
    PetscCall(PetscBLASIntCast(PetscMax(1, 3 * r), &lwork));
    PetscCall(PetscMalloc3(r * r + 1, &G, r + 1, &ev, PetscMax(1, 3 * r), &work));
    PetscCall(PetscArrayzero(t->R, r * r));
    for (PetscInt k = 0; k < nl; k++) t->R[k * r + k] = 1;
    if (n > 0 && rt > 0) {
      PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &brt, &brt, &bn, &one, w + nl, &br, w + nl, &br, &zero, G, &brt));
      PetscCallBLAS("LAPACKsyev", LAPACKsyev_("V", "U", &brt, G, &brt, ev, work, &lwork, &info));
      PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "the eigenvalues of the rows' Gram matrix failed (%d)", (int)info);
      for (PetscInt k = 0; k < rt; k++) PetscCall(PetscArraycpy(t->R + (nl + k) * r + nl, G + (rt - 1 - k) * rt, rt));
    }
    if (n > 0 && r > 0) PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &br, &bn, &br, &one, t->R, &br, w, &br, &zero, rows, &br));
    PetscCall(PetscFree3(G, ev, work));
  }
  PetscCall(PetscMalloc1(n + 1, &key));
  for (PetscInt c = 0; c < n; c++) {
    key[c].key  = ((PetscInt64)ijk[3 * c + 2] << 48) | PhMorton(ijk[3 * c], ijk[3 * c + 1]);
    key[c].cell = c;
  }
  if (n > 1) PetscCall(PetscTimSort((int)n, key, sizeof(PhMaxTreeKey), PhMaxTreeKeyCompare, NULL));
  PetscCall(PetscMalloc2(n * r + 1, &t->w, n + 1, &t->nat));
  PetscCall(PetscMalloc2(n + 1, &ci, n + 1, &cj));
  for (PetscInt c = 0; c < n; c++) {
    ci[c]     = ijk[3 * key[c].cell];
    cj[c]     = ijk[3 * key[c].cell + 1];
    t->nat[c] = nat[key[c].cell];
    PetscCall(PetscArraycpy(t->w + c * r, rows + key[c].cell * r, r));
  }
  PetscCall(PetscFree(rows));
  for (PetscInt k = 0; k < r; k++) {
    t->amax[k] = 0;
    for (PetscInt c = 0; c < n; c++) t->amax[k] = PetscMax(t->amax[k], PetscAbsReal(t->w[c * r + k]));
  }
  PetscCall(PetscCalloc4(t->nlevel + 1, &t->nnode, t->nlevel + 1, &t->start, t->nlevel + 1, &t->child, t->nlevel + 1, &t->coef));
  PetscCall(PetscCalloc2(t->nlevel + 1, &t->d, t->nlevel + 1, &t->geo));
  PetscCall(PetscCalloc1(t->nlevel + 1, &pinv));
  t->nnode[0] = n;
  for (PetscInt l = 1; l <= t->nlevel; l++) { /* a node of level l: a run of equal key >> (4 l) */
    PetscInt shift = PH_MAXTREE_FANOUT_BITS * l, nn = 0;

    for (PetscInt c = 0; c < n; c++)
      if (c == 0 || (key[c].key >> shift) != (key[c - 1].key >> shift)) nn++;
    t->nnode[l] = nn;
    PetscCall(PetscMalloc2(nn + 1, &t->start[l], nn + 1, &t->child[l]));
    PetscCall(PetscMalloc3(nn * PH_MAXTREE_NB * r + 1, &t->coef[l], nn * r + 1, &t->d[l], 6 * nn + 1, &t->geo[l]));
    nn = 0;
    for (PetscInt c = 0; c < n; c++)
      if (c == 0 || (key[c].key >> shift) != (key[c - 1].key >> shift)) t->start[l][nn++] = c;
    t->start[l][nn] = n;
    { /* children: the nodes of the level below that start inside */
      PetscInt q = 0;

      for (PetscInt p = 0; p <= nn; p++) {
        while (l > 1 && q < t->nnode[l - 1] && t->start[l - 1][q] < t->start[l][p]) q++;
        t->child[l][p] = l > 1 ? q : t->start[l][p];
      }
    }
    for (PetscInt p = 0; p < nn; p++) PetscCall(PhMaxTreeFit(t, l, p, ci, cj, pinv));
    PetscCall(PetscFree(pinv[l]));
  }
  PetscCall(PetscFree(pinv));
  PetscCall(PetscMalloc3(n + 1, &t->list, n + 1, &t->next, n + 1, &t->ub));
  PetscCall(PetscCalloc3(t->nlevel + 1, &t->wnorm, t->nlevel + 1, &t->ubc, t->nlevel + 1, &t->odc));
  PetscCall(PetscMalloc1(r + 1, &t->zprev));
  for (PetscInt l = 1; l <= t->nlevel; l++) {
    PetscInt nn = t->nnode[l];

    PetscCall(PetscMalloc3(nn + 1, &t->wnorm[l], nn + 1, &t->ubc[l], nn + 1, &t->odc[l]));
    for (PetscInt p = 0; p < nn; p++) {
      t->wnorm[l][p] = 0;
      t->odc[l][p]   = -1;
      for (PetscInt c = t->start[l][p]; c < t->start[l][p + 1]; c++)
        t->wnorm[l][p] = PetscMax(t->wnorm[l][p], PetscSqrtReal(PhMaxTreeDot(t->w + c * r, t->w + c * r, r)));
    }
  }
  PetscCall(PetscFree(key));
  PetscCall(PetscFree2(ci, cj));
  *tree = t;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The quadratic's coefficients at z, a_k = coef_k . zr, and the node's bound of what it leaves, e = d . |zr|, over the
   first np components: seven independent sums in one pass over zr. */
static inline void PhMaxTreeNode(const float *coef, const float *d, const PetscReal *zr, const PetscReal *azr, PetscInt r, PetscInt np,
                                 PetscReal a[PH_MAXTREE_NB], PetscReal *e)
{
  PetscReal a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, ee = 0;

  for (PetscInt j = 0; j < np; j++) {
    const PetscReal z = zr[j];

    a0 += (PetscReal)coef[j] * z;
    a1 += (PetscReal)coef[r + j] * z;
    a2 += (PetscReal)coef[2 * r + j] * z;
    a3 += (PetscReal)coef[3 * r + j] * z;
    a4 += (PetscReal)coef[4 * r + j] * z;
    a5 += (PetscReal)coef[5 * r + j] * z;
    ee += (PetscReal)d[j] * azr[j];
  }
  a[0] = a0;
  a[1] = a1;
  a[2] = a2;
  a[3] = a3;
  a[4] = a4;
  a[5] = a5;
  *e   = ee;
}

/* The range of a x + b x^2 over [lo, hi]. */
static inline void PhMaxTreeRange1(PetscReal a, PetscReal b, PetscReal lo, PetscReal hi, PetscReal *mn, PetscReal *mx)
{
  PetscReal fl = a * lo + b * lo * lo, fh = a * hi + b * hi * hi;

  *mn = PetscMin(fl, fh);
  *mx = PetscMax(fl, fh);
  if (b != 0) {
    PetscReal v = -a / (2 * b);

    if (v > lo && v < hi) {
      PetscReal fv = a * v + b * v * v;

      *mn = PetscMin(*mn, fv);
      *mx = PetscMax(*mx, fv);
    }
  }
}

/**
  With above false: *best = the largest w_c . z over the cells (PETSC_MIN_REAL without cells). With above true:
  *first = the smallest natural index of the cells where w_c . z >= theta (PETSC_MAX_INT without one).
**/
PetscErrorCode PhMaxTreeQuery(PhMaxTree t, const PetscReal z[], PetscBool above, PetscReal theta, PetscReal *best, PetscInt *first)
{
  PetscInt     r = t->r, np = r, nlist = t->nnode[t->nlevel], *list = t->list, *next = t->next, argmax = -1;
  PetscReal    lb = PETSC_MIN_REAL, tail = 0, *zr = t->zr, *azr = t->azr, one = 1, zero = 0;
  PetscBLASInt br, ione = 1;

  PetscFunctionBeginUser;
  *best        = PETSC_MIN_REAL;
  *first       = PETSC_MAX_INT;
  t->nodes     = 0;
  t->cells     = 0;
  t->evaluated = 0;
  if (t->n == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscBLASIntCast(r, &br));
  PetscCallBLAS("BLASgemv", BLASgemv_("T", &br, &br, &one, t->R, &br, z, &ione, &zero, zr, &ione));
  for (PetscInt k = 0; k < r; k++) azr[k] = PetscAbsReal(zr[k]);
  /* the trailing components, whose values over the cells are small, are bounded together: tail */
  while (np > 1 && tail + t->amax[np - 1] * azr[np - 1] <= PH_MAXTREE_TAIL) {
    np--;
    tail += t->amax[np] * azr[np];
  }
  if (!above && t->last >= 0) lb = PhMaxTreeDot(t->w + t->last * r, zr, r); /* the cell of the last maximum */
  if (t->started) {                                                         /* the odometer */
    PetscReal d = 0;

    for (PetscInt k = 0; k < r; k++) d += (z[k] - t->zprev[k]) * (z[k] - t->zprev[k]);
    t->odo += PetscSqrtReal(d) * (1 + 1e-12);
  }
  PetscCall(PetscArraycpy(t->zprev, z, r));
  t->started = PETSC_TRUE;
  for (PetscInt p = 0; p < nlist; p++) list[p] = p;
  for (PetscInt l = t->nlevel; l >= 1; l--) {
    PetscInt  nnext = 0;
    PetscReal cut;

    for (PetscInt q = 0; q < nlist; q++) {
      PetscInt         p    = list[q];
      const float     *coef = t->coef[l] + p * PH_MAXTREE_NB * r;
      const PetscReal *geo  = t->geo[l] + 6 * p;
      PetscReal        a[PH_MAXTREE_NB], f[PH_MAXTREE_NB], e, xmn, xmx, ymn, ymx, cmn, cmx, at, cut = above ? theta : lb;

      if (t->odc[l][p] >= 0) { /* the bound of an earlier query, carried over: enough to drop the node? */
        t->ub[q] = t->ubc[l][p] + t->wnorm[l][p] * (t->odo - t->odc[l][p]);
        if (t->ub[q] < cut - 1e-12 * (1 + PetscAbsReal(cut))) continue;
      }
      t->evaluated++;
      PhMaxTreeNode(coef, t->d[l] + p * r, zr, azr, r, np, a, &e);
      e += tail;
      PhMaxTreeRange1(a[1], a[3], geo[0], geo[1], &xmn, &xmx);
      PhMaxTreeRange1(a[2], a[4], geo[2], geo[3], &ymn, &ymx);
      cmn = cmx = a[5] * geo[0] * geo[2];
      for (PetscInt corner = 1; corner < 4; corner++) {
        PetscReal v = a[5] * geo[corner & 1 ? 1 : 0] * geo[corner & 2 ? 3 : 2];

        cmn = PetscMin(cmn, v);
        cmx = PetscMax(cmx, v);
      }
      t->ub[q]     = a[0] + xmx + ymx + cmx + e;
      t->ubc[l][p] = t->ub[q];
      t->odc[l][p] = t->odo;
      PhMaxTreeTerms(geo[4], geo[5], f);
      at = 0;
      for (PetscInt k = 0; k < PH_MAXTREE_NB; k++) at += a[k] * f[k];
      lb = PetscMax(lb, at - e); /* the node's first cell is at least this */
    }
    t->nodes += nlist;
    cut = above ? theta : lb;
    cut -= 1e-12 * (1 + PetscAbsReal(cut)); /* the rounding of the bounds never drops the cell that holds the maximum */
    for (PetscInt q = 0; q < nlist; q++) {
      PetscInt p = list[q];

      if (t->ub[q] < cut) continue;
      for (PetscInt ch = t->child[l][p]; ch < t->child[l][p + 1]; ch++) next[nnext++] = ch;
    }
    PetscInt *swap = list;
    list           = next;
    next           = swap;
    nlist          = nnext;
  }
  for (PetscInt q = 0; q < nlist; q++) {
    PetscInt  c = list[q];
    PetscReal v = PhMaxTreeDot(t->w + c * r, zr, r);

    if (v > *best) {
      *best  = v;
      argmax = c;
    }
    if (above && v >= theta) *first = PetscMin(*first, t->nat[c]);
  }
  if (!above && argmax >= 0) t->last = argmax;
  t->cells = nlist + (!above && t->last >= 0);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The nodes bounded anew and the cells evaluated by the last query, and the cells of the tree. */
PetscErrorCode PhMaxTreeGetCounts(PhMaxTree t, PetscInt *nodes, PetscInt *evaluated, PetscInt *cells)
{
  PetscFunctionBeginUser;
  *nodes     = t->evaluated;
  *evaluated = t->cells;
  *cells     = t->n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhMaxTreeDestroy(PhMaxTree *tree)
{
  PhMaxTree t = *tree;

  PetscFunctionBeginUser;
  if (t == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  for (PetscInt l = 1; l <= t->nlevel; l++) {
    PetscCall(PetscFree3(t->wnorm[l], t->ubc[l], t->odc[l]));
    PetscCall(PetscFree2(t->start[l], t->child[l]));
    PetscCall(PetscFree3(t->coef[l], t->d[l], t->geo[l]));
  }
  PetscCall(PetscFree4(t->nnode, t->start, t->child, t->coef));
  PetscCall(PetscFree2(t->d, t->geo));
  PetscCall(PetscFree2(t->w, t->nat));
  PetscCall(PetscFree4(t->R, t->amax, t->zr, t->azr));
  PetscCall(PetscFree3(t->list, t->next, t->ub));
  PetscCall(PetscFree3(t->wnorm, t->ubc, t->odc));
  PetscCall(PetscFree(t->zprev));
  PetscCall(PetscFree(t));
  *tree = NULL;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The voxel mesh: grid lines on every edge, size limits and grading (DESIGN §3.4), index boxes and cell materials. */
#include "mesh_impl.h"

#include <math.h>
#include <photherm/units.h>
#include <string.h>

#define PH_MAX_LINES_PER_DIRECTION 50000000 /* beyond this a mesh cannot be a sensible request on any machine */

/* Memory model of a run (DESIGN §3.4): the peak resident size of a transient run, fitted in benchmarks/scaling/ over
   1e5 to 1e7 cells (benchmarks/README.md): 57 MiB + 506 B per cell on 1 rank, 129 MiB + 560 B per cell on 2 (the halos
   and the parallel Galerkin products). Per cell: the conductance matrix (7-point AIJ, about 90 B), the multigrid
   hierarchy with its interpolations, Galerkin products and line factors (about 130 B), some 30 work vectors of the
   integrator, the Krylov method and the multigrid levels (about 250 B), per-cell data and output buffers. The larger
   of the two fits, so the estimate errs high. */
#define PH_BYTES_PER_CELL   560.0
#define PH_BYTES_FIXED_RANK (64.0 * 1024 * 1024)

/* A graded interval of length L (DESIGN §3.4): cell k of n is u_k = min(cap, a r^k, b r^(n-1-k)), where a and b are the
   limits at its two ends and cap its largest cell; n is the fewest cells whose sum reaches L, and the cells are then
   lowered to a common level T (water-filled) so that min(u_k, T) fills L exactly. The sums are geometric series in
   closed form, so planning an interval costs the same for 1 cell as for 1e7, and the cells themselves are written once. */
typedef struct {
  PetscReal L, a, b, cap, r, logr; /* m, m, m, m, -, - */
  PetscReal n, split;              /* cells; the first `split` of them grow from a, the others from b */
  PetscReal T;                     /* water level, m */
} PhGradedInterval;

/* Cells k >= 0 with a r^k below cap. */
static PetscReal PhRampLength(PetscReal a, PetscReal cap, PetscReal logr)
{
  return a >= cap ? 0 : ceil(log(cap / a) / logr);
}

/* sum over k < m of min(cap, a r^k), and in *capped how many of them are cap. */
static PetscReal PhRampSum(PetscReal a, PetscReal cap, PetscReal r, PetscReal logr, PetscReal m, PetscReal *capped)
{
  PetscReal q = PetscMin(m, PhRampLength(a, cap, logr));

  *capped = m - q;
  return (q > 0 ? a * expm1(q * logr) / (r - 1) : 0) + (m - q) * cap;
}

/* How many of n cells grow from a: those with a r^k <= b r^(n-1-k). */
static PetscReal PhRampSplit(const PhGradedInterval *g, PetscReal n)
{
  return PetscMin(n, PetscMax(0, floor(0.5 * (n - 1 + log(g->b / g->a) / g->logr)) + 1));
}

/* sum over the n cells of min(u_k, cap), and in *capped how many of them are cap. */
static PetscReal PhIntervalSum(const PhGradedInterval *g, PetscReal n, PetscReal cap, PetscReal *capped)
{
  PetscReal k1 = PhRampSplit(g, n), c1, c2, s;

  s       = PhRampSum(g->a, cap, g->r, g->logr, k1, &c1) + PhRampSum(g->b, cap, g->r, g->logr, n - k1, &c2);
  *capped = c1 + c2;
  return s;
}

/* Plan one interval: the number of cells (more than nmax means too many) and the water level. */
static void PhGradeIntervalPlan(PhGradedInterval *g, PetscReal L, PetscReal hl, PetscReal hr, PetscReal H, PetscReal r, PetscReal nmax)
{
  PetscReal lo, hi, c, target = L * (1 - 1e-12);

  g->L    = L;
  g->cap  = PetscMin(H, L);
  g->a    = PetscMin(hl, g->cap);
  g->b    = PetscMin(hr, g->cap);
  g->r    = r;
  g->logr = log(r);
  /* the fewest cells: PhIntervalSum grows with n, so double, then bisect */
  lo = PetscMax(1, ceil(L / g->cap - 1e-9));
  if (PhIntervalSum(g, lo, g->cap, &c) >= target) hi = lo;
  else {
    hi = 2 * lo;
    while (PhIntervalSum(g, hi, g->cap, &c) < target && hi <= nmax) {
      lo = hi;
      hi *= 2;
    }
    if (hi > nmax && PhIntervalSum(g, hi, g->cap, &c) < target) {
      g->n = nmax + 1;
      return;
    }
    while (hi - lo > 1) { /* lo too few, hi enough */
      PetscReal mid = floor(0.5 * (lo + hi));

      if (PhIntervalSum(g, mid, g->cap, &c) >= target) hi = mid;
      else lo = mid;
    }
  }
  g->n     = hi;
  g->split = PhRampSplit(g, g->n);
  /* the water level: the sum with cells capped at T is continuous and piecewise linear in T; bisect until both ends
     cap the same cells, then solve the linear piece */
  g->T = g->cap;
  if (PhIntervalSum(g, g->n, g->cap, &c) > L) {
    PetscReal tlo = 0, thi = g->cap, clo, chi, s;

    (void)PhIntervalSum(g, g->n, tlo, &clo);
    s = PhIntervalSum(g, g->n, thi, &chi);
    for (PetscInt it = 0; it < 200 && clo != chi; it++) {
      PetscReal tm = 0.5 * (tlo + thi), cm, sm = PhIntervalSum(g, g->n, tm, &cm);

      if (sm >= L) {
        thi = tm;
        chi = cm;
        s   = sm;
      } else {
        tlo = tm;
        clo = cm;
      }
    }
    g->T = chi > 0 ? (L - (s - chi * thi)) / chi : thi;
  }
}

static PetscReal PhGradeFirst(const PhGradedInterval *g)
{
  return PetscMin(g->T, PetscMin(g->a, g->b * pow(g->r, g->n - 1)));
}

static PetscReal PhGradeLast(const PhGradedInterval *g)
{
  return PetscMin(g->T, PetscMin(g->b, g->a * pow(g->r, g->n - 1)));
}

/* The cells of a planned interval; the geometric ramps from the ends, then the level. */
static void PhGradeIntervalCells(const PhGradedInterval *g, PetscReal cells[])
{
  PetscInt  n = (PetscInt)g->n, k1 = (PetscInt)g->split;
  PetscReal level = PetscMin(g->T, g->cap);

  for (PetscInt k = 0; k < n; k++) cells[k] = level;
  for (PetscInt k = 0; k < k1; k++) {
    PetscReal v = g->a * pow(g->r, (PetscReal)k);

    if (v >= level) break;
    cells[k] = v;
  }
  for (PetscInt j = 0; j < n - k1; j++) {
    PetscReal v = g->b * pow(g->r, (PetscReal)j);

    if (v >= level) break;
    cells[n - 1 - j] = v;
  }
}

/* x += v with Kahan's compensation, so that the positions of ten million cells are as exact as those of ten. */
static inline void PhSumCompensated(PetscReal *x, PetscReal *carry, PetscReal v)
{
  PetscReal y = v - *carry, t = *x + y;

  *carry = (t - *x) - y;
  *x     = t;
}

/**
  @brief Grid lines through every edge, no cell above its interval's limit, neighbours within `ratio`.

  Intervals with fixed[i] > 0 get exactly that many equal cells and the ratio is not enforced across their faces.
  The limits of the cells next to each edge are lowered until every pair of neighbours across an edge is within
  `ratio`; inside an interval the cells grow geometrically from both ends and are water-filled to fit exactly, so
  symmetric input gives symmetric lines. `ok` is false when the lines would exceed PH_MAX_LINES_PER_DIRECTION cells in this
  direction; then nothing is allocated. The number of lines is found before any is made, in a time independent of
  it: pass lines = NULL to count only. Making them costs O(lines).

  Not collective.

  @param[in]  nedges number of sorted, distinct mandatory coordinates (at least 2)
  @param[in]  edges  mandatory coordinates, m
  @param[in]  hmax   largest cell of each of the nedges-1 intervals, m (PETSC_INFINITY for none)
  @param[in]  fixed  cells of each interval, or 0 for graded
  @param[in]  ratio  largest ratio between neighbour cells (> 1)
  @param[out] nlines number of lines (0 when there would be too many)
  @param[out] lines  coordinates (PetscMalloc'd), or NULL to count only
  @param[out] ok     false when there would be too many lines
**/
PetscErrorCode PhGradeLines(PetscInt nedges, const PetscReal edges[], const PetscReal hmax[], const PetscInt fixed[], PetscReal ratio,
                            PetscInt *nlines, PetscReal **lines, PetscBool *ok)
{
  PetscInt          m = nedges - 1, at = 0, sweep;
  PetscReal         total = 1, *c;
  PhGradedInterval *g;
  PetscReal        *left, *right;

  PetscFunctionBeginUser;
  *ok     = PETSC_TRUE;
  *nlines = 0;
  if (lines) *lines = NULL;
  for (PetscInt i = 0; i < m; i++) {
    PetscReal least = fixed[i] > 0 ? (PetscReal)fixed[i] : PetscMax(1, ceil((edges[i + 1] - edges[i]) / hmax[i] - 1e-9));

    if (!((total += least) <= PH_MAX_LINES_PER_DIRECTION + 1)) {
      *ok = PETSC_FALSE;
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  PetscCall(PetscMalloc3(m, &g, m, &left, m, &right));
  for (PetscInt i = 0; i < m; i++) {
    left[i] = right[i] = hmax[i];
    if (fixed[i] > 0) {
      g[i].n = fixed[i];
      g[i].T = (edges[i + 1] - edges[i]) / fixed[i];
    } else PhGradeIntervalPlan(&g[i], edges[i + 1] - edges[i], left[i], right[i], hmax[i], ratio, PH_MAX_LINES_PER_DIRECTION);
  }
  /* lower the limits at each edge until its two cells are within the ratio; forward and backward sweeps carry the
     smallest cells as far as they reach in either direction */
  for (sweep = 0; sweep < 10000; sweep++) {
    PetscBool changed = PETSC_FALSE;

    for (PetscInt s = 0; s < 2 * (m - 1); s++) {
      PetscInt  b = s < m - 1 ? s : 2 * (m - 1) - 1 - s;
      PetscReal last, first;

      if (fixed[b] > 0 || fixed[b + 1] > 0 || g[b].n > PH_MAX_LINES_PER_DIRECTION || g[b + 1].n > PH_MAX_LINES_PER_DIRECTION) continue;
      last  = PhGradeLast(&g[b]);
      first = PhGradeFirst(&g[b + 1]);
      if (last > ratio * first * (1 + 1e-12)) {
        right[b] = PetscMin(right[b], ratio * first);
        PhGradeIntervalPlan(&g[b], edges[b + 1] - edges[b], left[b], right[b], hmax[b], ratio, PH_MAX_LINES_PER_DIRECTION);
        changed = PETSC_TRUE;
        last    = PhGradeLast(&g[b]);
      }
      if (first > ratio * last * (1 + 1e-12)) {
        left[b + 1] = PetscMin(left[b + 1], ratio * last);
        PhGradeIntervalPlan(&g[b + 1], edges[b + 2] - edges[b + 1], left[b + 1], right[b + 1], hmax[b + 1], ratio, PH_MAX_LINES_PER_DIRECTION);
        changed = PETSC_TRUE;
      }
    }
    if (!changed) break;
  }
  PetscCheck(sweep < 10000, PETSC_COMM_SELF, PETSC_ERR_PLIB, "grid grading did not settle");
  total = 1;
  for (PetscInt i = 0; i < m; i++) total += g[i].n;
  if (!(total <= PH_MAX_LINES_PER_DIRECTION + 1)) {
    *ok = PETSC_FALSE;
    PetscCall(PetscFree3(g, left, right));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  *nlines = (PetscInt)total;
  if (!lines) {
    PetscCall(PetscFree3(g, left, right));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscMalloc1(*nlines, lines));
  PetscCall(PetscMalloc1(*nlines, &c));
  for (PetscInt i = 0; i < m; i++) {
    PetscInt  n = (PetscInt)g[i].n;
    PetscReal a = edges[i], b = edges[i + 1], x, carry;

    if (fixed[i] > 0)
      for (PetscInt k = 0; k < n; k++) c[k] = g[i].T;
    else PhGradeIntervalCells(&g[i], c);
    /* positions from the nearer end, so that a mirrored interval gives mirrored lines */
    x     = a;
    carry = 0;
    for (PetscInt k = 0; k <= n / 2; k++) {
      (*lines)[at + k] = x;
      PhSumCompensated(&x, &carry, c[k]);
    }
    x     = b;
    carry = 0;
    for (PetscInt k = n - 1; k > n / 2; k--) {
      PhSumCompensated(&x, &carry, -c[k]);
      (*lines)[at + k] = x;
    }
    at += n;
  }
  (*lines)[at++] = edges[m];
  PetscCall(PetscFree(c));
  PetscCall(PetscFree3(g, left, right));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static int PhCompareReal(const void *a, const void *b)
{
  PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/* Sort and merge coordinates closer than PH_MERGE_DISTANCE (DESIGN §3.4), keeping those inside [lo, hi]: each joins
   the last one kept below it. The merged coordinates, before the domain ends are made exact, go to `merged`. */
static void PhUniqueEdges(PetscInt *n, PetscReal v[], PetscReal lo, PetscReal hi, PetscReal merged[])
{
  PetscInt m = 0;

  qsort(v, (size_t)*n, sizeof(PetscReal), PhCompareReal);
  for (PetscInt i = 0; i < *n; i++) {
    if (v[i] < lo - PH_MERGE_DISTANCE || v[i] > hi + PH_MERGE_DISTANCE) continue;
    if (m > 0 && v[i] - v[m - 1] < PH_MERGE_BELOW) continue;
    v[m++] = v[i];
  }
  for (PetscInt i = 0; i < m; i++) merged[i] = v[i];
  if (m > 0) v[0] = lo; /* the domain ends are exact */
  if (m > 1) v[m - 1] = hi;
  *n = m;
}

/**
  @brief Index of the grid line at `coordinate` in direction `dir` (0 x, 1 y, 2 z), or -1.

  An edge of the case gets the line it was merged into (DESIGN §3.4), so the two faces of a block at least 1 nm
  thick are two lines whatever lies within 1 nm of them; any other coordinate gets the nearest line if it is within
  1 nm (not the first: graded cells beside a 1 nm layer may be thinner than 1 nm).

  Not collective.
**/
PetscErrorCode PhMeshFindLine(PhMesh mesh, PetscInt dir, PetscReal coordinate, PetscInt *index)
{
  const PetscReal *v  = mesh->line[dir];
  PetscInt         lo = 0, hi = mesh->n[dir];

  PetscFunctionBeginUser;
  *index = -1;
  if (mesh->nedge[dir] > 0) { /* an edge of the case: the merged edge that took it, as PhUniqueEdges merged it */
    const PetscReal *e = mesh->edge[dir];
    PetscInt         a = 0, b = mesh->nedge[dir];

    while (a < b) { /* the first merged edge above the coordinate */
      PetscInt mid = (a + b) / 2;

      if (e[mid] <= coordinate) a = mid + 1;
      else b = mid;
    }
    if (a > 0 && coordinate - e[a - 1] < PH_MERGE_BELOW) *index = mesh->edge_line[dir][a - 1];
    else if (a < mesh->nedge[dir] && e[a] - coordinate <= PH_MERGE_DISTANCE) *index = mesh->edge_line[dir][a];
    if (*index >= 0) PetscFunctionReturn(PETSC_SUCCESS);
  }
  while (lo < hi) { /* the first line at or above the coordinate (the last line if none) */
    PetscInt mid = (lo + hi) / 2;

    if (v[mid] < coordinate) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && coordinate - v[lo - 1] < PetscAbsReal(v[lo] - coordinate)) lo--;
  if (PetscAbsReal(v[lo] - coordinate) <= PH_MERGE_DISTANCE) *index = lo;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The index box of a coordinate box whose faces are grid lines; ok is false when a face is not a line. */
static PetscErrorCode PhMeshBoxOf(PhMesh mesh, const PetscReal lo[3], const PetscReal hi[3], PhIndexBox *box, PetscBool *ok)
{
  PetscFunctionBeginUser;
  *ok = PETSC_TRUE;
  for (PetscInt d = 0; d < 3; d++) {
    PetscCall(PhMeshFindLine(mesh, d, lo[d], &box->lo[d]));
    PetscCall(PhMeshFindLine(mesh, d, hi[d], &box->hi[d]));
    if (box->lo[d] < 0 || box->hi[d] < 0 || box->hi[d] <= box->lo[d]) *ok = PETSC_FALSE;
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The mandatory coordinates along direction d (footprint, layer, block, source and region edges), merged, with the
   largest cell and the fixed cells of each interval between them; e holds room for every edge of the case. */
static PetscErrorCode PhMeshAxisEdges(PhMesh mesh, PhDiag diag, PetscInt d, PetscReal e[], PetscInt *nedges, PetscReal **hmax, PetscInt **fixed,
                                      PetscBool *ok)
{
  PhCase    pb    = mesh->problem;
  PetscReal lo[3] = {pb->fx0, pb->fy0, 0}, hi[3] = {pb->fx1, pb->fy1, pb->layers[pb->nlayers - 1].z1};
  PetscInt  n = 0;

  PetscFunctionBeginUser;
  e[n++] = lo[d];
  e[n++] = hi[d];
  if (d < 2) {
    for (PetscInt b = 0; b < pb->nblocks; b++) {
      e[n++] = d == 0 ? pb->blocks[b].x0 : pb->blocks[b].y0;
      e[n++] = d == 0 ? pb->blocks[b].x1 : pb->blocks[b].y1;
    }
    for (PetscInt l = 0; l < pb->nlayers; l++) { /* the channels' edges across their flow */
      const PhChannels *ch = pb->layers[l].channels;

      if (ch == NULL || ch->axis == d) continue;
      for (PetscInt c = 0; c < ch->nchannels; c++) {
        e[n++] = ch->lo[c];
        e[n++] = ch->lo[c] + ch->width;
      }
    }
    for (PetscInt f = PH_FACE_BOTTOM; f <= PH_FACE_TOP; f++)
      for (PetscInt i = 0; i < pb->boundaries[f].n; i++)
        if (pb->boundaries[f].conditions[i].has_region) {
          e[n++] = d == 0 ? pb->boundaries[f].conditions[i].x0 : pb->boundaries[f].conditions[i].y0;
          e[n++] = d == 0 ? pb->boundaries[f].conditions[i].x1 : pb->boundaries[f].conditions[i].y1;
        }
    if (pb->has_refine) {
      e[n++] = d == 0 ? pb->rx0 : pb->ry0;
      e[n++] = d == 0 ? pb->rx1 : pb->ry1;
    }
  } else {
    for (PetscInt l = 0; l < pb->nlayers; l++) e[n++] = pb->layers[l].z1;
  }
  for (PetscInt s = 0; s < pb->nsources; s++) {
    const PhSource *src = &pb->sources[s];

    e[n++] = d == 0 ? src->x0 : (d == 1 ? src->y0 : src->z0);
    e[n++] = d == 0 ? src->x1 : (d == 1 ? src->y1 : src->z1);
  }
  PetscCall(PetscMalloc2(n, &mesh->edge[d], n, &mesh->edge_line[d]));
  PhUniqueEdges(&n, e, lo[d], hi[d], mesh->edge[d]);
  mesh->nedge[d] = n;
  PetscCall(PetscMalloc2(n, hmax, n, fixed));
  for (PetscInt i = 0; i + 1 < n; i++) {
    (*fixed)[i] = 0;
    (*hmax)[i]  = d < 2 ? pb->max_cell_xy : (pb->max_cell_z > 0 ? pb->max_cell_z : PETSC_INFINITY);
    if (d < 2 && pb->has_refine) { /* grid.refine: the box's own limit */
      PetscReal mid = 0.5 * (e[i] + e[i + 1]);

      if (mid > (d == 0 ? pb->rx0 : pb->ry0) && mid < (d == 0 ? pb->rx1 : pb->ry1)) (*hmax)[i] = PetscMin((*hmax)[i], pb->refine_xy);
    }
    if (d == 2) {
      PetscReal mid = 0.5 * (e[i] + e[i + 1]);

      for (PetscInt l = 0; l < pb->nlayers; l++) {
        const PhLayer *layer = &pb->layers[l];

        if (layer->cells > 0 && mid > layer->z0 && mid < layer->z1) {
          PetscReal h = (layer->z1 - layer->z0) / layer->cells, a = (e[i] - layer->z0) / h, b = (e[i + 1] - layer->z0) / h;

          if (PetscAbsReal(a - round(a)) * h > PH_MERGE_DISTANCE || PetscAbsReal(b - round(b)) * h > PH_MERGE_DISTANCE) {
            char key[64];

            (void)snprintf(key, sizeof(key), "stack[%d].cells", (int)l);
            PetscCall(PhDiagAdd(
              diag, layer->cells_loc, key,
              "layer \"%s\" has cells: %d, but a source box edge at z = %g um falls inside one of its cells; move the edge onto a cell face or remove cells",
              layer->name, (int)layer->cells, (double)(PetscAbsReal(a - round(a)) * h > PH_MERGE_DISTANCE ? e[i] : e[i + 1]) * 1e6));
            *ok = PETSC_FALSE;
          }
          (*fixed)[i] = PetscMax(1, (PetscInt)round(b - a));
        }
      }
    }
  }
  *nedges = n;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Lines of a case with a stack: the edges of every axis, then the number of cells each needs, refused (with the
   numbers) above PH_MAX_LINES_PER_DIRECTION along an axis or PETSC_MAX_INT in all, and only then the lines. */
static PetscErrorCode PhMeshBuildLines(PhMesh mesh, PhDiag diag, PetscBool *ok)
{
  PhCase     pb  = mesh->problem;
  PetscInt   cap = 2 * (pb->nblocks + pb->nsources + pb->nlayers + 3), nedges[3] = {0, 0, 0}, nlines[3] = {0, 0, 0}, *fixed[3] = {NULL, NULL, NULL};
  PetscReal *e[3] = {NULL, NULL, NULL}, *hmax[3] = {NULL, NULL, NULL}, cells = 1;
  PetscBool  fits[3];
  char       limit[64];

  PetscFunctionBeginUser;
  *ok = PETSC_TRUE;
  for (PetscInt f = 0; f < PH_NFACES; f++) cap += 2 * pb->boundaries[f].n;
  for (PetscInt l = 0; l < pb->nlayers; l++)
    if (pb->layers[l].channels != NULL) cap += 2 * pb->layers[l].channels->nchannels;
  for (PetscInt d = 0; d < 3; d++) {
    PetscCall(PetscMalloc1(cap, &e[d]));
    PetscCall(PhMeshAxisEdges(mesh, diag, d, e[d], &nedges[d], &hmax[d], &fixed[d], ok));
    PetscCall(PhGradeLines(nedges[d], e[d], hmax[d], fixed[d], pb->max_ratio, &nlines[d], NULL, &fits[d]));
    cells *= fits[d] ? (PetscReal)(nlines[d] - 1) : PETSC_INFINITY;
  }
  for (PetscInt d = 0; d < 3; d++) {
    if (fits[d]) continue;
    PetscCall(PhUnitsFormat(hmax[d][0], PH_QT_LENGTH, limit, sizeof(limit)));
    PetscCall(
      PhDiagAdd(diag, pb->grid_loc[d], pb->grid_key[d],
                "the grid would need more than %.0e cells along %c (cells up to %s over %d intervals between edges), the limit along one axis; "
                "raise the cell size limit",
                (double)PH_MAX_LINES_PER_DIRECTION, (char)('x' + d), hmax[d][0] < PETSC_INFINITY ? limit : "any size", (int)(nedges[d] - 1)));
    *ok = PETSC_FALSE;
  }
  if (*ok && !(cells <= (PetscReal)PETSC_MAX_INT)) {
    PetscInt d = nlines[2] > nlines[0] && nlines[2] > nlines[1] ? 2 : (nlines[1] > nlines[0] ? 1 : 0);

    PetscCall(PhDiagAdd(
      diag, pb->grid_loc[d], pb->grid_key[d],
      "the grid would need %d x %d x %d = %.3g cells, more than the %d cells one run can index; raise the cell size limits or grid.max_ratio (%.8g)",
      (int)(nlines[0] - 1), (int)(nlines[1] - 1), (int)(nlines[2] - 1), (double)cells, (int)PETSC_MAX_INT, (double)pb->max_ratio));
    *ok = PETSC_FALSE;
  }
  for (PetscInt d = 0; d < 3; d++) {
    if (*ok) {
      PetscCall(PhGradeLines(nedges[d], e[d], hmax[d], fixed[d], pb->max_ratio, &nlines[d], &mesh->line[d], &fits[d]));
      mesh->n[d] = nlines[d] - 1;
      for (PetscInt i = 0, j = 0; i < nedges[d]; i++) { /* the edges are lines exactly */
        while (j < nlines[d] && mesh->line[d][j] != e[d][i]) j++;
        PetscCheck(j < nlines[d], PETSC_COMM_SELF, PETSC_ERR_PLIB, "edge %g m is not a grid line", (double)e[d][i]);
        mesh->edge_line[d][i] = j;
      }
    }
    PetscCall(PetscFree2(hmax[d], fixed[d]));
    PetscCall(PetscFree(e[d]));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Build the grid lines of a validated case and the index boxes of its layers, blocks and sources.

  Collective on `comm` (every rank computes the same lines). Problems of the geometry that only the grid reveals
  (a source edge that is not a line of a mesh file, a grid too fine to build) are recorded in `diag`; then *mesh is NULL.

  @param[in]  comm    communicator of the run
  @param[in]  problem the case, borrowed: it must outlive the mesh
  @param[in]  diag    collector for input problems
  @param[out] mesh    the mesh, or NULL
**/
PetscErrorCode PhMeshCreate(MPI_Comm comm, PhCase problem, PhDiag diag, PhMesh *mesh)
{
  PhMesh    m;
  PetscBool ok;

  PetscFunctionBeginUser;
  PetscCall(PhLogEventsRegister());
  PetscCall(PetscLogEventBegin(PH_EVENT_MESH, 0, 0, 0, 0));
  *mesh = NULL;
  PetscCall(PetscNew(&m));
  m->comm    = comm;
  m->problem = problem;
  ok         = PETSC_TRUE;
  if (problem->mesh_file != NULL) PetscCall(PhMeshReadLines_Private(m));
  else PetscCall(PhMeshBuildLines(m, diag, &ok));
  if (ok) {
    PetscCall(PetscMalloc3(problem->nlayers, &m->layer_box, PetscMax(problem->nblocks, 1), &m->block_box, PetscMax(problem->nsources, 1),
                           &m->source_box));
    for (PetscInt l = 0; l < problem->nlayers; l++) {
      PetscReal lo[3] = {problem->fx0, problem->fy0, problem->layers[l].z0}, hi[3] = {problem->fx1, problem->fy1, problem->layers[l].z1};
      PetscBool okb;

      PetscCall(PhMeshBoxOf(m, lo, hi, &m->layer_box[l], &okb));
      PetscCheck(okb, comm, PETSC_ERR_PLIB, "layer %s is not on grid lines", problem->layers[l].name);
    }
    PetscCall(PetscCalloc1(problem->nlayers, &m->channel));
    for (PetscInt l = 0; l < problem->nlayers; l++) {
      const PhChannels *ch = problem->layers[l].channels;

      if (ch == NULL || ch->nchannels == 0) continue;
      PetscCall(PetscMalloc1(2 * ch->nchannels, &m->channel[l]));
      for (PetscInt c = 0; c < ch->nchannels; c++) {
        PetscCall(PhMeshFindLine(m, 1 - ch->axis, ch->lo[c], &m->channel[l][2 * c]));
        PetscCall(PhMeshFindLine(m, 1 - ch->axis, ch->lo[c] + ch->width, &m->channel[l][2 * c + 1]));
        PetscCheck(m->channel[l][2 * c] >= 0 && m->channel[l][2 * c + 1] > m->channel[l][2 * c], comm, PETSC_ERR_PLIB,
                   "channel %d of layer %s is not on grid lines", (int)c, problem->layers[l].name);
      }
    }
    for (PetscInt b = 0; b < problem->nblocks; b++) {
      const PhBlock *blk   = &problem->blocks[b];
      PetscReal      lo[3] = {blk->x0, blk->y0, blk->z0}, hi[3] = {blk->x1, blk->y1, blk->z1};
      PetscBool      okb;

      PetscCall(PhMeshBoxOf(m, lo, hi, &m->block_box[b], &okb));
      PetscCheck(okb, comm, PETSC_ERR_PLIB, "block %s is not on grid lines", blk->name);
    }
    for (PetscInt s = 0; s < problem->nsources; s++) {
      const PhSource *src   = &problem->sources[s];
      PetscReal       lo[3] = {src->x0, src->y0, src->z0}, hi[3] = {src->x1, src->y1, src->z1};
      PetscBool       okb;

      PetscCall(PhMeshBoxOf(m, lo, hi, &m->source_box[s], &okb));
      if (!okb) {
        char key[64];

        PetscCheck(problem->mesh_file != NULL, comm, PETSC_ERR_PLIB, "source %s is not on grid lines", src->name);
        (void)snprintf(key, sizeof(key), "sources[%d]", (int)s);
        PetscCall(PhDiagAdd(diag, src->loc, key, "the edges of source \"%s\" must be grid lines of the mesh file (within 1 nm)", src->name));
        ok = PETSC_FALSE;
      }
    }
    if (problem->mesh_file != NULL) {
      for (PetscInt f = PH_FACE_BOTTOM; f <= PH_FACE_TOP; f++) {
        for (PetscInt i = 0; i < problem->boundaries[f].n; i++) {
          const PhBoundaryCondition *bc = &problem->boundaries[f].conditions[i];
          PetscInt                   a, b, c, d;

          if (!bc->has_region) continue;
          PetscCall(PhMeshFindLine(m, 0, bc->x0, &a));
          PetscCall(PhMeshFindLine(m, 0, bc->x1, &b));
          PetscCall(PhMeshFindLine(m, 1, bc->y0, &c));
          PetscCall(PhMeshFindLine(m, 1, bc->y1, &d));
          if (a < 0 || b < 0 || c < 0 || d < 0) {
            char key[160];

            (void)snprintf(key, sizeof(key), "%s.region", bc->path != NULL ? bc->path : "boundaries");
            PetscCall(PhDiagAdd(diag, bc->region_loc, key, "the region edges must be grid lines of the mesh file (within 1 nm)"));
            ok = PETSC_FALSE;
          }
        }
      }
    }
  }
  PetscCall(PetscLogEventEnd(PH_EVENT_MESH, 0, 0, 0, 0));
  if (!ok) {
    PetscCall(PhMeshDestroy(&m));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  *mesh = m;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Cells along x, y and z (any pointer may be NULL).

  Not collective.
**/
PetscErrorCode PhMeshGetSizes(PhMesh mesh, PetscInt *nx, PetscInt *ny, PetscInt *nz)
{
  PetscFunctionBeginUser;
  if (nx != NULL) *nx = mesh->n[0];
  if (ny != NULL) *ny = mesh->n[1];
  if (nz != NULL) *nz = mesh->n[2];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Node coordinates along x, y, z (m; lengths nx+1, ny+1, nz+1); they belong to the mesh.

  Not collective.
**/
PetscErrorCode PhMeshGetLines(PhMesh mesh, const PetscReal *x[], const PetscReal *y[], const PetscReal *z[])
{
  PetscFunctionBeginUser;
  if (x != NULL) *x = mesh->line[0];
  if (y != NULL) *y = mesh->line[1];
  if (z != NULL) *z = mesh->line[2];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Cell-index box of a layer (the whole footprint over its cells in z).

  Not collective.
**/
PetscErrorCode PhMeshGetLayerBox(PhMesh mesh, PetscInt layer, PhIndexBox *box)
{
  PetscFunctionBeginUser;
  *box = mesh->layer_box[layer];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Cell-index box of a block: its whole box, even where a later block overwrote the material (DESIGN §3.4).

  Not collective.
**/
PetscErrorCode PhMeshGetBlockBox(PhMesh mesh, PetscInt block, PhIndexBox *box)
{
  PetscFunctionBeginUser;
  *box = mesh->block_box[block];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Cell-index box a source spreads its power over; its faces are grid lines, so no cell is covered partly.

  Not collective.
**/
PetscErrorCode PhMeshGetSourceBox(PhMesh mesh, PetscInt source, PhIndexBox *box)
{
  PetscFunctionBeginUser;
  *box = mesh->source_box[source];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The cells of `box` in channel c of micro-channel layer l (its strip across the layer, every cell along the flow). */
static PhIndexBox PhMeshChannelPart(PhMesh mesh, PetscInt l, PetscInt c, const PhIndexBox *box)
{
  const PhChannels *ch   = mesh->problem->layers[l].channels;
  PhIndexBox        chan = mesh->layer_box[l];

  chan.lo[1 - ch->axis] = mesh->channel[l][2 * c];
  chan.hi[1 - ch->axis] = mesh->channel[l][2 * c + 1];
  return PhIndexBoxIntersect(&chan, box);
}

/**
  @brief The material of every cell of `box`, stored [k][j][i] relative to the box (index into the case's materials).

  A cell takes the material of the last block containing its centre, layer blocks first in document order, then
  top-level blocks; otherwise its layer's background (DESIGN §3.4). Block faces are grid lines, so "contains the
  centre" is index inclusion. Mesh-file cases read the box from the file.

  Not collective.
**/
PetscErrorCode PhMeshFillMaterial(PhMesh mesh, const PhIndexBox *box, PetscInt *material)
{
  PhCase pb = mesh->problem;

  PetscFunctionBeginUser;
  if (pb->mesh_file != NULL) {
    PetscCall(PhMeshReadMaterial_Private(mesh, box, material));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt l = 0; l < pb->nlayers; l++) {
    const PhIndexBox part = PhIndexBoxIntersect(&mesh->layer_box[l], box);

    PH_BOX_FOR(part, i, j, k) material[PhIndexBoxOffset(box, i, j, k)] = pb->layers[l].material;
  }
  for (PetscInt b = 0; b < pb->nblocks; b++) {
    const PhIndexBox part = PhIndexBoxIntersect(&mesh->block_box[b], box);

    PH_BOX_FOR(part, i, j, k) material[PhIndexBoxOffset(box, i, j, k)] = pb->blocks[b].material;
  }
  for (PetscInt l = 0; l < pb->nlayers; l++) {
    const PhChannels *ch = pb->layers[l].channels;

    for (PetscInt c = 0; ch != NULL && mesh->channel[l] != NULL && c < ch->nchannels; c++) {
      const PhIndexBox part = PhMeshChannelPart(mesh, l, c, box);

      PH_BOX_FOR(part, i, j, k) material[PhIndexBoxOffset(box, i, j, k)] = ch->coolant;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Which cells of `box` hold coolant: the index of the micro-channel layer whose channel holds the cell, else -1;
  stored [k][j][i] relative to the box.

  Not collective.
**/
PetscErrorCode PhMeshFillChannels(PhMesh mesh, const PhIndexBox *box, PetscInt *layer)
{
  PhCase pb = mesh->problem;

  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < PhIndexBoxCount(box); c++) layer[c] = -1;
  for (PetscInt l = 0; mesh->channel != NULL && l < pb->nlayers; l++) {
    const PhChannels *ch = pb->layers[l].channels;

    for (PetscInt c = 0; ch != NULL && mesh->channel[l] != NULL && c < ch->nchannels; c++) {
      const PhIndexBox part = PhMeshChannelPart(mesh, l, c, box);

      PH_BOX_FOR(part, i, j, k) layer[PhIndexBoxOffset(box, i, j, k)] = l;
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Estimate the memory of a run of this mesh on `ranks` ranks, `ranks_per_node` of them sharing one node.

  Not collective.
**/
PetscErrorCode PhMeshEstimateMemory(PhMesh mesh, PetscInt ranks, PetscInt ranks_per_node, PhMemoryEstimate *est)
{
  PetscFunctionBeginUser;
  est->cells          = (PetscReal)mesh->n[0] * (PetscReal)mesh->n[1] * (PetscReal)mesh->n[2];
  est->bytes_per_cell = PH_BYTES_PER_CELL;
  est->fixed_per_rank = PH_BYTES_FIXED_RANK + 8.0 * (mesh->n[0] + mesh->n[1] + mesh->n[2]);
  est->ranks          = PetscMax(ranks, 1);
  est->ranks_per_node = PetscMax(PetscMin(ranks_per_node, est->ranks), 1);
  est->per_rank       = est->cells / est->ranks * est->bytes_per_cell + est->fixed_per_rank;
  est->per_node       = est->per_rank * est->ranks_per_node;
  PetscCall(PhAvailableMemory(&est->available));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Destroy a mesh; NULL is accepted and *mesh is NULL on return.

  Not collective.
**/
PetscErrorCode PhMeshDestroy(PhMesh *mesh)
{
  PetscFunctionBeginUser;
  if (*mesh == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  for (int d = 0; d < 3; d++) {
    PetscCall(PetscFree((*mesh)->line[d]));
    PetscCall(PetscFree2((*mesh)->edge[d], (*mesh)->edge_line[d]));
  }
  for (PetscInt l = 0; (*mesh)->channel != NULL && l < (*mesh)->problem->nlayers; l++) PetscCall(PetscFree((*mesh)->channel[l]));
  PetscCall(PetscFree((*mesh)->channel));
  PetscCall(PetscFree3((*mesh)->layer_box, (*mesh)->block_box, (*mesh)->source_box));
  PetscCall(PetscFree(*mesh));
  PetscFunctionReturn(PETSC_SUCCESS);
}

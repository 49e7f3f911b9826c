/*
  The reduced thermal model (time.method: reduced): a projection of C theta' = -A theta + F u(t) onto a basis V that
  is orthonormal in the C inner product, stepped exactly between landings.

  Inputs u: one per source (its power), per non-adiabatic boundary condition (ambient or surface temperature minus
  T_ref, or the flux) and, when the optics heat the mesh, per heat input (ring heater slice, laser block). The basis
  holds the constant field (so that energy is conserved), the initial rise, and blocks (A + s C)^-1 F of every input
  at shifts s: s = 0 first (every steady gain is exact), then the shift where the reduced outputs (source and heat
  input means) still change the most, chosen greedily from candidates spread over the time scales of the run, until
  that change, weighted by the largest magnitude of each input, is below time.reduced.tolerance. Each shifted solve
  starts from the model's answer V y; inputs whose share of the error stays negligible are retired (PhReducedAddShift).
  The maxima over the report boxes come from a tree of bounds over their cells (thermal_maxtree.c).

  With V^T C V = I the reduced system is x' = -K_r x + B_r u, K_r = V^T A V symmetric; K_r = Q diag(lambda) Q^T gives
  modes z = Q^T x that are advanced exactly for inputs held or linear over each interval between landings. With coolant
  K_r is not symmetric: the run advances x by exact exponentials of K_r, and the time-domain check of the basis uses
  its real and complex-pair modes (PhReducedModes()).
*/
#include "thermal_impl.h"

#include <errno.h>
#include <math.h>
#include <petscblaslapack.h>
#include <photherm/h5.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PH_REDUCED_FILE_VERSION 1
#define PH_REDUCED_NFINGER      7 /* nx, ny, nz, then weighted sums of capacities, conductivities, boundary conductances, source cells */

#define PH_REDUCED_MAX_SHIFTS 24   /* shifts beside s = 0 */
#define PH_REDUCED_DEFLATE    1e-8 /* a new vector whose C-norm falls below this share of its norm adds nothing */
#define PH_REDUCED_RTOL       1e-9 /* relative residual of the shifted solves (the steady ones: the solver's default) */
#define PH_REDUCED_REL        1e-4 /* ... or a shifted solve's reduction of the model's residual, whichever is reached first */
#define PH_REDUCED_AMP_LOOSE  1e4  /* a small power input's solves stop at up to this times the tolerance of the largest's */
#define PH_REDUCED_RETIRE     1e-2 /* an input whose share of the error stays below this part of the tolerance is retired */
#define PH_REDUCED_TD_PER_DEC 40   /* points per decade of the time-domain estimate */
#define PH_REDUCED_K_LAG_MAX  0.02 /* the default -ph_reduced_k_lag, unless the freeze bound asks for less */
#define PH_REDUCED_K_LAG_MIN  2e-3 /* ... but never less (each re-forming costs a product per basis vector) */
#define PH_REDUCED_NFORM      64   /* re-formed operators kept for reuse */

/* The exact propagators of x' = -K_r x + b0 + (b1 - b0) t / h over one interval length h: x(h) = E x(0) + P1 b0 +
   (I2 / h) (b1 - b0) and the integral of x over the interval, P1 x(0) + I2 b0 + I3 (b1 - b0); with Z = -h K_r,
   E = phi0(Z), P1 = h phi1(Z), I2 = h^2 phi2(Z), I3 = h^2 phi3(Z). Each [r][r], row-major. */
typedef struct {
  PetscReal  h;
  PetscReal *E, *P1, *I2, *I3;
} PhReducedExpo;

#define PH_REDUCED_NEXP     32 /* interval lengths whose exponentials are kept */
#define PH_REDUCED_NPHI     4  /* interval lengths whose propagators of the modes are kept */
#define PH_REDUCED_TD_NPHI  8  /* ... the same in the time-domain check (a change of power splits a sample's interval in two) */
#define PH_REDUCED_TD_BATCH 64 /* samples of the time-domain check whose outputs are formed by one matrix product */

#define PH_REDUCED_ROWS       256 /* rows per pass of the blocked products of the basis (PhReducedBlockDots()) */
#define PH_REDUCED_LOAD_BLOCK 32  /* basis vectors read from a model file per block */

/* A re-formed k(T) operator, kept so that a field that comes back near where it was formed reuses it. */
typedef struct {
  PetscInt   r;                                             /* basis size it belongs to */
  PetscReal *kmean, *K, *B, *lambda, *Q, *QB, *orow, *gsum; /* [nreport], [r][r], [r][m], [r], [r][r], [r][m], [npatch][r], [npatch] */
} PhReducedForm;

/* Field vectors kept from one shift to the next while the basis is built (fresh ones would be allocated and faulted in
   at every shift: 10-20 MB a time on a 10^6-cell mesh). */
typedef struct {
  Vec     *v;
  PetscInt n;
} PhScratch;

struct _p_PhReduced {
  PetscInt   m;          /* inputs */
  Vec       *F;          /* [m] input columns: W per unit input */
  PetscReal *amp;        /* [m] largest magnitude of each input over the run */
  PetscReal *share;      /* [m] each input's share of the error at the last shift it was solved for, K */
  PetscInt  *retired;    /* [m] 1: no longer enriched; 0 or -1: enriched (-1: its share was small once) */
  PetscInt   npatch;     /* inputs m = nsrc + npatch + nheat + ncav, in that order */
  PetscInt  *patch;      /* [npatch] index in th->patches */
  PetscInt   nheat;      /* heat inputs taken as inputs (0 when the optics do not heat the mesh) */
  PetscInt   ncav;       /* micro-channel inlets, inputs after the heat inputs (PhReducedCavityInputs()) */
  PetscReal *leak;       /* [nsources] leakage power held over the interval, from the field at its start, W */
  PetscInt   nout;       /* outputs of the error estimate: source means, heat input means, hot cells, cavity outlets */
  PetscInt   nhot;       /* cells of the estimate: the hottest of each source's steady response, the worst of every shift */
  PetscInt  *hot;        /* [nhot] its local index on its owner, -1 elsewhere */
  PetscInt  *hotg;       /* [nhot] its global index */
  PetscInt   hotcap;     /* room in hot and hotg */
  PetscInt   r, rcap;    /* basis size, room */
  PetscInt   ninit;      /* the first ninit basis vectors hold the initial rise */
  PetscInt   nlead;      /* the first nlead basis vectors carry the quasi-static field (the maxima's trees keep them unrotated) */
  Vec       *V;          /* [r] basis, V^T C V = I */
  PetscReal *K;          /* [rcap][rcap] V^T A V */
  PetscReal *B;          /* [rcap][m] V^T F */
  PetscReal *lambda, *Q; /* eigenvalues (1/s) and eigenvectors [r][r] (column-major as LAPACK gives them) */
  PetscReal *QB;         /* [r][m] Q^T B_r */
  PetscReal *z;          /* [r] modal state */
  PetscReal *xr;         /* [r] scratch: reduced coordinates */
  PetscReal  shifts[PH_REDUCED_MAX_SHIFTS + 1];
  PetscInt   nshift;
  PhScratch  solves, ops; /* vectors of a shift's solves, and of the operator's products with a new block */
  PetscReal  estimate;    /* estimated error of the reported temperatures, K */
  PetscReal  festimate;   /* its frequency-domain part: the error of the basis at its last checked shifts, K */
  PetscInt   rprev;       /* the basis before the last shift (the smaller model of the last time-domain check; 0: not known) */
  PetscBool  rechecked;   /* a model for reuse checked again for this run's inputs (PhReducedCheckOwnTrace()) */
  PetscReal *O;           /* [nout][ocap] the outputs of the estimate (PhReducedOutputs) of each basis vector */
  PetscInt   ocols, ocap; /* columns of O formed, room */
  PetscReal  build_time;  /* s */
  PetscReal *orow;        /* [npatch][r] g_p^T V Q of convection and temperature patches (energy out) */
  /* the outputs of a sample without the field: reduced rows and the cells of the report boxes */
  PetscReal     *x, *x0;  /* [r] reduced coordinates V^T C (T - T_ref) now and at the start */
  PetscBool      current; /* th->T holds the field of x */
  PetscReal     *rmean;   /* [nreport][r] volume-weighted means over the report boxes */
  PetscReal     *rin;     /* [ninput][r] means over the heat inputs */
  PetscReal     *rsrc;    /* [nsources][r] volume integrals over the sources, m^3 */
  PetscReal     *srcvol;  /* [nsources] volume of the cells of each source, m^3 */
  PetscReal     *rstore;  /* [r] 1^T C V, J/K */
  PhMaxTree     *tree;    /* [nreport] the owned cells of each report box with the basis there (NULL for a twin) */
  PetscInt      *twin;    /* [nreport] an earlier report box of the same cells (a source and its block), or -1 */
  PetscReal     *bmax;    /* [nreport] the largest rise over the owned cells of each box for x, when cells_current */
  PetscBool      cells_current;
  PetscLogDouble nquery, nnodes, nevaluated, ncells; /* work of the maxima: queries, nodes bounded, cells evaluated, cells */
  PetscReal     *gsum;                               /* [npatch] sum of g_p, W/K (or m^2 for flux) */
  PetscReal     *kmean;                              /* [nreport] the report boxes' means (K) where k(T) was last frozen */
  PetscInt       nrefreeze, nrefreeze_added;         /* re-formings of k(T), and the steady responses they added */
  KSP            ksp;                                /* the steady solves of the re-formings */
  PhReducedForm *form;                               /* [PH_REDUCED_NFORM] operators of earlier re-formings, to reuse */
  PetscInt       nform, nextform, nreuse;
  /* cold plates: K_r = V^T J V is not symmetric; the state is x itself (Q = I), stepped by exact exponentials */
  PetscBool      nonsym;
  PetscInt       nexp, next;  /* exponentials cached, and the entry replaced next when the cache is full */
  PhReducedExpo *expo;        /* [PH_REDUCED_NEXP] one per interval length */
  PetscReal     *prow, *pin;  /* per plate p at poff[p]: its profile points then its heat, [.][r] rows and inlet coefficients */
  PetscInt      *poff;        /* [nplates + 1] */
  PetscReal      symmin;      /* the smallest eigenvalue of (K_r + K_r^T) / 2 over its largest magnitude */
  PetscInt       nexpo_built; /* exponentials computed over the run */
  /* k(T) by regions (PhReducedKRegions()): the modes see dM = sum_g ds_g M_g as an input -dM z */
  PetscInt   nkg;                   /* regions (0: k(T) frozen or re-formed instead) */
  PetscReal *kgrow;                 /* [nkg][r] volume-weighted mean rows of the regions */
  PetscReal *kgtf;                  /* [nkg] their means where k was frozen, K */
  PetscReal *kgn;                   /* [nkg] their k_exponent */
  PetscReal *kgL;                   /* [nkl][r] (column-major r x nkl) M_g = Q^T V^T D_g V Q = L_g L_g^T, the regions' factors side by side */
  PetscInt  *kgoff;                 /* [nkg + 1] the first column of each region's factor */
  PetscInt   nkl;                   /* columns of kgL: those of the regions kg_lo to kg_hi - 1, which this rank factors and applies */
  PetscInt   kg_lo, kg_hi, nkl_all; /* ... (the ranks share the regions out), and the columns of every rank's */
  PetscReal *kgds;                  /* [nkg] each region's ds_g over the present interval */
  PetscReal *kgy;                   /* [nkl] scratch: L^T z */
  PetscInt   nkupdate;              /* intervals the correction was applied over */
  PetscReal *ph;                    /* [PH_REDUCED_NPHI][r][5] the propagators of the modes (PhReducedPhi()) over intervals of length phh */
  PetscReal  phh[PH_REDUCED_NPHI];  /* ... for phr modes; nph kept, phnx replaced next */
  PetscInt   phr, nph, phnx;
};

/* The value of a signal at the start (t, right value) or end (left value) of an interval: signals other than linear
   traces are held between their breaks, which the intervals end on, so both ends give the held value. */
static PetscReal PhReducedSignal(const PhSignal *sig, PetscReal t0, PetscReal t1, PetscBool end)
{
  PetscReal d1 = 1e-9 * PetscMax(PetscAbsReal(t1), 1e-6), d0 = 1e-9 * PetscMax(PetscAbsReal(t0), 1e-6);

  if (!end && sig->type == PH_SIGNAL_TRACE && sig->linear) return PhSignalEvaluate(sig, t0 + d0);
  return PhSignalEvaluate(sig, t1 - d1);
}

/* The inputs over the interval [t0, t1] at its start or end: source powers (W), boundary values (K above T_ref, or
   W/m^2), heat input powers (W, held). */
static void PhReducedInputs(PhThermal th, PetscReal t0, PetscReal t1, PetscBool end, PetscReal u[])
{
  PhCase    pb = th->problem;
  PhReduced rd = th->reduced;
  PetscInt  ns = pb->nsources;

  for (PetscInt s = 0; s < ns; s++) u[s] = PhReducedSignal(&pb->sources[s].power, t0, t1, end) + rd->leak[s];
  for (PetscInt q = 0; q < rd->npatch; q++) {
    const PhPatch *pa = &th->patches[rd->patch[q]];
    PetscReal      v  = PhReducedSignal(&pa->bc->value, t0, t1, end);

    u[ns + q] = pa->bc->type == PH_BC_FLUX ? v : v - th->t_ref;
  }
  for (PetscInt d = 0; d < rd->nheat; d++) u[ns + rd->npatch + d] = th->input_power[d];
  for (PetscInt c = 0; c < rd->ncav; c++) u[ns + rd->npatch + rd->nheat + c] = PhReducedSignal(&th->cavities[c].ch->inlet, t0, t1, end) - th->t_ref;
}

/* The outputs of one field v: volume means over the sources, weighted means over the heat inputs, the hot cells and
   the outlets of the micro-channel cavities (whose coolant carries the inlet's changes downstream, which the sources
   hardly see). */
static PetscErrorCode PhReducedOutputs(PhThermal th, Vec v, PetscReal out[])
{
  PhCase      pb = th->problem;
  PetscInt    ns = pb->nsources;
  PetscReal   tmean[64], *mean = tmean, *tmax;
  PhIndexBox *boxes;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(ns + 1, &tmax, ns + 1, &boxes));
  for (PetscInt s = 0; s < ns; s++) boxes[s] = th->src_box[s];
  if (ns + 1 > 64) PetscCall(PetscMalloc1(ns + 1, &mean));
  PetscCall(PhThermalFieldBoxStats_Private(th, v, ns, boxes, tmax, mean));
  for (PetscInt s = 0; s < ns; s++) out[s] = mean[s];
  if (mean != tmean) PetscCall(PetscFree(mean));
  PetscCall(PetscFree2(tmax, boxes));
  if (th->ninput > 0) PetscCall(PhThermalInputMeans(th, v, out + ns));
  if (th->reduced->nhot > 0) {
    PhReduced          rd = th->reduced;
    const PetscScalar *x;

    PetscCall(VecGetArrayRead(v, &x));
    for (PetscInt h = 0; h < rd->nhot; h++) out[ns + th->ninput + h] = rd->hot[h] >= 0 ? PetscRealPart(x[rd->hot[h]]) : 0;
    PetscCall(VecRestoreArrayRead(v, &x));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, out + ns + th->ninput, (PetscMPIInt)rd->nhot, MPIU_REAL, MPIU_SUM, th->comm));
  }
  if (th->reduced->ncav > 0) { /* the outlet of every micro-channel cavity, the last outputs */
    PetscCall(PhThermalCavitiesResponse_Private(th, v, 0.0, NULL));
    for (PetscInt c = 0; c < th->ncavities; c++) out[th->reduced->nout - th->ncavities + c] = th->cavities[c].profile[th->cavities[c].na];
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The solver of the model's shifted and steady systems (options prefix ph_reduced_): with cold plates the exact J
   (GMRES), else A (CG), preconditioned by the multigrid of A. While the steady solver exists (the build) its
   preconditioner is shared, so that the multigrid's hierarchy and Galerkin products are formed once for the run
   (-ph_reduced_pc_type gives the model's solver its own). */
static PetscErrorCode PhReducedKSPCreate(PhThermal th, KSP *ksp)
{
  Mat       op;
  PetscBool own_pc;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, "ph_reduced_", "-pc_type", &own_pc));
  own_pc = (PetscBool)(own_pc || th->ksp == NULL);
  PetscCall(KSPCreate(th->comm, ksp));
  PetscCall(PhThermalOperator_Private(th, 0, PETSC_FALSE, &op));
  PetscCall(KSPSetOperators(*ksp, op, th->A));
  PetscCall(PhThermalConfigureKSP_Private(th, *ksp, own_pc));
  PetscCall(KSPSetOptionsPrefix(*ksp, "ph_reduced_"));
  PetscCall(KSPSetFromOptions(*ksp));
  if (!own_pc) {
    PC pc;

    PetscCall(KSPGetPC(th->ksp, &pc));
    PetscCall(PCSetReusePreconditioner(pc, PETSC_FALSE)); /* the steady iterations may have left it set */
    PetscCall(KSPSetPC(*ksp, pc));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Take the cell of global index g as an output of the estimate, unless it is one already. */
static PetscErrorCode PhReducedAddHot(PhThermal th, PetscInt g)
{
  PhReduced rd = th->reduced;
  PetscInt  lo, hi;

  PetscFunctionBeginUser;
  for (PetscInt h = 0; h < rd->nhot; h++)
    if (rd->hotg[h] == g) PetscFunctionReturn(PETSC_SUCCESS);
  if (rd->nhot == rd->hotcap) {
    rd->hotcap = PetscMax(2 * rd->hotcap, 8);
    PetscCall(PetscRealloc(rd->hotcap * sizeof(PetscInt), &rd->hot));
    PetscCall(PetscRealloc(rd->hotcap * sizeof(PetscInt), &rd->hotg));
  }
  PetscCall(VecGetOwnershipRange(th->T, &lo, &hi));
  rd->hot[rd->nhot]  = g >= lo && g < hi ? g - lo : -1;
  rd->hotg[rd->nhot] = g;
  rd->nhot++;
  rd->nout++;
  PetscCall(PetscFree(rd->O)); /* the outputs of the basis are formed again with this row */
  rd->ocols = rd->ocap = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The largest value of v over the cells of a box and the global index of its cell (the smallest such index). */
static PetscErrorCode PhReducedBoxArgmax(PhThermal th, Vec v, const PhIndexBox *box, PetscReal *vmax, PetscInt *g)
{
  const PhIndexBox   b = PhIndexBoxIntersect(box, &th->owned);
  const PetscScalar *x;
  PetscInt           lo, hi;

  PetscFunctionBeginUser;
  *vmax = PETSC_MIN_REAL;
  *g    = PETSC_MAX_INT;
  PetscCall(VecGetOwnershipRange(v, &lo, &hi));
  PetscCall(VecGetArrayRead(v, &x));
  PH_BOX_FOR(b, i, j, k) {
    PetscInt  o = PhIndexBoxOffset(&th->owned, i, j, k);
    PetscReal a = PetscRealPart(x[o]);

    if (a > *vmax) {
      *vmax = a;
      *g    = lo + o;
    }
  }
  PetscCall(VecRestoreArrayRead(v, &x));
  {
    PetscReal top;

    PetscCall(MPIU_Allreduce(vmax, &top, 1, MPIU_REAL, MPIU_MAX, th->comm));
    if (*vmax != top) *g = PETSC_MAX_INT;
    *vmax = top;
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, g, 1, MPIU_INT, MPI_MIN, th->comm));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}
static PetscErrorCode PhReducedOperatorEntries(PhThermal th, PetscInt k, PetscBool incremental);
static PetscErrorCode PhReducedPatchColumn(PhThermal th, PetscInt q);

/* Row and column k of K_r with the operator as it is (with cold plates: incremental tells whether the rows before k
   are already there), and row k of B_r; dots has room for max(k + 1, m) values. */
static PetscErrorCode PhReducedOperatorRow(PhThermal th, PetscInt k, PetscBool incremental, PetscScalar dots[])
{
  PhReduced rd = th->reduced;

  PetscFunctionBeginUser;
  if (rd->nonsym) PetscCall(PhReducedOperatorEntries(th, k, incremental));
  else {
    PetscCall(PhThermalMultA_Private(th, rd->V[k], th->rate));
    PetscCall(VecMDot(th->rate, k + 1, rd->V, dots));
    for (PetscInt j = 0; j <= k; j++) rd->K[k * rd->rcap + j] = rd->K[j * rd->rcap + k] = PetscRealPart(dots[j]);
  }
  PetscCall(VecMDot(rd->V[k], rd->m, rd->F, dots));
  for (PetscInt i = 0; i < rd->m; i++) rd->B[k * rd->m + i] = PetscRealPart(dots[i]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The rows [lo, lo + len) of nv vectors side by side: P[j * PH_REDUCED_ROWS + t] = v_j[lo + t] (column-major, leading
   dimension PH_REDUCED_ROWS), so that the products of the basis with a block of vectors are BLAS matrix products. */
static void PhReducedPanel(PetscInt nv, const PetscScalar *const v[], PetscInt lo, PetscInt len, PetscReal P[])
{
  for (PetscInt j = 0; j < nv; j++) memcpy(P + j * PH_REDUCED_ROWS, v[j] + lo, (size_t)len * sizeof(PetscReal));
}

/* G[j][i] = v_j . (c w_i) over every rank (c NULL: the plain dot), for nv vectors v and nw vectors w: a pass over
   PH_REDUCED_ROWS rows at a time, each a matrix product of the rows of the v with those of the w, so that each v_j is
   read from memory once for all the w (a product of the basis with a block of new vectors costs one pass over the
   basis, not one per new vector). */
static PetscErrorCode PhReducedBlockDots(MPI_Comm comm, PetscInt nv, const Vec V[], PetscInt nw, const Vec W[], Vec c, PetscReal G[])
{
  const PetscScalar **v, **w, *cc = NULL;
  PetscReal          *cw, *P, one = 1;
  PetscInt            n;
  PetscBLASInt        bv, bw, bl, ld;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(G, nv * nw));
  if (nv == 0 || nw == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(VecGetLocalSize(W[0], &n));
  PetscCall(PetscMalloc4(nv, &v, nw, &w, nw * PH_REDUCED_ROWS, &cw, nv * PH_REDUCED_ROWS, &P));
  for (PetscInt j = 0; j < nv; j++) PetscCall(VecGetArrayRead(V[j], &v[j]));
  for (PetscInt i = 0; i < nw; i++) PetscCall(VecGetArrayRead(W[i], &w[i]));
  if (c != NULL) PetscCall(VecGetArrayRead(c, &cc));
  PetscCall(PetscBLASIntCast(nv, &bv));
  PetscCall(PetscBLASIntCast(nw, &bw));
  PetscCall(PetscBLASIntCast(PH_REDUCED_ROWS, &ld));
  for (PetscInt lo = 0; lo < n; lo += PH_REDUCED_ROWS) {
    const PetscInt len = PetscMin(PH_REDUCED_ROWS, n - lo);

    for (PetscInt i = 0; i < nw; i++)
      for (PetscInt t = 0; t < len; t++) cw[i * PH_REDUCED_ROWS + t] = PetscRealPart(w[i][lo + t]) * (cc ? PetscRealPart(cc[lo + t]) : 1.0);
    PhReducedPanel(nv, v, lo, len, P);
    PetscCall(PetscBLASIntCast(len, &bl));
    /* G as column-major [nw][nv]: G += cw^T P */
    PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bw, &bv, &bl, &one, cw, &ld, P, &ld, &one, G, &bw));
  }
  if (c != NULL) PetscCall(VecRestoreArrayRead(c, &cc));
  for (PetscInt j = 0; j < nv; j++) PetscCall(VecRestoreArrayRead(V[j], &v[j]));
  for (PetscInt i = 0; i < nw; i++) PetscCall(VecRestoreArrayRead(W[i], &w[i]));
  PetscCall(PetscFree4(v, w, cw, P));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, G, (PetscMPIInt)(nv * nw), MPIU_REAL, MPIU_SUM, comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* w_i += alpha sum_j G[j][i] v_j for nw vectors w, reading each v_j once (as PhReducedBlockDots()). */
static PetscErrorCode PhReducedBlockUpdate(PetscInt nv, const Vec V[], PetscInt nw, Vec W[], PetscReal alpha, const PetscReal G[])
{
  const PetscScalar **v;
  PetscScalar       **w;
  PetscReal          *Wb, *P, one = 1;
  PetscInt            n;
  PetscBLASInt        bv, bw, bl, ld;

  PetscFunctionBeginUser;
  if (nv == 0 || nw == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(VecGetLocalSize(W[0], &n));
  PetscCall(PetscMalloc4(nv, &v, nw, &w, nw * PH_REDUCED_ROWS, &Wb, nv * PH_REDUCED_ROWS, &P));
  for (PetscInt j = 0; j < nv; j++) PetscCall(VecGetArrayRead(V[j], &v[j]));
  for (PetscInt i = 0; i < nw; i++) PetscCall(VecGetArray(W[i], &w[i]));
  PetscCall(PetscBLASIntCast(nv, &bv));
  PetscCall(PetscBLASIntCast(nw, &bw));
  PetscCall(PetscBLASIntCast(PH_REDUCED_ROWS, &ld));
  for (PetscInt lo = 0; lo < n; lo += PH_REDUCED_ROWS) {
    const PetscInt len = PetscMin(PH_REDUCED_ROWS, n - lo);

    for (PetscInt i = 0; i < nw; i++) PetscCall(PetscArraycpy(Wb + i * PH_REDUCED_ROWS, w[i] + lo, len));
    PhReducedPanel(nv, v, lo, len, P);
    PetscCall(PetscBLASIntCast(len, &bl));
    /* G read as column-major [nw][nv] is the transpose of the coefficients: Wb += alpha P G^T */
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bl, &bw, &bv, &alpha, P, &ld, G, &bw, &one, Wb, &ld));
    for (PetscInt i = 0; i < nw; i++) PetscCall(PetscArraycpy(w[i] + lo, Wb + i * PH_REDUCED_ROWS, len));
  }
  for (PetscInt j = 0; j < nv; j++) PetscCall(VecRestoreArrayRead(V[j], &v[j]));
  for (PetscInt i = 0; i < nw; i++) PetscCall(VecRestoreArray(W[i], &w[i]));
  PetscCall(PetscFree4(v, w, Wb, P));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The C-norms of n vectors. */
static PetscErrorCode PhReducedCNorms(PhThermal th, PetscInt n, const Vec W[], PetscReal norm[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) {
    PetscScalar dot;

    PetscCall(VecPointwiseMult(th->rate, th->capacity, W[i]));
    PetscCall(VecDot(W[i], th->rate, &dot));
    norm[i] = PetscSqrtReal(PetscAbsReal(PetscRealPart(dot)));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* At least n vectors of scratch sc, like th->T. */
static PetscErrorCode PhScratchGet(PhThermal th, PhScratch *sc, PetscInt n, Vec **v)
{
  PetscFunctionBeginUser;
  if (n > sc->n) {
    if (sc->n > 0) PetscCall(VecDestroyVecs(sc->n, &sc->v));
    PetscCall(VecDuplicateVecs(th->T, n, &sc->v));
    sc->n = n;
  }
  *v = sc->v;
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhScratchFree(PhScratch *sc)
{
  PetscFunctionBeginUser;
  if (sc->n > 0) PetscCall(VecDestroyVecs(sc->n, &sc->v));
  sc->n = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Room for n more basis vectors in V and the dense arrays. */
static PetscErrorCode PhReducedGrow(PhThermal th, PetscInt n)
{
  PhReduced  rd  = th->reduced;
  PetscInt   cap = PetscMax(rd->rcap, 32);
  PetscReal *K, *B;

  PetscFunctionBeginUser;
  if (rd->r + n <= rd->rcap) PetscFunctionReturn(PETSC_SUCCESS);
  while (cap < rd->r + n) cap *= 2;
  PetscCall(PetscRealloc(cap * sizeof(Vec), &rd->V));
  PetscCall(PetscCalloc2(cap * cap, &K, cap * PetscMax(rd->m, 1), &B));
  for (PetscInt i = 0; i < rd->r; i++) {
    for (PetscInt j = 0; j < rd->r; j++) K[i * cap + j] = rd->K[i * rd->rcap + j];
    for (PetscInt j = 0; j < rd->m; j++) B[i * rd->m + j] = rd->B[i * rd->m + j];
  }
  PetscCall(PetscFree2(rd->K, rd->B));
  rd->K    = K;
  rd->B    = B;
  rd->rcap = cap;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Add a block of n vectors W to the basis (W is overwritten): block classical Gram-Schmidt in the C inner product against
  the basis (one pass over the basis for the whole block; a second pass for the vectors that the first cancelled much,
  Daniel, Gragg, Kaufman and Stewart's criterion), then one by one against the block's vectors already added, normalised;
  a vector whose C-norm falls below PH_REDUCED_DEFLATE of its own adds nothing. K_r's new rows and columns and B_r's new
  rows follow, again one pass over the basis for the block. *nadded (may be NULL) counts the vectors added.
*/
static PetscErrorCode PhReducedAddVectors(PhThermal th, PetscInt n, Vec W[], PetscInt *nadded)
{
  PhReduced  rd = th->reduced;
  PetscInt   r0 = rd->r, nnew = 0, *redo, nredo;
  PetscReal *norm0, *norm, *G;
  Vec       *R;

  PetscFunctionBeginUser;
  if (nadded) *nadded = 0;
  if (n == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc4(n, &norm0, n, &norm, PetscMax(r0 + n, rd->m) * n, &G, n, &redo));
  PetscCall(PetscMalloc1(n, &R));
  PetscCall(PhReducedCNorms(th, n, W, norm0));
  PetscCall(PetscArraycpy(norm, norm0, n));
  for (PetscInt i = 0; i < n; i++) redo[i] = i;
  nredo = n;
  for (PetscInt pass = 0; pass < 2 && r0 > 0 && nredo > 0; pass++) { /* against the basis */
    PetscInt keep = 0;

    for (PetscInt q = 0; q < nredo; q++) R[q] = W[redo[q]];
    PetscCall(PhReducedBlockDots(th->comm, r0, rd->V, nredo, R, th->capacity, G));
    PetscCall(PhReducedBlockUpdate(r0, rd->V, nredo, R, -1.0, G));
    for (PetscInt q = 0; q < nredo; q++) {
      PetscInt  i      = redo[q];
      PetscReal before = norm[i];

      PetscCall(PhReducedCNorms(th, 1, &W[i], &norm[i]));
      if (!(norm[i] > PETSC_SQRT_MACHINE_EPSILON * before && norm[i] >= 0.7071 * before)) redo[keep++] = i;
    }
    nredo = keep;
  }
  PetscCall(PhReducedGrow(th, n));
  /* against the block's vectors added before it, normalised, added; the vectors that this cancelled much (their
     rounding along the basis grows as much) are taken against the whole basis again afterwards, together (one pass
     over the basis for all of them), each then against the block's vectors before it again, and normalised again */
  nredo = 0;
  for (PetscInt i = 0; i < n; i++) {
    PetscReal before = norm[i];

    if (nnew > 0) {
      PetscCall(PhReducedBlockDots(th->comm, nnew, rd->V + r0, 1, &W[i], th->capacity, G));
      PetscCall(PhReducedBlockUpdate(nnew, rd->V + r0, 1, &W[i], -1.0, G));
      PetscCall(PhReducedCNorms(th, 1, &W[i], &norm[i]));
    }
    if (norm0[i] == 0 || norm[i] <= PH_REDUCED_DEFLATE * norm0[i]) continue;
    if (r0 + nnew > 0 && !(norm[i] > PETSC_SQRT_MACHINE_EPSILON * before && norm[i] >= 0.7071 * before)) redo[nredo++] = nnew;
    PetscCall(VecScale(W[i], 1.0 / norm[i]));
    PetscCall(VecDuplicate(W[i], &rd->V[r0 + nnew]));
    PetscCall(VecCopy(W[i], rd->V[r0 + nnew]));
    nnew++;
  }
  if (nredo > 0) {
    for (PetscInt q = 0; q < nredo; q++) R[q] = rd->V[r0 + redo[q]];
    PetscCall(PhReducedBlockDots(th->comm, r0, rd->V, nredo, R, th->capacity, G));
    PetscCall(PhReducedBlockUpdate(r0, rd->V, nredo, R, -1.0, G));
    for (PetscInt q = 0; q < nredo; q++) {
      PetscReal nq;

      PetscCall(PhReducedBlockDots(th->comm, redo[q], rd->V + r0, 1, &R[q], th->capacity, G));
      PetscCall(PhReducedBlockUpdate(redo[q], rd->V + r0, 1, &R[q], -1.0, G));
      PetscCall(PhReducedCNorms(th, 1, &R[q], &nq));
      PetscCall(VecScale(R[q], 1.0 / nq));
    }
  }
  /* K_r: the new rows and columns (symmetric: V^T A v over the whole basis, one pass; with cold plates or
     micro-channels entry by entry); B_r: the new rows F^T v */
  if (rd->nonsym) {
    for (PetscInt q = 0; q < nnew; q++) {
      PetscScalar *dots;

      PetscCall(PetscMalloc1(PetscMax(r0 + q + 1, rd->m), &dots));
      PetscCall(PhReducedOperatorRow(th, r0 + q, PETSC_TRUE, dots));
      PetscCall(PetscFree(dots));
      rd->r++;
    }
  } else if (nnew > 0) {
    Vec *AV;

    PetscCall(PhScratchGet(th, &rd->ops, nnew, &AV));
    for (PetscInt q = 0; q < nnew; q++) PetscCall(PhThermalMultA_Private(th, rd->V[r0 + q], AV[q]));
    PetscCall(PhReducedBlockDots(th->comm, r0 + nnew, rd->V, nnew, AV, NULL, G));
    for (PetscInt j = 0; j < r0 + nnew; j++)
      for (PetscInt q = 0; q < nnew; q++) rd->K[(r0 + q) * rd->rcap + j] = rd->K[j * rd->rcap + r0 + q] = G[j * nnew + q];
    for (PetscInt q = 0; q < nnew; q++) /* the block's own entries from one side, so that K_r is exactly symmetric */
      for (PetscInt p = 0; p < q; p++) rd->K[(r0 + p) * rd->rcap + r0 + q] = rd->K[(r0 + q) * rd->rcap + r0 + p];
    PetscCall(PhReducedBlockDots(th->comm, rd->m, rd->F, nnew, rd->V + r0, NULL, G));
    for (PetscInt q = 0; q < nnew; q++)
      for (PetscInt i = 0; i < rd->m; i++) rd->B[(r0 + q) * rd->m + i] = G[i * nnew + q];
    rd->r += nnew;
  }
  if (nadded) *nadded = nnew;
  PetscCall(PetscFree4(norm0, norm, G, redo));
  PetscCall(PetscFree(R));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Add one vector w (overwritten) to the basis (PhReducedAddVectors()). */
static PetscErrorCode PhReducedAddVector(PhThermal th, Vec w, PetscBool *added)
{
  PetscInt n;

  PetscFunctionBeginUser;
  PetscCall(PhReducedAddVectors(th, 1, &w, &n));
  *added = (PetscBool)(n > 0);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Whether input i is a power (W): a source or a heat input. */
static PetscBool PhReducedIsPower(PhThermal th, PetscInt i)
{
  PhReduced rd = th->reduced;
  PetscInt  ns = th->problem->nsources, d = i - ns - rd->npatch;

  return (PetscBool)(i < ns || (d >= 0 && d < rd->nheat));
}

/* The correction d of the model's answer e at the shift of ksp: (A + s C) d = F - (A + s C) e, solved from d = 0 (e
   NULL: the answer 0). Its tolerance so applies to the model's residual: by default the solve stops at the ksp's rtol
   times the input's norm, as a solve of e + d from e would, or (rel > 0) once it has reduced the model's residual by
   rel, whichever comes first; with `relative` at rtol times the model's residual, which determines d, and the
   direction it adds to the basis, to that fraction of itself. */
static PetscErrorCode PhReducedCorrect(KSP ksp, PetscReal s, Vec F, Vec e, Vec d, Vec res, PetscBool relative, PetscReal rel)
{
  Mat                op;
  PetscReal          rtol, atol, fnorm;
  PetscInt           maxit;
  KSPConvergedReason reason;

  PetscFunctionBeginUser;
  if (e != NULL) {
    PetscCall(KSPGetOperators(ksp, &op, NULL));
    PetscCall(MatMult(op, e, res));
    PetscCall(VecAYPX(res, -1.0, F));
  } else PetscCall(VecCopy(F, res));
  PetscCall(KSPGetTolerances(ksp, &rtol, &atol, NULL, &maxit));
  if (!relative) {
    PetscCall(VecNorm(F, NORM_2, &fnorm));
    PetscCall(KSPSetTolerances(ksp, rel > 0 ? rel : rtol, PetscMax(atol, rtol * fnorm), PETSC_DEFAULT, maxit));
  }
  PetscCall(VecSet(d, 0.0));
  PetscCall(KSPSetInitialGuessNonzero(ksp, PETSC_FALSE));
  PetscCall(KSPSolve(ksp, res, d));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCall(KSPSetTolerances(ksp, rtol, atol, PETSC_DEFAULT, maxit));
  PetscCheck(reason > 0, PetscObjectComm((PetscObject)ksp), PETSC_ERR_NOT_CONVERGED,
             "reduced model: the solve at shift %.3g 1/s did not converge (%s)", (double)s, KSPConvergedReasons[reason]);
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhReducedSolve(PhReduced rd, PetscReal s, PetscReal Y[]);

/* Solve (A + s C) X = F for every input still enriched, and add the solutions to the basis (or keep them in `keep`
   when given). Each solve is of the model's own error, from the residual of its answer V y (PhReducedCorrect()); the
   shifted solves stop at PH_REDUCED_RTOL of the input or at PH_REDUCED_REL of the model's residual, whichever is first
   (the steady ones, whose gains are exact, at the solver's default): the model's error at the shift, which is both
   the estimate and the new direction, is then known to 1e-4 of itself. On the 2.5D example at 0.15 mm (60 s at 1 ms)
   1e-4 leaves the errors against the tight full model as they were (rings 0.0049 K, sources 0.025 K), 1e-3 makes the
   rings 0.009 K, 1e-2 0.048 K and the source means 0.092 K with an estimate of 0.027 K.
   -ph_reduced_ksp_rtol R makes it R of the model's residual, and refines the steady solves, which have no model to
   start from, once from their residual: then every vector is known to about R of its own new part, which is what makes
   the basis, and the model, the same on any number of ranks (a new part of 1e-7 of the solution, as micro-channel
   cases have, would otherwise carry the solves' partition-dependent error amplified 1e7 times). *error (K) is the error of the model before this shift at s, weighted by the
   inputs' magnitudes: the largest over the outputs (source and heat input means) and over the cells of the sources
   (their t_max). An input whose own share of that error stays below PH_REDUCED_RETIRE of the tolerance at two shifts in
   a row is retired: later shifts do not solve for it, and its last share is added to every later estimate. */
static PetscErrorCode PhReducedAddShift(PhThermal th, KSP ksp, PetscReal s, Vec *keep, PetscReal *error)
{
  PhReduced  rd = th->reduced;
  PetscInt   ns = th->problem->nsources;
  PC         pc;
  Vec       *X, *E, res;
  PetscReal *Y, *out, *err, *emax, *emean, share, retired = 0, rtol_default, pmax = 0;
  PetscInt   r0 = rd->r, *worst, *act, nact = 0; /* the model before this shift; the worst cell of each source; the inputs solved for */
  PetscBool  user_rtol;

  PetscFunctionBeginUser;
  PetscCall(PhThermalSetShift_Private(th, s));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PhThermalUpdateMG_Private(th, pc));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-ph_reduced_ksp_rtol", &user_rtol));
  PetscCall(KSPGetTolerances(ksp, &rtol_default, NULL, NULL, NULL));
  if (!user_rtol && s > 0) PetscCall(KSPSetTolerances(ksp, PH_REDUCED_RTOL, PETSC_DEFAULT, PETSC_DEFAULT, PETSC_DEFAULT));
  PetscCall(PetscMalloc5(r0 * PetscMax(rd->m, 1) + 1, &Y, rd->nout + 1, &out, rd->nout + ns + 1, &err, ns + 1, &emax, ns + 1, &emean));
  if (r0 > 0) PetscCall(PhReducedSolve(rd, s, Y));
  PetscCall(PetscArrayzero(err, rd->nout + ns));
  PetscCall(PetscArrayzero(emean, ns)); /* here: the largest weighted error of each source's cells at this shift */
  PetscCall(PetscMalloc2(ns + 1, &worst, rd->m + 1, &act));
  for (PetscInt b = 0; b < ns; b++) worst[b] = PETSC_MAX_INT;
  for (PetscInt i = 0; i < rd->m; i++) /* the largest power input */
    if (PhReducedIsPower(th, i)) pmax = PetscMax(pmax, rd->amp[i]);
  for (PetscInt i = 0; i < rd->m; i++) { /* the inputs solved for at this shift */
    if (rd->amp[i] == 0) continue;
    if (rd->retired[i] > 0) retired += rd->share[i];
    else act[nact++] = i;
  }
  PetscCall(PhScratchGet(th, &rd->solves, 2 * nact + 1, &X));
  E   = X + nact;
  res = X[2 * nact];
  /* the model's answers V y (kept in E): one pass over the basis */
  for (PetscInt q = 0; q < nact; q++) PetscCall(VecSet(E[q], 0.0));
  if (r0 > 0) {
    PetscReal *Ya;

    PetscCall(PetscMalloc1(r0 * nact + 1, &Ya));
    for (PetscInt q = 0; q < nact; q++)
      for (PetscInt j = 0; j < r0; j++) Ya[j * nact + q] = Y[act[q] * r0 + j];
    PetscCall(PhReducedBlockUpdate(r0, rd->V, nact, E, 1.0, Ya));
    PetscCall(PetscFree(Ya));
  }
  for (PetscInt q = 0; q < nact; q++) {
    PetscInt i = act[q];
    Vec      x = X[q], e = E[q];

    /* the model's error at s, solved from the residual of its answer (in x); a power input far smaller than the
       largest (a ring heater beside the ASIC) to a tolerance as much looser, at most PH_REDUCED_AMP_LOOSE times: the
       same accuracy in kelvin at the inputs' largest magnitudes */
    if (!user_rtol && PhReducedIsPower(th, i) && rd->amp[i] > 0) {
      PetscReal rtol, atol;
      PetscInt  maxit;

      PetscCall(KSPGetTolerances(ksp, &rtol, &atol, NULL, &maxit));
      PetscCall(KSPSetTolerances(ksp, rtol * PetscClipInterval(pmax / rd->amp[i], 1, PH_REDUCED_AMP_LOOSE), atol, PETSC_DEFAULT, maxit));
      PetscCall(PhReducedCorrect(ksp, s, rd->F[i], r0 > 0 ? e : NULL, x, res, user_rtol, s > 0 ? PH_REDUCED_REL : 0));
      PetscCall(KSPSetTolerances(ksp, rtol, atol, PETSC_DEFAULT, maxit));
    } else PetscCall(PhReducedCorrect(ksp, s, rd->F[i], r0 > 0 ? e : NULL, x, res, user_rtol, s > 0 ? PH_REDUCED_REL : 0));
    if (keep != NULL) {
      if (user_rtol) { /* no answer of a model to start from: refined once from the residual of the first solve */
        PetscCall(PhReducedCorrect(ksp, s, rd->F[i], x, e, res, PETSC_TRUE, 0));
        PetscCall(VecAXPY(x, 1.0, e));
      }
      PetscCall(VecDuplicate(x, &keep[i]));
      PetscCall(VecCopy(x, keep[i]));
      continue;
    }
    PetscCall(VecAXPY(e, 1.0, x)); /* e: the solution at s, x: the error of the model before this shift in every cell */
    PetscCall(PhReducedOutputs(th, x, out));
    share = 0;
    for (PetscInt o = 0; o < rd->nout; o++) {
      err[o] += rd->amp[i] * PetscAbsReal(out[o]);
      share = PetscMax(share, rd->amp[i] * PetscAbsReal(out[o]));
    }
    PetscCall(VecAbs(x));
    for (PetscInt b = 0; b < ns; b++) {
      PetscInt g;

      PetscCall(PhReducedBoxArgmax(th, x, &th->src_box[b], &emax[b], &g));
      err[rd->nout + b] += rd->amp[i] * emax[b];
      share = PetscMax(share, rd->amp[i] * emax[b]);
      if (rd->amp[i] * emax[b] > emean[b]) { /* the worst cell of the source at this shift */
        emean[b] = rd->amp[i] * emax[b];
        worst[b] = g;
      }
    }
    rd->share[i]   = share;
    rd->retired[i] = share <= PH_REDUCED_RETIRE * th->reduced_tolerance ? rd->retired[i] - 1 : 0;
    if (rd->retired[i] <= -2) { /* below at two shifts in a row */
      rd->retired[i] = 1;
      PetscCall(PetscInfo(NULL, "reduced model: input %d retired after shift %g 1/s (its share of the error %g K)\n", (int)i, (double)s,
                          (double)share));
    }
  }
  if (keep == NULL) PetscCall(PhReducedAddVectors(th, nact, E, NULL)); /* the solutions */
  *error = 0;
  for (PetscInt o = 0; o < rd->nout + ns; o++) *error = PetscMax(*error, err[o]);
  *error += retired;
  for (PetscInt b = 0; keep == NULL && b < ns; b++)
    if (worst[b] != PETSC_MAX_INT) PetscCall(PhReducedAddHot(th, worst[b]));
  PetscCall(PetscFree2(worst, act));
  PetscCall(PetscFree5(Y, out, err, emax, emean));
  if (!user_rtol) PetscCall(KSPSetTolerances(ksp, rtol_default, PETSC_DEFAULT, PETSC_DEFAULT, PETSC_DEFAULT));
  rd->shifts[rd->nshift++] = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The reduced responses Y = (K_r + s I)^-1 B_r, [m][r] (one column of r per input), by a dense Cholesky solve. */
static PetscErrorCode PhReducedSolve(PhReduced rd, PetscReal s, PetscReal Y[])
{
  PetscBLASInt n, nrhs, info;
  PetscReal   *M;

  PetscFunctionBeginUser;
  PetscCall(PetscBLASIntCast(rd->r, &n));
  PetscCall(PetscBLASIntCast(rd->m, &nrhs));
  PetscCall(PetscMalloc1(rd->r * rd->r, &M));
  for (PetscInt i = 0; i < rd->r; i++)
    for (PetscInt j = 0; j < rd->r; j++) M[j * rd->r + i] = rd->K[i * rd->rcap + j] + (i == j ? s : 0);
  for (PetscInt i = 0; i < rd->r; i++)
    for (PetscInt c = 0; c < rd->m; c++) Y[c * rd->r + i] = rd->B[i * rd->m + c];
  if (rd->nonsym) { /* cold plates: K_r + s I is not symmetric; its symmetric part is positive definite, so LU needs no care */
    PetscBLASInt *piv;

    PetscCall(PetscMalloc1(rd->r, &piv));
    PetscCallBLAS("LAPACKgesv", LAPACKgesv_(&n, &nrhs, M, &n, piv, Y, &n, &info));
    PetscCall(PetscFree(piv));
    PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "reduced model: K_r + s I is singular at s = %g (%d)", (double)s, (int)info);
    PetscCall(PetscFree(M));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCallBLAS("LAPACKpotrf", LAPACKpotrf_("L", &n, M, &n, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "reduced model: K_r + s I is not positive definite at s = %g (%d)", (double)s, (int)info);
  PetscCallBLAS("LAPACKpotrs", LAPACKpotrs_("L", &n, &nrhs, M, &n, Y, &n, &info));
  PetscCall(PetscFree(M));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The modes of the leading n x n block of K_r: eigenvalues lam[n] and eigenvectors Q[n][n] (column k: mode k, Q
   orthogonal). With cold plates or micro-channels K_r is not symmetric (rd->nonsym): its eigenvalues come in real
   ones and conjugate pairs a +- i b. A pair takes two columns u, v (K_r (u + i v) = (a + i b) (u + i v)) and
   lim[k] = b > 0, lim[k + 1] = -b (lim NULL: symmetric only): in the real modes z = Q^-1 x the pair's z_u + i z_v then
   decays as exp(-(a - i b) t) and its outputs are those of z_u and z_v. */
static PetscErrorCode PhReducedModes(PhReduced rd, PetscInt n, PetscReal lam[], PetscReal lim[], PetscReal Q[])
{
  PetscBLASInt bn, lwork, info, one = 1;
  PetscReal   *work, *M;

  PetscFunctionBeginUser;
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscBLASIntCast(PetscMax(1, 4 * n), &lwork));
  PetscCall(PetscMalloc2(PetscMax(1, 4 * n), &work, rd->nonsym ? n * n : 1, &M));
  if (!rd->nonsym) {
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt j = 0; j < n; j++) Q[j * n + i] = rd->K[i * rd->rcap + j];
    PetscCallBLAS("LAPACKsyev", LAPACKsyev_("V", "U", &bn, Q, &bn, lam, work, &lwork, &info));
    for (PetscInt k = 0; lim != NULL && k < n; k++) lim[k] = 0;
  } else {
    for (PetscInt i = 0; i < n; i++)
      for (PetscInt j = 0; j < n; j++) M[j * n + i] = rd->K[i * rd->rcap + j];
    PetscCallBLAS("LAPACKgeev", LAPACKgeev_("N", "V", &bn, M, &bn, lam, lim, NULL, &one, Q, &bn, work, &lwork, &info));
  }
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "reduced model: the eigenvalues of K_r failed (%d)", (int)info);
  PetscCall(PetscFree2(work, M));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static inline PetscReal PhReducedDot(const PetscReal *a, const PetscReal *b, PetscInt n)
{
  PetscReal s = 0;

  for (PetscInt i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

static void PhReducedPhi(PetscReal l, PetscReal h, PetscReal *e, PetscReal *phi1, PetscReal *phi2, PetscReal *psi1, PetscReal *psi2);

/* PhReducedPhi()'s e, phi1 and phi2 for a pair of modes (PhReducedModes(): z_u + i z_v decays at l = a - i b): their
   real parts in ph[0..2], their imaginary parts in ph[3..5]; by the series below |l h| = 1/2 (20 terms, to rounding),
   else in closed form. */
static void PhReducedPhiPair(PetscReal a, PetscReal b, PetscReal h, PetscReal ph[6])
{
  const PetscComplex l = PetscCMPLX(a, -b), x = l * h, e = PetscExpComplex(-x);
  PetscComplex       phi1, phi2;

  if (PetscAbsComplex(x) < 0.5) {
    PetscComplex term = 1;
    PetscReal    fact = 1;

    phi1 = phi2 = 0;
    for (PetscInt j = 0; j < 20; j++) { /* phi1 / h = sum (-x)^j / (j + 1)!, phi2 / h = sum (-x)^j / (j + 2)! */
      fact *= j + 1;
      phi1 += term / fact;
      phi2 += term / (fact * (j + 2));
      term *= -x;
    }
    phi1 *= h;
    phi2 *= h;
  } else {
    phi1 = (1 - e) / l;
    phi2 = (x - 1 + e) / (l * x);
  }
  ph[0] = PetscRealPartComplex(e);
  ph[1] = PetscRealPartComplex(phi1);
  ph[2] = PetscRealPartComplex(phi2);
  ph[3] = PetscImaginaryPartComplex(e);
  ph[4] = PetscImaginaryPartComplex(phi1);
  ph[5] = PetscImaginaryPartComplex(phi2);
}

/* One interval of mode k (a pair: modes k and k + 1, PhReducedModes()) from y with the modal inputs b0 at the start and
   b1 at the end, linear between (PhReducedPhi()'s propagators in ph[3 k ..]). */
static inline void PhReducedModeStep(PetscInt k, PetscBool pair, const PetscReal ph[], PetscReal y[], const PetscReal b0[], const PetscReal b1[])
{
  const PetscReal *r = ph + 3 * k, *i = r + 3;
  PetscReal        yr = y[k], yi, dr = b1[k] - b0[k], di;

  if (!pair) {
    y[k] = r[0] * yr + b0[k] * r[1] + dr * r[2];
    return;
  }
  yi       = y[k + 1]; /* complex: z = e z + b0 phi1 + (b1 - b0) phi2 */
  di       = b1[k + 1] - b0[k + 1];
  y[k]     = r[0] * yr - i[0] * yi + b0[k] * r[1] - b0[k + 1] * i[1] + dr * r[2] - di * i[2];
  y[k + 1] = r[0] * yi + i[0] * yr + b0[k] * i[1] + b0[k + 1] * r[1] + dr * i[2] + di * r[2];
}

/* The modal form of the model of the first n basis vectors: its modes lam[n] (and lim[n], PhReducedModes()), the
   outputs of each mode P[no][n] = O Q and the inputs of each mode R[n][m] = Q^-1 B (symmetric: the impulse response
   of output o to input i is h_oi(t) = sum_k P[o][k] R[k][i] exp(-lam_k t)), and the modal state z0 = Q^-1 x0 of
   reduced coordinates x0 (NULL: none) that are zero beyond the first n. *ok is false when the modes of a
   non-symmetric K_r are too close to dependent (reciprocal condition number of Q below 1e-12) to be used. */
static PetscErrorCode PhReducedModalIO(PhReduced rd, PetscInt n, const PetscReal x0[], PetscReal lam[], PetscReal lim[], PetscReal P[], PetscReal R[],
                                       PetscReal z0[], PetscBool *ok)
{
  PetscInt   m = rd->m, no = rd->nout;
  PetscReal *Q;

  PetscFunctionBeginUser;
  *ok = PETSC_TRUE;
  PetscCall(PetscMalloc1(n * n, &Q));
  PetscCall(PhReducedModes(rd, n, lam, lim, Q));
  for (PetscInt o = 0; o < no; o++)
    for (PetscInt k = 0; k < n; k++) {
      PetscReal v = 0;

      for (PetscInt j = 0; j < n; j++) v += rd->O[o * rd->ocap + j] * Q[k * n + j];
      P[o * n + k] = v;
    }
  if (rd->nonsym) { /* R, z0 and Q^-1 (for its condition number) by one LU solve with Q (column-major) */
    PetscBLASInt bn, nrhs, info, *ipiv;
    PetscReal   *X, anorm = 0, inorm = 0;

    PetscCall(PetscBLASIntCast(n, &bn));
    PetscCall(PetscBLASIntCast(m + 1 + n, &nrhs));
    PetscCall(PetscCalloc2(n * (m + 1 + n), &X, n, &ipiv));
    for (PetscInt k = 0; k < n; k++) {
      PetscReal col = 0;

      for (PetscInt j = 0; j < n; j++) col += PetscAbsReal(Q[k * n + j]);
      anorm = PetscMax(anorm, col);
    }
    for (PetscInt j = 0; j < n; j++) {
      for (PetscInt i = 0; i < m; i++) X[i * n + j] = rd->B[j * m + i];
      X[m * n + j]           = x0 != NULL ? x0[j] : 0;
      X[(m + 1 + j) * n + j] = 1;
    }
    PetscCallBLAS("LAPACKgetrf", LAPACKgetrf_(&bn, &bn, Q, &bn, ipiv, &info));
    if (info == 0) PetscCallBLAS("LAPACKgetrs", LAPACKgetrs_("N", &bn, &nrhs, Q, &bn, ipiv, X, &bn, &info));
    for (PetscInt k = 0; info == 0 && k < n; k++) {
      PetscReal col = 0;

      for (PetscInt j = 0; j < n; j++) col += PetscAbsReal(X[(m + 1 + k) * n + j]);
      inorm = PetscMax(inorm, col);
    }
    *ok = (PetscBool)(info == 0 && anorm * inorm <= 1e12);
    {
      PetscInt npair = 0;

      for (PetscInt k = 0; k < n; k++) npair += lim[k] > 0;
      PetscCall(PetscInfo(NULL, "reduced model: %d modes of a non-symmetric K_r, %d of them in complex pairs, condition number %g\n", (int)n,
                          (int)(2 * npair), (double)(anorm * inorm)));
    }
    for (PetscInt k = 0; *ok && k < n; k++) {
      for (PetscInt i = 0; i < m; i++) R[k * m + i] = X[i * n + k];
      if (x0 != NULL) z0[k] = X[m * n + k];
    }
    PetscCall(PetscFree2(X, ipiv));
    PetscCall(PetscFree(Q));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  for (PetscInt k = 0; k < n; k++)
    for (PetscInt i = 0; i < m; i++) {
      PetscReal v = 0;

      for (PetscInt j = 0; j < n; j++) v += Q[k * n + j] * rd->B[j * m + i];
      R[k * m + i] = v;
    }
  for (PetscInt k = 0; x0 != NULL && k < n; k++) {
    PetscReal v = 0;

    for (PetscInt j = 0; j < n; j++) v += Q[k * n + j] * x0[j];
    z0[k] = v;
  }
  PetscCall(PetscFree(Q));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* What the part of input i that is not known before the run can make an output move by, from the integrals pn[0] and
   pn[1] of the positive and negative parts of its impulse response. Over every trace (th->any_trace) nothing is known:
   a power (of a source or a heat input) lies in [0, amp], so the output stays within [-amp pn[1], amp pn[0]]; a
   boundary value or a cavity's inlet may take either sign. With the run's own traces, the source powers, boundary
   values and inlets are known (PhReducedTraceError() follows them); what is not is the leakage of a source, in
   [0, 2 leak_p_ref], and a heat input's departure from its initial power u0, in [-u0, amp - u0]. */
static inline PetscReal PhReducedInputBound(PhThermal th, PetscInt i, const PetscReal pn[2])
{
  PhReduced rd = th->reduced;
  PhCase    pb = th->problem;
  PetscInt  ns = pb->nsources, d = i - ns - rd->npatch;

  if (th->any_trace) return rd->amp[i] * (PhReducedIsPower(th, i) ? PetscMax(pn[0], pn[1]) : pn[0] + pn[1]);
  if (i < ns) return pb->sources[i].has_leakage ? 2 * pb->sources[i].leak_p_ref * PetscMax(pn[0], pn[1]) : 0;
  if (d >= 0 && d < rd->nheat) {
    PetscReal u0 = PetscMin(PetscMax(th->input_power[d], 0), rd->amp[d + ns + rd->npatch]), hi = rd->amp[d + ns + rd->npatch] - u0;

    return PetscMax(hi * pn[0] + u0 * pn[1], hi * pn[1] + u0 * pn[0]);
  }
  return 0;
}

/* The reduced coordinates of the initial rise T - T_ref, which lies in the span of the first rd->ninit basis vectors
   (the uniform field, the steady responses, the initial rise): x0[r], zero beyond those. */
static PetscErrorCode PhReducedInitialCoordinates(PhThermal th, PetscReal x0[])
{
  PhReduced    rd = th->reduced;
  Vec          w;
  PetscScalar *dots;
  PetscInt     n = PetscMin(rd->r, rd->ninit);

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(x0, rd->r));
  PetscCall(VecDuplicate(th->T, &w));
  PetscCall(VecCopy(th->T, w));
  PetscCall(VecShift(w, -th->t_ref));
  PetscCall(VecPointwiseMult(th->rate, th->capacity, w));
  PetscCall(PetscMalloc1(n + 1, &dots));
  PetscCall(VecMDot(th->rate, n, rd->V, dots));
  for (PetscInt j = 0; j < n; j++) x0[j] = PetscRealPart(dots[j]);
  PetscCall(PetscFree(dots));
  PetscCall(VecDestroy(&w));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* emax[o] = max(emax[o], |(P Y)[o][c]|) over the nb modal states Y[nb][nd] (e[] scratch of no x nb). */
static PetscErrorCode PhReducedTraceOutputs(PetscInt nd, PetscInt no, PetscInt nb, const PetscReal P[], const PetscReal Y[], PetscReal e[],
                                            PetscReal emax[])
{
  PetscBLASInt bn, bno, bnb;
  PetscReal    one = 1, zero = 0;

  PetscFunctionBeginUser;
  if (no == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscBLASIntCast(nd, &bn));
  PetscCall(PetscBLASIntCast(no, &bno));
  PetscCall(PetscBLASIntCast(nb, &bnb));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bno, &bnb, &bn, &one, P, &bn, Y, &bn, &zero, e, &bno));
  for (PetscInt c = 0; c < nb; c++)
    for (PetscInt o = 0; o < no; o++) emax[o] = PetscMax(emax[o], PetscAbsReal(e[c * no + o]));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The run's own inputs: the difference of two models given as one modal system of nd modes
  (lam[nd], outputs P[no][nd] with the smaller model's rows negated, inputs R[nd][m], initial modal state y0[nd]),
  driven from the initial field by the inputs the run will see (PhReducedInputs(): the case's source powers, boundary
  values and inlets; heat inputs held at their initial powers, no leakage) between the run's landings (every change of
  an input and every series sample), exactly as the run steps its modes. emax[o] is the largest |difference| of output o
  over the samples; share[i], for the known inputs with retired[i] == 1, the largest part of input i alone in the
  output `worst` (a second pass, only when asked for with worst >= 0).
*/
static PetscErrorCode PhReducedTraceError(PhThermal th, PetscInt nd, const PetscReal lam[], const PetscReal lim[], const PetscReal P[],
                                          const PetscReal R[], const PetscReal y0[], PetscInt worst, PetscReal emax[], PetscReal share[])
{
  PhCase     pb = th->problem;
  PhReduced  rd = th->reduced;
  PetscInt   m = rd->m, no = rd->nout, nknown = pb->nsources + rd->npatch, nsel = 0, *sel;
  PetscReal  tend = pb->time.end, every = pb->output.series_every > 0 ? pb->output.series_every : tend;
  PetscReal  eps = 1e-12 * PetscMax(1.0, tend), t = 0, *y, *ph = NULL, *phc, hc[PH_REDUCED_TD_NPHI], *u0, *u1, *a0, *a1, *ys, *up, *ev, *c0, *c1;
  PetscReal *yb; /* the modal states of up to PH_REDUCED_TD_BATCH samples whose outputs are still to be formed */
  PetscInt64 j  = 1;
  PetscInt   nc = 0, cnext = 0, nb = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(PetscMax(m, 1), &sel));
  if (worst >= 0)
    for (PetscInt i = 0; i < nknown; i++)
      if (rd->retired[i] == 1) sel[nsel++] = i;
  PetscCall(PetscMalloc5(nd, &y, PH_REDUCED_TD_NPHI * 3 * nd, &phc, PetscMax(m, 1), &u0, PetscMax(m, 1), &u1, nd, &a0));
  PetscCall(PetscMalloc4(nd, &a1, nd * PetscMax(nsel, 1), &ys, 2 * PetscMax(m, 1), &up, (no + 1) * PH_REDUCED_TD_BATCH, &ev));
  PetscCall(PetscMalloc1(nd * PH_REDUCED_TD_BATCH, &yb));
  PetscCall(PetscMalloc2(nd, &c0, nd, &c1));
  PetscCall(PetscArraycpy(y, y0, nd));
  PetscCall(PetscArrayzero(ys, nd * PetscMax(nsel, 1)));
  for (PetscInt o = 0; o < no; o++) emax[o] = 0;
  for (PetscInt q = 0; q < nsel; q++) share[sel[q]] = 0;
  for (PetscInt i = 0; i < 2 * m; i++) up[i] = PETSC_MAX_REAL;
  while (t < tend - eps) {
    PetscReal tb, ts = (PetscReal)j * every, t1, h;
    PetscBool same = PETSC_TRUE;

    PetscCall(PhThermalNextInputChange_Private(th, t, &tb));
    t1 = PetscMin(PetscMin(tb, ts), tend);
    h  = t1 - t;
    PetscCheck(h > 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "reduced model: the time-domain check made no progress at t = %g s", (double)t);
    PhReducedInputs(th, t, t1, PETSC_FALSE, u0);
    PhReducedInputs(th, t, t1, PETSC_TRUE, u1);
    for (PetscInt i = 0; i < m; i++) same = (PetscBool)(same && u0[i] == up[i] && u1[i] == up[m + i]);
    if (!same) { /* the modes' inputs at both ends (held inputs between many samples: computed once) */
      for (PetscInt k = 0; k < nd; k++) {
        PetscReal b0 = 0, b1 = 0;

        for (PetscInt i = 0; i < m; i++) {
          b0 += R[k * m + i] * u0[i];
          b1 += R[k * m + i] * u1[i];
        }
        a0[k] = b0;
        a1[k] = b1;
      }
      PetscCall(PetscArraycpy(up, u0, m));
      PetscCall(PetscArraycpy(up + m, u1, m));
    }
    ph = NULL; /* the propagators of this interval length (most are one sample long; the last few lengths are kept) */
    for (PetscInt q = 0; q < nc && !ph; q++)
      if (PetscAbsReal(h - hc[q]) <= 1e-14 * h) ph = phc + q * 3 * nd;
    if (!ph) {
      const PetscInt e = nc < PH_REDUCED_TD_NPHI ? nc++ : cnext;

      cnext = (e + 1) % PH_REDUCED_TD_NPHI;
      hc[e] = h;
      ph    = phc + e * 3 * nd;
      for (PetscInt k = 0; k < nd; k++) {
        PetscReal psi1, psi2;

        if (lim[k] > 0) {
          PhReducedPhiPair(lam[k], lim[k], h, &ph[3 * k]);
          k++;
        } else PhReducedPhi(lam[k], h, &ph[3 * k], &ph[3 * k + 1], &ph[3 * k + 2], &psi1, &psi2);
      }
    }
    for (PetscInt k = 0; k < nd; k++) {
      PhReducedModeStep(k, (PetscBool)(lim[k] > 0), ph, y, a0, a1);
      if (lim[k] > 0) k++;
    }
    for (PetscInt q = 0; q < nsel; q++) {
      PetscInt i = sel[q];

      for (PetscInt k = 0; k < nd; k++) {
        c0[k] = R[k * m + i] * u0[i];
        c1[k] = R[k * m + i] * u1[i];
      }
      for (PetscInt k = 0; k < nd; k++) {
        PhReducedModeStep(k, (PetscBool)(lim[k] > 0), ph, ys + q * nd, c0, c1);
        if (lim[k] > 0) k++;
      }
    }
    t = t1;
    if (t < ts - eps && t < tend - eps) continue;
    while ((PetscReal)j * every <= t + eps) j++;
    if (worst < 0) { /* e = P y, P row-major [no][nd]: kept for a batch of samples, formed by one product */
      PetscCall(PetscArraycpy(yb + nb * nd, y, nd));
      if (++nb == PH_REDUCED_TD_BATCH || !(t < tend - eps)) {
        PetscCall(PhReducedTraceOutputs(nd, no, nb, P, yb, ev, emax));
        nb = 0;
      }
    }
    for (PetscInt q = 0; q < nsel; q++) share[sel[q]] = PetscMax(share[sel[q]], PetscAbsReal(PhReducedDot(P + worst * nd, ys + q * nd, nd)));
  }
  PetscCheck(nb == 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "reduced model: %d samples of the time-domain check left unchecked", (int)nb);
  PetscCall(PetscFree(yb));
  PetscCall(PetscFree5(y, phc, u0, u1, a0));
  PetscCall(PetscFree4(a1, ys, up, ev));
  PetscCall(PetscFree2(c0, c1));
  PetscCall(PetscFree(sel));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The time-domain estimate: the model of the first n1 basis vectors against the whole model. For every output o and
  input i the difference dh of their impulse responses, its positive and negative parts integrated over [0, time.end],
  bounds what that input can make the two differ by at any instant, whatever its trace (e(t) = int_0^t
  dh(tau) u(t - tau) dtau; PhReducedInputBound()). Over every trace (a model for reuse, th->any_trace) *err is the
  largest sum of these bounds over the inputs; for the run's own inputs, the largest difference of the two models
  driven by them from the initial field (PhReducedTraceError()) plus the bounds of what is not known before the run
  (leakage, heat inputs). *tpeak is the time where the worst output's impulse-response difference is largest (per
  logarithmic interval), share[i] each input's part of *err. Only the reduced model is used: a few dense products per
  point of a logarithmic time grid, and with the run's own inputs a modal update per landing.
*/
static PetscErrorCode PhReducedTimeError(PhThermal th, PetscInt n1, PetscReal *err, PetscReal *tpeak, PetscReal share[], PetscBool *ok)
{
  PhReduced  rd = th->reduced;
  PetscInt   r = rd->r, m = rd->m, no = rd->nout, nt, worst = 0, nd = r + n1;
  PetscReal *lam, *lim, *P, *R, *G, *acc, *prev, *cur, *peak, *peakt, *emax, *y0, *x0, t_lo, t_hi;
  PetscBool  ok1;

  PetscFunctionBeginUser;
  /* the outputs of every basis vector (kept: a later call forms only the new columns) */
  if (rd->ocap < r) {
    PetscInt   cap = PetscMax(rd->rcap, r);
    PetscReal *O;

    PetscCall(PetscCalloc1(PetscMax(no, 1) * cap, &O));
    for (PetscInt o = 0; o < no; o++)
      for (PetscInt k = 0; k < rd->ocols; k++) O[o * cap + k] = rd->O[o * rd->ocap + k];
    PetscCall(PetscFree(rd->O));
    rd->O    = O;
    rd->ocap = cap;
  }
  {
    PetscReal *out;

    PetscCall(PetscMalloc1(no + 1, &out));
    for (PetscInt k = rd->ocols; k < r; k++) {
      PetscCall(PhReducedOutputs(th, rd->V[k], out));
      for (PetscInt o = 0; o < no; o++) rd->O[o * rd->ocap + k] = out[o];
    }
    rd->ocols = r;
    PetscCall(PetscFree(out));
  }
  t_lo = 1e-3 * PetscMin(th->problem->output.series_every, th->problem->time.end);
  t_hi = th->problem->time.end;
  nt   = (PetscInt)PetscCeilReal(PH_REDUCED_TD_PER_DEC * PetscLog10Real(t_hi / t_lo)) + 1;
  /* both models as one modal system of r + n1 modes whose output is their difference: the whole model's modes first,
     the smaller model's outputs negated; both from the initial field, which the first two vectors hold */
  PetscCall(PetscMalloc5(nd, &lam, no * nd + 1, &P, nd * m + 1, &R, nd, &y0, r, &x0));
  PetscCall(PetscMalloc5(nd * m + 1, &G, 2 * no * m + 1, &acc, no * m + 1, &prev, no * m + 1, &cur, no + 1, &peak));
  PetscCall(PetscMalloc1(nd, &lim));
  PetscCall(PetscCalloc2(no + 1, &emax, no + 1, &peakt));
  if (!th->any_trace) PetscCall(PhReducedInitialCoordinates(th, x0));
  else PetscCall(PetscArrayzero(x0, r));
  {
    PetscReal *P1, *Pr;

    PetscCall(PetscMalloc2(no * n1 + 1, &P1, no * r + 1, &Pr));
    PetscCall(PhReducedModalIO(rd, r, x0, lam, lim, Pr, R, y0, ok));
    PetscCall(PhReducedModalIO(rd, n1, x0, lam + r, lim + r, P1, R + r * m, y0 + r, &ok1));
    *ok = (PetscBool)(*ok && ok1);
    for (PetscInt o = 0; o < no; o++) {
      for (PetscInt k = 0; k < r; k++) P[o * nd + k] = Pr[o * r + k];
      for (PetscInt k = 0; k < n1; k++) P[o * nd + r + k] = -P1[o * n1 + k];
    }
    PetscCall(PetscFree2(P1, Pr));
  }
  if (!*ok) { /* the modes of a non-symmetric K_r, too close to dependent */
    PetscCall(PetscFree5(lam, P, R, y0, x0));
    PetscCall(PetscFree5(G, acc, prev, cur, peak));
    PetscCall(PetscFree2(emax, peakt));
    PetscCall(PetscFree(lim));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PetscArrayzero(acc, 2 * no * m)); /* the integrals of the positive and of the negative part of dh */
  PetscCall(PetscArrayzero(peak, no));
  for (PetscInt j = 0; j <= nt; j++) { /* t = 0, then the logarithmic grid; trapezoids */
    PetscReal t = j == 0 ? 0 : t_lo * PetscPowReal(t_hi / t_lo, (PetscReal)(j - 1) / (nt - 1)), tp;

    for (PetscInt k = 0; k < nd; k++) { /* G = exp(-D t) R, D the modes' block diagonal */
      if (lim[k] > 0) {                 /* a pair: (G_u + i G_v) = exp(-(a - i b) t) (R_u + i R_v) */
        PetscReal d = PetscExpReal(-lam[k] * t), c = d * PetscCosReal(lim[k] * t), sn = d * PetscSinReal(lim[k] * t);

        for (PetscInt i = 0; i < m; i++) {
          G[k * m + i]       = c * R[k * m + i] - sn * R[(k + 1) * m + i];
          G[(k + 1) * m + i] = sn * R[k * m + i] + c * R[(k + 1) * m + i];
        }
        k++;
      } else {
        PetscReal d = PetscExpReal(-lam[k] * t);

        for (PetscInt i = 0; i < m; i++) G[k * m + i] = R[k * m + i] * d;
      }
    }
    for (PetscInt o = 0; o < no; o++)
      for (PetscInt i = 0; i < m; i++) {
        PetscReal h = 0;

        for (PetscInt k = 0; k < nd; k++) h += P[o * nd + k] * G[k * m + i];
        cur[o * m + i] = h;
      }
    if (j > 0) {
      tp = j == 1 ? 0 : t_lo * PetscPowReal(t_hi / t_lo, (PetscReal)(j - 2) / (nt - 1));
      for (PetscInt o = 0; o < no; o++) {
        PetscReal piece = 0;

        for (PetscInt i = 0; i < m; i++) {
          PetscReal c = cur[o * m + i], q = prev[o * m + i];

          acc[2 * (o * m + i)] += 0.5 * (t - tp) * (PetscMax(c, 0) + PetscMax(q, 0));
          acc[2 * (o * m + i) + 1] += 0.5 * (t - tp) * (PetscMax(-c, 0) + PetscMax(-q, 0));
          piece += rd->amp[i] * 0.5 * (t - tp) * (PetscAbsReal(c) + PetscAbsReal(q));
        }
        if (piece > peak[o]) {
          peak[o]  = piece;
          peakt[o] = t;
        }
      }
    }
    PetscCall(PetscArraycpy(prev, cur, no * m));
  }
  if (!th->any_trace) PetscCall(PhReducedTraceError(th, nd, lam, lim, P, R, y0, -1, emax, share)); /* the run's own inputs */
  *err = 0;
  for (PetscInt o = 0; o < no; o++) {
    PetscReal e = emax[o];

    for (PetscInt i = 0; i < m; i++) e += PhReducedInputBound(th, i, acc + 2 * (o * m + i));
    if (e > *err) {
      *err  = e;
      worst = o;
    }
  }
  for (PetscInt i = 0; i < m; i++) share[i] = PhReducedInputBound(th, i, acc + 2 * (worst * m + i));
  if (!th->any_trace) PetscCall(PhReducedTraceError(th, nd, lam, lim, P, R, y0, worst, emax, share)); /* the known retired inputs' parts */
  *tpeak = peakt[worst];
  PetscCall(PetscFree5(lam, P, R, y0, x0));
  PetscCall(PetscFree5(G, acc, prev, cur, peak));
  PetscCall(PetscFree2(emax, peakt));
  PetscCall(PetscFree(lim));
  PetscFunctionReturn(PETSC_SUCCESS);
}
static PetscErrorCode PhReducedIdentityModes(PhThermal th);
static PetscErrorCode PhReducedPlateRows(PhThermal th);
static PetscErrorCode PhReducedCavityInputs(PhThermal th);

/* Diagonalise K_r and set the modal state from the current field. */
static PetscErrorCode PhReducedDiagonalise(PhThermal th)
{
  PhReduced    rd = th->reduced;
  PetscBLASInt n, lwork, info;
  PetscReal   *work, *A;
  PetscScalar  dot;
  PetscInt     r = rd->r;

  PetscFunctionBeginUser;
  PetscCall(PetscBLASIntCast(r, &n));
  PetscCall(PetscBLASIntCast(PetscMax(1, 3 * r), &lwork));
  PetscCall(PetscMalloc2(r * r, &A, PetscMax(1, 3 * r), &work));
  PetscCall(PetscMalloc5(r, &rd->lambda, r * r, &rd->Q, r * PetscMax(rd->m, 1), &rd->QB, r, &rd->z, r, &rd->xr));
  rd->phr = -1;                                          /* new modes: their propagators are formed again */
  if (rd->nonsym) PetscCall(PhReducedIdentityModes(th)); /* cold plates: no modes, x itself is stepped (PhReducedAdvanceExpo()) */
  else {
    for (PetscInt i = 0; i < r; i++)
      for (PetscInt j = 0; j < r; j++) A[j * r + i] = rd->K[i * rd->rcap + j];
    PetscCallBLAS("LAPACKsyev", LAPACKsyev_("V", "U", &n, A, &n, rd->lambda, work, &lwork, &info));
    PetscCheck(info == 0, th->comm, PETSC_ERR_LIB, "reduced model: the eigenvalues of K_r failed (%d)", (int)info);
    PetscCall(PetscArraycpy(rd->Q, A, r * r)); /* column k is eigenvector k */
  }
  for (PetscInt k = 0; k < r; k++)
    for (PetscInt c = 0; c < rd->m; c++) {
      PetscReal b = 0;

      for (PetscInt i = 0; i < r; i++) b += rd->Q[k * r + i] * rd->B[i * rd->m + c];
      rd->QB[k * rd->m + c] = b;
    }
  /* x = V^T C theta, z = Q^T x */
  PetscCall(VecCopy(th->T, th->theta));
  PetscCall(VecShift(th->theta, -th->t_ref));
  PetscCall(VecPointwiseMult(th->rate, th->capacity, th->theta));
  for (PetscInt i = 0; i < r; i++) {
    PetscCall(VecDot(rd->V[i], th->rate, &dot));
    rd->xr[i] = PetscRealPart(dot);
  }
  for (PetscInt k = 0; k < r; k++) {
    rd->z[k] = 0;
    for (PetscInt i = 0; i < r; i++) rd->z[k] += rd->Q[k * r + i] * rd->xr[i];
  }
  /* rows of the heat that leaves through each convection and temperature patch */
  PetscCall(PetscCalloc2(PetscMax(rd->npatch * r, 1), &rd->orow, PetscMax(rd->npatch, 1), &rd->gsum));
  for (PetscInt q = 0; q < rd->npatch; q++) {
    const PhPatch *pa = &th->patches[rd->patch[q]];

    for (PetscInt c = 0; c < pa->n; c++) rd->gsum[q] += pa->g[c];
    if (pa->bc->type == PH_BC_FLUX || pa->bc->type == PH_BC_COLD_PLATE) continue; /* plates: PhReducedPlateRows() */
    for (PetscInt i = 0; i < r; i++) {
      const PetscScalar *v;
      PetscReal          s = 0;

      PetscCall(VecGetArrayRead(rd->V[i], &v));
      for (PetscInt c = 0; c < pa->n; c++)
        s += pa->g[c] * PetscRealPart(v[PhIndexBoxOffset(&th->owned, pa->cell[c][0], pa->cell[c][1], pa->cell[c][2])]);
      PetscCall(VecRestoreArrayRead(rd->V[i], &v));
      rd->xr[i] = s;
    }
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, rd->xr, (PetscMPIInt)r, MPIU_REAL, MPIU_SUM, th->comm));
    for (PetscInt k = 0; k < r; k++)
      for (PetscInt i = 0; i < r; i++) rd->orow[q * r + k] += rd->Q[k * r + i] * rd->xr[i];
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, rd->gsum, (PetscMPIInt)rd->npatch, MPIU_REAL, MPIU_SUM, th->comm));
  if (th->nplates + th->ncavities > 0) PetscCall(PhReducedPlateRows(th));
  PetscCall(PetscFree2(A, work));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The largest difference of the report boxes' maxima and means and of the heat-input means between two fields. */
static PetscErrorCode PhReducedFieldDifference(PhThermal th, Vec a, Vec b, PetscReal *diff)
{
  PetscInt   nrep = th->nreport, nin = th->ninput;
  PetscReal *ma, *mb, *ea, *eb, *ia, *ib;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc6(nrep + 1, &ma, nrep + 1, &mb, nrep + 1, &ea, nrep + 1, &eb, nin + 1, &ia, nin + 1, &ib));
  PetscCall(PhThermalFieldBoxStats_Private(th, a, nrep, th->report, ma, ea));
  PetscCall(PhThermalFieldBoxStats_Private(th, b, nrep, th->report, mb, eb));
  *diff = 0;
  for (PetscInt i = 0; i < nrep; i++) *diff = PetscMax(*diff, PetscMax(PetscAbsReal(ma[i] - mb[i]), PetscAbsReal(ea[i] - eb[i])));
  if (nin > 0) {
    PetscCall(PhThermalInputMeans(th, a, ia));
    PetscCall(PhThermalInputMeans(th, b, ib));
    for (PetscInt d = 0; d < nin; d++) *diff = PetscMax(*diff, PetscAbsReal(ia[d] - ib[d]));
  }
  PetscCall(PetscFree6(ma, mb, ea, eb, ia, ib));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  k(T) frozen for the reduced model: the conductances at the steady state of the workload's mean power (every source at
  its time average over the run, the heat inputs at their present power, boundaries at t = 0).
  What the freeze costs is bounded where it is largest, at the highest powers: the steady state of every source at its
  largest magnitude, nonlinear (the full model) and with the frozen conductances (the reduced model's); the largest
  difference of the reported temperatures is th->freeze_error.
*/
/* The largest relative change of a conductance that moving the report boxes' means from a[] to b[] (K) may cause:
   (1 - dT/T)^-|n| - 1 with dT the largest change, T the lowest of the means and n the largest k_exponent. */
static PetscReal PhReducedDrift(PhThermal th, const PetscReal a[], const PetscReal b[])
{
  PhCase    pb   = th->problem;
  PetscReal dmax = 0, tlow = PETSC_MAX_REAL, nmax = 0;

  for (PetscInt m = 0; m < pb->nmaterials; m++) nmax = PetscMax(nmax, PetscAbsReal(pb->materials[m].k_exponent));
  for (PetscInt b0 = 0; b0 < th->nreport; b0++) {
    dmax = PetscMax(dmax, PetscAbsReal(a[b0] - b[b0]));
    tlow = PetscMin(tlow, PetscMin(a[b0], b[b0]));
  }
  return dmax < tlow ? PetscPowReal(1 - dmax / tlow, -nmax) - 1 : PETSC_MAX_REAL;
}

static PetscErrorCode PhReducedFreezeConductivity(PhThermal th)
{
  PhCase    pb = th->problem;
  PetscReal tmax;
  Vec       Tm, Tnl, Tlin;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(PetscMax(pb->nsources, 1), &th->fixed_power));
  PetscCall(VecDuplicate(th->T, &Tm));
  PetscCall(VecDuplicate(th->T, &Tnl));
  PetscCall(VecDuplicate(th->T, &Tlin));
  /* the nonlinear steady state at the highest powers */
  for (PetscInt s = 0; s < pb->nsources; s++) th->fixed_power[s] = PhSignalMaxAbs(&pb->sources[s].power);
  PetscCall(VecCopy(th->T, Tnl));
  PetscCall(PhThermalSolveSteady(th, 0, Tnl));
  /* the state the conductances are frozen at: the steady state of the mean powers */
  for (PetscInt s = 0; s < pb->nsources; s++) th->fixed_power[s] = PhSignalMean(&pb->sources[s].power, 0, pb->time.end);
  PetscCall(VecCopy(th->T, Tm));
  PetscCall(PhThermalSolveSteady(th, 0, Tm));
  PetscCall(PhThermalAssemble_Private(th, Tm));
  /* the frozen model's steady state at the highest powers, from the nonlinear one (they differ by the freeze's error) */
  for (PetscInt s = 0; s < pb->nsources; s++) th->fixed_power[s] = PhSignalMaxAbs(&pb->sources[s].power);
  PetscCall(VecCopy(Tnl, Tlin));
  th->nonlinear_k = PETSC_FALSE;
  PetscCall(PhThermalSolveSteady(th, 0, Tlin));
  th->nonlinear_k = PETSC_TRUE;
  PetscCall(PhReducedFieldDifference(th, Tnl, Tlin, &th->freeze_error));
  { /* the change of k that caused it, and the lag that keeps the error between re-formings within the tolerance */
    PetscReal *mm, *mn, *tx, drift;
    PetscBool  set;

    PetscCall(PetscMalloc3(th->nreport + 1, &mm, th->nreport + 1, &mn, th->nreport + 1, &tx));
    PetscCall(PhThermalFieldBoxStats_Private(th, Tm, th->nreport, th->report, tx, mm));
    PetscCall(PhThermalFieldBoxStats_Private(th, Tnl, th->nreport, th->report, tx, mn));
    drift                = PhReducedDrift(th, mm, mn);
    th->freeze_per_drift = drift > 0 && drift < PETSC_MAX_REAL ? th->freeze_error / drift : 0;
    PetscCall(PetscFree3(mm, mn, tx));
    PetscCall(PetscOptionsHasName(NULL, NULL, "-ph_reduced_k_lag", &set));
    if (!set && th->freeze_per_drift > 0)
      th->reduced_k_lag = PetscMin(PH_REDUCED_K_LAG_MAX, PetscMax(PH_REDUCED_K_LAG_MIN, th->reduced_tolerance / th->freeze_per_drift));
  }
  PetscCall(PetscFree(th->fixed_power));
  PetscCall(VecMax(Tm, NULL, &tmax));
  PetscCall(VecDestroy(&Tm));
  th->freeze_hot = Tnl;
  PetscCall(VecDestroy(&Tlin));
  PetscCall(PetscInfo(
    NULL,
    "reduced model: k(T) frozen at the steady state of the mean power (hottest cell %g K); at the highest powers it moves the steady temperatures by %g K "
    "(%g K per unit of relative change of k); re-formed when k may have moved by %g\n",
    (double)tmax, (double)th->freeze_error, (double)th->freeze_per_drift, (double)th->reduced_k_lag));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The rows and cell lists of the outputs of a sample (PhThermalReportStats() and friends), and the coordinates now. */
static PetscErrorCode PhReducedOutputRows(PhThermal th)
{
  PhReduced   rd = th->reduced;
  PetscInt    r = rd->r, ns = th->problem->nsources, nrep = th->nreport, c = 0;
  PetscReal  *tmax, *tmean;
  PetscScalar dot;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc5(nrep * r + 1, &rd->rmean, th->ninput * r + 1, &rd->rin, ns * r + 1, &rd->rsrc, ns + 1, &rd->srcvol, r, &rd->rstore));
  PetscCall(PetscMalloc2(nrep + 1, &tmax, nrep + 1, &tmean));
  PetscCall(PetscMalloc2(r, &rd->x, r, &rd->x0));
  for (PetscInt k = 0; k < r; k++) {
    PetscReal *in;

    PetscCall(PhThermalFieldBoxStats_Private(th, rd->V[k], nrep, th->report, tmax, tmean));
    for (PetscInt b = 0; b < nrep; b++) rd->rmean[b * r + k] = tmean[b];
    if (th->ninput > 0) {
      PetscCall(PetscMalloc1(th->ninput, &in));
      PetscCall(PhThermalInputMeans(th, rd->V[k], in));
      for (PetscInt d = 0; d < th->ninput; d++) rd->rin[d * r + k] = in[d];
      PetscCall(PetscFree(in));
    }
    PetscCall(VecDot(rd->V[k], th->capacity, &dot));
    rd->rstore[k] = PetscRealPart(dot);
  }
  PetscCall(PetscFree2(tmax, tmean));
  { /* source integrals: sum over the cells of V_k times the cell volume */
    const PetscScalar ***vol, ***v;

    PetscCall(DMDAVecGetArrayRead(th->da, th->volume, &vol));
    for (PetscInt k = 0; k <= r; k++) {
      if (k < r) PetscCall(DMDAVecGetArrayRead(th->da, rd->V[k], &v));
      for (PetscInt q = 0; q < ns; q++) {
        const PhIndexBox b = PhIndexBoxIntersect(&th->src_box[q], &th->owned);

        PH_BOX_FOR(b, i, j, kk) {
          if (k < r) rd->rsrc[q * r + k] += PetscRealPart(v[kk][j][i] * vol[kk][j][i]);
          else rd->srcvol[q] += PetscRealPart(vol[kk][j][i]);
        }
      }
      if (k < r) PetscCall(DMDAVecRestoreArrayRead(th->da, rd->V[k], &v));
    }
    PetscCall(DMDAVecRestoreArrayRead(th->da, th->volume, &vol));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, rd->rsrc, (PetscMPIInt)(ns * r), MPIU_REAL, MPIU_SUM, th->comm));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, rd->srcvol, (PetscMPIInt)ns, MPIU_REAL, MPIU_SUM, th->comm));
  }
  /* the owned cells of every report box, with the basis there; a box of the same cells as an earlier one (a source
     given by its block) shares that one's tree and maxima */
  PetscCall(PetscCalloc3(nrep + 1, &rd->tree, nrep + 1, &rd->twin, nrep + 1, &rd->bmax));
  for (PetscInt b = 0; b < nrep; b++) {
    PhIndexBox mine = PhIndexBoxIntersect(&th->report[b], &th->owned);
    PetscInt   n    = PhIndexBoxCount(&mine), *ijk, *nat;
    PetscReal *X;

    rd->twin[b] = -1;
    for (PetscInt a = 0; a < b && rd->twin[b] < 0; a++)
      if (PhIndexBoxEqual(&th->report[a], &th->report[b])) rd->twin[b] = a;
    if (rd->twin[b] >= 0) continue;
    PetscCall(PetscMalloc3(n * r + 1, &X, 3 * n + 1, &ijk, n + 1, &nat));
    c = 0;
    PH_BOX_FOR(mine, i, j, k) {
      ijk[3 * c]     = i - mine.lo[0];
      ijk[3 * c + 1] = j - mine.lo[1];
      ijk[3 * c + 2] = k - mine.lo[2];
      nat[c++]       = (k * th->info.my + j) * th->info.mx + i;
    }
    for (PetscInt k = 0; k < r; k++) {
      const PetscScalar ***v;

      PetscCall(DMDAVecGetArrayRead(th->da, rd->V[k], &v));
      c = 0;
      PH_BOX_FOR(mine, i, j, kk) X[(c++) * r + k] = PetscRealPart(v[kk][j][i]);
      PetscCall(DMDAVecRestoreArrayRead(th->da, rd->V[k], &v));
    }
    PetscCall(PhMaxTreeCreate(n, r, PetscMin(rd->nlead, r), X, ijk, nat, &rd->tree[b]));
    PetscCall(PetscFree3(X, ijk, nat));
  }
  /* the coordinates of the start */
  for (PetscInt i = 0; i < r; i++) {
    rd->x0[i] = 0;
    for (PetscInt k = 0; k < r; k++) rd->x0[i] += rd->Q[k * r + i] * rd->z[k];
    rd->x[i] = rd->x0[i];
  }
  rd->current       = PETSC_FALSE;
  rd->cells_current = PETSC_FALSE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Free what PhReducedOutputRows() made. */
static PetscErrorCode PhReducedOutputRowsDestroy(PhThermal th)
{
  PhReduced rd = th->reduced;

  PetscFunctionBeginUser;
  PetscCall(PetscFree5(rd->rmean, rd->rin, rd->rsrc, rd->srcvol, rd->rstore));
  PetscCall(PetscFree2(rd->x, rd->x0));
  for (PetscInt b = 0; rd->tree != NULL && b < th->nreport; b++) PetscCall(PhMaxTreeDestroy(&rd->tree[b]));
  PetscCall(PetscFree3(rd->tree, rd->twin, rd->bmax));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* th->T = T_ref + V x, when it does not hold it yet. */
PetscErrorCode PhThermalReducedField_Private(PhThermal th)
{
  PhReduced rd = th->reduced;

  PetscFunctionBeginUser;
  if (rd->x == NULL || rd->current) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(VecSet(th->T, th->t_ref));
  PetscCall(VecMAXPY(th->T, rd->r, rd->x, rd->V));
  rd->current = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The largest rise over the owned cells of every report box for the present x, kept until x changes. */
static PetscErrorCode PhReducedMaxima(PhThermal th)
{
  PhReduced rd = th->reduced;
  PetscInt  first, nodes, evaluated, cells;

  PetscFunctionBeginUser;
  if (rd->cells_current) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscLogEventBegin(PH_EVENT_RED_MAXIMA, 0, 0, 0, 0));
  for (PetscInt b = 0; b < th->nreport; b++) {
    if (rd->twin[b] >= 0) {
      rd->bmax[b] = rd->bmax[rd->twin[b]];
      continue;
    }
    PetscCall(PhMaxTreeQuery(rd->tree[b], rd->x, PETSC_FALSE, 0, &rd->bmax[b], &first));
    PetscCall(PhMaxTreeGetCounts(rd->tree[b], &nodes, &evaluated, &cells));
    rd->nnodes += nodes;
    rd->nevaluated += evaluated;
    rd->ncells += cells;
  }
  rd->nquery++;
  rd->cells_current = PETSC_TRUE;
  PetscCall(PetscLogEventEnd(PH_EVENT_RED_MAXIMA, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhThermalReducedReportStats_Private(PhThermal th, PetscReal tmax[], PetscReal tmean[])
{
  PhReduced rd = th->reduced;
  PetscInt  r  = rd->r;

  PetscFunctionBeginUser;
  PetscCall(PhReducedMaxima(th));
  for (PetscInt b = 0; b < th->nreport; b++) {
    tmean[b] = th->t_ref + PhReducedDot(rd->rmean + b * r, rd->x, r);
    tmax[b]  = rd->bmax[b] == PETSC_MIN_REAL ? PETSC_MIN_REAL : th->t_ref + rd->bmax[b];
  }
  if (th->nreport > 0) PetscCall(MPIU_Allreduce(MPI_IN_PLACE, tmax, (PetscMPIInt)th->nreport, MPIU_REAL, MPIU_MAX, th->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhThermalReducedPeak_Private(PhThermal th, PetscReal *value, PetscInt *natural)
{
  PhReduced rd   = th->reduced;
  PetscInt  idx  = PETSC_MAX_INT;
  PetscReal best = PETSC_MIN_REAL, tie;

  PetscFunctionBeginUser;
  PetscCall(PhReducedMaxima(th));
  for (PetscInt b = 0; b < th->nreport; b++) best = PetscMax(best, rd->bmax[b]);
  if (best != PETSC_MIN_REAL) best += th->t_ref;
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &best, 1, MPIU_REAL, MPIU_MAX, th->comm));
  tie = best - 1e-9 * PetscMax(PetscAbsReal(best - th->t_ref), 1e-3);
  for (PetscInt b = 0; b < th->nreport; b++) {
    PetscReal top;
    PetscInt  first;

    if (rd->twin[b] >= 0 || rd->bmax[b] == PETSC_MIN_REAL || th->t_ref + rd->bmax[b] < tie) continue;
    PetscCall(PhMaxTreeQuery(rd->tree[b], rd->x, PETSC_TRUE, tie - th->t_ref, &top, &first));
    idx = PetscMin(idx, first);
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &idx, 1, MPIU_INT, MPI_MIN, th->comm));
  *value   = best;
  *natural = idx;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhThermalReducedStored_Private(PhThermal th, PetscScalar *stored)
{
  PhReduced rd = th->reduced;
  PetscReal s  = 0;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < rd->r; k++) s += rd->rstore[k] * (rd->x[k] - rd->x0[k]);
  *stored = s;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhThermalReducedInputMeans_Private(PhThermal th, PetscReal mean[])
{
  PhReduced rd = th->reduced;

  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < th->ninput; d++) mean[d] = th->input_w[d] > 0 ? th->t_ref + PhReducedDot(rd->rin + d * rd->r, rd->x, rd->r) : 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhThermalReducedSourceIntegrals_Private(PhThermal th, PetscReal integral[])
{
  PhReduced rd = th->reduced;

  PetscFunctionBeginUser;
  for (PetscInt q = 0; q < th->problem->nsources; q++) integral[q] = th->t_ref * rd->srcvol[q] + PhReducedDot(rd->rsrc + q * rd->r, rd->x, rd->r);
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The full model beside the reduced one (-ph_reduced_check): a second thermal model started from the same field, with
   the same heat inputs and report boxes. */
static PetscErrorCode PhReducedCheckCreate(PhThermal th)
{
  PhThermal ck;

  PetscFunctionBeginUser;
  PetscCall(PhThermalCreate(th->comm, th->problem, th->mesh, &ck));
  ck->reduce = PETSC_FALSE;
  PetscCall(PhThermalSetFromOptions(ck));
  ck->check_window = -1;
  if (th->ninput > 0) PetscCall(PhThermalSetHeatInputs(ck, th->ninput, th->nentry, th->entry_cell, th->entry_input, th->entry_w, th->input_amp));
  if (th->extra != NULL) PetscCall(PhThermalSetHeatPowers(ck, th->input_power));
  PetscCall(PhThermalSetReportBoxes(ck, th->nreport, th->report));
  PetscCall(VecCopy(th->T0, ck->T));
  PetscCall(PhThermalStart(ck, PETSC_FALSE));
  ck->t_ref       = th->t_ref;
  th->check       = ck;
  th->check_error = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Advance the full model to the reduced model's time and record the largest difference of the reported temperatures
   (report box means and maxima, heat-input means); the check ends with its window. */
PetscErrorCode PhThermalReducedCheck_Private(PhThermal th)
{
  PhThermal  ck = th->check;
  PetscInt   n  = 2 * th->nreport + th->ninput;
  PetscReal *a, *b;

  PetscFunctionBeginUser;
  PetscCall(PhThermalAdvance(ck, th->t));
  PetscCall(PetscMalloc2(n + 1, &a, n + 1, &b));
  PetscCall(PhThermalReportStats(th, a, a + th->nreport));
  PetscCall(PhThermalReportStats(ck, b, b + th->nreport));
  if (th->ninput > 0) {
    PetscCall(PhThermalInputMeans(th, NULL, a + 2 * th->nreport));
    PetscCall(PhThermalInputMeans(ck, NULL, b + 2 * th->nreport));
  }
  for (PetscInt i = 0; i < n; i++) th->check_error = PetscMax(th->check_error, PetscAbsReal(a[i] - b[i]));
  PetscCall(PetscFree2(a, b));
  th->check_until = th->t;
  if (th->check_window > 0 && th->t >= th->check_window * (1 - 1e-12)) PetscCall(PhThermalDestroy(&th->check));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  The fingerprint of what a reduced model depends on: the mesh sizes and weighted sums, with a fixed weight per cell
  (from its natural index, so that any rank count gives the same sums to rounding), of the capacities, the
  conductivities of the cells' materials, the boundary conductances and the cells of the sources. Powers, traces and
  ambient values are not in it: a model serves every case that differs from its own only in those.
*/
static PetscErrorCode PhReducedFingerprint(PhThermal th, PetscReal f[PH_REDUCED_NFINGER])
{
  PhCase               pb = th->problem;
  const PetscScalar ***cap;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(f, PH_REDUCED_NFINGER));
  PetscCall(DMDAVecGetArrayRead(th->da, th->capacity, &cap));
  PH_BOX_FOR(th->owned, i, j, k) {
    PetscReal         w = PetscSinReal(0.37 * (PetscReal)((k * th->info.my + j) * th->info.mx + i) + 0.11) + 1.5;
    const PhMaterial *m = &pb->materials[th->gmat[PhIndexBoxOffset(&th->ghost, i, j, k)]];

    f[3] += w * PetscRealPart(cap[k][j][i]);
    f[4] += w * (m->k[0] + 2 * m->k[1] + 3 * m->k[2] + 5 * m->k_exponent);
    for (PetscInt q = 0; q < pb->nsources; q++) {
      const PhIndexBox *b = &th->src_box[q];

      if (i >= b->lo[0] && i < b->hi[0] && j >= b->lo[1] && j < b->hi[1] && k >= b->lo[2] && k < b->hi[2]) f[6] += w * (q + 1);
    }
  }
  PetscCall(DMDAVecRestoreArrayRead(th->da, th->capacity, &cap));
  for (PetscInt p = 0; p < th->npatches; p++) {
    const PhPatch *pa = &th->patches[p];

    for (PetscInt c = 0; c < pa->n; c++) {
      PetscInt  i = pa->cell[c][0], j = pa->cell[c][1], k = pa->cell[c][2];
      PetscReal w = PetscSinReal(0.37 * (PetscReal)((k * th->info.my + j) * th->info.mx + i) + 0.11) + 1.5;

      f[5] += w * pa->g[c] * (1 + pa->bc->type);
    }
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, f + 3, PH_REDUCED_NFINGER - 3, MPIU_REAL, MPIU_SUM, th->comm));
  for (PetscInt q = 0; q < th->nplates; q++) { /* cold plates: the basis is for one flow, direction and kind of inlet */
    const PhBoundaryCondition *bc   = th->plates[q].bc;
    PetscReal                  flow = PhSignalEvaluate(&bc->flow, 0) * (bc->flow_volumetric ? pb->materials[bc->coolant].rho : 1);

    f[5] += (q + 1) * (1e3 * flow * pb->materials[bc->coolant].cp * (3 + bc->axis + 2 * bc->sign) + (PhSignalIsConstant(&bc->value) ? 0 : 0.5));
  }
  for (PetscInt c = 0; c < th->ncavities; c++) { /* micro-channels: the basis is for one flow, direction and set of h */
    const PhChannels *ch = th->cavities[c].ch;

    f[5] += (th->nplates + c + 1) *
            (1e3 * th->cavities[c].capacity * (3 + ch->axis + 2 * ch->sign) + 1e-3 * (ch->h_top + 2 * ch->h_bottom + 3 * ch->h_side));
  }
  f[0] = th->info.mx, f[1] = th->info.my, f[2] = th->info.mz;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Open a model file for reading or create it, collectively. */
static PetscErrorCode PhReducedOpen(PhThermal th, const char path[], PetscBool create, hid_t *file)
{
  hid_t fapl;

  PetscFunctionBeginUser;
  PhCallHDF5Return(fapl, H5Pcreate, (H5P_FILE_ACCESS));
  PhCallHDF5(H5Pset_fapl_mpio, (fapl, th->comm, MPI_INFO_NULL));
  if (create) *file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  else *file = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, fapl) : -1;
  PhCallHDF5(H5Pclose, (fapl));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Whether the reduced model named by -ph_reduced_model fits this case (same mesh, materials, boundaries and
  sources; powers and traces may differ): *why is empty when it does, else the reason, for an input error.

  Collective. Without -ph_reduced_model, *why is empty.
**/
PetscErrorCode PhThermalCheckReducedModel(PhThermal th, char why[], size_t len)
{
  hid_t     file;
  PetscReal mine[PH_REDUCED_NFINGER], *theirs = NULL;
  PetscInt  n  = 0;
  PetscBool ok = PETSC_FALSE;

  PetscFunctionBeginUser;
  why[0] = '\0';
  if (th->model_path == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhReducedOpen(th, th->model_path, PETSC_FALSE, &file));
  if (file < 0) {
    (void)snprintf(why, len, "-ph_reduced_model %s: no such file, or not an HDF5 file", th->model_path);
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhH5ReadReals(file, "/reduced/fingerprint", &n, &theirs, &ok));
  PhCallHDF5(H5Fclose, (file));
  if (!ok || n != PH_REDUCED_NFINGER) (void)snprintf(why, len, "-ph_reduced_model %s: not a reduced model of photherm reduce", th->model_path);
  else {
    PetscCall(PhReducedFingerprint(th, mine));
    for (PetscInt i = 0; i < 3 && !why[0]; i++)
      if (mine[i] != theirs[i])
        (void)snprintf(why, len, "-ph_reduced_model %s: a model of a %.0fx%.0fx%.0f mesh, this case has %.0fx%.0fx%.0f cells", th->model_path,
                       (double)theirs[0], (double)theirs[1], (double)theirs[2], (double)mine[0], (double)mine[1], (double)mine[2]);
    for (PetscInt i = 3; i < PH_REDUCED_NFINGER && !why[0]; i++)
      if (PetscAbsReal(mine[i] - theirs[i]) > 1e-9 * PetscMax(PetscAbsReal(mine[i]), PetscAbsReal(theirs[i])))
        (void)snprintf(why, len, "-ph_reduced_model %s: built for other %s; build one for this case with photherm reduce", th->model_path,
                       i == 3   ? "capacities (geometry or materials)"
                       : i == 4 ? "materials"
                       : i == 5 ? "boundaries (their conductances, a cold plate's flow, direction or kind of inlet, or a micro-channel layer's flow, "
                                  "direction or h)"
                                : "sources");
  }
  PetscCall(PetscFree(theirs));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The reduced model about to be built will serve other runs (photherm reduce): its time-domain check covers
  every trace the inputs could follow, not only this run's (as with -ph_reduced_any_trace). Call before the build.

  Logically collective.
**/
PetscErrorCode PhThermalSetReducedForReuse(PhThermal th)
{
  PetscFunctionBeginUser;
  th->any_trace = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Build the reduced model from the present state (as a run would at its start) and write it to `path`: the
  basis [r][nz][ny][nx], the fingerprint of what it depends on, and its size, shifts and estimated error.

  Collective.
**/
PetscErrorCode PhThermalSaveReduced(PhThermal th, const char path[])
{
  PhReduced rd;
  hid_t     file, space, dset, dxpl;
  hsize_t   dims[4];
  PetscReal finger[PH_REDUCED_NFINGER], info[8];
  char      tmp[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (th->reduced == NULL) PetscCall(PhThermalReducedBuild_Private(th));
  rd = th->reduced;
  PetscCall(PhReducedFingerprint(th, finger));
  { /* a name of its own, so that runs building the same model at once (a scan with -ph_reduced_cache) never share it */
    PetscMPIInt rank;
    long        pid = (long)getpid();

    PetscCallMPI(MPI_Comm_rank(th->comm, &rank));
    PetscCallMPI(MPI_Bcast(&pid, 1, MPI_LONG, 0, th->comm));
    (void)snprintf(tmp, sizeof(tmp), "%s.%ld.partial", path, pid);
  }
  PetscCall(PhReducedOpen(th, tmp, PETSC_TRUE, &file));
  PetscCheck(file >= 0, th->comm, PETSC_ERR_FILE_OPEN, "photherm reduce: cannot create %s", tmp);
  PetscCall(PhH5CreateGroups(file, "/reduced"));
  dims[0] = (hsize_t)rd->r, dims[1] = (hsize_t)th->info.mz, dims[2] = (hsize_t)th->info.my, dims[3] = (hsize_t)th->info.mx;
  PhCallHDF5Return(space, H5Screate_simple, (4, dims, NULL));
  PhCallHDF5Return(dset, H5Dcreate2, (file, "/reduced/basis", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  PhCallHDF5Return(dxpl, H5Pcreate, (H5P_DATASET_XFER));
  PhCallHDF5(H5Pset_dxpl_mpio, (dxpl, H5FD_MPIO_COLLECTIVE));
  for (PetscInt k = 0; k < rd->r; k++) {
    hid_t              fs, ms;
    const PetscScalar *v;

    PetscCall(PhH5SelectBox(dset, (hsize_t)k, th->owned.lo, th->owned.hi, &fs, &ms));
    PetscCall(VecGetArrayRead(rd->V[k], &v));
    PhCallHDF5(H5Dwrite, (dset, H5T_NATIVE_DOUBLE, ms, fs, dxpl, v));
    PetscCall(VecRestoreArrayRead(rd->V[k], &v));
    PhCallHDF5(H5Sclose, (fs));
    PhCallHDF5(H5Sclose, (ms));
  }
  PhCallHDF5(H5Pclose, (dxpl));
  PhCallHDF5(H5Dclose, (dset));
  PhCallHDF5(H5Sclose, (space));
  PetscCall(PhH5WriteTextAttributes(file, "/reduced/basis", "1",
                                    "basis of the reduced model, orthonormal in the capacity inner product: vector k is [k][z][y][x] (kelvin per unit "
                                    "of the reduced coordinate)"));
  PetscCall(PhH5WriteReals(file, "/reduced/fingerprint", PH_REDUCED_NFINGER, finger, "1",
                           "mesh sizes and weighted sums of capacities, conductivities, boundary conductances and source cells the model "
                           "was built for"));
  info[0] = PH_REDUCED_FILE_VERSION, info[1] = rd->r, info[2] = rd->nshift, info[3] = rd->estimate, info[4] = th->reduced_tolerance;
  info[5] = rd->nlead, info[6] = rd->rprev, info[7] = rd->festimate;
  PetscCall(PhH5WriteReals(file, "/reduced/info", 8, info, "1",
                           "file version, basis size, shifts, estimated error (K), tolerance (K), leading vectors (the uniform field, the steady "
                           "responses and the initial rise), basis before the last shift, the frequency-domain part of the estimate (K)"));
  PetscCall(PhH5WriteReals(file, "/reduced/shifts", rd->nshift, rd->shifts, "1/s", "shifts s of the blocks (A + s C)^-1 F"));
  PhCallHDF5(H5Fclose, (file));
  PetscCallMPI(MPI_Barrier(th->comm));
  {
    PetscMPIInt rank;

    PetscCallMPI(MPI_Comm_rank(th->comm, &rank));
    if (rank == 0) PetscCheck(rename(tmp, path) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "photherm reduce: cannot rename %s to %s", tmp, path);
  }
  PetscCallMPI(MPI_Barrier(th->comm));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* -ph_reduced_cache DIR: the model of this fingerprint is DIR/reduced-<hash>.h5 (the hash of the fingerprint to 9
   digits, so that runs on the same number of ranks find it). When it is there and fits, it becomes th->model_path;
   otherwise `path` names where the model built here is left. */
static PetscErrorCode PhReducedCacheLookup(PhThermal th, char path[], size_t len)
{
  PetscReal f[PH_REDUCED_NFINGER];
  char      digits[64], why[PETSC_MAX_PATH_LEN + 256];
  uint64_t  hash = 1469598103934665603ULL; /* FNV-1a */

  PetscFunctionBeginUser;
  { /* rank 0 makes the directory and its parents (those that exist are left as they are); every rank learns how it went */
    PetscMPIInt rank;
    int         err = 0;

    PetscCallMPI(MPI_Comm_rank(th->comm, &rank));
    if (rank == 0) {
      char dir[PETSC_MAX_PATH_LEN];

      PetscCall(PetscStrncpy(dir, th->cache_dir, sizeof(dir)));
      for (char *p = dir + 1; !err; p++) {
        char c = *p;

        if (c != '/' && c != '\0') continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) err = errno;
        *p = c;
        if (c == '\0') break;
      }
    }
    PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, th->comm));
    PetscCheck(!err, th->comm, PETSC_ERR_FILE_OPEN, "-ph_reduced_cache %s: cannot make the directory: %s", th->cache_dir, strerror(err));
  }
  PetscCall(PhReducedFingerprint(th, f));
  for (PetscInt i = 0; i < PH_REDUCED_NFINGER; i++) {
    (void)snprintf(digits, sizeof(digits), "%.9e;", (double)f[i]);
    for (const char *c = digits; *c; c++) hash = (hash ^ (unsigned char)*c) * 1099511628211ULL;
  }
  (void)snprintf(path, len, "%s/reduced-%016llx.h5", th->cache_dir, (unsigned long long)hash);
  PetscCall(PetscStrallocpy(path, &th->model_path));
  PetscCall(PhThermalCheckReducedModel(th, why, sizeof(why)));
  if (why[0]) PetscCall(PetscFree(th->model_path)); /* not there yet (or another model under that name): build it */
  PetscCall(PetscInfo(NULL, "reduced model: %s %s\n", th->model_path ? "reusing" : "building", path));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The basis of -ph_reduced_model instead of one built here: read, then K_r and B_r for this case's inputs. */
static PetscErrorCode PhReducedLoad(PhThermal th)
{
  PhReduced  rd = th->reduced;
  hid_t      file, dset, space, dxpl;
  hsize_t    dims[4];
  PetscReal *info = NULL;
  PetscInt   ninfo;
  PetscBool  ok, added;
  Vec        w;

  PetscFunctionBeginUser;
  PetscCall(PhReducedOpen(th, th->model_path, PETSC_FALSE, &file));
  PetscCheck(file >= 0, th->comm, PETSC_ERR_FILE_OPEN, "-ph_reduced_model %s: cannot open", th->model_path);
  PetscCall(PhH5ReadReals(file, "/reduced/info", &ninfo, &info, &ok));
  PetscCheck(ok && ninfo >= 5 && ninfo <= 8, th->comm, PETSC_ERR_FILE_UNEXPECTED, "-ph_reduced_model %s: no /reduced/info", th->model_path);
  rd->estimate = info[3];
  rd->nlead    = ninfo >= 6 ? (PetscInt)info[5] : 0; /* (a model written before 2026-12-05 does not say: every component rotated) */
  if (ninfo >= 8) {                                  /* (nor, before this 8-entry form, what its last check compared: not checked again) */
    rd->rprev     = (PetscInt)info[6];
    rd->festimate = info[7];
  }
  PetscCall(PetscFree(info));
  PhCallHDF5Return(dset, H5Dopen2, (file, "/reduced/basis", H5P_DEFAULT));
  PhCallHDF5Return(space, H5Dget_space, (dset));
  PhCallHDF5(H5Sget_simple_extent_dims, (space, dims, NULL));
  PhCallHDF5(H5Sclose, (space));
  PhCallHDF5Return(dxpl, H5Pcreate, (H5P_DATASET_XFER));
  PhCallHDF5(H5Pset_dxpl_mpio, (dxpl, H5FD_MPIO_COLLECTIVE));
  PetscCall(VecDuplicate(th->T, &w));
  { /* orthonormal already: re-orthogonalising keeps it so, and builds K_r, B_r; PH_REDUCED_LOAD_BLOCK vectors at a time */
    Vec *blk;

    PetscCall(VecDuplicateVecs(th->T, PH_REDUCED_LOAD_BLOCK, &blk));
    for (hsize_t k0 = 0; k0 < dims[0]; k0 += PH_REDUCED_LOAD_BLOCK) {
      const PetscInt nb = (PetscInt)PetscMin((hsize_t)PH_REDUCED_LOAD_BLOCK, dims[0] - k0);

      for (PetscInt q = 0; q < nb; q++) {
        hid_t        fs, ms;
        PetscScalar *v;

        PetscCall(PhH5SelectBox(dset, (hsize_t)(k0 + q), th->owned.lo, th->owned.hi, &fs, &ms));
        PetscCall(VecGetArray(blk[q], &v));
        PhCallHDF5(H5Dread, (dset, H5T_NATIVE_DOUBLE, ms, fs, dxpl, v));
        PetscCall(VecRestoreArray(blk[q], &v));
        PhCallHDF5(H5Sclose, (fs));
        PhCallHDF5(H5Sclose, (ms));
      }
      PetscCall(PhReducedAddVectors(th, nb, blk, NULL));
    }
    PetscCall(VecDestroyVecs(PH_REDUCED_LOAD_BLOCK, &blk));
  }
  PhCallHDF5(H5Pclose, (dxpl));
  PhCallHDF5(H5Dclose, (dset));
  PhCallHDF5(H5Fclose, (file));
  /* the initial state of this run must lie in the basis (a steady start, a uniform start do): otherwise it is projected */
  PetscCall(VecCopy(th->T, w));
  PetscCall(VecShift(w, -th->t_ref));
  {
    PetscScalar dot;
    PetscReal   before;

    PetscCall(VecPointwiseMult(th->rate, th->capacity, w));
    PetscCall(VecDot(w, th->rate, &dot));
    before = PetscSqrtReal(PetscAbsReal(PetscRealPart(dot)));
    PetscCall(PhReducedAddVector(th, w, &added));
    if (added)
      PetscCall(PetscInfo(NULL, "reduced model: the initial state was not in the basis of %s (C-norm %g): added\n", th->model_path, (double)before));
  }
  PetscCall(VecDestroy(&w));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  A model for reuse (read from a file, or built here for -ph_reduced_cache) whose estimate is above the tolerance: it
  was checked over every trace its inputs could follow, a bound that a coolant's front keeps from converging. The
  time-domain check again, for this run's inputs as a model built for the run is checked, between the model and its
  basis before the last shift. Its outputs are the source and heat-input means, the outlets, and the hottest cell of
  each source's steady response (from the model: its steady responses are exact); the estimate becomes the larger of
  this and the model's frequency-domain part.
*/
static PetscErrorCode PhReducedCheckOwnTrace(PhThermal th)
{
  PhReduced   rd = th->reduced;
  PetscReal   td, tpeak, *share, *Y;
  PetscBool   ok, any = th->any_trace;
  PetscScalar gsum;
  Vec         w;

  PetscFunctionBeginUser;
  if (!(rd->estimate > (1 + 1e-6) * th->reduced_tolerance) || rd->rprev <= 0 || rd->rprev >= rd->r || rd->nout == 0)
    PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(VecSum(th->gbc, &gsum));
  if (PetscRealPart(gsum) > 0) {
    PetscCall(PetscMalloc1(rd->r * rd->m, &Y));
    PetscCall(PhReducedSolve(rd, 0.0, Y));
    PetscCall(VecDuplicate(th->T, &w));
    for (PetscInt s = 0; s < th->problem->nsources; s++) {
      PetscInt  p;
      PetscReal top;

      if (rd->amp[s] == 0) continue;
      PetscCall(VecSet(w, 0.0));
      PetscCall(VecMAXPY(w, rd->r, Y + s * rd->r, rd->V));
      PetscCall(VecMax(w, &p, &top));
      PetscCall(PhReducedAddHot(th, p));
    }
    PetscCall(VecDestroy(&w));
    PetscCall(PetscFree(Y));
  }
  PetscCall(PetscMalloc1(rd->m + 1, &share));
  th->any_trace = PETSC_FALSE;
  PetscCall(PhReducedTimeError(th, rd->rprev, &td, &tpeak, share, &ok));
  th->any_trace = any;
  PetscCall(PetscFree(share));
  if (!ok) PetscFunctionReturn(PETSC_SUCCESS); /* (the modes too close to dependent: the estimate stays) */
  PetscCall(PetscInfo(NULL, "reduced model for reuse: estimate %g K over every trace; %g K for this run's inputs (basis %d against %d)\n",
                      (double)rd->estimate, (double)PetscMax(td, rd->festimate), (int)rd->rprev, (int)rd->r));
  rd->estimate  = PetscMax(td, rd->festimate);
  rd->rechecked = PETSC_TRUE;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The basis by rational Krylov enrichment (see the top of this file). */
static PetscErrorCode PhReducedEnrich(PhThermal th)
{
  PhCase      pb = th->problem;
  PhReduced   rd = th->reduced;
  PetscInt    ns = pb->nsources;
  KSP         ksp;
  PetscReal   tol = th->reduced_tolerance, s_lo, s_hi;
  PetscBool   added;
  Vec         w, *steady;
  PetscScalar gsum;

  PetscFunctionBeginUser;
  /* the solver of the shifted systems */
  PetscCall(PhReducedKSPCreate(th, &ksp));
  PetscCall(VecSum(th->gbc, &gsum));
  PetscCall(PetscCalloc1(PetscMax(rd->m, 1), &steady));
  if (PetscRealPart(gsum) > 0) { /* the steady responses (every steady gain exact), and the hottest cell of each source's */
    PetscReal error;

    PetscCall(PhReducedAddShift(th, ksp, 0.0, steady, &error));
    for (PetscInt s = 0; s < ns; s++) {
      PetscInt  p;
      PetscReal top;

      if (steady[s] == NULL) continue;
      PetscCall(VecMax(steady[s], &p, &top));
      PetscCall(PhReducedAddHot(th, p));
    }
  }
  /* the basis: the constant field (energy is conserved), the steady responses, then the initial rise (after them: an
     initial steady state is in their span, and it comes from the full model's solve, whose partition-dependent error
     would otherwise be all that is new in the steady responses of the inputs it holds) */
  PetscCall(VecDuplicate(th->T, &w));
  PetscCall(VecSet(w, 1.0));
  {
    Vec     *block;
    PetscInt nb = 0;

    PetscCall(PetscMalloc1(rd->m + 1, &block));
    block[nb++] = w;
    for (PetscInt i = 0; i < rd->m; i++)
      if (steady[i] != NULL) block[nb++] = steady[i];
    PetscCall(PhReducedAddVectors(th, nb, block, NULL));
    PetscCall(PetscFree(block));
  }
  PetscCall(VecCopy(th->T, w));
  PetscCall(VecShift(w, -th->t_ref));
  PetscCall(PhReducedAddVector(th, w, &added));
  PetscCall(VecDestroy(&w));
  rd->ninit = rd->nlead = rd->r; /* the initial rise lies in the span of the vectors so far */
  /* the initial slopes C^-1 F (the moments at s = infinity): the response in the first instants after a change */
  {
    Vec     *slope;
    PetscInt nslope = 0;

    PetscCall(PetscMalloc1(rd->m, &slope));
    for (PetscInt i = 0; i < rd->m; i++) {
      if (rd->amp[i] == 0) continue;
      PetscCall(VecDuplicate(th->T, &slope[nslope]));
      PetscCall(VecPointwiseDivide(slope[nslope++], rd->F[i], th->capacity));
    }
    PetscCall(PhReducedAddVectors(th, nslope, slope, NULL));
    for (PetscInt i = 0; i < nslope; i++) PetscCall(VecDestroy(&slope[i]));
    PetscCall(PetscFree(slope));
  }
  for (PetscInt i = 0; i < rd->m; i++) PetscCall(VecDestroy(&steady[i]));
  PetscCall(PetscFree(steady));
  /* shifts over the time scales of the run, from 0.1 / time.end to 100 / output.series_every: both ends, then always the
     geometric middle of the widest gap between the shifts taken, each checked before it is added (the true error of
     the model so far at that shift costs the solves that then enrich it); the model is done when two checks in a row
     are within the tolerance */
  s_lo         = 0.1 / pb->time.end;
  s_hi         = 100.0 / PetscMin(pb->output.series_every, pb->time.end);
  rd->estimate = PETSC_MAX_REAL;
  {
    PetscReal taken[PH_REDUCED_MAX_SHIFTS + 2], td = 0, tpeak = 0, *tshare;
    PetscInt  ntaken = 0, good = 0, rprev = rd->r;

    while (rd->nshift < PH_REDUCED_MAX_SHIFTS + 1) {
      PetscReal next, error, gap = 0;

      if (ntaken < 2) next = ntaken == 0 ? s_hi : s_lo;
      else {
        next = taken[0];
        for (PetscInt k = 0; k + 1 < ntaken; k++)
          if (taken[k + 1] / taken[k] > gap) {
            gap  = taken[k + 1] / taken[k];
            next = PetscSqrtReal(taken[k] * taken[k + 1]);
          }
        if (gap < 1.5) break; /* the range is covered as densely as shifts help */
      }
      rprev = rd->r;
      PetscCall(PhReducedAddShift(th, ksp, next, NULL, &error));
      taken[ntaken++] = next;
      PetscCall(PetscSortReal(ntaken, taken));
      if (ntaken > 2) rd->estimate = ntaken == 3 ? error : PetscMax(error, good ? rd->estimate : 0);
      good = error <= tol ? good + 1 : 0;
      if (ntaken > 2 && good >= 2) break;
    }
    /* the time domain: the model before the last shift against the model after it, over every trace the inputs could
       follow (PhReducedTimeError); while they differ by more than the tolerance, a shift at the time scale where they
       differ most (inputs retired but needed there are taken back) */
    PetscCall(PetscMalloc1(rd->m + 1, &tshare));
    good            = 0;
    PetscBool stuck = PETSC_FALSE;
    PetscInt  ntd   = 0;
    while (rd->nout > 0) {
      PetscReal next, near = PETSC_MAX_REAL, error;
      PetscBool ok;

      PetscCall(PhReducedTimeError(th, rprev, &td, &tpeak, tshare, &ok));
      if (!ok) { /* (then the frequency-domain estimate alone) */
        PetscCall(PetscInfo(NULL, "reduced model: the modes of K_r are too close to dependent for the time-domain check\n"));
        td = 0;
        break;
      }
      PetscCall(PetscInfo(NULL, "reduced model: time-domain estimate %g K (basis %d against %d), largest near t = %g s\n", (double)td, (int)rprev,
                          (int)rd->r, (double)tpeak));
      if (rprev < rd->r) good = td <= tol ? good + 1 : 0; /* a shift that added nothing proves nothing */
      else if (stuck) break;                              /* nothing added with every input solved for: no more to add */
      if (good >= 2 || rd->nshift >= PH_REDUCED_MAX_SHIFTS + 1) break;
      stuck = rprev == rd->r && ntd > 0;
      { /* retired inputs stay retired while their shares, smallest first, add up to a quarter of the tolerance */
        PetscReal kept = 0;

        for (PetscInt n = 0; n < rd->m; n++) {
          PetscInt pick = -1;

          for (PetscInt i = 0; i < rd->m; i++)
            if (rd->retired[i] == 1 && (pick < 0 || tshare[i] < tshare[pick])) pick = i;
          if (pick < 0) break;
          if (stuck || kept + tshare[pick] > 0.25 * tol) { /* this one and every larger one: solved for again */
            for (PetscInt i = 0; i < rd->m; i++)
              if (rd->retired[i] == 1) rd->retired[i] = 0;
            break;
          }
          kept += tshare[pick];
          rd->retired[pick] = 2; /* kept retired in this pass */
        }
        for (PetscInt i = 0; i < rd->m; i++)
          if (rd->retired[i] == 2) rd->retired[i] = 1;
      }
      ntd++;
      next = PetscMin(PetscMax(1.0 / tpeak, s_lo), s_hi);
      for (PetscInt k = 0; k < ntaken; k++) near = PetscMin(near, PetscMax(next / taken[k], taken[k] / next));
      if (near < 1.25) { /* taken already: the middle of the wider gap beside it */
        PetscInt k = 0;

        while (k + 1 < ntaken && taken[k + 1] <= next * 1.25) k++;
        next = k + 1 < ntaken ? PetscSqrtReal(taken[k] * taken[k + 1]) : taken[k] * 3;
        if (k > 0 && (k + 1 >= ntaken || taken[k] / taken[k - 1] > taken[k + 1] / taken[k])) next = PetscSqrtReal(taken[k - 1] * taken[k]);
      }
      rprev = rd->r;
      PetscCall(PhReducedAddShift(th, ksp, next, NULL, &error));
      taken[ntaken++] = next;
      PetscCall(PetscSortReal(ntaken, taken));
    }
    PetscCall(PetscFree(tshare));
    rd->festimate = rd->estimate == PETSC_MAX_REAL ? 0 : rd->estimate;
    rd->estimate  = PetscMax(rd->estimate, td);
    rd->rprev     = rprev;
  }
  PetscCall(KSPDestroy(&ksp));
  PetscCall(PhScratchFree(&rd->solves));
  PetscCall(PhScratchFree(&rd->ops));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Build the reduced model from the current field (the run's initial state): inputs, basis by greedy rational Krylov
  enrichment to time.reduced.tolerance, the modal decomposition. Reports its size, time and estimated error.
**/
static PetscErrorCode PhReducedKRegions(PhThermal th);

PetscErrorCode PhThermalReducedBuild_Private(PhThermal th)
{
  PhCase         pb = th->problem;
  PhReduced      rd;
  PetscInt       ns = pb->nsources;
  PetscLogDouble t0, t1;
  char           cached[PETSC_MAX_PATH_LEN] = "";

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  PetscCall(PetscLogEventBegin(PH_EVENT_RED_FREEZE, 0, 0, 0, 0));
  if (th->nonlinear_k) PetscCall(PhReducedFreezeConductivity(th));
  PetscCall(PetscLogEventEnd(PH_EVENT_RED_FREEZE, 0, 0, 0, 0));
  PetscCall(PetscNew(&rd));
  th->reduced = rd;
  /* the inputs */
  PetscCall(PetscMalloc1(PetscMax(th->npatches, 1), &rd->patch));
  for (PetscInt p = 0; p < th->npatches; p++)
    if (th->patches[p].bc->type != PH_BC_ADIABATIC) rd->patch[rd->npatch++] = p;
  rd->nheat  = th->extra != NULL ? th->ninput : 0;
  rd->ncav   = th->ncavities;
  rd->m      = ns + rd->npatch + rd->nheat + rd->ncav;
  rd->nonsym = (PetscBool)(th->nplates > 0 || th->ncavities > 0);
  rd->nout   = ns + th->ninput + rd->ncav;
  PetscCall(PetscCalloc1(PetscMax(rd->m, 1), &rd->amp));
  PetscCall(PetscCalloc2(PetscMax(rd->m, 1), &rd->share, PetscMax(rd->m, 1), &rd->retired));
  PetscCall(PetscCalloc1(PetscMax(ns, 1), &rd->leak));
  PetscCall(VecDuplicateVecs(th->T, PetscMax(rd->m, 1), &rd->F));
  for (PetscInt i = 0; i < rd->m; i++) PetscCall(VecSet(rd->F[i], 0.0));
  {
    PetscReal *unit;

    PetscCall(PetscCalloc1(PetscMax(PetscMax(ns, th->ninput), 1), &unit));
    for (PetscInt s = 0; s < ns; s++) {
      unit[s] = 1.0;
      PetscCall(PhThermalAddSourceHeat_Private(th, unit, rd->F[s]));
      unit[s]    = 0.0;
      rd->amp[s] = PhSignalMaxAbs(&pb->sources[s].power) + (pb->sources[s].has_leakage ? 2 * pb->sources[s].leak_p_ref : 0);
    }
    for (PetscInt q = 0; q < rd->npatch; q++) {
      const PhPatch *pa = &th->patches[rd->patch[q]];

      PetscCall(PhReducedPatchColumn(th, q));
      rd->amp[ns + q] = PhSignalMaxAbs(&pa->bc->value);
      if (pa->bc->type != PH_BC_FLUX) rd->amp[ns + q] = PetscMax(PetscAbsReal(rd->amp[ns + q] - th->t_ref), 1e-3);
      if (PhSignalIsConstant(&pa->bc->value) && pa->bc->type != PH_BC_FLUX && pa->bc->type != PH_BC_COLD_PLATE)
        rd->amp[ns + q] = PetscAbsReal(PhSignalEvaluate(&pa->bc->value, 0) - th->t_ref); /* a plate's inlet column is always in the basis */
    }
    for (PetscInt d = 0; d < rd->nheat; d++) {
      unit[d] = 1.0;
      PetscCall(PhThermalSpreadInputs_Private(th, unit, rd->F[ns + rd->npatch + d]));
      unit[d]                      = 0.0;
      rd->amp[ns + rd->npatch + d] = th->input_amp != NULL ? th->input_amp[d] : 1.0;
    }
    PetscCall(PetscFree(unit));
    PetscCall(PhReducedCavityInputs(th));
  }
  if (th->model_path == NULL && th->cache_dir != NULL) PetscCall(PhReducedCacheLookup(th, cached, sizeof(cached)));
  PetscCall(PetscLogEventBegin(PH_EVENT_RED_BASIS, 0, 0, 0, 0));
  if (th->model_path != NULL) PetscCall(PhReducedLoad(th));
  else PetscCall(PhReducedEnrich(th));
  PetscCall(PetscLogEventEnd(PH_EVENT_RED_BASIS, 0, 0, 0, 0));
  PetscCall(KSPDestroy(&th->ksp)); /* the steady solver, whose multigrid the build shared, is no longer needed */
  PetscCall(PhThermalSetShift_Private(th, 0.0));
  if (cached[0] && th->model_path == NULL) PetscCall(PhThermalSaveReduced(th, cached)); /* built here: left for the next run */
  if (cached[0] || th->model_path != NULL) PetscCall(PhReducedCheckOwnTrace(th));       /* (its estimate over every trace kept in the file) */
  PetscCall(PhReducedDiagonalise(th));
  PetscCall(PetscLogEventBegin(PH_EVENT_RED_ROWS, 0, 0, 0, 0));
  PetscCall(PhReducedOutputRows(th));
  PetscCall(PetscLogEventEnd(PH_EVENT_RED_ROWS, 0, 0, 0, 0));
  PetscCall(PetscMalloc1(th->nreport + 1, &rd->kmean));
  if (th->nonlinear_k) { /* the means of the state k(T) was frozen at: the steady state of the mean power */
    PetscReal *tmax;

    PetscCall(PetscMalloc1(th->nreport + 1, &tmax));
    PetscCall(PhThermalFieldBoxStats_Private(th, th->Tk, th->nreport, th->report, tmax, rd->kmean));
    PetscCall(PetscFree(tmax));
  }
  if (th->nonlinear_k) {
    PetscCall(PetscLogEventBegin(PH_EVENT_RED_KREG, 0, 0, 0, 0));
    PetscCall(PhReducedKRegions(th));
    PetscCall(PetscLogEventEnd(PH_EVENT_RED_KREG, 0, 0, 0, 0));
    PetscCall(VecDestroy(&th->freeze_hot));
    if (rd->nkg == 0) {
      if (th->reduced_k_lag > 0 && th->freeze_per_drift * th->reduced_k_lag > (1 + 1e-6) * th->reduced_tolerance)
        PetscCall(PetscFPrintf(th->comm, stderr,
                               "photherm: warning: time.method reduced: k(T) is re-formed when a conductance may have moved by %g "
                               "(-ph_reduced_k_lag); between re-formings that may move the source, block and device temperatures by up to "
                               "%.3g K, above time.reduced.tolerance %.3g K; a smaller -ph_reduced_k_lag lowers it at the cost of more "
                               "re-formings\n",
                               (double)th->reduced_k_lag, (double)(th->freeze_per_drift * th->reduced_k_lag), (double)th->reduced_tolerance));
      if (th->freeze_error > th->reduced_tolerance && th->reduced_k_lag <= 0)
        PetscCall(PetscFPrintf(th->comm, stderr,
                               "photherm: warning: time.method reduced: k(T) is frozen at the steady state of the mean power; at the highest powers "
                               "that moves the steady source, block and device temperatures by up to %.3g K, above time.reduced.tolerance %.3g K "
                               "(summary reduced_freeze_error) and -ph_reduced_k_lag 0 keeps it frozen; the transient error is smaller, "
                               "measure it with -ph_reduced_check\n",
                               (double)th->freeze_error, (double)th->reduced_tolerance));
    }
  }
  if (rd->estimate > (1 + 1e-6) * th->reduced_tolerance && (th->model_path == NULL || rd->rechecked)) { /* the shifts ran out first */
    char how[PETSC_MAX_PATH_LEN + 64];

    if (th->model_path == NULL) (void)snprintf(how, sizeof(how), "after %d shifts (s = 0 included, the most it takes", (int)rd->nshift);
    else (void)snprintf(how, sizeof(how), "for this run's inputs (the model of %s", th->model_path);
    PetscCall(PetscFPrintf(th->comm, stderr,
                           "photherm: warning: time.method reduced: the reduced model's estimated error is %.3g K, above time.reduced.tolerance "
                           "%.3g K, %s; summary reduced_error_estimate); measure it with -ph_reduced_check\n",
                           (double)rd->estimate, (double)th->reduced_tolerance, how));
  }
  if (th->check_window >= 0) PetscCall(PhReducedCheckCreate(th));
  PetscCall(PetscTime(&t1));
  rd->build_time   = (PetscReal)(t1 - t0);
  th->energy.exact = PETSC_TRUE;
  PetscCall(PetscInfo(NULL, "reduced model: %d inputs, basis %d, %d shifts, estimated error %g K, built in %g s\n", (int)rd->m, (int)rd->r,
                      (int)rd->nshift, (double)rd->estimate, (double)rd->build_time));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  After k(T) is re-formed the basis still matches the steady state of the operator it was built with. Solve the new
  operator's steady state for the present inputs, from the model's own answer V K_r^-1 B_r u; when the two differ by
  more than a tenth of the tolerance on a source or heat input mean or a cell of the estimate, the solution joins the
  basis, so that the slow approach to the new steady state stays within the tolerance.
*/
static PetscErrorCode PhReducedSteadyEnrich(PhThermal th)
{
  PhReduced  rd = th->reduced;
  PetscInt   r = rd->r, m = rd->m, ns = th->problem->nsources;
  PetscReal *u, *Y, *y, *out, diff = 0;
  Vec        rhs, x, e;
  PC         pc;
  PetscBool  added;

  PetscFunctionBeginUser;
  if (rd->nonsym) PetscFunctionReturn(PETSC_SUCCESS); /* cold plates: the plate rows would need forming again too */
  if (rd->ksp == NULL) {
    PetscCall(PhReducedKSPCreate(th, &rd->ksp));
  }
  PetscCall(PhThermalSetShift_Private(th, 0.0));
  PetscCall(KSPGetPC(rd->ksp, &pc));
  PetscCall(PhThermalUpdateMG_Private(th, pc));
  PetscCall(PetscMalloc4(m + 1, &u, r * m + 1, &Y, r + 1, &y, rd->nout + 1, &out));
  PhReducedInputs(th, th->t, th->t, PETSC_FALSE, u);
  PetscCall(PhReducedSolve(rd, 0.0, Y));
  for (PetscInt k = 0; k < r; k++) {
    y[k] = 0;
    for (PetscInt i = 0; i < m; i++) y[k] += Y[i * r + k] * u[i];
  }
  PetscCall(VecDuplicate(th->T, &rhs));
  PetscCall(VecDuplicate(th->T, &x));
  PetscCall(VecDuplicate(th->T, &e));
  PetscCall(VecSet(rhs, 0.0));
  PetscCall(VecMAXPY(rhs, m, u, rd->F));
  PetscCall(VecSet(e, 0.0));
  PetscCall(VecMAXPY(e, r, y, rd->V));
  PetscCall(VecCopy(e, x));
  PetscCall(KSPSetInitialGuessNonzero(rd->ksp, PETSC_TRUE));
  PetscCall(KSPSolve(rd->ksp, rhs, x));
  PetscCall(VecAYPX(e, -1.0, x));
  PetscCall(PhReducedOutputs(th, e, out));
  for (PetscInt o = 0; o < rd->nout; o++) diff = PetscMax(diff, PetscAbsReal(out[o]));
  PetscCall(VecAbs(e));
  for (PetscInt b = 0; b < ns; b++) {
    PetscReal emax;
    PetscInt  g;

    PetscCall(PhReducedBoxArgmax(th, e, &th->src_box[b], &emax, &g));
    diff = PetscMax(diff, emax);
  }
  if (diff > 0.1 * th->reduced_tolerance) {
    PetscCall(PhReducedAddVector(th, x, &added));
    rd->nrefreeze_added += added;
  }
  PetscCall(PetscInfo(NULL, "reduced model: k(T) re-formed at t = %g s; the new steady state differs from the model's by %g K%s\n", (double)th->t,
                      (double)diff, rd->r > r ? ", added to the basis" : ""));
  PetscCall(VecDestroy(&rhs));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&e));
  PetscCall(PetscFree4(u, Y, y, out));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  k(T) follows the reduced field: when the report boxes' means have moved so far from where the conductances were last
  frozen that some conductance may have changed by more than -ph_reduced_k_lag (relative; the bound of the full path's
  -ph_k_lag), the operator is re-formed at the present field on the same basis: A(T), the boundary columns of F, B_r,
  K_r = V^T A V, its modes and the energy rows. The state x is unchanged (C does not depend on T).
*/
static PetscErrorCode PhReducedFormFree(PhReducedForm *f)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree7(f->kmean, f->K, f->B, f->lambda, f->Q, f->QB, f->orow));
  PetscCall(PetscFree(f->gsum));
  f->r = 0;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Keep the operator just re-formed (and its modes) for a field that comes back near here; forget those of another basis. */
static PetscErrorCode PhReducedFormKeep(PhThermal th)
{
  PhReduced      rd = th->reduced;
  PetscInt       r = rd->r, m = rd->m, nrep = th->nreport;
  PhReducedForm *f;

  PetscFunctionBeginUser;
  if (rd->form == NULL) PetscCall(PetscCalloc1(PH_REDUCED_NFORM, &rd->form));
  for (PetscInt e = 0; e < rd->nform; e++)
    if (rd->form[e].r != r) PetscCall(PhReducedFormFree(&rd->form[e]));
  if (rd->nform < PH_REDUCED_NFORM) f = &rd->form[rd->nform++];
  else {
    f            = &rd->form[rd->nextform];
    rd->nextform = (rd->nextform + 1) % PH_REDUCED_NFORM;
  }
  if (f->r != r) {
    if (f->kmean != NULL) PetscCall(PhReducedFormFree(f));
    PetscCall(PetscMalloc7(nrep + 1, &f->kmean, r * r, &f->K, r * m + 1, &f->B, r, &f->lambda, r * r, &f->Q, r * m + 1, &f->QB, rd->npatch * r + 1,
                           &f->orow));
    PetscCall(PetscMalloc1(rd->npatch + 1, &f->gsum));
    f->r = r;
  }
  PetscCall(PetscArraycpy(f->kmean, rd->kmean, nrep));
  for (PetscInt i = 0; i < r; i++) PetscCall(PetscArraycpy(f->K + i * r, rd->K + i * rd->rcap, r));
  PetscCall(PetscArraycpy(f->B, rd->B, r * m));
  PetscCall(PetscArraycpy(f->lambda, rd->lambda, r));
  PetscCall(PetscArraycpy(f->Q, rd->Q, r * r));
  PetscCall(PetscArraycpy(f->QB, rd->QB, r * m));
  PetscCall(PetscArraycpy(f->orow, rd->orow, rd->npatch * r));
  PetscCall(PetscArraycpy(f->gsum, rd->gsum, rd->npatch));
  PetscFunctionReturn(PETSC_SUCCESS);
}

static PetscErrorCode PhReducedRefreeze(PhThermal th)
{
  PhReduced rd = th->reduced;
  PetscInt  r = rd->r, nrep = th->nreport;
  PetscReal drift, *mean;

  PetscFunctionBeginUser;
  if (!th->nonlinear_k || th->reduced_k_lag <= 0 || nrep == 0 || rd->nkg > 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscMalloc1(nrep, &mean));
  for (PetscInt b = 0; b < nrep; b++) mean[b] = th->t_ref + PhReducedDot(rd->rmean + b * r, rd->x, r);
  drift = PhReducedDrift(th, mean, rd->kmean);
  if (drift <= th->reduced_k_lag) {
    PetscCall(PetscFree(mean));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!rd->nonsym) { /* an operator formed near here before (half the lag): reused, with the modal state from x */
    for (PetscInt e = 0; e < rd->nform; e++) {
      PhReducedForm *f = &rd->form[e];

      if (f->r != r || PhReducedDrift(th, mean, f->kmean) > 0.5 * th->reduced_k_lag) continue;
      for (PetscInt i = 0; i < r; i++) PetscCall(PetscArraycpy(rd->K + i * rd->rcap, f->K + i * r, r));
      PetscCall(PetscArraycpy(rd->B, f->B, r * rd->m));
      PetscCall(PetscArraycpy(rd->lambda, f->lambda, r));
      rd->phr = -1;
      PetscCall(PetscArraycpy(rd->Q, f->Q, r * r));
      PetscCall(PetscArraycpy(rd->QB, f->QB, r * rd->m));
      PetscCall(PetscArraycpy(rd->orow, f->orow, rd->npatch * r));
      PetscCall(PetscArraycpy(rd->gsum, f->gsum, rd->npatch));
      for (PetscInt k = 0; k < r; k++) rd->z[k] = PhReducedDot(rd->Q + k * r, rd->x, r);
      PetscCall(PetscArraycpy(rd->kmean, f->kmean, nrep));
      rd->nreuse++;
      PetscCall(PetscFree(mean));
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  }
  PetscCall(PetscFree(mean));
  PetscCall(PhThermalReducedField_Private(th));
  PetscCall(PhThermalAssemble_Private(th, th->T));
  for (PetscInt q = 0; q < rd->npatch; q++) PetscCall(PhReducedPatchColumn(th, q)); /* their conductances include half a cell of k */
  {
    PetscScalar *dots;

    PetscCall(PetscMalloc1(PetscMax(r, rd->m) + 1, &dots));
    for (PetscInt k = 0; k < r; k++) PetscCall(PhReducedOperatorRow(th, k, PETSC_FALSE, dots));
    PetscCall(PetscFree(dots));
  }
  PetscCall(PhReducedSteadyEnrich(th));
  PetscCall(PetscFree5(rd->lambda, rd->Q, rd->QB, rd->z, rd->xr));
  PetscCall(PetscFree2(rd->orow, rd->gsum));
  PetscCall(PhReducedDiagonalise(th));
  if (rd->r > r) { /* a steady response was added: the output rows and trees again, the start padded with zeros */
    PetscReal *x0;

    PetscCall(PetscMalloc1(r, &x0));
    PetscCall(PetscArraycpy(x0, rd->x0, r));
    PetscCall(PhReducedOutputRowsDestroy(th));
    PetscCall(PhReducedOutputRows(th));
    for (PetscInt k = 0; k < rd->r; k++) rd->x0[k] = k < r ? x0[k] : 0;
    PetscCall(PetscFree(x0));
    r = rd->r;
  }
  for (PetscInt b = 0; b < nrep; b++) rd->kmean[b] = th->t_ref + PhReducedDot(rd->rmean + b * r, rd->x, r);
  rd->nrefreeze++;
  if (!rd->nonsym) PetscCall(PhReducedFormKeep(th));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  k(T) by regions (the default with k(T); -ph_reduced_k_tiles). The owned cells of k(T) materials are split into
  regions: the cells each block and each layer gives its k(T) material to, and the rest of each material, each cut
  laterally into up to N x N tiles. A region's conductivity follows its mean temperature T_g from where k was frozen,
  k = k_f (T_g / T_g,f)^n, a relative change ds_g = (T_g / T_g,f)^n - 1, so that A(T) = A_f + sum_g ds_g D_g to first
  order in ds_g (exactly for the faces between cells of one region), D_g = sum of dG/ds d d^T over the faces of its
  cells (PhThermalKFaces_Private()). They are projected once, K_g = V^T D_g V (one product of the basis differences
  across those faces), taken to the modes, M_g = Q^T K_g Q, and factored, M_g = L_g L_g^T (its eigenpairs above
  PH_REDUCED_KREG_EPS of its largest: a few to a few tens of columns instead of r). While stepping, the modes see
  dM = sum_g ds_g M_g as the input -dM z, linear over each interval (a predictor and a corrector pass), with every
  region's ds_g at the interval's start in the predictor and at the end the predictor reached in the corrector
  (PhReducedKRegionsAtEnd(): a ds held over a sample's interval lags k behind a power step), two products with the
  factors side by side (r x sum of their columns) per pass. No operator is re-formed and nothing after the build
  scales with the cells. D_g has interior faces only (the faces with a cavity's coolant and strips included), so
  1^T D_g = 0 and the energy stays exact. A case whose k(T) cells touch a non-adiabatic boundary re-forms the operator instead (PhReducedRefreeze()).
*/
#define PH_REDUCED_KREG_EPS   1e-3 /* a region's term keeps the directions where it changes the operator by more than this, relative, per unit ds_g */
#define PH_REDUCED_KREG_CHUNK 1024 /* face sides per product */
#define PH_REDUCED_KREG_MAX   512  /* more regions than this: re-form instead */
#define PH_REDUCED_KREG_KEYS  1e7  /* ... or more keys (boxes x materials x bins x tiles) than this */

static PetscErrorCode PhReducedKRegions(PhThermal th)
{
  PhReduced        rd = th->reduced;
  PhCase           pb = th->problem;
  const PetscInt   r = rd->r, nt = th->reduced_k_tiles, ns = pb->nsources, nb = pb->nblocks, nl = pb->nlayers, nm = pb->nmaterials;
  const PetscInt   nbox = ns + nb + nl + 1, nbin = th->reduced_k_bins, nghost = PhIndexBoxCount(&th->ghost);
  PetscInt         gmax;
  PetscInt         nside, *own, *nbr, *creg, *rowof, *slist, nrow = 0, *map, *cnt, *start, *order, ncell = 0, *clist;
  PetscReal       *dgds, *vol, *tsum, *cvol, *Vloc, *rows, *E, *Kg, *tmp, *kgM;
  PetscBool        boundary;
  PhIndexBox      *box;
  const PetscReal *line[3];
  const PetscReal *tk, *th_hot;
  PetscReal        hlo = PETSC_MAX_REAL, hhi = -PETSC_MAX_REAL;
  Vec              loc;

  PetscFunctionBeginUser;
  if (nt <= 0 || nbin <= 0 || !th->Tk_valid || th->freeze_hot == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  if ((PetscReal)nbox * nm * nbin * nt * nt > PH_REDUCED_KREG_KEYS) {
    PetscCall(PetscInfo(NULL, "reduced model: too many boxes and materials for k(T) by regions: the operator is re-formed instead\n"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  gmax = nbox * nm * nbin * nt * nt;
  PetscCall(PhThermalKFaces_Private(th, &nside, &own, &nbr, &dgds, &boundary));
  if (boundary) {
    PetscCall(PetscFree3(own, nbr, dgds));
    PetscCall(PetscInfo(NULL, "reduced model: k(T) cells on a boundary: the operator is re-formed instead of corrected by regions\n"));
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  PetscCall(PhMeshGetLines(th->mesh, &line[0], &line[1], &line[2]));
  PetscCall(PetscMalloc1(nbox, &box)); /* sources, blocks, layers, the whole mesh */
  for (PetscInt q = 0; q < ns; q++) PetscCall(PhMeshGetSourceBox(th->mesh, q, &box[q]));
  for (PetscInt b = 0; b < nb; b++) PetscCall(PhMeshGetBlockBox(th->mesh, b, &box[ns + b]));
  for (PetscInt l = 0; l < nl; l++) PetscCall(PhMeshGetLayerBox(th->mesh, l, &box[ns + nb + l]));
  box[nbox - 1].lo[0] = box[nbox - 1].lo[1] = box[nbox - 1].lo[2] = 0;
  box[nbox - 1].hi[0] = th->info.mx, box[nbox - 1].hi[1] = th->info.my, box[nbox - 1].hi[2] = th->info.mz;
  /* the region of every owned k(T) cell: the first source whose box holds it, else the last block that gives the cell its
     material, else its layer, else the mesh; with its material, and its tile of that box */
  PetscCall(PetscMalloc3(nghost, &creg, nghost, &rowof, gmax, &map));
  PetscCall(PetscCalloc2(gmax, &vol, gmax, &tsum));
  PetscCall(PetscMalloc2(PhIndexBoxCount(&th->owned) + 1, &clist, PhIndexBoxCount(&th->owned) + 1, &cvol));
  for (PetscInt c = 0; c < nghost; c++) creg[c] = rowof[c] = -1;
  PetscCall(VecGetArrayRead(th->freeze_hot, &th_hot)); /* the range of the hot steady state over the k(T) cells */
  PH_BOX_FOR(th->owned, i, j, k) {
    if (pb->materials[th->gmat[PhIndexBoxOffset(&th->ghost, i, j, k)]].k_exponent == 0) continue;
    hlo = PetscMin(hlo, PetscRealPart(th_hot[PhIndexBoxOffset(&th->owned, i, j, k)]));
    hhi = PetscMax(hhi, PetscRealPart(th_hot[PhIndexBoxOffset(&th->owned, i, j, k)]));
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &hlo, 1, MPIU_REAL, MPIU_MIN, th->comm));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &hhi, 1, MPIU_REAL, MPIU_MAX, th->comm));
  PetscCall(VecGetArrayRead(th->Tk, &tk));
  PH_BOX_FOR(th->owned, i, j, k) {
    const PetscInt g = PhIndexBoxOffset(&th->ghost, i, j, k), mat = th->gmat[g], idx[3] = {i, j, k};
    PetscInt       q = -1, tile[2];

    if (pb->materials[mat].k_exponent == 0) continue;
    for (PetscInt b = 0; b < nbox && q < 0; b++) {
      const PetscInt bb = b < ns ? b : (b < ns + nb ? ns + nb - 1 - (b - ns) : b); /* blocks: the last first */

      if (i < box[bb].lo[0] || i >= box[bb].hi[0] || j < box[bb].lo[1] || j >= box[bb].hi[1] || k < box[bb].lo[2] || k >= box[bb].hi[2]) continue;
      if (bb >= ns && bb < ns + nb && pb->blocks[bb - ns].material != mat) continue;
      if (bb >= ns + nb && bb < nbox - 1 && pb->layers[bb - ns - nb].material != mat) continue;
      q = bb;
    }
    for (PetscInt d = 0; d < 2; d++) {
      const PetscInt ext = box[q].hi[d] - box[q].lo[d], n = PetscMin(nt, ext);

      tile[d] = (idx[d] - box[q].lo[d]) * n / ext;
    }
    {
      const PetscReal hot = PetscRealPart(th_hot[PhIndexBoxOffset(&th->owned, i, j, k)]);
      const PetscInt  bin = hhi > hlo ? PetscMin(nbin - 1, (PetscInt)(nbin * (hot - hlo) / (hhi - hlo))) : 0;

      creg[g] = (((q * nm + mat) * nbin + bin) * nt + tile[1]) * nt + tile[0];
    }
    clist[ncell] = g;
    cvol[ncell]  = (line[0][i + 1] - line[0][i]) * (line[1][j + 1] - line[1][j]) * (line[2][k + 1] - line[2][k]);
    vol[creg[g]] += cvol[ncell];
    tsum[creg[g]] += cvol[ncell] * PetscRealPart(tk[PhIndexBoxOffset(&th->owned, i, j, k)]);
    ncell++;
  }
  PetscCall(VecRestoreArrayRead(th->Tk, &tk));
  PetscCall(VecRestoreArrayRead(th->freeze_hot, &th_hot));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, vol, (PetscMPIInt)gmax, MPIU_REAL, MPIU_SUM, th->comm));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, tsum, (PetscMPIInt)gmax, MPIU_REAL, MPIU_SUM, th->comm));
  rd->nkg = 0;
  for (PetscInt q = 0; q < gmax; q++) map[q] = vol[q] > 0 ? rd->nkg++ : -1;
  if (rd->nkg > PH_REDUCED_KREG_MAX) { /* their r x r matrices would cost more than re-forming */
    PetscCall(PetscInfo(NULL, "reduced model: %d regions of k(T), more than %d: the operator is re-formed instead\n", (int)rd->nkg,
                        (int)PH_REDUCED_KREG_MAX));
    rd->nkg = 0;
  } else {
    PetscCall(PetscMalloc4(rd->nkg * r + 1, &rd->kgrow, rd->nkg + 1, &rd->kgtf, rd->nkg + 1, &rd->kgn, rd->nkg + 1, &rd->kgds));
    PetscCall(PetscCalloc1(rd->nkg * r * r + 1, &kgM));
    for (PetscInt q = 0; q < gmax; q++) {
      PetscInt mat;

      if (map[q] < 0) continue;
      rd->kgtf[map[q]] = tsum[q] / vol[q];
      rd->kgds[map[q]] = 0;
      mat              = (q / (nbin * nt * nt)) % nm; /* the region's material */
      rd->kgn[map[q]]  = pb->materials[mat].k_exponent;
    }
    for (PetscInt c = 0; c < ncell; c++) creg[clist[c]] = map[creg[clist[c]]];
    /* the basis at the cells of the face sides, [row][r], and the regions' mean rows */
    for (PetscInt f = 0; f < nside; f++) {
      if (rowof[own[f]] < 0) rowof[own[f]] = nrow++;
      if (rowof[nbr[f]] < 0) rowof[nbr[f]] = nrow++;
    }
    PetscCall(PetscMalloc3(nrow + 1, &slist, nrow * r + 1, &Vloc, rd->nkg * r + 1, &rows));
    PetscCall(PetscArrayzero(rows, rd->nkg * r));
    for (PetscInt c = 0; c < nghost; c++)
      if (rowof[c] >= 0) slist[rowof[c]] = c;
    PetscCall(DMGetLocalVector(th->da, &loc));
    for (PetscInt kv = 0; kv < r; kv++) {
      const PetscScalar *a;

      PetscCall(DMGlobalToLocalBegin(th->da, rd->V[kv], INSERT_VALUES, loc));
      PetscCall(DMGlobalToLocalEnd(th->da, rd->V[kv], INSERT_VALUES, loc));
      PetscCall(VecGetArrayRead(loc, &a));
      for (PetscInt s = 0; s < nrow; s++) Vloc[s * r + kv] = PetscRealPart(a[slist[s]]);
      for (PetscInt c = 0; c < ncell; c++) rows[creg[clist[c]] * r + kv] += cvol[c] * PetscRealPart(a[clist[c]]);
      PetscCall(VecRestoreArrayRead(loc, &a));
    }
    PetscCall(DMRestoreLocalVector(th->da, &loc));
    PetscCall(MPIU_Allreduce(rows, rd->kgrow, (PetscMPIInt)(rd->nkg * r), MPIU_REAL, MPIU_SUM, th->comm));
    for (PetscInt q = 0; q < gmax; q++)
      if (map[q] >= 0)
        for (PetscInt kv = 0; kv < r; kv++) rd->kgrow[map[q] * r + kv] /= vol[q];
    /* K_g = sum over its face sides of dG/ds (V_own - V_nbr)(V_own - V_nbr)^T, in products of PH_REDUCED_KREG_CHUNK sides */
    PetscCall(PetscCalloc3(rd->nkg + 1, &cnt, rd->nkg + 1, &start, nside + 1, &order));
    for (PetscInt f = 0; f < nside; f++) cnt[creg[own[f]]]++;
    for (PetscInt g = 0; g < rd->nkg; g++) start[g + 1] = start[g] + cnt[g];
    for (PetscInt f = 0; f < nside; f++) order[start[creg[own[f]]]++] = f;
    for (PetscInt g = rd->nkg; g > 0; g--) start[g] = start[g - 1];
    start[0] = 0;
    PetscCall(PetscMalloc3(PH_REDUCED_KREG_CHUNK * r, &E, r * r, &Kg, r * r, &tmp));
    for (PetscInt g = 0; g < rd->nkg; g++) {
      PetscBLASInt n, kk;
      PetscReal    one = 1;

      PetscCall(PetscArrayzero(Kg, r * r));
      PetscCall(PetscBLASIntCast(r, &n));
      for (PetscInt f0 = start[g]; f0 < start[g] + cnt[g]; f0 += PH_REDUCED_KREG_CHUNK) {
        const PetscInt nf = PetscMin(PH_REDUCED_KREG_CHUNK, start[g] + cnt[g] - f0);

        for (PetscInt c = 0; c < nf; c++) {
          const PetscInt  f = order[f0 + c];
          const PetscReal w = PetscSqrtReal(dgds[f]), *va = Vloc + rowof[own[f]] * r, *vb = Vloc + rowof[nbr[f]] * r;

          for (PetscInt kv = 0; kv < r; kv++) E[c * r + kv] = w * (va[kv] - vb[kv]);
        }
        PetscCall(PetscBLASIntCast(nf, &kk));
        PetscCallBLAS("BLASsyrk", BLASsyrk_("U", "N", &n, &kk, &one, E, &n, &one, Kg, &n));
      }
      for (PetscInt j = 0; j < r; j++)
        for (PetscInt i = j + 1; i < r; i++) Kg[j * r + i] = Kg[i * r + j]; /* column-major: the upper triangle is (i <= j) at [j r + i] */
      PetscCall(PetscArraycpy(kgM + g * r * r, Kg, r * r));
    }
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, kgM, (PetscMPIInt)(rd->nkg * r * r), MPIU_REAL, MPIU_SUM, th->comm));
    { /* to the modes, M_g = Q^T K_g Q (Q column-major, its columns the modes), and factored, M_g = L_g L_g^T: the
       eigenpairs (sigma, u) of Lambda^-1/2 M_g Lambda^-1/2 (Lambda the modes' eigenvalues; M_g is positive
       semi-definite), which measure what the term changes relative to the operator itself, above PH_REDUCED_KREG_EPS,
       L_g's columns sqrt(sigma) Lambda^1/2 u. The ranks share the regions out: each factors and applies its own
       (PhReducedKRegionsInput() sums their parts), which halves both on two ranks. With cold plates (Q = I, no modes) Lambda is
       the diagonal of K_r instead. */
      PetscBLASInt n, lwork, info;
      PetscReal    one = 1, zero = 0, *ev, *work, *sc;
      PetscInt     cap = 0;

      PetscCall(PetscBLASIntCast(r, &n));
      PetscCall(PetscBLASIntCast(3 * r, &lwork));
      PetscCall(PetscMalloc3(r, &ev, 3 * r, &work, r, &sc));
      PetscCall(PetscMalloc1(rd->nkg + 1, &rd->kgoff));
      if (rd->nonsym) {
        PetscReal top = 0;

        for (PetscInt k = 0; k < r; k++) top = PetscMax(top, rd->K[k * rd->rcap + k]);
        for (PetscInt k = 0; k < r; k++) sc[k] = PetscMax(rd->K[k * rd->rcap + k], 1e-12 * top);
      } else
        for (PetscInt k = 0; k < r; k++) sc[k] = PetscMax(rd->lambda[k], 1e-12 * rd->lambda[r - 1]);
      rd->nkl = 0;
      {
        PetscMPIInt rank, size;

        PetscCallMPI(MPI_Comm_rank(th->comm, &rank));
        PetscCallMPI(MPI_Comm_size(th->comm, &size));
        rd->kg_lo = (PetscInt)(((PetscInt64)rd->nkg * rank) / size);
        rd->kg_hi = (PetscInt)(((PetscInt64)rd->nkg * (rank + 1)) / size);
      }
      for (PetscInt g = 0; g < rd->nkg; g++) {
        PetscReal *M = kgM + g * r * r;

        rd->kgoff[g] = rd->nkl;
        if (g < rd->kg_lo || g >= rd->kg_hi) continue; /* another rank's */
        PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &n, &n, &n, &one, M, &n, rd->Q, &n, &zero, tmp, &n));
        PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &n, &n, &n, &one, rd->Q, &n, tmp, &n, &zero, M, &n));
        for (PetscInt j = 0; j < r; j++)
          for (PetscInt i = 0; i < r; i++) M[j * r + i] /= PetscSqrtReal(sc[i] * sc[j]);
        PetscCallBLAS("LAPACKsyev", LAPACKsyev_("V", "U", &n, M, &n, ev, work, &lwork, &info));
        PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "reduced model: the eigenvalues of a k(T) region's term failed (%d)", (int)info);
        for (PetscInt k = r - 1; k >= 0 && ev[k] > PH_REDUCED_KREG_EPS; k--) { /* largest first; kept in place of M's columns */
          const PetscReal sq = PetscSqrtReal(ev[k]);

          for (PetscInt i = 0; i < r; i++) M[(r - 1 - (rd->nkl - rd->kgoff[g])) * r + i] = sq * PetscSqrtReal(sc[i]) * M[k * r + i];
          rd->nkl++;
        }
        cap = PetscMax(cap, rd->nkl - rd->kgoff[g]);
      }
      rd->kgoff[rd->nkg] = rd->nkl;
      PetscCall(PetscMalloc2(rd->nkl * r + 1, &rd->kgL, rd->nkl + 1, &rd->kgy));
      for (PetscInt g = 0; g < rd->nkg; g++)
        for (PetscInt c = rd->kgoff[g]; c < rd->kgoff[g + 1]; c++)
          PetscCall(PetscArraycpy(rd->kgL + c * r, kgM + g * r * r + (r - 1 - (c - rd->kgoff[g])) * r, r));
      PetscCall(PetscFree3(ev, work, sc));
      PetscCall(PetscFree(kgM));
      PetscCall(MPIU_Allreduce(&rd->nkl, &rd->nkl_all, 1, MPIU_INT, MPI_SUM, th->comm));
      PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &cap, 1, MPIU_INT, MPI_MAX, th->comm));
      PetscCall(PetscInfo(NULL,
                          "reduced model: the k(T) regions' terms factored to %d columns (at most %d per region, of %d), %d of them on this rank\n",
                          (int)rd->nkl_all, (int)cap, (int)r, (int)rd->nkl));
    }
    PetscCall(PetscInfo(NULL, "reduced model: k(T) follows %d regions (%d face sides on this rank) as a correction of the frozen operator\n",
                        (int)rd->nkg, (int)nside));
    PetscCall(PetscFree3(E, Kg, tmp));
    PetscCall(PetscFree3(cnt, start, order));
    PetscCall(PetscFree3(slist, Vloc, rows));
  }
  PetscCall(PetscFree2(clist, cvol));
  PetscCall(PetscFree2(vol, tsum));
  PetscCall(PetscFree3(creg, rowof, map));
  PetscCall(PetscFree(box));
  PetscCall(PetscFree3(own, nbr, dgds));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The regions' ds_g at their mean temperatures for the reduced coordinates x. */
static PetscErrorCode PhReducedKRegionsUpdate(PhThermal th, const PetscReal x[])
{
  PhReduced rd = th->reduced;
  PetscInt  r  = rd->r;

  PetscFunctionBeginUser;
  for (PetscInt g = 0; g < rd->nkg; g++) {
    const PetscReal tg = th->t_ref + PhReducedDot(rd->kgrow + g * r, x, r);

    rd->kgds[g] = tg > 0 ? PetscPowReal(tg / rd->kgtf[g], rd->kgn[g]) - 1 : 0;
  }
  if (rd->nkg > 0) rd->nkupdate++;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The corrector's ds_g: at the end of the interval, the modes z1 predicted there (x = Q z1, in the scratch rd->xr). */
static PetscErrorCode PhReducedKRegionsAtEnd(PhThermal th, const PetscReal z1[])
{
  PhReduced    rd = th->reduced;
  PetscBLASInt n, one = 1;
  PetscReal    pone = 1, zero = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscBLASIntCast(rd->r, &n));
  PetscCallBLAS("BLASgemv", BLASgemv_("N", &n, &n, &pone, rd->Q, &n, z1, &one, &zero, rd->xr, &one));
  PetscCall(PhReducedKRegionsUpdate(th, rd->xr));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* c = -dM z = -sum_g ds_g L_g (L_g^T z): two products with the factors side by side */
static PetscErrorCode PhReducedKRegionsInput(PhThermal th, const PetscReal z[], PetscReal c[])
{
  PhReduced    rd = th->reduced;
  PetscBLASInt n, nl, one = 1;
  PetscReal    mone = -1, pone = 1, zero = 0;
  PetscMPIInt  rank, size;

  PetscFunctionBeginUser;
  PetscCall(PetscBLASIntCast(rd->r, &n));
  PetscCall(PetscBLASIntCast(rd->nkl, &nl));
  if (rd->nkl == 0) PetscCall(PetscArrayzero(c, rd->r));
  else {
    PetscCallBLAS("BLASgemv", BLASgemv_("T", &n, &nl, &pone, rd->kgL, &n, z, &one, &zero, rd->kgy, &one));
    for (PetscInt g = rd->kg_lo; g < rd->kg_hi; g++)
      for (PetscInt k = rd->kgoff[g]; k < rd->kgoff[g + 1]; k++) rd->kgy[k] *= rd->kgds[g];
    PetscCallBLAS("BLASgemv", BLASgemv_("N", &n, &nl, &mone, rd->kgL, &n, rd->kgy, &one, &zero, c, &one));
  }
  PetscCallMPI(MPI_Comm_size(th->comm, &size));
  if (size > 1 && rd->nkl_all > 0) { /* the ranks' parts summed on rank 0 and sent from there: the same bits on every rank */
    PetscCallMPI(MPI_Comm_rank(th->comm, &rank));
    PetscCallMPI(MPI_Reduce(rank == 0 ? MPI_IN_PLACE : c, c, (PetscMPIInt)rd->r, MPIU_REAL, MPI_SUM, 0, th->comm));
    PetscCallMPI(MPI_Bcast(c, (PetscMPIInt)rd->r, MPIU_REAL, 0, th->comm));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Cold plates (time.method: reduced with a cold_plate boundary). The coolant makes the operator J = A - g Theta non-
  symmetric (Theta: the sweep along the flow, thermal_coolant.c), so K_r = V^T J V is not either; the basis is built
  with the same rational Krylov blocks (J + s C)^-1 F, solved by GMRES with the multigrid of A, and the steady ones are
  exact. The coolant is linear in the package's rise and its inlet for a fixed flow, so the flow must be constant (the
  loader refuses another) and the inlet is an input like an ambient, with the column g Theta(0; 1).
  Stability: x^T J x >= 0 for every x. Along a strip with inlet 0 and coolant tau_c entering cell c, Q_c = a_c (x_c -
  tau_c) with a_c = w (1 - exp(-g_c / w)) <= w, tau_{c+1} = tau_c + Q_c / w, and sum_c x_c Q_c = w tau_out^2 / 2 +
  sum_c Q_c^2 (1 / a_c - 1 / (2 w)) >= 0; conduction and the other faces add a positive semi-definite form. Hence
  K_r + K_r^T = V^T (J + J^T) V is positive semi-definite too, and x' = -K_r x never grows in |x| (the C-norm of the
  field): the projected system is stable, whatever the basis. PhReducedIdentityModes() checks it numerically.
  K_r is not diagonalised: x is stepped by exact exponentials of the dense system over each interval length
  (PhReducedExpoGet()), held and ramped inputs as in the symmetric case.
*/

/* y = J x without the shift on A's diagonal (transpose: y = J^T x). */
static PetscErrorCode PhReducedMultJ(PhThermal th, Vec x, Vec y, PetscBool transpose)
{
  Mat op;

  PetscFunctionBeginUser;
  PetscCall(PhThermalOperator_Private(th, 0, PETSC_FALSE, &op));
  if (transpose) PetscCall(MatMultTranspose(op, x, y));
  else PetscCall(MatMult(op, x, y));
  if (th->shift != 0) {
    PetscCall(VecPointwiseMult(th->work, th->capacity, x));
    PetscCall(VecAXPY(y, -th->shift, th->work));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The entries of K_r = V^T J V with basis vector k: with `incremental`, its column down to the diagonal and its row
   (J^T V_k) left of it, as the basis grows; otherwise its whole column (when the operator is re-formed). */
static PetscErrorCode PhReducedOperatorEntries(PhThermal th, PetscInt k, PetscBool incremental)
{
  PhReduced    rd = th->reduced;
  PetscInt     n  = incremental ? k + 1 : rd->r;
  PetscScalar *dots;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n + 1, &dots));
  PetscCall(PhReducedMultJ(th, rd->V[k], th->rate, PETSC_FALSE));
  PetscCall(VecMDot(th->rate, n, rd->V, dots));
  for (PetscInt j = 0; j < n; j++) rd->K[j * rd->rcap + k] = PetscRealPart(dots[j]);
  if (incremental && k > 0) {
    PetscCall(PhReducedMultJ(th, rd->V[k], th->rate, PETSC_TRUE));
    PetscCall(VecMDot(th->rate, k, rd->V, dots));
    for (PetscInt j = 0; j < k; j++) rd->K[k * rd->rcap + j] = PetscRealPart(dots[j]);
  }
  PetscCall(PetscFree(dots));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The input column of boundary input q: g on its cells (an ambient or surface temperature; the area for a flux), or for
   a cold plate g Theta(0; 1), the heat its cells take from coolant entering 1 K above T_ref past walls at T_ref. */
static PetscErrorCode PhReducedPatchColumn(PhThermal th, PetscInt q)
{
  PhReduced      rd = th->reduced;
  const PhPatch *pa = &th->patches[rd->patch[q]];
  Vec            F  = rd->F[th->problem->nsources + q];
  PetscInt       p  = PhThermalPatchPlate_Private(th, pa);

  PetscFunctionBeginUser;
  if (p >= 0) {
    Vec *col;

    PetscCall(PetscCalloc1(th->nplates, &col));
    col[p] = F;
    PetscCall(PhThermalPlatesResponse_Private(th, NULL, 1.0, col));
    PetscCall(PetscFree(col));
  } else {
    PetscScalar *f;

    PetscCall(VecSet(F, 0.0));
    PetscCall(VecGetArray(F, &f));
    for (PetscInt c = 0; c < pa->n; c++) f[PhIndexBoxOffset(&th->owned, pa->cell[c][0], pa->cell[c][1], pa->cell[c][2])] += pa->g[c];
    PetscCall(VecRestoreArray(F, &f));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Non-symmetric K_r: no modes (Q = I, the state z is x itself); the symmetric part is checked to be positive
   semi-definite (see above), to rounding; the exponentials of an earlier K_r are dropped. */
static PetscErrorCode PhReducedIdentityModes(PhThermal th)
{
  PhReduced    rd = th->reduced;
  PetscInt     r  = rd->r;
  PetscBLASInt n, lwork, info;
  PetscReal   *S, *work, top = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(rd->Q, r * r));
  for (PetscInt k = 0; k < r; k++) {
    rd->Q[k * r + k] = 1;
    rd->lambda[k]    = 0;
  }
  for (PetscInt e = 0; e < rd->nexp; e++) PetscCall(PetscFree4(rd->expo[e].E, rd->expo[e].P1, rd->expo[e].I2, rd->expo[e].I3));
  rd->nexp = rd->next = 0;
  PetscCall(PetscBLASIntCast(r, &n));
  PetscCall(PetscBLASIntCast(PetscMax(1, 3 * r), &lwork));
  PetscCall(PetscMalloc2(r * r + 1, &S, PetscMax(1, 3 * r) + r, &work));
  for (PetscInt i = 0; i < r; i++)
    for (PetscInt j = 0; j < r; j++) S[j * r + i] = 0.5 * (rd->K[i * rd->rcap + j] + rd->K[j * rd->rcap + i]);
  PetscCallBLAS("LAPACKsyev", LAPACKsyev_("N", "U", &n, S, &n, work + 3 * r, work, &lwork, &info));
  PetscCheck(info == 0, th->comm, PETSC_ERR_LIB, "reduced model: the eigenvalues of the symmetric part of K_r failed (%d)", (int)info);
  for (PetscInt k = 0; k < r; k++) top = PetscMax(top, PetscAbsReal(work[3 * r + k]));
  rd->symmin = r > 0 && top > 0 ? work[3 * r] / top : 0;
  PetscCall(PetscFree2(S, work));
  PetscCheck(rd->symmin >= -1e-9, th->comm, PETSC_ERR_PLIB,
             "reduced model: the projected operator with the cold plates is not dissipative (smallest eigenvalue of its symmetric part %g of "
             "the largest); use time.method: full",
             (double)rd->symmin);
  PetscCall(PetscInfo(NULL, "reduced model: cold plates, K_r not symmetric (%d); its symmetric part has eigenvalues from %g to %g 1/s\n", (int)r,
                      (double)(rd->symmin * top), (double)top));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The coolant's outputs as reduced rows: per plate and micro-channel cavity its profile at every point and its heat,
   each a row over the basis plus an inlet coefficient (PhThermalPlatesResponse_Private() and
   PhThermalCavitiesResponse_Private() of every basis vector with inlet 0, then of the inlet alone); the plate patches'
   energy rows are their heat rows (a cavity's heat: PhReducedCavityHeat()). */
static PetscErrorCode PhReducedPlateRows(PhThermal th)
{
  PhReduced rd = th->reduced;
  PetscInt  r = rd->r, np = th->nplates + th->ncavities, *npt, total = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscFree3(rd->prow, rd->pin, rd->poff));
  PetscCall(PetscMalloc1(np, &npt));
  PetscCall(PhThermalGetColdPlates(th, &np, NULL, npt));
  for (PetscInt p = 0; p < np; p++) total += npt[p] + 1;
  PetscCall(PetscMalloc3(total * r + 1, &rd->prow, total + 1, &rd->pin, np + 1, &rd->poff));
  rd->poff[0] = 0;
  for (PetscInt p = 0; p < np; p++) rd->poff[p + 1] = rd->poff[p] + npt[p] + 1;
  for (PetscInt k = 0; k <= r; k++) { /* the basis vectors with inlet 0, then (k = r) the inlet alone */
    PetscCall(PhThermalPlatesResponse_Private(th, k < r ? rd->V[k] : NULL, k < r ? 0.0 : 1.0, NULL));
    PetscCall(PhThermalCavitiesResponse_Private(th, k < r ? rd->V[k] : NULL, k < r ? 0.0 : 1.0, NULL));
    for (PetscInt p = 0; p < np; p++) { /* the plates, then the micro-channel cavities */
      const PetscReal *prof = p < th->nplates ? th->plates[p].profile : th->cavities[p - th->nplates].profile;
      const PetscReal  q    = p < th->nplates ? th->plates[p].heat : th->cavities[p - th->nplates].heat;

      for (PetscInt s = 0; s <= npt[p]; s++) {
        PetscReal v = s < npt[p] ? prof[s] : q;

        if (k < r) rd->prow[(rd->poff[p] + s) * r + k] = v;
        else rd->pin[rd->poff[p] + s] = v;
      }
    }
  }
  for (PetscInt q = 0; q < rd->npatch; q++) { /* the heat the coolant carries away: its energy row, and -gsum the inlet's */
    PetscInt p = PhThermalPatchPlate_Private(th, &th->patches[rd->patch[q]]), h;

    if (p < 0) continue;
    h = rd->poff[p] + npt[p];
    for (PetscInt k = 0; k < r; k++) {
      rd->orow[q * r + k] = 0;
      for (PetscInt i = 0; i < r; i++) rd->orow[q * r + k] += rd->Q[k * r + i] * rd->prow[h * r + i];
    }
    rd->gsum[q] = -rd->pin[h];
  }
  PetscCall(PetscFree(npt));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The coolant of every plate and cavity at the reduced state: T_ref + row x + inlet coefficient (inlet - T_ref). */
PetscErrorCode PhThermalReducedPlates_Private(PhThermal th, PetscReal outlet[], PetscReal heat[], PetscReal *profile[])
{
  PhReduced rd = th->reduced;
  PetscInt  r  = rd->r;

  PetscFunctionBeginUser;
  for (PetscInt p = 0; p < th->nplates + th->ncavities; p++) {
    const PhSignal *in  = p < th->nplates ? &th->plates[p].bc->value : &th->cavities[p - th->nplates].ch->inlet;
    const PetscInt  npt = rd->poff[p + 1] - rd->poff[p] - 1;
    const PetscReal u   = PhSignalAt_Private(in, th->t, PETSC_FALSE) - th->t_ref;

    for (PetscInt s = 0; s <= npt; s++) {
      const PetscInt  o = rd->poff[p] + s;
      const PetscReal v = PhReducedDot(rd->prow + o * r, rd->x, r) + rd->pin[o] * u;

      if (s == npt) heat[p] = v;
      else {
        if (profile != NULL) profile[p][s] = th->t_ref + v;
        if (s == npt - 1) outlet[p] = th->t_ref + v;
      }
    }
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  Micro-channel cavities (time.method: reduced with a layer of type microchannel). The coolant's advection is part of
  A itself (thermal_channel.c), which makes it non-symmetric as a cold plate makes J: the same non-symmetric
  projection, rows from A^T. Its symmetric part is positive semi-definite: along a stream with inlet 0, sum_i x_i w (x_i
  - x_{i-1}) = w (x_n^2 + sum_i (x_i - x_{i-1})^2) / 2 >= 0 (w the stream's m cp), so the projected system is stable
  for any basis. For a fixed flow the coolant is linear in the field and the inlet, so each cavity's inlet is one more
  input (the last ones), whose column is the m cp of its inlet cells; its outlet, profile and heat are reduced rows
  (PhReducedPlateRows()). The heat the coolant carries out, m cp (outlet - inlet), closes the energy balance exactly:
  the column sums of the advection are the outlet cells' m cp, and those of the inlet column the cavity's m cp.
*/
/* The largest distance of a signal's values from ref (K): a trace's rows, a pattern's extremes. */
static PetscReal PhReducedSignalSpan(const PhSignal *sig, PetscReal ref)
{
  PetscReal m = 0;

  if (sig->type == PH_SIGNAL_CONSTANT) return PetscAbsReal(sig->value - ref);
  if (sig->type == PH_SIGNAL_SQUARE) return PetscMax(PetscAbsReal(sig->high - ref), PetscAbsReal(sig->low - ref));
  if (sig->type == PH_SIGNAL_SINE) return PetscAbsReal(sig->mean - ref) + PetscAbsReal(sig->amplitude);
  for (PetscInt r = 0; r < sig->n; r++) m = PetscMax(m, PetscAbsReal(sig->v[r] - ref));
  return m;
}

static PetscErrorCode PhReducedCavityInputs(PhThermal th)
{
  PhReduced      rd = th->reduced;
  const PetscInt i0 = th->problem->nsources + rd->npatch + rd->nheat;
  Vec           *col;

  PetscFunctionBeginUser;
  if (rd->ncav == 0) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PetscCalloc1(rd->ncav, &col));
  for (PetscInt c = 0; c < rd->ncav; c++) {
    col[c]          = rd->F[i0 + c];
    rd->amp[i0 + c] = PetscMax(PhReducedSignalSpan(&th->cavities[c].ch->inlet, th->t_ref), 1e-3); /* always in the basis */
  }
  PetscCall(PhThermalCavitiesResponse_Private(th, NULL, 0.0, col));
  PetscCall(PetscFree(col));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Add to *out the heat the cavities' coolant carries out over an interval of length h: its heat row times the integral
   ix of the reduced state, and its inlet coefficient times the integral of the inlet (u0 to u1, linear). */
static void PhReducedCavityHeat(PhThermal th, PetscReal h, const PetscReal ix[], const PetscReal u0[], const PetscReal u1[], PetscReal *out)
{
  PhReduced      rd = th->reduced;
  const PetscInt i0 = th->problem->nsources + rd->npatch + rd->nheat;

  for (PetscInt c = 0; c < rd->ncav; c++) {
    const PetscInt o = rd->poff[th->nplates + c + 1] - 1; /* the heat row */

    *out += PhReducedDot(rd->prow + o * rd->r, ix, rd->r) + rd->pin[o] * h * 0.5 * (u0[i0 + c] + u1[i0 + c]);
  }
}

/* C = A B for n x n matrices (row-major; all are functions of one matrix here, so they commute anyway). */
static PetscErrorCode PhReducedGemm(PetscInt n, const PetscReal *A, const PetscReal *B, PetscReal *C)
{
  PetscBLASInt nn;
  PetscReal    one = 1, zero = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscBLASIntCast(n, &nn));
  /* row-major C = A B is column-major C^T = B^T A^T */
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &nn, &nn, &nn, &one, B, &nn, A, &nn, &zero, C, &nn));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/*
  phi_k(Z), k = 0..3, of Z = -h K_r by scaling and squaring: Z / 2^q with 1-norm at most 1/4, the Taylor series
  phi_k(Y) = sum_j Y^j / (j + k)! to j = 14 (the next term is below 1e-21 of the first), then q doublings
  phi_0(2Y) = phi_0^2, phi_1(2Y) = (phi_0 phi_1 + phi_1) / 2, phi_2(2Y) = (phi_0 phi_2 + phi_1 + phi_2) / 4,
  phi_3(2Y) = (phi_0 phi_3 + phi_1 / 2 + phi_2 + phi_3) / 8. The symmetric part of K_r is positive semi-definite, so
  |e^Z| <= 1 and the doublings do not amplify rounding.
*/
static PetscErrorCode PhReducedExpoCompute(PhReduced rd, PhReducedExpo *ex)
{
  const PetscInt r = rd->r, rr = r * r, deg = 14;
  PetscReal      norm = 0, scale, *Y, *Pw, *T, *phi[4], fact[20];
  PetscInt       q    = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4(rr, &ex->E, rr, &ex->P1, rr, &ex->I2, rr, &ex->I3));
  phi[0] = ex->E, phi[1] = ex->P1, phi[2] = ex->I2, phi[3] = ex->I3;
  PetscCall(PetscMalloc3(rr, &Y, rr, &Pw, 4 * rr, &T));
  for (PetscInt j = 0; j < r; j++) {
    PetscReal col = 0;

    for (PetscInt i = 0; i < r; i++) col += PetscAbsReal(rd->K[i * rd->rcap + j]);
    norm = PetscMax(norm, col * ex->h);
  }
  while (norm / PetscPowReal(2.0, (PetscReal)q) > 0.25) q++;
  scale = -ex->h / PetscPowReal(2.0, (PetscReal)q);
  for (PetscInt i = 0; i < r; i++)
    for (PetscInt j = 0; j < r; j++) Y[i * r + j] = scale * rd->K[i * rd->rcap + j];
  fact[0] = 1;
  for (PetscInt j = 1; j < 20; j++) fact[j] = fact[j - 1] * j;
  for (PetscInt k = 0; k < 4; k++) PetscCall(PetscArrayzero(phi[k], rr));
  PetscCall(PetscArrayzero(Pw, rr));
  for (PetscInt i = 0; i < r; i++) Pw[i * r + i] = 1;
  for (PetscInt j = 0; j <= deg; j++) { /* Pw = Y^j */
    for (PetscInt k = 0; k < 4; k++)
      for (PetscInt e = 0; e < rr; e++) phi[k][e] += Pw[e] / fact[j + k];
    if (j < deg) {
      PetscCall(PhReducedGemm(r, Pw, Y, T));
      PetscCall(PetscArraycpy(Pw, T, rr));
    }
  }
  for (PetscInt d = 0; d < q; d++) {
    for (PetscInt k = 0; k < 4; k++) PetscCall(PhReducedGemm(r, phi[0], phi[k], T + k * rr)); /* phi_0 phi_k */
    for (PetscInt e = 0; e < rr; e++) {
      const PetscReal p1 = phi[1][e], p2 = phi[2][e], p3 = phi[3][e];

      phi[0][e] = T[e];
      phi[1][e] = 0.5 * (T[rr + e] + p1);
      phi[2][e] = 0.25 * (T[2 * rr + e] + p1 + p2);
      phi[3][e] = 0.125 * (T[3 * rr + e] + 0.5 * p1 + p2 + p3);
    }
  }
  for (PetscInt e = 0; e < rr; e++) {
    phi[1][e] *= ex->h;
    phi[2][e] *= ex->h * ex->h;
    phi[3][e] *= ex->h * ex->h;
  }
  PetscCall(PetscFree3(Y, Pw, T));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* The propagators of interval length h: those of a length within 1e-10 of it when cached, else computed and kept (the
   oldest replaced when PH_REDUCED_NEXP are kept). Landings fall on few distinct lengths (sample, trace and pattern steps). */
static PetscErrorCode PhReducedExpoGet(PhThermal th, PetscReal h, PhReducedExpo **ex)
{
  PhReduced rd = th->reduced;
  PetscInt  e;

  PetscFunctionBeginUser;
  for (e = 0; e < rd->nexp; e++)
    if (PetscAbsReal(rd->expo[e].h - h) <= 1e-10 * h) {
      *ex = &rd->expo[e];
      PetscFunctionReturn(PETSC_SUCCESS);
    }
  if (rd->expo == NULL) PetscCall(PetscCalloc1(PH_REDUCED_NEXP, &rd->expo));
  if (rd->nexp < PH_REDUCED_NEXP) e = rd->nexp++;
  else {
    e        = rd->next;
    rd->next = (rd->next + 1) % PH_REDUCED_NEXP;
    PetscCall(PetscFree4(rd->expo[e].E, rd->expo[e].P1, rd->expo[e].I2, rd->expo[e].I3));
  }
  rd->expo[e].h = h;
  PetscCall(PhReducedExpoCompute(rd, &rd->expo[e]));
  rd->nexpo_built++;
  *ex = &rd->expo[e];
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* Step x = z exactly over [t, t + h] with the inputs u0 at the start and u1 at the end (linear between), and add the
   heat that leaves through the convection, temperature and cold-plate faces over it to *out (their rows times the
   integral of x). */
static PetscErrorCode PhReducedAdvanceExpo(PhThermal th, PetscReal h, const PetscReal u0[], const PetscReal u1[], PetscReal *out)
{
  PhReduced      rd = th->reduced;
  const PetscInt r = rd->r, m = rd->m;
  PhReducedExpo *ex = NULL;
  PetscReal     *b0, *db, *x1, *ix, *c0, *c1;

  PetscFunctionBeginUser;
  PetscCall(PhReducedExpoGet(th, h, &ex));
  PetscCall(PetscMalloc6(r, &b0, r, &db, r, &x1, r, &ix, r, &c0, r, &c1));
  for (PetscInt i = 0; i < r; i++) {
    b0[i] = db[i] = 0;
    for (PetscInt c = 0; c < m; c++) {
      b0[i] += rd->B[i * m + c] * u0[c];
      db[i] += rd->B[i * m + c] * (u1[c] - u0[c]);
    }
  }
  if (rd->nkg > 0) { /* k(T) by regions: the correction -dM x, from the start of the interval, then from its end (as
                        PhReducedAdvanceModes()) */
    PetscCall(PhReducedKRegionsInput(th, rd->z, c0));
    for (PetscInt i = 0; i < r; i++) b0[i] += c0[i];
  }
  for (PetscInt pass = 0; pass < (rd->nkg > 0 ? 2 : 1); pass++) {
    if (pass > 0) {
      PetscCall(PhReducedKRegionsAtEnd(th, x1));
      PetscCall(PhReducedKRegionsInput(th, x1, c1));
      for (PetscInt i = 0; i < r; i++) db[i] += (c1[i] - c0[i]);
    }
    for (PetscInt i = 0; i < r; i++) {
      const PetscReal *E = ex->E + i * r, *P1 = ex->P1 + i * r, *I2 = ex->I2 + i * r, *I3 = ex->I3 + i * r;

      x1[i] = PhReducedDot(E, rd->z, r) + PhReducedDot(P1, b0, r) + PhReducedDot(I2, db, r) / h;
      ix[i] = PhReducedDot(P1, rd->z, r) + PhReducedDot(I2, b0, r) + PhReducedDot(I3, db, r);
    }
  }
  for (PetscInt q = 0; q < rd->npatch; q++) *out += PhReducedDot(rd->orow + q * r, ix, r);
  PhReducedCavityHeat(th, h, ix, u0, u1, out);
  PetscCall(PetscArraycpy(rd->z, x1, r));
  PetscCall(PetscFree6(b0, db, x1, ix, c0, c1));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/* phi1 = (1 - e^{-l h}) / l and phi2 = (l h - 1 + e^{-l h}) / (l^2 h): the responses to a held and a ramped input. */
static void PhReducedPhi(PetscReal l, PetscReal h, PetscReal *e, PetscReal *phi1, PetscReal *phi2, PetscReal *psi1, PetscReal *psi2)
{
  PetscReal x = l * h;

  *e = PetscExpReal(-x);
  if (PetscAbsReal(x) < 1e-4) { /* series, free of cancellation */
    *phi1 = h * (1 - x / 2 + x * x / 6);
    *phi2 = h * (0.5 - x / 6 + x * x / 24);
    *psi1 = h * h * (0.5 - x / 6 + x * x / 24);
    *psi2 = h * h * (1.0 / 6 - x / 24 + x * x / 120);
  } else {
    *phi1 = -expm1(-x) / l;
    *phi2 = (x + expm1(-x)) / (l * x);
    *psi1 = (h - *phi1) / l;                   /* the integral of phi1 over [0, h] */
    *psi2 = (x * h / 2 - h + *phi1) / (l * x); /* the integral of the ramp response over [0, h] */
  }
}

static PetscErrorCode PhReducedAdvanceExpo(PhThermal th, PetscReal h, const PetscReal u0[], const PetscReal u1[], PetscReal *out);

/* The symmetric case: each mode exactly, with k(T) by regions the input -dM z linear over the interval, from a
   predictor (ds and z held at their start) and a corrector pass (both at the predicted end); the heat out through the
   patches integrated on the last pass. */
static PetscErrorCode PhReducedAdvanceModes(PhThermal th, PetscReal h, const PetscReal u0[], const PetscReal u1[], PetscReal *out)
{
  PhReduced  rd = th->reduced;
  PetscInt   r = rd->r, m = rd->m, npass = rd->nkg > 0 ? 2 : 1;
  PetscReal *b0, *b1, *c0, *c1, *z1, *ph;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc5(r, &b0, r, &b1, r, &c0, r, &c1, r, &z1));
  { /* the propagators of this interval length, kept for the last PH_REDUCED_NPHI lengths (a sample's interval, and the
       two parts of one that a change of power splits) */
    PetscInt e = -1;

    if (rd->phr != r) {
      PetscCall(PetscFree(rd->ph));
      PetscCall(PetscMalloc1(PH_REDUCED_NPHI * 5 * r, &rd->ph));
      rd->phr  = r;
      rd->nph  = 0;
      rd->phnx = 0;
    }
    for (PetscInt q = 0; q < rd->nph && e < 0; q++)
      if (PetscAbsReal(rd->phh[q] - h) <= 1e-15 * h) e = q;
    if (e < 0) {
      e          = rd->nph < PH_REDUCED_NPHI ? rd->nph++ : rd->phnx;
      rd->phnx   = (e + 1) % PH_REDUCED_NPHI;
      rd->phh[e] = h;
      for (PetscInt k = 0; k < r; k++) {
        PetscReal *p = rd->ph + (e * r + k) * 5;

        PhReducedPhi(rd->lambda[k], h, &p[0], &p[1], &p[2], &p[3], &p[4]);
      }
    }
    ph = rd->ph + e * r * 5;
  }
  for (PetscInt k = 0; k < r; k++)
    for (PetscInt i = 0; i < m; i++) {
      b0[k] += rd->QB[k * m + i] * u0[i];
      b1[k] += rd->QB[k * m + i] * u1[i];
    }
  if (rd->nkg > 0) {
    PetscCall(PhReducedKRegionsInput(th, rd->z, c0));
    PetscCall(PetscArraycpy(c1, c0, r));
  }
  for (PetscInt pass = 0; pass < npass; pass++) {
    if (pass > 0) {
      PetscCall(PhReducedKRegionsAtEnd(th, z1));
      PetscCall(PhReducedKRegionsInput(th, z1, c1));
    }
    for (PetscInt k = 0; k < r; k++) {
      const PetscReal a0 = b0[k] + c0[k], a1 = b1[k] + c1[k], *p = ph + 5 * k;

      z1[k] = p[0] * rd->z[k] + a0 * p[1] + (a1 - a0) * p[2];
      if (pass == npass - 1) {
        const PetscReal iz = p[1] * rd->z[k] + a0 * p[3] + (a1 - a0) * p[4];

        for (PetscInt q = 0; q < rd->npatch; q++) *out += rd->orow[q * r + k] * iz;
      }
    }
  }
  PetscCall(PetscArraycpy(rd->z, z1, r));
  PetscCall(PetscFree5(b0, b1, c0, c1, z1));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  Advance the modes exactly from th->t to t1, with the inputs linear over the interval (held inputs are constant):
  the energy integrals exactly, the field reconstructed.
**/
PetscErrorCode PhThermalReducedAdvance_Private(PhThermal th, PetscReal t1)
{
  PhReduced rd = th->reduced;
  PhCase    pb = th->problem;
  PetscInt  r, m = rd->m, ns = pb->nsources;
  PetscReal h = t1 - th->t, *u0, *u1, out = 0, flux = 0, gen = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(PH_EVENT_RED_ADVANCE, 0, 0, 0, 0));
  PetscCall(PhReducedRefreeze(th));
  r = rd->r; /* the re-forming may have added to the basis */
  PetscCall(PhReducedKRegionsUpdate(th, rd->x));
  if (th->leakage) { /* leakage from the source temperatures at the start of the interval, held over it */
    PetscReal *power;

    PetscCall(PetscMalloc1(ns, &power));
    PetscCall(PhThermalSourcePowers(th, th->t, NULL, PETSC_FALSE, power, rd->leak));
    PetscCall(PetscFree(power));
  }
  PetscCall(PetscMalloc2(PetscMax(m, 1), &u0, PetscMax(m, 1), &u1));
  PhReducedInputs(th, th->t, t1, PETSC_FALSE, u0);
  PhReducedInputs(th, th->t, t1, PETSC_TRUE, u1);
  for (PetscInt q = 0; q < rd->npatch; q++) {
    const PhPatch *pa = &th->patches[rd->patch[q]];
    PetscReal      iu = h * 0.5 * (u0[ns + q] + u1[ns + q]); /* the integral of the input over the interval */

    if (pa->bc->type == PH_BC_FLUX) flux += rd->gsum[q] * iu;
    else out -= rd->gsum[q] * iu; /* g (T - v) = g (theta - (v - T_ref)) */
  }
  for (PetscInt s = 0; s < ns; s++) gen += h * 0.5 * (u0[s] + u1[s]);
  for (PetscInt d = 0; d < rd->nheat; d++) gen += h * u0[ns + rd->npatch + d];
  if (rd->nonsym) PetscCall(PhReducedAdvanceExpo(th, h, u0, u1, &out));
  else PetscCall(PhReducedAdvanceModes(th, h, u0, u1, &out));
  th->energy.generated += gen;
  th->energy.out += out;
  th->energy.flux_in += flux;
  PetscCall(PetscFree2(u0, u1));
  /* the reduced coordinates x = Q z; the field is reconstructed only when asked for */
  {
    PetscBLASInt n, one = 1;
    PetscReal    pone = 1, zero = 0;

    PetscCall(PetscBLASIntCast(r, &n));
    PetscCallBLAS("BLASgemv", BLASgemv_("N", &n, &n, &pone, rd->Q, &n, rd->z, &one, &zero, rd->x, &one));
  }
  rd->current       = PETSC_FALSE;
  rd->cells_current = PETSC_FALSE;
  th->t             = t1;
  th->steps++;
  PetscCall(PetscLogEventEnd(PH_EVENT_RED_ADVANCE, 0, 0, 0, 0));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief The size of the reduced model, its build time (s), its estimated error (K), with k(T) materials what freezing
  the conductances moves the steady temperatures at the highest powers (K; -1 without k(T)), and with -ph_reduced_check
  the end of the window checked against the full model (s; -1 without a check) and the largest difference found there (K).

  Not collective.
**/
PetscErrorCode PhThermalGetReducedInfo(PhThermal th, PetscInt *basis, PetscInt *shifts, PetscReal *build_time, PetscReal *estimate,
                                       PetscReal *freeze_error, PetscReal *check_window, PetscReal *check_error)
{
  PhReduced rd = th->reduced;

  PetscFunctionBeginUser;
  *check_window = th->check_window >= 0 && rd ? th->check_until : -1;
  *check_error  = th->check_error;
  *basis        = rd ? rd->r : 0;
  *shifts       = rd ? rd->nshift : 0;
  *build_time   = rd ? rd->build_time : 0;
  *estimate     = rd ? rd->estimate : 0;
  *freeze_error = th->nonlinear_k && rd ? th->freeze_error : -1;
  PetscFunctionReturn(PETSC_SUCCESS);
}

PetscErrorCode PhThermalReducedDestroy_Private(PhThermal th)
{
  PhReduced rd = th->reduced;

  PetscFunctionBeginUser;
  if (rd == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(VecDestroyVecs(PetscMax(rd->m, 1), &rd->F));
  PetscCall(PhScratchFree(&rd->solves));
  PetscCall(PhScratchFree(&rd->ops));
  for (PetscInt i = 0; i < rd->r; i++) PetscCall(VecDestroy(&rd->V[i]));
  PetscCall(PetscFree(rd->V));
  PetscCall(PetscFree2(rd->K, rd->B));
  PetscCall(PetscFree(rd->amp));
  PetscCall(PetscFree2(rd->share, rd->retired));
  PetscCall(PetscFree(rd->kmean));
  if (rd->nkg > 0)
    PetscCall(PetscInfo(NULL, "reduced model: k(T) by %d regions (%d columns), corrected over %d intervals\n", (int)rd->nkg, (int)rd->nkl_all,
                        (int)rd->nkupdate));
  PetscCall(PetscFree4(rd->kgrow, rd->kgtf, rd->kgn, rd->kgds));
  PetscCall(PetscFree2(rd->kgL, rd->kgy));
  PetscCall(PetscFree(rd->kgoff));
  PetscCall(PetscFree(rd->ph));
  if (rd->nrefreeze > 0)
    PetscCall(PetscInfo(NULL,
                        "reduced model: k(T) re-frozen %d times (and %d times an earlier operator reused), %d steady states added to the basis\n",
                        (int)rd->nrefreeze, (int)rd->nreuse, (int)rd->nrefreeze_added));
  for (PetscInt e = 0; e < rd->nexp; e++) PetscCall(PetscFree4(rd->expo[e].E, rd->expo[e].P1, rd->expo[e].I2, rd->expo[e].I3));
  PetscCall(PetscFree(rd->expo));
  if (rd->nonsym) PetscCall(PetscInfo(NULL, "reduced model: cold plates, %d exponentials of K_r computed\n", (int)rd->nexpo_built));
  PetscCall(PetscFree3(rd->prow, rd->pin, rd->poff));
  PetscCall(PetscFree(rd->leak));
  PetscCall(PetscFree(rd->O));
  PetscCall(PetscFree(rd->patch));
  PetscCall(PetscFree(rd->hot));
  PetscCall(PetscFree(rd->hotg));
  PetscCall(PetscFree5(rd->lambda, rd->Q, rd->QB, rd->z, rd->xr));
  PetscCall(PetscFree2(rd->orow, rd->gsum));
  if (rd->nquery > 0)
    PetscCall(PetscInfo(NULL, "reduced model: the maxima bounded %.3g nodes and evaluated %.3g of %.3g cells per sample\n",
                        (double)(rd->nnodes / rd->nquery), (double)(rd->nevaluated / rd->nquery), (double)(rd->ncells / rd->nquery)));
  PetscCall(PhReducedOutputRowsDestroy(th));
  PetscCall(KSPDestroy(&rd->ksp));
  for (PetscInt e = 0; e < rd->nform; e++)
    if (rd->form[e].kmean != NULL) PetscCall(PhReducedFormFree(&rd->form[e]));
  PetscCall(PetscFree(rd->form));
  PetscCall(PetscFree(th->reduced));
  PetscFunctionReturn(PETSC_SUCCESS);
}

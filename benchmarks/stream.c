/*
  STREAM triad, a[i] = b[i] + s * c[i], on every MPI rank at once: the aggregate memory bandwidth the ranks of one node
  can draw, the ceiling of a memory-bound sparse matrix-vector product (benchmarks/README.md).

  Usage: mpirun -n R stream [MIB_PER_ARRAY]   (default 256 MiB per array and rank, far beyond any cache)
  Prints one line: "triad ranks R bytes B best_s T rate_GBps G", G = R * 24 * N / T / 1e9, the best of 10 repetitions
  (STREAM's convention: 24 bytes per element, no write-allocate traffic counted). No OpenMP: one thread per rank.
  Build: mpicc -O2 -o stream stream.c
*/
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define REPEAT 10

int main(int argc, char **argv)
{
  int     rank, size;
  long    n;
  double *a, *b, *c, best = 1e300, s = 3.0, check = 0, sum = 0;

  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  n = (argc > 1 ? atol(argv[1]) : 256) * 1024L * 1024L / (long)sizeof(double);
  a = malloc(n * sizeof(double));
  b = malloc(n * sizeof(double));
  c = malloc(n * sizeof(double));
  if (a == NULL || b == NULL || c == NULL) {
    fprintf(stderr, "stream: cannot allocate 3 x %ld doubles\n", n);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  for (long i = 0; i < n; i++) a[i] = 1.0, b[i] = 2.0, c[i] = 0.5; /* touch every page before timing */
  for (int r = 0; r < REPEAT; r++) {
    double t0, t, tmax;

    MPI_Barrier(MPI_COMM_WORLD);
    t0 = MPI_Wtime();
    for (long i = 0; i < n; i++) a[i] = b[i] + s * c[i];
    t = MPI_Wtime() - t0;
    MPI_Allreduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD); /* the slowest rank sets the aggregate rate */
    if (tmax < best) best = tmax;
    check += a[r % n]; /* keep the compiler from dropping repetitions */
  }
  MPI_Reduce(&check, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0)
    printf("triad ranks %d bytes %.0f best_s %.6g rate_GBps %.4g check %g\n", size, 24.0 * n * size, best, 24.0 * n * size / best / 1e9, sum);
  free(a);
  free(b);
  free(c);
  MPI_Finalize();
  return 0;
}

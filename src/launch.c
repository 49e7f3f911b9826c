/* bin/photherm: starts the program, libexec/photherm/photherm beside bin/, with transparent huge pages asked for.

   photherm's large arrays (fields, matrices, the reduced basis) are hundreds of MB touched page by page; with 4 kB
   pages a short run spends a large part of its time in page faults (HotSpot's example 2 steady at 256 x 256 cells:
   1.54 -> 0.90 s wall with 2 MB pages). Where the kernel gives transparent huge pages only on request
   (/sys/kernel/mm/transparent_hugepage/enabled is "madvise", Debian's default), glibc asks for them on its large blocks
   when the tunable glibc.malloc.hugetlb=1 is set, and it reads tunables only when a program starts. So `run`,
   `reduce` and `import`, when the environment does not name the tunable, start the program with it added to
   GLIBC_TUNABLES; GLIBC_TUNABLES=glibc.malloc.hugetlb=0 turns it off, and with THP "always" or "never" nothing is
   added. Results are bit for bit the same. This launcher links nothing but the C library: the program itself loads
   MPI, PETSc and about a hundred shared libraries, and starting it twice to set the tunable cost about 0.06 s of CPU
   per run (0.51 -> 0.43 s of CPU on HotSpot's example 2 at 128 x 128 cells). The process keeps its PID and
   arguments, so mpirun, srun and signals see one program. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PH_PROGRAM "/../libexec/photherm/photherm" /* relative to the directory of this launcher */

/* GLIBC_TUNABLES with glibc.malloc.hugetlb=1 added, for the commands that allocate large arrays, when the kernel gives
   huge pages on request and the user has not chosen. */
static void PhAskHugePages(int argc, char **argv)
{
  const char *old = getenv("GLIBC_TUNABLES"), *add = "glibc.malloc.hugetlb=1";
  char        mode[128] = "", *value;
  FILE       *f;
  size_t      len;

  if (argc < 2 || (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "reduce") != 0 && strcmp(argv[1], "import") != 0)) return;
  if (old != NULL && strstr(old, "glibc.malloc.hugetlb") != NULL) return; /* the user's choice */
  if (old != NULL && old[0] == 0) old = NULL;
  f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f == NULL) return;
  if (fgets(mode, sizeof(mode), f) == NULL) mode[0] = 0;
  (void)fclose(f);
  if (strstr(mode, "[madvise]") == NULL) return;
  len   = (old != NULL ? strlen(old) + 1 : 0) + strlen(add) + 1;
  value = (char *)malloc(len);
  if (value == NULL) return;
  (void)snprintf(value, len, "%s%s%s", old != NULL ? old : "", old != NULL ? ":" : "", add);
  (void)setenv("GLIBC_TUNABLES", value, 1);
  free(value);
}

int main(int argc, char **argv)
{
  char    self[PATH_MAX], program[PATH_MAX + sizeof(PH_PROGRAM)], *slash;
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

  if (n <= 0) {
    (void)fprintf(stderr, "photherm: cannot find where photherm is installed (/proc/self/exe: %s)\n", strerror(errno));
    return 1;
  }
  self[n] = 0;
  slash   = strrchr(self, '/');
  if (slash != NULL) *slash = 0;
  (void)snprintf(program, sizeof(program), "%s%s", self, PH_PROGRAM);
  PhAskHugePages(argc, argv);
  (void)execv(program, argv);
  (void)fprintf(stderr, "photherm: cannot start %s: %s\n", program, strerror(errno));
  return 1;
}

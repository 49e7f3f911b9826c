/* The command line (DESIGN §2): photherm's own arguments, dispatch to the subcommands, the one-line error handler. */
#include <photherm/cli.h>
#include <photherm/import.h>
#include <photherm/sim.h>

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char PhUsage[] = "usage:\n"
                              "  photherm run     CASE.yaml [-P name=value]... [-o OUT.h5] [-quiet] [PETSc options]\n"
                              "  photherm check   CASE.yaml [-P name=value]... [-ph_ranks N] [-ph_ranks_per_node M] [-ph_force]\n"
                              "  photherm mesh    CASE.yaml [-P name=value]... -o MESH.h5\n"
                              "  photherm reduce  CASE.yaml [-P name=value]... -o MODEL.h5\n"
                              "  photherm summary OUT.h5 [--csv] [--blocks-csv FILE] [--ttrace FILE]\n"
                              "  photherm import  hotspot [HotSpot's options] -o CASE.yaml\n"
                              "  photherm import  3dice STACK.stk -o CASE.yaml\n"
                              "  photherm --help | --version   (also photherm SUBCOMMAND --help)\n"
                              "\n"
                              "  run      solve the case and write OUT.h5 (default: output.file of the case) and OUT.xmf for ParaView\n"
                              "  check    validate the case and print its mesh, memory estimate, sources, optics; solve nothing\n"
                              "  mesh     write the voxel mesh of the case to an HDF5 file that a case can read with mesh: {file}\n"
                              "  reduce   build the reduced model of the case (time.method: reduced) and write it; runs of cases that\n"
                              "           differ only in powers or traces reuse it with -ph_reduced_model MODEL.h5\n"
                              "  summary  print the summary metrics of a finished run (--csv: one header line and one row); --blocks-csv\n"
                              "           writes the blocks' mean temperatures over time, --ttrace the same in HotSpot's .ttrace layout\n"
                              "  import   convert a HotSpot 7 model (its own command-line options: -c, -f, -p, -grid_layer_file, ...; a\n"
                              "           HotSpot -o before the case's asks for a transient) or a 3D-ICE 4 stack into CASE.yaml\n"
                              "\n"
                              "  photherm's own arguments (-P, -o, -quiet, --csv) may come in any order; CASE.yaml or OUT.h5 is the first\n"
                              "  other word, before the PETSc options.\n"
                              "  -P name=value   override a declared parameter or any key by its dotted path (time.end=10ms,\n"
                              "                  stack.dies.thickness=120um); may repeat. Values take units as in the case file.\n"
                              "  Every PETSc option works (-ts_type bdf, -ksp_monitor, -log_view, -pc_type hypre, ...).\n"
                              "Exit status: 0 success, 2 bad input or usage (nothing computed or written), 1 a run that failed.\n"
                              "The case-file reference is cases/README.md; the user guide is README.md.\n";

/* photherm import TOOL [the tool's arguments] -o CASE.yaml: the last -o names the case, everything else is the tool's. */
static int PhCliParseImport(int argc, char **argv, PhCliArgs *args)
{
  int last = -1;

  args->command     = "import";
  args->import_argv = (char **)calloc((size_t)argc + 1, sizeof(char *));
  if (args->import_argv == NULL) return 1;
  for (int i = 2; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") || !strcmp(argv[i], "-help")) {
      args->command = "help";
      return 0;
    }
  if (argc < 3 || (strcmp(argv[2], "hotspot") && strcmp(argv[2], "3dice"))) {
    (void)snprintf(args->usage_error, sizeof(args->usage_error), "photherm import needs the tool: hotspot or 3dice%s%s%s; see photherm --help",
                   argc >= 3 ? " (got \"" : "", argc >= 3 ? argv[2] : "", argc >= 3 ? "\")" : "");
    return 0;
  }
  args->path = argv[2];
  for (int i = 3; i + 1 < argc; i++)
    if (!strcmp(argv[i], "-o")) last = i;
  if (last < 0 || argv[last + 1][0] == '\0') {
    (void)snprintf(args->usage_error, sizeof(args->usage_error), "photherm import %s needs -o CASE.yaml", argv[2]);
    return 0;
  }
  args->output = argv[last + 1];
  for (int i = 3; i < argc; i++) {
    if (i == last) {
      i++;
      continue;
    }
    if (!strncmp(argv[i], "-malloc_", 8)) args->petsc_argv[args->petsc_argc++] = argv[i]; /* -malloc_debug, -malloc_dump: PETSc's */
    else args->import_argv[args->import_argc++] = argv[i];
  }
  {
    size_t n = strlen(args->output);

    if (!(n > 5 && !strcmp(args->output + n - 5, ".yaml")) && !(n > 4 && !strcmp(args->output + n - 4, ".yml")))
      (void)snprintf(args->usage_error, sizeof(args->usage_error),
                     "-o %s: the case must be a .yaml file (the last -o names the case; a HotSpot -o for its transient trace comes before it)",
                     args->output);
  }
  return 0;
}

/**
  @brief Split argv into photherm's own arguments and the PETSc options, before PetscInitialize().

  Not collective (plain C: PETSc is not running yet). Returns non-zero only when memory runs out.
**/
int PhCliParse(int argc, char **argv, PhCliArgs *args)
{
  size_t len = 1;

  memset(args, 0, sizeof(*args));
  args->petsc_argv = (char **)calloc((size_t)argc + 1, sizeof(char *));
  args->overrides  = (PhOverride *)calloc((size_t)argc + 1, sizeof(PhOverride));
  for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 3;
  args->command_line = (char *)calloc(len, 1);
  if (args->petsc_argv == NULL || args->overrides == NULL || args->command_line == NULL) return 1;
  for (int i = 0; i < argc; i++) {
    if (i) strcat(args->command_line, " ");
    strcat(args->command_line, argv[i]);
  }
  args->petsc_argv[args->petsc_argc++] = argv[0];
  if (argc < 2) {
    (void)snprintf(args->usage_error, sizeof(args->usage_error), "missing subcommand (run, check, mesh, reduce or summary); see photherm --help");
    return 0;
  }
  args->command = argv[1];
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    args->command = "help";
    return 0;
  }
  if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-version")) {
    args->command = "version";
    return 0;
  }
  if (!strcmp(argv[1], "import")) return PhCliParseImport(argc, argv, args);
  if (strcmp(argv[1], "run") && strcmp(argv[1], "check") && strcmp(argv[1], "mesh") && strcmp(argv[1], "reduce") && strcmp(argv[1], "summary")) {
    (void)snprintf(args->usage_error, sizeof(args->usage_error),
                   "unknown subcommand \"%s\" (expected run, check, mesh, reduce, summary or import); see photherm --help", argv[1]);
    return 0;
  }
  /* photherm's own arguments anywhere; the path is the first other word before the PETSc options, which follow */
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];

    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      args->command = "help";
      return 0;
    }
    if (!strncmp(a, "-P", 2)) {
      const char *pair = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
      const char *eq   = pair != NULL ? strchr(pair, '=') : NULL;
      char       *name;

      if (pair == NULL || pair[0] == '\0') {
        (void)snprintf(args->usage_error, sizeof(args->usage_error), "-P needs name=value");
        return 0;
      }
      if (eq == NULL || eq == pair) {
        (void)snprintf(args->usage_error, sizeof(args->usage_error), "-P %s: expected -P name=value", pair);
        return 0;
      }
      name = (char *)calloc((size_t)(eq - pair) + 1, 1);
      if (name == NULL) return 1;
      memcpy(name, pair, (size_t)(eq - pair));
      args->overrides[args->noverrides].name  = name;
      args->overrides[args->noverrides].value = eq + 1;
      args->noverrides++;
    } else if (!strcmp(a, "-o")) {
      if (i + 1 >= argc || argv[i + 1][0] == '\0') {
        (void)snprintf(args->usage_error, sizeof(args->usage_error), "-o needs a file name");
        return 0;
      }
      args->output = argv[++i];
    } else if (!strcmp(a, "-quiet")) {
      args->quiet = PETSC_TRUE;
    } else if (!strcmp(a, "--csv")) {
      args->csv = PETSC_TRUE;
    } else if (!strcmp(a, "--blocks-csv") || !strcmp(a, "--ttrace")) {
      if (i + 1 >= argc || argv[i + 1][0] == '\0') {
        (void)snprintf(args->usage_error, sizeof(args->usage_error), "%s needs a file name", a);
        return 0;
      }
      if (!strcmp(a, "--ttrace")) args->ttrace = argv[++i];
      else args->blocks_csv = argv[++i];
    } else if (a[0] != '-' && args->path == NULL && args->petsc_argc == 1) {
      args->path = a;
    } else {
      args->petsc_argv[args->petsc_argc++] = argv[i];
    }
  }
  if (args->path == NULL) {
    (void)snprintf(args->usage_error, sizeof(args->usage_error), "photherm %s needs %s%s; see photherm --help", argv[1],
                   strcmp(argv[1], "summary") ? "a case file (CASE.yaml)" : "a result file (OUT.h5)",
                   args->petsc_argc > 1 ? " before the PETSc options" : "");
    return 0;
  }
  if ((args->blocks_csv || args->ttrace) && strcmp(args->command, "summary"))
    (void)snprintf(args->usage_error, sizeof(args->usage_error), "%s belongs to photherm summary", args->ttrace ? "--ttrace" : "--blocks-csv");
  if (args->csv && strcmp(args->command, "summary"))
    (void)snprintf(args->usage_error, sizeof(args->usage_error), "--csv belongs to photherm summary");
  if (!strcmp(args->command, "summary") && args->noverrides > 0)
    (void)snprintf(args->usage_error, sizeof(args->usage_error), "-P does not apply to photherm summary");
  if (!strcmp(args->command, "reduce") && args->output == NULL)
    (void)snprintf(args->usage_error, sizeof(args->usage_error), "photherm reduce needs -o MODEL.h5; see photherm --help");
  if (!strcmp(args->command, "mesh") && args->output == NULL)
    (void)snprintf(args->usage_error, sizeof(args->usage_error), "photherm mesh needs -o MESH.h5");
  return 0;
}

/**
  @brief Release what PhCliParse() allocated.

  Not collective.
**/
void PhCliArgsFree(PhCliArgs *args)
{
  for (PetscInt i = 0; i < args->noverrides; i++) free((void *)args->overrides[i].name);
  free(args->overrides);
  free(args->petsc_argv);
  free(args->import_argv);
  free(args->command_line);
  memset(args, 0, sizeof(*args));
}

/**
  @brief Print a PETSc error once, as one line, where it was raised; abort the job if the other ranks cannot know of it.

  Not collective. Installed with PetscPushErrorHandler() in main(): without it PETSc 3.18 prints some fifteen lines
  including its configure options.
**/
PetscErrorCode PhCliErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess,
                                 void *ctx)
{
  PetscMPIInt rank = 0, size = 1, world_size = 1;

  (void)ctx;
  if (p != PETSC_ERROR_INITIAL) return n; /* the propagation of an error already reported */
  (void)MPI_Comm_rank(comm, &rank);
  (void)MPI_Comm_size(comm, &size);
  (void)MPI_Comm_size(PETSC_COMM_WORLD, &world_size);
  if (rank == 0) { /* a message may echo a path or a name: escaped like every diagnostic */
    char text[4 * 2048];

    PhDiagEscape(mess != NULL && mess[0] ? mess : "unknown error (PETSc error code)", text, sizeof(text));
    (void)fprintf(stderr, "photherm: error: %s\n", text);
  }
  if (PetscDefined(USE_DEBUG) && rank == 0 && getenv("PH_DEBUG") != NULL) (void)fprintf(stderr, "  raised in %s() at %s:%d\n", func, file, line);
  (void)fflush(stderr);
  if (size < world_size) (void)MPI_Abort(PETSC_COMM_WORLD, PH_EXIT_FAILURE);
  return n;
}

/**
  @brief Check, before anything is computed, that the directory of an output file exists and is writable; otherwise
  say so (exit 2).

  Collective on `comm` (rank 0 looks, all ranks get the answer).
**/
PetscErrorCode PhCliCheckOutput(MPI_Comm comm, const char path[], int *exit_code)
{
  PetscMPIInt rank;
  int         bad = 0;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    const char *slash = strrchr(path, '/');
    char        dir[PETSC_MAX_PATH_LEN];
    struct stat st;

    if (slash == NULL) (void)snprintf(dir, sizeof(dir), ".");
    else (void)snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
      PetscCall(PhDiagFPrintf(PETSC_COMM_SELF, stderr, "photherm: error: output %s: the directory %s does not exist", path, dir));
      bad = 1;
    } else if (access(dir, W_OK) != 0) {
      PetscCall(PhDiagFPrintf(PETSC_COMM_SELF, stderr, "photherm: error: output %s: the directory %s is not writable", path, dir));
      bad = 1;
    }
  }
  PetscCallMPI(MPI_Bcast(&bad, 1, MPI_INT, 0, comm));
  if (bad) *exit_code = PH_EXIT_BAD_INPUT;
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief photherm run: load, check memory, solve, write the result file and print its summary.

  Collective on `comm`.
**/
PetscErrorCode PhCliRunCase(MPI_Comm comm, const PhCliArgs *args, int *exit_code)
{
  PhCase           problem;
  PhMesh           mesh;
  PhSim            sim;
  PhMemoryEstimate est;
  PetscBool        refused;
  PhSimOptions     opts;

  PetscFunctionBeginUser;
  PetscCall(PhCliLoad(comm, args, &problem, &mesh, exit_code));
  if (problem == NULL) PetscFunctionReturn(PETSC_SUCCESS);
  PetscCall(PhCliCheckOutput(comm, args->output != NULL ? args->output : problem->output.file, exit_code));
  refused = (PetscBool)(*exit_code != PH_EXIT_SUCCESS);
  if (!refused) PetscCall(PhCliMemory(comm, problem, mesh, &est, &refused));
  if (refused) {
    *exit_code = PH_EXIT_BAD_INPUT;
  } else {
    opts.output       = args->output;
    opts.command_line = args->command_line;
    opts.quiet        = args->quiet;
    char why[PETSC_MAX_PATH_LEN + 256];

    PetscCall(PhSimCreate(comm, problem, mesh, &opts, &sim));
    PetscCall(PhSimCheckOptions(sim, why, sizeof(why)));
    if (why[0]) {
      PetscCall(PhDiagFPrintf(comm, stderr, "photherm: error: %s", why));
      *exit_code = PH_EXIT_BAD_INPUT;
    } else if (!strcmp(args->command, "reduce")) {
      PetscCall(PhSimReduce(sim, args->output));
      PetscCall(PetscPrintf(comm, "reduced model: %s (use it with photherm run CASE.yaml -P time.method=reduced -ph_reduced_model %s)\n",
                            args->output, args->output));
    } else {
      PetscErrorCode failed = PhSimRun(sim); /* reported already */

      if (failed != PETSC_SUCCESS) { /* the result file is closed (as OUT.partial) before HDF5 ends with MPI */
        (void)PhSimDestroy(&sim);
        PetscFunctionReturn(failed);
      }
    }
    PetscCall(PhSimDestroy(&sim));
  }
  PetscCall(PhMeshDestroy(&mesh));
  PetscCall(PhCaseDestroy(&problem));
  PetscFunctionReturn(PETSC_SUCCESS);
}

/**
  @brief Run the subcommand of a parsed command line; *exit_code receives the program's exit status.

  Collective on PETSC_COMM_WORLD.
**/
PetscErrorCode PhCliRun(const PhCliArgs *args, int *exit_code)
{
  MPI_Comm comm = PETSC_COMM_WORLD;

  PetscFunctionBeginUser;
  *exit_code = PH_EXIT_SUCCESS;
  (void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* every HDF5 failure comes through PhCallHDF5 */
  PetscCall(PhLogEventsRegister());
  if (args->usage_error[0]) {
    PetscCall(PhDiagFPrintf(comm, stderr, "photherm: error: %s", args->usage_error));
    *exit_code = PH_EXIT_BAD_INPUT;
    PetscFunctionReturn(PETSC_SUCCESS);
  }
  if (!strcmp(args->command, "help")) {
    PetscCall(PetscPrintf(comm, "photherm %s: heat flow in chip-package stacks with co-packaged optics.\n\n%s", PhVersion(), PhUsage));
  } else if (!strcmp(args->command, "version")) {
    PetscCall(PetscPrintf(comm, "photherm %s (%s), PETSc %d.%d.%d\n", PhVersion(), PhGitDescribe(), PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR,
                          PETSC_VERSION_SUBMINOR));
  } else if (!strcmp(args->command, "check")) {
    PetscCall(PhCliCheck(comm, args, exit_code));
  } else if (!strcmp(args->command, "mesh")) {
    PetscCall(PhCliMesh(comm, args, exit_code));
  } else if (!strcmp(args->command, "run") || !strcmp(args->command, "reduce")) {
    PetscCall(PhCliRunCase(comm, args, exit_code));
  } else if (!strcmp(args->command, "import")) {
    PetscCall(PhCliCheckOutput(comm, args->output, exit_code));
    if (*exit_code == PH_EXIT_SUCCESS && !strcmp(args->path, "hotspot"))
      PetscCall(PhImportHotSpot(comm, args->import_argc, args->import_argv, args->output, exit_code));
    else if (*exit_code == PH_EXIT_SUCCESS) PetscCall(PhImport3DIce(comm, args->import_argc, args->import_argv, args->output, exit_code));
  } else if (args->blocks_csv || args->ttrace) {
    if (args->blocks_csv) PetscCall(PhCliCheckOutput(comm, args->blocks_csv, exit_code));
    if (args->ttrace && *exit_code == PH_EXIT_SUCCESS) PetscCall(PhCliCheckOutput(comm, args->ttrace, exit_code));
    if (*exit_code == PH_EXIT_SUCCESS) PetscCall(PhSummaryExport(comm, args->path, args->blocks_csv, args->ttrace, exit_code));
  } else {
    PetscCall(PhSummaryPrint(comm, args->path, args->csv, exit_code));
  }
  PetscFunctionReturn(PETSC_SUCCESS);
}

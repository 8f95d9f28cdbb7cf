/* SPDX-License-Identifier: MIT */
/* nsctl: the verb table and option parsing. Results go to stdout, diagnostics to stderr.
 * Exit 0 on success, 1 on a failed operation or test, 2 on bad input or usage. */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/macro.h"
#include "nsctl/cli.h"
#include "nsctl/graph.h"
#include "nsctl/lab.h"
#include "nsctl/plan.h"
#include "nsctl/status.h"
#include "topo/topo.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct topo *, topo_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plan *, plan_free);

struct verb {
	const char *name;
	const char *args;  /* usage synopsis after the verb */
	const char *about; /* one line for --help */
	int (*run)(int argc, char **argv);
	const char *options;	 /* extra lines for VERB --help */
	const char *environment; /* environment variables it reads, for VERB --help */
};

static int run_exec_verb(int argc, char **argv);

static const struct verb *find_verb(const char *name);

static void verb_usage(FILE *out, const struct verb *v)
{
	fprintf(out, "usage: nsctl %s %s\n", v->name, v->args);
}

static int usage_error(const struct verb *v, const char *fmt, ...) _printf_(2, 3);

static int usage_error(const struct verb *v, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nsctl: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (v)
		verb_usage(stderr, v);
	else
		fprintf(stderr,
			"usage: nsctl [-v|-q] VERB [ARGS...]   (nsctl --help lists verbs)\n");
	return EXIT_USAGE;
}

static void verb_help(const struct verb *v)
{
	verb_usage(stdout, v);
	printf("\n%s\n\noptions:\n", v->about);
	if (v->options)
		fputs(v->options, stdout);
	if (v->run != run_exec_verb)
		printf("  -v, --verbose      more detail on stderr (repeat for debug)\n"
		       "  -q, --quiet        errors only\n");
	printf("  -h, --help         this text\n");
	if (v->environment)
		printf("\nenvironment:\n%s", v->environment);
}

/* Common option loop for verbs: -h, -v, plus the verb's own (handled by @fn). Returns -1 to
 * continue, or an exit status. */
enum { OPT_JSON = 0x100, OPT_FORMAT, OPT_ALL };

static const struct option verb_long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "all", no_argument, NULL, OPT_ALL },
	{},
};

struct verb_opts {
	bool json;
	bool all;
	const char *format;
};

/* Parses a verb's options; returns -1 to go on, or the exit status to return now. Options a
 * verb does not take are usage errors, as are positional argument counts off @want. */
static int parse_verb_opts_range(const struct verb *v, int argc, char **argv, unsigned allowed,
				 struct verb_opts *o, int want_min, int want_max)
{
	int c;

	/* 0, not 1: GNU getopt then also resets its permutation state from main()'s "+" pass. */
	optind = 0;
	opterr = 0;
	/* No '+': options may follow operands (nsctl plan FILE --json), as in ip and git. */
	while ((c = getopt_long(argc, argv, "hvq", verb_long_options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			verb_help(v);
			return EXIT_OK;
		case 'v':
			log_set_max_level(log_get_max_level() < LOG_INFO ? LOG_INFO : LOG_DEBUG);
			break;
		case 'q':
			log_set_max_level(LOG_ERR);
			break;
		case OPT_JSON:
			if (!(allowed & 1))
				return usage_error(v, "option '--json' is not valid here");
			o->json = true;
			break;
		case OPT_FORMAT:
			if (!(allowed & 2))
				return usage_error(v, "option '--format' is not valid here");
			o->format = optarg;
			break;
		case OPT_ALL:
			if (!(allowed & 4))
				return usage_error(v, "option '--all' is not valid here");
			o->all = true;
			break;
		default:
			return usage_error(v, "unknown or incomplete option '%s'",
					   argv[optind - 1]);
		}
	}
	if (argc - optind < want_min || argc - optind > want_max) {
		if (want_min == want_max)
			return usage_error(v, "expected %d argument%s, got %d", want_min,
					   want_min == 1 ? "" : "s", argc - optind);
		return usage_error(v, "expected %d to %d arguments, got %d", want_min, want_max,
				   argc - optind);
	}
	return -1;
}

static int parse_verb_opts(const struct verb *v, int argc, char **argv, unsigned allowed,
			   struct verb_opts *o, int want)
{
	return parse_verb_opts_range(v, argc, argv, allowed, o, want, want);
}

static int load_or_exit(const char *path, bool quiet, struct topo **t, int *unsupported)
{
	int r = cli_load_topology(path, quiet, t, unsupported);

	/* Unreadable and invalid files are both bad input. */
	return r < 0 ? EXIT_USAGE : -1;
}

static int run_validate(int argc, char **argv)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	struct verb_opts o = { 0 };
	size_t n_addrs = 0, n_routes = 0;
	int r;

	r = parse_verb_opts(find_verb("validate"), argc, argv, 0, &o, 1);
	if (r >= 0)
		return r;
	r = load_or_exit(argv[optind], false, &t, NULL);
	if (r >= 0)
		return r;
	for (size_t i = 0; i < t->n_nodes; i++) {
		n_routes += t->nodes[i].n_routes;
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			n_addrs += t->nodes[i].ifaces[j].n_addrs;
	}
	log_info("%s: lab '%s' is valid: %zu nodes, %zu bridges, %zu links, %zu addresses, "
		 "%zu routes, %zu tests",
		 argv[optind], t->name, t->n_nodes, t->n_bridges, t->n_links, n_addrs, n_routes,
		 t->n_tests);
	return EXIT_OK;
}

static int run_plan(int argc, char **argv)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	_cleanup_(plan_freep) struct plan *p = NULL;
	struct verb_opts o = { 0 };
	int r;

	r = parse_verb_opts(find_verb("plan"), argc, argv, 1, &o, 1);
	if (r >= 0)
		return r;
	r = load_or_exit(argv[optind], true, &t, NULL);
	if (r >= 0)
		return r;
	r = plan_build(t, &p);
	if (r < 0) {
		log_error_errno(r, "cannot plan '%s'", argv[optind]);
		return EXIT_FAILED;
	}
	r = o.json ? plan_print_json(p, stdout) : plan_print(p, stdout);
	if (r < 0 || fflush(stdout) != 0) {
		log_error("cannot write the plan to stdout");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int run_graph(int argc, char **argv)
{
	_cleanup_(topo_freep) struct topo *t = NULL;
	struct verb_opts o = { .format = "dot" };
	enum graph_format fmt;
	int r;

	r = parse_verb_opts(find_verb("graph"), argc, argv, 2, &o, 1);
	if (r >= 0)
		return r;
	if (streq(o.format, "dot"))
		fmt = GRAPH_DOT;
	else if (streq(o.format, "mermaid"))
		fmt = GRAPH_MERMAID;
	else
		return usage_error(find_verb("graph"), "unknown graph format '%s' (dot or mermaid)",
				   o.format);
	r = load_or_exit(argv[optind], true, &t, NULL);
	if (r >= 0)
		return r;
	r = graph_print(t, fmt, stdout);
	if (r < 0 || fflush(stdout) != 0) {
		log_error("cannot write the graph to stdout");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int run_up(int argc, char **argv)
{
	struct verb_opts o = { 0 };
	struct lab_opts lo = { 0 };
	int r = parse_verb_opts(find_verb("up"), argc, argv, 1, &o, 1);

	if (r >= 0)
		return r;
	lo.json = o.json;
	return lab_up(argv[optind], &lo);
}

static int run_down(int argc, char **argv)
{
	struct verb_opts o = { 0 };
	struct lab_opts lo = { 0 };
	int r = parse_verb_opts(find_verb("down"), argc, argv, 1, &o, 1);

	if (r >= 0)
		return r;
	lo.json = o.json;
	return lab_down(argv[optind], &lo);
}

static int run_status(int argc, char **argv)
{
	struct verb_opts o = { 0 };
	_cleanup_free_ char *lab = NULL;
	int r = parse_verb_opts_range(find_verb("status"), argc, argv, 1, &o, 0, 1);

	if (r >= 0)
		return r;
	if (optind < argc && lab_name_of(argv[optind], &lab) < 0)
		return EXIT_USAGE;
	return status_run(lab, o.json, stdout);
}

static int run_test(int argc, char **argv)
{
	struct verb_opts o = { 0 };
	struct lab_opts lo = { 0 };
	int r = parse_verb_opts(find_verb("test"), argc, argv, 1 | 4, &o, 1);

	if (r >= 0)
		return r;
	lo.json = o.json;
	lo.all = o.all;
	return lab_test(argv[optind], &lo);
}

static int run_exec_verb(int argc, char **argv)
{
	const struct verb *v = find_verb("exec");
	int r = -1;

	/* Everything after LAB/NODE (and an optional "--") is the command, options included. */
	if (argc >= 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
		verb_help(v);
		return EXIT_OK;
	}
	if (argc < 2 || argv[1][0] == '-')
		return usage_error(v, "expected LAB/NODE");
	if (argc >= 3 && !streq(argv[2], "--"))
		return usage_error(v, "put '--' before the command");
	r = lab_exec(argv[1], argc >= 4 ? argv + 3 : NULL);
	return r;
}

static const struct verb verbs[] = {
	{ "validate", "FILE", "Check a topology file; print every problem as file:line:col.",
	  run_validate, NULL, NULL },
	{ "plan", "[--json] FILE", "Print the ordered kernel actions 'up' would perform.", run_plan,
	  "  --json             print the plan as a JSON array\n", NULL },
	{ "graph", "[--format dot|mermaid] FILE", "Print the topology as a DOT or mermaid graph.",
	  run_graph, "  --format FMT       dot (default) or mermaid\n", NULL },
	{ "up", "[--json] FILE", "Build the lab: all or nothing (rolls back on any failure).",
	  run_up, "  --json             print the per-phase timing summary as JSON\n",
	  "  NSCTL_FAIL_AT=K    test hook: step K fails, to exercise the rollback\n" },
	{ "down", "[--json] LAB|FILE", "Remove every trace of the lab; idempotent.", run_down,
	  "  --json             print the per-phase timing summary as JSON\n", NULL },
	{ "status", "[--json] [LAB|FILE]",
	  "List labs, or show one lab's nodes and interfaces (kernel view).", run_status,
	  "  --json             print as JSON\n", NULL },
	{ "test", "[--json] [--all] LAB|FILE",
	  "Run the file's reachability tests against the running lab.", run_test,
	  "  --json             print the results as JSON\n"
	  "  --all              also ping every node's first address from every other node\n",
	  NULL },
	{ "exec", "LAB/NODE [-- CMD [ARGS...]]",
	  "Run CMD (default: your shell) in the node's network namespace.", run_exec_verb, NULL,
	  NULL },
};

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

static void help(void)
{
	printf("usage: nsctl [-v|-q] VERB [ARGS...]\n\n"
	       "Build network-namespace labs from a YAML topology file.\n\nverbs:\n");
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		printf("  %-9s %-30s %s\n", verbs[i].name, verbs[i].args, verbs[i].about);
	printf("\noptions:\n"
	       "  -v, --verbose   more detail on stderr (repeat for debug)\n"
	       "  -q, --quiet     errors only\n"
	       "  -h, --help      this text (nsctl VERB --help for a verb)\n"
	       "  -V, --version   print the version\n"
	       "\nexit status: 0 success, 1 failed operation or test, 2 bad input or usage\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{},
	};
	const struct verb *v;
	int c;

	opterr = 0;
	/* '+': stop at the verb, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+hVvq", opts, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			return EXIT_OK;
		case 'V':
			printf("nsctl %s\n", NSCTL_VERSION);
			return EXIT_OK;
		case 'v':
			log_set_max_level(log_get_max_level() < LOG_INFO ? LOG_INFO : LOG_DEBUG);
			break;
		case 'q':
			log_set_max_level(LOG_ERR);
			break;
		default:
			return usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error(NULL, "%s", "no verb given");
	v = find_verb(argv[optind]);
	if (!v)
		return usage_error(NULL, "unknown verb '%s'", argv[optind]);
	return v->run(argc - optind, argv + optind);
}

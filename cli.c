// SPDX-License-Identifier: GPL-2.0
/*
 * The command layer's common ground: the help both programs print, the
 * global options both parse, and the one way a failure becomes a line on
 * stderr. Linked into wgphys and wgphys-core alike.
 *
 * Exit statuses: 0 success; 1 a failure after something was changed (and
 * rolled back); 2 bad input, found before anything was changed; exec: the
 * command's own status, 126/127 when it could not be run; status: 3 when
 * wgphys is not up.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <sys/auxv.h>

#include "cli.h"
#include "paths.h"

const char *const prog = "wgphys";

/* The help's table; wgphys.c dispatches by the same names. */
static const struct {
	const char *name, *args, *help;
} help[] = {
	{ "up", "[--dry-run | --foreground | --wait[=SECONDS]]",
	  "Move the network into its namespace: the tunnel is the only way out" },
	{ "down", "[--unit]", "Put everything back as it was before up" },
	{ "exec", "[-u USER] [--] COMMAND [ARG...]",
	  "Run COMMAND in the physical namespace as the invoking user, unprivileged" },
	{ "status", "[--json]",
	  "Show what is where and whether the promise holds (exit 1 broken, 3 down)" },
	{ "check", "[--load]",
	  "Say whether up can work here, and what it would move (exit 1: not ready)" },
};

bool cli_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(help) / sizeof(help[0]); i++)
		if (!strcmp(name, help[i].name))
			return true;
	return false;
}

void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-c FILE] COMMAND [ARGS]\n\n", prog);
	fprintf(f, "Keep every packet of this machine in a WireGuard tunnel, by moving the\n"
		   "real network into a namespace of its own.\n\nCommands:\n");
	for (i = 0; i < sizeof(help) / sizeof(help[0]); i++)
		fprintf(f, "  %s%s%s\n      %s\n", help[i].name,
			help[i].args[0] ? " " : "", help[i].args, help[i].help);
	fprintf(f, "\nOptions:\n"
		   "  -c, --config FILE  configuration (default %s)\n"
		   "  -h, --help         this help\n"
		   "  -V, --version      version\n", WGPHYS_CONF);
}

int fail_input(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s%s", prog, cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_INPUT;
}

void print_err(const char *cmd, const struct wgp_err *err, int ret)
{
	char line[1024];
	struct wgp_err e = *err;

	if (!e.code)
		e.code = wgp_errno(ret);
	wgp_format(&e, line, sizeof(line));
	fprintf(stderr, "%s: %s: %s%s\n", prog, cmd, line,
		e.stuck ? "; and the rollback did not complete: run \"wgphys down\"" : "");
}

bool installed_for_exec(void)
{
	return getauxval(AT_SECURE) != 0;
}

int cli_options(int argc, char *argv[], const char **config_path, int *cmd)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int c;

	*config_path = NULL;
	/* '+': options after the command belong to it. */
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("wgphys %s\n", WGPHYS_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return EXIT_INPUT;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_INPUT;
	}
	if (*config_path && installed_for_exec())
		return fail_input(NULL, "-c is not accepted from an unprivileged user");
	*cmd = optind;
	return -1;
}

int load_config(const char *cmd, const char *path, struct wgphys_config **cfg)
{
	struct wgp_err err = { 0 };
	int ret;

	ret = config_load(path ? path : WGPHYS_CONF, cfg, &err);
	if (ret == -ENOENT && !path)
		ret = config_default(cfg);
	if (ret < 0) {
		print_err(cmd, &err, ret);
		return EXIT_INPUT;
	}
	return 0;
}

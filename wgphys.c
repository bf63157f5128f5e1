// SPDX-License-Identifier: GPL-2.0
/*
 * The command layer: argv, the command table, every message and every exit
 * status. Nothing below this file prints or exits.
 *
 * Exit statuses: 0 success; 1 a failure after something was changed (and
 * rolled back); 2 bad input, found before anything was changed; exec: the
 * command's own status, 126/127 when it could not be run; status: 3 when
 * wgphys is not up.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>

#include "caps.h"
#include "config.h"
#include "daemon.h"
#include "dryrun.h"
#include "endpoint.h"
#include "exec.h"
#include "fault.h"
#include "netlink.h"
#include "paths.h"
#include "state.h"
#include "up.h"

#define EXIT_INPUT 2

static const char *prog = "wgphys";

struct command {
	const char *name;
	int (*fn)(int argc, char *argv[], const char *config_path);
	const char *args;
	const char *help;
};

static int cmd_up(int argc, char *argv[], const char *config_path);
static int cmd_down(int argc, char *argv[], const char *config_path);
static int cmd_exec(int argc, char *argv[], const char *config_path);
static int cmd_status(int argc, char *argv[], const char *config_path);
static int cmd_check(int argc, char *argv[], const char *config_path);

static const struct command commands[] = {
	{ "up", cmd_up, "[--dry-run]",
	  "Move the network into its namespace: the tunnel is the only way out" },
	{ "down", cmd_down, "", "Put everything back as it was before up" },
	{ "exec", cmd_exec, "[-u USER] [--] COMMAND [ARG...]",
	  "Run COMMAND in the physical namespace as the invoking user, unprivileged" },
	{ "status", cmd_status, "", "Show what up has done (exit 3 when down)" },
	{ "check", cmd_check, "", "Validate the configuration files and exit" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-c FILE] COMMAND [ARGS]\n\n", prog);
	fprintf(f, "Keep every packet of this machine in a WireGuard tunnel, by moving the\n"
		   "real network into a namespace of its own.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s%s%s\n      %s\n", commands[i].name,
			commands[i].args[0] ? " " : "", commands[i].args, commands[i].help);
	fprintf(f, "\nOptions:\n"
		   "  -c, --config FILE  configuration (default %s)\n"
		   "  -h, --help         this help\n"
		   "  -V, --version      version\n", WGPHYS_CONF);
}

static int fail_input(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail_input(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s%s", prog, cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_INPUT;
}

static void print_err(const char *cmd, const struct wgp_err *err, int ret)
{
	char line[1024];
	struct wgp_err e = *err;

	if (!e.code)
		e.code = wgp_errno(ret);
	wgp_format(&e, line, sizeof(line));
	fprintf(stderr, "%s: %s: %s%s\n", prog, cmd, line,
		e.stuck ? "; and the rollback did not complete: run \"wgphys down\"" : "");
}

/* A copy of wgphys with file capabilities, run by an ordinary user. */
static bool installed_for_exec(void)
{
	return getauxval(AT_SECURE) != 0;
}

static int need_root(const char *cmd)
{
	if (installed_for_exec())
		return fail_input(cmd, "only root may run this command");
	if (!caps_have(up_caps))
		return fail_input(cmd, "needs CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_SETPCAP, "
				  "CAP_KILL and CAP_SYS_PTRACE: run it as root");
	return 0;
}

/*
 * The configuration: the named file, or the default one, or (when the
 * default file does not exist) the defaults themselves.
 */
static int load_config(const char *cmd, const char *path, struct wgphys_config **cfg)
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

static int load_all(const char *cmd, const char *path, struct wgphys_config **cfg,
		    struct wg_config **wg)
{
	struct wgp_err err = { 0 };
	int ret;

	ret = load_config(cmd, path, cfg);
	if (ret)
		return ret;
	ret = wgconf_load((*cfg)->tunnel_config, wg, &err);
	if (ret < 0) {
		print_err(cmd, &err, ret);
		config_free(*cfg);
		*cfg = NULL;
		return EXIT_INPUT;
	}
	return 0;
}

/* Commands without options of their own still answer --help. */
static int no_args(const char *cmd, int argc, char *argv[])
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		exit(0);
	}
	if (argc > 1)
		return fail_input(cmd, "unexpected argument '%s'", argv[1]);
	return 0;
}

static void print_line(void *arg, const char *line)
{
	(void)arg;
	puts(line);
}

static int cmd_up(int argc, char *argv[], const char *config_path)
{
	struct wgphys_config *cfg = NULL;
	struct wg_config *wg = NULL;
	struct wgp_err err = { 0 };
	bool dry_run = false;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
			dry_run = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout), 0;
		else
			return fail_input("up", "unknown option '%s'", argv[i]);
	}
	if (!dry_run && (ret = need_root("up")))
		return ret;
	/* Before the wg-quick file is read: its memory must never hold a key. */
	if (!dry_run && (ret = endpoint_resolver_start(&err)) < 0) {
		print_err("up", &err, ret);
		return 1;
	}
	ret = load_all("up", config_path, &cfg, &wg);
	if (ret) {
		endpoint_resolver_stop();
		return ret;
	}
	if (dry_run)
		ret = up_dry_run(cfg, wg, print_line, NULL, &err);
	else
		ret = up_run(cfg, wg, &err);
	endpoint_resolver_stop();
#ifdef WGPHYS_FAULT_INJECTION
	/* For the rollback test: how many steps there are to fail at. */
	if (getenv("WGPHYS_FAULT_REPORT"))
		fprintf(stderr, "fault-points %ld\n", fault_count());
#endif
	if (ret < 0) {
		print_err("up", &err, ret);
		/* Whether anything had changed (and was rolled back) decides
		 * between bad input and failure. */
		ret = err.changed ? 1 : EXIT_INPUT;
	}
	wgconf_free(wg);
	config_free(cfg);
	return ret;
}

static int cmd_down(int argc, char *argv[], const char *config_path)
{
	struct wgphys_config *cfg = NULL;
	struct wgp_err err = { 0 };
	int ret;

	ret = no_args("down", argc, argv);
	if (!ret)
		ret = need_root("down");
	if (ret)
		return ret;
	/* A configuration broken while up must not keep the network away:
	 * down works from the state; only RestoreOnDown needs the file. */
	if (load_config("down", config_path, &cfg))
		fprintf(stderr, "%s: down: going on without RestoreOnDown\n", prog);
	ret = down_run(cfg, true, &err);
	config_free(cfg);
	if (ret == -ENOENT) {
		printf("%s: not up, nothing to do\n", prog);
		return 0;
	}
	if (ret < 0) {
		print_err("down", &err, ret);
		return 1;
	}
	if (err.code) {	/* RestoreOnDown could not start something */
		char line[1024];

		wgp_format(&err, line, sizeof(line));
		fprintf(stderr, "%s: down: warning: %s\n", prog, line);
	}
	return 0;
}

static int cmd_exec(int argc, char *argv[], const char *config_path)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct exec_request req = { 0 };
	struct exec_target t = { 0 };
	struct wgphys_config *cfg = NULL;
	struct wgp_err err = { 0 };
	bool cmd_failed = false;
	int c, ret;

	optind = 1;
	/* '+': stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			req.user = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return fail_input("exec", "usage: %s exec [-u USER] [--] COMMAND [ARG...]", prog);
		}
	}
	if (optind >= argc)
		return fail_input("exec", "no command given");
	req.argv = argv + optind;
	/* The state names the namespace; the configuration, where the user
	 * may read it, only has to agree. */
	if (config_path) {
		ret = load_config("exec", config_path, &cfg);
		if (ret)
			return ret;
	} else if (config_load(WGPHYS_CONF, &cfg, &err) < 0) {
		cfg = NULL;
		err = (struct wgp_err){ 0 };
	}
	req.netns = cfg ? cfg->netns : NULL;
	ret = exec_resolve_target(&req, &t, &err);
	if (ret < 0) {
		print_err("exec", &err, ret);
		config_free(cfg);
		return EXIT_INPUT;
	}
	ret = exec_run(&req, &t, &cmd_failed, &err);
	exec_target_free(&t);
	config_free(cfg);
	/* Back here with a status if the command ran on a terminal of its
	 * own; otherwise only if it failed. */
	if (ret >= 0)
		return ret;
	print_err("exec", &err, ret);
	if (cmd_failed)
		return ret == -ENOENT ? 127 : 126;
	return ret == -EINVAL || ret == -EPERM ? EXIT_INPUT : 1;
}

static int cmd_status(int argc, char *argv[], const char *config_path)
{
	struct state *st = NULL;
	struct wgp_err err = { 0 };
	size_t i;
	int ret;

	(void)config_path;
	ret = no_args("status", argc, argv);
	if (ret)
		return ret;
	ret = state_read(&st, &err);
	if (ret == -ENOENT) {
		printf("down\n");
		return 3;
	}
	if (ret < 0) {
		print_err("status", &err, ret);
		return 1;
	}
	printf("%s\n", st->stage == STATE_STAGE_UP ? "up" : "incomplete (run \"wgphys down\" to clean up)");
	printf("namespace: %s (%s/%s)\n", st->netns, NETNS_RUN_DIR, st->netns);
	printf("tunnel: %s\n", st->tunnel);
	for (i = 0; i < st->n_links; i++)
		printf("moved: %s%s%s\n", st->links[i].name, st->links[i].mac[0] ? " " : "",
		       st->links[i].mac);
	for (i = 0; i < st->n_phys; i++)
		printf("moved: %s\n", st->phys[i].name);
	for (i = 0; i < st->n_daemons; i++)
		printf("daemon: %s pid %d %s\n", st->daemons[i].name, (int)st->daemons[i].pid,
		       daemon_alive(&st->daemons[i]) ? "running" : "gone");
	state_free(st);
	return 0;
}

static int cmd_check(int argc, char *argv[], const char *config_path)
{
	struct wgphys_config *cfg = NULL;
	struct wg_config *wg = NULL;
	int ret;

	ret = no_args("check", argc, argv);
	if (!ret)
		ret = load_all("check", config_path, &cfg, &wg);
	if (ret)
		return ret;
	printf("%s: %s and %s are valid\n", prog, config_path ? config_path : WGPHYS_CONF,
	       cfg->tunnel_config);
	wgconf_free(wg);
	config_free(cfg);
	return 0;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *config_path = NULL;
	size_t i;
	int c;

	/* '+': options after the command belong to it. */
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
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
	if (config_path && installed_for_exec())
		return fail_input(NULL, "-c is not accepted from an unprivileged user");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[optind], commands[i].name))
			return commands[i].fn(argc - optind, argv + optind, config_path);
	return fail_input(NULL, "unknown command '%s'. Try '%s --help'.", argv[optind], prog);
}

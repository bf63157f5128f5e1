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
#include <sys/wait.h>
#include <syslog.h>

#include "caps.h"
#include "daemon.h"
#include "dryrun.h"
#include "endpoint.h"
#include "exec.h"
#include "fault.h"
#include "fence.h"
#include "guard.h"
#include "model.h"
#include "netlink.h"
#include "notify.h"
#include "paths.h"
#include "plan.h"
#include "state.h"
#include "tunnelconf.h"
#include "up.h"
#include "wgphysconf.h"

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
	{ "up", cmd_up, "[--dry-run | --foreground]",
	  "Move the network into its namespace: the tunnel is the only way out" },
	{ "down", cmd_down, "[--unit]", "Put everything back as it was before up" },
	{ "exec", cmd_exec, "[-u USER] [--] COMMAND [ARG...]",
	  "Run COMMAND in the physical namespace as the invoking user, unprivileged" },
	{ "status", cmd_status, "",
	  "Show what up has done and whether it holds (exit 1 broken, 3 down)" },
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

/*
 * Both files: wgphys.conf, then the tunnel's wg-quick file with its private
 * key from wherever it is kept (a systemd credential is looked for only
 * where the environment can be trusted). What the parsers want the user to
 * know is printed as notices, one line each.
 */
static int load_all(const char *cmd, const char *path, struct wgphys_config **cfg,
		    struct wg_config **wg)
{
	struct wgp_err err = { 0 };
	size_t i;
	int ret;

	ret = load_config(cmd, path, cfg);
	if (ret)
		return ret;
	ret = tunnel_load(*cfg, secure_getenv("CREDENTIALS_DIRECTORY"), wg, &err);
	if (ret < 0) {
		print_err(cmd, &err, ret);
		config_free(*cfg);
		*cfg = NULL;
		return EXIT_INPUT;
	}
	for (i = 0; i < (*cfg)->n_notes; i++)
		fprintf(stderr, "%s: %s: notice: %s\n", prog, cmd, (*cfg)->notes[i]);
	for (i = 0; i < (*wg)->n_notes; i++)
		fprintf(stderr, "%s: %s: notice: %s\n", prog, cmd, (*wg)->notes[i]);
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

/* ---- the guard's voice: stderr (and systemd) in the foreground, syslog
 * (or a file where there is none) in the background ---- */

static void fg_log(void *arg, int prio, const char *line)
{
	char status[600];

	(void)arg;
	(void)prio;
	fprintf(stderr, "%s: guard: %s\n", prog, line);
	snprintf(status, sizeof(status), "STATUS=%s", line);
	notify_send(status);
}

static void fg_ready(void *arg)
{
	(void)arg;
	notify_send("READY=1\nSTATUS=up: the tunnel is the only way out");
}

static void bg_log(void *arg, int prio, const char *line)
{
	FILE *f;

	(void)arg;
	if (access("/dev/log", F_OK) == 0) {
		syslog(prio, "%s", line);
		return;
	}
	f = fopen(WGPHYS_RUN_DIR "/guard.log", "ae");
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

/* Whether up finished and only its guard is missing: then up starts one. */
static bool guard_missing(void)
{
	struct state *st = NULL;
	bool missing;

	if (state_read(&st, NULL) < 0)
		return false;
	missing = st->stage == STATE_STAGE_UP && !guard_alive(st);
	state_free(st);
	return missing;
}

static int guard_failed(const struct wgp_err *err, int ret)
{
	print_err("up", err, ret);
	fprintf(stderr, "%s: up: the tunnel is the only way out, but nothing watches over "
		"it: run \"%s up\" again, or \"%s down\"\n", prog, prog, prog);
	return 1;
}

/* up's outcome as an exit status: bad input 2, a failure undone 1. */
static int up_failed(const struct wgp_err *err, int ret)
{
	print_err("up", err, ret);
	return err->changed ? 1 : EXIT_INPUT;
}

struct up_args {
	const struct wgphys_config *cfg;
	struct wg_config **wg;
};

/* In the child that becomes the guard: up itself, then the key goes. */
static int run_up(void *arg, struct wgp_err *err)
{
	struct up_args *a = arg;
	int ret = up_run(a->cfg, *a->wg, err);

	endpoint_resolver_stop();	/* the lookups are done */
#ifdef WGPHYS_FAULT_INJECTION
	/* For the rollback test: how many steps there are to fail at. */
	if (getenv("WGPHYS_FAULT_REPORT"))
		fprintf(stderr, "fault-points %ld\n", fault_count());
#endif
	wgconf_free(*a->wg);
	*a->wg = NULL;
	return ret;
}

/*
 * up, and the guard after it. In the background the guard is forked first
 * and does up itself, so that the daemons are its children; in the
 * foreground this process does both. A resume starts only the guard.
 */
static int up_and_guard(const struct wgphys_config *cfg, struct wg_config **wg,
			bool foreground, bool resume)
{
	static const struct guard_hooks fg = { .log = fg_log, .ready = fg_ready };
	static const struct guard_hooks bg = { .log = bg_log };
	struct up_args a = { .cfg = cfg, .wg = wg };
	struct guard_spawned r;
	struct wgp_err err = { 0 };
	int ret;

	if (resume)
		fprintf(stderr, "%s: up: already up, without a guard: starting one\n", prog);
	if (foreground) {
		ret = resume ? 0 : run_up(&a, &err);
		if (ret < 0)
			return up_failed(&err, ret);
		ret = guard_run(cfg, &fg, &err);
		return ret < 0 ? guard_failed(&err, ret) : 0;
	}
	openlog(prog, LOG_PID, LOG_DAEMON);
	guard_spawn(cfg, &bg, resume ? NULL : run_up, &a, &r);
	wgconf_free(*wg);	/* this process's copy */
	*wg = NULL;
	if (r.died)	/* e.g. killed midway: its status is ours */
		return WIFEXITED(r.died) ? WEXITSTATUS(r.died) : 128 + WTERMSIG(r.died);
	if (r.ret < 0)
		return r.first_failed ? up_failed(&r.err, r.ret) : guard_failed(&r.err, r.ret);
	return 0;
}

static int cmd_up(int argc, char *argv[], const char *config_path)
{
	struct wgphys_config *cfg = NULL;
	struct wg_config *wg = NULL;
	struct wgp_err err = { 0 };
	bool dry_run = false, foreground = false, resume;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
			dry_run = true;
		else if (!strcmp(argv[i], "--foreground") || !strcmp(argv[i], "-f"))
			foreground = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout), 0;
		else
			return fail_input("up", "unknown option '%s'", argv[i]);
	}
	if (dry_run && foreground)
		return fail_input("up", "--dry-run and --foreground exclude each other");
	if (!dry_run && (ret = need_root("up")))
		return ret;
	/*
	 * Nothing the caller left open (`wgphys up 9<file`) may reach what up
	 * starts: the guard lives on without ever exec'ing, so marking the
	 * fds close-on-exec, as for the daemons, would not do.
	 */
	if (!dry_run)
		close_range(3, ~0U, 0);
	resume = !dry_run && guard_missing();
	/* Before the wg-quick file is read: its memory must never hold a key. */
	if (!dry_run && !resume && (ret = endpoint_resolver_start(&err)) < 0) {
		print_err("up", &err, ret);
		return 1;
	}
	ret = resume ? load_config("up", config_path, &cfg)
		     : load_all("up", config_path, &cfg, &wg);
	if (ret) {
		endpoint_resolver_stop();
		return ret;
	}
	if (dry_run) {
		ret = up_dry_run(cfg, wg, print_line, NULL, &err);
		ret = ret < 0 ? up_failed(&err, ret) : 0;
	} else {
		/* The key goes before the guard comes: it lives long. */
		ret = up_and_guard(cfg, &wg, foreground, resume);
		endpoint_resolver_stop();
	}
	wgconf_free(wg);
	config_free(cfg);
	return ret;
}

static int cmd_down(int argc, char *argv[], const char *config_path)
{
	struct wgphys_config *cfg = NULL;
	struct wgp_err err = { 0 };
	bool restore = true;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "--unit")) {
		/*
		 * The unit's ExecStop: systemd runs it also when the guard died
		 * (SERVICE_RESULT exit-code, signal, ...) or ended on a stray
		 * SIGTERM (success, but no MAINPID: the main process is gone),
		 * and Restart= may start it again. Handing the network back to
		 * main then would open the kill switch: only a stop that was
		 * asked for, with the guard still running, brings it back. The
		 * system's network manager takes the devices then: no
		 * RestoreOnDown (the unit's processes are killed after this).
		 */
		const char *result = getenv("SERVICE_RESULT"), *main_pid = getenv("MAINPID");

		if (!result || strcmp(result, "success") || !main_pid || !*main_pid) {
			fprintf(stderr, "%s: down: the guard ended (%s) without a stop being asked "
				"for; the network stays in its namespace\n", prog,
				result ? result : "no SERVICE_RESULT");
			return 0;
		}
		restore = false;
		argc--;
		argv++;
	}
	ret = no_args("down", argc, argv);
	if (!ret)
		ret = need_root("down");
	if (ret)
		return ret;
	/* A configuration broken while up must not keep the network away:
	 * down works from the state; only RestoreOnDown needs the file. */
	if (load_config("down", config_path, &cfg))
		fprintf(stderr, "%s: down: going on without RestoreOnDown\n", prog);
	ret = down_run(cfg, restore, &err);
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

/* Whether the promise is broken, and the first reason why. */
static bool status_broken(const struct state *st, char *why, size_t len)
{
	struct wgp_err err = { 0 };
	struct link_info tun = { 0 };
	struct nl80211 *wl = NULL;
	struct nlk *nl = NULL;
	bool broken = false;

	if (nlk_open(&nl, NETLINK_ROUTE, -1) == 0 && nl80211_open(&wl, -1, &err) == 0) {
		rtnl_link_by_name(nl, st->tunnel, &tun);
		if (plan_check_main(nl, wl, tun.ifindex, &err) < 0) {
			wgp_format(&err, why, len);
			broken = true;
		}
	}
	nl80211_close(wl);
	nlk_close(nl);
	if (!broken) {
		bool present = false;

		fence_present(&present, NULL);
		if (!present) {
			snprintf(why, len, "the fence (nftables table \"wgphys\") is gone");
			broken = true;
		}
	}
	if (!broken && !guard_alive(st)) {
		snprintf(why, len, "no guard is running (\"wgphys up\" starts one)");
		broken = true;
	}
	for (size_t i = 0; !broken && i < st->n_daemons; i++) {
		if (!daemon_alive(&st->daemons[i])) {
			snprintf(why, len, "%s%s%s is not running", st->daemons[i].name,
				 st->daemons[i].ifname[0] ? " for " : "", st->daemons[i].ifname);
			broken = true;
		}
	}
	return broken;
}

static int cmd_status(int argc, char *argv[], const char *config_path)
{
	struct state *st = NULL;
	struct wgp_err err = { 0 };
	char why[512];
	bool broken;
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
	broken = status_broken(st, why, sizeof(why));
	if (st->stage != STATE_STAGE_UP)
		printf("incomplete (run \"wgphys down\" to clean up)\n");
	else if (broken)
		printf("broken: %s\n", why);
	else
		printf("up\n");
	printf("namespace: %s (%s/%s)\n", st->netns, NETNS_RUN_DIR, st->netns);
	printf("tunnel: %s\n", st->tunnel);
	for (i = 0; i < st->n_links; i++)
		printf("moved: %s%s%s\n", st->links[i].name, st->links[i].mac[0] ? " " : "",
		       st->links[i].mac);
	for (i = 0; i < st->n_phys; i++)
		printf("moved: %s\n", st->phys[i].name);
	for (i = 0; i < st->n_daemons; i++)
		printf("daemon: %s%s%s pid %d %s\n", st->daemons[i].name,
		       st->daemons[i].ifname[0] ? " " : "", st->daemons[i].ifname,
		       (int)st->daemons[i].pid, daemon_alive(&st->daemons[i]) ? "running" : "gone");
	if (st->guard.pid > 0)
		printf("guard: pid %d %s\n", (int)st->guard.pid,
		       guard_alive(st) ? "running" : "gone");
	else
		printf("guard: none\n");
	ret = broken || st->stage != STATE_STAGE_UP ? 1 : 0;
	state_free(st);
	return ret;
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

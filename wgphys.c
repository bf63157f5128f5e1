// SPDX-License-Identifier: GPL-2.0
/*
 * wgphys-core's command layer: argv, the command table, every message and
 * every exit status of up, down, status and check (the front, wgphys,
 * hands them over here; cli.c holds what the two share). Nothing below
 * this file prints or exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <syslog.h>

#include "caps.h"
#include "check.h"
#include "cli.h"
#include "daemon.h"
#include "dryrun.h"
#include "encoding.h"
#include "endpoint.h"
#include "escape.h"
#include "fault.h"
#include "fence.h"
#include "guard.h"
#include "model.h"
#include "netlink.h"
#include "notify.h"
#include "paths.h"
#include "plan.h"
#include "portal.h"
#include "state.h"
#include "status.h"
#include "tunnelconf.h"
#include "up.h"
#include "wgphysconf.h"

static int cmd_up(int argc, char *argv[], const char *config_path);
static int cmd_down(int argc, char *argv[], const char *config_path);
static int cmd_status(int argc, char *argv[], const char *config_path);
static int cmd_check(int argc, char *argv[], const char *config_path);

/* By the names of cli.c's help. exec is here too, for whoever runs
 * wgphys-core itself: the same code as the front's. */
static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[], const char *config_path);
} commands[] = {
	{ "up", cmd_up },
	{ "down", cmd_down },
	{ "exec", cmd_exec },
	{ "status", cmd_status },
	{ "check", cmd_check },
};

/*
 * A user reaches this through the front, even through its capability copy
 * (whose capabilities the exec of this program dropped): tell them it is
 * root's, not which capabilities a user would have to hold.
 */
static int need_root(const char *cmd)
{
	bool have = caps_have(up_caps);

	if (installed_for_exec() || (getuid() != 0 && !have))
		return fail_input(cmd, "only root may run this command");
	if (!have)
		return fail_input(cmd, "needs CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_SETPCAP, "
				  "CAP_KILL and CAP_SYS_PTRACE: run it as root");
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
	int fd;

	(void)arg;
	if (access("/dev/log", F_OK) == 0) {
		syslog(prio, "%s", line);
		return;
	}
	/* 0600 like the daemons' logs: the run directory is readable. */
	fd = open(WGPHYS_RUN_DIR "/guard.log",
		  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		dprintf(fd, "%s\n", line);
		close(fd);
	}
}

/* Whether up finished and only its guard is missing: then up starts one. */
static bool guard_missing(void)
{
	struct state *st = NULL;
	bool missing;
	int lock;

	if (access(WGPHYS_RUN_DIR "/state", F_OK) < 0)
		return false;
	/* A down that has stopped the guard is not a guard to replace: wait
	 * for it (as up would), then look. */
	lock = state_lock_wait(2000, NULL);
	if (state_read(&st, NULL) < 0) {
		missing = false;
	} else {
		missing = st->stage == STATE_STAGE_UP && !guard_alive(st);
		state_free(st);
	}
	if (lock >= 0)
		close(lock);
	return missing;
}

static int guard_failed(const struct wgp_err *err, int ret)
{
	print_err("up", err, ret);
	if (ret != -ENOENT)	/* else nothing is up any more */
		fprintf(stderr, "%s: up: the tunnel is the only way out, but nothing watches "
			"over it: run \"%s up\" again, or \"%s down\"\n", prog, prog, prog);
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

/*
 * up --wait: the first handshake, within the bound. A timeout leaves
 * everything as up made it: the kill switch holds, the guard watches.
 */
static int wait_handshake(const struct wgphys_config *cfg, unsigned int seconds)
{
	struct wgp_err err = { 0 };
	int ret = up_wait(cfg, seconds, &err);

	if (ret == -ETIMEDOUT) {
		fprintf(stderr, "%s: up: %s: no handshake with a peer within %u s; the tunnel "
			"stays the only way out (\"%s down\" gives the network back)\n", prog,
			cfg->tunnel_ifname, seconds, prog);
		return 1;
	}
	if (ret < 0) {
		print_err("up", &err, ret);
		return 1;
	}
	return 0;
}

/* --wait=SECONDS: a whole number within 1 and UP_WAIT_MAX_S. */
static bool wait_seconds(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > UP_WAIT_MAX_S)
		return false;
	*out = (unsigned int)v;
	return true;
}

static int cmd_up(int argc, char *argv[], const char *config_path)
{
	struct wgphys_config *cfg = NULL;
	struct wg_config *wg = NULL;
	struct wgp_err err = { 0 };
	bool dry_run = false, foreground = false, resume;
	unsigned int wait_s = 0;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
			dry_run = true;
		else if (!strcmp(argv[i], "--foreground") || !strcmp(argv[i], "-f"))
			foreground = true;
		else if (!strcmp(argv[i], "--wait"))
			wait_s = UP_WAIT_DEFAULT_S;
		else if (!strncmp(argv[i], "--wait=", 7)) {
			if (!wait_seconds(argv[i] + 7, &wait_s))
				return fail_input("up", "--wait wants whole seconds from 1 to %d, "
						  "not '%s'", UP_WAIT_MAX_S, argv[i] + 7);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout), 0;
		else
			return fail_input("up", "unknown option '%s'", argv[i]);
	}
	if (dry_run && foreground)
		return fail_input("up", "--dry-run and --foreground exclude each other");
	/* The unit's readiness is the kill switch, not the handshake
	 * (wgphys.service): --wait is for scripts. */
	if (wait_s && (dry_run || foreground))
		return fail_input("up", "--wait goes with neither --dry-run nor --foreground");
	if (!dry_run && (ret = need_root("up")))
		return ret;
	/*
	 * Nothing the caller left open (`wgphys up 9<file`) may reach what up
	 * starts: the guard lives on without ever exec'ing, so marking the
	 * fds close-on-exec, as for the daemons, would not do.
	 */
	if (!dry_run)
		close_range(3, ~0U, 0);
	trace_mark("up: command");
	resume = !dry_run && guard_missing();
	trace_mark("up: resume decided");
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
	trace_mark("up: configuration read");
	if (dry_run) {
		ret = up_dry_run(cfg, wg, print_line, NULL, &err);
		ret = ret < 0 ? up_failed(&err, ret) : 0;
	} else {
		/* The key goes before the guard comes: it lives long. */
		trace_mark("up: fork the guard, which does up");
		ret = up_and_guard(cfg, &wg, foreground, resume);
		trace_mark("up: the guard reported");
		endpoint_resolver_stop();
		if (!ret && wait_s)
			ret = wait_handshake(cfg, wait_s);
		trace_mark("up: returns %d", ret);
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
	trace_mark("down: command");
	ret = no_args("down", argc, argv);
	if (!ret)
		ret = need_root("down");
	if (ret)
		return ret;
	/* A configuration broken while up must not keep the network away:
	 * down works from the state; only RestoreOnDown needs the file. */
	if (load_config("down", config_path, &cfg))
		fprintf(stderr, "%s: down: going on without RestoreOnDown\n", prog);
	trace_mark("down: configuration read");
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

/* ---- status: the same facts as text and as JSON ---- */

/* <linux/if.h> has it, but clashes with <net/if.h>. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16)
#endif

/* An address with its prefix, as ip shows it: "10.0.0.2/32". */
static void fmt_cidr(char *buf, size_t len, const struct cidr *c)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(c->family, &c->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, c->prefixlen);
}

/* An endpoint as wg shows it: "192.0.2.1:51820", "[2001:db8::1]:51820". */
static void fmt_endpoint(char *buf, size_t len, const struct sockaddr_storage *ss)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		if (s6->sin6_scope_id)
			snprintf(buf, len, "[%s%%%u]:%u", a, s6->sin6_scope_id, ntohs(s6->sin6_port));
		else
			snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	}
}

static const char *role_name(enum link_role r)
{
	static const char *const names[] = {
		[ROLE_LOOPBACK] = "loopback", [ROLE_TUNNEL] = "tunnel",
		[ROLE_VIRTUAL] = "virtual", [ROLE_HARDWARE] = "hardware",
		[ROLE_WIRELESS] = "wireless",
	};

	return names[r];
}

static const char *iftype_name(uint32_t t)
{
	switch (t) {
	case NL80211_IFTYPE_STATION:	return "station";
	case NL80211_IFTYPE_AP:		return "AP";
	case NL80211_IFTYPE_MONITOR:	return "monitor";
	case NL80211_IFTYPE_ADHOC:	return "IBSS";
	case NL80211_IFTYPE_MESH_POINT:	return "mesh point";
	case NL80211_IFTYPE_P2P_CLIENT:	return "P2P client";
	case NL80211_IFTYPE_P2P_GO:	return "P2P GO";
	default:			return NULL;
	}
}

/* Seconds in words, as wg show puts them: "1 minute, 5 seconds". */
static void fmt_ago(char *buf, size_t len, int64_t secs)
{
	static const struct { const char *unit; int64_t size; } units[] = {
		{ "day", 86400 }, { "hour", 3600 }, { "minute", 60 }, { "second", 1 },
	};
	size_t off = 0;
	int shown = 0;

	buf[0] = '\0';
	if (secs <= 0) {
		snprintf(buf, len, "now");
		return;
	}
	for (size_t i = 0; i < 4 && shown < 2; i++) {
		int64_t n = secs / units[i].size;

		secs %= units[i].size;
		if (!n && !shown)
			continue;
		if (!n)
			break;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%lld %s%s",
					shown ? ", " : "", (long long)n, units[i].unit,
					n == 1 ? "" : "s");
		shown++;
	}
	if (off < len)
		snprintf(buf + off, len - off, " ago");
}

static void fmt_bytes(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.2f %s", v, units[u]);
}

/* Untrusted bytes (a name, an SSID) made safe for a terminal. */
static const char *safe(char *buf, size_t len, const void *s, size_t n)
{
	text_quote(buf, len, s, n);
	return buf;
}

static void text_link(const struct status_link *l)
{
	char name[80], ssid[200], a[64];

	printf("  %-10s %-9s", safe(name, sizeof(name), l->link.name, strlen(l->link.name)),
	       role_name(l->role));
	for (size_t i = 0; i < l->n_addrs; i++) {
		fmt_cidr(a, sizeof(a), &l->addrs[i]);
		printf(" %s", a);
	}
	if (!l->n_addrs)
		printf(" (no address)");
	if (!(l->link.flags & IFF_UP))
		printf(", down");
	if (l->wireless) {
		printf("; %s", l->phy_name);
		if (l->has_ssid)
			printf(", SSID \"%s\"", safe(ssid, sizeof(ssid), l->ssid, l->ssid_len));
		else
			printf(", not connected");
		if (l->has_signal)
			printf(", signal %d dBm", l->signal);
	}
	putchar('\n');
}

static void text_ns(const char *title, const struct status_ns *ns)
{
	char line[1024];

	if (!ns->known) {
		if (!status_needs_root(&ns->err)) {
			wgp_format(&ns->err, line, sizeof(line));
			printf("%s: unknown (%s)\n", title, line);
		}
		return;
	}
	printf("%s:\n", title);
	for (size_t i = 0; i < ns->n_links; i++)
		text_link(&ns->links[i]);
	for (size_t i = 0; i < ns->n_phys; i++)
		printf("  %-10s phy%s\n", ns->phys[i].name,
		       ns->phys[i].netns_known && !ns->phys[i].netns_ok ? " (may not change namespace)" : "");
}

static void text_peer(const struct status *st, const struct wg_peer_info *p)
{
	char key[WG_KEY_LEN_BASE64], buf[128], rx[32], tx[32];

	key_to_base64(key, p->public_key);
	printf("  peer %s\n", key);
	if (p->endpoint.ss_family) {
		fmt_endpoint(buf, sizeof(buf), &p->endpoint);
		printf("    endpoint: %s\n", buf);
	}
	printf("    allowed ips:");
	for (size_t i = 0; i < p->n_allowedips; i++) {
		fmt_cidr(buf, sizeof(buf), &p->allowedips[i]);
		printf("%s %s", i ? "," : "", buf);
	}
	printf("%s\n", p->n_allowedips ? "" : " (none)");
	if (p->handshake_sec) {
		fmt_ago(buf, sizeof(buf), st->now.tv_sec - p->handshake_sec);
		printf("    latest handshake: %s\n", buf);
	} else {
		printf("    latest handshake: none yet\n");
	}
	fmt_bytes(rx, sizeof(rx), p->rx_bytes);
	fmt_bytes(tx, sizeof(tx), p->tx_bytes);
	printf("    transfer: %s received, %s sent\n", rx, tx);
	if (p->keepalive)
		printf("    persistent keepalive: every %u seconds\n", p->keepalive);
}

static void text_tunnel(const struct status *st)
{
	char key[WG_KEY_LEN_BASE64], line[1024];

	if (!st->tunnel_link) {
		printf("tunnel %s: not there\n", st->tunnel);
		return;
	}
	printf("tunnel %s:", st->tunnel);
	if (st->wg && st->wg->listen_port)
		printf(" listening on port %u in the physical namespace", st->wg->listen_port);
	putchar('\n');
	if (st->wg && st->wg->has_public_key) {
		key_to_base64(key, st->wg->public_key);
		printf("  public key: %s\n", key);
	}
	if (!st->wg && !status_needs_root(&st->wg_err)) {
		wgp_format(&st->wg_err, line, sizeof(line));
		printf("  peers: unknown (%s)\n", line);
	}
	for (size_t i = 0; st->wg && i < st->wg->n_peers; i++)
		text_peer(st, &st->wg->peers[i]);
}

static void text_processes(const struct status *st)
{
	for (size_t i = 0; i < st->n_daemons; i++) {
		const struct status_daemon *d = &st->daemons[i];

		printf("daemon %s (%s): pid %d, %s\n", d->d.name,
		       d->d.ifname[0] ? d->d.ifname : "all interfaces", (int)d->d.pid,
		       d->alive ? "running" : "not running");
	}
	if (st->has_guard)
		printf("guard: pid %d, %s\n", (int)st->guard.d.pid,
		       st->guard.alive ? "running" : "not running");
	else
		printf("guard: none\n");
}

/* What an ordinary user could not be shown, in one line. */
static void text_unavailable(const struct status *st)
{
	const char *parts[3];
	size_t n = 0;

	if (st->recorded && !st->phys.known && status_needs_root(&st->phys.err))
		parts[n++] = "the physical namespace";
	if (st->tunnel_link && !st->wg && status_needs_root(&st->wg_err))
		parts[n++] = "the tunnel's peers";
	if (st->fence == FENCE_UNKNOWN && status_needs_root(&st->fence_err))
		parts[n++] = "the fence";
	if (!n)
		return;
	printf("not shown without root: %s%s%s%s%s (run as root for %s)\n",
	       parts[0], n > 1 ? (n > 2 ? ", " : " and ") : "", n > 1 ? parts[1] : "",
	       n > 2 ? " and " : "", n > 2 ? parts[2] : "",
	       st->recorded ? "the physical side" : "it");
}

static void status_text(const struct status *st)
{
	static const char *const states[] = {
		[STATUS_DOWN] = "down", [STATUS_UP] = "up", [STATUS_BROKEN] = "broken",
	};
	char line[1024];

	puts(states[st->state]);
	if (st->recorded)
		printf("namespace: %s (%s%s)\n", st->netns, st->netns_path,
		       st->netns_present ? "" : ", missing");
	text_ns(st->recorded ? "main namespace (only the tunnel may leave)" : "main namespace",
		&st->main);
	if (st->recorded) {
		text_tunnel(st);
		text_ns("physical namespace", &st->phys);
		text_processes(st);
	}
	if (st->fence == FENCE_PRESENT)
		printf("fence: in place (nft list table inet %s)\n", FENCE_TABLE);
	else if (st->fence == FENCE_ABSENT)
		printf("fence: none\n");
	else if (!status_needs_root(&st->fence_err)) {
		wgp_format(&st->fence_err, line, sizeof(line));
		printf("fence: unknown (%s)\n", line);
	}
	text_unavailable(st);
	for (size_t i = 0; i < st->n_warnings; i++)
		printf("warning: %s\n", st->warnings[i].text);
	/* A captive portal in the way: one line, and the command past it. */
	if (st->portal_known && st->portal.intercepted) {
		text_clean(line, sizeof(line), st->portal.location, strlen(st->portal.location));
		printf("portal: %s answered %s (HTTP %d%s%s) and the tunnel has not handshaken on "
		       "this network: log in with \"wgphys exec chromium\"\n", st->portal.who,
		       WGPHYS_PORTAL_URL, st->portal.http_status, line[0] ? " to " : "", line);
	}
}

/* A small JSON writer: indented, commas where they belong. */
struct json {
	FILE *f;
	int depth;
	bool comma;		/* a value came before, at this depth */
};

/* Before a member or an element: a comma after the one before, a new line. */
static void j_sep(struct json *j)
{
	if (j->comma)
		fputc(',', j->f);
	if (j->depth)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
}

static void j_raw_str(struct json *j, const void *s, size_t len)
{
	char small[256], *buf = small;
	size_t need;

	need = json_quote(small, sizeof(small), s, len);
	if (need >= sizeof(small)) {
		buf = malloc(need + 1);
		if (buf)
			json_quote(buf, need + 1, s, len);
	}
	fputs(buf ? buf : "null", j->f);
	if (buf != small)
		free(buf);
}

static void j_key(struct json *j, const char *key)
{
	j_sep(j);
	j_raw_str(j, key, strlen(key));
	fputs(": ", j->f);
}

static void j_open(struct json *j, const char *key, char c)
{
	if (key)
		j_key(j, key);
	else
		j_sep(j);
	fputc(c, j->f);
	j->depth++;
	j->comma = false;
}

static void j_close(struct json *j, char c)
{
	j->depth--;
	if (j->comma)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	fputc(c, j->f);
	j->comma = true;
}

static void j_value(struct json *j, const char *key)
{
	if (key)
		j_key(j, key);
	else
		j_sep(j);
	j->comma = true;
}

static void j_bytes(struct json *j, const char *key, const void *s, size_t len)
{
	j_value(j, key);
	j_raw_str(j, s, len);
}

static void j_str(struct json *j, const char *key, const char *s)
{
	j_value(j, key);
	if (s)
		j_raw_str(j, s, strlen(s));
	else
		fputs("null", j->f);
}

static void j_int(struct json *j, const char *key, long long v)
{
	j_value(j, key);
	fprintf(j->f, "%lld", v);
}

static void j_uint(struct json *j, const char *key, unsigned long long v)
{
	j_value(j, key);
	fprintf(j->f, "%llu", v);
}

static void j_bool(struct json *j, const char *key, bool v)
{
	j_value(j, key);
	fputs(v ? "true" : "false", j->f);
}

static void j_null(struct json *j, const char *key)
{
	j_value(j, key);
	fputs("null", j->f);
}

static void j_cidrs(struct json *j, const char *key, const struct cidr *c, size_t n)
{
	char a[64];

	j_open(j, key, '[');
	for (size_t i = 0; i < n; i++) {
		fmt_cidr(a, sizeof(a), &c[i]);
		j_str(j, NULL, a);
	}
	j_close(j, ']');
}

static void j_link(struct json *j, const struct status_link *l)
{
	j_open(j, NULL, '{');
	j_bytes(j, "name", l->link.name, strlen(l->link.name));
	j_int(j, "ifindex", l->link.ifindex);
	j_str(j, "role", role_name(l->role));
	j_str(j, "kind", l->link.kind[0] ? l->link.kind : NULL);
	j_str(j, "mac", l->link.mac[0] ? l->link.mac : NULL);
	j_bool(j, "up", l->link.flags & IFF_UP);
	j_bool(j, "carrier", l->link.flags & IFF_LOWER_UP);
	j_cidrs(j, "addresses", l->addrs, l->n_addrs);
	if (l->wireless) {
		j_open(j, "wireless", '{');
		j_str(j, "phy", l->phy_name);
		j_uint(j, "phy_index", l->phy);
		j_str(j, "type", iftype_name(l->iftype));
		if (l->has_ssid)
			j_bytes(j, "ssid", l->ssid, l->ssid_len);
		else
			j_null(j, "ssid");
		if (l->has_signal)
			j_int(j, "signal_dbm", l->signal);
		else
			j_null(j, "signal_dbm");
		j_close(j, '}');
	} else {
		j_null(j, "wireless");
	}
	j_close(j, '}');
}

/* A namespace's links, or null when they could not be read. */
static void j_links(struct json *j, const char *key, const struct status_ns *ns)
{
	if (!ns->known) {
		j_null(j, key);
		return;
	}
	j_open(j, key, '[');
	for (size_t i = 0; i < ns->n_links; i++)
		j_link(j, &ns->links[i]);
	j_close(j, ']');
}

static void j_phys(struct json *j, const char *key, const struct status_ns *ns)
{
	if (!ns->known) {
		j_null(j, key);
		return;
	}
	j_open(j, key, '[');
	for (size_t i = 0; i < ns->n_phys; i++) {
		j_open(j, NULL, '{');
		j_str(j, "name", ns->phys[i].name);
		j_uint(j, "index", ns->phys[i].index);
		if (ns->phys[i].netns_known)
			j_bool(j, "may_change_namespace", ns->phys[i].netns_ok);
		else
			j_null(j, "may_change_namespace");
		j_close(j, '}');
	}
	j_close(j, ']');
}

static void j_peer(struct json *j, const struct status *st, const struct wg_peer_info *p)
{
	char key[WG_KEY_LEN_BASE64], ep[128];

	key_to_base64(key, p->public_key);
	j_open(j, NULL, '{');
	j_str(j, "public_key", key);
	if (p->endpoint.ss_family) {
		fmt_endpoint(ep, sizeof(ep), &p->endpoint);
		j_str(j, "endpoint", ep);
	} else {
		j_null(j, "endpoint");
	}
	j_cidrs(j, "allowed_ips", p->allowedips, p->n_allowedips);
	if (p->handshake_sec) {
		j_int(j, "latest_handshake", p->handshake_sec);
		j_int(j, "latest_handshake_seconds_ago", st->now.tv_sec - p->handshake_sec);
	} else {
		j_null(j, "latest_handshake");
		j_null(j, "latest_handshake_seconds_ago");
	}
	j_uint(j, "rx_bytes", p->rx_bytes);
	j_uint(j, "tx_bytes", p->tx_bytes);
	if (p->keepalive)
		j_uint(j, "persistent_keepalive", p->keepalive);
	else
		j_null(j, "persistent_keepalive");
	j_close(j, '}');
}

static void j_tunnel(struct json *j, const struct status *st)
{
	char key[WG_KEY_LEN_BASE64];

	if (!st->recorded) {
		j_null(j, "tunnel");
		return;
	}
	j_open(j, "tunnel", '{');
	j_bytes(j, "name", st->tunnel, strlen(st->tunnel));
	j_bool(j, "present", st->tunnel_link != NULL);
	if (st->tunnel_link) {
		j_int(j, "ifindex", st->tunnel_link->link.ifindex);
		j_cidrs(j, "addresses", st->tunnel_link->addrs, st->tunnel_link->n_addrs);
	} else {
		j_null(j, "ifindex");
		j_null(j, "addresses");
	}
	if (st->wg && st->wg->has_public_key) {
		key_to_base64(key, st->wg->public_key);
		j_str(j, "public_key", key);
	} else {
		j_null(j, "public_key");
	}
	if (st->wg)
		j_uint(j, "listen_port", st->wg->listen_port);
	else
		j_null(j, "listen_port");
	if (!st->wg) {
		j_null(j, "peers");
	} else {
		j_open(j, "peers", '[');
		for (size_t i = 0; i < st->wg->n_peers; i++)
			j_peer(j, st, &st->wg->peers[i]);
		j_close(j, ']');
	}
	j_close(j, '}');
}

static void j_process(struct json *j, const char *key, const struct status_daemon *d)
{
	j_open(j, key, '{');
	if (!key) {
		j_str(j, "name", d->d.name);
		j_str(j, "interface", d->d.ifname[0] ? d->d.ifname : NULL);
	}
	j_int(j, "pid", d->d.pid);
	j_bool(j, "alive", d->alive);
	j_close(j, '}');
}

/* One entry per part that could not be read, with the reason. */
static void j_unavailable(struct json *j, const char *what, const struct wgp_err *err)
{
	char line[1024];

	wgp_format(err, line, sizeof(line));
	j_open(j, NULL, '{');
	j_str(j, "what", what);
	j_str(j, "reason", line);
	j_bool(j, "needs_root", status_needs_root(err));
	j_close(j, '}');
}

/* The portal probe's findings: null when it was not looked for. */
static void j_portal(struct json *j, const struct status *st)
{
	const struct portal *p = &st->portal;

	if (!st->portal_known) {
		j_null(j, "portal");
		return;
	}
	j_open(j, "portal", '{');
	j_bool(j, "silent", p->silent);
	if (p->handshake_age >= 0)
		j_int(j, "handshake_age", p->handshake_age);
	else
		j_null(j, "handshake_age");
	j_int(j, "network_age", p->network_age);
	j_bool(j, "probed", p->probed);
	j_str(j, "url", WGPHYS_PORTAL_URL);
	j_bool(j, "answered", p->answered);
	j_bool(j, "intercepted", p->intercepted);
	j_int(j, "http_status", p->http_status);
	j_str(j, "answered_by", p->who);
	if (p->location[0])
		j_str(j, "location", p->location);
	else
		j_null(j, "location");
	j_str(j, "hint", "wgphys exec chromium");
	j_close(j, '}');
}

static void j_rest(struct json *j, const struct status *st)
{
	j_open(j, "daemons", '[');
	for (size_t i = 0; i < st->n_daemons; i++)
		j_process(j, NULL, &st->daemons[i]);
	j_close(j, ']');
	if (st->has_guard)
		j_process(j, "guard", &st->guard);
	else
		j_null(j, "guard");
	j_open(j, "fence", '{');
	if (st->fence == FENCE_UNKNOWN)
		j_null(j, "present");
	else
		j_bool(j, "present", st->fence == FENCE_PRESENT);
	j_close(j, '}');
	j_open(j, "warnings", '[');
	for (size_t i = 0; i < st->n_warnings; i++) {
		j_open(j, NULL, '{');
		j_str(j, "code", st->warnings[i].code);
		j_bool(j, "breaks", st->warnings[i].breaks);
		j_str(j, "message", st->warnings[i].text);
		j_close(j, '}');
	}
	j_close(j, ']');
	j_portal(j, st);
	j_open(j, "unavailable", '[');
	if (!st->main.known)
		j_unavailable(j, "main_interfaces", &st->main.err);
	if (st->recorded && !st->phys.known)
		j_unavailable(j, "physical_interfaces", &st->phys.err);
	if (st->tunnel_link && !st->wg)
		j_unavailable(j, "peers", &st->wg_err);
	if (st->fence == FENCE_UNKNOWN)
		j_unavailable(j, "fence", &st->fence_err);
	j_close(j, ']');
}

static void status_json(const struct status *st)
{
	static const char *const states[] = {
		[STATUS_DOWN] = "down", [STATUS_UP] = "up", [STATUS_BROKEN] = "broken",
	};
	struct json j = { .f = stdout };

	j_open(&j, NULL, '{');
	j_str(&j, "state", states[st->state]);
	if (st->recorded) {
		j_open(&j, "namespace", '{');
		j_str(&j, "name", st->netns);
		j_str(&j, "path", st->netns_path);
		j_bool(&j, "present", st->netns_present);
		j_close(&j, '}');
	} else {
		j_null(&j, "namespace");
	}
	j_links(&j, "main_interfaces", &st->main);
	j_phys(&j, "main_phys", &st->main);
	j_tunnel(&j, st);
	if (st->recorded) {
		j_links(&j, "physical_interfaces", &st->phys);
		j_phys(&j, "physical_phys", &st->phys);
	} else {
		j_open(&j, "physical_interfaces", '[');
		j_close(&j, ']');
		j_open(&j, "physical_phys", '[');
		j_close(&j, ']');
	}
	j_rest(&j, st);
	j_close(&j, '}');
	fputc('\n', stdout);
}

static int cmd_status(int argc, char *argv[], const char *config_path)
{
	struct status *st = NULL;
	struct wgp_err err = { 0 };
	bool json = false;
	int ret;

	(void)config_path;
	if (argc > 1 && !strcmp(argv[1], "--json")) {
		json = true;
		argc--;
		argv++;
	}
	ret = no_args("status", argc, argv);
	if (ret)
		return ret;
	ret = status_gather(&st, &err);
	if (ret < 0) {
		print_err("status", &err, ret);
		return 1;
	}
	if (json)
		status_json(st);
	else
		status_text(st);
	ret = st->state == STATUS_DOWN ? 3 : st->state == STATUS_BROKEN ? 1 : 0;
	status_free(st);
	return ret;
}

/* ---- check ---- */

static int cmd_check(int argc, char *argv[], const char *config_path)
{
	static const char *const tags[] = {
		[CHECK_OK] = "ok", [CHECK_NOTE] = "note", [CHECK_WARN] = "warn", [CHECK_FAIL] = "FAIL",
	};
	struct check_options o = { .config_path = config_path };
	struct check_report r = { 0 };
	char text[700];
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--load"))
			o.load = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout), 0;
		else
			return fail_input("check", "unknown option '%s'", argv[i]);
	}
	o.cred_dir = secure_getenv("CREDENTIALS_DIRECTORY");
	ret = check_run(&o, &r);
	if (ret < 0) {
		fprintf(stderr, "%s: check: %s\n", prog, strerror(-ret));
		return 1;
	}
	for (size_t k = 0; k < r.n; k++) {
		text_clean(text, sizeof(text), r.v[k].text, strlen(r.v[k].text));
		printf("%-5s %s: %s\n", tags[r.v[k].level], r.v[k].topic, text);
	}
	if (r.failed) {
		printf("not ready: %u problem%s (FAIL above)\n", r.failed, r.failed == 1 ? "" : "s");
	} else if (r.up) {
		printf("ready: wgphys is up\n");
	} else {
		printf("ready: up would move");
		for (size_t k = 0; k < r.n_links; k++)
			printf("%s %s", k ? "," : "", r.links[k]);
		for (size_t k = 0; k < r.n_phys; k++)
			printf("%s %s", k || r.n_links ? "," : "", r.phys[k]);
		putchar('\n');
	}
	ret = r.failed ? 1 : 0;
	check_report_free(&r);
	return ret;
}

int main(int argc, char *argv[])
{
	const char *config_path = NULL;
	size_t i;
	int ret, cmd;

	/* One program to ps, pgrep and whoever looks for the guard: wgphys,
	 * whichever file runs (the front hands over to this one; the file
	 * is in /proc/PID/exe). */
	prctl(PR_SET_NAME, prog, 0, 0, 0);
	ret = cli_options(argc, argv, &config_path, &cmd);
	if (ret >= 0)
		return ret;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[cmd], commands[i].name))
			return commands[i].fn(argc - cmd, argv + cmd, config_path);
	return fail_input(NULL, "unknown command '%s'. Try '%s --help'.", argv[cmd], prog);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The daemons while up. The guard watches each through a pidfd (those it
 * started and those it adopted from `up` alike), starts one that died again
 * after 1 s, doubling to 30 s (back to 1 s once it ran for longer than
 * that), and cleans up after it: a dead daemon's orphaned helpers come to
 * the guard, a subreaper, which stops and reaps them. As their parent it
 * knows its daemons exactly; nothing is guessed from a pid.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "caps.h"
#include "daemon.h"
#include "guard.h"
#include "rtnl.h"
#include "services.h"

static const int caps_spawn[] = { CAP_SYS_ADMIN, CAP_SETPCAP, CAPS_END };
static const int caps_kill[] = { CAP_KILL, CAPS_END };
static const int caps_none[] = { CAPS_END };

#define BACKOFF_FIRST 1		/* seconds */
#define BACKOFF_MAX 30
#define RETRY_MS 200		/* the journal was busy */

static bool same_daemon(const struct state_daemon *a, const struct state_daemon *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->ifname, b->ifname);
}

/* A free slot (or a new one) for a daemon; its index, or -1. */
static ssize_t slot(struct guard *g, const struct state_daemon *d)
{
	struct watched *v;
	size_t i;

	for (i = 0; i < g->n_w; i++)
		if (!g->w[i].d.name[0] || same_daemon(&g->w[i].d, d))
			break;
	if (i == g->n_w) {
		v = realloc(g->w, (g->n_w + 1) * sizeof(*v));
		if (!v)
			return -1;
		g->w = v;
		g->n_w++;
		g->w[i] = (struct watched){ .pidfd = -1 };
	}
	g->w[i].d = *d;
	return (ssize_t)i;
}

/* Watch w[i]'s process, if it is still the one on record. */
static void watch(struct guard *g, size_t i, bool child)
{
	struct watched *w = &g->w[i];

	w->pidfd = (int)pidfd_open(w->d.pid, 0);
	/* Verified after the pidfd is held: the pid cannot change hands now. */
	if (w->pidfd >= 0 && (!daemon_alive(&w->d) || guard_watch_pidfd(g, i) < 0)) {
		close(w->pidfd);
		w->pidfd = -1;
	}
	w->child = child;
	w->started = guard_now();
	w->due = 0;
	if (w->pidfd >= 0)
		return;
	/* Gone already: one adopted from up starts again at once; one just
	 * started waits its turn, as if it had exited. */
	if (child)
		waitpid(w->d.pid, NULL, WNOHANG);
	w->due = guard_now() + (child ? (uint64_t)w->backoff * 1000 : 0);
	if (child)
		w->backoff = w->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : w->backoff * 2;
}

struct proc_rel {
	pid_t pid, ppid, sid;
};

/* Parent and session of pid, from /proc/PID/stat (fields 4 and 6). */
static bool proc_rel(pid_t pid, struct proc_rel *r)
{
	char path[64], buf[512], *p;
	int ppid, sid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!p || sscanf(p + 1, " %*c %d %*d %d", &ppid, &sid) != 2)
		return false;
	*r = (struct proc_rel){ pid, (pid_t)ppid, (pid_t)sid };
	return true;
}

int supervise_adopt(struct guard *g)
{
	struct proc_rel r;

	for (size_t i = 0; i < g->st->n_daemons; i++) {
		ssize_t k = slot(g, &g->st->daemons[i]);

		if (k < 0)
			return -ENOMEM;
		g->w[k].backoff = BACKOFF_FIRST;
		/* Started by up in this very process (before it became the
		 * guard), or by an earlier guard and adopted. */
		watch(g, (size_t)k, proc_rel(g->w[k].d.pid, &r) && r.ppid == getpid());
	}
	return 0;
}

/* Every process's parent and session, in one pass over /proc. */
static struct proc_rel *proc_rels(size_t *n)
{
	struct proc_rel *v = NULL, *t;
	struct dirent *de;
	size_t cap = 0;
	DIR *dir = opendir("/proc");

	*n = 0;
	if (!dir)
		return NULL;
	while ((de = readdir(dir))) {
		struct proc_rel r;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    !proc_rel((pid_t)atoi(de->d_name), &r))
			continue;
		if (*n == cap) {
			t = realloc(v, (cap * 2 + 64) * sizeof(*v));
			if (!t)
				break;
			v = t;
			cap = cap * 2 + 64;
		}
		v[(*n)++] = r;
	}
	closedir(dir);
	return v;
}

/* Whether v[i] descends from us: orphans come to us, a subreaper; their
 * own children stay theirs until they die too. */
static bool ours(const struct proc_rel *v, size_t n, size_t i)
{
	pid_t me = getpid(), p = v[i].ppid;

	for (size_t depth = 0; p > 1 && depth < n; depth++) {
		size_t k;

		if (p == me)
			return true;
		for (k = 0; k < n && v[k].pid != p; k++)
			;
		if (k == n)
			return false;
		p = v[k].ppid;
	}
	return false;
}

/*
 * The helpers a dead daemon left: its session (it was its leader), our
 * descendants. SIGKILL: dhcpcd's privilege-separation proxies catch
 * SIGTERM and outlive it, their children with them (BPF ARP sockets on
 * the links, next to those of the dhcpcd started in its place, and a log
 * filled with "Connection refused" towards the manager that died). Each
 * is checked again once its pidfd is held, so its pid cannot have changed
 * hands. Returns how many were signalled.
 */
static size_t stop_orphans(pid_t sid)
{
	struct proc_rel *v, now;
	size_t n, killed = 0;

	v = proc_rels(&n);
	if (!v)
		return 0;
	caps_step(caps_kill);
	for (size_t i = 0; i < n; i++) {
		int fd;

		if (v[i].sid != sid || v[i].pid == sid || !ours(v, n, i))
			continue;
		fd = (int)pidfd_open(v[i].pid, 0);
		if (fd < 0)
			continue;
		if (proc_rel(v[i].pid, &now) && now.sid == sid && now.ppid == v[i].ppid &&
		    pidfd_send_signal(fd, SIGKILL, NULL, 0) == 0)
			killed++;
		close(fd);
	}
	caps_step(caps_none);
	free(v);
	return killed;
}

void supervise_exited(struct guard *g, size_t i)
{
	struct watched *w;
	int status = 0;
	size_t n;

	if (i >= g->n_w || g->w[i].pidfd < 0)
		return;
	w = &g->w[i];
	close(w->pidfd);	/* also leaves the epoll set */
	w->pidfd = -1;
	if (w->child)
		waitpid(w->d.pid, &status, WNOHANG);
	w->orphans = w->d.pid;
	n = stop_orphans(w->orphans);
	if (n)
		guard_log(g, LOG_INFO, "%s (pid %d) left %zu helpers: stopped", w->d.name,
			  (int)w->d.pid, n);
	/* A daemon that ran for longer than its last pause is not looping. */
	if (guard_now() - w->started > (uint64_t)w->backoff * 1000 * 2)
		w->backoff = BACKOFF_FIRST;
	guard_log(g, LOG_WARNING, "%s%s%s (pid %d) exited; starting it again in %u s",
		  w->d.name, w->d.ifname[0] ? " for " : "", w->d.ifname, (int)w->d.pid,
		  w->backoff);
	w->due = guard_now() + (uint64_t)w->backoff * 1000;
	w->backoff = w->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : w->backoff * 2;
	guard_rearm(g);
}

struct restart {
	struct guard *g;
	const struct state_daemon *old;
	struct state_daemon now;
};

/* Between fork and exec: the new daemon replaces the old on record. */
static int journal_restart(void *arg, const struct state_daemon *d, struct wgp_err *err)
{
	struct restart *r = arg;
	struct state *st = r->g->st;
	int ret;

	for (size_t i = 0; i < st->n_daemons; i++)
		if (same_daemon(&st->daemons[i], r->old))
			state_del_daemon(st, i--);
	ret = state_add_daemon(st, d);
	if (!ret)
		ret = guard_journal(r->g, err);
	if (!ret)
		r->now = *d;
	return ret;
}

/*
 * Start w[i] (again): 0 started (or nothing to start: no configuration
 * any more, or its link left, and it waits for it to come back); -EAGAIN
 * the journal was busy; other -errno failed.
 */
static int start(struct guard *g, size_t i)
{
	struct restart r = { .g = g, .old = &g->w[i].d };
	struct wgp_err err = { 0 };
	struct link_info li;
	int ret;

	if (g->w[i].d.ifname[0] && rtnl_link_by_name(g->nl_phys, g->w[i].d.ifname, &li) < 0) {
		guard_log(g, LOG_INFO, "%s for %s waits for its link to come back", g->w[i].d.name,
			  g->w[i].d.ifname);
		return 0;
	}
	/* What the dead one's helpers forked after they were stopped. */
	if (g->w[i].orphans) {
		stop_orphans(g->w[i].orphans);
		g->w[i].orphans = 0;
	}
	caps_step(caps_spawn);
	ret = services_restart(g->cfg, g->phys_fd, g->st->netns, &g->w[i].d, journal_restart,
			       &r, &err);
	caps_step(caps_none);
	if (ret == -EAGAIN)
		return ret;
	if (ret < 0) {
		guard_log_err(g, "cannot start a daemon", &err);
		return ret;
	}
	if (!r.now.pid)
		return 0;
	g->w[i].d = r.now;
	watch(g, i, true);
	guard_log(g, LOG_INFO, "%s%s%s started (pid %d)", r.now.name, r.now.ifname[0] ? " for " : "",
		  r.now.ifname, (int)r.now.pid);
	return 0;
}

void supervise_due(struct guard *g)
{
	uint64_t now = guard_now();

	for (size_t i = 0; i < g->n_w; i++) {
		struct watched *w = &g->w[i];
		int ret;

		if (!w->due || w->due > now || w->pidfd >= 0)
			continue;
		w->due = 0;
		ret = start(g, i);
		if (ret == -EAGAIN) {
			w->due = now + RETRY_MS;
		} else if (ret < 0) {
			w->due = now + (uint64_t)w->backoff * 1000;
			w->backoff = w->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : w->backoff * 2;
		}
	}
}

void supervise_reap(struct guard *g)
{
	(void)g;
	/* Our daemons are reaped where their pidfd says they exited; this
	 * takes the rest: orphans that came to us as their subreaper. */
	while (waitpid(-1, NULL, WNOHANG | __WNOTHREAD) > 0)
		;
}

void supervise_link_arrived(struct guard *g, const char *ifname)
{
	struct state_daemon d = { 0 };
	char conf[PATH_MAX];
	ssize_t k;

	if (!services_wpa_conf(g->cfg, ifname, conf, sizeof(conf)))
		return;
	snprintf(d.name, sizeof(d.name), "wpa_supplicant");
	snprintf(d.ifname, sizeof(d.ifname), "%s", ifname);
	for (size_t i = 0; i < g->n_w; i++)
		if (same_daemon(&g->w[i].d, &d) && (g->w[i].pidfd >= 0 || g->w[i].due))
			return;	/* running, or about to be */
	k = slot(g, &d);
	if (k < 0)
		return;
	g->w[k].backoff = BACKOFF_FIRST;
	g->w[k].due = guard_now();
	supervise_due(g);
	guard_rearm(g);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The guard's life: it records itself in the journal, holds the physical
 * namespace open (so `ip netns del` cannot free it) and puts its name back
 * when someone removes it, and sleeps in epoll_wait until the kernel tells
 * it something: a link or a phy in main (hotplug.c), a daemon's exit
 * (supervise.c), a name gone from the run directory, a signal. Idle, it
 * does not wake up at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/rtnetlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "caps.h"
#include "daemon.h"
#include "fault.h"
#include "fence.h"
#include "guard.h"
#include "netns.h"
#include "paths.h"

/*
 * What the guard holds: NET_ADMIN to move devices, SYS_ADMIN to enter the
 * namespace for a daemon and to bind its name back, SETPCAP to bound a
 * daemon's capabilities, KILL for a dead daemon's helpers that dropped
 * root. Its bounding set adds what the daemons may hold after their exec
 * (each child narrows it to its own).
 */
static const int guard_caps[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_SETPCAP, CAP_KILL,
				  CAPS_END };
static const int guard_bound[] = {
	CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_SETPCAP, CAP_KILL, CAP_NET_RAW,
	CAP_NET_BIND_SERVICE, CAP_SETUID, CAP_SETGID, CAP_SYS_CHROOT, CAP_CHOWN,
	CAP_DAC_OVERRIDE, CAP_FOWNER, CAPS_END
};
static const int caps_setpcap[] = { CAP_SETPCAP, CAPS_END };
static const int caps_none[] = { CAPS_END };
static const int caps_ns[] = { CAP_SYS_ADMIN, CAPS_END };
static const int caps_net[] = { CAP_NET_ADMIN, CAPS_END };
static const int caps_netns[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN, CAPS_END };

/* How long the guard waits for up or down to let go of the journal. */
#define LOCK_WAIT_MS 3000

enum { EV_MAIN = 1, EV_PHYS, EV_WIPHY, EV_FENCE, EV_SIGNAL, EV_TIMER, EV_WATCH, EV_DAEMON };

uint64_t guard_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void guard_log(struct guard *g, int prio, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (g->h && g->h->log)
		g->h->log(g->h->arg, prio, line);
}

void guard_log_err(struct guard *g, const char *what, const struct wgp_err *err)
{
	char line[1024];

	wgp_format(err, line, sizeof(line));
	guard_log(g, LOG_ERR, "%s: %s", what, line);
}

bool guard_alive(const struct state *st)
{
	return st->guard.pid > 0 && daemon_alive(&st->guard);
}

int guard_journal(struct guard *g, struct wgp_err *err)
{
	int lock, ret;

	lock = state_lock(NULL);
	if (lock < 0)
		return -EAGAIN;
	ret = state_write(g->st, err);
	close(lock);
	return ret;
}

void guard_rearm(struct guard *g)
{
	struct itimerspec its = { 0 };
	uint64_t due = g->retry_due, now = guard_now();

	for (size_t i = 0; i < g->n_w; i++)
		if (g->w[i].due && (!due || g->w[i].due < due))
			due = g->w[i].due;
	if (due) {
		uint64_t ms = due > now ? due - now : 1;

		its.it_value.tv_sec = (time_t)(ms / 1000);
		its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	}
	timerfd_settime(g->timer_fd, 0, &its, NULL);
}

/* The journal, taken over: up or down may hold the lock for a moment. */
static int take_over(struct guard *g, struct wgp_err *err)
{
	uint64_t until = guard_now() + LOCK_WAIT_MS;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int lock, ret;

	while ((lock = state_lock(NULL)) < 0 && guard_now() < until)
		nanosleep(&tick, NULL);
	if (lock < 0)
		return wgp_refuse(err, EBUSY, NULL, "another wgphys up or down is running");
	ret = state_read(&g->st, err);
	if (ret == -ENOENT) {	/* a down finished while we waited */
		ret = wgp_refuse(err, ENOENT, NULL, "nothing is up any more (a down finished "
				 "meanwhile): run \"wgphys up\" again");
		goto out;
	}
	if (ret < 0)
		goto out;
	if (g->st->stage != STATE_STAGE_UP) {
		ret = wgp_refuse(err, EAGAIN, NULL,
				 "up has not finished (run \"wgphys down\" to clean up)");
		goto out;
	}
	if (guard_alive(g->st) && g->st->guard.pid != getpid()) {
		ret = wgp_refuse(err, EALREADY, NULL, "a guard already runs (pid %d)",
				 (int)g->st->guard.pid);
		goto out;
	}
	g->phys_fd = netns_open_as(g->st->netns, g->st->netns_dev, g->st->netns_ino, err);
	if (g->phys_fd < 0) {
		ret = g->phys_fd;
		wgp_because(err, "the physical namespace is gone: run \"wgphys down\"");
		goto out;
	}
	g->st->guard = (struct state_daemon){ .pid = getpid(),
					      .starttime = proc_starttime(getpid()) };
	snprintf(g->st->guard.name, sizeof(g->st->guard.name), "guard");
	ret = state_write(g->st, err);
out:
	close(lock);
	return ret;
}

static int add_fd(struct guard *g, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int open_events(struct guard *g, struct wgp_err *err)
{
	static const unsigned int link_groups[] = { RTNLGRP_LINK, 0 };
	static const unsigned int fence_groups[] = { NFNLGRP_NFTABLES, 0 };
	sigset_t mask;
	int ret;

	g->ep = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	g->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	g->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	g->watch_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (g->ep < 0 || g->sig_fd < 0 || g->timer_fd < 0 || g->watch_fd < 0)
		return wgp_fail(err, errno, "Cannot start", "the guard's event loop");
	if (inotify_add_watch(g->watch_fd, NETNS_RUN_DIR, IN_DELETE | IN_MOVED_FROM) < 0)
		return wgp_fail(err, errno, "Cannot watch", "%s", NETNS_RUN_DIR);
	/* Sockets of the physical namespace (setns), nftables' events. */
	caps_step(caps_netns);
	ret = nlk_open(&g->nl_main, NETLINK_ROUTE, -1);
	if (!ret)
		ret = nlk_open(&g->nl_phys, NETLINK_ROUTE, g->phys_fd);
	if (!ret)
		ret = nlk_listen(&g->ev_main, NETLINK_ROUTE, -1, link_groups);
	if (!ret)
		ret = nlk_listen(&g->ev_phys, NETLINK_ROUTE, g->phys_fd, link_groups);
	if (ret < 0) {
		caps_step(caps_none);
		return wgp_fail(err, ret, "Cannot listen to", "rtnetlink");
	}
	ret = nlk_listen(&g->ev_fence, NETLINK_NETFILTER, -1, fence_groups);
	if (ret < 0) {
		caps_step(caps_none);
		return wgp_fail(err, ret, "Cannot listen to", "nftables");
	}
	ret = nl80211_open(&g->wl_main, -1, err);
	if (!ret)
		ret = nl80211_open(&g->wl_phys, g->phys_fd, err);
	if (!ret)
		ret = nl80211_watch_open(&g->wl_events, -1, err);
	caps_step(caps_none);
	if (ret < 0)
		return ret;
	if (g->wl_events && (ret = add_fd(g, nl80211_watch_fd(g->wl_events), EV_WIPHY)) < 0)
		return wgp_fail(err, ret, "Cannot start", "the guard's event loop");
	if ((ret = add_fd(g, g->sig_fd, EV_SIGNAL)) < 0 ||
	    (ret = add_fd(g, g->timer_fd, EV_TIMER)) < 0 ||
	    (ret = add_fd(g, g->watch_fd, EV_WATCH)) < 0 ||
	    (ret = add_fd(g, nlk_fd(g->ev_main), EV_MAIN)) < 0 ||
	    (ret = add_fd(g, nlk_fd(g->ev_phys), EV_PHYS)) < 0 ||
	    (ret = add_fd(g, nlk_fd(g->ev_fence), EV_FENCE)) < 0)
		return wgp_fail(err, ret, "Cannot start", "the guard's event loop");
	return 0;
}

int guard_watch_pidfd(struct guard *g, size_t i)
{
	return add_fd(g, g->w[i].pidfd, EV_DAEMON | (uint64_t)(i + 1) << 8);
}

/* /run/netns/NAME taken away (`ip netns del`): the namespace lives on,
 * held by us; its name comes back. */
static void check_name(struct guard *g)
{
	struct wgp_err err = { 0 };
	char path[PATH_MAX];

	netns_path(g->st->netns, path, sizeof(path));
	if (access(path, F_OK) == 0)
		return;
	caps_step(caps_ns);
	if (netns_rebind(g->phys_fd, g->st->netns, &err) < 0)
		guard_log_err(g, "cannot put the namespace's name back", &err);
	else
		guard_log(g, LOG_WARNING, "%s was removed; the namespace lives on, and its name is back",
			  path);
	caps_step(caps_none);
}

static void on_watch(struct guard *g)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(g->watch_fd, buf, sizeof(buf)) > 0)
		;
	check_name(g);
}

static int any_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/*
 * Someone changed nftables in main (a firewall reloading, `nft flush
 * ruleset`): if the fence is not whole any more, it is put back. The
 * journal says it is ours while up.
 */
static void check_fence(struct guard *g)
{
	struct wgp_err err = { 0 };
	bool present = false;

	nlk_drain(g->ev_fence, any_cb, NULL);
	caps_step(caps_net);
	if (fence_present(&present, &err) == 0 && !present) {
		if (fence_install(&err) < 0)
			guard_log_err(g, "the fence was taken away, and cannot be put back", &err);
		else
			guard_log(g, LOG_WARNING, "the fence was taken away; it is back");
	}
	caps_step(caps_none);
}

static void on_signal(struct guard *g)
{
	struct signalfd_siginfo si;

	while (read(g->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			g->stop = true;
			break;
		case SIGCHLD:
			supervise_reap(g);
			break;
		default:
			guard_log(g, LOG_INFO, "signal %u ignored", si.ssi_signo);
		}
	}
}

static void on_timer(struct guard *g)
{
	uint64_t n;

	while (read(g->timer_fd, &n, sizeof(n)) == sizeof(n))
		;
	if (g->retry_due && g->retry_due <= guard_now()) {
		g->retry_due = 0;
		hotplug_sweep(g);
	}
	supervise_due(g);
	guard_rearm(g);
}

static void dispatch(struct guard *g, uint64_t tag)
{
	switch (tag & 0xff) {
	case EV_MAIN:
		hotplug_main_event(g);
		break;
	case EV_PHYS:
		hotplug_phys_event(g);
		break;
	case EV_WIPHY:
		hotplug_wiphy_event(g);
		break;
	case EV_FENCE:
		check_fence(g);
		break;
	case EV_SIGNAL:
		on_signal(g);
		break;
	case EV_TIMER:
		on_timer(g);
		break;
	case EV_WATCH:
		on_watch(g);
		break;
	case EV_DAEMON:
		supervise_exited(g, (size_t)(tag >> 8) - 1);
		break;
	}
}

static int loop(struct guard *g)
{
	struct epoll_event ev[16];
	int n;

	while (!g->stop) {
		n = epoll_wait(g->ep, ev, 16, -1);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n && !g->stop; i++)
			dispatch(g, ev[i].data.u64);
	}
	return 0;
}

/* Permitted: the guard's four; bounding: those and the daemons'. */
static int narrow(struct wgp_err *err)
{
	caps_step(caps_setpcap);
	if (caps_bound_for_exec(guard_bound) < 0 || caps_limit(guard_caps) < 0)
		return wgp_refuse(err, EPERM, NULL, "cannot limit capabilities");
	caps_step(caps_none);
	/* Orphaned helpers of a daemon that died come to us, provably ours. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	return 0;
}

static void release(struct guard *g)
{
	for (size_t i = 0; i < g->n_w; i++)
		if (g->w[i].pidfd >= 0)
			close(g->w[i].pidfd);
	free(g->w);
	nl80211_watch_close(g->wl_events);
	nl80211_close(g->wl_phys);
	nl80211_close(g->wl_main);
	nlk_close(g->ev_fence);
	nlk_close(g->ev_phys);
	nlk_close(g->ev_main);
	nlk_close(g->nl_phys);
	nlk_close(g->nl_main);
	int fds[] = { g->ep, g->sig_fd, g->timer_fd, g->watch_fd, g->phys_fd, g->main_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	state_free(g->st);
}

int guard_run(const struct wgphys_config *cfg, const struct guard_hooks *h,
	      struct wgp_err *err)
{
	struct guard g = { .cfg = cfg, .h = h, .main_fd = -1, .phys_fd = -1, .ep = -1,
			   .sig_fd = -1, .timer_fd = -1, .watch_fd = -1 };
	int ret;

	trace_mark("guard: start");
	ret = narrow(err);
	if (!ret)
		ret = take_over(&g, err);
	trace_mark("guard: taken over");
	if (!ret && (g.main_fd = netns_current()) < 0)
		ret = wgp_fail(err, g.main_fd, "Cannot open", "the current network namespace");
	if (!ret)
		ret = open_events(&g, err);
	trace_mark("guard: events open");
	if (!ret)
		ret = supervise_adopt(&g);
	if (ret < 0)
		goto out;
	check_name(&g);
	check_fence(&g);	/* what changed while no guard watched */
	trace_mark("guard: fence checked");
	hotplug_sweep(&g);
	trace_mark("guard: swept");
	guard_rearm(&g);
	guard_log(&g, LOG_INFO, "watching (namespace \"%s\", %zu daemons)", g.st->netns, g.n_w);
	trace_mark("guard: logged");
	if (h && h->ready)
		h->ready(h->arg);
	ret = loop(&g);
	guard_log(&g, LOG_INFO, "stopped; the network stays where it is until \"wgphys down\"");
out:
	release(&g);
	return ret;
}

/* The child's side of guard_spawn: it reports through the pipe once: one
 * struct guard_spawned, whatever happened. */
struct spawn {
	const struct guard_hooks *h;
	int fd;
};

static void spawn_report(struct spawn *s, const struct guard_spawned *r)
{
	ssize_t unused;

	if (s->fd < 0)
		return;
	unused = write(s->fd, r, sizeof(*r));
	(void)unused;
	close(s->fd);
	s->fd = -1;
}

static void spawn_ready(void *arg)
{
	struct guard_spawned r = { 0 };

	spawn_report(arg, &r);
}

static void spawn_log(void *arg, int prio, const char *line)
{
	struct spawn *s = arg;

	if (s->h->log)
		s->h->log(s->h->arg, prio, line);
}

static void spawn_child(const struct wgphys_config *cfg, const struct guard_hooks *h,
			int (*first)(void *arg, struct wgp_err *err), void *arg, int fd)
{
	struct spawn s = { .h = h, .fd = fd };
	struct guard_hooks mine = { .log = spawn_log, .ready = spawn_ready, .arg = &s };
	struct guard_spawned r = { 0 };
	int null;

	if (first && (r.ret = first(arg, &r.err)) < 0) {
		r.first_failed = true;
		spawn_report(&s, &r);
		_exit(1);
	}
	/* Out of the terminal's session and job control: Ctrl-C at the shell
	 * that ran up must not end it. */
	setsid();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	/* Nothing of whoever ran up reaches the guard or its daemons. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	r.ret = guard_run(cfg, &mine, &r.err);
	spawn_report(&s, &r);
	_exit(r.ret < 0 ? 1 : 0);
}

void guard_spawn(const struct wgphys_config *cfg, const struct guard_hooks *h,
		 int (*first)(void *arg, struct wgp_err *err), void *arg,
		 struct guard_spawned *out)
{
	int fds[2], status = 0;
	ssize_t n;
	pid_t pid;

	*out = (struct guard_spawned){ 0 };
	if (pipe2(fds, O_CLOEXEC) < 0) {
		out->ret = wgp_fail(&out->err, errno, "Cannot start", "the guard");
		return;
	}
	pid = fork();
	if (pid < 0) {
		out->ret = wgp_fail(&out->err, errno, "Cannot start", "the guard");
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		spawn_child(cfg, h, first, arg, fds[1]);
	}
	close(fds[1]);
	do
		n = read(fds[0], out, sizeof(*out));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n == sizeof(*out) && !out->ret)
		return;		/* it watches: not ours to wait for */
	waitpid(pid, &status, 0);
	if (n != sizeof(*out)) {
		*out = (struct guard_spawned){ .died = status ? status : 1 };
		out->ret = wgp_refuse(&out->err, ECHILD, NULL, "the guard exited before it watched");
	}
}

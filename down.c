// SPDX-License-Identifier: GPL-2.0
/*
 * The one way back from `up`, for `down`, for a failed `up` and after a
 * crash. The journal is a list of things that *may* have happened; each is
 * checked against what the kernel reports before it is undone, every item
 * is tried, and the first failure is the one reported.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/wait.h>

#include "caps.h"
#include "daemon.h"
#include "down.h"
#include "fault.h"
#include "fence.h"
#include "move.h"
#include "netns.h"
#include "nl80211.h"
#include "resolv.h"
#include "services.h"
#include "up.h"

static const int caps_none[] = { CAPS_END };
static const int caps_ns[] = { CAP_SYS_ADMIN, CAPS_END };
static const int caps_net[] = { CAP_NET_ADMIN, CAPS_END };
static const int caps_netns[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN, CAPS_END };
static const int caps_stop[] = { CAP_KILL, CAP_SYS_PTRACE, CAPS_END };

struct back {
	const struct state *st;
	struct nlk *nl_main, *nl_phys;
	int main_fd, phys_fd;
	bool foreign;		/* someone else's namespace holds the name now */
	int first;		/* the first failure */
	struct wgp_err *err;	/* ...and its description */
	struct wgp_err warn;	/* what did not come back quite as it was */
	struct wgp_err step;	/* the current item's */
	struct daemon_stopping *stopping;	/* signalled, not yet gone */
	pid_t tunnel_pid;	/* the child deleting the tunnel; 0: none */
	int tunnel_ifindex;
};

/* Keep the first failure; go on with the next item either way. */
static void item(struct back *b, int ret)
{
	if (ret < 0 && !b->first) {
		b->first = ret;
		if (b->err && !b->err->code) {
			bool changed = b->err->changed;

			*b->err = b->step;
			b->err->changed = changed;
		}
	}
	b->step = (struct wgp_err){ 0 };
}

/*
 * Everything that runs for us is found in one pass and signalled: first
 * the guard, which would move returning devices back and start daemons
 * again (it cannot start one meanwhile: a start is journaled first, and
 * down holds the journal), and which is waited for, since nothing may move
 * while it lives; then the daemons, each as services_stop_signal says
 * (after the guard, which would otherwise tend to each that dies before
 * it reads its SIGTERM). The daemons end while the devices come back;
 * stop_end waits for what is left of them.
 */
static void stop_begin(struct back *b)
{
	const struct state *st = b->st;
	struct state_daemon *d = calloc(st->n_daemons + 1, sizeof(*d));
	int *sigs = calloc(st->n_daemons + 1, sizeof(*sigs)), ret;
	size_t n = 0;

	up_narrow(caps_stop);
	if (!d || !sigs) {
		item(b, wgp_fail(&b->step, ENOMEM, "Cannot stop", "the daemons"));
		goto out;
	}
	if (st->guard.pid > 0) {
		d[n] = st->guard;
		sigs[n++] = SIGTERM;
	}
	for (size_t i = 0; i < st->n_daemons; i++) {
		d[n] = st->daemons[i];
		sigs[n++] = services_stop_signal(&st->daemons[i]);
	}
	if (!n)
		goto out;
	item(b, fault_step("stop the guard and the daemons", &b->step));
	ret = daemon_stop_begin(d, sigs, n, st->netns_dev, st->netns_ino,
				st->guard.pid > 0 ? &st->guard : NULL, &b->stopping);
	if (ret < 0)
		item(b, wgp_fail(&b->step, ret, "Cannot stop", "the daemons"));
	else if (st->guard.pid > 0)
		item(b, daemon_stop_await(b->stopping, &st->guard, DAEMON_TERM_WAIT_MS, &b->step));
out:
	free(d);
	free(sigs);
}

/* The daemons' end, within DAEMON_TERM_WAIT_MS of their signal. */
static void stop_end(struct back *b)
{
	up_narrow(caps_stop);
	item(b, daemon_stop_end(b->stopping, DAEMON_TERM_WAIT_MS, &b->step));
	b->stopping = NULL;
	services_ctrl_cleanup();
}

/*
 * The tunnel goes first: its routes would shadow the ones put back below
 * (a default route of the same metric is "already there"). Its end is
 * slow, and most of it does not matter here: once the kernel has unlisted
 * it (and its routes with it) it waits for RCU and tears down WireGuard's
 * work queues, hundreds of ms on a slow machine. So a child deletes it
 * while the devices come back; tunnel_unlisted waits, before main's routes
 * return, for the part that matters, and tunnel_gone for the rest.
 */
static void delete_tunnel(struct back *b)
{
	struct link_info li;
	struct nlk *nl = NULL;
	int ret;
	pid_t pid;

	if (!b->st->tunnel[0] || rtnl_link_by_name(b->nl_main, b->st->tunnel, &li) < 0 ||
	    strcmp(li.kind, "wireguard"))
		return;
	ret = fault_step("delete the tunnel", &b->step);
	if (ret < 0) {
		item(b, ret);
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* Its own socket: replies to the parent's are the parent's. */
		ret = nlk_open(&nl, NETLINK_ROUTE, -1);
		if (!ret)
			ret = rtnl_link_del(nl, li.ifindex);
		_exit(ret < 0 ? wgp_errno(ret) & 0xff : 0);
	}
	if (pid > 0) {
		b->tunnel_pid = pid;
		b->tunnel_ifindex = li.ifindex;
		return;
	}
	ret = rtnl_link_del(b->nl_main, li.ifindex);	/* no child: here */
	if (ret < 0)
		wgp_fail(&b->step, ret, "Cannot delete", "%s", b->st->tunnel);
	item(b, ret);
}

/* The child's verdict: its exit status is the errno of the deletion (0
 * success); once read, the child is gone. */
static void tunnel_verdict(struct back *b, int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;

	b->tunnel_pid = 0;
	if (code)
		wgp_fail(&b->step, code, "Cannot delete", "%s", b->st->tunnel);
	item(b, code ? -code : 0);
}

/* Until the tunnel is no longer listed, or its child has ended. */
static void tunnel_unlisted(struct back *b)
{
	const struct timespec tick = { 0, 2 * 1000 * 1000 };
	struct link_info li;
	int status;

	while (b->tunnel_pid > 0) {
		if (rtnl_link_by_name(b->nl_main, b->st->tunnel, &li) < 0 ||
		    li.ifindex != b->tunnel_ifindex)
			return;
		if (waitpid(b->tunnel_pid, &status, WNOHANG) == b->tunnel_pid)
			tunnel_verdict(b, status);
		else
			nanosleep(&tick, NULL);
	}
}

static void tunnel_gone(struct back *b)
{
	int status;

	if (b->tunnel_pid > 0 && waitpid(b->tunnel_pid, &status, 0) == b->tunnel_pid)
		tunnel_verdict(b, status);
}

/* The namespace, if it is still the one up made (a crash before its
 * identity was recorded: whatever has the name). */
static void open_physical(struct back *b)
{
	const struct state *st = b->st;
	int ret;

	b->phys_fd = st->netns_ino ? netns_open_as(st->netns, st->netns_dev, st->netns_ino, NULL)
				   : netns_open(st->netns, NULL);
	b->foreign = b->phys_fd == -ESTALE;
	if (b->phys_fd < 0)
		return;
	ret = nlk_open(&b->nl_phys, NETLINK_ROUTE, b->phys_fd);
	if (ret < 0)
		wgp_fail(&b->step, ret, "Cannot open rtnetlink in", "\"%s\"", st->netns);
	item(b, ret);
}

static void return_devices(struct back *b)
{
	const struct state *st = b->st;
	struct phy_info *phys = NULL;
	struct nl80211 *wl = NULL;
	size_t n = 0;
	int ret;

	ret = nl80211_open(&wl, b->phys_fd, &b->step);
	if (!ret)
		ret = nl80211_list_phys(wl, &phys, &n, &b->step);
	item(b, ret);
	for (size_t i = 0; i < st->n_phys; i++) {
		for (size_t j = 0; j < n; j++) {
			if (phys[j].index != st->phys[i].index)
				continue;
			ret = fault_step("move a phy back", &b->step);
			if (!ret)
				ret = nl80211_set_netns(wl, phys[j].index, st->phys[i].name,
							b->main_fd, &b->step);
			item(b, ret);
		}
	}
	free(phys);
	nl80211_close(wl);
	for (size_t i = 0; b->nl_phys && i < st->n_links; i++) {
		if (st->links[i].wiphy >= 0)
			continue;
		ret = fault_step("move a link back", &b->step);
		if (!ret)
			ret = move_nic_back(b->nl_phys, &st->links[i], b->main_fd, &b->step);
		item(b, ret == -ENODEV ? 0 : ret);	/* not there: see below */
	}
}

/* In the main namespace: names, state, addresses and routes as before. */
static void restore_links(struct back *b)
{
	const struct state *st = b->st;
	struct link_info li;
	int ret;

	for (size_t i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (rtnl_link_find(b->nl_main, l->mac, l->kind, l->name, &li) < 0)
			continue;	/* still elsewhere, or gone (unplugged) */
		ret = fault_step("restore a link", &b->step);
		if (!ret && strcmp(li.name, l->name)) {
			/* e.g. dev3, after the namespace died under it */
			rtnl_link_set_up(b->nl_main, li.ifindex, false);
			ret = rtnl_link_rename(b->nl_main, li.ifindex, l->name);
			/* A device that came while up took the name: this one
			 * keeps the kernel's, and down says so. */
			if (ret == -EEXIST) {
				wgp_fail(&b->warn, ret, "Cannot rename", "%s back to %s", li.name,
					 l->name);
				ret = 0;
			} else if (ret < 0) {
				wgp_fail(&b->step, ret, "Cannot rename", "%s back to %s", li.name,
					 l->name);
			}
		}
		if (!ret)
			ret = move_restore_config(b->nl_main, st, l, &li, &b->step);
		item(b, ret);
	}
}

static void restore_files(struct back *b)
{
	const struct state *st = b->st;

	up_narrow(caps_ns);	/* resolv.conf may be our read-only mount */
	item(b, fault_step("restore the files", &b->step));
	item(b, resolv_restore(st->resolv, &b->step));
	item(b, etc_cleanup(st->netns, st->etc_flags, &b->step));
	if (st->created_netns && !b->foreign)
		item(b, netns_delete(st->netns, &b->step));
}

/* Last: until every device is back and named, nothing of main leaves. */
static void remove_fence(struct back *b)
{
	if (!b->st->fence)
		return;
	up_narrow(caps_net);
	item(b, fault_step("remove the fence", &b->step));
	item(b, fence_remove(&b->step));
}

static int teardown(const struct state *st, struct wgp_err *err)
{
	struct back b = { .st = st, .main_fd = -1, .phys_fd = -1, .err = err };
	int ret;

	trace_mark("down: stop the guard and the daemons");
	stop_begin(&b);
	trace_mark("down: the guard is gone");
	up_narrow(caps_netns);
	b.main_fd = netns_current();
	if (b.main_fd < 0) {
		ret = wgp_fail(err, b.main_fd, "Cannot open", "the current network namespace");
		goto out;
	}
	ret = nlk_open(&b.nl_main, NETLINK_ROUTE, -1);
	if (ret < 0) {
		wgp_fail(err, ret, "Cannot open", "rtnetlink");
		goto out;
	}
	delete_tunnel(&b);
	open_physical(&b);
	if (b.phys_fd >= 0)
		return_devices(&b);
	trace_mark("down: devices returned");
	tunnel_unlisted(&b);
	trace_mark("down: tunnel unlisted");
	restore_links(&b);
	trace_mark("down: links restored");
	restore_files(&b);
	trace_mark("down: files restored");
	stop_end(&b);
	trace_mark("down: the daemons are gone");
	tunnel_gone(&b);
	trace_mark("down: tunnel deleted");
	remove_fence(&b);
	trace_mark("down: fence removed");
	ret = b.first;
	/* Success with a warning: the caller prints it as such. */
	if (!ret && b.warn.code && err && !err->code)
		*err = b.warn;
out:
	if (b.stopping)
		daemon_stop_end(b.stopping, DAEMON_TERM_WAIT_MS, NULL);
	if (b.tunnel_pid > 0)
		waitpid(b.tunnel_pid, NULL, 0);
	nlk_close(b.nl_phys);
	nlk_close(b.nl_main);
	if (b.phys_fd >= 0)
		close(b.phys_fd);
	if (b.main_fd >= 0)
		close(b.main_fd);
	up_narrow(caps_none);
	return ret;
}

int down_rollback(struct state *st, int ret_so_far, struct wgp_err *err)
{
	if (teardown(st, NULL) < 0) {
		/* Keep the journal: down can finish what the rollback could not. */
		if (err)
			err->stuck = true;
		return ret_so_far;
	}
	up_narrow(caps_ns);
	if (st->resolv != RESOLV_KEPT)
		resolv_restore(st->resolv, NULL);	/* drops the saved copy */
	state_remove(NULL);
	up_narrow(caps_none);
	return ret_so_far;
}

/* Whether this thread runs in the namespace up was run in. */
static bool in_main(const struct state *st)
{
	int self = netns_current();
	bool same = netns_is(self, st->main_dev, st->main_ino);

	if (self >= 0)
		close(self);
	return same;
}

int down_run(const struct wgphys_config *cfg, bool restore, struct wgp_err *err)
{
	struct state *st = NULL;
	int lock, ret;

	if (caps_limit(up_caps) < 0)
		return wgp_refuse(err, EPERM, NULL, "cannot limit capabilities");
	up_narrow(caps_none);
	trace_mark("down: begin");
	lock = state_lock_wait(2000, err);
	if (lock < 0)
		return lock;
	ret = state_read(&st, err);
	if (ret < 0)
		goto out;
	if (!in_main(st)) {
		ret = wgp_refuse(err, EXDEV, NULL,
				 "wgphys was brought up in another network namespace");
		goto out;
	}
	ret = teardown(st, err);
	if (ret == 0)
		ret = state_remove(err);
	/*
	 * Only once the state is gone: the network is back by now, and this
	 * is a courtesy (one may already run, e.g. from an earlier down). Its
	 * failure is reported in err, as a warning, with success.
	 */
	if (ret == 0 && restore && cfg && cfg->restore_on_down) {
		trace_mark("down: RestoreOnDown");
		services_restore_main(cfg, st, err);
	}
	trace_mark("down: done (%d)", ret);
out:
	state_free(st);
	close(lock);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The one way back from `up`, for `down`, for a failed `up` and after a
 * crash. The journal is a list of things that *may* have happened; each is
 * checked against what the kernel reports before it is undone, every item
 * is tried, and the first failure is the one reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>

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

static void stop_daemons(struct back *b)
{
	const struct state *st = b->st;

	up_narrow(caps_stop);
	/* The guard first: it would start the daemons again. It is alone in
	 * its session (ino 0: no helper of its is looked for). */
	if (st->guard.pid > 0) {
		item(b, fault_step("stop the guard", &b->step));
		item(b, daemon_stop_all(&st->guard, 1, 0, 0, &b->step));
	}
	if (!st->n_daemons)
		return;
	item(b, fault_step("stop the daemons", &b->step));
	item(b, daemon_stop_all(st->daemons, st->n_daemons, st->netns_dev, st->netns_ino,
				&b->step));
}

/* The tunnel goes first: its routes would shadow the ones put back below
 * (a default route of the same metric is "already there"). */
static void delete_tunnel(struct back *b)
{
	struct link_info li;
	int ret;

	if (!b->st->tunnel[0] || rtnl_link_by_name(b->nl_main, b->st->tunnel, &li) < 0 ||
	    strcmp(li.kind, "wireguard"))
		return;
	ret = fault_step("delete the tunnel", &b->step);
	if (!ret && (ret = rtnl_link_del(b->nl_main, li.ifindex)) < 0)
		wgp_fail(&b->step, ret, "Cannot delete", "%s", b->st->tunnel);
	item(b, ret);
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

	stop_daemons(&b);
	up_narrow(caps_netns);
	b.main_fd = netns_current();
	if (b.main_fd < 0)
		return wgp_fail(err, b.main_fd, "Cannot open", "the current network namespace");
	ret = nlk_open(&b.nl_main, NETLINK_ROUTE, -1);
	if (ret < 0) {
		wgp_fail(err, ret, "Cannot open", "rtnetlink");
		goto out;
	}
	delete_tunnel(&b);
	open_physical(&b);
	if (b.phys_fd >= 0)
		return_devices(&b);
	restore_links(&b);
	restore_files(&b);
	remove_fence(&b);
	ret = b.first;
	/* Success with a warning: the caller prints it as such. */
	if (!ret && b.warn.code && err && !err->code)
		*err = b.warn;
out:
	nlk_close(b.nl_phys);
	nlk_close(b.nl_main);
	if (b.phys_fd >= 0)
		close(b.phys_fd);
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
	if (ret == 0 && restore && cfg && cfg->restore_on_down)
		services_restore_main(cfg, st, err);
out:
	state_free(st);
	close(lock);
	return ret;
}

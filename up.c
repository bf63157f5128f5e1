// SPDX-License-Identifier: GPL-2.0
/*
 * The order of `up`: a list of named steps, each holding only the
 * capabilities it needs. Every step records in the journal what it is about
 * to do before doing it, so that one teardown (down.c) can undo a failed
 * `up`, a finished one, or one that was killed midway.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include "caps.h"
#include "endpoint.h"
#include "fault.h"
#include "fence.h"
#include "move.h"
#include "netns.h"
#include "plan.h"
#include "resolv.h"
#include "services.h"
#include "up.h"
#include "wg.h"

const int up_caps[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_SETPCAP, CAP_KILL, CAP_SYS_PTRACE,
			 CAPS_END };
static const int caps_none[] = { CAPS_END };
static const int caps_ns[] = { CAP_SYS_ADMIN, CAPS_END };
static const int caps_net[] = { CAP_NET_ADMIN, CAPS_END };
static const int caps_netns[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN, CAPS_END };
static const int caps_spawn[] = { CAP_SYS_ADMIN, CAP_SETPCAP, CAPS_END };

/* What the steps share. */
struct up {
	const struct wgphys_config *cfg;
	const struct wg_config *wg;
	struct state *st;
	struct nlk *nl_main, *nl_phys;
	struct nl80211 *wl_main;
	int main_fd, phys_fd;
	int tunnel;			/* its ifindex in main */
	struct wg_endpoint *eps;	/* one per peer */
	struct daemon_starting *starting;	/* begun, exec not yet seen */
	size_t n_starting;
};

void up_narrow(const int *caps)
{
	/* Failing to narrow only means keeping more than needed: the
	 * permitted set was already limited to up_caps. */
	caps_step(caps);
}

/* The journal, rewritten before a step acts on what it records. */
static int journal(struct up *u, struct wgp_err *err)
{
	int ret = fault_step("write the journal", err);

	return ret < 0 ? ret : state_write(u->st, err);
}

/* The DNS of main is saved aside first, then everything is on record. */
static int step_journal(struct up *u, struct wgp_err *err)
{
	struct state *st = u->st;
	int ret;

	st->saved_at = move_clock();
	st->created_netns = true;
	st->fence = true;
	st->etc_flags = etc_plan(st->netns);
	st->resolv = RESOLV_KEPT;
	if (u->wg->n_dns) {
		ret = fault_step("save resolv.conf", err);
		if (!ret)
			ret = resolv_save(&st->resolv, err);
		if (ret < 0)
			return ret;
	}
	return journal(u, err);
}

/* The kill switch in the kernel, before the first device moves: from here
 * on, a way out that shows up in main carries nothing, whoever lives. */
static int step_fence(struct up *u, struct wgp_err *err)
{
	int ret = fault_step("install the fence", err);

	(void)u;
	return ret < 0 ? ret : fence_install(err);
}

static int step_namespace(struct up *u, struct wgp_err *err)
{
	int ret = fault_step("create the namespace", err);

	if (ret < 0)
		return ret;
	u->phys_fd = netns_create(u->st->netns, err);
	if (u->phys_fd < 0) {
		/* Not ours: it existed (a race with another tool). */
		if (u->phys_fd == -EEXIST)
			u->st->created_netns = false;
		return u->phys_fd;
	}
	netns_id(u->phys_fd, &u->st->netns_dev, &u->st->netns_ino);
	return journal(u, err);
}

static int step_etc(struct up *u, struct wgp_err *err)
{
	int ret = fault_step("write /etc/netns", err);

	return ret < 0 ? ret : etc_setup(u->st->netns, u->st->etc_flags, err);
}

/* The tunnel's DNS, made read-only in main before any link leaves: a DHCP
 * client of the main namespace that sees its link go must not put its own
 * servers back, and no daemon of ours can inherit it. */
static int step_dns(struct up *u, struct wgp_err *err)
{
	int ret;

	if (u->st->resolv == RESOLV_KEPT)
		return 0;
	ret = fault_step("write resolv.conf", err);
	return ret < 0 ? ret : resolv_write(u->wg, err);
}

static int step_loopback(struct up *u, struct wgp_err *err)
{
	struct link_info li;
	int ret;

	ret = nlk_open(&u->nl_phys, NETLINK_ROUTE, u->phys_fd);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot open rtnetlink in", "\"%s\"", u->st->netns);
	ret = fault_step("set lo up", err);
	if (ret < 0)
		return ret;
	ret = rtnl_link_by_name(u->nl_phys, "lo", &li);
	if (!ret)
		ret = rtnl_link_set_up(u->nl_phys, li.ifindex, true);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot set up", "lo in \"%s\"", u->st->netns);
	return 0;
}

/* Born in "physical" (its UDP socket stays there), living in main. */
static int step_tunnel(struct up *u, struct wgp_err *err)
{
	const char *name = u->cfg->tunnel_ifname;
	struct link_info li;
	int ret;

	ret = fault_step("create the tunnel", err);
	if (ret < 0)
		return ret;
	ret = rtnl_wireguard_create(u->nl_phys, name, u->wg->mtu ? u->wg->mtu : UP_DEFAULT_MTU,
				    u->main_fd);
	if (ret < 0) {
		wgp_fail(err, ret, "Cannot create", "%s", name);
		wgp_extack(err, u->nl_phys->extack);
		return ret;
	}
	ret = rtnl_link_by_name(u->nl_main, name, &li);
	if (ret < 0)
		return wgp_refuse(err, -ret, name, "did not arrive in the main namespace");
	u->tunnel = li.ifindex;
	return 0;
}

static int step_move(struct up *u, struct wgp_err *err)
{
	const struct state *st = u->st;
	int ret;

	for (size_t i = 0; i < st->n_phys; i++) {
		ret = fault_step("move a phy", err);
		if (!ret)
			ret = nl80211_set_netns(u->wl_main, st->phys[i].index, st->phys[i].name,
						u->phys_fd, err);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (l->wiphy >= 0)
			continue;	/* went with its phy */
		ret = fault_step("move a link", err);
		if (ret < 0)
			return ret;
		ret = rtnl_link_move(u->nl_main, l->ifindex, u->phys_fd, NULL);
		if (ret < 0) {
			wgp_fail(err, ret, "Cannot move", "%s to \"%s\"", l->name, st->netns);
			wgp_extack(err, u->nl_main->extack);
			return ret;
		}
	}
	return 0;
}

/* Carry each link's addresses and routes over, so an online laptop stays
 * online while DHCP renews in the background. */
static int step_carry(struct up *u, struct wgp_err *err)
{
	const struct state *st = u->st;
	struct link_info li;
	int ret;

	for (size_t i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		ret = rtnl_link_find(u->nl_phys, l->mac, l->kind, l->name, &li);
		if (ret < 0)
			return wgp_refuse(err, -ret, l->name, "did not arrive in \"%s\"", st->netns);
		ret = fault_step("restore a link's configuration", err);
		if (!ret)
			ret = move_restore_config(u->nl_phys, st, l, &li, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Called between fork and exec: the daemon is on record before it runs. */
static int journal_daemon(void *arg, const struct state_daemon *d, struct wgp_err *err)
{
	struct up *u = arg;
	int ret = state_add_daemon(u->st, d);

	return ret < 0 ? wgp_fail(err, ret, "Cannot record", "%s", d->name) : journal(u, err);
}

/* Begun one after the other; their execs are awaited together, once the
 * tunnel is set up and checked (step_running), so that those steps and
 * the daemons' starts overlap. */
static int step_daemons(struct up *u, struct wgp_err *err)
{
	const struct state *st = u->st;
	int ret = 0;

	u->starting = calloc(st->n_links + 1, sizeof(*u->starting));
	if (!u->starting)
		return wgp_fail(err, ENOMEM, "Cannot start", "the daemons");
	for (size_t i = 0; !ret && i < st->n_links; i++) {
		if (st->links[i].wiphy < 0)
			continue;
		ret = fault_step("start wpa_supplicant", err);
		if (!ret)
			ret = services_start_wpa(u->cfg, u->phys_fd, st->netns, st->links[i].name,
						 journal_daemon, u, &u->starting[u->n_starting++],
						 err);
	}
	if (!ret)
		ret = fault_step("start dhcpcd", err);
	if (!ret)
		ret = services_start_dhcp(u->cfg, u->phys_fd, st->netns, journal_daemon, u,
					  &u->starting[u->n_starting++], err);
	return ret;
}

/* Each daemon's exec happened (its pipe closed) or failed (a number). */
static int step_running(struct up *u, struct wgp_err *err)
{
	int ret = 0, r;

	for (size_t i = 0; i < u->n_starting; i++) {
		r = daemon_start_end(&u->starting[i], err);
		ret = ret ? ret : r;
	}
	return ret;
}

static int step_endpoints(struct up *u, struct wgp_err *err)
{
	int ret = fault_step("look up the endpoints", err);

	if (ret < 0)
		return ret;
	return endpoints_resolve(u->wg, u->phys_fd, u->st->netns, ENDPOINT_TIMEOUT_MS,
				 u->eps, err);
}

static int add_address(struct up *u, const struct cidr *c, struct wgp_err *err)
{
	char a[INET6_ADDRSTRLEN];
	int ret = fault_step("add an address to the tunnel", err);

	if (ret < 0)
		return ret;
	ret = rtnl_addr_add(u->nl_main, u->tunnel, c);
	if (ret < 0) {
		inet_ntop(c->family, &c->addr, a, sizeof(a));
		wgp_fail(err, ret, "Cannot add address", "%s/%u to %s", a, c->prefixlen,
			 u->cfg->tunnel_ifname);
		wgp_extack(err, u->nl_main->extack);
	}
	return ret;
}

static int add_route(struct up *u, const struct cidr *c, struct wgp_err *err)
{
	char a[INET6_ADDRSTRLEN];
	int ret = fault_step("add a route through the tunnel", err);

	if (ret < 0)
		return ret;
	ret = rtnl_route_add(u->nl_main, u->tunnel, c);
	if (ret < 0) {
		inet_ntop(c->family, &c->addr, a, sizeof(a));
		wgp_fail(err, ret, "Cannot add route", "%s/%u through %s", a, c->prefixlen,
			 u->cfg->tunnel_ifname);
		wgp_extack(err, u->nl_main->extack);
	}
	return ret;
}

/* No MTU in the file: derived from the uplink, seen from physical. */
static int derive_mtu(struct up *u, struct wgp_err *err)
{
	uint32_t mtu = plan_tunnel_mtu(u->nl_phys, u->wg, u->eps);
	int ret;

	if (mtu == (u->wg->mtu ? u->wg->mtu : UP_DEFAULT_MTU))
		return 0;	/* made so */
	ret = fault_step("set the tunnel's MTU", err);
	if (!ret && (ret = rtnl_link_set_mtu(u->nl_main, u->tunnel, mtu)) < 0) {
		wgp_fail(err, ret, "Cannot set the MTU of", "%s to %u", u->cfg->tunnel_ifname, mtu);
		wgp_extack(err, u->nl_main->extack);
	}
	return ret;
}

/* Keys, peers, MTU, addresses, up, and a route for every allowed IP. */
static int step_configure(struct up *u, struct wgp_err *err)
{
	const struct wg_config *wg = u->wg;
	int ret;

	ret = fault_step("configure the tunnel", err);
	if (!ret)
		ret = wg_set_device(u->tunnel, wg, u->eps, err);
	if (!ret)
		ret = derive_mtu(u, err);
	for (size_t i = 0; !ret && i < wg->n_addrs; i++)
		ret = add_address(u, &wg->addrs[i], err);
	if (!ret)
		ret = fault_step("set the tunnel up", err);
	if (!ret && (ret = rtnl_link_set_up(u->nl_main, u->tunnel, true)) < 0)
		wgp_fail(err, ret, "Cannot set up", "%s", u->cfg->tunnel_ifname);
	for (size_t i = 0; !ret && i < wg->n_peers; i++)
		for (size_t j = 0; !ret && j < wg->peers[i].n_allowedips; j++)
			ret = add_route(u, &wg->peers[i].allowedips[j], err);
	return ret;
}

static int step_check(struct up *u, struct wgp_err *err)
{
	return plan_check_main(u->nl_main, u->wl_main, u->tunnel, err);
}

static int step_finish(struct up *u, struct wgp_err *err)
{
	u->st->stage = STATE_STAGE_UP;
	return journal(u, err);
}

struct step {
	const char *name;
	const int *caps;
	int (*run)(struct up *u, struct wgp_err *err);
};

static const struct step steps[] = {
	{ "journal", caps_none, step_journal },
	{ "fence", caps_net, step_fence },
	{ "namespace", caps_ns, step_namespace },
	{ "namespace files", caps_none, step_etc },
	{ "DNS", caps_ns, step_dns },
	{ "loopback", caps_netns, step_loopback },
	{ "tunnel", caps_net, step_tunnel },
	{ "devices", caps_net, step_move },
	{ "addresses", caps_net, step_carry },
	{ "daemons", caps_spawn, step_daemons },
	{ "endpoints", caps_ns, step_endpoints },
	{ "tunnel setup", caps_net, step_configure },
	{ "check", caps_none, step_check },
	{ "daemons running", caps_none, step_running },
	{ "finish", caps_none, step_finish },
};

/* Before any change: the lock, nothing up yet, sockets, the plan. */
static int up_begin(struct up *u, int *lock, struct wgp_err *err)
{
	int ret;

	*lock = state_lock_wait(2000, err);
	if (*lock < 0)
		return *lock;
	ret = state_read(&u->st, err);
	if (ret == 0)
		return wgp_refuse(err, EALREADY, NULL,
				  "already up (namespace \"%s\"); run \"wgphys down\" first",
				  u->st->netns);
	if (ret != -ENOENT)	/* a journal we cannot read is not to be overwritten */
		return ret;
	u->eps = calloc(u->wg->n_peers + 1, sizeof(*u->eps));
	if (!u->eps)
		return wgp_fail(err, ENOMEM, "Cannot start", NULL);
	ret = nlk_open(&u->nl_main, NETLINK_ROUTE, -1);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot open", "rtnetlink");
	u->main_fd = netns_current();
	if (u->main_fd < 0)
		return wgp_fail(err, u->main_fd, "Cannot open", "the current network namespace");
	ret = nl80211_open(&u->wl_main, -1, err);
	if (ret < 0)
		return ret;
	return plan_make(u->cfg, u->nl_main, u->wl_main, &u->st, err);
}

static void up_end(struct up *u)
{
	/* Left unawaited by a failure: the rollback has stopped them. */
	for (size_t i = 0; i < u->n_starting; i++)
		if (u->starting[i].fd >= 0)
			close(u->starting[i].fd);
	free(u->starting);
	if (u->eps)
		explicit_bzero(u->eps, (u->wg->n_peers + 1) * sizeof(*u->eps));
	free(u->eps);
	nl80211_close(u->wl_main);
	nlk_close(u->nl_phys);
	nlk_close(u->nl_main);
	if (u->phys_fd >= 0)
		close(u->phys_fd);
	if (u->main_fd >= 0)
		close(u->main_fd);
	state_free(u->st);
}

int up_run(const struct wgphys_config *cfg, const struct wg_config *wg, struct wgp_err *err)
{
	struct up u = { .cfg = cfg, .wg = wg, .main_fd = -1, .phys_fd = -1 };
	int lock = -1, ret;
	size_t i;

	if (caps_limit(up_caps) < 0)
		return wgp_refuse(err, EPERM, NULL, "cannot limit capabilities");
	up_narrow(caps_none);
	trace_mark("up: begin");
	ret = up_begin(&u, &lock, err);
	for (i = 0; !ret && i < sizeof(steps) / sizeof(steps[0]); i++) {
		trace_mark("up: %s", steps[i].name);
		up_narrow(steps[i].caps);
		ret = steps[i].run(&u, err);
	}
	trace_mark("up: steps done (%d)", ret);
	/* From the journal on (step 0), a failure has something to undo. */
	if (ret < 0 && i > 0) {
		if (err)
			err->changed = true;
		ret = down_rollback(u.st, ret, err);
	}
	up_end(&u);
	if (lock >= 0)
		close(lock);
	return ret;
}

/* WireGuard's REJECT_AFTER_TIME: a session older than this carries
 * nothing, and a handshake older than this is not one that holds. */
#define SESSION_MS (180 * 1000LL)
/* No event tells of a handshake: the device is asked this often (one
 * genetlink round trip each). */
#define WAIT_POLL_MS 10

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int up_wait(const struct wgphys_config *cfg, unsigned int seconds, struct wgp_err *err)
{
	const struct timespec tick = { 0, WAIT_POLL_MS * 1000000L };
	long long until = now_ms() + (long long)seconds * 1000, age;
	struct link_info li;
	struct nlk *nl = NULL;
	int ret;

	up_narrow(caps_net);
	ret = nlk_open(&nl, NETLINK_ROUTE, -1);
	if (!ret)
		ret = rtnl_link_by_name(nl, cfg->tunnel_ifname, &li);
	nlk_close(nl);
	if (ret < 0) {
		wgp_fail(err, ret, "Cannot find", "%s", cfg->tunnel_ifname);
		goto out;
	}
	for (;;) {
		ret = wg_handshake_age(li.ifindex, &age, err);
		if (ret < 0 || (age >= 0 && age < SESSION_MS))
			break;
		if (now_ms() >= until) {
			ret = wgp_refuse(err, ETIMEDOUT, cfg->tunnel_ifname,
					 "no handshake with a peer within %u s", seconds);
			break;
		}
		nanosleep(&tick, NULL);
	}
	trace_mark("up: wait ends (%d)", ret);
out:
	up_narrow(caps_none);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * What status reports (status.h): the journal read, each namespace's
 * devices listed as the kernel reports them, the tunnel read back, the
 * daemons and the guard looked up by pid and start time, the fence looked
 * for; then the warnings, each a way the promise fails, and from them the
 * state. Read-only throughout.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if_arp.h>
#include <sys/stat.h>

#include "daemon.h"
#include "encoding.h"
#include "fence.h"
#include "guard.h"
#include "netlink.h"
#include "netns.h"
#include "plan.h"
#include "paths.h"
#include "status.h"

bool status_needs_root(const struct wgp_err *err)
{
	return err->code == EPERM || err->code == EACCES;
}

static void ns_free(struct status_ns *ns)
{
	for (size_t i = 0; i < ns->n_links; i++)
		free(ns->links[i].addrs);
	free(ns->links);
	free(ns->phys);
}

void status_free(struct status *st)
{
	if (!st)
		return;
	ns_free(&st->main);
	ns_free(&st->phys);
	wg_device_info_free(st->wg);
	free(st->daemons);
	free(st->warnings);
	free(st);
}

__attribute__((format(printf, 4, 5)))
static int warn(struct status *st, const char *code, bool breaks, const char *fmt, ...)
{
	struct status_warning *v, *w;
	va_list ap;

	v = reallocarray(st->warnings, st->n_warnings + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	st->warnings = v;
	w = &v[st->n_warnings++];
	memset(w, 0, sizeof(*w));
	snprintf(w->code, sizeof(w->code), "%s", code);
	w->breaks = breaks;
	va_start(ap, fmt);
	vsnprintf(w->text, sizeof(w->text), fmt, ap);
	va_end(ap);
	return 0;
}

/* ---- one namespace's devices ---- */

/* What the kernel reports in one namespace, read in one go. */
struct ns_view {
	struct link_info *links;
	size_t n_links;
	struct addr_info *addrs;
	size_t n_addrs;
	struct wdev_info *wdevs;
	size_t n_wdevs;
};

static void view_free(struct ns_view *v)
{
	free(v->links);
	free(v->addrs);
	free(v->wdevs);
}

static enum link_role role_of(const struct link_info *l, bool wireless, const char *tunnel)
{
	if (l->type == ARPHRD_LOOPBACK)
		return ROLE_LOOPBACK;
	if (tunnel && !strcmp(l->name, tunnel) && !strcmp(l->kind, "wireguard"))
		return ROLE_TUNNEL;
	if (wireless)
		return ROLE_WIRELESS;
	if (link_is_way_out(l) || (l->lower_elsewhere && link_is_stacked(l)))
		return ROLE_HARDWARE;
	return ROLE_VIRTUAL;
}

static int link_addrs(struct status_link *sl, const struct ns_view *v)
{
	size_t i, n = 0;

	for (i = 0; i < v->n_addrs; i++)
		n += v->addrs[i].ifindex == sl->link.ifindex;
	if (!n)
		return 0;
	sl->addrs = calloc(n, sizeof(*sl->addrs));
	if (!sl->addrs)
		return -ENOMEM;
	for (i = 0; i < v->n_addrs; i++)
		if (v->addrs[i].ifindex == sl->link.ifindex)
			sl->addrs[sl->n_addrs++] = v->addrs[i].addr;
	return 0;
}

/* A client's network when its interface does not name it: the BSS its
 * scan results mark as associated. */
static void link_bss(struct status_link *sl, const struct wdev_info *w, struct nl80211 *wl)
{
	struct bss_info *b = NULL;
	size_t n = 0;

	if (nl80211_list_bss(wl, w->ifindex, &b, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (b[i].associated && b[i].has_ssid) {
			sl->has_ssid = true;
			sl->ssid_len = b[i].ssid_len;
			memcpy(sl->ssid, b[i].ssid, b[i].ssid_len);
			break;
		}
	}
	free(b);
}

/* A wireless link's phy, its network and (for a client) the signal of
 * its access point. Only the signal may be missing: a failed station
 * dump leaves it unknown. */
static void link_wireless(struct status_link *sl, const struct wdev_info *w,
			  const struct status_ns *ns, struct nl80211 *wl)
{
	struct station_info *sta = NULL;
	size_t i, n = 0;

	sl->wireless = true;
	sl->phy = w->phy;
	sl->iftype = w->iftype;
	snprintf(sl->phy_name, sizeof(sl->phy_name), "phy#%u", w->phy);
	for (i = 0; i < ns->n_phys; i++)
		if (ns->phys[i].index == w->phy)
			snprintf(sl->phy_name, sizeof(sl->phy_name), "%s", ns->phys[i].name);
	sl->has_ssid = w->has_ssid;
	sl->ssid_len = w->ssid_len;
	memcpy(sl->ssid, w->ssid, w->ssid_len);
	if (w->iftype != NL80211_IFTYPE_STATION && w->iftype != NL80211_IFTYPE_P2P_CLIENT)
		return;
	if (!sl->has_ssid)
		link_bss(sl, w, wl);
	if (nl80211_list_stations(wl, w->ifindex, &sta, &n, NULL) < 0)
		return;
	for (i = 0; i < n && !sl->has_signal; i++) {
		if (sta[i].has_signal) {
			sl->has_signal = true;
			sl->signal = sta[i].signal;
		}
	}
	free(sta);
}

static int view_read(struct nlk *nl, struct nl80211 *wl, struct status_ns *ns,
		     struct ns_view *v, struct wgp_err *err)
{
	int ret;

	ret = rtnl_links(nl, &v->links, &v->n_links);
	if (!ret)
		ret = rtnl_addrs(nl, &v->addrs, &v->n_addrs);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot list", "links and addresses");
	ret = nl80211_list_ifaces(wl, &v->wdevs, &v->n_wdevs, err);
	if (!ret)
		ret = nl80211_list_phys(wl, &ns->phys, &ns->n_phys, err);
	return ret;
}

/*
 * The devices of the namespace netns_fd (-1: this one); tunnel names the
 * tunnel's link (NULL: none there). Sockets are opened inside it (setns:
 * CAP_SYS_ADMIN for another namespace).
 */
static int ns_read(struct status_ns *ns, int netns_fd, const char *tunnel)
{
	struct ns_view v = { 0 };
	struct nl80211 *wl = NULL;
	struct nlk *nl = NULL;
	const struct wdev_info *w;
	int ret;

	ret = nlk_open(&nl, NETLINK_ROUTE, netns_fd);
	if (ret < 0) {
		wgp_fail(&ns->err, ret, "Cannot open", "an rtnetlink socket %s",
			 netns_fd < 0 ? "here" : "in the physical namespace");
		goto out;
	}
	ret = nl80211_open(&wl, netns_fd, &ns->err);
	if (!ret)
		ret = view_read(nl, wl, ns, &v, &ns->err);
	if (ret < 0)
		goto out;
	ns->links = calloc(v.n_links ? v.n_links : 1, sizeof(*ns->links));
	if (!ns->links) {
		ret = wgp_fail(&ns->err, ENOMEM, "Cannot list", "links");
		goto out;
	}
	for (size_t i = 0; i < v.n_links; i++) {
		struct status_link *sl = &ns->links[ns->n_links++];

		sl->link = v.links[i];
		w = wdev_of(v.wdevs, v.n_wdevs, sl->link.ifindex);
		sl->role = role_of(&sl->link, w != NULL, tunnel);
		if (w)
			link_wireless(sl, w, ns, wl);
		ret = link_addrs(sl, &v);
		if (ret < 0) {
			wgp_fail(&ns->err, ret, "Cannot list", "addresses");
			goto out;
		}
	}
	ns->known = true;
out:
	view_free(&v);
	nl80211_close(wl);
	nlk_close(nl);
	return ret == -ENOMEM ? ret : 0;
}

/* ---- the parts up recorded ---- */

static int daemons_read(struct status *st, const struct state *s)
{
	st->daemons = calloc(s->n_daemons ? s->n_daemons : 1, sizeof(*st->daemons));
	if (!st->daemons)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_daemons; i++) {
		st->daemons[i].d = s->daemons[i];
		st->daemons[i].alive = daemon_alive(&s->daemons[i]);
	}
	st->n_daemons = s->n_daemons;
	if (s->guard.pid > 0) {
		st->has_guard = true;
		st->guard.d = s->guard;
		st->guard.alive = guard_alive(s);
	}
	return 0;
}

static void fence_read(struct status *st)
{
	bool present = false;

	if (fence_present(&present, &st->fence_err) < 0)
		st->fence = FENCE_UNKNOWN;
	else
		st->fence = present ? FENCE_PRESENT : FENCE_ABSENT;
}

static void tunnel_read(struct status *st)
{
	for (size_t i = 0; i < st->main.n_links; i++)
		if (st->main.links[i].role == ROLE_TUNNEL)
			st->tunnel_link = &st->main.links[i];
	if (st->tunnel_link)
		wg_get_device(st->tunnel_link->link.ifindex, &st->wg, &st->wg_err);
}

/* Seconds since up saved the network (its CLOCK_BOOTTIME stamp), or -1. */
static int64_t up_for(const struct state *s)
{
	struct timespec ts;

	if (!s->saved_at || clock_gettime(CLOCK_BOOTTIME, &ts) < 0 || ts.tv_sec < s->saved_at)
		return -1;
	return ts.tv_sec - s->saved_at;
}

/* The physical namespace: the one up made, at its name, and its devices. */
static int phys_read(struct status *st, const struct state *s)
{
	struct stat sb;
	int fd, ret;

	netns_path(s->netns, st->netns_path, sizeof(st->netns_path));
	fd = netns_open_as(s->netns, s->netns_dev, s->netns_ino, &st->phys.err);
	if (fd == -EACCES || fd == -EPERM) {
		/* Not ours to open: whether it is there, stat tells anyone. */
		st->netns_present = stat(st->netns_path, &sb) == 0 &&
				    sb.st_dev == s->netns_dev && sb.st_ino == s->netns_ino;
		if (!st->netns_present) {
			st->phys.err = (struct wgp_err){ 0 };
			wgp_refuse(&st->phys.err, ENOENT, st->netns_path,
				   "gone, or not the namespace up made");
		}
		return 0;
	}
	if (fd < 0)
		return 0;
	st->netns_present = true;
	ret = ns_read(&st->phys, fd, NULL);
	close(fd);
	return ret;
}

/* ---- what breaks the promise ---- */

static const char *role_words(enum link_role r)
{
	switch (r) {
	case ROLE_WIRELESS:	return "a wireless interface";
	case ROLE_HARDWARE:	return "a hardware NIC";
	default:		return "a device";
	}
}

static int warn_main(struct status *st)
{
	char line[512];
	int ret = 0;

	if (!st->main.known) {
		wgp_format(&st->main.err, line, sizeof(line));
		return warn(st, "main-unknown", true, "cannot tell what the main namespace holds: %s",
			    line);
	}
	for (size_t i = 0; !ret && i < st->main.n_links; i++) {
		const struct status_link *l = &st->main.links[i];

		if (l->role == ROLE_HARDWARE || l->role == ROLE_WIRELESS)
			ret = warn(st, "way-out-in-main", true, "%s (%s) is in the main namespace",
				   l->link.name, role_words(l->role));
	}
	for (size_t i = 0; !ret && i < st->main.n_phys; i++)
		ret = warn(st, "way-out-in-main", true, "%s (a wireless phy) is in the main namespace",
			   st->main.phys[i].name);
	if (!ret && !st->tunnel_link)
		ret = warn(st, "tunnel-missing", true,
			   "the tunnel %s is not in the main namespace", st->tunnel);
	return ret;
}

static int warn_processes(struct status *st)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < st->n_daemons; i++) {
		const struct state_daemon *d = &st->daemons[i].d;

		if (!st->daemons[i].alive)
			ret = warn(st, "daemon-dead", true, "%s%s%s (pid %d) is not running",
				   d->name, d->ifname[0] ? " for " : "", d->ifname, (int)d->pid);
	}
	if (!ret && !st->has_guard)
		ret = warn(st, "guard-dead", true,
			   "no guard is running (\"wgphys up\" starts one)");
	else if (!ret && !st->guard.alive)
		ret = warn(st, "guard-dead", true,
			   "the guard (pid %d) is not running (\"wgphys up\" starts one)",
			   (int)st->guard.d.pid);
	return ret;
}

/* STATUS_HANDSHAKE_STALE; test builds take another from the environment,
 * so that a test need not wait three minutes. */
static int64_t handshake_stale(void)
{
#ifdef WGPHYS_FAULT_INJECTION
	const char *s = getenv("WGPHYS_HANDSHAKE_STALE");

	if (s && *s)
		return strtoll(s, NULL, 10);
#endif
	return STATUS_HANDSHAKE_STALE;
}

/*
 * No handshake for over STATUS_HANDSHAKE_STALE seconds while packets go
 * out. A snapshot cannot tell an idle tunnel from a dead one, so: none
 * since up (that long ago) though packets were sent, or a stale one
 * while the peer is kept alive (persistent keepalive sends every few
 * seconds, and every packet sent after the keys expire starts a
 * handshake).
 */
static int warn_handshakes(struct status *st)
{
	int64_t ago, stale = handshake_stale();
	char key[WG_KEY_LEN_BASE64];
	int ret = 0;

	for (size_t i = 0; st->wg && !ret && i < st->wg->n_peers; i++) {
		const struct wg_peer_info *p = &st->wg->peers[i];

		if (!p->tx_bytes)
			continue;
		key_to_base64(key, p->public_key);
		ago = st->now.tv_sec - p->handshake_sec;
		if (!p->handshake_sec && st->up_for > stale)
			ret = warn(st, "no-handshake", false,
				   "peer %s: no handshake since up (%lld s ago) though packets "
				   "were sent: the tunnel carries nothing", key,
				   (long long)st->up_for);
		else if (p->handshake_sec && p->keepalive && ago > stale)
			ret = warn(st, "no-handshake", false,
				   "peer %s: no handshake for %lld s though packets were sent: "
				   "the tunnel carries nothing", key, (long long)ago);
	}
	return ret;
}

static int warn_all(struct status *st)
{
	char line[512];
	int ret = 0;

	if (!st->finished)
		ret = warn(st, "incomplete", true,
			   "up did not finish: run \"wgphys down\" to clean up");
	if (!ret && !st->netns_present) {
		wgp_format(&st->phys.err, line, sizeof(line));
		ret = warn(st, "namespace-missing", true, "the physical namespace is not there: %s",
			   line);
	}
	if (!ret)
		ret = warn_main(st);
	if (!ret)
		ret = warn_processes(st);
	if (!ret && st->fence == FENCE_ABSENT)
		ret = warn(st, "fence-missing", true,
			   "the fence (nftables tables \"wgphys\") is gone: a NIC that returns to "
			   "the main namespace could carry packets");
	if (!ret)
		ret = warn_handshakes(st);
	return ret;
}

/* ---- all of it ---- */

/* Down: what main holds, and whether a fence was left behind. */
static int gather_down(struct status *st)
{
	int ret;

	ret = ns_read(&st->main, -1, NULL);
	if (ret < 0)
		return ret;
	fence_read(st);
	if (st->fence == FENCE_PRESENT)
		return warn(st, "fence-left", false,
			    "the fence (nftables tables \"wgphys\") is still there though nothing is "
			    "up: only the loopback and virtual interfaces can send; "
			    "\"wgphys down\" removes it");
	return 0;
}

static int gather_up(struct status *st, const struct state *s)
{
	int ret;

	snprintf(st->netns, sizeof(st->netns), "%s", s->netns);
	snprintf(st->tunnel, sizeof(st->tunnel), "%s", s->tunnel);
	st->finished = s->stage == STATE_STAGE_UP;
	st->up_for = up_for(s);
	ret = ns_read(&st->main, -1, st->tunnel);
	if (!ret)
		ret = phys_read(st, s);
	if (!ret)
		ret = daemons_read(st, s);
	if (ret < 0)
		return ret;
	tunnel_read(st);
	fence_read(st);
	if (st->finished && st->netns_present)
		st->portal_known = portal_check(st->tunnel, st->netns, WGPHYS_PORTAL_URL, 4000,
						&st->portal, &st->portal_err) == 0;
	ret = warn_all(st);
	if (ret < 0)
		return ret;
	st->state = STATUS_UP;
	for (size_t i = 0; i < st->n_warnings; i++)
		if (st->warnings[i].breaks)
			st->state = STATUS_BROKEN;
	return 0;
}

int status_gather(struct status **out, struct wgp_err *err)
{
	struct state *s = NULL;
	struct status *st;
	int ret;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return wgp_fail(err, ENOMEM, "Cannot gather", "the status");
	st->up_for = -1;
	clock_gettime(CLOCK_REALTIME, &st->now);
	ret = state_read(&s, err);
	if (ret == -ENOENT) {
		st->state = STATUS_DOWN;
		ret = gather_down(st);
	} else if (ret == 0) {
		st->recorded = true;
		ret = gather_up(st, s);
	}
	state_free(s);
	if (ret < 0) {
		status_free(st);
		return wgp_fail(err, ret, "Cannot gather", "the status");
	}
	*out = st;
	return 0;
}

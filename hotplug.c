// SPDX-License-Identifier: GPL-2.0
/*
 * Devices that appear after up. A replug, a dock, a resume or a new radio
 * puts a NIC or a phy in the main namespace, next to the tunnel; the guard
 * moves it into the physical namespace on the kernel's own event, and
 * records it so that down brings it back. A wireless link arriving in
 * physical gets its wpa_supplicant (supervise.c); dhcpcd, a manager there,
 * serves any link by itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/rtnetlink.h>

#include "caps.h"
#include "guard.h"
#include "nl80211.h"
#include "plan.h"

static const int caps_net[] = { CAP_NET_ADMIN, CAPS_END };
static const int caps_none[] = { CAPS_END };

/* Retry a sweep this much later when something could not be done now. */
#define RETRY_MS 200

static void retry_later(struct guard *g)
{
	if (!g->retry_due)
		g->retry_due = guard_now() + RETRY_MS;
	guard_rearm(g);
}

/* On record before it moves; the lock may be busy (then the journal is
 * written at the next sweep, the move is not held back). */
static void journal(struct guard *g)
{
	struct wgp_err err = { 0 };
	int ret = guard_journal(g, &err);

	if (ret == -EAGAIN)
		retry_later(g);
	else if (ret < 0)
		guard_log_err(g, "cannot write the journal", &err);
}

static const struct state_link *known_link(const struct state *st, const struct link_info *li)
{
	const char *mac = li->perm_mac[0] ? li->perm_mac : li->mac;

	for (size_t i = 0; i < st->n_links; i++)
		if (mac[0] && !strcmp(st->links[i].mac, mac) &&
		    (!strcmp(st->links[i].kind, li->kind) || !strcmp(st->links[i].kind, "*")))
			return &st->links[i];
	return NULL;
}

static void record_link(struct guard *g, const struct link_info *li)
{
	struct state_link l = { .ifindex = li->ifindex, .wiphy = -1, .type = li->type };

	if (known_link(g->st, li))
		return;
	snprintf(l.name, sizeof(l.name), "%s", li->name);
	snprintf(l.kind, sizeof(l.kind), "%s", li->kind);
	snprintf(l.mac, sizeof(l.mac), "%s", li->perm_mac[0] ? li->perm_mac : li->mac);
	if (state_add_link(g->st, &l) == 0)
		journal(g);
}

static void record_phy(struct guard *g, const struct phy_info *p)
{
	struct state_phy sp = { .index = p->index };

	for (size_t i = 0; i < g->st->n_phys; i++)
		if (g->st->phys[i].index == p->index)
			return;
	snprintf(sp.name, sizeof(sp.name), "%s", p->name);
	if (state_add_phy(g->st, &sp) == 0)
		journal(g);
}

static void move_phy(struct guard *g, const struct phy_info *p, uint64_t seen)
{
	struct wgp_err err = { 0 };
	int ret;

	record_phy(g, p);
	caps_step(caps_net);
	ret = nl80211_set_netns(g->wl_main, p->index, p->name, g->phys_fd, &err);
	if (ret == -ENODEV || ret == -ENOENT) {
		/* moved already, on an earlier event, or gone */
	} else if (ret < 0) {
		guard_log_err(g, "a phy appeared in the main namespace", &err);
		retry_later(g);
	} else {
		guard_log(g, LOG_WARNING, "%s appeared in the main namespace: moved to \"%s\" in %llu ms",
			  p->name, g->st->netns, (unsigned long long)(guard_now() - seen));
	}
	caps_step(caps_none);
}

/* eth0 -> eth%d: the name to ask for when it is taken in physical. */
static void name_pattern(const char *name, char *pat, size_t len)
{
	size_t n = strlen(name);

	while (n && name[n - 1] >= '0' && name[n - 1] <= '9')
		n--;
	snprintf(pat, len, "%.*s%%d", (int)(n > 12 ? 12 : n), name);
}

static void move_link(struct guard *g, const struct link_info *li, uint64_t seen)
{
	struct wgp_err err = { 0 };
	char pat[IFNAMSIZ];
	int ret;

	record_link(g, li);
	caps_step(caps_net);
	ret = rtnl_link_move(g->nl_main, li->ifindex, g->phys_fd, NULL);
	if (ret == -EEXIST) {
		name_pattern(li->name, pat, sizeof(pat));
		ret = rtnl_link_move(g->nl_main, li->ifindex, g->phys_fd, pat);
	}
	caps_step(caps_none);
	if (ret == -ENODEV)
		return;		/* gone again, or moved by an earlier event */
	if (ret < 0) {
		wgp_fail(&err, ret, "Cannot move", "%s to \"%s\"", li->name, g->st->netns);
		wgp_extack(&err, g->nl_main->extack);
		guard_log_err(g, "a NIC appeared in the main namespace", &err);
		retry_later(g);
		return;
	}
	guard_log(g, LOG_WARNING, "%s appeared in the main namespace: moved to \"%s\" in %llu ms",
		  li->name, g->st->netns, (unsigned long long)(guard_now() - seen));
}

/* Everything in main that should not be there: ways out (a wireless one
 * through its phy) and phys. */
static void sweep_main(struct guard *g, uint64_t seen)
{
	struct link_info *links = NULL;
	struct wdev_info *wdevs = NULL;
	struct phy_info *phys = NULL;
	size_t n_links = 0, n_wdevs = 0, n_phys = 0;
	struct wgp_err err = { 0 };

	if (rtnl_links(g->nl_main, &links, &n_links) < 0 ||
	    nl80211_list_ifaces(g->wl_main, &wdevs, &n_wdevs, &err) < 0 ||
	    nl80211_list_phys(g->wl_main, &phys, &n_phys, &err) < 0) {
		retry_later(g);
		goto out;
	}
	for (size_t i = 0; i < n_phys; i++)
		move_phy(g, &phys[i], seen);
	for (size_t i = 0; i < n_links; i++) {
		const struct link_info *l = &links[i];

		if (!link_is_way_out(l) || !strcmp(l->kind, "wireguard") ||
		    wdev_of(wdevs, n_wdevs, l->ifindex))
			continue;	/* a wireless link went with its phy */
		move_link(g, l, seen);
	}
out:
	free(links);
	free(wdevs);
	free(phys);
}

/* Wireless links in physical: each gets its wpa_supplicant if it has none. */
static void sweep_phys(struct guard *g)
{
	struct wdev_info *wdevs = NULL;
	struct wgp_err err = { 0 };
	size_t n = 0;
	int ret;

	ret = nl80211_list_ifaces(g->wl_phys, &wdevs, &n, &err);
	if (ret < 0) {
		retry_later(g);
		return;
	}
	for (size_t i = 0; i < n; i++)
		supervise_link_arrived(g, wdevs[i].name);
	free(wdevs);
}

void hotplug_sweep(struct guard *g)
{
	sweep_main(g, guard_now());
	sweep_phys(g);
}

struct seen {
	struct guard *g;
	bool arrived;
	struct link_info *links;	/* ways out announced in main */
	size_t n;
	bool lost;			/* an allocation failed: look at all */
};

static int main_cb(const struct nlmsghdr *nlh, void *data)
{
	struct seen *s = data;
	struct link_info li, *v;

	if (nlh->nlmsg_type != RTM_NEWLINK || rtnl_link_parse(nlh, &li) < 0 ||
	    !link_is_way_out(&li) || !strcmp(li.kind, "wireguard"))
		return MNL_CB_OK;
	v = realloc(s->links, (s->n + 1) * sizeof(*v));
	if (!v) {
		s->lost = true;
		return MNL_CB_OK;
	}
	s->links = v;
	v[s->n++] = li;
	return MNL_CB_OK;
}

/*
 * Ways out announced in main: each moves, from the event itself. One dump
 * tells the wireless ones, which go with their phy (mostly moved already,
 * on nl80211's own event).
 */
void hotplug_main_event(struct guard *g)
{
	struct seen s = { .g = g };
	struct wdev_info *wdevs = NULL;
	struct wgp_err err = { 0 };
	uint64_t seen = guard_now();
	size_t n_wdevs = 0;
	int ret;

	ret = nlk_drain(g->ev_main, main_cb, &s);
	if (ret == -ENOBUFS || s.lost) {
		sweep_main(g, seen);
		goto out;
	}
	if (ret < 0)
		guard_log(g, LOG_ERR, "link events in main: %s", strerror(-ret));
	if (!s.n)
		goto out;
	if (nl80211_list_ifaces(g->wl_main, &wdevs, &n_wdevs, &err) < 0) {
		sweep_main(g, seen);
		goto out;
	}
	for (size_t i = 0; i < s.n; i++) {
		if (wdev_of(wdevs, n_wdevs, s.links[i].ifindex))
			sweep_main(g, seen);	/* its phy: find it */
		else
			move_link(g, &s.links[i], seen);
	}
out:
	free(wdevs);
	free(s.links);
}

static int phys_cb(const struct nlmsghdr *nlh, void *data)
{
	struct seen *s = data;

	if (nlh->nlmsg_type == RTM_NEWLINK)
		s->arrived = true;
	return MNL_CB_OK;
}

void hotplug_phys_event(struct guard *g)
{
	struct seen s = { .g = g };
	int ret;

	ret = nlk_drain(g->ev_phys, phys_cb, &s);
	if (ret == -ENOBUFS || s.arrived)
		sweep_phys(g);
	else if (ret < 0)
		guard_log(g, LOG_ERR, "link events in \"%s\": %s", g->st->netns, strerror(-ret));
}

struct wiphy_seen {
	struct guard *g;
	uint64_t seen;
};

static void wiphy_cb(void *arg, const struct phy_info *phy, bool added)
{
	struct wiphy_seen *w = arg;

	if (added)
		move_phy(w->g, phy, w->seen);
}

/* A phy in main, straight from nl80211's own event: the fastest way. */
void hotplug_wiphy_event(struct guard *g)
{
	struct wiphy_seen w = { .g = g, .seen = guard_now() };
	struct wgp_err err = { 0 };

	/* Events lost: look at the whole picture instead. */
	if (nl80211_watch_read(g->wl_events, wiphy_cb, &w, &err) < 0)
		sweep_main(g, w.seen);
}

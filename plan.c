// SPDX-License-Identifier: GPL-2.0
/*
 * Which devices are ways out of a namespace, and what `up` moves: the plan,
 * made from what the kernel reports before anything changes, and the check
 * that the main namespace kept none.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if_arp.h>

#include "netns.h"
#include "plan.h"

bool link_is_way_out(const struct link_info *l)
{
	return l->type != ARPHRD_LOOPBACK && (l->hardware || !l->kind[0]);
}

bool link_is_stacked(const struct link_info *l)
{
	static const char *const kinds[] = { "vlan", "macvlan", "macvtap", "ipvlan",
					     "ipvtap", "macsec", NULL };

	for (size_t i = 0; kinds[i]; i++)
		if (!strcmp(l->kind, kinds[i]))
			return true;
	return false;
}

const struct wdev_info *wdev_of(const struct wdev_info *w, size_t n, int ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].ifindex == ifindex)
			return &w[i];
	return NULL;
}

static bool listed(const struct wgphys_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_ifaces; i++)
		if (!strcmp(cfg->ifaces[i], name))
			return true;
	return false;
}

/* What the kernel reports, all in one place for the decisions below. */
struct view {
	struct link_info *links;
	size_t n_links;
	struct wdev_info *wdevs;
	size_t n_wdevs;
	struct phy_info *phys;
	size_t n_phys;
};

static void view_free(struct view *v)
{
	free(v->links);
	free(v->wdevs);
	free(v->phys);
}

static int view_read(struct nlk *nl, struct nl80211 *wl, struct view *v, struct wgp_err *err)
{
	int ret;

	memset(v, 0, sizeof(*v));
	ret = rtnl_links(nl, &v->links, &v->n_links);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot list", "links");
	ret = nl80211_list_ifaces(wl, &v->wdevs, &v->n_wdevs, err);
	if (!ret)
		ret = nl80211_list_phys(wl, &v->phys, &v->n_phys, err);
	return ret;
}

static const struct link_info *link_named(const struct view *v, const char *name)
{
	for (size_t i = 0; i < v->n_links; i++)
		if (!strcmp(v->links[i].name, name))
			return &v->links[i];
	return NULL;
}

/* The configuration asks for something this namespace cannot give. */
static int check_names(const struct wgphys_config *cfg, const struct view *v,
		       struct wgp_err *err)
{
	char path[PATH_MAX];
	const struct link_info *l;

	if (link_named(v, cfg->tunnel_ifname))
		return wgp_refuse(err, EEXIST, NULL, "interface %s already exists in this namespace",
				  cfg->tunnel_ifname);
	for (size_t i = 0; i < cfg->n_ifaces; i++) {
		l = link_named(v, cfg->ifaces[i]);
		if (!l)
			return wgp_refuse(err, ENODEV, NULL,
					  "interface %s does not exist in this namespace",
					  cfg->ifaces[i]);
		if (l->type == ARPHRD_LOOPBACK)
			return wgp_refuse(err, EINVAL, NULL, "interface %s is the loopback device",
					  cfg->ifaces[i]);
	}
	if (netns_path(cfg->netns, path, sizeof(path)) < 0)
		return wgp_refuse(err, EINVAL, NULL, "invalid namespace name \"%s\"", cfg->netns);
	if (access(path, F_OK) == 0)
		return wgp_refuse(err, EEXIST, NULL, "namespace \"%s\" already exists (%s)",
				  cfg->netns, path);
	return 0;
}

/* Whether links[i] moves. A phy takes all its interfaces along. */
static bool moves(const struct wgphys_config *cfg, const struct view *v, size_t i)
{
	const struct wdev_info *w = wdev_of(v->wdevs, v->n_wdevs, v->links[i].ifindex);

	if (cfg->auto_ifaces)
		return link_is_way_out(&v->links[i]) || w;
	if (listed(cfg, v->links[i].name))
		return true;
	for (size_t j = 0; w && j < v->n_wdevs; j++)
		if (v->wdevs[j].phy == w->phy && listed(cfg, v->wdevs[j].name))
			return true;
	return false;
}

static int add_phy_once(struct state *st, const struct view *v, uint32_t index)
{
	struct state_phy p = { .index = index };
	size_t i;

	for (i = 0; i < st->n_phys; i++)
		if (st->phys[i].index == index)
			return 0;
	for (i = 0; i < v->n_phys; i++)
		if (v->phys[i].index == index)
			snprintf(p.name, sizeof(p.name), "%s", v->phys[i].name);
	if (!p.name[0])
		snprintf(p.name, sizeof(p.name), "phy#%u", index);
	return state_add_phy(st, &p);
}

static int save_cb(void *arg, const struct nlmsghdr *nlh)
{
	return state_add_saved(arg, nlh, nlh->nlmsg_len);
}

/* Put links[i] on the list, with its phy and its saved configuration. */
static int add_link(struct nlk *nl, struct state *st, const struct view *v, size_t i,
		    struct wgp_err *err)
{
	const struct link_info *li = &v->links[i];
	const struct wdev_info *w = wdev_of(v->wdevs, v->n_wdevs, li->ifindex);
	struct state_link l = {
		.ifindex = li->ifindex,
		.wiphy = w ? (int64_t)w->phy : -1,
		.up = !!(li->flags & IFF_UP),
		.type = li->type,
	};
	int ret;

	snprintf(l.name, sizeof(l.name), "%s", li->name);
	snprintf(l.kind, sizeof(l.kind), "%s", li->kind);
	/* The burnt-in address, where the driver tells it: the current one
	 * can change (a bond, MAC randomisation). */
	snprintf(l.mac, sizeof(l.mac), "%s", li->perm_mac[0] ? li->perm_mac : li->mac);
	ret = state_add_link(st, &l);
	if (!ret && w)
		ret = add_phy_once(st, v, w->phy);
	if (!ret)
		ret = rtnl_save(nl, li->ifindex, save_cb, st);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot read the configuration of", "%s", li->name);
	return 0;
}

/* Something stacked on a moving NIC (a VLAN, a macvlan) would stay here
 * and keep sending through it from the other side. */
static int check_stacked(const struct wgphys_config *cfg, const struct view *v,
			 const struct state *st, struct wgp_err *err)
{
	for (size_t i = 0; i < v->n_links; i++) {
		const struct link_info *l = &v->links[i];

		if (!link_is_stacked(l) || l->lower_elsewhere || listed(cfg, l->name))
			continue;
		for (size_t j = 0; j < st->n_links; j++)
			if (l->lower == st->links[j].ifindex)
				return wgp_refuse(err, EBUSY, NULL,
						  "%s is stacked on %s: delete it first, or list it in Interfaces",
						  l->name, st->links[j].name);
	}
	return 0;
}

static int plan_links(const struct wgphys_config *cfg, struct nlk *nl, const struct view *v,
		      struct state *st, struct wgp_err *err)
{
	int ret;

	for (size_t i = 0; i < v->n_links; i++) {
		if (!moves(cfg, v, i))
			continue;
		ret = add_link(nl, st, v, i, err);
		if (ret < 0)
			return ret;
	}
	ret = check_stacked(cfg, v, st, err);
	/* With auto, a phy with no interface at all moves too. */
	for (size_t i = 0; !ret && cfg->auto_ifaces && i < v->n_phys; i++)
		ret = add_phy_once(st, v, v->phys[i].index);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot plan", NULL);
	if (!st->n_links && !st->n_phys)
		return wgp_refuse(err, ENODEV, NULL, "no network interface to move%s",
				  cfg->auto_ifaces ? " (none is hardware-backed or wireless)" : "");
	return 0;
}

int plan_make(const struct wgphys_config *cfg, struct nlk *nl, struct nl80211 *wl,
	      struct state **out, struct wgp_err *err)
{
	struct view v = { 0 };
	struct state *st = NULL;
	int self, ret;

	st = calloc(1, sizeof(*st));
	if (!st)
		return wgp_fail(err, ENOMEM, "Cannot plan", NULL);
	snprintf(st->netns, sizeof(st->netns), "%s", cfg->netns);
	snprintf(st->tunnel, sizeof(st->tunnel), "%s", cfg->tunnel_ifname);
	self = netns_current();
	ret = self < 0 ? self : netns_id(self, &st->main_dev, &st->main_ino);
	if (self >= 0)
		close(self);
	if (ret < 0) {
		wgp_fail(err, ret, "Cannot identify", "the current network namespace");
		goto out;
	}
	ret = view_read(nl, wl, &v, err);
	if (!ret)
		ret = check_names(cfg, &v, err);
	if (!ret)
		ret = plan_links(cfg, nl, &v, st, err);
	if (!ret) {
		*out = st;
		st = NULL;
	}
out:
	view_free(&v);
	state_free(st);
	return ret;
}

int plan_check_main(struct nlk *nl, struct nl80211 *wl, int tunnel_ifindex,
		    struct wgp_err *err)
{
	struct view v = { 0 };
	int ret;

	ret = view_read(nl, wl, &v, err);
	for (size_t i = 0; !ret && i < v.n_links; i++) {
		const struct link_info *l = &v.links[i];

		if (l->ifindex == tunnel_ifindex || l->type == ARPHRD_LOOPBACK)
			continue;
		if (link_is_way_out(l) || wdev_of(v.wdevs, v.n_wdevs, l->ifindex) ||
		    (l->lower_elsewhere && link_is_stacked(l)))
			ret = wgp_refuse(err, EEXIST, NULL, "%s is still in the main namespace",
					 l->name);
	}
	if (!ret && v.n_phys)
		ret = wgp_refuse(err, EEXIST, NULL, "%s is still in the main namespace",
				 v.phys[0].name);
	view_free(&v);
	return ret;
}

/* Whether wg routes or addresses any IPv6: its tunnel then needs 1280. */
static bool carries_ipv6(const struct wg_config *wg)
{
	for (size_t i = 0; i < wg->n_addrs; i++)
		if (wg->addrs[i].family == AF_INET6)
			return true;
	for (size_t i = 0; i < wg->n_peers; i++)
		for (size_t j = 0; j < wg->peers[i].n_allowedips; j++)
			if (wg->peers[i].allowedips[j].family == AF_INET6)
				return true;
	return false;
}

uint32_t plan_tunnel_mtu(struct nlk *nl, const struct wg_config *wg,
			 const struct wg_endpoint *eps)
{
	uint32_t best = 0, mtu;

	if (wg->mtu)
		return wg->mtu;
	for (size_t i = 0; i < wg->n_peers; i++)
		if (eps[i].addr.ss_family &&
		    rtnl_path_mtu(nl, (const struct sockaddr *)&eps[i].addr, &mtu) == 0 &&
		    mtu > best)
			best = mtu;
	mtu = best > 80 ? best - 80 : 1420;
	return mtu < 1280 && carries_ipv6(wg) ? 1280 : mtu;
}

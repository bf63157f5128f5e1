// SPDX-License-Identifier: GPL-2.0
/*
 * The order of `up`, and the one way back from it.
 *
 * Every step first records in the state file what it is about to do, then
 * does it. Undoing (a failed `up`, `down`, `down` after a crash) is one
 * function, teardown(), which takes the state as a list of things that
 * *may* have happened and asks the kernel what did before undoing each.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <net/if_arp.h>
#include <linux/rtnetlink.h>

#include "caps.h"
#include "daemon.h"
#include "encoding.h"
#include "endpoint.h"
#include "netns.h"
#include "nl80211.h"
#include "paths.h"
#include "resolv.h"
#include "rtnl.h"
#include "state.h"
#include "up.h"
#include "wg.h"

#define DEFAULT_MTU 1420

const int up_caps[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_SETPCAP, CAP_KILL, CAPS_END };
static const int caps_ns[] = { CAP_SYS_ADMIN, CAPS_END };
static const int caps_net[] = { CAP_NET_ADMIN, CAPS_END };
static const int caps_netns[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN, CAPS_END };
static const int caps_spawn[] = { CAP_SYS_ADMIN, CAP_SETPCAP, CAPS_END };
static const int caps_kill[] = { CAP_KILL, CAPS_END };
static const int caps_none[] = { CAPS_END };

/*
 * What dhcpcd needs: raw and bound sockets, interface configuration, and
 * for its privilege separation: switching user, chroot, and (as root
 * before the switch) owning and reaching its files.
 */
static const int dhcpcd_caps[] = {
	CAP_NET_ADMIN, CAP_NET_RAW, CAP_NET_BIND_SERVICE, CAP_SETUID, CAP_SETGID,
	CAP_SYS_CHROOT, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_KILL, CAPS_END
};
/* wpa_supplicant: nl80211 commands and its raw EAPOL socket. */
static const int wpa_caps[] = { CAP_NET_ADMIN, CAP_NET_RAW, CAPS_END };

static void step_caps(const int *caps)
{
	/* Failing to narrow only means keeping more than needed; the
	 * permitted set was already limited to up_caps. */
	caps_step(caps);
}

static bool link_is_wireless(const struct state_link *l)
{
	return l->wiphy >= 0;
}

static int save_cb(void *arg, const struct nlmsghdr *nlh)
{
	return state_add_saved(arg, nlh, nlh->nlmsg_len);
}

static int add_phy_once(struct state *st, const struct phy_info *phys, size_t n_phys,
			uint32_t index)
{
	struct state_phy p = { .index = index };
	size_t i;

	for (i = 0; i < st->n_phys; i++)
		if (st->phys[i].index == index)
			return 0;
	for (i = 0; i < n_phys; i++)
		if (phys[i].index == index)
			snprintf(p.name, sizeof(p.name), "%s", phys[i].name);
	if (!p.name[0])
		snprintf(p.name, sizeof(p.name), "phy#%u", index);
	return state_add_phy(st, &p);
}

static const struct wdev_info *wdev_of(const struct wdev_info *w, size_t n, int ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].ifindex == ifindex)
			return &w[i];
	return NULL;
}

/*
 * A device that can reach a network on its own: one the kernel names a
 * parent device for, or (on kernels before 5.14, which do not) one that no
 * rtnetlink "kind" created, that is, a driver's. The loopback is neither.
 */
static bool is_way_out(const struct link_info *l)
{
	return l->type != ARPHRD_LOOPBACK && (l->hardware || !l->kind[0]);
}

/* Kinds that send through the device they are stacked on. */
static bool is_stacked_kind(const char *kind)
{
	static const char *const kinds[] = { "vlan", "macvlan", "macvtap", "ipvlan",
					     "ipvtap", "macsec", NULL };

	for (size_t i = 0; kinds[i]; i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
}

static bool listed(const struct wgphys_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_ifaces; i++)
		if (!strcmp(cfg->ifaces[i], name))
			return true;
	return false;
}

/*
 * Decide what moves, from what the kernel reports now. A wireless
 * interface moves with its phy, and so do the phy's other interfaces.
 */
static int plan(const struct wgphys_config *cfg, struct nlk *nl, struct state **out,
		struct wgp_err *err)
{
	struct link_info *links = NULL;
	struct wdev_info *wdevs = NULL;
	struct phy_info *phys = NULL;
	size_t n_links = 0, n_wdevs = 0, n_phys = 0, i, j;
	struct state *st;
	char path[PATH_MAX];
	dev_t dev;
	ino_t ino;
	int self, ret;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	snprintf(st->netns, sizeof(st->netns), "%s", cfg->netns);
	snprintf(st->tunnel, sizeof(st->tunnel), "%s", cfg->tunnel_ifname);
	self = netns_current();
	ret = self < 0 ? self : netns_id(self, &dev, &ino);
	if (self >= 0)
		close(self);
	if (ret < 0) {
		wgp_errf(err, -ret, "Cannot identify the current network namespace");
		goto err;
	}
	st->main_dev = dev;
	st->main_ino = ino;

	ret = rtnl_links(nl, &links, &n_links);
	if (ret < 0) {
		wgp_errf(err, -ret, "Cannot list links: %s", strerror(-ret));
		goto err;
	}
	ret = nl80211_ifaces(-1, &wdevs, &n_wdevs, err);
	if (ret < 0)
		goto err;
	ret = nl80211_phys(-1, &phys, &n_phys, err);
	if (ret < 0)
		goto err;

	for (i = 0; i < n_links; i++) {
		if (!strcmp(links[i].name, cfg->tunnel_ifname)) {
			ret = wgp_errf(err, EEXIST, "Interface %s already exists in this namespace",
				       cfg->tunnel_ifname);
			goto err;
		}
	}
	for (i = 0; i < cfg->n_ifaces; i++) {
		for (j = 0; j < n_links; j++)
			if (!strcmp(links[j].name, cfg->ifaces[i]))
				break;
		if (j == n_links) {
			ret = wgp_errf(err, ENODEV, "Interface %s does not exist in this namespace",
				       cfg->ifaces[i]);
			goto err;
		}
		if (links[j].type == ARPHRD_LOOPBACK) {
			ret = wgp_errf(err, EINVAL, "Interface %s is the loopback device",
				       cfg->ifaces[i]);
			goto err;
		}
	}
	for (i = 0; i < n_links; i++) {
		const struct wdev_info *w = wdev_of(wdevs, n_wdevs, links[i].ifindex);
		bool move;

		if (cfg->auto_ifaces)
			move = is_way_out(&links[i]) || w;
		else
			move = listed(cfg, links[i].name);
		/* A phy takes all its interfaces along: any listed means all. */
		if (!move && w) {
			for (j = 0; j < n_wdevs; j++)
				if (wdevs[j].phy == w->phy && listed(cfg, wdevs[j].name))
					move = true;
		}
		if (!move)
			continue;
		struct state_link l = {
			.ifindex = links[i].ifindex,
			.wiphy = w ? (int64_t)w->phy : -1,
			.up = !!(links[i].flags & IFF_UP),
			.type = links[i].type,
		};
		snprintf(l.name, sizeof(l.name), "%s", links[i].name);
		/* The burnt-in address, where the driver tells it: the current
		 * one can change (a bond, MAC randomisation). */
		snprintf(l.mac, sizeof(l.mac), "%s",
			 links[i].perm_mac[0] ? links[i].perm_mac : links[i].mac);
		ret = state_add_link(st, &l);
		if (!ret && w)
			ret = add_phy_once(st, phys, n_phys, w->phy);
		if (!ret)
			ret = rtnl_save(nl, links[i].ifindex, save_cb, st);
		if (ret < 0) {
			wgp_errf(err, -ret, "Cannot read the configuration of %s: %s",
				 links[i].name, strerror(-ret));
			goto err;
		}
	}
	/* Something stacked on a NIC (a VLAN, a macvlan) would stay here and
	 * keep sending through it from the other side. */
	for (i = 0; i < n_links; i++) {
		for (j = 0; j < st->n_links; j++) {
			if (links[i].lower != st->links[j].ifindex || links[i].lower_elsewhere ||
			    links[i].ifindex == st->links[j].ifindex || listed(cfg, links[i].name))
				continue;
			ret = wgp_errf(err, EBUSY, "%s is stacked on %s: delete it first, or list it "
				       "in Interfaces", links[i].name, st->links[j].name);
			goto err;
		}
	}
	/* With auto, a phy with no interface at all moves too. */
	for (i = 0; cfg->auto_ifaces && i < n_phys; i++) {
		ret = add_phy_once(st, phys, n_phys, phys[i].index);
		if (ret < 0)
			goto err;
	}
	if (!st->n_links && !st->n_phys) {
		ret = wgp_errf(err, ENODEV, "No network interface to move%s",
			       cfg->auto_ifaces ? " (none is hardware-backed or wireless)" : "");
		goto err;
	}
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, cfg->netns);
	if (access(path, F_OK) == 0) {
		ret = wgp_errf(err, EEXIST, "Namespace \"%s\" already exists (%s)", cfg->netns, path);
		goto err;
	}
	*out = st;
	st = NULL;
	ret = 0;
err:
	free(links);
	free(wdevs);
	free(phys);
	state_free(st);
	return ret;
}

static bool wpa_config_for(const struct wgphys_config *cfg, const char *ifname,
			   char *path, size_t len)
{
	size_t off = 0;
	const char *p;

	if (!cfg->wpa_pattern)
		return false;
	for (p = cfg->wpa_pattern; *p && off + 1 < len; p++) {
		if (p[0] == '%' && p[1] == 'i') {
			off += (size_t)snprintf(path + off, len - off, "%s", ifname);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			path[off++] = '%';
			p++;
		} else {
			path[off++] = *p;
		}
	}
	path[off < len ? off : len - 1] = '\0';
	return access(path, R_OK) == 0;
}

static int saved_ifindex(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;
	int idx = -1;

	if (nlh->nlmsg_type == RTM_NEWADDR)
		return (int)((const struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_index;
	mnl_attr_for_each(a, nlh, sizeof(struct rtmsg))
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			idx = (int)mnl_attr_get_u32(a);
	return idx;
}

/*
 * Re-add the saved addresses and routes of the link that had old_ifindex,
 * now new_ifindex. A route may need another first (dhcpcd's default route
 * goes through its own subnet route, which the dump lists after it), so
 * what fails is tried again while a pass makes progress.
 */
static uint32_t boottime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint32_t)ts.tv_sec;
}

static int replay_saved(struct nlk *nl, const struct state *st, int old_ifindex, int new_ifindex)
{
	bool *done = calloc(st->n_saved + 1, sizeof(*done));
	uint32_t elapsed = st->saved_at ? boottime() - st->saved_at : 0;
	bool progress = true;
	int ret = 0;
	size_t i;

	if (!done)
		return -ENOMEM;
	while (progress) {
		progress = false;
		ret = 0;
		for (i = 0; i < st->n_saved; i++) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)st->saved[i].data;
			int r;

			if (done[i] || saved_ifindex(nlh) != old_ifindex)
				continue;
			r = rtnl_replay(nl, nlh, new_ifindex, elapsed);
			if (r == 0) {
				done[i] = progress = true;
			} else if (!ret) {
				ret = r;
			}
		}
	}
	free(done);
	return ret;
}

static int find_link(struct nlk *nl, const struct state_link *l, struct link_info *out)
{
	struct link_info *v = NULL;
	size_t n = 0, i;
	int ret;

	ret = rtnl_links(nl, &v, &n);
	if (ret < 0)
		return ret;
	ret = -ENODEV;
	/* The MAC address is what identifies a NIC after a rename;
	 * the name is the fallback for devices without one. */
	for (i = 0; i < n && ret; i++)
		if (l->mac[0] && v[i].type != ARPHRD_LOOPBACK &&
		    (!strcmp(v[i].perm_mac, l->mac) || (!v[i].perm_mac[0] && !strcmp(v[i].mac, l->mac)))) {
			*out = v[i];
			ret = 0;
		}
	for (i = 0; i < n && ret; i++)
		if (!l->mac[0] && !strcmp(v[i].name, l->name)) {
			*out = v[i];
			ret = 0;
		}
	free(v);
	return ret;
}

static void keep_first(int *first, int ret, struct wgp_err *err, struct wgp_err *step)
{
	if (ret < 0 && !*first) {
		*first = ret;
		if (err && !err->code)
			*err = *step;
	}
	memset(step, 0, sizeof(*step));
}

/*
 * Undo whatever of st is there, in reverse order of up. Best effort: every
 * item is tried; the first failure is returned.
 */
static int teardown(struct state *st, struct wgp_err *err)
{
	struct wgp_err step = { 0 };
	struct nlk *nl_main = NULL, *nl_phys = NULL;
	struct link_info li;
	struct phy_info *phys = NULL;
	size_t n_phys = 0, i, j;
	int main_fd = -1, phys_fd = -1, first = 0, ret;
	bool foreign = false;
	dev_t dev;
	ino_t ino;

	step_caps(caps_kill);
	for (i = st->n_daemons; i-- > 0;)
		daemon_term(&st->daemons[i]);	/* all at once, then wait */
	for (i = st->n_daemons; i-- > 0;)
		keep_first(&first, daemon_stop(&st->daemons[i], &step), err, &step);

	step_caps(caps_netns);
	main_fd = netns_current();
	if (main_fd < 0)
		return wgp_errf(err, -main_fd, "Cannot open the current namespace");
	ret = nlk_open(&nl_main, NETLINK_ROUTE, -1);
	if (ret < 0) {
		wgp_errf(err, -ret, "Cannot open rtnetlink: %s", strerror(-ret));
		goto cleanup;
	}
	/* The tunnel goes first: its routes would shadow the ones put back
	 * below (a default route of the same metric is "already there"). */
	if (st->tunnel[0] && rtnl_link_by_name(nl_main, st->tunnel, &li) == 0 &&
	    !strcmp(li.kind, "wireguard")) {
		ret = rtnl_link_del(nl_main, li.ifindex);
		if (ret < 0)
			wgp_errf(&step, -ret, "Cannot delete %s: %s", st->tunnel, strerror(-ret));
		keep_first(&first, ret, err, &step);
	}
	phys_fd = netns_open(st->netns, NULL);
	if (phys_fd >= 0 && st->netns_ino && (netns_id(phys_fd, &dev, &ino) < 0 ||
					      dev != st->netns_dev || ino != st->netns_ino)) {
		/* Someone else's namespace by that name now: not ours to
		 * empty, nor to delete. */
		close(phys_fd);
		phys_fd = -1;
		foreign = true;
	}
	if (phys_fd >= 0) {
		ret = nlk_open(&nl_phys, NETLINK_ROUTE, phys_fd);
		keep_first(&first, ret < 0 ? wgp_errf(&step, -ret, "Cannot open rtnetlink in \"%s\"",
						      st->netns) : 0, err, &step);
		ret = nl80211_phys(phys_fd, &phys, &n_phys, &step);
		keep_first(&first, ret, err, &step);
		for (i = 0; i < st->n_phys; i++)
			for (j = 0; j < n_phys; j++)
				if (phys[j].index == st->phys[i].index)
					keep_first(&first, nl80211_phy_move(phys_fd, phys[j].index,
									    st->phys[i].name, main_fd,
									    &step), err, &step);
		for (i = 0; nl_phys && i < st->n_links; i++) {
			const struct state_link *l = &st->links[i];

			if (link_is_wireless(l) || find_link(nl_phys, l, &li) < 0)
				continue;
			ret = rtnl_link_move(nl_phys, li.ifindex, main_fd, l->name);
			if (ret == -EEXIST)	/* the name is taken: bring it back as is */
				ret = rtnl_link_move(nl_phys, li.ifindex, main_fd, NULL);
			if (ret < 0)
				wgp_errf(&step, -ret, "Cannot move %s back: %s%s%s", l->name,
					 strerror(-ret), nl_phys->extack[0] ? ": kernel reports: " : "",
					 nl_phys->extack);
			keep_first(&first, ret, err, &step);
		}
	}
	/* In the main namespace: names, state, addresses and routes as before. */
	for (i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (find_link(nl_main, l, &li) < 0)
			continue;	/* still elsewhere: reported above */
		if (strcmp(li.name, l->name)) {
			/* e.g. dev3, after the namespace died under it */
			rtnl_link_set_up(nl_main, li.ifindex, false);
			ret = rtnl_link_rename(nl_main, li.ifindex, l->name);
			if (ret < 0)
				wgp_errf(&step, -ret, "Cannot rename %s back to %s: %s", li.name,
					 l->name, strerror(-ret));
			keep_first(&first, ret, err, &step);
		}
		if (l->up) {
			ret = rtnl_link_set_up(nl_main, li.ifindex, true);
			if (ret < 0)
				wgp_errf(&step, -ret, "Cannot set %s up: %s", l->name, strerror(-ret));
			keep_first(&first, ret, err, &step);
		}
		/* Best effort: an address whose network is gone may not come
		 * back, and DHCP sets it anew; the link itself is what must. */
		replay_saved(nl_main, st, l->ifindex, li.ifindex);
	}
	step_caps(caps_ns);	/* resolv.conf may be our read-only mount */
	keep_first(&first, resolv_restore(st->resolv, &step), err, &step);
	keep_first(&first, etc_cleanup(st->netns, st->etc_flags, &step), err, &step);
	if (st->created_netns && !foreign)
		keep_first(&first, netns_delete(st->netns, &step), err, &step);

cleanup:
	free(phys);
	nlk_close(nl_phys);
	nlk_close(nl_main);
	if (phys_fd >= 0)
		close(phys_fd);
	close(main_fd);
	return first;
}

/*
 * RestoreOnDown: start wpa_supplicant and dhcpcd for the links that came
 * back, as the system would at boot. They daemonise; they are not ours to
 * stop later, and a dhcpcd already managing the machine takes the request.
 */
static int restore_daemons(const struct wgphys_config *cfg, const struct state *st,
			   struct wgp_err *err)
{
	struct wgp_err step = { 0 };
	char conf[PATH_MAX];
	size_t i;
	int first = 0;

	step_caps(caps_none);
	for (i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (!link_is_wireless(l) || !wpa_config_for(cfg, l->name, conf, sizeof(conf)))
			continue;
		char *wargv[] = { WPA_SUPPLICANT_PATH, "-B", "-D", "nl80211", "-i",
				  (char *)l->name, "-c", conf, NULL };
		keep_first(&first, daemon_spawn_main(wargv, &step), err, &step);
	}
	if (cfg->dhcp != DHCP_DHCPCD)
		return first;
	/* One dhcpcd per link, as the system's own scripts do: with several,
	 * dhcpcd becomes a manager that waits for udev to vouch for them. */
	for (i = 0; i < st->n_links; i++) {
		if (st->links[i].type != ARPHRD_ETHER)
			continue;
		char *dargv[] = { DHCPCD_PATH, "-b", (char *)st->links[i].name, NULL };

		keep_first(&first, daemon_spawn_main(dargv, &step), err, &step);
	}
	return first;
}

/* Called between fork and exec: the daemon is on record before it runs. */
static int journal_daemon(void *arg, const struct state_daemon *d, struct wgp_err *err)
{
	struct state *st = arg;
	int ret = state_add_daemon(st, d);

	return ret < 0 ? ret : state_write(st, err);
}

static int start_daemons(const struct wgphys_config *cfg, struct state *st, int phys_fd,
			 struct wgp_err *err)
{
	char conf[PATH_MAX];
	char *argv[24];
	size_t i, n = 0;
	int ret;

	for (i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (!link_is_wireless(l) || !wpa_config_for(cfg, l->name, conf, sizeof(conf)))
			continue;
		char *wargv[] = { WPA_SUPPLICANT_PATH, "-D", "nl80211", "-i", (char *)l->name,
				  "-c", conf, NULL };
		struct daemon_spec spec = { "wpa_supplicant", wargv, wpa_caps };

		ret = daemon_start(phys_fd, st->netns, &spec, journal_daemon, st, err);
		if (ret < 0)
			return ret;
	}
	if (cfg->dhcp != DHCP_DHCPCD)
		return 0;
	/* One dhcpcd for all: in the foreground (-B), so the pid is its own. */
	argv[n++] = DHCPCD_PATH;
	argv[n++] = "-B";
	for (i = 0; i < st->n_links && n < 23; i++)
		if (st->links[i].type == ARPHRD_ETHER)
			argv[n++] = st->links[i].name;
	argv[n] = NULL;
	if (n == 2)
		return 0;	/* nothing to lease an address for */
	struct daemon_spec spec = { "dhcpcd", argv, dhcpcd_caps };

	return daemon_start(phys_fd, st->netns, &spec, journal_daemon, st, err);
}

static int setup_tunnel(const struct wgphys_config *cfg, const struct wg_config *wg,
			struct nlk *nl, int ifindex, struct wgp_err *err)
{
	size_t i, j;
	int ret;

	for (i = 0; i < wg->n_addrs; i++) {
		ret = rtnl_addr_add(nl, ifindex, &wg->addrs[i]);
		if (ret < 0) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(wg->addrs[i].family, &wg->addrs[i].addr, a, sizeof(a));
			return wgp_errf(err, -ret, "Cannot add address %s/%u to %s: %s%s%s", a,
					wg->addrs[i].prefixlen, cfg->tunnel_ifname, strerror(-ret),
					nl->extack[0] ? ": kernel reports: " : "", nl->extack);
		}
	}
	ret = rtnl_link_set_up(nl, ifindex, true);
	if (ret < 0)
		return wgp_errf(err, -ret, "Cannot set %s up: %s", cfg->tunnel_ifname,
				strerror(-ret));
	for (i = 0; i < wg->n_peers; i++) {
		for (j = 0; j < wg->peers[i].n_allowedips; j++) {
			struct cidr c = wg->peers[i].allowedips[j];

			ret = rtnl_route_add(nl, ifindex, &c);
			if (ret < 0)
				return wgp_errf(err, -ret, "Cannot add a route through %s: %s%s%s",
						cfg->tunnel_ifname, strerror(-ret),
						nl->extack[0] ? ": kernel reports: " : "", nl->extack);
		}
	}
	return 0;
}

/* The kill switch holds only if no way out is left beside the tunnel. */
static int verify_main(struct nlk *nl, int tunnel_ifindex, struct wgp_err *err)
{
	struct link_info *links = NULL;
	struct wdev_info *wdevs = NULL;
	struct phy_info *phys = NULL;
	size_t n_links = 0, n_wdevs = 0, n_phys = 0, i;
	int ret;

	ret = rtnl_links(nl, &links, &n_links);
	if (!ret)
		ret = nl80211_ifaces(-1, &wdevs, &n_wdevs, err);
	if (!ret)
		ret = nl80211_phys(-1, &phys, &n_phys, err);
	if (ret < 0)
		goto out;
	for (i = 0; i < n_links; i++) {
		if (links[i].ifindex == tunnel_ifindex || links[i].type == ARPHRD_LOOPBACK)
			continue;
		if (is_way_out(&links[i]) || wdev_of(wdevs, n_wdevs, links[i].ifindex) ||
		    (links[i].lower_elsewhere && is_stacked_kind(links[i].kind))) {
			ret = wgp_errf(err, EEXIST, "%s is still in the main namespace",
				       links[i].name);
			goto out;
		}
	}
	if (n_phys)
		ret = wgp_errf(err, EEXIST, "%s is still in the main namespace", phys[0].name);
out:
	free(links);
	free(wdevs);
	free(phys);
	return ret;
}

int up_run(const struct wgphys_config *cfg, const struct wg_config *wg, struct wgp_err *err)
{
	struct state *st = NULL;
	struct nlk *nl_main = NULL, *nl_phys = NULL;
	struct wg_endpoint *eps = NULL;
	struct link_info li;
	int lock = -1, main_fd = -1, phys_fd = -1, tunnel = 0, ret;
	size_t i;

	ret = caps_limit(up_caps);
	if (ret < 0)
		return wgp_errf(err, EPERM, "Cannot limit capabilities");
	step_caps(caps_none);
	lock = state_lock(err);
	if (lock < 0)
		return lock;
	ret = state_read(&st, err);
	if (ret == 0) {
		ret = wgp_errf(err, EALREADY, "Already up (namespace \"%s\"); run \"wgphys down\" first",
			       st->netns);
		state_free(st);
		st = NULL;
		goto out;
	}
	if (ret != -ENOENT)	/* a journal we cannot read is not to be overwritten */
		goto out;
	eps = calloc(wg->n_peers + 1, sizeof(*eps));
	ret = eps ? nlk_open(&nl_main, NETLINK_ROUTE, -1) : -ENOMEM;
	if (ret < 0) {
		wgp_errf(err, -ret, "Cannot open rtnetlink: %s", strerror(-ret));
		goto out;
	}
	main_fd = netns_current();
	if (main_fd < 0) {
		ret = wgp_errf(err, -main_fd, "Cannot open the current namespace");
		goto out;
	}
	ret = plan(cfg, nl_main, &st, err);
	if (ret < 0)
		goto out;

	/* From here on every change is recorded before it is made. */
	st->saved_at = boottime();
	st->created_netns = true;
	st->etc_flags = etc_plan(cfg->netns);
	st->resolv = RESOLV_KEPT;
	if (wg->n_dns || wg->n_dns_search) {
		ret = resolv_save(&st->resolv, err);
		if (ret < 0)
			goto fail_nostate;
	}
	ret = state_write(st, err);
	if (ret < 0)
		goto fail_nostate;

	step_caps(caps_ns);
	phys_fd = netns_create(cfg->netns, err);
	if (phys_fd < 0) {
		ret = phys_fd;
		/* Not ours: it existed (a race with another tool). */
		if (ret == -EEXIST)
			st->created_netns = false;
		goto fail;
	}
	netns_id(phys_fd, &st->netns_dev, &st->netns_ino);
	ret = state_write(st, err);
	if (ret < 0)
		goto fail;
	step_caps(caps_none);
	ret = etc_setup(cfg->netns, st->etc_flags, err);
	if (ret < 0)
		goto fail;

	/* The tunnel's DNS, made read-only in main before any link leaves:
	 * a DHCP client of the main namespace that sees its link go must not
	 * put its own servers back, and no daemon of ours can inherit it. */
	if (st->resolv != RESOLV_KEPT) {
		step_caps(caps_ns);
		ret = resolv_write(wg, err);
		if (ret < 0)
			goto fail;
	}

	step_caps(caps_netns);
	ret = nlk_open(&nl_phys, NETLINK_ROUTE, phys_fd);
	if (ret < 0) {
		wgp_errf(err, -ret, "Cannot open rtnetlink in \"%s\": %s", cfg->netns, strerror(-ret));
		goto fail;
	}
	step_caps(caps_net);
	ret = rtnl_link_by_name(nl_phys, "lo", &li);
	if (!ret)
		ret = rtnl_link_set_up(nl_phys, li.ifindex, true);
	if (ret < 0) {
		wgp_errf(err, -ret, "Cannot set lo up in \"%s\": %s", cfg->netns, strerror(-ret));
		goto fail;
	}

	/* Born in "physical" (its UDP socket stays there), living in main. */
	ret = rtnl_wireguard_create(nl_phys, cfg->tunnel_ifname,
				    wg->mtu ? wg->mtu : DEFAULT_MTU, main_fd);
	if (ret < 0) {
		wgp_errf(err, -ret, "Cannot create %s: %s%s%s", cfg->tunnel_ifname, strerror(-ret),
			 nl_phys->extack[0] ? ": kernel reports: " : "", nl_phys->extack);
		goto fail;
	}
	ret = rtnl_link_by_name(nl_main, cfg->tunnel_ifname, &li);
	if (ret < 0) {
		wgp_errf(err, -ret, "%s did not arrive in the main namespace", cfg->tunnel_ifname);
		goto fail;
	}
	tunnel = li.ifindex;

	for (i = 0; i < st->n_phys; i++) {
		ret = nl80211_phy_move(-1, st->phys[i].index, st->phys[i].name, phys_fd, err);
		if (ret < 0)
			goto fail;
	}
	for (i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (link_is_wireless(l))
			continue;	/* went with its phy */
		ret = rtnl_link_move(nl_main, l->ifindex, phys_fd, NULL);
		if (ret < 0) {
			wgp_errf(err, -ret, "Cannot move %s to \"%s\": %s%s%s", l->name, cfg->netns,
				 strerror(-ret), nl_main->extack[0] ? ": kernel reports: " : "",
				 nl_main->extack);
			goto fail;
		}
	}
	/* Carry each link's addresses and routes over, so an online laptop
	 * stays online while DHCP renews in the background. */
	for (i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		ret = find_link(nl_phys, l, &li);
		if (ret < 0) {
			wgp_errf(err, -ret, "%s did not arrive in \"%s\"", l->name, cfg->netns);
			goto fail;
		}
		if (l->up) {
			ret = rtnl_link_set_up(nl_phys, li.ifindex, true);
			if (ret < 0) {
				wgp_errf(err, -ret, "Cannot set %s up in \"%s\": %s", l->name,
					 cfg->netns, strerror(-ret));
				goto fail;
			}
		}
		/* A wireless link has to associate again first; what fails
		 * to carry over, DHCP will set. */
		replay_saved(nl_phys, st, l->ifindex, li.ifindex);
	}

	step_caps(caps_spawn);
	ret = start_daemons(cfg, st, phys_fd, err);
	if (ret < 0)
		goto fail;
	ret = endpoints_resolve(wg, phys_fd, cfg->netns, ENDPOINT_TIMEOUT_MS, eps, err);
	if (ret < 0)
		goto fail;
	step_caps(caps_net);
	ret = wg_set_device(tunnel, wg, eps, err);
	if (ret < 0)
		goto fail;
	ret = setup_tunnel(cfg, wg, nl_main, tunnel, err);
	if (ret < 0)
		goto fail;
	step_caps(caps_none);
	ret = verify_main(nl_main, tunnel, err);
	if (ret < 0)
		goto fail;
	st->stage = STATE_STAGE_UP;
	ret = state_write(st, err);
	if (ret < 0)
		goto fail;
	goto out;

fail:
	if (err)
		err->changed = true;
	if (teardown(st, NULL) < 0 && err) {
		/* Keep the journal: down can finish what the rollback could not. */
		err->stuck = true;
		goto out;
	}
fail_nostate:
	step_caps(caps_ns);
	if (st && st->resolv != RESOLV_KEPT)
		resolv_restore(st->resolv, NULL);	/* drops the saved copy */
	state_remove(NULL);
out:
	if (eps)
		explicit_bzero(eps, (wg->n_peers + 1) * sizeof(*eps));
	free(eps);
	nlk_close(nl_phys);
	nlk_close(nl_main);
	if (phys_fd >= 0)
		close(phys_fd);
	if (main_fd >= 0)
		close(main_fd);
	state_free(st);
	if (lock >= 0)
		close(lock);
	return ret;
}

int down_run(const struct wgphys_config *cfg, bool restore, struct wgp_err *err)
{
	struct state *st = NULL;
	int lock, self, ret;
	dev_t dev;
	ino_t ino;

	ret = caps_limit(up_caps);
	if (ret < 0)
		return wgp_errf(err, EPERM, "Cannot limit capabilities");
	step_caps(caps_none);
	lock = state_lock(err);
	if (lock < 0)
		return lock;
	ret = state_read(&st, err);
	if (ret < 0)
		goto out;
	self = netns_current();
	if (self < 0 || netns_id(self, &dev, &ino) < 0 ||
	    dev != st->main_dev || ino != st->main_ino) {
		ret = wgp_errf(err, EXDEV, "wgphys was brought up in another network namespace");
		if (self >= 0)
			close(self);
		goto out;
	}
	close(self);
	ret = teardown(st, err);
	if (ret == 0)
		ret = state_remove(err);
	/*
	 * Only once the state is gone: the network is back by now, and this
	 * is a courtesy (one may already run, e.g. from an earlier down). Its
	 * failure is reported in err, as a warning, with success.
	 */
	if (ret == 0 && restore && cfg && cfg->restore_on_down)
		restore_daemons(cfg, st, err);
out:
	state_free(st);
	close(lock);
	return ret;
}

static void emitf(void (*emit)(void *, const char *), void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void emitf(void (*emit)(void *, const char *), void *arg, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(arg, line);
}

static const char *cidr_str(const struct cidr *c, char *buf, size_t len, bool route)
{
	char a[INET6_ADDRSTRLEN];

	if (route && !c->prefixlen)
		return "default";
	inet_ntop(c->family, &c->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, c->prefixlen);
	return buf;
}

int up_dry_run(const struct wgphys_config *cfg, const struct wg_config *wg,
	       void (*emit)(void *arg, const char *line), void *arg, struct wgp_err *err)
{
	char buf[1024], conf[PATH_MAX], c[64], pub[45];
	struct state *st = NULL;
	struct nlk *nl = NULL;
	const char *ns = cfg->netns, *tun = cfg->tunnel_ifname;
	size_t i, j, off;
	int ret;

	ret = nlk_open(&nl, NETLINK_ROUTE, -1);
	if (ret < 0)
		return wgp_errf(err, -ret, "Cannot open rtnetlink: %s", strerror(-ret));
	ret = plan(cfg, nl, &st, err);
	if (ret < 0)
		goto out;
	emitf(emit, arg, "ip netns add %s", ns);
	if (etc_plan(ns) & ETC_CREATED_RESOLV)
		emitf(emit, arg, "mkdir -p %s/%s && cp %s %s/%s/resolv.conf", NETNS_ETC_DIR, ns,
		      RESOLV_CONF, NETNS_ETC_DIR, ns);
	emitf(emit, arg, "ip -n %s link set lo up", ns);
	emitf(emit, arg, "ip -n %s link add %s mtu %u type wireguard", ns, tun,
	      wg->mtu ? wg->mtu : DEFAULT_MTU);
	emitf(emit, arg, "ip -n %s link set %s netns $$", ns, tun);
	for (i = 0; i < st->n_phys; i++)
		emitf(emit, arg, "iw phy %s set netns name %s", st->phys[i].name, ns);
	for (i = 0; i < st->n_links; i++)
		if (!link_is_wireless(&st->links[i]))
			emitf(emit, arg, "ip link set %s netns %s", st->links[i].name, ns);
	for (i = 0; i < st->n_links; i++) {
		const struct state_link *l = &st->links[i];

		if (l->up)
			emitf(emit, arg, "ip -n %s link set %s up", ns, l->name);
		for (j = 0; j < st->n_saved; j++) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)st->saved[j].data;
			int idx = saved_ifindex(nlh);

			if (idx == l->ifindex && rtnl_describe(nlh, l->name, buf, sizeof(buf)) == 0)
				emitf(emit, arg, "ip -n %s %s", ns, buf);
		}
	}
	for (i = 0; i < st->n_links; i++)
		if (link_is_wireless(&st->links[i]) &&
		    wpa_config_for(cfg, st->links[i].name, conf, sizeof(conf)))
			emitf(emit, arg, "ip netns exec %s wpa_supplicant -B -D nl80211 -i %s -c %s",
			      ns, st->links[i].name, conf);
	if (cfg->dhcp == DHCP_DHCPCD) {
		off = 0;
		for (i = 0; i < st->n_links && off < sizeof(buf); i++)
			if (st->links[i].type == ARPHRD_ETHER)
				off += (size_t)snprintf(buf + off, sizeof(buf) - off, " %s",
							st->links[i].name);
		emitf(emit, arg, "ip netns exec %s dhcpcd -b%s", ns, buf);
	}
	off = (size_t)snprintf(buf, sizeof(buf), "wg set %s private-key /dev/stdin", tun);
	if (wg->has_listen_port)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, " listen-port %u", wg->listen_port);
	if (wg->has_fwmark)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, " fwmark 0x%x", wg->fwmark);
	emit(arg, buf);
	for (i = 0; i < wg->n_peers; i++) {
		const struct wg_peer *p = &wg->peers[i];

		key_to_base64(pub, p->public_key);
		off = (size_t)snprintf(buf, sizeof(buf), "wg set %s peer %s", tun, pub);
		if (p->has_preshared_key)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, " preshared-key /dev/stdin");
		if (p->endpoint_host)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off,
						strchr(p->endpoint_host, ':') ? " endpoint [%s]:%u" :
						" endpoint %s:%u", p->endpoint_host, p->endpoint_port);
		if (p->keepalive)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off,
						" persistent-keepalive %u", p->keepalive);
		for (j = 0; j < p->n_allowedips && off < sizeof(buf); j++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
						j ? "," : " allowed-ips ",
						cidr_str(&p->allowedips[j], c, sizeof(c), false));
		emit(arg, buf);
	}
	for (i = 0; i < wg->n_addrs; i++)
		emitf(emit, arg, "ip %saddr add %s dev %s", wg->addrs[i].family == AF_INET6 ? "-6 " : "",
		      cidr_str(&wg->addrs[i], c, sizeof(c), false), tun);
	emitf(emit, arg, "ip link set %s up", tun);
	for (i = 0; i < wg->n_peers; i++)
		for (j = 0; j < wg->peers[i].n_allowedips; j++)
			emitf(emit, arg, "ip %sroute add %s dev %s",
			      wg->peers[i].allowedips[j].family == AF_INET6 ? "-6 " : "",
			      cidr_str(&wg->peers[i].allowedips[j], c, sizeof(c), true), tun);
	if (wg->n_dns || wg->n_dns_search) {
		off = (size_t)snprintf(buf, sizeof(buf), "printf '");
		for (i = 0; i < wg->n_dns && off < sizeof(buf); i++) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(wg->dns[i].family, &wg->dns[i].addr, a, sizeof(a));
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "nameserver %s\\n", a);
		}
		for (i = 0; i < wg->n_dns_search && off < sizeof(buf); i++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s%s",
						i ? " " : "search ", wg->dns_search[i],
						i + 1 == wg->n_dns_search ? "\\n" : "");
		if (off < sizeof(buf))
			snprintf(buf + off, sizeof(buf) - off, "' > %s", RESOLV_CONF);
		emit(arg, buf);
	}
out:
	state_free(st);
	nlk_close(nl);
	return ret;
}

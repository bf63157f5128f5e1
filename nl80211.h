/* SPDX-License-Identifier: GPL-2.0 */
/* Wireless phys over nl80211 (libnl-genl-3). 0 or -errno. */
#ifndef WGPHYS_NL80211_H
#define WGPHYS_NL80211_H

#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "err.h"

struct phy_info {
	uint32_t index;
	char name[64];
};

struct wdev_info {
	int ifindex;
	char name[IFNAMSIZ];
	uint32_t phy;
};

/*
 * The phys and wireless interfaces of the namespace netns_fd (-1: the
 * current one). A kernel without nl80211 has none: 0 with empty lists.
 */
int nl80211_phys(int netns_fd, struct phy_info **out, size_t *n, struct wgp_err *err);
int nl80211_ifaces(int netns_fd, struct wdev_info **out, size_t *n, struct wgp_err *err);

/* Move phy (seen from from_netns_fd) and its interfaces to to_netns_fd. */
int nl80211_phy_move(int from_netns_fd, uint32_t phy, const char *name,
		     int to_netns_fd, struct wgp_err *err);

#endif

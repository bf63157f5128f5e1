/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What counts as a way out of a namespace, and from that, what `up` moves
 * and whether the main namespace holds nothing but the tunnel. One
 * definition, shared by `up`'s plan, its final check, the guard and status.
 */
#ifndef WGPHYS_PLAN_H
#define WGPHYS_PLAN_H

#include <stdbool.h>

#include "model.h"
#include "err.h"
#include "nl80211.h"
#include "rtnl.h"
#include "state.h"
#include "wg.h"

/*
 * A device that can reach a network on its own: one the kernel names a
 * parent device for, or (on kernels before 5.14, which do not) one that no
 * rtnetlink "kind" created, that is, a driver's. The loopback is neither.
 */
bool link_is_way_out(const struct link_info *l);
/* A kind that sends through the device it is stacked on (vlan, macvlan...). */
bool link_is_stacked(const struct link_info *l);
/* The wireless interface of ifindex in w[0..n), or NULL. */
const struct wdev_info *wdev_of(const struct wdev_info *w, size_t n, int ifindex);

/*
 * Decide, from what the kernel reports in the current namespace (nl, wl:
 * its rtnetlink and nl80211 sockets; wl NULL: no wireless), what up
 * moves: with Interfaces = auto every way out and every phy, else the
 * listed links (a wireless one takes its phy and the phy's other
 * interfaces along). Each moving link's addresses and routes are saved.
 * Refuses (err set, nothing changed) a tunnel name in use, a listed link
 * that is missing or the loopback, a device stacked on a moving NIC, an
 * existing namespace of the name, and nothing to move.
 */
int plan_make(const struct wgphys_config *cfg, struct nlk *nl, struct nl80211 *wl,
	      struct state **out, struct wgp_err *err);

/*
 * The kill switch holds only if the current namespace has no way out but
 * the tunnel (tunnel_ifindex; 0: none allowed): no way-out link, no
 * wireless interface or phy, nothing stacked on a device elsewhere.
 * -EEXIST with err naming the first offender.
 */
int plan_check_main(struct nlk *nl, struct nl80211 *wl, int tunnel_ifindex,
		    struct wgp_err *err);

/*
 * The tunnel's MTU: the file's, else as wg-quick derives it from the
 * uplink: the largest path MTU (nl's view) towards an endpoint (eps, one
 * per peer, unresolved ones skipped) minus WireGuard's 80 bytes; 1420 when
 * none has a route; at least 1280 when the tunnel carries IPv6.
 */
uint32_t plan_tunnel_mtu(struct nlk *nl, const struct wg_config *wg,
			 const struct wg_endpoint *eps);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wireless phys over nl80211 (libnl-genl-3): list them and their
 * interfaces, move one to another network namespace, and hear when one
 * comes or goes. 0 or -errno, with struct wgp_err filled in.
 *
 * A list is complete or the call fails: every attribute used is checked
 * for its type and exact length, and a malformed message, an allocation
 * failure or a dump the kernel interrupted fails the whole call. The final
 * kill-switch check relies on that.
 */
#ifndef WGPHYS_NL80211_H
#define WGPHYS_NL80211_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/nl80211.h>

#include "err.h"

struct phy_info {
	uint32_t index;
	char name[NL80211_WIPHY_NAME_MAXLEN + 1];
	/* The driver lets the phy change namespace (the kernel lists
	 * NL80211_CMD_SET_WIPHY_NETNS among its commands only when the
	 * driver set WIPHY_FLAG_NETNS_OK). Meaningful only if netns_known:
	 * a listed phy always has it; an event may lack the command list. */
	bool netns_ok;
	bool netns_known;
};

struct wdev_info {
	int ifindex;
	char name[IFNAMSIZ];
	uint32_t phy;
};

/*
 * One netlink socket in one namespace, nl80211's family id resolved once.
 * netns_fd -1: the current namespace. 0 with *out == NULL when the kernel
 * has no nl80211 (no cfg80211): no wireless there. Every function below
 * takes such a NULL handle: lists come back empty, a move fails (-ENODEV).
 * A call that fails midway (a reply cut short) leaves the handle refusing
 * further requests with that errno: close it and open another.
 */
struct nl80211;
int nl80211_open(struct nl80211 **out, int netns_fd, struct wgp_err *err);
void nl80211_close(struct nl80211 *nl);

/* The phys and the wireless interfaces that have a netdev (a P2P device
 * has none and is not listed; it follows its phy). The caller frees *out. */
int nl80211_list_phys(struct nl80211 *nl, struct phy_info **out, size_t *n,
		      struct wgp_err *err);
int nl80211_list_ifaces(struct nl80211 *nl, struct wdev_info **out, size_t *n,
			struct wgp_err *err);

/* Move phy (name: for the message) and its interfaces to to_netns_fd. */
int nl80211_set_netns(struct nl80211 *nl, uint32_t phy, const char *name,
		      int to_netns_fd, struct wgp_err *err);

/*
 * Events: a handle of its own, subscribed to nl80211's "config" multicast
 * group in netns_fd (-1: the current one); *out NULL when there is no
 * nl80211. A type apart from struct nl80211 because its socket must carry
 * nothing but events: a request's reply would be interleaved with them.
 * Open it before listing, so that nothing can happen unseen in between.
 */
struct nl80211_watch;
int nl80211_watch_open(struct nl80211_watch **out, int netns_fd, struct wgp_err *err);
void nl80211_watch_close(struct nl80211_watch *w);
/* For poll/epoll (readable: call nl80211_watch_read); -1 for NULL. */
int nl80211_watch_fd(const struct nl80211_watch *w);

typedef void nl80211_phy_cb(void *arg, const struct phy_info *phy, bool added);

/*
 * Never blocks: reads what is queued and calls cb for each phy that
 * appeared (added: NL80211_CMD_NEW_WIPHY, which the kernel also sends when
 * a phy is renamed or arrives from another namespace, so treat it as "is
 * here now") or went (DEL_WIPHY, also sent when it leaves for another
 * namespace). Returns 0 when the queue is empty. Any error means events
 * were lost and the caller must list again: -ENOBUFS is the kernel's
 * overrun, -EMSGSIZE or -EBADMSG an event that could not be read.
 */
int nl80211_watch_read(struct nl80211_watch *w, nl80211_phy_cb *cb, void *arg,
		       struct wgp_err *err);

/*
 * The parsers: pure functions over messages as the kernel sends them. The
 * calls above use them on what they receive; tests and the fuzzer
 * (tests/fuzz/fuzz-nl80211.c) on saved or hand-built replies.
 *
 * A reply is every message in buf that carries the request's seq and our
 * portid (others are skipped, as a late answer to an earlier request
 * would be), up to the ack or NLMSG_DONE; data messages must be of type
 * family. Returns 0 for a whole reply, -EBADMSG for a malformed or
 * unfinished one, -EINTR for a dump the kernel flagged as interrupted, or
 * the kernel's own -errno (its words in extack).
 */
#define NL80211_EXTACK_LEN 256
struct nl80211_reply {
	uint16_t family;
	uint32_t seq;
	uint32_t portid;
	char extack[NL80211_EXTACK_LEN];
};
int nl80211_parse_phys(struct nl80211_reply *r, const void *buf, size_t len,
		       struct phy_info **out, size_t *n);
int nl80211_parse_ifaces(struct nl80211_reply *r, const void *buf, size_t len,
			 struct wdev_info **out, size_t *n);
/* The generic netlink controller's answer about "nl80211" (r->family is
 * GENL_ID_CTRL): its family id and "config" group (0: none). */
int nl80211_parse_family(struct nl80211_reply *r, const void *buf, size_t len,
			 uint16_t *family, uint32_t *config_group);
/* One datagram from the multicast group: cb for each phy event of family;
 * other messages are ignored. 0, or -EBADMSG after the events it could read. */
int nl80211_parse_events(uint16_t family, const void *buf, size_t len,
			 nl80211_phy_cb *cb, void *arg);

#endif

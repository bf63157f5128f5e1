/* SPDX-License-Identifier: GPL-2.0 */
/* rtnetlink: links, addresses and routes. All return 0 or -errno. */
#ifndef WGPHYS_RTNL_H
#define WGPHYS_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "model.h"
#include "netlink.h"

struct link_info {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[32];		/* IFLA_INFO_KIND, "" for none */
	char mac[3 * 32];	/* "aa:bb:..", "" for none */
	char perm_mac[3 * 32];	/* the burnt-in address, "" if unknown */
	int lower;		/* IFLA_LINK: the device it is stacked on */
	bool lower_elsewhere;	/* ...which is in another namespace */
	unsigned int flags;	/* IFF_* */
	unsigned int type;	/* ARPHRD_* */
	bool hardware;		/* the kernel names a parent device */
	unsigned int mtu;	/* IFLA_MTU */
};

int rtnl_links(struct nlk *nl, struct link_info **out, size_t *n);

/* An address as `ip addr` shows it (IFA_LOCAL, or IFA_ADDRESS without). */
struct addr_info {
	int ifindex;
	struct cidr addr;
	unsigned char scope;	/* RT_SCOPE_* */
};
/* Every address of the namespace, in the kernel's order. */
int rtnl_addrs(struct nlk *nl, struct addr_info **out, size_t *n);
/* One RTM_NEWLINK/RTM_DELLINK message (a dump's or an event's) into out:
 * 0, or -EINVAL for anything else, a message too short, or one of another
 * family than AF_UNSPEC (a bridge's AF_BRIDGE record of a port). */
int rtnl_link_parse(const struct nlmsghdr *nlh, struct link_info *out);
/* The link called name, or -ENODEV. */
int rtnl_link_by_name(struct nlk *nl, const char *name, struct link_info *out);

/*
 * The link a state recorded: by its burnt-in address (mac, as the plan
 * saved it) among the links of the same kind ("" for a driver's NIC), since
 * a bridge or a bond may carry the same current address; by name when it
 * has no address. -ENODEV if none.
 */
int rtnl_link_find(struct nlk *nl, const char *mac, const char *kind, const char *name,
		   struct link_info *out);
/* The ifindex a saved address or route belongs to, or -1. */
int rtnl_msg_ifindex(const struct nlmsghdr *saved);

/* Move a link to another namespace, renaming it there if newname. */
int rtnl_link_move(struct nlk *nl, int ifindex, int netns_fd, const char *newname);
int rtnl_link_set_up(struct nlk *nl, int ifindex, bool up);
int rtnl_link_rename(struct nlk *nl, int ifindex, const char *name);
int rtnl_link_del(struct nlk *nl, int ifindex);
int rtnl_link_set_mtu(struct nlk *nl, int ifindex, uint32_t mtu);

/*
 * The MTU of the path to dst (a struct sockaddr_in or _in6, as a peer's
 * endpoint), as `ip route get` would tell it: the route's own MTU metric,
 * else its device's. -ENETUNREACH when there is no route.
 */
int rtnl_path_mtu(struct nlk *nl, const struct sockaddr *dst, uint32_t *mtu);

/*
 * Create a WireGuard link named name from a socket of its birthplace (nl)
 * and put it in dest_netns_fd in the same request: its UDP socket stays in
 * the birthplace, and it never exists there as a device.
 */
int rtnl_wireguard_create(struct nlk *nl, const char *name, uint32_t mtu,
			  int dest_netns_fd);

/*
 * Hand fn every address and route of ifindex that `ip` would have to
 * re-add by hand after the link changes namespace: not the kernel's own
 * (prefix routes, local table, link-local, temporary addresses).
 * Addresses come before routes, gateways' routes after their prefix.
 */
int rtnl_save(struct nlk *nl, int ifindex,
	      int (*fn)(void *arg, const struct nlmsghdr *nlh), void *arg);
/*
 * Re-add a saved address or route on ifindex, elapsed seconds after it was
 * saved (its lifetimes shrink by as much; one that ran out is skipped).
 * Already there is success.
 */
int rtnl_replay(struct nlk *nl, const struct nlmsghdr *saved, int ifindex, uint32_t elapsed);

int rtnl_addr_add(struct nlk *nl, int ifindex, const struct cidr *addr);
int rtnl_route_add(struct nlk *nl, int ifindex, const struct cidr *dst);

/* For --dry-run: describe a saved message as `ip` arguments. */
int rtnl_describe(const struct nlmsghdr *saved, const char *dev, char *buf, size_t len);

#endif

// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <net/if_arp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "rtnl.h"

struct links {
	struct link_info *v;
	size_t n;
};

static int linkinfo_kind(const struct nlattr *nest, char *kind, size_t len)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
		    mnl_attr_validate(a, MNL_TYPE_STRING) == 0)
			snprintf(kind, len, "%.*s", (int)mnl_attr_get_payload_len(a),
				 (const char *)mnl_attr_get_payload(a));
	}
	return 0;
}

static void format_mac(char *out, size_t len, const uint8_t *mac, size_t n)
{
	size_t i, off = 0;

	out[0] = '\0';
	for (i = 0; i < n && off + 3 < len; i++)
		off += (size_t)snprintf(out + off, len - off, i ? ":%02x" : "%02x", mac[i]);
}

int rtnl_link_parse(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct ifinfomsg *ifi;
	const struct nlattr *a;

	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -EINVAL;
	ifi = mnl_nlmsg_get_payload(nlh);
	/* A bridge's record of one of its ports (AF_BRIDGE, sent to the
	 * same group when a link is enslaved) carries no IFLA_LINKINFO: read
	 * as a link, a veth in a bridge would look like a driver's NIC. */
	if (ifi->ifi_family != AF_UNSPEC)
		return -EINVAL;
	memset(li, 0, sizeof(*li));
	li->ifindex = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	li->type = ifi->ifi_type;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_ADDRESS:
			format_mac(li->mac, sizeof(li->mac), mnl_attr_get_payload(a),
				   mnl_attr_get_payload_len(a));
			break;
		case IFLA_LINKINFO:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
				linkinfo_kind(a, li->kind, sizeof(li->kind));
			break;
		case IFLA_PARENT_DEV_NAME:
			li->hardware = true;
			break;
		case IFLA_PERM_ADDRESS:
			format_mac(li->perm_mac, sizeof(li->perm_mac), mnl_attr_get_payload(a),
				   mnl_attr_get_payload_len(a));
			break;
		case IFLA_LINK:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->lower = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_LINK_NETNSID:
			li->lower_elsewhere = true;
			break;
		case IFLA_MTU:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->mtu = mnl_attr_get_u32(a);
			break;
		}
	}
	return 0;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct links *l = data;
	struct link_info *v;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	l->v = v;
	if (rtnl_link_parse(nlh, &v[l->n]) == 0)
		l->n++;
	return MNL_CB_OK;
}

int rtnl_links(struct nlk *nl, struct link_info **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct links l = { 0 };
	struct ifinfomsg *ifi;
	int ret, tries = 0;

	do {
		free(l.v);
		l.v = NULL;
		l.n = 0;
		nlh = nlk_msg(nl, buf, RTM_GETLINK, NLM_F_DUMP);
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ret = nlk_talk(nl, nlh, link_cb, &l);
	} while (ret == -EINTR && ++tries < 5);	/* changed under the dump: again */
	if (ret < 0) {
		free(l.v);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

struct addrs {
	struct addr_info *v;
	size_t n;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *local = NULL, *address = NULL;
	struct addrs *l = data;
	struct addr_info *v, ai = { 0 };
	size_t alen;

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return MNL_CB_OK;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	alen = ifa->ifa_family == AF_INET ? 4 : 16;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_payload_len(a) != alen)
			continue;
		if (mnl_attr_get_type(a) == IFA_LOCAL)
			local = a;
		else if (mnl_attr_get_type(a) == IFA_ADDRESS)
			address = a;
	}
	if (!local)
		local = address;
	if (!local || ifa->ifa_prefixlen > alen * 8)
		return MNL_CB_OK;
	ai.ifindex = (int)ifa->ifa_index;
	ai.scope = ifa->ifa_scope;
	ai.addr.family = ifa->ifa_family;
	ai.addr.prefixlen = ifa->ifa_prefixlen;
	memcpy(&ai.addr.addr, mnl_attr_get_payload(local), alen);
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	l->v = v;
	v[l->n++] = ai;
	return MNL_CB_OK;
}

int rtnl_addrs(struct nlk *nl, struct addr_info **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct addrs l = { 0 };
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int ret, tries = 0;

	do {
		free(l.v);
		l = (struct addrs){ 0 };
		nlh = nlk_msg(nl, buf, RTM_GETADDR, NLM_F_DUMP);
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_UNSPEC;
		ret = nlk_talk(nl, nlh, addr_cb, &l);
	} while (ret == -EINTR && ++tries < 5);	/* changed under the dump: again */
	if (ret < 0) {
		free(l.v);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int rtnl_link_by_name(struct nlk *nl, const char *name, struct link_info *out)
{
	struct link_info *v = NULL;
	size_t n = 0, i;
	int ret;

	ret = rtnl_links(nl, &v, &n);
	if (ret < 0)
		return ret;
	ret = -ENODEV;
	for (i = 0; i < n; i++) {
		if (!strcmp(v[i].name, name)) {
			*out = v[i];
			ret = 0;
			break;
		}
	}
	free(v);
	return ret;
}

/* Whether v is the link of that burnt-in address and kind: a bridge
 * copies its first port's address, but not its kind. */
static bool is_link_of(const struct link_info *v, const char *mac, const char *kind)
{
	if ((strcmp(kind, "*") && strcmp(v->kind, kind)) || v->type == ARPHRD_LOOPBACK)
		return false;
	if (v->perm_mac[0])
		return !strcmp(v->perm_mac, mac);
	return !strcmp(v->mac, mac);
}

int rtnl_link_find(struct nlk *nl, const char *mac, const char *kind, const char *name,
		   struct link_info *out)
{
	struct link_info *v = NULL;
	size_t n = 0, i;
	int ret;

	ret = rtnl_links(nl, &v, &n);
	if (ret < 0)
		return ret;
	ret = -ENODEV;
	for (i = 0; i < n && ret; i++) {
		if (mac[0] ? is_link_of(&v[i], mac, kind) : !strcmp(v[i].name, name)) {
			*out = v[i];
			ret = 0;
		}
	}
	free(v);
	return ret;
}

int rtnl_msg_ifindex(const struct nlmsghdr *saved)
{
	const struct nlattr *a;
	int idx = -1;

	if (saved->nlmsg_type == RTM_NEWADDR) {
		if (mnl_nlmsg_get_payload_len(saved) < sizeof(struct ifaddrmsg))
			return -1;
		return (int)((const struct ifaddrmsg *)mnl_nlmsg_get_payload(saved))->ifa_index;
	}
	if (saved->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(saved) < sizeof(struct rtmsg))
		return -1;
	mnl_attr_for_each(a, saved, sizeof(struct rtmsg))
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			idx = (int)mnl_attr_get_u32(a);
	return idx;
}

static struct nlmsghdr *link_msg(struct nlk *nl, void *buf, uint16_t type,
				 uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh = nlk_msg(nl, buf, type, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

int rtnl_link_move(struct nlk *nl, int ifindex, int netns_fd, const char *newname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(nl, buf, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (newname)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
	return nlk_talk(nl, nlh, NULL, NULL);
}

int rtnl_link_set_up(struct nlk *nl, int ifindex, bool up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(nl, buf, RTM_NEWLINK, 0, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return nlk_talk(nl, nlh, NULL, NULL);
}

int rtnl_link_rename(struct nlk *nl, int ifindex, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(nl, buf, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlk_talk(nl, nlh, NULL, NULL);
}

int rtnl_link_del(struct nlk *nl, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return nlk_talk(nl, link_msg(nl, buf, RTM_DELLINK, 0, ifindex), NULL, NULL);
}

int rtnl_link_set_mtu(struct nlk *nl, int ifindex, uint32_t mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(nl, buf, RTM_NEWLINK, 0, ifindex);

	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nlk_talk(nl, nlh, NULL, NULL);
}

struct route_get {
	int oif;
	uint32_t mtu;		/* RTAX_MTU of the route, 0 if none */
};

static int route_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_get *r = data;
	const struct nlattr *a, *m;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtmsg))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct rtmsg)) {
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			r->oif = (int)mnl_attr_get_u32(a);
		if (mnl_attr_get_type(a) != RTA_METRICS ||
		    mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			continue;
		mnl_attr_for_each_nested(m, a)
			if (mnl_attr_get_type(m) == RTAX_MTU &&
			    mnl_attr_validate(m, MNL_TYPE_U32) == 0)
				r->mtu = mnl_attr_get_u32(m);
	}
	return MNL_CB_OK;
}

int rtnl_path_mtu(struct nlk *nl, const struct sockaddr *dst, uint32_t *mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nlk_msg(nl, buf, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct route_get r = { 0 };
	struct link_info *v = NULL;
	size_t n = 0;
	int ret;

	rtm->rtm_family = (uint8_t)dst->sa_family;
	if (dst->sa_family == AF_INET) {
		rtm->rtm_dst_len = 32;
		mnl_attr_put(nlh, RTA_DST, 4, &((const struct sockaddr_in *)(const void *)dst)->sin_addr);
	} else if (dst->sa_family == AF_INET6) {
		rtm->rtm_dst_len = 128;
		mnl_attr_put(nlh, RTA_DST, 16,
			     &((const struct sockaddr_in6 *)(const void *)dst)->sin6_addr);
	} else {
		return -EAFNOSUPPORT;
	}
	ret = nlk_talk(nl, nlh, route_get_cb, &r);
	if (ret < 0)
		return ret;
	if (r.mtu) {
		*mtu = r.mtu;
		return 0;
	}
	ret = rtnl_links(nl, &v, &n);
	for (size_t i = 0; !ret && i < n; i++)
		if (v[i].ifindex == r.oif)
			*mtu = v[i].mtu;
	free(v);
	return ret < 0 ? ret : (r.oif ? 0 : -ENETUNREACH);
}

int rtnl_wireguard_create(struct nlk *nl, const char *name, uint32_t mtu,
			  int dest_netns_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(nl, buf, RTM_NEWLINK,
					NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *info;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)dest_netns_fd);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "wireguard");
	mnl_attr_nest_end(nlh, info);
	return nlk_talk(nl, nlh, NULL, NULL);
}

struct save {
	int ifindex;
	int (*fn)(void *arg, const struct nlmsghdr *nlh);
	void *arg;
	int ret;
};

static bool is_v6_linklocal(const void *addr)
{
	const uint8_t *a = addr;

	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static int addr_save_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct save *s = data;
	const struct nlattr *a;
	uint32_t flags = ifa->ifa_flags;

	if (nlh->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != s->ifindex)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_FLAGS &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			flags = mnl_attr_get_u32(a);
		/* Made by the kernel from router advertisements (SLAAC) or for
		 * the link itself: it makes them again in the new place. */
		if (mnl_attr_get_type(a) == IFA_PROTO &&
		    mnl_attr_validate(a, MNL_TYPE_U8) == 0 &&
		    mnl_attr_get_u8(a) != IFAPROT_UNSPEC)
			return MNL_CB_OK;
		/* The kernel makes link-local addresses itself. */
		if (ifa->ifa_family == AF_INET6 && mnl_attr_get_type(a) == IFA_ADDRESS &&
		    mnl_attr_get_payload_len(a) == 16 &&
		    is_v6_linklocal(mnl_attr_get_payload(a)))
			return MNL_CB_OK;
	}
	/* IFA_F_TEMPORARY is IFA_F_SECONDARY's bit: only IPv6 privacy
	 * addresses are skipped (the kernel makes new ones), never an IPv4
	 * secondary address. */
	if (ifa->ifa_family == AF_INET6 && (flags & IFA_F_TEMPORARY))
		return MNL_CB_OK;
	s->ret = s->fn(s->arg, nlh);
	return s->ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int route_save_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct save *s = data;
	const struct nlattr *a;
	uint32_t table = rtm->rtm_table;
	int oif = 0;

	/* The kernel's own routes, and those it learnt from router
	 * advertisements: replayed, an RA route would stop the kernel from
	 * taking the next advertisement's. */
	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_type != RTN_UNICAST ||
	    rtm->rtm_protocol == RTPROT_KERNEL || rtm->rtm_protocol == RTPROT_RA ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_OIF:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				oif = (int)mnl_attr_get_u32(a);
			break;
		case RTA_TABLE:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				table = mnl_attr_get_u32(a);
			break;
		case RTA_MULTIPATH:
			/* Several links at once: not ours to move. */
			return MNL_CB_OK;
		}
	}
	if (oif != s->ifindex || table == RT_TABLE_LOCAL)
		return MNL_CB_OK;
	s->ret = s->fn(s->arg, nlh);
	return s->ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int dump(struct nlk *nl, uint16_t type, uint8_t family, mnl_cb_t cb, struct save *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nlk_msg(nl, buf, type, NLM_F_DUMP);
	int ret;

	if (type == RTM_GETADDR) {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

		ifa->ifa_family = family;
	} else {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

		rtm->rtm_family = family;
	}
	ret = nlk_talk(nl, nlh, cb, s);
	return s->ret < 0 ? s->ret : ret;
}

int rtnl_save(struct nlk *nl, int ifindex,
	      int (*fn)(void *arg, const struct nlmsghdr *nlh), void *arg)
{
	struct save s = { .ifindex = ifindex, .fn = fn, .arg = arg };
	int ret;

	ret = dump(nl, RTM_GETADDR, AF_UNSPEC, addr_save_cb, &s);
	if (ret < 0)
		return ret;
	ret = dump(nl, RTM_GETROUTE, AF_INET, route_save_cb, &s);
	if (ret < 0)
		return ret;
	return dump(nl, RTM_GETROUTE, AF_INET6, route_save_cb, &s);
}

/* Only what the kernel accepts back on a request, and means the same. */
static bool keep_addr_attr(uint16_t type)
{
	switch (type) {
	case IFA_ADDRESS:
	case IFA_LOCAL:
	case IFA_BROADCAST:
	case IFA_RT_PRIORITY:
		return true;
	}
	return false;
}

static bool keep_route_attr(uint16_t type)
{
	switch (type) {
	case RTA_DST:
	case RTA_SRC:
	case RTA_GATEWAY:
	case RTA_PREFSRC:
	case RTA_PRIORITY:
	case RTA_TABLE:
	case RTA_METRICS:
	case RTA_PREF:
	case RTA_VIA:
		return true;
	}
	return false;
}

#define ADDR_FLAGS_KEPT (IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | \
			 IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN)

/* What is left of a lifetime after elapsed seconds; 0: it ran out. */
static uint32_t lifetime_left(uint32_t lft, uint32_t elapsed)
{
	if (lft == UINT32_MAX)
		return lft;	/* forever */
	return lft > elapsed ? lft - elapsed : 0;
}

int rtnl_replay(struct nlk *nl, const struct nlmsghdr *saved, int ifindex, uint32_t elapsed)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	const struct nlattr *a;
	int ret;

	if (saved->nlmsg_type == RTM_NEWADDR) {
		const struct ifaddrmsg *old = mnl_nlmsg_get_payload(saved);
		struct ifaddrmsg *ifa;
		uint32_t flags = old->ifa_flags;

		nlh = nlk_msg(nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		*ifa = *old;
		ifa->ifa_index = (uint32_t)ifindex;
		mnl_attr_for_each(a, saved, sizeof(*old)) {
			if (mnl_attr_get_type(a) == IFA_FLAGS &&
			    mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
				flags = mnl_attr_get_u32(a);
			} else if (mnl_attr_get_type(a) == IFA_CACHEINFO &&
				   mnl_attr_get_payload_len(a) >= sizeof(struct ifa_cacheinfo)) {
				/* A lease that ran out while we were up is not
				 * brought back. */
				struct ifa_cacheinfo ci = *(const struct ifa_cacheinfo *)
							  mnl_attr_get_payload(a);

				ci.ifa_valid = lifetime_left(ci.ifa_valid, elapsed);
				ci.ifa_prefered = lifetime_left(ci.ifa_prefered, elapsed);
				if (!ci.ifa_valid)
					return 0;
				mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
			} else if (keep_addr_attr(mnl_attr_get_type(a)))
				mnl_attr_put(nlh, mnl_attr_get_type(a),
					     mnl_attr_get_payload_len(a),
					     mnl_attr_get_payload(a));
		}
		ifa->ifa_flags = (uint8_t)(flags & ADDR_FLAGS_KEPT);
		mnl_attr_put_u32(nlh, IFA_FLAGS, flags & ADDR_FLAGS_KEPT);
	} else if (saved->nlmsg_type == RTM_NEWROUTE) {
		const struct rtmsg *old = mnl_nlmsg_get_payload(saved);
		struct rtmsg *rtm;

		nlh = nlk_msg(nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		*rtm = *old;
		rtm->rtm_flags &= RTNH_F_ONLINK;	/* "via GW onlink" needs it */
		mnl_attr_for_each(a, saved, sizeof(*old)) {
			uint16_t type = mnl_attr_get_type(a);

			if (keep_route_attr(type)) {
				mnl_attr_put(nlh, type, mnl_attr_get_payload_len(a),
					     mnl_attr_get_payload(a));
			} else if (type == RTA_CACHEINFO && old->rtm_family == AF_INET6 &&
				   mnl_attr_get_payload_len(a) >= sizeof(struct rta_cacheinfo)) {
				/* A route learnt from a router advertisement keeps
				 * its lifetime; the dump gives it in clock ticks,
				 * a request takes seconds. */
				const struct rta_cacheinfo *ci = mnl_attr_get_payload(a);
				uint32_t left;

				if (ci->rta_expires <= 0)
					continue;
				left = lifetime_left((uint32_t)ci->rta_expires / 100, elapsed);
				if (!left)
					return 0;
				mnl_attr_put_u32(nlh, RTA_EXPIRES, left);
			}
		}
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	} else {
		return -EINVAL;
	}
	ret = nlk_talk(nl, nlh, NULL, NULL);
	return ret == -EEXIST ? 0 : ret;
}

int rtnl_addr_add(struct nlk *nl, int ifindex, const struct cidr *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nlk_msg(nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t alen = c->family == AF_INET ? 4 : 16;
	int ret;

	ifa->ifa_family = (uint8_t)c->family;
	ifa->ifa_prefixlen = c->prefixlen;
	ifa->ifa_index = (uint32_t)ifindex;
	/* A tunnel has nobody to collide with: skip duplicate address
	 * detection so the address is usable at once. */
	if (c->family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	mnl_attr_put(nlh, IFA_LOCAL, alen, &c->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, &c->addr);
	ret = nlk_talk(nl, nlh, NULL, NULL);
	return ret == -EEXIST ? 0 : ret;
}

int rtnl_route_add(struct nlk *nl, int ifindex, const struct cidr *dst)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nlk_msg(nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	size_t alen = dst->family == AF_INET ? 4 : 16;
	int ret;

	rtm->rtm_family = (uint8_t)dst->family;
	rtm->rtm_dst_len = dst->prefixlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst->prefixlen)
		mnl_attr_put(nlh, RTA_DST, alen, &dst->addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	ret = nlk_talk(nl, nlh, NULL, NULL);
	return ret == -EEXIST ? 0 : ret;
}

int rtnl_describe(const struct nlmsghdr *saved, const char *dev, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "", via[INET6_ADDRSTRLEN] = "";
	const struct nlattr *a;

	if (saved->nlmsg_type == RTM_NEWADDR) {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(saved);

		if (mnl_nlmsg_get_payload_len(saved) < sizeof(*ifa))
			return -EINVAL;
		mnl_attr_for_each(a, saved, sizeof(*ifa)) {
			uint16_t t = mnl_attr_get_type(a);

			if ((t == IFA_LOCAL || (t == IFA_ADDRESS && !addr[0])) &&
			    mnl_attr_get_payload_len(a) >= (ifa->ifa_family == AF_INET ? 4u : 16u))
				inet_ntop(ifa->ifa_family, mnl_attr_get_payload(a), addr, sizeof(addr));
		}
		return snprintf(buf, len, "addr add %s/%u dev %s", addr,
				ifa->ifa_prefixlen, dev) < 0 ? -EINVAL : 0;
	}
	if (saved->nlmsg_type == RTM_NEWROUTE) {
		const struct rtmsg *rtm = mnl_nlmsg_get_payload(saved);
		unsigned int alen;

		if (mnl_nlmsg_get_payload_len(saved) < sizeof(*rtm))
			return -EINVAL;
		alen = rtm->rtm_family == AF_INET ? 4 : 16;
		mnl_attr_for_each(a, saved, sizeof(*rtm)) {
			uint16_t t = mnl_attr_get_type(a);

			if (mnl_attr_get_payload_len(a) < alen)
				continue;
			if (t == RTA_DST)
				inet_ntop(rtm->rtm_family, mnl_attr_get_payload(a), addr, sizeof(addr));
			else if (t == RTA_GATEWAY)
				inet_ntop(rtm->rtm_family, mnl_attr_get_payload(a), via, sizeof(via));
		}
		if (!addr[0])
			snprintf(addr, sizeof(addr), "default");
		else
			snprintf(addr + strlen(addr), sizeof(addr) - strlen(addr), "/%u",
				 rtm->rtm_dst_len);
		return snprintf(buf, len, "%sroute add %s%s%s dev %s",
				rtm->rtm_family == AF_INET6 ? "-6 " : "", addr,
				via[0] ? " via " : "", via, dev) < 0 ? -EINVAL : 0;
	}
	return -EINVAL;
}

// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include "netlink.h"
#include "wg.h"

struct builder {
	const struct wg_config *wg;
	const struct wg_endpoint *endpoints;
	size_t peer;		/* next peer to put */
	size_t aip;		/* its next allowed IP */
	bool continuing;	/* that peer was begun in an earlier message */
};

static bool put_allowedip(struct nlmsghdr *nlh, size_t size, const struct cidr *c)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, size, 0);

	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, size, WGALLOWEDIP_A_FAMILY, (uint16_t)c->family) ||
	    !mnl_attr_put_check(nlh, size, WGALLOWEDIP_A_IPADDR,
				c->family == AF_INET ? 4 : 16, &c->addr) ||
	    !mnl_attr_put_u8_check(nlh, size, WGALLOWEDIP_A_CIDR_MASK, c->prefixlen)) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

static bool put_peer_head(struct nlmsghdr *nlh, size_t size, const struct wg_peer *p,
			  const struct wg_endpoint *ep, bool continuing)
{
	const struct sockaddr_storage *ss = &ep->addr;

	if (!mnl_attr_put_check(nlh, size, WGPEER_A_PUBLIC_KEY, WG_KEY_LEN, p->public_key))
		return false;
	if (continuing)
		return true;	/* only more allowed IPs for a peer already set */
	if (p->has_preshared_key &&
	    !mnl_attr_put_check(nlh, size, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN,
				p->preshared_key))
		return false;
	if (ss->ss_family == AF_INET &&
	    !mnl_attr_put_check(nlh, size, WGPEER_A_ENDPOINT, sizeof(struct sockaddr_in), ss))
		return false;
	if (ss->ss_family == AF_INET6 &&
	    !mnl_attr_put_check(nlh, size, WGPEER_A_ENDPOINT, sizeof(struct sockaddr_in6), ss))
		return false;
	return mnl_attr_put_u16_check(nlh, size, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
				      p->keepalive) &&
	       mnl_attr_put_u32_check(nlh, size, WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS);
}

/* Put as many peers (and allowed IPs) as fit; b remembers where it stopped. */
static void put_peers(struct nlmsghdr *nlh, size_t size, struct builder *b)
{
	struct nlattr *peers, *peer, *aips;

	peers = mnl_attr_nest_start_check(nlh, size, WGDEVICE_A_PEERS);
	if (!peers)
		return;
	for (; b->peer < b->wg->n_peers; b->peer++) {
		const struct wg_peer *p = &b->wg->peers[b->peer];

		peer = mnl_attr_nest_start_check(nlh, size, 0);
		if (!peer)
			goto out;
		if (!put_peer_head(nlh, size, p, &b->endpoints[b->peer], b->continuing))
			goto cancel;
		aips = mnl_attr_nest_start_check(nlh, size, WGPEER_A_ALLOWEDIPS);
		if (!aips)
			goto cancel;
		for (; b->aip < p->n_allowedips; b->aip++) {
			if (!put_allowedip(nlh, size, &p->allowedips[b->aip])) {
				mnl_attr_nest_end(nlh, aips);
				mnl_attr_nest_end(nlh, peer);
				b->continuing = true;
				goto out;
			}
		}
		mnl_attr_nest_end(nlh, aips);
		mnl_attr_nest_end(nlh, peer);
		b->aip = 0;
		b->continuing = false;
	}
	goto out;
cancel:
	mnl_attr_nest_cancel(nlh, peer);
out:
	mnl_attr_nest_end(nlh, peers);
}

int wg_set_device(int ifindex, const struct wg_config *wg,
		  const struct wg_endpoint *endpoints, struct wgp_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct builder b = { .wg = wg, .endpoints = endpoints };
	struct nlk *nl = NULL;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	bool first = true;
	size_t peer0, aip0;
	int family, ret;

	ret = nlk_open(&nl, NETLINK_GENERIC, -1);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot open", "a generic netlink socket");
	family = nlk_genl_family(nl, WG_GENL_NAME);
	if (family < 0) {
		ret = wgp_refuse(err, -family, NULL, "WireGuard is not available in this kernel");
		goto cleanup;
	}
	while (first || b.peer < wg->n_peers) {
		nlh = nlk_msg(nl, buf, (uint16_t)family, 0);
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = WG_CMD_SET_DEVICE;
		g->version = WG_GENL_VERSION;
		mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, (uint32_t)ifindex);
		if (first) {
			if (wg->has_private_key)
				mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN,
					     wg->private_key);
			if (wg->has_listen_port)
				mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, wg->listen_port);
			if (wg->has_fwmark)
				mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, wg->fwmark);
			mnl_attr_put_u32(nlh, WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS);
		}
		peer0 = b.peer;
		aip0 = b.aip;
		put_peers(nlh, sizeof(buf), &b);
		if (!first && peer0 == b.peer && aip0 == b.aip) {
			/* Not even one item fits in an empty message. */
			ret = wgp_refuse(err, EMSGSIZE, NULL, "the WireGuard configuration is too large");
			break;
		}
		first = false;
		ret = nlk_talk(nl, nlh, NULL, NULL);
		explicit_bzero(buf, sizeof(buf));
		if (ret < 0) {
			ret = wgp_fail(err, ret, "Unable to configure", "the tunnel");
			wgp_extack(err, nl->extack);
			break;
		}
	}
cleanup:
	explicit_bzero(buf, sizeof(buf));
	nlk_close(nl);
	return ret;
}

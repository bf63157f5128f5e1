// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "netlink.h"
#include "nl80211.h"

struct session {
	struct nl_sock *sk;
	int family;
	int done;		/* 1 finished, < 0 -errno */
	char extack[256];
};

static int connect_sock(void *arg)
{
	struct session *s = arg;

	return nl_connect(s->sk, NETLINK_GENERIC) < 0 ? -ECONNREFUSED : 0;
}

/* A socket in netns_fd; -EPROTONOSUPPORT when there is no nl80211. */
static int session_open(struct session *s, int netns_fd)
{
	int one = 1, ret;

	memset(s, 0, sizeof(*s));
	s->sk = nl_socket_alloc();
	if (!s->sk)
		return -ENOMEM;
	ret = nlk_in_netns(netns_fd, connect_sock, s);
	if (ret < 0)
		goto err;
	/* libnl opens its sockets without close-on-exec; the daemons and the
	 * user's command must not inherit one. */
	if (fcntl(nl_socket_get_fd(s->sk), F_SETFD, FD_CLOEXEC) < 0) {
		ret = -errno;
		goto err;
	}
	/* The kernel's reasons, for the message (best effort). */
	setsockopt(nl_socket_get_fd(s->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(s->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	s->family = genl_ctrl_resolve(s->sk, NL80211_GENL_NAME);
	if (s->family < 0) {
		/* Only an absent family means "no wireless here": anything
		 * else must not let a check pass. */
		ret = s->family == -NLE_OBJ_NOTFOUND ? -EPROTONOSUPPORT : -EIO;
		goto err;
	}
	return 0;
err:
	nl_socket_free(s->sk);
	s->sk = NULL;
	return ret;
}

static void session_close(struct session *s)
{
	if (s->sk)
		nl_socket_free(s->sk);
	s->sk = NULL;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct session *s = arg;

	(void)msg;
	s->done = 1;
	return NL_STOP;
}

static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct session *s = arg;
	const struct nlattr *a;
	size_t off;

	(void)nla;
	s->done = e->error ? e->error : 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	for (a = (const struct nlattr *)((const char *)nlh + off);
	     (const char *)a + sizeof(*a) <= (const char *)nlh + nlh->nlmsg_len &&
	     a->nla_len >= sizeof(*a) &&
	     (const char *)a + a->nla_len <= (const char *)nlh + nlh->nlmsg_len;
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			snprintf(s->extack, sizeof(s->extack), "%.*s",
				 (int)(a->nla_len - sizeof(*a)), (const char *)(a + 1));
	}
	return NL_STOP;
}

/* Send msg and run valid_cb on each reply until the ack or the dump's end. */
static int session_talk(struct session *s, struct nl_msg *msg,
			nl_recvmsg_msg_cb_t valid_cb, void *arg)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb)
		return -ENOMEM;
	s->done = 0;
	s->extack[0] = '\0';
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, s);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, s);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, finish_cb, s);
	if (valid_cb)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, arg);
	ret = nl_send_auto(s->sk, msg);
	while (ret >= 0 && !s->done)
		ret = nl_recvmsgs(s->sk, cb);
	nl_cb_put(cb);
	if (ret < 0 && !s->done)
		return -EIO;
	return s->done < 0 ? s->done : 0;
}

struct phys {
	struct phy_info *v;
	size_t n;
};

static int phy_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct phys *p = arg;
	struct phy_info *v;
	uint32_t index;
	size_t i;

	if (nla_parse(tb, NL80211_ATTR_MAX, genlmsg_attrdata(g, 0),
		      genlmsg_attrlen(g, 0), NULL) < 0 || !tb[NL80211_ATTR_WIPHY])
		return NL_SKIP;
	index = nla_get_u32(tb[NL80211_ATTR_WIPHY]);
	/* A split dump sends each phy in several parts. */
	for (i = 0; i < p->n; i++)
		if (p->v[i].index == index)
			break;
	if (i == p->n) {
		v = realloc(p->v, (p->n + 1) * sizeof(*v));
		if (!v)
			return NL_STOP;
		p->v = v;
		memset(&v[p->n], 0, sizeof(*v));
		v[p->n++].index = index;
	}
	if (tb[NL80211_ATTR_WIPHY_NAME])
		snprintf(p->v[i].name, sizeof(p->v[i].name), "%s",
			 nla_get_string(tb[NL80211_ATTR_WIPHY_NAME]));
	return NL_SKIP;
}

int nl80211_phys(int netns_fd, struct phy_info **out, size_t *n, struct wgp_err *err)
{
	struct phys p = { 0 };
	struct session s;
	struct nl_msg *msg = NULL;
	int ret;

	*out = NULL;
	*n = 0;
	ret = session_open(&s, netns_fd);
	if (ret == -EPROTONOSUPPORT)
		return 0;
	if (ret < 0)
		return wgp_errf(err, -ret, "Cannot reach nl80211: %s", strerror(-ret));
	msg = nlmsg_alloc();
	if (!msg) {
		ret = -ENOMEM;
		goto cleanup;
	}
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, s.family, 0, NLM_F_DUMP,
		    NL80211_CMD_GET_WIPHY, 0);
	nla_put_flag(msg, NL80211_ATTR_SPLIT_WIPHY_DUMP);
	ret = session_talk(&s, msg, phy_cb, &p);
	if (ret < 0) {
		wgp_errf(err, -ret, "Cannot list wireless phys: %s", strerror(-ret));
		free(p.v);
		goto cleanup;
	}
	*out = p.v;
	*n = p.n;
cleanup:
	nlmsg_free(msg);
	session_close(&s);
	return ret;
}

struct wdevs {
	struct wdev_info *v;
	size_t n;
};

static int iface_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NL80211_ATTR_MAX + 1];
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct wdevs *w = arg;
	struct wdev_info *v;

	if (nla_parse(tb, NL80211_ATTR_MAX, genlmsg_attrdata(g, 0),
		      genlmsg_attrlen(g, 0), NULL) < 0 ||
	    !tb[NL80211_ATTR_IFINDEX] || !tb[NL80211_ATTR_WIPHY])
		return NL_SKIP;	/* e.g. a P2P device: no netdev */
	v = realloc(w->v, (w->n + 1) * sizeof(*v));
	if (!v)
		return NL_STOP;
	w->v = v;
	memset(&v[w->n], 0, sizeof(*v));
	v[w->n].ifindex = (int)nla_get_u32(tb[NL80211_ATTR_IFINDEX]);
	v[w->n].phy = nla_get_u32(tb[NL80211_ATTR_WIPHY]);
	if (tb[NL80211_ATTR_IFNAME])
		snprintf(v[w->n].name, sizeof(v[w->n].name), "%s",
			 nla_get_string(tb[NL80211_ATTR_IFNAME]));
	w->n++;
	return NL_SKIP;
}

int nl80211_ifaces(int netns_fd, struct wdev_info **out, size_t *n, struct wgp_err *err)
{
	struct wdevs w = { 0 };
	struct session s;
	struct nl_msg *msg = NULL;
	int ret;

	*out = NULL;
	*n = 0;
	ret = session_open(&s, netns_fd);
	if (ret == -EPROTONOSUPPORT)
		return 0;
	if (ret < 0)
		return wgp_errf(err, -ret, "Cannot reach nl80211: %s", strerror(-ret));
	msg = nlmsg_alloc();
	if (!msg) {
		ret = -ENOMEM;
		goto cleanup;
	}
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, s.family, 0, NLM_F_DUMP,
		    NL80211_CMD_GET_INTERFACE, 0);
	ret = session_talk(&s, msg, iface_cb, &w);
	if (ret < 0) {
		wgp_errf(err, -ret, "Cannot list wireless interfaces: %s", strerror(-ret));
		free(w.v);
		goto cleanup;
	}
	*out = w.v;
	*n = w.n;
cleanup:
	nlmsg_free(msg);
	session_close(&s);
	return ret;
}

int nl80211_phy_move(int from_netns_fd, uint32_t phy, const char *name,
		     int to_netns_fd, struct wgp_err *err)
{
	struct session s;
	struct nl_msg *msg = NULL;
	int ret;

	ret = session_open(&s, from_netns_fd);
	if (ret < 0)
		return wgp_errf(err, -ret, "Cannot move %s: nl80211: %s", name, strerror(-ret));
	msg = nlmsg_alloc();
	if (!msg) {
		ret = -ENOMEM;
		goto cleanup;
	}
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, s.family, 0, 0,
		    NL80211_CMD_SET_WIPHY_NETNS, 0);
	nla_put_u32(msg, NL80211_ATTR_WIPHY, phy);
	nla_put_u32(msg, NL80211_ATTR_NETNS_FD, (uint32_t)to_netns_fd);
	ret = session_talk(&s, msg, NULL, NULL);
	if (ret < 0)
		wgp_errf(err, -ret, "Cannot move %s: %s%s%s", name, strerror(-ret),
			 s.extack[0] ? ": kernel reports: " : "", s.extack);
cleanup:
	nlmsg_free(msg);
	session_close(&s);
	return ret;
}

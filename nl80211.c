// SPDX-License-Identifier: GPL-2.0
/*
 * Wireless phys over nl80211: how wgphys lists them, their interfaces, an
 * interface's networks and stations, moves them and hears them come and go
 * (nl80211.h says what each call promises).
 *
 * libnl-genl-3 builds the requests (nlmsg_alloc, genlmsg_put, nla_put)
 * and checks each attribute against a policy (nla_parse). The socket is
 * opened and read here rather than by nl_connect and nl_recvmsgs, because
 * it must be created inside another namespace, because the kernel's errno
 * must reach the caller as it is (libnl's receive path folds ENOBUFS, the
 * sign of lost events, into NLE_NOMEM, and a failed socket() into
 * NLE_FAILURE), and because reading a reply is then a pure function over
 * bytes (reply_feed) that tests and the fuzzer can call.
 *
 * The order below: libnl's error codes; attribute checks; the reply
 * reader; the parsers of each message; the handle and its requests; the
 * watch.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "netlink.h"
#include "nl80211.h"

/* Dumps come in datagrams of up to 32 KiB (the kernel sizes them by the
 * largest buffer a reader has offered, capped there). */
#define RECV_BUF 32768

/* How many datagrams one nl80211_watch_read takes before it returns, so a
 * storm of events cannot starve the caller's other duties; the socket
 * stays readable for the next round. */
#define WATCH_BATCH 256

/* libnl's own error codes, as the errno each stands for. NLE_FAILURE says
 * no more than "something failed": EIO is all that can honestly be made
 * of it. */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_SUCCESS:		return 0;
	case NLE_INTR:			return EINTR;
	case NLE_BAD_SOCK:		return EBADF;
	case NLE_AGAIN:			return EAGAIN;
	case NLE_NOMEM:			return ENOMEM;
	case NLE_EXIST:			return EEXIST;
	case NLE_INVAL:			return EINVAL;
	case NLE_RANGE:			return ERANGE;
	case NLE_MSGSIZE:		return EMSGSIZE;
	case NLE_OPNOTSUPP:		return EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:		return EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:		return ENOENT;
	case NLE_NOATTR:		return ENODATA;
	case NLE_MISSING_ATTR:		return EINVAL;
	case NLE_AF_MISMATCH:		return EAFNOSUPPORT;
	case NLE_SEQ_MISMATCH:		return EPROTO;
	case NLE_MSG_OVERFLOW:		return EMSGSIZE;
	case NLE_MSG_TRUNC:		return EMSGSIZE;
	case NLE_NOADDR:		return EADDRNOTAVAIL;
	case NLE_SRCRT_NOSUPPORT:	return EOPNOTSUPP;
	case NLE_MSG_TOOSHORT:		return EBADMSG;
	case NLE_MSGTYPE_NOSUPPORT:	return EOPNOTSUPP;
	case NLE_OBJ_MISMATCH:		return EINVAL;
	case NLE_NOCACHE:		return ENOENT;
	case NLE_BUSY:			return EBUSY;
	case NLE_PROTO_MISMATCH:	return EPROTONOSUPPORT;
	case NLE_NOACCESS:		return EACCES;
	case NLE_PERM:			return EPERM;
	case NLE_PKTLOC_FILE:		return ENOENT;
	case NLE_PARSE_ERR:		return EBADMSG;
	case NLE_NODEV:			return ENODEV;
	case NLE_IMMUTABLE:		return EPERM;
	case NLE_DUMP_INTR:		return EINTR;
	case NLE_ATTRSIZE:		return ERANGE;
	default:			return EIO;
	}
}

/* A kernel errno from a message: -4095..-1, or not one at all. */
static int kernel_errno(int code)
{
	return code < 0 && code >= -4095 ? code : -EBADMSG;
}

/* ---- Attributes ---- */

/* Every byte of a run of attributes belongs to one: nla_parse stops
 * quietly at a truncated attribute, and a truncated message is refused. */
static bool attrs_whole(const struct nlattr *a, int rem)
{
	while (nla_ok(a, rem))
		a = nla_next(a, &rem);
	return rem <= 0;
}

/* Attributes checked against policy: the type and length of each one
 * used, nothing left over. libnl's API is not const-correct; nothing here
 * writes through the pointers. */
static int attrs_parse(struct nlattr **tb, int max, const void *head, int len,
		       const struct nla_policy *policy)
{
	struct nlattr *a = (struct nlattr *)head;

	if (len < 0 || !attrs_whole(a, len) || nla_parse(tb, max, a, len, policy) < 0)
		return -EBADMSG;
	return 0;
}

static int nested_parse(struct nlattr **tb, int max, const struct nlattr *nest,
			const struct nla_policy *policy)
{
	return attrs_parse(tb, max, nla_data(nest), nla_len(nest), policy);
}

/* The generic netlink command of nlh, and its attributes (see attrs_parse). */
static int genl_parse(const struct nlmsghdr *nlh, uint8_t *cmd, struct nlattr **tb,
		      int max, const struct nla_policy *policy)
{
	const struct genlmsghdr *g;

	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return -EBADMSG;
	g = nlmsg_data(nlh);
	*cmd = g->cmd;
	return attrs_parse(tb, max, (const char *)g + GENL_HDRLEN,
			   (int)(nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)), policy);
}

static int genl_cmd(const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return -EBADMSG;
	return ((const struct genlmsghdr *)nlmsg_data(nlh))->cmd;
}

#define U32_EXACT { .type = NLA_U32, .minlen = 4, .maxlen = 4 }

/* ---- Replies ---- */

/* Each data message of a reply goes to one of these: 0 or -errno. */
typedef int msg_fn(const struct nlmsghdr *nlh, void *arg);

struct reply {
	struct nl80211_reply *r;
	msg_fn *fn;
	void *arg;
	int error;		/* the first data message that failed */
	bool intr;		/* the kernel flagged the dump as inconsistent */
};

static const struct nla_policy extack_policy[NLMSGERR_ATTR_MSG + 1] = {
	[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
};

/* The kernel's words, when attributes at buf carry them (best effort: a
 * broken extended ack leaves the error itself standing). */
static void reply_extack(struct nl80211_reply *r, const char *buf, size_t len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MSG + 1];

	if (len > INT_MAX ||
	    attrs_parse(tb, NLMSGERR_ATTR_MSG, buf, (int)len, extack_policy) < 0 ||
	    !tb[NLMSGERR_ATTR_MSG])
		return;
	snprintf(r->extack, sizeof(r->extack), "%s", nla_get_string(tb[NLMSGERR_ATTR_MSG]));
}

/* An ack (0) or the kernel's error, with its words if it sent any. */
static int reply_error(struct nl80211_reply *r, const struct nlmsghdr *nlh)
{
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN, off;
	const struct nlmsgerr *e;

	if (len < sizeof(*e))
		return -EBADMSG;
	e = nlmsg_data(nlh);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && e->msg.nlmsg_len >= NLMSG_HDRLEN) {
		/* After the request's header, or the whole request if the
		 * kernel echoed it (NETLINK_CAP_ACK unset or refused). */
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		off = (off + 3) & ~(size_t)3;
		if (off < len)
			reply_extack(r, (const char *)e + off, len - off);
	}
	return e->error ? kernel_errno(e->error) : 0;
}

/* The end of a dump; it carries an error when the dump failed midway. */
static int reply_done(struct nl80211_reply *r, const struct nlmsghdr *nlh)
{
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN;
	int code = 0;

	if (len >= sizeof(code))
		memcpy(&code, nlmsg_data(nlh), sizeof(code));
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && len > sizeof(code))
		reply_extack(r, (const char *)nlmsg_data(nlh) + sizeof(code),
			     len - sizeof(code));
	return code ? kernel_errno(code) : 0;
}

/*
 * One datagram of a reply. Returns 1 when the reply goes on in the next
 * datagram, 0 when it ended well, -errno when it ended badly. A data
 * message that fails is remembered and the rest is read through to the
 * end, so that the socket is clean for the next request; a datagram that
 * is itself malformed stops everything at once.
 */
static int reply_feed(struct reply *rp, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem, ret;

	if (len > INT_MAX)
		return -EMSGSIZE;
	rem = (int)len;
	for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next((struct nlmsghdr *)nlh, &rem)) {
		if (nlh->nlmsg_seq != rp->r->seq || nlh->nlmsg_pid != rp->r->portid)
			continue;	/* a late answer to an earlier request */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			rp->intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_ERROR:
			ret = reply_error(rp->r, nlh);
			return rp->error ? rp->error : ret;
		case NLMSG_DONE:
			ret = reply_done(rp->r, nlh);
			if (rp->error)
				return rp->error;
			return ret < 0 ? ret : rp->intr ? -EINTR : 0;
		}
		if (nlh->nlmsg_type != rp->r->family)
			return -EBADMSG;
		if (!rp->fn || rp->error)
			continue;
		ret = rp->fn(nlh, rp->arg);
		if (ret < 0)
			rp->error = ret;
	}
	return rem > 0 ? -EBADMSG : 1;
}

/* A whole reply already in buf (see nl80211.h). */
static int reply_parse(struct nl80211_reply *r, const void *buf, size_t len,
		       msg_fn *fn, void *arg)
{
	struct reply rp = { .r = r, .fn = fn, .arg = arg };
	int ret;

	r->extack[0] = '\0';
	ret = reply_feed(&rp, buf, len);
	if (ret == 1)
		ret = rp.error ? rp.error : -EBADMSG;	/* it never ended */
	return ret;
}

/* ---- The messages ---- */

#define PHY_ATTR_MAX NL80211_ATTR_SUPPORTED_COMMANDS
_Static_assert(NL80211_ATTR_GENERATION <= PHY_ATTR_MAX, "PHY_ATTR_MAX");

static const struct nla_policy phy_policy[PHY_ATTR_MAX + 1] = {
	[NL80211_ATTR_WIPHY] = U32_EXACT,
	[NL80211_ATTR_WIPHY_NAME] = { .type = NLA_STRING,
				      .maxlen = NL80211_WIPHY_NAME_MAXLEN + 1 },
	[NL80211_ATTR_GENERATION] = U32_EXACT,
	[NL80211_ATTR_SUPPORTED_COMMANDS] = { .type = NLA_NESTED },
};

struct phy_part {
	uint8_t cmd;
	struct phy_info phy;
	bool has_generation;
	uint32_t generation;
};

/* Whether the command list says the phy may change namespace. */
static int phy_commands(const struct nlattr *nest, bool *netns_ok)
{
	struct nlattr *a;
	int rem;

	*netns_ok = false;
	nla_for_each_nested(a, nest, rem) {
		if (nla_len(a) != sizeof(uint32_t))
			return -EBADMSG;
		if (nla_get_u32(a) == NL80211_CMD_SET_WIPHY_NETNS)
			*netns_ok = true;
	}
	return rem > 0 ? -EBADMSG : 0;
}

/* One wiphy message (a dump's part, or an event). Every one the kernel
 * sends carries the index and the name. */
static int phy_parse(const struct nlmsghdr *nlh, struct phy_part *part)
{
	struct nlattr *tb[PHY_ATTR_MAX + 1];
	const char *name;
	int ret;

	memset(part, 0, sizeof(*part));
	ret = genl_parse(nlh, &part->cmd, tb, PHY_ATTR_MAX, phy_policy);
	if (ret < 0)
		return ret;
	if (!tb[NL80211_ATTR_WIPHY] || !tb[NL80211_ATTR_WIPHY_NAME])
		return -EBADMSG;
	name = nla_get_string(tb[NL80211_ATTR_WIPHY_NAME]);
	if (!name[0])
		return -EBADMSG;
	part->phy.index = nla_get_u32(tb[NL80211_ATTR_WIPHY]);
	snprintf(part->phy.name, sizeof(part->phy.name), "%s", name);
	if (tb[NL80211_ATTR_SUPPORTED_COMMANDS]) {
		ret = phy_commands(tb[NL80211_ATTR_SUPPORTED_COMMANDS], &part->phy.netns_ok);
		if (ret < 0)
			return ret;
		part->phy.netns_known = true;
	}
	if (tb[NL80211_ATTR_GENERATION]) {
		part->has_generation = true;
		part->generation = nla_get_u32(tb[NL80211_ATTR_GENERATION]);
	}
	return 0;
}

struct phys {
	struct phy_info *v;
	size_t n, cap;
	bool has_generation;
	uint32_t generation;
	bool changed;		/* the list of phys changed during the dump */
};

/* A split dump sends each phy in several parts, one after the other; the
 * command list is in one of them. */
static int phys_add(struct phys *p, const struct phy_info *phy)
{
	struct phy_info *v;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->v[i].index == phy->index)
			break;
	if (i == p->n) {
		if (p->n == p->cap) {
			v = reallocarray(p->v, p->cap ? 2 * p->cap : 4, sizeof(*v));
			if (!v)
				return -ENOMEM;
			p->v = v;
			p->cap = p->cap ? 2 * p->cap : 4;
		}
		p->v[p->n++] = *phy;
		return 0;
	}
	memcpy(p->v[i].name, phy->name, sizeof(phy->name));
	if (phy->netns_known) {
		p->v[i].netns_known = true;
		p->v[i].netns_ok = phy->netns_ok;
	}
	return 0;
}

static int phy_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct phys *p = arg;
	struct phy_part part;
	int ret;

	ret = phy_parse(nlh, &part);
	if (ret < 0)
		return ret;
	if (part.cmd != NL80211_CMD_NEW_WIPHY)
		return -EBADMSG;
	/* Every part carries the generation of the list of phys; the kernel
	 * does not flag a wiphy dump as interrupted, this is how to tell. */
	if (part.has_generation) {
		if (p->has_generation && part.generation != p->generation)
			p->changed = true;
		p->has_generation = true;
		p->generation = part.generation;
	}
	return phys_add(p, &part.phy);
}

int nl80211_parse_phys(struct nl80211_reply *r, const void *buf, size_t len,
		       struct phy_info **out, size_t *n)
{
	struct phys p = { 0 };
	int ret;

	*out = NULL;
	*n = 0;
	ret = reply_parse(r, buf, len, phy_msg, &p);
	if (!ret && p.changed)
		ret = -EINTR;
	if (ret < 0) {
		free(p.v);
		return ret;
	}
	*out = p.v;
	*n = p.n;
	return 0;
}

#define IFACE_ATTR_MAX NL80211_ATTR_SSID
_Static_assert(NL80211_ATTR_IFTYPE <= IFACE_ATTR_MAX, "IFACE_ATTR_MAX");

static const struct nla_policy iface_policy[IFACE_ATTR_MAX + 1] = {
	[NL80211_ATTR_WIPHY] = U32_EXACT,
	[NL80211_ATTR_IFINDEX] = U32_EXACT,
	[NL80211_ATTR_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[NL80211_ATTR_IFTYPE] = U32_EXACT,
	/* Any bytes, none to NL80211_SSID_MAX. */
	[NL80211_ATTR_SSID] = { .type = NLA_UNSPEC, .maxlen = NL80211_SSID_MAX },
};

struct wdevs {
	struct wdev_info *v;
	size_t n, cap;
};

static int iface_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[IFACE_ATTR_MAX + 1];
	struct wdevs *w = arg;
	struct wdev_info *v;
	uint32_t ifindex;
	uint8_t cmd;
	int ret;

	ret = genl_parse(nlh, &cmd, tb, IFACE_ATTR_MAX, iface_policy);
	if (ret < 0)
		return ret;
	if (cmd != NL80211_CMD_NEW_INTERFACE || !tb[NL80211_ATTR_WIPHY])
		return -EBADMSG;
	/* No netdev (a P2P device): nothing that carries packets; it goes
	 * wherever its phy goes. */
	if (!tb[NL80211_ATTR_IFINDEX])
		return 0;
	ifindex = nla_get_u32(tb[NL80211_ATTR_IFINDEX]);
	if (!tb[NL80211_ATTR_IFNAME] || !nla_get_string(tb[NL80211_ATTR_IFNAME])[0] ||
	    !ifindex || ifindex > INT_MAX)
		return -EBADMSG;
	if (w->n == w->cap) {
		v = reallocarray(w->v, w->cap ? 2 * w->cap : 4, sizeof(*v));
		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = w->cap ? 2 * w->cap : 4;
	}
	v = &w->v[w->n++];
	memset(v, 0, sizeof(*v));
	v->ifindex = (int)ifindex;
	v->phy = nla_get_u32(tb[NL80211_ATTR_WIPHY]);
	snprintf(v->name, sizeof(v->name), "%s", nla_get_string(tb[NL80211_ATTR_IFNAME]));
	if (tb[NL80211_ATTR_IFTYPE])
		v->iftype = nla_get_u32(tb[NL80211_ATTR_IFTYPE]);
	if (tb[NL80211_ATTR_SSID]) {
		v->has_ssid = true;
		v->ssid_len = (uint8_t)nla_len(tb[NL80211_ATTR_SSID]);
		memcpy(v->ssid, nla_data(tb[NL80211_ATTR_SSID]), v->ssid_len);
	}
	return 0;
}

int nl80211_parse_ifaces(struct nl80211_reply *r, const void *buf, size_t len,
			 struct wdev_info **out, size_t *n)
{
	struct wdevs w = { 0 };
	int ret;

	*out = NULL;
	*n = 0;
	ret = reply_parse(r, buf, len, iface_msg, &w);
	if (ret < 0) {
		free(w.v);
		return ret;
	}
	*out = w.v;
	*n = w.n;
	return 0;
}

#define STATION_ATTR_MAX NL80211_ATTR_STA_INFO
_Static_assert(NL80211_ATTR_MAC <= STATION_ATTR_MAX, "STATION_ATTR_MAX");

static const struct nla_policy station_policy[STATION_ATTR_MAX + 1] = {
	[NL80211_ATTR_IFINDEX] = U32_EXACT,
	[NL80211_ATTR_MAC] = { .type = NLA_UNSPEC, .minlen = 6, .maxlen = 6 },
	[NL80211_ATTR_STA_INFO] = { .type = NLA_NESTED },
};

#define STA_INFO_MAX NL80211_STA_INFO_SIGNAL_AVG
_Static_assert(NL80211_STA_INFO_SIGNAL <= STA_INFO_MAX, "STA_INFO_MAX");

static const struct nla_policy sta_info_policy[STA_INFO_MAX + 1] = {
	[NL80211_STA_INFO_SIGNAL] = { .type = NLA_U8, .minlen = 1, .maxlen = 1 },
	[NL80211_STA_INFO_SIGNAL_AVG] = { .type = NLA_U8, .minlen = 1, .maxlen = 1 },
};

struct stations {
	struct station_info *v;
	size_t n, cap;
};

static int station_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[STATION_ATTR_MAX + 1], *si[STA_INFO_MAX + 1];
	struct stations *s = arg;
	struct station_info *v;
	uint8_t cmd;
	int ret;

	ret = genl_parse(nlh, &cmd, tb, STATION_ATTR_MAX, station_policy);
	if (ret < 0)
		return ret;
	if (cmd != NL80211_CMD_NEW_STATION || !tb[NL80211_ATTR_MAC])
		return -EBADMSG;
	memset(si, 0, sizeof(si));
	if (tb[NL80211_ATTR_STA_INFO]) {
		ret = nested_parse(si, STA_INFO_MAX, tb[NL80211_ATTR_STA_INFO], sta_info_policy);
		if (ret < 0)
			return ret;
	}
	if (s->n == s->cap) {
		v = reallocarray(s->v, s->cap ? 2 * s->cap : 2, sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = s->cap ? 2 * s->cap : 2;
	}
	v = &s->v[s->n++];
	memset(v, 0, sizeof(*v));
	memcpy(v->mac, nla_data(tb[NL80211_ATTR_MAC]), sizeof(v->mac));
	/* The kernel sends dBm as an s8 in a u8. */
	if (si[NL80211_STA_INFO_SIGNAL]) {
		v->has_signal = true;
		v->signal = (int8_t)nla_get_u8(si[NL80211_STA_INFO_SIGNAL]);
	}
	if (si[NL80211_STA_INFO_SIGNAL_AVG]) {
		v->has_signal_avg = true;
		v->signal_avg = (int8_t)nla_get_u8(si[NL80211_STA_INFO_SIGNAL_AVG]);
	}
	return 0;
}

int nl80211_parse_stations(struct nl80211_reply *r, const void *buf, size_t len,
			   struct station_info **out, size_t *n)
{
	struct stations s = { 0 };
	int ret;

	*out = NULL;
	*n = 0;
	ret = reply_parse(r, buf, len, station_msg, &s);
	if (ret < 0) {
		free(s.v);
		return ret;
	}
	*out = s.v;
	*n = s.n;
	return 0;
}

#define SCAN_ATTR_MAX NL80211_ATTR_BSS

static const struct nla_policy scan_policy[SCAN_ATTR_MAX + 1] = {
	[NL80211_ATTR_IFINDEX] = U32_EXACT,
	[NL80211_ATTR_GENERATION] = U32_EXACT,
	[NL80211_ATTR_BSS] = { .type = NLA_NESTED },
};

#define BSS_MAX NL80211_BSS_BEACON_IES
_Static_assert(NL80211_BSS_STATUS <= BSS_MAX, "BSS_MAX");

static const struct nla_policy bss_policy[BSS_MAX + 1] = {
	[NL80211_BSS_BSSID] = { .type = NLA_UNSPEC, .minlen = 6, .maxlen = 6 },
	[NL80211_BSS_FREQUENCY] = U32_EXACT,
	[NL80211_BSS_INFORMATION_ELEMENTS] = { .type = NLA_UNSPEC },
	[NL80211_BSS_BEACON_IES] = { .type = NLA_UNSPEC },
	[NL80211_BSS_SIGNAL_MBM] = U32_EXACT,
	[NL80211_BSS_STATUS] = U32_EXACT,
};

/*
 * The SSID element (id 0) among information elements: each is an id, a
 * length and that many bytes; one that runs past the end makes the whole
 * list malformed. 1 found, 0 none, -EBADMSG.
 */
static int ies_ssid(const uint8_t *ie, size_t len, struct bss_info *b)
{
	size_t off = 0;

	while (off < len) {
		if (len - off < 2 || len - off - 2 < ie[off + 1])
			return -EBADMSG;
		if (ie[off] == 0) {
			if (ie[off + 1] > NL80211_SSID_MAX)
				return -EBADMSG;
			b->has_ssid = true;
			b->ssid_len = ie[off + 1];
			memcpy(b->ssid, ie + off + 2, b->ssid_len);
			return 1;
		}
		off += 2 + (size_t)ie[off + 1];
	}
	return 0;
}

struct bsses {
	struct bss_info *v;
	size_t n, cap;
};

static int bss_fill(struct bss_info *b, struct nlattr **tb)
{
	struct nlattr *ies = tb[NL80211_BSS_INFORMATION_ELEMENTS];
	uint32_t status;
	int ret;

	memcpy(b->bssid, nla_data(tb[NL80211_BSS_BSSID]), sizeof(b->bssid));
	if (tb[NL80211_BSS_FREQUENCY])
		b->freq = nla_get_u32(tb[NL80211_BSS_FREQUENCY]);
	if (tb[NL80211_BSS_SIGNAL_MBM]) {
		b->has_signal = true;
		b->signal_mbm = (int32_t)nla_get_u32(tb[NL80211_BSS_SIGNAL_MBM]);
	}
	if (tb[NL80211_BSS_STATUS]) {
		status = nla_get_u32(tb[NL80211_BSS_STATUS]);
		b->associated = status == NL80211_BSS_STATUS_ASSOCIATED ||
				status == NL80211_BSS_STATUS_IBSS_JOINED;
	}
	/* The probe response's elements, else the beacon's. */
	ret = ies ? ies_ssid(nla_data(ies), (size_t)nla_len(ies), b) : 0;
	if (ret == 0 && tb[NL80211_BSS_BEACON_IES])
		ret = ies_ssid(nla_data(tb[NL80211_BSS_BEACON_IES]),
			       (size_t)nla_len(tb[NL80211_BSS_BEACON_IES]), b);
	return ret < 0 ? ret : 0;
}

static int bss_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[SCAN_ATTR_MAX + 1], *bt[BSS_MAX + 1];
	struct bsses *s = arg;
	struct bss_info *v;
	uint8_t cmd;
	int ret;

	ret = genl_parse(nlh, &cmd, tb, SCAN_ATTR_MAX, scan_policy);
	if (ret < 0)
		return ret;
	if (cmd != NL80211_CMD_NEW_SCAN_RESULTS || !tb[NL80211_ATTR_BSS])
		return -EBADMSG;
	ret = nested_parse(bt, BSS_MAX, tb[NL80211_ATTR_BSS], bss_policy);
	if (ret < 0)
		return ret;
	if (!bt[NL80211_BSS_BSSID])
		return -EBADMSG;
	if (s->n == s->cap) {
		v = reallocarray(s->v, s->cap ? 2 * s->cap : 4, sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = s->cap ? 2 * s->cap : 4;
	}
	v = &s->v[s->n];
	memset(v, 0, sizeof(*v));
	ret = bss_fill(v, bt);
	if (ret < 0)
		return ret;
	s->n++;
	return 0;
}

int nl80211_parse_bss(struct nl80211_reply *r, const void *buf, size_t len,
		      struct bss_info **out, size_t *n)
{
	struct bsses s = { 0 };
	int ret;

	*out = NULL;
	*n = 0;
	ret = reply_parse(r, buf, len, bss_msg, &s);
	if (ret < 0) {
		free(s.v);
		return ret;
	}
	*out = s.v;
	*n = s.n;
	return 0;
}

static const struct nla_policy family_policy[CTRL_ATTR_MCAST_GROUPS + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { .type = NLA_U16, .minlen = 2, .maxlen = 2 },
	[CTRL_ATTR_FAMILY_NAME] = { .type = NLA_STRING, .maxlen = GENL_NAMSIZ },
	[CTRL_ATTR_MCAST_GROUPS] = { .type = NLA_NESTED },
};

static const struct nla_policy group_policy[CTRL_ATTR_MCAST_GRP_ID + 1] = {
	[CTRL_ATTR_MCAST_GRP_NAME] = { .type = NLA_STRING, .maxlen = GENL_NAMSIZ },
	[CTRL_ATTR_MCAST_GRP_ID] = U32_EXACT,
};

struct family {
	uint16_t id;
	uint32_t config_group;
};

/* The multicast group called "config" among a family's groups. */
static int family_groups(const struct nlattr *nest, uint32_t *config_group)
{
	struct nlattr *tb[CTRL_ATTR_MCAST_GRP_ID + 1];
	struct nlattr *g;
	int rem, ret;

	nla_for_each_nested(g, nest, rem) {
		ret = nested_parse(tb, CTRL_ATTR_MCAST_GRP_ID, g, group_policy);
		if (ret < 0)
			return ret;
		if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
			return -EBADMSG;
		if (!strcmp(nla_get_string(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			    NL80211_MULTICAST_GROUP_CONFIG))
			*config_group = nla_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return rem > 0 ? -EBADMSG : 0;
}

static int family_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MCAST_GROUPS + 1];
	struct family *f = arg;
	uint16_t id;
	uint8_t cmd;
	int ret;

	ret = genl_parse(nlh, &cmd, tb, CTRL_ATTR_MCAST_GROUPS, family_policy);
	if (ret < 0)
		return ret;
	if (cmd != CTRL_CMD_NEWFAMILY || !tb[CTRL_ATTR_FAMILY_ID] ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), NL80211_GENL_NAME))
		return -EBADMSG;
	id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (id < GENL_MIN_ID)
		return -EBADMSG;	/* would read as a control message */
	f->id = id;
	f->config_group = 0;
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		return family_groups(tb[CTRL_ATTR_MCAST_GROUPS], &f->config_group);
	return 0;
}

int nl80211_parse_family(struct nl80211_reply *r, const void *buf, size_t len,
			 uint16_t *family, uint32_t *config_group)
{
	struct family f = { 0 };
	int ret;

	*family = 0;
	*config_group = 0;
	ret = reply_parse(r, buf, len, family_msg, &f);
	if (ret < 0)
		return ret;
	if (!f.id)
		return -EBADMSG;	/* an ack without the answer */
	*family = f.id;
	*config_group = f.config_group;
	return 0;
}

int nl80211_parse_events(uint16_t family, const void *buf, size_t len,
			 nl80211_phy_cb *cb, void *arg)
{
	const struct nlmsghdr *nlh = buf;
	struct phy_part part;
	int rem, cmd, ret, first = 0;

	if (len > INT_MAX)
		return -EMSGSIZE;
	rem = (int)len;
	for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next((struct nlmsghdr *)nlh, &rem)) {
		if (nlh->nlmsg_type != family)
			continue;
		cmd = genl_cmd(nlh);
		if (cmd != NL80211_CMD_NEW_WIPHY && cmd != NL80211_CMD_DEL_WIPHY) {
			ret = cmd < 0 ? cmd : 0;	/* other news of the group */
		} else {
			ret = phy_parse(nlh, &part);
			if (!ret)
				cb(arg, &part.phy, cmd == NL80211_CMD_NEW_WIPHY);
		}
		if (ret < 0 && !first)
			first = ret;
	}
	if (rem > 0 && !first)
		first = -EBADMSG;
	return first;
}

/* ---- The handle ---- */

struct nl80211 {
	struct nl_sock *sk;	/* owns fd once set */
	int fd;
	uint16_t family;
	uint32_t config_group;
	int broken;		/* a reply was cut short: the errno it left */
	char extack[NL80211_EXTACK_LEN];
	_Alignas(struct nlmsghdr) unsigned char buf[RECV_BUF];
};

struct nl80211_watch {
	struct nl80211 nl;
};

/* Close-on-exec: no daemon or user command may inherit it. (libnl 3.7's
 * own nl_connect sets it too; tests/unit/test-nl80211.c checks.) */
static int open_socket(void *arg)
{
	int *fd = arg;

	*fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	return *fd < 0 ? -errno : 0;
}

/*
 * One datagram from the kernel into nl->buf: its length or -errno. Only
 * the kernel (port 0) may speak here: any local process may send to a
 * netlink port, and what it says would otherwise pass for the kernel's.
 */
static ssize_t recv_kernel(struct nl80211 *nl, int flags)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = nl->buf, .iov_len = sizeof(nl->buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t len;

	for (;;) {
		mh.msg_name = &sa;
		mh.msg_namelen = sizeof(sa);
		len = recvmsg(nl->fd, &mh, flags | MSG_TRUNC);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		if (mh.msg_namelen != sizeof(sa) || sa.nl_family != AF_NETLINK || sa.nl_pid)
			continue;
		if ((size_t)len > sizeof(nl->buf) || (mh.msg_flags & MSG_TRUNC))
			return -EMSGSIZE;
		return len;
	}
}

/*
 * Send msg (libnl fills in our port and the next sequence number) and
 * read its reply through reply_feed, data messages of type `type` going
 * to fn. A reply cut short leaves unread parts of it in the socket, which
 * would confuse every later request: the handle then refuses further use.
 */
static int talk(struct nl80211 *nl, struct nl_msg *msg, uint16_t type, msg_fn *fn, void *arg)
{
	static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nl80211_reply r = { .family = type };
	struct reply rp = { .r = &r, .fn = fn, .arg = arg };
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	ssize_t len;
	int ret;

	nl->extack[0] = '\0';
	if (nl->broken)
		return -nl->broken;
	nl_complete_msg(nl->sk, msg);
	r.seq = nlh->nlmsg_seq;
	r.portid = nlh->nlmsg_pid;
	/*
	 * Addressed to the kernel explicitly, as libnl and libmnl do: the
	 * kernel then checks the capabilities of the sender now, not only
	 * those the socket was opened with (NETLINK_SKB_DST), so a handle
	 * opened before a step raised CAP_NET_ADMIN still works for it.
	 */
	if (sendto(nl->fd, nlh, nlh->nlmsg_len, 0, (const struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	do {
		len = recv_kernel(nl, 0);
		if (len < 0) {
			ret = (int)len;
			nl->broken = -ret;
			break;
		}
		ret = reply_feed(&rp, nl->buf, (size_t)len);
		if (ret == -EBADMSG && !rp.error)
			nl->broken = EBADMSG;	/* the datagram itself, not a message */
	} while (ret == 1);
	snprintf(nl->extack, sizeof(nl->extack), "%s", r.extack);
	return ret;
}

/* Ask the controller for nl80211: 1 found, 0 absent, -errno. */
static int resolve(struct nl80211 *nl)
{
	struct family f = { 0 };
	struct nl_msg *msg;
	int ret;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
			 CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, NL80211_GENL_NAME) < 0)
		ret = -EMSGSIZE;
	else
		ret = talk(nl, msg, GENL_ID_CTRL, family_msg, &f);
	nlmsg_free(msg);
	if (ret == -ENOENT)
		return 0;	/* no such family: no cfg80211 in this kernel */
	if (ret < 0)
		return ret;
	if (!f.id)
		return -EBADMSG;
	nl->family = f.id;
	nl->config_group = f.config_group;
	return 1;
}

/* A socket in netns_fd, bound, given to libnl, nl80211 resolved on it:
 * 1, 0 when there is no nl80211, or -errno with err set. */
static int handle_init(struct nl80211 *nl, int netns_fd, struct wgp_err *err)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = -1, one = 1, ret;

	nl->fd = -1;
	ret = nlk_in_netns(netns_fd, open_socket, &fd);
	if (ret < 0)
		goto fail;
	/* Port 0: the kernel picks a free one. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto fail;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = nl_socket_set_fd(nl->sk, NETLINK_GENERIC, fd);
	if (ret < 0) {
		ret = -nle_errno(ret);
		goto fail;
	}
	nl->fd = fd;
	fd = -1;
	/* The kernel's reasons, for the message; the request not echoed in
	 * errors. Both best effort: older kernels answer, just tersely. */
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	ret = resolve(nl);
	if (ret >= 0)
		return ret;
fail:
	if (fd >= 0)
		close(fd);
	ret = wgp_fail(err, ret, "Cannot reach", "nl80211");
	wgp_extack(err, nl->extack);
	return ret;
}

int nl80211_open(struct nl80211 **out, int netns_fd, struct wgp_err *err)
{
	struct nl80211 *nl;
	int ret;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return wgp_fail(err, ENOMEM, "Cannot reach", "nl80211");
	ret = handle_init(nl, netns_fd, err);
	if (ret <= 0) {
		nl80211_close(nl);
		return ret;
	}
	*out = nl;
	return 0;
}

void nl80211_close(struct nl80211 *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		nl_socket_free(nl->sk);	/* closes fd */
	free(nl);
}

/* A dump request for cmd: NULL on failure (only allocation can fail). */
static struct nl_msg *dump_request(const struct nl80211 *nl, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				NLM_F_DUMP, cmd, 0)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* One wiphy dump, split (each phy in parts, so none is too big to send). */
static int dump_phys(struct nl80211 *nl, struct phys *p)
{
	struct nl_msg *msg = dump_request(nl, NL80211_CMD_GET_WIPHY);
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = nla_put_flag(msg, NL80211_ATTR_SPLIT_WIPHY_DUMP) < 0 ? -EMSGSIZE
		: talk(nl, msg, nl->family, phy_msg, p);
	nlmsg_free(msg);
	return !ret && p->changed ? -EINTR : ret;
}

/* How often a dump the kernel changed under us is asked again. */
#define DUMP_TRIES 3

/*
 * A dump of cmd (about ifindex, if > 0) into the list at arg, through fn;
 * asked again while the kernel says it changed. reset empties the list
 * (before each try, and after a failure).
 */
static int dump_list(struct nl80211 *nl, uint8_t cmd, int ifindex, msg_fn *fn, void *arg,
		     void (*reset)(void *arg))
{
	struct nl_msg *msg;
	int ret, tries = 0;

	do {
		reset(arg);
		msg = dump_request(nl, cmd);
		if (!msg)
			ret = -ENOMEM;
		else if (ifindex > 0 && nla_put_u32(msg, NL80211_ATTR_IFINDEX, (uint32_t)ifindex) < 0)
			ret = -EMSGSIZE;
		else
			ret = talk(nl, msg, nl->family, fn, arg);
		nlmsg_free(msg);
	} while (ret == -EINTR && ++tries < DUMP_TRIES);
	if (ret < 0)
		reset(arg);
	return ret;
}

static void wdevs_reset(void *arg)
{
	struct wdevs *w = arg;

	free(w->v);
	*w = (struct wdevs){ 0 };
}

static void stations_reset(void *arg)
{
	struct stations *s = arg;

	free(s->v);
	*s = (struct stations){ 0 };
}

static void bsses_reset(void *arg)
{
	struct bsses *b = arg;

	free(b->v);
	*b = (struct bsses){ 0 };
}

int nl80211_list_phys(struct nl80211 *nl, struct phy_info **out, size_t *n,
		      struct wgp_err *err)
{
	struct phys p = { 0 };
	int ret, tries = 0;

	*out = NULL;
	*n = 0;
	if (!nl)
		return 0;
	do {
		free(p.v);
		p = (struct phys){ 0 };
		ret = dump_phys(nl, &p);
	} while (ret == -EINTR && ++tries < DUMP_TRIES);
	if (ret < 0) {
		free(p.v);
		ret = wgp_fail(err, ret, "Cannot list", "wireless phys");
		if (ret == -EINTR)
			wgp_because(err, "they kept changing while being listed");
		wgp_extack(err, nl->extack);
		return ret;
	}
	*out = p.v;
	*n = p.n;
	return 0;
}

int nl80211_list_ifaces(struct nl80211 *nl, struct wdev_info **out, size_t *n,
			struct wgp_err *err)
{
	struct wdevs w = { 0 };
	int ret;

	*out = NULL;
	*n = 0;
	if (!nl)
		return 0;
	ret = dump_list(nl, NL80211_CMD_GET_INTERFACE, 0, iface_msg, &w, wdevs_reset);
	if (ret < 0) {
		ret = wgp_fail(err, ret, "Cannot list", "wireless interfaces");
		wgp_extack(err, nl->extack);
		return ret;
	}
	*out = w.v;
	*n = w.n;
	return 0;
}

int nl80211_list_stations(struct nl80211 *nl, int ifindex, struct station_info **out,
			  size_t *n, struct wgp_err *err)
{
	struct stations s = { 0 };
	int ret;

	*out = NULL;
	*n = 0;
	if (!nl)
		return 0;
	ret = dump_list(nl, NL80211_CMD_GET_STATION, ifindex, station_msg, &s, stations_reset);
	if (ret < 0) {
		ret = wgp_fail(err, ret, "Cannot list", "the stations of interface %d", ifindex);
		wgp_extack(err, nl->extack);
		return ret;
	}
	*out = s.v;
	*n = s.n;
	return 0;
}

int nl80211_list_bss(struct nl80211 *nl, int ifindex, struct bss_info **out, size_t *n,
		     struct wgp_err *err)
{
	struct bsses s = { 0 };
	int ret;

	*out = NULL;
	*n = 0;
	if (!nl)
		return 0;
	ret = dump_list(nl, NL80211_CMD_GET_SCAN, ifindex, bss_msg, &s, bsses_reset);
	if (ret < 0) {
		ret = wgp_fail(err, ret, "Cannot list", "the networks of interface %d", ifindex);
		wgp_extack(err, nl->extack);
		return ret;
	}
	*out = s.v;
	*n = s.n;
	return 0;
}

int nl80211_set_netns(struct nl80211 *nl, uint32_t phy, const char *name,
		      int to_netns_fd, struct wgp_err *err)
{
	struct nl_msg *msg = NULL;
	int ret;

	if (!nl) {
		ret = wgp_fail(err, ENODEV, "Cannot move", "%s", name);
		wgp_because(err, "there is no nl80211 here");
		return ret;
	}
	msg = nlmsg_alloc();
	if (!msg) {
		ret = -ENOMEM;
		goto cleanup;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0,
			 NL80211_CMD_SET_WIPHY_NETNS, 0) ||
	    nla_put_u32(msg, NL80211_ATTR_WIPHY, phy) < 0 ||
	    nla_put_u32(msg, NL80211_ATTR_NETNS_FD, (uint32_t)to_netns_fd) < 0)
		ret = -EMSGSIZE;
	else
		ret = talk(nl, msg, nl->family, NULL, NULL);
cleanup:
	nlmsg_free(msg);
	if (ret < 0) {
		ret = wgp_fail(err, ret, "Cannot move", "%s", name);
		wgp_extack(err, nl->extack);
	}
	return ret;
}

/* ---- Events ---- */

int nl80211_watch_open(struct nl80211_watch **out, int netns_fd, struct wgp_err *err)
{
	struct nl80211_watch *w;
	int ret;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return wgp_fail(err, ENOMEM, "Cannot watch", "nl80211");
	ret = handle_init(&w->nl, netns_fd, err);
	if (ret <= 0)
		goto fail;
	if (!w->nl.config_group) {
		ret = wgp_fail(err, EPROTONOSUPPORT, "Cannot watch", "nl80211");
		wgp_because(err, "it has no \"%s\" multicast group",
			    NL80211_MULTICAST_GROUP_CONFIG);
		goto fail;
	}
	if (setsockopt(w->nl.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &w->nl.config_group, sizeof(w->nl.config_group)) < 0) {
		ret = wgp_fail(err, errno, "Cannot watch", "nl80211");
		goto fail;
	}
	*out = w;
	return 0;
fail:
	nl80211_watch_close(w);
	return ret;
}

void nl80211_watch_close(struct nl80211_watch *w)
{
	if (!w)
		return;
	if (w->nl.sk)
		nl_socket_free(w->nl.sk);
	free(w);
}

int nl80211_watch_fd(const struct nl80211_watch *w)
{
	return w ? w->nl.fd : -1;
}

int nl80211_watch_read(struct nl80211_watch *w, nl80211_phy_cb *cb, void *arg,
		       struct wgp_err *err)
{
	int i, ret, first = 0;
	ssize_t len;

	if (!w)
		return 0;
	for (i = 0; i < WATCH_BATCH; i++) {
		len = recv_kernel(&w->nl, MSG_DONTWAIT);
		if (len == -EAGAIN)
			break;
		if (len < 0) {
			if (!first)
				first = (int)len;
			/* Both leave the socket readable past the loss. */
			if (len == -ENOBUFS || len == -EMSGSIZE)
				continue;
			break;
		}
		ret = nl80211_parse_events(w->nl.family, w->nl.buf, (size_t)len, cb, arg);
		if (ret < 0 && !first)
			first = ret;
	}
	if (!first)
		return 0;
	ret = wgp_fail(err, first, "Cannot read", "nl80211 events");
	if (first == -ENOBUFS)
		wgp_because(err, "the kernel dropped some (receive queue overrun)");
	return ret;
}

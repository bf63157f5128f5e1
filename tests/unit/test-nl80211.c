// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of nl80211.c: its parsers on replies built here message by
 * message, as the kernel sends them (a split wiphy dump, an interface
 * dump with a P2P device, the controller's answer, events) and broken in
 * the ways a reply can break (a truncated attribute, a wrong length, a
 * missing attribute, an error midway, a dump that changed underneath);
 * then the calls on this machine's own kernel, which has no cfg80211: no
 * handle, empty lists; and the close-on-exec flag of libnl's sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "nl80211.h"
#include "tap.h"

#define FAMILY 0x1c	/* nl80211's id, as the tests pretend */
#define SEQ 1000
#define PORT 4242

/* A reply being built: messages one after another, as in a datagram. */
static _Alignas(8) unsigned char wire[65536];
static size_t wire_len;

/*
 * Starts a new reply. With NL80211_CORPUS=DIR in the environment, the one
 * built before is saved there first (DIR/unit-N), as a seed for the fuzzer
 * (tests/fuzz/fuzz-nl80211.c).
 */
static void wire_reset(void)
{
	static int saved;
	const char *dir = getenv("NL80211_CORPUS");
	char path[4096];
	FILE *f;

	if (dir && wire_len) {
		snprintf(path, sizeof(path), "%s/unit-%02d", dir, ++saved);
		f = fopen(path, "we");
		if (f) {
			fwrite(wire, 1, wire_len, f);
			fclose(f);
		}
	}
	memset(wire, 0, sizeof(wire));
	wire_len = 0;
}

/* Appends msg to the wire and frees it; returns where it landed. */
static struct nlmsghdr *append(struct nl_msg *msg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg), *at = (struct nlmsghdr *)(wire + wire_len);

	memcpy(at, h, h->nlmsg_len);
	wire_len += NLMSG_ALIGN(h->nlmsg_len);
	nlmsg_free(msg);
	return at;
}

static struct nl_msg *genl(uint16_t type, uint8_t cmd, uint32_t seq)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, PORT, seq, type, 0, NLM_F_MULTI, cmd, 1);
	return msg;
}

/* One part of a wiphy dump: index, name, generation (and what more). */
static struct nl_msg *phy_part(uint32_t index, const char *name, uint32_t gen)
{
	struct nl_msg *msg = genl(FAMILY, NL80211_CMD_NEW_WIPHY, SEQ);

	nla_put_u32(msg, NL80211_ATTR_WIPHY, index);
	nla_put_string(msg, NL80211_ATTR_WIPHY_NAME, name);
	nla_put_u32(msg, NL80211_ATTR_GENERATION, gen);
	return msg;
}

static void put_commands(struct nl_msg *msg, bool netns_ok)
{
	struct nlattr *nest = nla_nest_start(msg, NL80211_ATTR_SUPPORTED_COMMANDS);

	nla_put_u32(msg, 1, NL80211_CMD_NEW_INTERFACE);
	nla_put_u32(msg, 2, NL80211_CMD_CONNECT);
	if (netns_ok)
		nla_put_u32(msg, 3, NL80211_CMD_SET_WIPHY_NETNS);
	nla_nest_end(msg, nest);
}

static void done(uint32_t seq, int code)
{
	struct nl_msg *msg = nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI);

	nlmsg_hdr(msg)->nlmsg_seq = seq;
	nlmsg_hdr(msg)->nlmsg_pid = PORT;
	nlmsg_append(msg, &code, sizeof(code), NLMSG_ALIGNTO);
	append(msg);
}

/* An error (or ack, code 0) with the kernel's words; capped: only the
 * request's header is echoed, else its 8 bytes of payload too. */
static void error_msg(int code, const char *text, bool capped)
{
	struct nl_msg *msg = nlmsg_alloc_simple(NLMSG_ERROR,
						(text ? NLM_F_ACK_TLVS : 0) |
						(capped ? NLM_F_CAPPED : 0));
	struct nlmsgerr e = { .error = code };
	char payload[8] = "abcdefg";

	e.msg.nlmsg_len = NLMSG_LENGTH(capped ? 0 : sizeof(payload));
	e.msg.nlmsg_seq = SEQ;
	nlmsg_hdr(msg)->nlmsg_seq = SEQ;
	nlmsg_hdr(msg)->nlmsg_pid = PORT;
	nlmsg_append(msg, &e, sizeof(e), NLMSG_ALIGNTO);
	if (!capped)
		nlmsg_append(msg, payload, sizeof(payload), NLMSG_ALIGNTO);
	if (text)
		nla_put_string(msg, NLMSGERR_ATTR_MSG, text);
	append(msg);
}

static struct nl80211_reply reply(uint16_t family)
{
	return (struct nl80211_reply){ .family = family, .seq = SEQ, .portid = PORT };
}

static int parse_phys(struct phy_info **v, size_t *n)
{
	struct nl80211_reply r = reply(FAMILY);

	return nl80211_parse_phys(&r, wire, wire_len, v, n);
}

static const struct phy_info *phy_named(const struct phy_info *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/* phy0 in three parts (its commands in the second), phy1 in two. */
static void split_dump(void)
{
	struct phy_info *v = NULL;
	const struct phy_info *p0, *p1;
	struct nl_msg *msg;
	size_t n = 0;
	int ret;

	wire_reset();
	append(phy_part(0, "phy0", 7));
	msg = phy_part(0, "phy0", 7);
	put_commands(msg, true);
	append(msg);
	msg = phy_part(0, "phy0", 7);
	nla_put_u8(msg, NL80211_ATTR_WIPHY_RETRY_SHORT, 7);
	append(msg);
	append(phy_part(1, "phy1", 7));
	msg = phy_part(1, "phy1", 7);
	put_commands(msg, false);
	append(msg);
	done(SEQ, 0);

	ret = parse_phys(&v, &n);
	ok(ret == 0 && n == 2, "split dump: 5 parts make 2 phys (ret %d, n %zu)", ret, n);
	p0 = phy_named(v, n, "phy0");
	p1 = phy_named(v, n, "phy1");
	ok(p0 && p0->index == 0 && p0->netns_known && p0->netns_ok,
	   "split dump: phy0, index 0, may change namespace");
	ok(p1 && p1->index == 1 && p1->netns_known && !p1->netns_ok,
	   "split dump: phy1, index 1, may not (no SET_WIPHY_NETNS among its commands)");
	free(v);

	/* The same reply with a stranger's message (another sequence number)
	 * in the middle: skipped, as a late answer would be. */
	wire_reset();
	append(phy_part(0, "phy0", 7));
	msg = genl(FAMILY, NL80211_CMD_NEW_WIPHY, SEQ - 1);
	nla_put_u32(msg, NL80211_ATTR_WIPHY, 9);
	nla_put_string(msg, NL80211_ATTR_WIPHY_NAME, "stale");
	append(msg);
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == 0 && n == 1 && !strcmp(v[0].name, "phy0") && !v[0].netns_known,
	   "a message with another sequence number is not part of the reply (ret %d, n %zu)",
	   ret, n);
	free(v);

	/* The list of phys changed while it was dumped. */
	wire_reset();
	append(phy_part(0, "phy0", 7));
	append(phy_part(1, "phy1", 8));
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == -EINTR && !v && !n, "a generation that changes midway: -EINTR, no list (ret %d)", ret);

	/* The kernel flagged it. */
	wire_reset();
	msg = phy_part(0, "phy0", 7);
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_DUMP_INTR;
	append(msg);
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == -EINTR && !v && !n, "NLM_F_DUMP_INTR: -EINTR, no list (ret %d)", ret);
}

/* Each must be refused as a whole: -EBADMSG, no list at all. */
static void broken_phys(void)
{
	struct phy_info *v = NULL;
	struct nlmsghdr *h;
	struct nlattr *a;
	struct nl_msg *msg;
	uint16_t u16 = 1;
	uint64_t u64 = 1;
	size_t n = 0;
	int ret;

	/* The last attribute claims more bytes than the message has. */
	wire_reset();
	append(phy_part(0, "phy0", 7));
	msg = phy_part(1, "phy1", 7);
	nla_put_u32(msg, NL80211_ATTR_WIPHY_FRAG_THRESHOLD, 2346);
	h = append(msg);
	a = (struct nlattr *)((char *)h + h->nlmsg_len - NLA_HDRLEN - 4);
	a->nla_len = 12;
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == -EBADMSG && !v && !n, "a truncated attribute: the reply is refused (ret %d)", ret);

	/* A message cut inside its attributes (nlmsg_len too short). */
	wire_reset();
	msg = phy_part(0, "phy0", 7);
	h = append(msg);
	h->nlmsg_len -= 2;
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == -EBADMSG && !v, "a message that ends inside an attribute: refused (ret %d)", ret);

	wire_reset();
	msg = genl(FAMILY, NL80211_CMD_NEW_WIPHY, SEQ);
	nla_put(msg, NL80211_ATTR_WIPHY, sizeof(u16), &u16);
	nla_put_string(msg, NL80211_ATTR_WIPHY_NAME, "phy0");
	append(msg);
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == -EBADMSG && !v, "a 2-byte NL80211_ATTR_WIPHY is refused, not read (ret %d)", ret);

	wire_reset();
	msg = genl(FAMILY, NL80211_CMD_NEW_WIPHY, SEQ);
	nla_put(msg, NL80211_ATTR_WIPHY, sizeof(u64), &u64);
	nla_put_string(msg, NL80211_ATTR_WIPHY_NAME, "phy0");
	append(msg);
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == -EBADMSG && !v, "an 8-byte NL80211_ATTR_WIPHY is refused (ret %d)", ret);

	wire_reset();
	msg = genl(FAMILY, NL80211_CMD_NEW_WIPHY, SEQ);
	nla_put_u32(msg, NL80211_ATTR_WIPHY, 0);
	nla_put(msg, NL80211_ATTR_WIPHY_NAME, 4, "phy0");	/* no NUL */
	append(msg);
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == -EBADMSG && !v, "a name without its NUL is refused (ret %d)", ret);

	wire_reset();
	msg = genl(FAMILY, NL80211_CMD_NEW_WIPHY, SEQ);
	nla_put_string(msg, NL80211_ATTR_WIPHY_NAME, "phy0");
	append(msg);
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == -EBADMSG && !v, "a phy without NL80211_ATTR_WIPHY is refused (ret %d)", ret);

	wire_reset();
	msg = phy_part(0, "phy0", 7);
	nla_put_u32(msg, NL80211_ATTR_SUPPORTED_COMMANDS, 1);	/* not a nest of u32s */
	append(msg);
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == -EBADMSG && !v, "a command list that is not a list of u32 is refused (ret %d)", ret);

	/* A message of another family in our reply. */
	wire_reset();
	append(phy_part(0, "phy0", 7));
	msg = genl(FAMILY + 1, NL80211_CMD_NEW_WIPHY, SEQ);
	append(msg);
	done(SEQ, 0);
	ret = parse_phys(&v, &n);
	ok(ret == -EBADMSG && !v, "a message of another type in the reply is refused (ret %d)", ret);

	/* Bytes after the last whole message. */
	wire_reset();
	append(phy_part(0, "phy0", 7));
	wire_len += 8;
	ret = parse_phys(&v, &n);
	ok(ret == -EBADMSG && !v, "trailing bytes after the messages are refused (ret %d)", ret);

	/* No NLMSG_DONE: the reply is not over. */
	wire_reset();
	append(phy_part(0, "phy0", 7));
	ret = parse_phys(&v, &n);
	ok(ret == -EBADMSG && !v, "a reply without its end is not a list (ret %d)", ret);
}

static void kernel_errors(void)
{
	struct nl80211_reply r = reply(FAMILY);
	struct phy_info *v = NULL;
	size_t n = 0;
	int ret;

	wire_reset();
	append(phy_part(0, "phy0", 7));
	error_msg(-EPERM, "no, not you", true);
	ret = nl80211_parse_phys(&r, wire, wire_len, &v, &n);
	ok(ret == -EPERM && !v && !strcmp(r.extack, "no, not you"),
	   "an error midway: its errno and words, no list (ret %d, \"%s\")", ret, r.extack);

	wire_reset();
	error_msg(-EBUSY, "still busy", false);
	r = reply(FAMILY);
	ret = nl80211_parse_phys(&r, wire, wire_len, &v, &n);
	ok(ret == -EBUSY && !strcmp(r.extack, "still busy"),
	   "the words after an echoed request are found (ret %d, \"%s\")", ret, r.extack);

	wire_reset();
	append(phy_part(0, "phy0", 7));
	done(SEQ, -ENOBUFS);
	r = reply(FAMILY);
	ret = nl80211_parse_phys(&r, wire, wire_len, &v, &n);
	ok(ret == -ENOBUFS && !v, "a dump that ended in an error gives that error (ret %d)", ret);

	wire_reset();
	error_msg(-ENOENT, NULL, true);
	r = reply(FAMILY);
	ret = nl80211_parse_phys(&r, wire, wire_len, &v, &n);
	ok(ret == -ENOENT && !r.extack[0], "an error without words (ret %d)", ret);

	wire_reset();
	error_msg(0, NULL, true);
	r = reply(FAMILY);
	ret = nl80211_parse_phys(&r, wire, wire_len, &v, &n);
	ok(ret == 0 && n == 0, "a bare ack: done, nothing listed (ret %d)", ret);

	wire_reset();
	error_msg(5, NULL, true);
	r = reply(FAMILY);
	ret = nl80211_parse_phys(&r, wire, wire_len, &v, &n);
	ok(ret == -EBADMSG, "a positive error code is no errno: refused (ret %d)", ret);
}

static struct nl_msg *iface(uint32_t phy, int ifindex, const char *name)
{
	struct nl_msg *msg = genl(FAMILY, NL80211_CMD_NEW_INTERFACE, SEQ);

	if (ifindex)
		nla_put_u32(msg, NL80211_ATTR_IFINDEX, (uint32_t)ifindex);
	if (name)
		nla_put_string(msg, NL80211_ATTR_IFNAME, name);
	nla_put_u32(msg, NL80211_ATTR_WIPHY, phy);
	nla_put_u32(msg, NL80211_ATTR_IFTYPE, NL80211_IFTYPE_STATION);
	nla_put_u64(msg, NL80211_ATTR_WDEV, ((uint64_t)phy << 32) | 1);
	return msg;
}

static void ifaces(void)
{
	struct nl80211_reply r = reply(FAMILY);
	struct wdev_info *v = NULL;
	struct nl_msg *msg;
	size_t n = 0;
	int ret;

	wire_reset();
	append(iface(0, 4, "wlan0"));
	msg = genl(FAMILY, NL80211_CMD_NEW_INTERFACE, SEQ);	/* a P2P device */
	nla_put_u32(msg, NL80211_ATTR_WIPHY, 0);
	nla_put_u32(msg, NL80211_ATTR_IFTYPE, NL80211_IFTYPE_P2P_DEVICE);
	nla_put_u64(msg, NL80211_ATTR_WDEV, 2);
	append(msg);
	append(iface(1, 5, "wlan1"));
	done(SEQ, 0);
	ret = nl80211_parse_ifaces(&r, wire, wire_len, &v, &n);
	ok(ret == 0 && n == 2, "interfaces: a P2P device (no ifindex) is not one (ret %d, n %zu)",
	   ret, n);
	ok(n == 2 && v[0].ifindex == 4 && !strcmp(v[0].name, "wlan0") && v[0].phy == 0 &&
	   v[1].ifindex == 5 && !strcmp(v[1].name, "wlan1") && v[1].phy == 1,
	   "interfaces: wlan0 (4, phy 0) and wlan1 (5, phy 1)");
	free(v);

	wire_reset();
	append(iface(0, 4, NULL));
	done(SEQ, 0);
	r = reply(FAMILY);
	ret = nl80211_parse_ifaces(&r, wire, wire_len, &v, &n);
	ok(ret == -EBADMSG && !v, "an interface with an index and no name is refused (ret %d)", ret);

	wire_reset();
	append(iface(0, 4, ""));
	done(SEQ, 0);
	r = reply(FAMILY);
	ret = nl80211_parse_ifaces(&r, wire, wire_len, &v, &n);
	ok(ret == -EBADMSG && !v, "an interface with an empty name is refused (ret %d)", ret);

	wire_reset();
	append(iface(0, 4, "a-name-too-long-for-ifnamsiz"));
	done(SEQ, 0);
	r = reply(FAMILY);
	ret = nl80211_parse_ifaces(&r, wire, wire_len, &v, &n);
	ok(ret == -EBADMSG && !v, "a name longer than IFNAMSIZ is refused (ret %d)", ret);

	wire_reset();
	msg = genl(FAMILY, NL80211_CMD_NEW_INTERFACE, SEQ);
	nla_put_u32(msg, NL80211_ATTR_IFINDEX, 4);
	nla_put_string(msg, NL80211_ATTR_IFNAME, "wlan0");
	append(msg);
	done(SEQ, 0);
	r = reply(FAMILY);
	ret = nl80211_parse_ifaces(&r, wire, wire_len, &v, &n);
	ok(ret == -EBADMSG && !v, "an interface without its phy is refused (ret %d)", ret);
}

static void put_group(struct nl_msg *msg, int i, const char *name, uint32_t id)
{
	struct nlattr *g = nla_nest_start(msg, i);

	nla_put_string(msg, CTRL_ATTR_MCAST_GRP_NAME, name);
	nla_put_u32(msg, CTRL_ATTR_MCAST_GRP_ID, id);
	nla_nest_end(msg, g);
}

static struct nl_msg *family_reply(const char *name, uint16_t id, bool config)
{
	struct nl_msg *msg = genl(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, SEQ);
	struct nlattr *groups;

	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name);
	nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, id);
	nla_put_u32(msg, CTRL_ATTR_VERSION, 1);
	groups = nla_nest_start(msg, CTRL_ATTR_MCAST_GROUPS);
	if (config)
		put_group(msg, 1, "config", 5);
	put_group(msg, 2, "scan", 6);
	nla_nest_end(msg, groups);
	return msg;
}

static void family(void)
{
	struct nl80211_reply r = reply(GENL_ID_CTRL);
	uint16_t id;
	uint32_t group;
	int ret;

	wire_reset();
	append(family_reply("nl80211", 0x1c, true));
	error_msg(0, NULL, true);
	ret = nl80211_parse_family(&r, wire, wire_len, &id, &group);
	ok(ret == 0 && id == 0x1c && group == 5, "family: id 0x1c, \"config\" group 5 (ret %d)", ret);

	wire_reset();
	append(family_reply("nl80211", 0x1c, false));
	error_msg(0, NULL, true);
	r = reply(GENL_ID_CTRL);
	ret = nl80211_parse_family(&r, wire, wire_len, &id, &group);
	ok(ret == 0 && id == 0x1c && group == 0, "family without a \"config\" group: group 0");

	wire_reset();
	append(family_reply("nl80212", 0x1c, true));
	error_msg(0, NULL, true);
	r = reply(GENL_ID_CTRL);
	ret = nl80211_parse_family(&r, wire, wire_len, &id, &group);
	ok(ret == -EBADMSG && !id, "an answer about another family is refused (ret %d)", ret);

	wire_reset();
	append(family_reply("nl80211", 3, true));
	error_msg(0, NULL, true);
	r = reply(GENL_ID_CTRL);
	ret = nl80211_parse_family(&r, wire, wire_len, &id, &group);
	ok(ret == -EBADMSG, "a family id among the control messages' is refused (ret %d)", ret);

	wire_reset();
	error_msg(-ENOENT, NULL, true);
	r = reply(GENL_ID_CTRL);
	ret = nl80211_parse_family(&r, wire, wire_len, &id, &group);
	ok(ret == -ENOENT, "no such family: -ENOENT (ret %d)", ret);
}

struct seen {
	int n;
	char log[256];
};

static void on_event(void *arg, const struct phy_info *phy, bool added)
{
	struct seen *s = arg;
	size_t len = strlen(s->log);

	s->n++;
	snprintf(s->log + len, sizeof(s->log) - len, "%s%s %u %s", len ? ", " : "",
		 added ? "new" : "del", phy->index, phy->name);
}

static void events(void)
{
	struct seen s = { 0 };
	struct nl_msg *msg;
	struct nlmsghdr *h;
	int ret;

	wire_reset();
	msg = genl(FAMILY, NL80211_CMD_NEW_WIPHY, 0);
	nla_put_u32(msg, NL80211_ATTR_WIPHY, 2);
	nla_put_string(msg, NL80211_ATTR_WIPHY_NAME, "phy2");
	put_commands(msg, true);
	append(msg);
	append(iface(2, 7, "wlan2"));	/* other news of the group */
	msg = genl(FAMILY, NL80211_CMD_DEL_WIPHY, 0);
	nla_put_u32(msg, NL80211_ATTR_WIPHY, 1);
	nla_put_string(msg, NL80211_ATTR_WIPHY_NAME, "phy1");
	append(msg);
	ret = nl80211_parse_events(FAMILY, wire, wire_len, on_event, &s);
	ok(ret == 0 && s.n == 2 && !strcmp(s.log, "new 2 phy2, del 1 phy1"),
	   "events: a new and a deleted phy, the interface ignored (ret %d: %s)", ret, s.log);

	/* A broken event between two good ones: the good ones are told,
	 * and the caller learns that one was lost. */
	s = (struct seen){ 0 };
	wire_reset();
	msg = genl(FAMILY, NL80211_CMD_NEW_WIPHY, 0);
	nla_put_u32(msg, NL80211_ATTR_WIPHY, 2);
	nla_put_string(msg, NL80211_ATTR_WIPHY_NAME, "phy2");
	append(msg);
	msg = genl(FAMILY, NL80211_CMD_NEW_WIPHY, 0);
	nla_put_u16(msg, NL80211_ATTR_WIPHY, 3);
	nla_put_string(msg, NL80211_ATTR_WIPHY_NAME, "phy3");
	append(msg);
	msg = genl(FAMILY, NL80211_CMD_DEL_WIPHY, 0);
	nla_put_u32(msg, NL80211_ATTR_WIPHY, 1);
	nla_put_string(msg, NL80211_ATTR_WIPHY_NAME, "phy1");
	h = append(msg);
	ret = nl80211_parse_events(FAMILY, wire, wire_len, on_event, &s);
	ok(ret == -EBADMSG && s.n == 2 && !strcmp(s.log, "new 2 phy2, del 1 phy1"),
	   "events: a malformed one is reported, the others still told (ret %d: %s)", ret, s.log);

	/* The same bytes from another family are not nl80211's news. */
	s = (struct seen){ 0 };
	h->nlmsg_type = FAMILY + 1;
	ret = nl80211_parse_events(FAMILY + 2, wire, wire_len, on_event, &s);
	ok(ret == 0 && s.n == 0, "events: messages of other families are ignored (ret %d)", ret);
}

/* What this machine's kernel says: the build machines have no cfg80211. */
static void this_kernel(void)
{
	struct wgp_err err = { 0 };
	struct nl80211 *nl = (struct nl80211 *)1;
	struct nl80211_watch *w = (struct nl80211_watch *)1;
	struct phy_info *phys = (struct phy_info *)1;
	struct wdev_info *wdevs = (struct wdev_info *)1;
	size_t n = 99;
	struct stat st;
	int fd, ret;

	if (stat("/sys/module/cfg80211", &st) == 0) {
		/* A machine with wireless: the handle must exist, and its
		 * socket must not leak into children. */
		ret = nl80211_watch_open(&w, -1, &err);
		fd = nl80211_watch_fd(w);
		ok(ret == 0 && w && fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
		   "cfg80211 is loaded: a watch handle, its socket close-on-exec (ret %d)", ret);
		nl80211_watch_close(w);
		return;
	}
	ret = nl80211_open(&nl, -1, &err);
	ok(ret == 0 && !nl && !err.code, "no cfg80211 here: nl80211_open gives 0 and no handle (ret %d)",
	   ret);
	ret = nl80211_list_phys(nl, &phys, &n, &err);
	ok(ret == 0 && !phys && n == 0, "no handle: no phys");
	n = 99;
	ret = nl80211_list_ifaces(nl, &wdevs, &n, &err);
	ok(ret == 0 && !wdevs && n == 0, "no handle: no wireless interfaces");
	ret = nl80211_set_netns(nl, 0, "phy0", 0, &err);
	ok(ret == -ENODEV && err.code == ENODEV && !strcmp(err.object, "phy0"),
	   "no handle: a move fails, naming the phy (ret %d)", ret);
	err = (struct wgp_err){ 0 };
	ret = nl80211_watch_open(&w, -1, &err);
	ok(ret == 0 && !w && nl80211_watch_fd(w) == -1 &&
	   nl80211_watch_read(w, on_event, NULL, &err) == 0,
	   "no cfg80211: no watch handle, fd -1, nothing to read (ret %d)", ret);

	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ret = nl80211_open(&nl, fd, &err);
	ok(ret == 0 && !nl, "the same, through a namespace fd (ret %d)", ret);
	close(fd);

	phys = (struct phy_info *)1;
	n = 99;
	ret = nl80211_list_phys(NULL, &phys, &n, &err);
	ok(ret == 0 && !phys && !n, "no handle: no phys (ret %d)", ret);
	wdevs = (struct wdev_info *)1;
	n = 99;
	ret = nl80211_list_ifaces(NULL, &wdevs, &n, &err);
	ok(ret == 0 && !wdevs && !n, "no handle: no interfaces (ret %d)", ret);

	/* Not a namespace: setns refuses, and the error says what failed. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	nl = (struct nl80211 *)1;
	ret = nl80211_open(&nl, fd, &err);
	ok(ret == -EINVAL && !nl && err.code == EINVAL && !strcmp(err.what, "Cannot reach") &&
	   !strcmp(err.object, "nl80211"),
	   "a descriptor that is no namespace: -EINVAL, \"Cannot reach nl80211\" (ret %d)", ret);
	close(fd);
}

/* libnl 3.7's nl_connect opens its socket with SOCK_CLOEXEC (nl80211.c
 * opens its own, also with SOCK_CLOEXEC; this checks the library's). */
static void libnl_cloexec(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret, flags = -1;

	ret = sk ? nl_connect(sk, NETLINK_GENERIC) : -1;
	if (!ret)
		flags = fcntl(nl_socket_get_fd(sk), F_GETFD);
	ok(ret == 0 && flags >= 0 && (flags & FD_CLOEXEC),
	   "libnl's nl_connect: the socket is close-on-exec (ret %d, flags %#x)", ret, flags);
	nl_socket_free(sk);
}

int main(void)
{
	split_dump();
	broken_phys();
	kernel_errors();
	ifaces();
	family();
	events();
	this_kernel();
	libnl_cloexec();
	wire_reset();	/* saves the last one */
	return done_testing();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The kill switch in the kernel: a netfilter rule set, built with libnftnl
 * and sent as one atomic batch, that lets packets leave the current network
 * namespace only through lo, the tunnel and virtual interfaces, and goes on
 * doing so with no process of ours alive.
 *
 * An interface is judged by its kind (rtnl_link_ops->kind, nft's "meta
 * oifkind"). A NIC made by a driver has no kind at all: the meta expression
 * then ends the rule without a match, so a rule can only say "this kind may
 * pass" and a final rule drops the rest. In nft's words, per table:
 *
 *   table inet wgphys      output, postrouting: oif "lo" accept
 *                          output, postrouting: meta oifkind @allowed accept
 *                          forward: meta iifkind @allowed meta oifkind @allowed accept
 *   table bridge wgphys    output: meta oifkind @allowed accept
 *                          forward: meta iifkind @allowed meta oifkind @allowed accept
 *   table arp wgphys       output: meta oifkind @allowed accept
 *   every chain            counter drop, and "policy drop" besides
 *
 * Why these hooks. postrouting sees every IP packet that leaves, local or
 * forwarded, with the device it really leaves by: no hook after it can
 * route the packet again. output and forward also see the packets that
 * skip postrouting (IPsec's second pass, for one) and refuse them at once.
 * A bridge hands frames to its ports below IP: the bridge table judges the
 * port (its output hook also sees the bridge's own STP and IGMP queries,
 * which skip the bridge's postrouting). ARP is sent below IP too.
 * Priorities decide only which device a chain sees (a drop anywhere is
 * final), so every chain sits at "filter".
 *
 * Why "policy drop" as well as the last rule: if someone flushes a chain's
 * rules, it drops everything instead of letting everything pass.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_arp.h>
#include <linux/netfilter_bridge.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "fence.h"
#include "netlink.h"

#define SET_NAME "allowed"
#define COMMENT "wgphys: only lo, the tunnel and virtual interfaces may send; see wgphys(8)"

/* nft's number for its "ifname" data type (its enum datatypes), stored with
 * the set so that `nft list` prints the elements as names. */
#define NFT_TYPE_IFNAME 41
/* ...and its BYTEORDER_HOST_ENDIAN (its enum byteorder). */
#define NFT_BYTEORDER_HOST 1

/*
 * The kinds that may carry packets. Each either keeps the packet on this
 * machine, or sends it on through the IP stack again, where these same
 * hooks judge the device it then leaves by:
 * - the tunnel;
 * - another namespace, a program, nowhere: veth, netkit, tun (and tap),
 *   dummy;
 * - a bridge: its ports are judged by the bridge table;
 * - vrf: its packets are routed again through the enslaved device;
 * - IP tunnels: the encapsulated packet is sent again, and judged then.
 * Not here, on purpose: vlan, macvlan, macvtap, ipvlan, ipvtap, macsec,
 * bond, team, hsr, ifb and the like hand frames straight to a lower device
 * below IP, with no hook on the way: a leaked NIC could be that device.
 */
static const char *const allowed_kinds[] = {
	"wireguard",
	"veth", "netkit", "tun", "dummy",
	"bridge",
	"vrf",
	"ipip", "sit", "ip6tnl", "gre", "gretap", "erspan", "ip6gre", "ip6gretap",
	"ip6erspan", "vti", "vti6", "xfrm", "vxlan", "geneve", "bareudp",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct chain_spec {
	const char *name;
	uint32_t hook;
	bool lo;		/* lo may send (IP only: no frame leaves by lo) */
	bool iif;		/* forwarding: where it came from must pass too */
};

struct family_spec {
	uint16_t nfproto;
	const char *name;
	int32_t prio;		/* nft's "filter" priority in this family */
	const struct chain_spec *chains;
	size_t n_chains;
};

static const struct chain_spec inet_chains[] = {
	{ "output", NF_INET_LOCAL_OUT, true, false },
	{ "forward", NF_INET_FORWARD, false, true },
	{ "postrouting", NF_INET_POST_ROUTING, true, false },
};

static const struct chain_spec bridge_chains[] = {
	{ "output", NF_BR_LOCAL_OUT, false, false },
	{ "forward", NF_BR_FORWARD, false, true },
};

static const struct chain_spec arp_chains[] = {
	{ "output", NF_ARP_OUT, false, false },
};

static const struct family_spec families[] = {
	{ NFPROTO_INET, "inet", 0, inet_chains, ARRAY_SIZE(inet_chains) },
	{ NFPROTO_BRIDGE, "bridge", -200, bridge_chains, ARRAY_SIZE(bridge_chains) },
	{ NFPROTO_ARP, "arp", 0, arp_chains, ARRAY_SIZE(arp_chains) },
};

/* ---- A batch: the requests of one transaction, and what each one is ---- */

#define BATCH_LIMIT 32768	/* far above what the rule set takes */
#define BATCH_STEPS 64

struct batch {
	char *buf;		/* 2 * BATCH_LIMIT: a message may cross the limit */
	struct mnl_nlmsg_batch *b;
	uint32_t first_seq;
	uint32_t seq;		/* the last one used */
	bool full;
	struct step {
		const char *what;
		char object[96];
	} steps[BATCH_STEPS];	/* by seq - first_seq */
};

static int batch_open(struct batch *bt, struct nlk *nl, const char *what)
{
	memset(bt, 0, sizeof(*bt));
	bt->buf = malloc(2 * BATCH_LIMIT);
	if (!bt->buf)
		return -ENOMEM;
	bt->b = mnl_nlmsg_batch_start(bt->buf, BATCH_LIMIT);
	if (!bt->b)
		return -ENOMEM;
	bt->first_seq = bt->seq = ++nl->seq;
	bt->steps[0].what = what;
	snprintf(bt->steps[0].object, sizeof(bt->steps[0].object), "the kill switch");
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt->b), bt->seq);
	bt->full = !mnl_nlmsg_batch_next(bt->b);
	return 0;
}

static void batch_close(struct batch *bt)
{
	if (bt->b)
		mnl_nlmsg_batch_stop(bt->b);
	free(bt->buf);
	bt->b = NULL;
	bt->buf = NULL;
}

/* The next request, asking for an ACK; NULL when the batch is full (the
 * caller checks bt->full before sending). */
__attribute__((format(printf, 6, 7)))
static struct nlmsghdr *batch_msg(struct batch *bt, uint16_t type, uint16_t family,
				  uint16_t flags, const char *what, const char *objfmt, ...)
{
	struct step *st;
	va_list ap;

	if (bt->full || bt->seq + 1 - bt->first_seq >= BATCH_STEPS) {
		bt->full = true;
		return NULL;
	}
	st = &bt->steps[++bt->seq - bt->first_seq];
	st->what = what;
	va_start(ap, objfmt);
	vsnprintf(st->object, sizeof(st->object), objfmt, ap);
	va_end(ap);
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type, family,
				     flags | NLM_F_ACK, bt->seq);
}

static void batch_next(struct batch *bt)
{
	if (!bt->full && !mnl_nlmsg_batch_next(bt->b))
		bt->full = true;
}

/* End the batch, send it, and name the request the kernel refused. */
static int batch_send(struct nlk *nl, struct batch *bt, struct wgp_err *err)
{
	const struct step *st;
	uint32_t failed = 0;
	int ret;

	if (!bt->full) {
		nftnl_batch_end(mnl_nlmsg_batch_current(bt->b), ++bt->seq);
		batch_next(bt);
	}
	if (bt->full)	/* a bug: the rule set outgrew BATCH_LIMIT or BATCH_STEPS */
		return wgp_fail(err, EMSGSIZE, bt->steps[0].what, "%s", bt->steps[0].object);
	ret = nlk_talk_batch(nl, mnl_nlmsg_batch_head(bt->b), mnl_nlmsg_batch_size(bt->b),
			     &failed);
	if (ret == 0)
		return 0;
	st = &bt->steps[0];
	if (failed > bt->first_seq && failed - bt->first_seq < BATCH_STEPS &&
	    bt->steps[failed - bt->first_seq].what)
		st = &bt->steps[failed - bt->first_seq];
	wgp_fail(err, ret, st->what, "%s", st->object);
	if (ret == -EPROTO && !failed)
		wgp_because(err, "the kernel did not acknowledge every request");
	wgp_extack(err, nl->extack);
	return ret;
}

/* ---- The objects ---- */

/* NEWTABLE (create, or leave as it is) or DELTABLE. */
static int put_table(struct batch *bt, const struct family_spec *f, uint16_t type,
		     uint16_t flags, bool comment)
{
	struct nftnl_udata_buf *ud = NULL;
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	bool oom = !t;

	if (t) {
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, f->nfproto);
		oom |= nftnl_table_set_str(t, NFTNL_TABLE_NAME, FENCE_TABLE) < 0;
	}
	if (t && comment) {
		ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
		oom |= !ud || !nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, COMMENT) ||
		       nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(ud),
					    nftnl_udata_buf_len(ud)) < 0;
	}
	if (!oom) {
		nlh = batch_msg(bt, type, f->nfproto, flags,
				type == NFT_MSG_DELTABLE ? "Cannot delete" : "Cannot add",
				"table %s %s", f->name, FENCE_TABLE);
		if (nlh) {
			nftnl_table_nlmsg_build_payload(nlh, t);
			batch_next(bt);
		}
	}
	nftnl_udata_buf_free(ud);
	if (t)
		nftnl_table_free(t);
	return oom ? -ENOMEM : 0;
}

/* The set of allowed kinds, made and filled in two requests. Constant: the
 * kernel refuses to change it once a rule uses it. */
static int put_set(struct batch *bt, const struct family_spec *f, uint32_t set_id)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_udata_buf *ud = NULL;
	struct nftnl_set_elem *e;
	struct nlmsghdr *nlh;
	char key[IFNAMSIZ];
	bool oom = !s;
	size_t i;

	if (s) {
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, f->nfproto);
		oom |= nftnl_set_set_str(s, NFTNL_SET_TABLE, FENCE_TABLE) < 0;
		oom |= nftnl_set_set_str(s, NFTNL_SET_NAME, SET_NAME) < 0;
		nftnl_set_set_u32(s, NFTNL_SET_ID, set_id);
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_CONSTANT);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, NFT_TYPE_IFNAME);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, IFNAMSIZ);
		/* nft's note that the key is in host byte order (a string):
		 * without it, `nft list` prints the names reversed. */
		ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
		oom |= !ud || !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
						   NFT_BYTEORDER_HOST) ||
		       nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
					  nftnl_udata_buf_len(ud)) < 0;
	}
	if (!oom) {
		nlh = batch_msg(bt, NFT_MSG_NEWSET, f->nfproto, NLM_F_CREATE | NLM_F_EXCL,
				"Cannot add", "set %s %s %s", f->name, FENCE_TABLE, SET_NAME);
		if (nlh) {
			nftnl_set_nlmsg_build_payload(nlh, s);
			batch_next(bt);
		}
	}
	/* The kernel compares all IFNAMSIZ bytes: the kind, zero-padded. */
	for (i = 0; !oom && i < ARRAY_SIZE(allowed_kinds); i++) {
		e = nftnl_set_elem_alloc();
		if (!e) {
			oom = true;
			break;
		}
		memset(key, 0, sizeof(key));
		strncpy(key, allowed_kinds[i], sizeof(key) - 1);
		oom |= nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, sizeof(key)) < 0;
		nftnl_set_elem_add(s, e);
	}
	if (!oom) {
		nlh = batch_msg(bt, NFT_MSG_NEWSETELEM, f->nfproto, NLM_F_CREATE | NLM_F_EXCL,
				"Cannot fill", "set %s %s %s", f->name, FENCE_TABLE, SET_NAME);
		if (nlh) {
			nftnl_set_elems_nlmsg_build_payload(nlh, s);
			batch_next(bt);
		}
	}
	nftnl_udata_buf_free(ud);
	if (s)
		nftnl_set_free(s);
	return oom ? -ENOMEM : 0;
}

static int put_chain(struct batch *bt, const struct family_spec *f, const struct chain_spec *c)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	bool oom = !ch;

	if (ch) {
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, f->nfproto);
		oom |= nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, FENCE_TABLE) < 0;
		oom |= nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, c->name) < 0;
		oom |= nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter") < 0;
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, c->hook);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, f->prio);
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_DROP);
	}
	if (!oom) {
		nlh = batch_msg(bt, NFT_MSG_NEWCHAIN, f->nfproto, NLM_F_CREATE | NLM_F_EXCL,
				"Cannot add", "chain %s %s %s", f->name, FENCE_TABLE, c->name);
		if (nlh) {
			nftnl_chain_nlmsg_build_payload(nlh, ch);
			batch_next(bt);
		}
	}
	if (ch)
		nftnl_chain_free(ch);
	return oom ? -ENOMEM : 0;
}

/* ---- Rules, from expressions (each helper returns NULL on ENOMEM) ---- */

static struct nftnl_expr *expr_meta(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return e;
}

static struct nftnl_expr *expr_eq_u32(uint32_t value)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		if (nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &value, sizeof(value)) < 0) {
			nftnl_expr_free(e);
			e = NULL;
		}
	}
	return e;
}

static struct nftnl_expr *expr_in_set(uint32_t set_id)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
		if (nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, SET_NAME) < 0) {
			nftnl_expr_free(e);
			e = NULL;
		}
	}
	return e;
}

static struct nftnl_expr *expr_verdict(int verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	}
	return e;
}

static void add(struct nftnl_rule *r, struct nftnl_expr *e, bool *oom)
{
	if (e)
		nftnl_rule_add_expr(r, e);
	else
		*oom = true;
}

enum rule_kind { RULE_LO, RULE_KINDS, RULE_DROP };

static int put_rule(struct batch *bt, const struct family_spec *f, const struct chain_spec *c,
		    enum rule_kind kind, uint32_t set_id, unsigned int nth)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	bool oom = !r;

	if (r) {
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, f->nfproto);
		oom |= nftnl_rule_set_str(r, NFTNL_RULE_TABLE, FENCE_TABLE) < 0;
		oom |= nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->name) < 0;
		switch (kind) {
		case RULE_LO:	/* lo is ifindex 1 in every namespace */
			add(r, expr_meta(NFT_META_OIF), &oom);
			add(r, expr_eq_u32(1), &oom);
			add(r, expr_verdict(NF_ACCEPT), &oom);
			break;
		case RULE_KINDS:
			if (c->iif) {
				add(r, expr_meta(NFT_META_IIFKIND), &oom);
				add(r, expr_in_set(set_id), &oom);
			}
			add(r, expr_meta(NFT_META_OIFKIND), &oom);
			add(r, expr_in_set(set_id), &oom);
			add(r, expr_verdict(NF_ACCEPT), &oom);
			break;
		case RULE_DROP:
			add(r, nftnl_expr_alloc("counter"), &oom);
			add(r, expr_verdict(NF_DROP), &oom);
			break;
		}
	}
	if (!oom) {
		nlh = batch_msg(bt, NFT_MSG_NEWRULE, f->nfproto, NLM_F_CREATE | NLM_F_APPEND,
				"Cannot add", "rule %u to chain %s %s %s", nth, f->name,
				FENCE_TABLE, c->name);
		if (nlh) {
			nftnl_rule_nlmsg_build_payload(nlh, r);
			batch_next(bt);
		}
	}
	if (r)
		nftnl_rule_free(r);
	return oom ? -ENOMEM : 0;
}

static int put_chain_rules(struct batch *bt, const struct family_spec *f,
			   const struct chain_spec *c, uint32_t set_id)
{
	unsigned int nth = 0;
	int ret = 0;

	if (c->lo)
		ret = put_rule(bt, f, c, RULE_LO, set_id, ++nth);
	if (!ret)
		ret = put_rule(bt, f, c, RULE_KINDS, set_id, ++nth);
	if (!ret)
		ret = put_rule(bt, f, c, RULE_DROP, set_id, ++nth);
	return ret;
}

/*
 * One family's table, replacing any table of that name: add it (a no-op if
 * it exists), delete it with all it holds, and add it afresh, all within
 * the transaction. (NFT_MSG_DESTROYTABLE would do the first two in one, but
 * only from Linux 6.3.)
 */
static int put_family(struct batch *bt, const struct family_spec *f, uint32_t set_id)
{
	int ret;
	size_t i;

	ret = put_table(bt, f, NFT_MSG_NEWTABLE, NLM_F_CREATE, false);
	if (!ret)
		ret = put_table(bt, f, NFT_MSG_DELTABLE, 0, false);
	if (!ret)
		ret = put_table(bt, f, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL, true);
	if (!ret)
		ret = put_set(bt, f, set_id);
	for (i = 0; !ret && i < f->n_chains; i++)
		ret = put_chain(bt, f, &f->chains[i]);
	for (i = 0; !ret && i < f->n_chains; i++)
		ret = put_chain_rules(bt, f, &f->chains[i], set_id);
	return ret;
}

static int open_nft(struct nlk **nl, const char *what, struct wgp_err *err)
{
	int ret = nlk_open(nl, NETLINK_NETFILTER, -1);

	if (ret < 0)
		return wgp_fail(err, ret, what, "the kill switch (netfilter netlink socket)");
	return 0;
}

int fence_install(struct wgp_err *err)
{
	const char *what = "Cannot install";
	struct batch bt = { 0 };
	struct nlk *nl = NULL;
	size_t i;
	int ret;

	ret = open_nft(&nl, what, err);
	if (ret < 0)
		return ret;
	ret = batch_open(&bt, nl, what);
	/* Set ids name a set within the transaction: one per table. */
	for (i = 0; !ret && i < ARRAY_SIZE(families); i++)
		ret = put_family(&bt, &families[i], (uint32_t)i + 1);
	if (ret < 0)
		wgp_fail(err, ret, what, "the kill switch");
	else
		ret = batch_send(nl, &bt, err);
	batch_close(&bt);
	nlk_close(nl);
	return ret;
}

int fence_remove(struct wgp_err *err)
{
	const char *what = "Cannot remove";
	struct batch bt = { 0 };
	struct nlk *nl = NULL;
	size_t i;
	int ret;

	ret = open_nft(&nl, what, err);
	if (ret < 0)
		return ret;
	ret = batch_open(&bt, nl, what);
	/* Adding first makes the delete succeed when the table is absent. */
	for (i = 0; !ret && i < ARRAY_SIZE(families); i++) {
		ret = put_table(&bt, &families[i], NFT_MSG_NEWTABLE, NLM_F_CREATE, false);
		if (!ret)
			ret = put_table(&bt, &families[i], NFT_MSG_DELTABLE, 0, false);
	}
	if (ret < 0)
		wgp_fail(err, ret, what, "the kill switch");
	else
		ret = batch_send(nl, &bt, err);
	batch_close(&bt);
	nlk_close(nl);
	return ret;
}

/* ---- Is it there? ---- */

struct seen {
	unsigned int chains[ARRAY_SIZE(families)];	/* bit i: chains[i] is right */
	bool oom;
};

/* One chain of the dump: ours if table, family, name, hook and policy are. */
static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	struct seen *seen = data;
	const char *table, *name;
	size_t i, j;

	if (!ch) {
		seen->oom = true;
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_chain_nlmsg_parse(nlh, ch) < 0)
		goto out;	/* not a chain we can read: not ours */
	table = nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE);
	name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
	if (!table || !name || strcmp(table, FENCE_TABLE) != 0 ||
	    !nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM) ||
	    !nftnl_chain_is_set(ch, NFTNL_CHAIN_POLICY) ||
	    nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) != NF_DROP)
		goto out;
	for (i = 0; i < ARRAY_SIZE(families); i++) {
		if (families[i].nfproto != nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY))
			continue;
		for (j = 0; j < families[i].n_chains; j++) {
			if (strcmp(families[i].chains[j].name, name) == 0 &&
			    families[i].chains[j].hook == nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM))
				seen->chains[i] |= 1u << j;
		}
	}
out:
	nftnl_chain_free(ch);
	return MNL_CB_OK;
}

int fence_present(bool *present, struct wgp_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct seen seen = { { 0 }, false };
	struct nlmsghdr *nlh;
	struct nlk *nl = NULL;
	size_t i;
	int ret;

	*present = false;
	ret = open_nft(&nl, "Cannot look for", err);
	if (ret < 0)
		return ret;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, ++nl->seq);
	ret = nlk_talk(nl, nlh, chain_cb, &seen);
	if (ret < 0) {
		wgp_fail(err, ret, "Cannot list", "netfilter chains");
		wgp_extack(err, nl->extack);
		goto out;
	}
	*present = true;
	for (i = 0; i < ARRAY_SIZE(families); i++)
		if (seen.chains[i] != (1u << families[i].n_chains) - 1)
			*present = false;
out:
	nlk_close(nl);
	return ret;
}

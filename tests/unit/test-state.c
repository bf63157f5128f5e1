// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the state journal's parser (state.c): a state holding every
 * kind of line survives state_format() + state_parse() unchanged, and each
 * malformed line is refused with its line number, without a sanitizer
 * report (this test runs under ASan/UBSan). The old parser's two memory
 * bugs have a case each: an oversized "saved" entry (stack overflow in the
 * replay) and a 16-byte one (a read past the heap block).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "rtnl.h"
#include "state.h"
#include "tap.h"

static const char *emsg(const struct wgp_err *e)
{
	static char line[1024];

	if (!e->code)
		return "";
	wgp_format(e, line, sizeof(line));
	return line;
}

/* An RTM_NEWADDR for 192.168.1.50/24 on ifindex 2, as the kernel dumps it. */
static size_t make_addr(uint8_t *buf)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifaddrmsg *ifa = (struct ifaddrmsg *)(buf + NLMSG_HDRLEN);
	struct nlattr *a = (struct nlattr *)(buf + NLMSG_HDRLEN + sizeof(*ifa));
	uint8_t ip[4] = { 192, 168, 1, 50 };

	memset(buf, 0, 64);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 24;
	ifa->ifa_index = 2;
	a->nla_type = IFA_LOCAL;
	a->nla_len = NLA_HDRLEN + 4;
	memcpy((uint8_t *)a + NLA_HDRLEN, ip, 4);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(*ifa) + NLA_ALIGN(a->nla_len);
	return nlh->nlmsg_len;
}

/* An RTM_NEWROUTE: default via 192.168.1.1 out of ifindex 2. */
static size_t make_route(uint8_t *buf)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct rtmsg *rtm = (struct rtmsg *)(buf + NLMSG_HDRLEN);
	uint8_t *p = buf + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*rtm));
	struct nlattr *a;
	uint8_t gw[4] = { 192, 168, 1, 1 };
	uint32_t oif = 2;

	memset(buf, 0, 64);
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	a = (struct nlattr *)p;
	a->nla_type = RTA_GATEWAY;
	a->nla_len = NLA_HDRLEN + 4;
	memcpy(p + NLA_HDRLEN, gw, 4);
	p += NLA_ALIGN(a->nla_len);
	a = (struct nlattr *)p;
	a->nla_type = RTA_OIF;
	a->nla_len = NLA_HDRLEN + 4;
	memcpy(p + NLA_HDRLEN, &oif, 4);
	p += NLA_ALIGN(a->nla_len);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_len = (uint32_t)(p - buf);
	return nlh->nlmsg_len;
}

/* Every kind of line, every optional field both present and absent. */
static struct state *full_state(void)
{
	struct state *st = calloc(1, sizeof(*st));
	struct state_link eth = { .ifindex = 2, .name = "eth0", .mac = "52:54:00:12:34:56",
				  .wiphy = -1, .up = true, .type = 1, .kind = "" };
	struct state_link wl = { .ifindex = 3, .name = "wlan0", .mac = "02:00:00:00:00:00",
				 .wiphy = 0, .up = false, .type = 1, .kind = "" };
	struct state_link ve = { .ifindex = 7, .name = "nic0", .mac = "",
				 .wiphy = -1, .up = true, .type = 65534, .kind = "veth" };
	struct state_phy phy = { .index = 0, .name = "phy0" };
	struct state_daemon dh = { .pid = 1234, .starttime = 98765, .name = "dhcpcd" };
	struct state_daemon wpa = { .pid = 1240, .starttime = 98800, .name = "wpa_supplicant",
				    .ifname = "wlan0" };
	uint8_t buf[64];

	snprintf(st->netns, sizeof(st->netns), "physical");
	st->netns_dev = 4;
	st->netns_ino = 4026532301;
	st->main_dev = 4;
	st->main_ino = 4026531840;
	st->created_netns = true;
	st->fence = true;
	st->etc_flags = ETC_CREATED_ALL;
	snprintf(st->tunnel, sizeof(st->tunnel), "wg0");
	state_add_link(st, &eth);
	state_add_link(st, &wl);
	state_add_link(st, &ve);
	state_add_phy(st, &phy);
	st->saved_at = 4000000000u;
	state_add_saved(st, buf, make_addr(buf));
	state_add_saved(st, buf, make_route(buf));
	st->resolv = RESOLV_SYMLINK;
	state_add_daemon(st, &dh);
	state_add_daemon(st, &wpa);
	st->guard = (struct state_daemon){ .pid = 999, .starttime = 5, .name = "guard" };
	st->stage = STATE_STAGE_UP;
	return st;
}

static bool same_link(const struct state_link *a, const struct state_link *b)
{
	return a->ifindex == b->ifindex && !strcmp(a->name, b->name) && !strcmp(a->mac, b->mac) &&
	       a->wiphy == b->wiphy && a->up == b->up && a->type == b->type &&
	       !strcmp(a->kind, b->kind);
}

static bool same_daemon(const struct state_daemon *a, const struct state_daemon *b)
{
	return a->pid == b->pid && a->starttime == b->starttime && !strcmp(a->name, b->name) &&
	       !strcmp(a->ifname, b->ifname);
}

static bool same_state(const struct state *a, const struct state *b)
{
	if (strcmp(a->netns, b->netns) || a->netns_dev != b->netns_dev ||
	    a->netns_ino != b->netns_ino || a->main_dev != b->main_dev ||
	    a->main_ino != b->main_ino || a->created_netns != b->created_netns ||
	    a->etc_flags != b->etc_flags || strcmp(a->tunnel, b->tunnel) ||
	    a->n_links != b->n_links || a->n_phys != b->n_phys || a->n_saved != b->n_saved ||
	    a->saved_at != b->saved_at || a->resolv != b->resolv ||
	    a->n_daemons != b->n_daemons || a->stage != b->stage || a->fence != b->fence ||
	    !same_daemon(&a->guard, &b->guard))
		return false;
	for (size_t i = 0; i < a->n_links; i++)
		if (!same_link(&a->links[i], &b->links[i]))
			return false;
	for (size_t i = 0; i < a->n_phys; i++)
		if (a->phys[i].index != b->phys[i].index || strcmp(a->phys[i].name, b->phys[i].name))
			return false;
	for (size_t i = 0; i < a->n_saved; i++)
		if (a->saved[i].len != b->saved[i].len ||
		    memcmp(a->saved[i].data, b->saved[i].data, a->saved[i].len))
			return false;
	for (size_t i = 0; i < a->n_daemons; i++)
		if (!same_daemon(&a->daemons[i], &b->daemons[i]))
			return false;
	return true;
}

static char *format(const struct state *st, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	if (state_format(st, f) < 0) {
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	return text;
}

static void test_round_trip(void)
{
	struct state *st = full_state(), *back = NULL;
	struct wgp_err err = { 0 };
	size_t len = 0, len2 = 0;
	char *text = format(st, &len), *text2;
	int ret;

	ok(text != NULL, "state_format writes a state with every kind of line");
	ret = state_parse(text, len, "t", &back, &err);
	ok(ret == 0, "state_parse reads it back (%s)", emsg(&err));
	ok(ret == 0 && same_state(st, back), "every field survives the round trip");
	text2 = ret == 0 ? format(back, &len2) : NULL;
	ok(text2 && len == len2 && !memcmp(text, text2, len), "and formats to the same text");
	if (back && back->n_saved == 2)
		ok(rtnl_msg_ifindex((const struct nlmsghdr *)back->saved[0].data) == 2 &&
		   rtnl_msg_ifindex((const struct nlmsghdr *)back->saved[1].data) == 2,
		   "the saved messages name ifindex 2 again");
	else
		ok(0, "the saved messages came back");
	free(text);
	free(text2);
	state_free(back);
	state_free(st);

	/* Older journals: a link without TYPE and KIND. */
	back = NULL;
	text = "wgphys-state 1\nnetns physical 1 2\nlink 2 eth0 52:54:00:12:34:56 -1 1\n";
	ret = state_parse(text, strlen(text), "t", &back, &err);
	ok(ret == 0 && back->n_links == 1 && back->links[0].type == 1 &&
	   !strcmp(back->links[0].kind, "*"), "an older link line: type 1, kind unknown (*)");
	text2 = ret == 0 ? format(back, &len2) : NULL;
	state_free(back);
	back = NULL;
	ret = text2 ? state_parse(text2, len2, "t", &back, &err) : -1;
	ok(ret == 0 && back->n_links == 1 && !strcmp(back->links[0].kind, "*"),
	   "and written again (kind *), it reads back the same (%s)", emsg(&err));
	free(text2);
	state_free(back);
}

/* A line for a valid state with `bad` in place of line `at` (or added). */
struct bad_case {
	const char *desc;
	const char *line;
	int at;		/* the line refused, if not 3 (a repeated line: the second) */
};

static const struct bad_case bad_lines[] = {
	{ "an empty line", "", 0 },
	{ "an unknown word", "frob 1", 0 },
	{ "two spaces", "etc  1", 0 },
	{ "a trailing space", "etc 1 ", 0 },
	{ "a leading space", " etc 1", 0 },
	{ "a tab", "etc\t1", 0 },
	{ "a second netns line", "netns other 1 2", 0 },
	{ "a second main line", "main 1 2", 4 },
	{ "a second stage line", "stage 3", 5 },
	{ "main without the inode", "main 1", 0 },
	{ "main with a word", "main 1 x", 0 },
	{ "main with a negative number", "main -1 2", 0 },
	{ "main past 64 bits", "main 1 18446744073709551616", 0 },
	{ "created-netns with an argument", "created-netns 1", 0 },
	{ "etc with unknown bits", "etc 16", 0 },
	{ "etc with a sign", "etc +1", 0 },
	{ "tunnel without a name", "tunnel", 0 },
	{ "tunnel name of 16 bytes", "tunnel abcdefghijklmnop", 0 },
	{ "tunnel name with a slash", "tunnel a/b", 0 },
	{ "tunnel name with a colon", "tunnel wg:0", 0 },
	{ "tunnel name ..", "tunnel ..", 0 },
	{ "link with too few fields", "link 2 eth0 - -1", 0 },
	{ "link with too many fields", "link 2 eth0 - -1 1 1 - x", 0 },
	{ "link ifindex 0", "link 0 eth0 - -1 1", 0 },
	{ "link ifindex past int", "link 2147483648 eth0 - -1 1", 0 },
	{ "link name too long", "link 2 abcdefghijklmnop - -1 1", 0 },
	{ "link MAC of one digit", "link 2 eth0 5 -1 1", 0 },
	{ "link MAC not hex", "link 2 eth0 zz:00 -1 1", 0 },
	{ "link MAC with dashes", "link 2 eth0 52-54-00-12-34-56 -1 1", 0 },
	{ "link MAC of 33 bytes",
	  "link 2 eth0 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:"
	  "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00 -1 1", 0 },
	{ "link phy -2", "link 2 eth0 - -2 1", 0 },
	{ "link up 2", "link 2 eth0 - -1 2", 0 },
	{ "link type past 16 bits", "link 2 eth0 - -1 1 65536", 0 },
	{ "link kind of 32 bytes", "link 2 eth0 - -1 1 1 abcdefghijklmnopqrstuvwxyz012345", 0 },
	{ "phy without a name", "phy 0", 0 },
	{ "phy index past 32 bits", "phy 4294967296 phy0", 0 },
	{ "phy name of 65 bytes",
	  "phy 0 abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm", 0 },
	{ "fence with an argument", "fence 1", 0 },
	{ "saved-at past 32 bits", "saved-at 4294967296", 0 },
	{ "saved of odd length", "saved 123", 0 },
	{ "saved not hex", "saved zz", 0 },
	{ "saved of 16 bytes (a bare header)", "saved 10000000140000000000000000000000", 0 },
	{ "saved whose length field lies", "saved 24000000140000000000000000000000021800000200000008000200c0a80132", 0 },
	{ "saved of another type (RTM_NEWLINK)",
	  "saved 180000001000000000000000000000000200000000000000", 0 },
	{ "saved of an unknown family",
	  "saved 18000000140000000000000000000000071800000200000000000000", 0 },
	{ "saved with an attribute past its end",
	  "saved 1c0000001400000000000000000000000218000002000000ff000200", 0 },
	{ "saved with an attribute shorter than its header",
	  "saved 1c000000140000000000000000000000021800000200000002000200", 0 },
	{ "resolv of an unknown mode", "resolv maybe", 0 },
	{ "resolv without a mode", "resolv", 0 },
	{ "daemon without a name", "daemon 12 34", 0 },
	{ "daemon pid 0", "daemon 0 34 dhcpcd", 0 },
	{ "daemon pid negative", "daemon -5 34 dhcpcd", 0 },
	{ "daemon name of 32 bytes", "daemon 12 34 abcdefghijklmnopqrstuvwxyz012345", 0 },
	{ "daemon ifname of 16 bytes", "daemon 12 34 wpa_supplicant abcdefghijklmnop", 0 },
	{ "daemon starttime a word", "daemon 12 x dhcpcd", 0 },
	{ "guard with a name", "guard 12 34 guard", 0 },
	{ "guard pid 0", "guard 0 34", 0 },
	{ "stage above up", "stage 101", 0 },
	{ "stage negative", "stage -1", 0 },
	{ "the header again", "wgphys-state 1", 0 },
	{ NULL, NULL, 0 },
};

static const char good_head[] = "wgphys-state 1\nnetns physical 4 4026532301\n";
static const char good_tail[] = "main 4 4026531840\nstage 100\n";

static int parse_text(const char *text, size_t len, struct wgp_err *err)
{
	struct state *st = NULL;
	int ret;

	*err = (struct wgp_err){ 0 };
	ret = state_parse(text, len, "/run/wgphys/state", &st, err);
	state_free(st);
	return ret;
}

static void test_bad_lines(void)
{
	struct wgp_err err;
	char text[1024], where[64];
	int ret;

	snprintf(text, sizeof(text), "%s%s", good_head, good_tail);
	ok(parse_text(text, strlen(text), &err) == 0, "the base state parses (%s)", emsg(&err));
	for (const struct bad_case *c = bad_lines; c->desc; c++) {
		snprintf(text, sizeof(text), "%s%s\n%s", good_head, c->line, good_tail);
		ret = parse_text(text, strlen(text), &err);
		snprintf(where, sizeof(where), "state:%d: damaged state", c->at ? c->at : 3);
		ok(ret == -EINVAL && strstr(emsg(&err), where),
		   "refused, its line named: %s (%d, %s)", c->desc, ret, emsg(&err));
	}
}

static void test_whole_file(void)
{
	struct wgp_err err;
	char *big, text[256];
	size_t n;
	int ret;

	ret = parse_text("", 0, &err);
	ok(ret == -EINVAL, "an empty file is refused (%s)", emsg(&err));
	snprintf(text, sizeof(text), "netns physical 1 2\nwgphys-state 1\n");
	ok(parse_text(text, strlen(text), &err) == -EINVAL, "the header must come first");
	snprintf(text, sizeof(text), "wgphys-state 2\nnetns physical 1 2\n");
	ok(parse_text(text, strlen(text), &err) == -EINVAL, "another version is refused");
	snprintf(text, sizeof(text), "wgphys-state 1\nstage 100\n");
	ret = parse_text(text, strlen(text), &err);
	ok(ret == -EINVAL && strstr(emsg(&err), "no namespace"), "no netns line: refused (%s)",
	   emsg(&err));
	snprintf(text, sizeof(text), "wgphys-state 1\nnetns ../etc 1 2\n");
	ok(parse_text(text, strlen(text), &err) == -EINVAL, "a namespace name that is a path");
	snprintf(text, sizeof(text), "wgphys-state 1\nnetns physical 1 2\nstage 100");
	ok(parse_text(text, strlen(text), &err) == 0, "no newline at the end is fine");
	n = snprintf(text, sizeof(text), "wgphys-state 1\nnetns physical 1 2\nstage 1%c0\n", 0);
	ok(parse_text(text, n, &err) == -EINVAL, "a NUL byte is refused");

	/* The old parser's stack overflow: a "saved" entry far longer than
	 * the replay buffer. Now refused at once. */
	n = 2 * 1024 * 1024;
	big = malloc(n + 64);
	if (big) {
		size_t off = (size_t)sprintf(big, "%ssaved ", good_head);

		memset(big + off, '0', n);
		memcpy(big + off, "00100000", 8);	/* nlmsg_len 0x1000 0000... */
		memcpy(big + off + n, "\n", 2);
		ret = parse_text(big, strlen(big), &err);
		ok(ret == -EINVAL, "a 2 MiB file is refused (%s)", emsg(&err));
		off = (size_t)sprintf(big, "%ssaved ", good_head);
		memset(big + off, '0', 2 * 5000);
		memcpy(big + off, "88130000", 8);	/* nlmsg_len 5000 */
		memcpy(big + off + 2 * 5000, "\n", 2);
		ret = parse_text(big, strlen(big), &err);
		ok(ret == -EINVAL, "a saved message of 5000 bytes is refused (%s)", emsg(&err));
		free(big);
	}
}

static void test_add_saved(void)
{
	struct state st = { 0 };
	uint8_t buf[STATE_SAVED_MAX + 64] = { 0 };
	size_t len = make_addr(buf);

	ok(state_add_saved(&st, buf, len) == 0, "state_add_saved takes a whole address");
	ok(state_add_saved(&st, buf, len - 1) == -EMSGSIZE, "but not one cut short");
	ok(state_add_saved(&st, buf, 16) == -EMSGSIZE, "nor a bare header");
	((struct nlmsghdr *)buf)->nlmsg_len = STATE_SAVED_MAX + 4;
	ok(state_add_saved(&st, buf, STATE_SAVED_MAX + 4) == -EMSGSIZE,
	   "nor one longer than %d bytes", STATE_SAVED_MAX);
	for (size_t i = 0; i < st.n_saved; i++)
		free(st.saved[i].data);
	free(st.saved);
}

int main(void)
{
	test_round_trip();
	test_bad_lines();
	test_whole_file();
	test_add_saved();
	return done_testing();
}

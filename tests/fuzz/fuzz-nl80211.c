// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the parsers of nl80211.c. The input is what a
 * read from the socket gives: netlink messages one after another. It goes
 * to every parser: as a wiphy dump, an interface dump and the controller's
 * answer (the sequence number and port the reply must carry, and the
 * family id, are taken from the first message, so a saved reply is a
 * valid seed as it is), and as a datagram of events. What comes back must
 * hold together: a list or an error, never both; names terminated and
 * non-empty; no phy twice; the kernel's words terminated.
 *
 * Build and run (from the top directory):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     $(pkg-config --cflags libnl-genl-3.0 libmnl) \
 *     tests/fuzz/fuzz-nl80211.c nl80211.c netlink.c \
 *     $(pkg-config --libs libnl-genl-3.0 libmnl) -o fuzz-nl80211
 *   ./fuzz-nl80211 -max_total_time=60 CORPUS_DIR tests/fuzz/corpus/nl80211
 *
 * Seeds (tests/fuzz/corpus/nl80211/): real-*, replies and events saved
 * from the VM's kernel (6.1, mac80211_hwsim); unit-*, the replies
 * tests/unit/test-nl80211.c builds (NL80211_CORPUS=DIR saves them).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl80211.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *name, size_t size)
{
	size_t len = strnlen(name, size);

	if (len == 0 || len == size)
		__builtin_trap();
}

/* A result is an errno the parsers may give, and a list only on success. */
static void check_result(int ret, const void *list, size_t n, const struct nl80211_reply *r)
{
	if (ret > 0 || ret < -4095 || (ret < 0 && (list || n)) || (!ret && !list != !n))
		__builtin_trap();
	if (strnlen(r->extack, sizeof(r->extack)) == sizeof(r->extack))
		__builtin_trap();
}

static void on_event(void *arg, const struct phy_info *phy, bool added)
{
	(void)arg;
	(void)added;
	check_name(phy->name, sizeof(phy->name));
	if (phy->netns_ok && !phy->netns_known)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl80211_reply r = { 0 };
	struct nlmsghdr first = { 0 };
	struct phy_info *phys = NULL;
	struct wdev_info *wdevs = NULL;
	uint16_t family;
	uint32_t group;
	size_t n = 0, i, j;
	void *buf;
	int ret;

	/* Netlink messages are 4-byte aligned in a socket's buffer. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (size >= sizeof(first))
		memcpy(&first, data, sizeof(first));

	r = (struct nl80211_reply){ .family = first.nlmsg_type, .seq = first.nlmsg_seq,
				    .portid = first.nlmsg_pid };
	ret = nl80211_parse_phys(&r, buf, size, &phys, &n);
	check_result(ret, phys, n, &r);
	for (i = 0; i < n; i++) {
		check_name(phys[i].name, sizeof(phys[i].name));
		if (phys[i].netns_ok && !phys[i].netns_known)
			__builtin_trap();
		for (j = 0; j < i; j++)
			if (phys[j].index == phys[i].index)
				__builtin_trap();
	}
	free(phys);

	r = (struct nl80211_reply){ .family = first.nlmsg_type, .seq = first.nlmsg_seq,
				    .portid = first.nlmsg_pid };
	ret = nl80211_parse_ifaces(&r, buf, size, &wdevs, &n);
	check_result(ret, wdevs, n, &r);
	for (i = 0; i < n; i++) {
		check_name(wdevs[i].name, sizeof(wdevs[i].name));
		if (wdevs[i].ifindex <= 0)
			__builtin_trap();
	}
	free(wdevs);

	r = (struct nl80211_reply){ .family = GENL_ID_CTRL, .seq = first.nlmsg_seq,
				    .portid = first.nlmsg_pid };
	ret = nl80211_parse_family(&r, buf, size, &family, &group);
	check_result(ret, NULL, 0, &r);
	if ((!ret && family < GENL_MIN_ID) || (ret && (family || group)))
		__builtin_trap();

	ret = nl80211_parse_events(first.nlmsg_type, buf, size, on_event, NULL);
	if (ret > 0 || ret < -4095)
		__builtin_trap();
	free(buf);
	return 0;
}

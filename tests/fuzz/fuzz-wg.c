// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for wg.c's reply parser (WG_CMD_GET_DEVICE). The input
 * is what reads from the socket give: netlink messages one after another.
 * The family id, sequence number and port the reply must carry are taken
 * from the first message, so a saved reply is a valid seed as it is. What
 * comes back must hold together: a device or an error, never both; its
 * name terminated and not empty, its index positive; every endpoint of a
 * known family; every allowed IP's prefix within its family's length; no
 * two peers in a row with the same key (a split peer is joined).
 *
 * Build and run (from the top directory):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     $(pkg-config --cflags libmnl) tests/fuzz/fuzz-wg.c wg.c netlink.c \
 *     $(pkg-config --libs libmnl) -o fuzz-wg
 *   ./fuzz-wg -max_total_time=60 CORPUS_DIR tests/fuzz/corpus/wg
 *
 * Seeds (tests/fuzz/corpus/wg/): the replies tests/unit/test-wg.c builds
 * (WG_CORPUS=DIR saves them).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "wg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_device(const struct wg_device_info *d)
{
	size_t len = strnlen(d->name, sizeof(d->name));

	if (!len || len == sizeof(d->name) || d->ifindex <= 0)
		__builtin_trap();
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer_info *p = &d->peers[i];
		int fam = p->endpoint.ss_family;

		if (fam && fam != AF_INET && fam != AF_INET6)
			__builtin_trap();
		if (i && !memcmp(p->public_key, d->peers[i - 1].public_key, WG_KEY_LEN))
			__builtin_trap();
		if (p->handshake_sec < 0 || p->handshake_nsec < 0 || p->handshake_nsec >= 1000000000)
			__builtin_trap();
		for (size_t j = 0; j < p->n_allowedips; j++) {
			const struct cidr *c = &p->allowedips[j];

			if (!((c->family == AF_INET && c->prefixlen <= 32) ||
			      (c->family == AF_INET6 && c->prefixlen <= 128)))
				__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr first = { 0 };
	struct wg_device_info *dev = (struct wg_device_info *)1;
	struct wg_reply r;
	void *buf;
	int ret;

	/* Netlink messages are 4-byte aligned in a socket's buffer. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (size >= sizeof(first))
		memcpy(&first, data, sizeof(first));
	r = (struct wg_reply){ .family = first.nlmsg_type, .seq = first.nlmsg_seq,
			       .portid = first.nlmsg_pid };
	ret = wg_parse_device(&r, buf, size, &dev);
	if (ret > 0 || ret < -4095 || (ret < 0 && dev) || (!ret && !dev))
		__builtin_trap();
	if (!ret)
		check_device(dev);
	wg_device_info_free(dev);
	free(buf);
	return 0;
}

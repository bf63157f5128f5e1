// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for rtnl.c's readers of single rtnetlink messages: the
 * link parser (every link dump and event the guard reads), and the two
 * readers of the messages up saves in the journal to replay at down
 * (rtnl_msg_ifindex, rtnl_describe). The input is one message as a socket
 * or the journal gives it; its nlmsg_len is forced to the input's length,
 * as the receive loop and the journal parser guarantee. What comes back
 * must hold together: names and MACs terminated, descriptions too.
 *
 * Seeds (tests/fuzz/corpus/rtnl/): a link, an address and a route message
 * of the kinds the kernel sends.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "rtnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct link_info li;
	struct nlmsghdr *nlh;
	char buf[256];

	if (size < sizeof(*nlh) || size > 65536)
		return 0;
	/* Netlink messages are 4-byte aligned in a socket's buffer, and
	 * libmnl walks to the aligned end. */
	nlh = calloc(1, NLMSG_ALIGN(size));
	if (!nlh)
		return 0;
	memcpy(nlh, data, size);
	nlh->nlmsg_len = (uint32_t)size;
	if (rtnl_link_parse(nlh, &li) == 0 &&
	    (strnlen(li.name, sizeof(li.name)) == sizeof(li.name) ||
	     strnlen(li.mac, sizeof(li.mac)) == sizeof(li.mac) ||
	     strnlen(li.kind, sizeof(li.kind)) == sizeof(li.kind)))
		__builtin_trap();
	(void)rtnl_msg_ifindex(nlh);
	if (rtnl_describe(nlh, "eth0", buf, sizeof(buf)) == 0 && strnlen(buf, sizeof(buf)) == sizeof(buf))
		__builtin_trap();
	free(nlh);
	return 0;
}

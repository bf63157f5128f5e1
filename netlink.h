/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One libmnl socket, opened in a chosen network namespace, and the request
 * discipline every caller shares: each request carries NLM_F_ACK, replies
 * are checked for sequence and port id, and the kernel's extended-ack text
 * is kept for the message the command layer prints.
 */
#ifndef WGPHYS_NETLINK_H
#define WGPHYS_NETLINK_H

#include <libmnl/libmnl.h>
#include <stddef.h>

struct nlk {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char extack[256];	/* the kernel's words about the last failure */
};

/* bus: NETLINK_ROUTE or NETLINK_GENERIC. netns_fd -1: the current one. */
int nlk_open(struct nlk **out, int bus, int netns_fd);
void nlk_close(struct nlk *nl);

/*
 * A socket that listens to multicast groups (RTNLGRP_LINK, or a genetlink
 * family's group id) in netns_fd, non-blocking, for an event loop. groups
 * lists the group numbers, 0-terminated.
 */
int nlk_listen(struct nlk **out, int bus, int netns_fd, const unsigned int *groups);
/* Its descriptor, for poll/epoll. */
int nlk_fd(const struct nlk *nl);
/*
 * Hand every message queued on a listening socket to cb, without
 * blocking. 0 when drained; -ENOBUFS when the kernel dropped events (the
 * caller must look at the whole picture again); other -errno on failure.
 */
int nlk_drain(struct nlk *nl, mnl_cb_t cb, void *data);

/* Start a request in buf (at least MNL_SOCKET_BUFFER_SIZE bytes). */
struct nlmsghdr *nlk_msg(struct nlk *nl, void *buf, uint16_t type, uint16_t flags);

/*
 * Send nlh (NLM_F_ACK is added) and read until the ACK or NLMSG_DONE,
 * handing each data message to cb (may be NULL). Returns 0 or -errno;
 * nl->extack holds the kernel's explanation, if it gave one.
 */
int nlk_talk(struct nlk *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/*
 * Send len bytes of buf, several requests at once (a netfilter batch: begin,
 * requests, end), in one sendmsg, and collect the answers. The kernel handles
 * the whole buffer within that sendmsg, so every answer is queued when it
 * returns: they are read without blocking. Returns 0 when every request that
 * carries NLM_F_ACK was acknowledged, else the first error the kernel
 * reported (-errno), with *failed_seq set to the sequence number of the
 * request it answered and nl->extack to its words; -EPROTO if an
 * acknowledgement is missing (*failed_seq 0). Test builds count the whole
 * buffer as one modifying request (WGPHYS_FAIL_AT).
 */
int nlk_talk_batch(struct nlk *nl, const void *buf, size_t len, uint32_t *failed_seq);

/* For genetlink: the family id of name, or -errno. */
int nlk_genl_family(struct nlk *nl, const char *name);

/*
 * Run fn(arg) with the calling thread in netns_fd, then return to where it
 * was. Used to create sockets that belong to another namespace.
 */
int nlk_in_netns(int netns_fd, int (*fn)(void *arg), void *arg);

#endif

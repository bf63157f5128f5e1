// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "netlink.h"

int nlk_in_netns(int netns_fd, int (*fn)(void *arg), void *arg)
{
	int self = -1, ret;

	if (netns_fd < 0)
		return fn(arg);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		ret = -errno;
		goto cleanup;
	}
	ret = fn(arg);
	/* Failing to come back would leave every later step in the wrong
	 * namespace; there is no safe way to continue. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
cleanup:
	close(self);
	return ret;
}

struct open_args {
	int bus;
	struct mnl_socket *sock;
};

static int open_socket(void *arg)
{
	struct open_args *a = arg;

	a->sock = mnl_socket_open2(a->bus, SOCK_CLOEXEC);
	return a->sock ? 0 : -errno;
}

int nlk_open(struct nlk **out, int bus, int netns_fd)
{
	struct open_args a = { .bus = bus };
	struct nlk *nl;
	int one = 1, ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	ret = nlk_in_netns(netns_fd, open_socket, &a);
	if (ret < 0)
		goto err;
	nl->sock = a.sock;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	/* Both are best effort: older kernels still answer, just tersely. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	*out = nl;
	return 0;
err:
	nlk_close(nl);
	return ret;
}

int nlk_listen(struct nlk **out, int bus, int netns_fd, const unsigned int *groups)
{
	int ret, size = 1 << 20;
	struct nlk *nl = NULL;

	ret = nlk_open(&nl, bus, netns_fd);
	if (ret < 0 || !nl)
		return ret < 0 ? ret : -ENOMEM;
	for (; *groups; groups++) {
		unsigned int g = *groups;

		if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
			ret = -errno;
			goto err;
		}
	}
	/* A burst (a dock with several NICs) must not overrun it; -ENOBUFS
	 * is still handled, by looking again. */
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	ret = fcntl(mnl_socket_get_fd(nl->sock), F_GETFL);
	if (ret < 0 || fcntl(mnl_socket_get_fd(nl->sock), F_SETFL, ret | O_NONBLOCK) < 0) {
		ret = -errno;
		goto err;
	}
	*out = nl;
	return 0;
err:
	nlk_close(nl);
	return ret;
}

int nlk_fd(const struct nlk *nl)
{
	return nl ? mnl_socket_get_fd(nl->sock) : -1;
}

int nlk_drain(struct nlk *nl, mnl_cb_t cb, void *data)
{
	char buf[32768];
	ssize_t len;
	int ret;

	for (;;) {
		len = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (len < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		/* Events carry sequence 0 and come from the kernel (port 0). */
		ret = mnl_cb_run(buf, (size_t)len, 0, 0, cb, data);
		if (ret < 0)
			return errno ? -errno : -EIO;
	}
}

void nlk_close(struct nlk *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

struct nlmsghdr *nlk_msg(struct nlk *nl, void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* The error message: its code, and the NLMSGERR_ATTR_MSG text if any. */
static int ack_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlk *nl = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		mnl_attr_for_each(attr, nlh, off) {
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				snprintf(nl->extack, sizeof(nl->extack), "%s",
					 mnl_attr_get_str(attr));
		}
	}
	if (e->error) {
		errno = -e->error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* A dump's end carries its own error code (e.g. a dump that failed midway). */
static int done_code(const struct nlmsghdr *nlh)
{
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int e = *(const int *)mnl_nlmsg_get_payload(nlh);

		if (e < 0)
			return e;
	}
	return 0;
}

int nlk_talk(struct nlk *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[32768];	/* dumps come in pages of up to 32 KiB */
	unsigned int seq = nlh->nlmsg_seq;
	const struct nlmsghdr *h;
	bool intr = false;
	ssize_t len;
	int rem, ret;

	nl->extack[0] = '\0';
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		len = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		rem = (int)len;
		for (h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, rem);
		     h = mnl_nlmsg_next(h, &rem)) {
			/* A late answer to an earlier request: not ours. */
			if (!mnl_nlmsg_seq_ok(h, seq) || !mnl_nlmsg_portid_ok(h, nl->portid))
				continue;
			/* The kernel changed the table under a dump: what was
			 * read may be inconsistent. */
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			switch (h->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_ERROR:
				ret = ack_cb(h, nl);
				return ret == MNL_CB_ERROR ? -errno : 0;
			case NLMSG_DONE:
				ret = done_code(h);
				return ret < 0 ? ret : intr ? -EINTR : 0;
			}
			if (!cb)
				continue;
			ret = cb(h, data);
			if (ret == MNL_CB_ERROR)
				return errno ? -errno : -EIO;
			if (ret == MNL_CB_STOP)
				return 0;
		}
	}
}

/* The sequence numbers a batch spans, and how many of its requests ask for
 * an acknowledgement. */
static int batch_span(const void *buf, size_t len, uint32_t *lo, uint32_t *hi,
		      unsigned int *acks)
{
	const struct nlmsghdr *h;
	int rem = (int)len;

	*acks = 0;
	for (h = buf; mnl_nlmsg_ok(h, rem); h = mnl_nlmsg_next(h, &rem)) {
		if (h == buf || h->nlmsg_seq < *lo)
			*lo = h->nlmsg_seq;
		if (h == buf || h->nlmsg_seq > *hi)
			*hi = h->nlmsg_seq;
		if (h->nlmsg_flags & NLM_F_ACK)
			++*acks;
	}
	return rem == 0 && len > 0 ? 0 : -EINVAL;
}

int nlk_talk_batch(struct nlk *nl, const void *buf, size_t len, uint32_t *failed_seq)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int want, acked = 0;
	uint32_t lo = 0, hi = 0;
	const struct nlmsghdr *h;
	int fd = mnl_socket_get_fd(nl->sock), first = 0, rem;
	ssize_t n;

	nl->extack[0] = '\0';
	*failed_seq = 0;
	if (batch_span(buf, len, &lo, &hi, &want) < 0)
		return -EINVAL;
	if (mnl_socket_sendto(nl->sock, buf, len) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return first ? first : -errno;
		rem = (int)n;
		for (h = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, rem);
		     h = mnl_nlmsg_next(h, &rem)) {
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < lo ||
			    h->nlmsg_seq > hi || !mnl_nlmsg_portid_ok(h, nl->portid))
				continue;
			/* The first error is the one that explains; its words
			 * stay in nl->extack. */
			if (first)
				continue;
			nl->extack[0] = '\0';
			if (ack_cb(h, nl) == MNL_CB_ERROR) {
				first = errno ? -errno : -EIO;
				*failed_seq = h->nlmsg_seq;
			} else {
				acked++;
			}
		}
	}
	if (first)
		return first;
	return acked == want ? 0 : -EPROTO;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	int *id = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			*id = mnl_attr_get_u16(attr);
	}
	return MNL_CB_OK;
}

int nlk_genl_family(struct nlk *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nlk_msg(nl, buf, GENL_ID_CTRL, 0);
	struct genlmsghdr *g;
	int id = -1, ret;

	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	ret = nlk_talk(nl, nlh, family_cb, &id);
	if (ret == -ENOENT)
		return -EPROTONOSUPPORT;	/* no such family in this kernel */
	if (ret < 0)
		return ret;
	return id < 0 ? -EPROTONOSUPPORT : id;
}

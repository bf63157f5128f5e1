// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "endpoint.h"
#include "nsenter.h"

static int literal(const char *host, uint16_t port, struct wg_endpoint *ep)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&ep->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ep->addr;

	memset(ep, 0, sizeof(*ep));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return 0;
	}
	return -EINVAL;
}

/* In the child: one lookup, the answer (or the gai error) down the pipe. */
static void lookup_child(int netns_fd, const char *netns, const struct wg_peer *p, int fd)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				  .ai_protocol = IPPROTO_UDP };
	struct addrinfo *res = NULL, *ai;
	struct wg_endpoint ep = { 0 };
	char port[8];
	int rc;

	if (nsenter_netns(netns_fd, netns, NULL) < 0)
		_exit(2);
	/* What answers comes from the physical network: parse it with no
	 * capability left (bounding set included). */
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) < 0)
		_exit(2);
	snprintf(port, sizeof(port), "%u", p->endpoint_port);
	rc = getaddrinfo(p->endpoint_host, port, &hints, &res);
	if (rc) {
		ssize_t unused = write(fd, &rc, sizeof(rc));

		(void)unused;
		_exit(1);
	}
	/* Prefer IPv4, as wg(8) does: more networks carry it. */
	for (ai = res; ai; ai = ai->ai_next)
		if (ai->ai_family == AF_INET)
			break;
	if (!ai)
		ai = res;
	memcpy(&ep.addr, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	if (write(fd, &rc, sizeof(rc)) != sizeof(rc) ||
	    write(fd, &ep, sizeof(ep)) != sizeof(ep))
		_exit(1);
	_exit(0);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One attempt: 0, a temporary failure (-EAGAIN) or a final one. */
static int lookup(int netns_fd, const char *netns, const struct wg_peer *p, int wait_ms,
		  struct wg_endpoint *ep, int *gai)
{
	struct pollfd pfd;
	int fds[2], rc = 0, ret;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		lookup_child(netns_fd, netns, p, fds[1]);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	ret = -EAGAIN;
	if (poll(&pfd, 1, wait_ms > 0 ? wait_ms : 1) == 1 &&
	    read(fds[0], &rc, sizeof(rc)) == sizeof(rc)) {
		*gai = rc;
		if (!rc)
			ret = read(fds[0], ep, sizeof(*ep)) == sizeof(*ep) ? 0 : -EIO;
		else if (rc == EAI_AGAIN || rc == EAI_SYSTEM)
			ret = -EAGAIN;
		else
			ret = -EHOSTUNREACH;
	}
	close(fds[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return ret;
}

int endpoints_resolve(const struct wg_config *wg, int netns_fd, const char *netns,
		      int timeout_ms, struct wg_endpoint *out, struct wgp_err *err)
{
	long deadline = now_ms() + timeout_ms;
	struct timespec pause = { 0, 250 * 1000 * 1000 };
	size_t i;
	int gai, ret;

	for (i = 0; i < wg->n_peers; i++) {
		const struct wg_peer *p = &wg->peers[i];

		memset(&out[i], 0, sizeof(out[i]));
		if (!p->endpoint_host || literal(p->endpoint_host, p->endpoint_port, &out[i]) == 0)
			continue;
		if (netns_fd < 0)
			continue;	/* --dry-run: named, not looked up */
		for (;;) {
			gai = EAI_AGAIN;
			ret = lookup(netns_fd, netns, p, (int)(deadline - now_ms()), &out[i], &gai);
			if (ret == 0)
				break;
			if (ret != -EAGAIN || now_ms() >= deadline)
				return wgp_errf(err, ret == -EAGAIN ? ETIMEDOUT : -ret,
						"Cannot resolve endpoint %s of peer at line %u in namespace \"%s\": %s",
						p->endpoint_host, p->line, netns,
						gai ? gai_strerror(gai) : strerror(-ret));
			nanosleep(&pause, NULL);
		}
	}
	return 0;
}

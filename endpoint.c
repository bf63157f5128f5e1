// SPDX-License-Identifier: GPL-2.0
/*
 * Peers' endpoints given by name, looked up the way the physical namespace
 * sees the world, by a process that holds nothing worth taking. The answer
 * comes from whatever network the laptop is on (a café's), so the code
 * that parses it runs as an unprivileged user with no capability and
 * no_new_privs, and has never had a copy of the WireGuard keys:
 *
 *   wgphys up ──fork, before the wg-quick file is read──> resolver (root,
 *     only CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID, CAP_SETPCAP; detached
 *     from the terminal; parses nothing from the network)
 *   for each attempt: request (name, port, namespace fd by SCM_RIGHTS)
 *     resolver ──fork──> worker: enters the namespace with its /etc
 *       (nsenter.c), drops to RESOLVER_USER (privdrop.c), getaddrinfo,
 *       writes the answer to the resolver, exits
 *
 * A fork of `up` after the keys were read, even one that drops everything
 * before it parses a byte, would carry them in its heap: hence a resolver
 * forked first, whose memory is a copy of a process that never had them.
 */
#include <arpa/inet.h>
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "endpoint.h"
#include "netns.h"
#include "nsenter.h"
#include "privdrop.h"

/* The kernel's overflow ids: owning no file, in no group. */
#define NOBODY_ID 65534

struct lookup_req {
	uint16_t port;
	int wait_ms;
	char netns[NETNS_NAME_MAX + 1];
	char host[NI_MAXHOST];
};

struct lookup_reply {
	int ret;			/* 0, -EAGAIN (try again), or final */
	int gai;			/* getaddrinfo's code */
	struct wg_endpoint ep;
};

/* Who the worker becomes. */
struct resolver_id {
	uid_t uid;
	gid_t gid;
};

static int resolver_fd = -1;
static pid_t resolver_pid = -1;

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

/* ---- the worker: one lookup, as nobody, in the namespace ---- */

static void lookup_answer(const struct lookup_req *req, struct lookup_reply *r)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				  .ai_protocol = IPPROTO_UDP };
	struct addrinfo *res = NULL, *ai;
	char port[8];

	snprintf(port, sizeof(port), "%u", req->port);
	r->gai = getaddrinfo(req->host, port, &hints, &res);
	if (r->gai) {
		r->ret = r->gai == EAI_AGAIN || r->gai == EAI_SYSTEM ? -EAGAIN : -EHOSTUNREACH;
		return;
	}
	/* Prefer IPv4, as wg(8) does: more networks carry it. */
	for (ai = res; ai; ai = ai->ai_next)
		if (ai->ai_family == AF_INET)
			break;
	if (!ai)
		ai = res;
	if (ai->ai_addrlen <= sizeof(r->ep.addr)) {
		memcpy(&r->ep.addr, ai->ai_addr, ai->ai_addrlen);
		r->ret = 0;
	} else {
		r->ret = -EAFNOSUPPORT;
	}
	freeaddrinfo(res);
}

static void worker(const struct lookup_req *req, int netns_fd, const struct resolver_id *id,
		   pid_t resolver, int out)
{
	struct lookup_reply r = { .ret = -EPERM };
	ssize_t unused;

	/* The namespace and its /etc (resolv.conf, nsswitch.conf) first,
	 * while CAP_SYS_ADMIN is still there; then nothing at all. */
	r.ret = nsenter_netns(netns_fd, req->netns, NULL);
	close(netns_fd);
	if (!r.ret)
		r.ret = privdrop_drop(id->uid, id->gid, NULL, 0, NULL);
	/* Set after the drop, which clears it: dies with the resolver. */
	if (!r.ret && (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != resolver))
		r.ret = -ESRCH;
	if (!r.ret)
		lookup_answer(req, &r);
	unused = write(out, &r, sizeof(r));
	(void)unused;
	_exit(0);
}

/* ---- the resolver: waits for requests, one worker each ---- */

/* One attempt, bounded by req->wait_ms; the worker is gone after. */
static void serve(const struct lookup_req *req, int netns_fd, int sock,
		  const struct resolver_id *id, struct lookup_reply *r)
{
	struct pollfd pfd = { .events = POLLIN };
	int fds[2];
	pid_t pid;

	*r = (struct lookup_reply){ .ret = -EAGAIN, .gai = EAI_AGAIN };
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r->ret = -errno;
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		close(sock);
		worker(req, netns_fd, id, getppid(), fds[1]);
	}
	close(fds[1]);
	if (pid < 0) {
		r->ret = -errno;
		close(fds[0]);
		return;
	}
	pfd.fd = fds[0];
	if (poll(&pfd, 1, req->wait_ms > 0 ? req->wait_ms : 1) == 1 &&
	    read(fds[0], r, sizeof(*r)) != sizeof(*r))
		*r = (struct lookup_reply){ .ret = -EIO };
	close(fds[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A request and the namespace fd that comes with it; 0 at end of file. */
static ssize_t recv_request(int sock, struct lookup_req *req, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = req, .iov_len = sizeof(*req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (n > 0 && (n != sizeof(*req) || *fd < 0 || (msg.msg_flags & MSG_CTRUNC)))
		return -EINVAL;
	return n;
}

/*
 * Away from the terminal and everything wgphys inherited (a worker could
 * otherwise type into root's shell with TIOCSTI); only the capabilities
 * the worker needs before it drops them; the user it drops to.
 */
static int resolver_setup(int sock, pid_t parent, struct resolver_id *id)
{
	const struct passwd *pw;
	int null;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		return -ESRCH;
	if (setsid() < 0)
		return -errno;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		return -errno;
	if (sock > 3)
		close_range(3, (unsigned int)sock - 1, 0);
	close_range((unsigned int)sock + 1, ~0U, 0);
	/* A user of its own where the system has one, else nobody. */
	pw = getpwnam(RESOLVER_USER);
	id->uid = pw && pw->pw_uid ? pw->pw_uid : NOBODY_ID;
	id->gid = pw && pw->pw_uid ? pw->pw_gid : NOBODY_ID;
	capng_clear(CAPNG_SELECT_CAPS);
	capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_SYS_ADMIN, CAP_SETUID,
		      CAP_SETGID, CAP_SETPCAP, -1);
	return capng_apply(CAPNG_SELECT_CAPS) < 0 ? -EPERM : 0;
}

static void resolver_main(int sock, pid_t parent)
{
	struct resolver_id id = { NOBODY_ID, NOBODY_ID };
	struct lookup_req req;
	struct lookup_reply r;
	ssize_t n;
	int fd;

	if (resolver_setup(sock, parent, &id) < 0)
		_exit(1);
	for (;;) {
		n = recv_request(sock, &req, &fd);
		if (n == 0)
			_exit(0);	/* wgphys is done with us */
		if (n < 0) {
			r = (struct lookup_reply){ .ret = -EINVAL };
		} else {
			req.netns[sizeof(req.netns) - 1] = '\0';
			req.host[sizeof(req.host) - 1] = '\0';
			serve(&req, fd, sock, &id, &r);
		}
		if (fd >= 0)
			close(fd);
		if (send(sock, &r, sizeof(r), MSG_NOSIGNAL) < 0)
			_exit(1);
	}
}

int endpoint_resolver_start(struct wgp_err *err)
{
	pid_t parent = getpid(), pid;
	int sv[2];

	if (resolver_fd >= 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return wgp_fail(err, errno, "Cannot start", "the endpoint resolver");
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return wgp_fail(err, errno, "Cannot start", "the endpoint resolver");
	}
	if (pid == 0) {
		close(sv[0]);
		resolver_main(sv[1], parent);
	}
	close(sv[1]);
	resolver_fd = sv[0];
	resolver_pid = pid;
	return 0;
}

void endpoint_resolver_stop(void)
{
	if (resolver_fd < 0)
		return;
	close(resolver_fd);
	kill(resolver_pid, SIGKILL);
	waitpid(resolver_pid, NULL, 0);
	resolver_fd = -1;
	resolver_pid = -1;
}

/* ---- wgphys's side ---- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_request(const struct lookup_req *req, int netns_fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)req, .iov_len = sizeof(*req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &netns_fd, sizeof(int));
	return sendmsg(resolver_fd, &msg, MSG_NOSIGNAL) == sizeof(*req) ? 0 : -EPIPE;
}

/* One attempt: 0, a temporary failure (-EAGAIN) or a final one. */
static int lookup(int netns_fd, const char *netns, const struct wg_peer *p, int wait_ms,
		  struct wg_endpoint *ep, int *gai)
{
	struct lookup_req req = { .port = p->endpoint_port, .wait_ms = wait_ms };
	struct pollfd pfd = { .fd = resolver_fd, .events = POLLIN };
	struct lookup_reply r;

	snprintf(req.netns, sizeof(req.netns), "%s", netns);
	snprintf(req.host, sizeof(req.host), "%s", p->endpoint_host);
	if (send_request(&req, netns_fd) < 0)
		return -EPIPE;
	/* The resolver bounds the attempt itself; this bounds the resolver. */
	if (poll(&pfd, 1, (wait_ms > 0 ? wait_ms : 1) + 5000) != 1 ||
	    recv(resolver_fd, &r, sizeof(r), 0) != sizeof(r))
		return -EPIPE;
	*gai = r.gai;
	if (!r.ret)
		*ep = r.ep;
	return r.ret;
}

static int resolve_one(const struct wg_peer *p, int netns_fd, const char *netns, long deadline,
		       struct wg_endpoint *out, struct wgp_err *err)
{
	struct timespec pause = { 0, 250 * 1000 * 1000 };
	int gai, ret;

	if (strlen(p->endpoint_host) >= NI_MAXHOST)
		return wgp_refuse(err, ENAMETOOLONG, p->endpoint_host, "too long for a host name");
	if (resolver_fd < 0)
		return wgp_refuse(err, ENOTCONN, p->endpoint_host,
				  "cannot be looked up: no endpoint resolver was started");
	for (;;) {
		gai = EAI_AGAIN;
		ret = lookup(netns_fd, netns, p, (int)(deadline - now_ms()), out, &gai);
		if (ret == 0)
			return 0;
		if (ret != -EAGAIN || now_ms() >= deadline)
			break;
		nanosleep(&pause, NULL);
	}
	wgp_fail(err, ret == -EAGAIN ? ETIMEDOUT : -ret, "Cannot resolve",
		 "endpoint %s of the peer at line %u in namespace \"%s\"", p->endpoint_host,
		 p->line, netns);
	if (ret == -EPIPE)
		wgp_because(err, "the endpoint resolver is gone");
	else if (gai)
		wgp_because(err, "%s", gai_strerror(gai));
	return ret == -EAGAIN ? -ETIMEDOUT : ret;
}

int endpoints_resolve(const struct wg_config *wg, int netns_fd, const char *netns,
		      int timeout_ms, struct wg_endpoint *out, struct wgp_err *err)
{
	long deadline = now_ms() + timeout_ms;
	int ret;

	for (size_t i = 0; i < wg->n_peers; i++) {
		const struct wg_peer *p = &wg->peers[i];

		memset(&out[i], 0, sizeof(out[i]));
		if (!p->endpoint_host || literal(p->endpoint_host, p->endpoint_port, &out[i]) == 0)
			continue;
		if (netns_fd < 0)
			continue;	/* --dry-run: named, not looked up */
		ret = resolve_one(p, netns_fd, netns, deadline, &out[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

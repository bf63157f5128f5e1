// SPDX-License-Identifier: GPL-2.0
/*
 * Whether a captive portal stands between the tunnel and its peer: the
 * kernel says the tunnel has not handshaken on the network physical now
 * has, and a plain HTTP request made from physical, by a child with no
 * privilege left, is answered by someone other than the host it asked.
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>

#include "netlink.h"
#include "netns.h"
#include "nsenter.h"
#include "portal.h"

/* The overflow id: "nobody" and "nogroup" on Debian; owns no file. */
#define PROBE_ID 65534
/* The probed host's own answer (the generate_204 convention). */
#define PROBE_EXPECTED 204

/* ---- the kernel's side: handshakes and addresses ---- */

static int peer_cb(const struct nlattr *a, void *data)
{
	long long *latest = data;
	const struct __kernel_timespec *ts;

	if (mnl_attr_get_type(a) != WGPEER_A_LAST_HANDSHAKE_TIME ||
	    mnl_attr_get_payload_len(a) != sizeof(*ts))
		return MNL_CB_OK;
	ts = mnl_attr_get_payload(a);
	if (ts->tv_sec > *latest)
		*latest = ts->tv_sec;
	return MNL_CB_OK;
}

static int peers_cb(const struct nlattr *a, void *data)
{
	return mnl_attr_parse_nested(a, peer_cb, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int device_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) != WGDEVICE_A_PEERS)
		return MNL_CB_OK;
	return mnl_attr_parse_nested(a, peers_cb, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int device_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), device_attr_cb, data);
}

/* The wall-clock second of the latest handshake of any peer; 0: never. */
static int latest_handshake(const char *tunnel, long long *latest, struct wgp_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlk *nl = NULL;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int family, ret;

	*latest = 0;
	ret = nlk_open(&nl, NETLINK_GENERIC, -1);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot open", "a generic netlink socket");
	family = nlk_genl_family(nl, WG_GENL_NAME);
	if (family < 0) {
		ret = wgp_fail(err, family, "Cannot find", "WireGuard's generic netlink family");
		goto out;
	}
	nlh = nlk_msg(nl, buf, (uint16_t)family, NLM_F_DUMP);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = WG_GENL_VERSION;
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, tunnel);
	ret = nlk_talk(nl, nlh, device_cb, latest);
	if (ret < 0) {
		wgp_fail(err, ret, "Cannot read", "the peers of %s", tunnel);
		wgp_extack(err, nl->extack);
	}
out:
	nlk_close(nl);
	return ret;
}

static int addr_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type == IFA_CACHEINFO &&
	    mnl_attr_validate2(a, MNL_TYPE_UNSPEC, sizeof(struct ifa_cacheinfo)) == 0)
		tb[type] = a;
	else if (type == IFA_FLAGS && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		tb[type] = a;
	return MNL_CB_OK;
}

/* The newest creation stamp (1/100 s since boot) of a global address that
 * is not temporary: when physical last got a network. */
static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct ifa_cacheinfo *ci;
	unsigned long long *newest = data;
	uint32_t flags;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa) || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb) < 0 || !tb[IFA_CACHEINFO])
		return MNL_CB_OK;
	flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	if (flags & (IFA_F_TEMPORARY | IFA_F_TENTATIVE | IFA_F_DADFAILED))
		return MNL_CB_OK;
	ci = mnl_attr_get_payload(tb[IFA_CACHEINFO]);
	if (ci->cstamp > *newest)
		*newest = ci->cstamp;
	return MNL_CB_OK;
}

static int newest_address(int phys_fd, unsigned long long *newest, struct wgp_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlk *nl = NULL;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int ret;

	*newest = 0;
	ret = nlk_open(&nl, NETLINK_ROUTE, phys_fd);
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot open", "rtnetlink in the physical namespace");
	nlh = nlk_msg(nl, buf, RTM_GETADDR, NLM_F_DUMP);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	ret = nlk_talk(nl, nlh, addr_cb, newest);
	if (ret < 0)
		wgp_fail(err, ret, "Cannot read", "the addresses of the physical namespace");
	nlk_close(nl);
	return ret;
}

int portal_silent(const char *tunnel, int phys_fd, struct portal *p, struct wgp_err *err)
{
	unsigned long long newest;
	struct timespec real, mono;
	long long latest;
	int ret;

	ret = latest_handshake(tunnel, &latest, err);
	if (ret < 0)
		return ret;
	ret = newest_address(phys_fd, &newest, err);
	if (ret < 0)
		return ret;
	clock_gettime(CLOCK_REALTIME, &real);
	/* The address stamps count jiffies since boot, which, like this
	 * clock, stand still while the machine sleeps. */
	clock_gettime(CLOCK_MONOTONIC, &mono);
	p->handshake_age = latest ? (long long)real.tv_sec - latest : -1;
	p->network_age = newest ? (long long)mono.tv_sec - (long long)(newest / 100) : -1;
	p->silent = p->handshake_age < 0 || p->handshake_age > PORTAL_SILENT_AFTER_S ||
		    (p->network_age >= 0 && p->handshake_age > p->network_age);
	return 0;
}

/* ---- the probe ---- */

int portal_parse_url(const char *url, struct portal_url *u)
{
	const char *h, *end, *port = NULL;
	size_t n;

	if (strncmp(url, "http://", 7))
		return -EINVAL;
	h = url + 7;
	end = h + strcspn(h, "/");
	if (*h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));

		if (!close || (close + 1 != end && close[1] != ':'))
			return -EINVAL;
		port = close + 1 != end ? close + 2 : NULL;
		h++;
		n = (size_t)(close - h);
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));

		port = colon ? colon + 1 : NULL;
		n = (size_t)((colon ? colon : end) - h);
	}
	if (!n || n >= sizeof(u->host) || strlen(end) >= sizeof(u->path))
		return -EINVAL;
	memcpy(u->host, h, n);
	u->host[n] = '\0';
	n = port ? (size_t)(end - port) : 2;
	if (!n || n > 5 || (port && strspn(port, "0123456789") < n))
		return -EINVAL;
	snprintf(u->port, sizeof(u->port), "%.*s", (int)n, port ? port : "80");
	if (atoi(u->port) < 1 || atoi(u->port) > 65535)
		return -EINVAL;
	snprintf(u->path, sizeof(u->path), "%s", *end ? end : "/");
	return 0;
}

/* What the child hands back: a fixed record, NUL-terminated by the parent. */
struct answer {
	int status;			/* 0: no HTTP answer */
	char who[INET6_ADDRSTRLEN];
	char location[256];
};

int portal_parse_head(const char *head, char *location, size_t len)
{
	const char *p;
	int code = 0;

	if (len)
		location[0] = '\0';
	if (sscanf(head, "HTTP/%*1[0-9].%*1[0-9] %3d", &code) != 1 || code < 100 || code > 599)
		return 0;
	for (p = strstr(head, "\r\n"); p && strncmp(p, "\r\n\r\n", 4); p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, "Location:", 9))
			continue;
		p += 11;
		p += strspn(p, " \t");
		if (len)
			snprintf(location, len, "%.*s", (int)strcspn(p, "\r\n"), p);
		break;
	}
	return code;
}

/* One request over the first address (IPv4 first, as the endpoint is). */
static void ask(const struct portal_url *u, struct answer *a)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL, *ai;
	char req[1024], buf[4096];
	size_t got = 0;
	ssize_t n;
	int s;

	if (getaddrinfo(u->host, u->port, &hints, &res))
		return;
	for (ai = res; ai && ai->ai_family != AF_INET; ai = ai->ai_next)
		;
	ai = ai ? ai : res;
	s = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, ai->ai_addr, ai->ai_addrlen) < 0)
		goto out;
	getnameinfo(ai->ai_addr, ai->ai_addrlen, a->who, sizeof(a->who), NULL, 0, NI_NUMERICHOST);
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: wgphys-portal-probe\r\n"
		     "Accept: */*\r\nConnection: close\r\n\r\n", u->path, u->host);
	if (n <= 0 || (size_t)n >= sizeof(req) || send(s, req, (size_t)n, MSG_NOSIGNAL) != n)
		goto out;
	while (got < sizeof(buf) - 1 && (n = recv(s, buf + got, sizeof(buf) - 1 - got, 0)) > 0) {
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	buf[got] = '\0';
	a->status = portal_parse_head(buf, a->location, sizeof(a->location));
out:
	if (s >= 0)
		close(s);
	freeaddrinfo(res);
}

/* In the child: physical's network and files, nobody's identity, no
 * capability in any set, no way to gain one; then the request. */
static void probe_child(int netns_fd, const char *netns, const struct portal_url *u, int fd)
{
	struct answer a = { 0 };

	if (nsenter_netns(netns_fd, netns, NULL) < 0)
		_exit(2);
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_change_id(PROBE_ID, PROBE_ID, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(2);
	ask(u, &a);
	_exit(write(fd, &a, sizeof(a)) == sizeof(a) ? 0 : 1);
}

int portal_probe(int phys_fd, const char *netns, const char *url, int timeout_ms,
		 struct portal *p, struct wgp_err *err)
{
	struct answer a = { 0 };
	struct pollfd pfd;
	struct portal_url u;
	int fds[2], ret;
	pid_t pid;

	if (portal_parse_url(url, &u) < 0)
		return wgp_refuse(err, EINVAL, NULL,
				  "cannot probe \"%s\": only http://HOST[:PORT]/PATH", url);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return wgp_fail(err, errno, "Cannot probe", "%s", url);
	pid = fork();
	if (pid < 0) {
		ret = wgp_fail(err, errno, "Cannot probe", "%s", url);
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		probe_child(phys_fd, netns, &u, fds[1]);
	}
	close(fds[1]);
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	p->probed = true;
	if (poll(&pfd, 1, timeout_ms > 0 ? timeout_ms : 1) == 1 &&
	    read(fds[0], &a, sizeof(a)) == sizeof(a) && a.status) {
		a.who[sizeof(a.who) - 1] = '\0';
		a.location[sizeof(a.location) - 1] = '\0';
		p->answered = true;
		p->http_status = a.status;
		p->intercepted = a.status != PROBE_EXPECTED;
		memcpy(p->who, a.who, sizeof(p->who));
		memcpy(p->location, a.location, sizeof(p->location));
	}
	close(fds[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}

int portal_check(const char *tunnel, const char *netns, const char *url, int timeout_ms,
		 struct portal *p, struct wgp_err *err)
{
	int fd, ret;

	*p = (struct portal){ .handshake_age = -1, .network_age = -1 };
	fd = netns_open(netns, err);
	if (fd < 0)
		return fd;
	ret = portal_silent(tunnel, fd, p, err);
	if (ret == 0 && p->silent)
		ret = portal_probe(fd, netns, url, timeout_ms, p, err);
	close(fd);
	return ret;
}

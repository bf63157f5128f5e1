/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is a captive portal in the way? The tunnel has not handshaken on the
 * network the physical namespace now has, and a plain HTTP probe from that
 * namespace is answered by someone other than the host it asked. Lower
 * layer: never prints, never exits; 0 or -errno.
 */
#ifndef WGPHYS_PORTAL_H
#define WGPHYS_PORTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "err.h"

/* After this long without a handshake WireGuard's session keys are dead
 * (REJECT_AFTER_TIME), whatever the network. */
#define PORTAL_SILENT_AFTER_S 180

struct portal {
	/* From the kernel: the tunnel's peers, and physical's addresses. */
	long long handshake_age;	/* seconds since the latest handshake; -1: never */
	long long network_age;		/* seconds since physical's newest global address; -1: none */
	bool silent;			/* no handshake since that address came, or in 180 s */
	/* From the probe, made only when silent. */
	bool probed;
	bool answered;			/* an HTTP answer came back */
	bool intercepted;		/* and not the probed host's (204 No Content) */
	int http_status;
	char who[INET6_ADDRSTRLEN];	/* the address that answered */
	char location[256];		/* where it redirected to, or "" */
};

/*
 * Fill handshake_age, network_age and silent: the latest handshake of any
 * peer of the WireGuard interface tunnel (in the current namespace) and
 * the creation time of the newest global, non-temporary address in
 * phys_fd.
 */
int portal_silent(const char *tunnel, int phys_fd, struct portal *p, struct wgp_err *err);

/*
 * GET url (http://HOST[:PORT]/PATH) from a child that entered phys_fd
 * (called netns) as ip-netns does and dropped to nobody with no
 * capability and no_new_privs; killed after timeout_ms. Fills probed,
 * answered, intercepted, http_status, who and location. A probe that
 * reaches nobody (no route, no name, no answer in time) is not an error:
 * answered stays false. -EINVAL for a URL it cannot use.
 */
int portal_probe(int phys_fd, const char *netns, const char *url, int timeout_ms,
		 struct portal *p, struct wgp_err *err);

/* Both, for status: portal_silent, then portal_probe of url if silent. */
int portal_check(const char *tunnel, const char *netns, const char *url, int timeout_ms,
		 struct portal *p, struct wgp_err *err);

/* The parsers, apart for the unit tests. */
struct portal_url {
	char host[256];
	char port[8];
	char path[512];
};
/* http://HOST[:PORT][/PATH], HOST a name, an IPv4 or a [IPv6] literal:
 * 0, or -EINVAL. */
int portal_parse_url(const char *url, struct portal_url *u);
/* An HTTP response head (NUL-terminated): its status code, 0 if it is
 * none, and its Location header into location (len bytes, "" if none). */
int portal_parse_head(const char *head, char *location, size_t len);

#endif

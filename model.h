/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data model: what /etc/wgphys.conf and the wg-quick file say, in the
 * shape the kernel layers use. Nothing here parses or talks to the kernel;
 * wgphysconf.h and wgquick.h fill these structures in.
 */
#ifndef WGPHYS_MODEL_H
#define WGPHYS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

#include "netns.h"

#define WG_KEY_LEN 32
#define WGPHYS_NETNS_MAX NETNS_NAME_MAX	/* longest accepted namespace name */

union inet_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

/* An address with a prefix length: Address =, AllowedIPs =. */
struct cidr {
	int family;		/* AF_INET or AF_INET6 */
	union inet_addr addr;
	uint8_t prefixlen;
};

struct wg_peer {
	uint8_t public_key[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];
	bool has_preshared_key;
	char *endpoint_host;	/* as written, brackets removed; NULL if none */
	uint16_t endpoint_port;
	uint16_t keepalive;	/* seconds, 0 = off */
	struct cidr *allowedips;	/* networks: host bits cleared */
	size_t n_allowedips;
	unsigned int line;	/* line of its [Peer] header, for messages */
};

/* A wg-quick file. */
struct wg_config {
	uint8_t private_key[WG_KEY_LEN];
	bool has_private_key;
	uint16_t listen_port;
	bool has_listen_port;
	uint32_t fwmark;
	bool has_fwmark;
	/*
	 * 0 = not given: derive it from the uplink as wg-quick does (the MTU
	 * of the endpoint route's device minus 80; 1420 when unknown).
	 */
	uint32_t mtu;
	struct cidr *addrs;	/* as written: host bits are normal here */
	size_t n_addrs;
	/*
	 * DNS servers (prefixlen unused). None: DNS is not managed (main
	 * keeps its resolv.conf), as with wg-quick; dns_search is then empty.
	 */
	struct cidr *dns;
	size_t n_dns;
	char **dns_search;	/* non-address DNS = entries: search domains */
	size_t n_dns_search;
	struct wg_peer *peers;
	size_t n_peers;
	char **notes;		/* complete lines for the user, never key material */
	size_t n_notes;
};

enum dhcp_client {
	DHCP_DHCPCD,
	DHCP_NONE,
};

/* /etc/wgphys.conf. */
struct wgphys_config {
	char netns[WGPHYS_NETNS_MAX + 1];	/* [Physical] Namespace */
	bool auto_ifaces;			/* Interfaces = auto */
	char (*ifaces)[IFNAMSIZ];		/* else this list */
	size_t n_ifaces;
	enum dhcp_client dhcp;
	char *wpa_pattern;	/* WPASupplicant, absolute, may hold %i */
	bool restore_on_down;
	char tunnel_ifname[IFNAMSIZ];		/* [Tunnel] Interface */
	char *tunnel_config;			/* [Tunnel] Config, absolute */
	bool hooks_ignore;			/* [Tunnel] Hooks = ignore */
	char *private_key_file;			/* [Tunnel] PrivateKeyFile or NULL */
	char **notes;		/* complete lines for the user */
	size_t n_notes;
};

/* Whether up writes resolv.conf for the tunnel. */
static inline bool wg_config_manages_dns(const struct wg_config *wg)
{
	return wg->n_dns > 0;
}

/* Both accept NULL; wgconf_free wipes key material (explicit_bzero). */
void config_free(struct wgphys_config *cfg);
void wgconf_free(struct wg_config *wg);

/* Append one complete line to a list of notes: 0 or -ENOMEM. */
int notes_add(char ***notes, size_t *n, const char *line);

#endif

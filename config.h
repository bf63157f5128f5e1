/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing of wgphys's own configuration (/etc/wgphys.conf) and of the
 * unmodified wg-quick file it points at. Parsing only: nothing here talks to
 * the kernel, resolves a name or changes any state.
 */
#ifndef WGPHYS_CONFIG_H
#define WGPHYS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

#include "err.h"

#define WG_KEY_LEN 32
#define WGPHYS_NETNS_MAX 64	/* longest accepted namespace name */

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
	struct cidr *allowedips;
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
	uint32_t mtu;		/* 0 = not given */
	struct cidr *addrs;
	size_t n_addrs;
	struct cidr *dns;	/* prefixlen unused */
	size_t n_dns;
	char **dns_search;	/* non-address DNS = entries: search domains */
	size_t n_dns_search;
	struct wg_peer *peers;
	size_t n_peers;
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
};

/*
 * Load files. Both refuse a file that is not a regular file, not owned by
 * root, or writable by group or others; the wg-quick file (it holds a
 * private key) also one readable by others. A missing /etc/wgphys.conf is an
 * error; the caller decides whether to fall back to defaults.
 * On error: -errno, *out untouched, err says "PATH:LINE: what is wrong".
 */
int config_load(const char *path, struct wgphys_config **out, struct wgp_err *err);
int wgconf_load(const char *path, struct wg_config **out, struct wgp_err *err);

/* The same on a buffer (unit tests, fuzzing); name is used in messages. */
int config_parse(const char *name, const char *buf, size_t len,
		 struct wgphys_config **out, struct wgp_err *err);
int wgconf_parse(const char *name, const char *buf, size_t len,
		 struct wg_config **out, struct wgp_err *err);

/* Defaults only: what an absent /etc/wgphys.conf means. */
int config_default(struct wgphys_config **out);

/* Both accept NULL; wgconf_free wipes key material (explicit_bzero). */
void config_free(struct wgphys_config *cfg);
void wgconf_free(struct wg_config *wg);

/* 44 characters of base64 for exactly 32 bytes; 0 or -EINVAL. */
int key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64);
/* key to 44 characters plus NUL, for --dry-run output. */
void key_to_base64(char b64[45], const uint8_t key[WG_KEY_LEN]);

/* Valid namespace name (as a file under /run/netns): 0 or -EINVAL. */
int config_valid_netns_name(const char *name);

#endif

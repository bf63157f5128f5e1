// SPDX-License-Identifier: GPL-2.0
/*
 * The wg-quick file (wgquick.h): its [Interface] and [Peer] keys as a table
 * for the reader in ini.c, one handler per key, and the checks that need
 * the whole file (a key per peer, no peer twice, MTU against IPv6).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "encoding.h"
#include "ini.h"
#include "secfile.h"
#include "values.h"
#include "wgquick.h"

enum { WS_INTERFACE, WS_PEER };

/* The keys' places in the table below, for ini_seen(). */
enum {
	K_PRIVATE_KEY,
	K_LISTEN_PORT,
	K_FWMARK,
	K_ADDRESS,
	K_DNS,
	K_MTU,
	K_PUBLIC_KEY,
	K_PRESHARED_KEY,
	K_ENDPOINT,
	K_ALLOWED_IPS,
	K_KEEPALIVE,
};

struct wgq_state {
	struct wg_config *wg;
	unsigned int mtu_line;
	unsigned int v6_line;		/* first Address line with an IPv6 */
	size_t cap_addrs, cap_dns, cap_search, cap_peers, cap_aips;
};

static const char key_help[] = "expected 44 characters of base64 for 32 bytes";

static struct wg_peer *current_peer(struct wgq_state *st)
{
	return &st->wg->peers[st->wg->n_peers - 1];
}

/* ---- [Interface] ------------------------------------------------------ */

static int set_private_key(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;

	if (key_from_base64(st->wg->private_key, value))
		return ini_refuse(p, "PrivateKey is not a valid key: %s", key_help);
	st->wg->has_private_key = true;
	return 0;
}

static int set_listen_port(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;
	uint32_t v;

	if (val_u32(value, 65535, &v))
		return ini_refuse(p, "ListenPort must be a number from 0 to 65535, not '%.*s'",
				  INI_QUOTE_MAX, value);
	st->wg->listen_port = (uint16_t)v;
	st->wg->has_listen_port = true;
	return 0;
}

static int set_fwmark(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;
	uint32_t v;

	if (val_streq_ci(value, "off"))
		v = 0;
	else if ((value[0] == '0' && ch_lower(value[1]) == 'x') ?
		 val_hex_u32(value + 2, &v) : val_u32(value, UINT32_MAX, &v))
		return ini_refuse(p, "FwMark must be a 32-bit number (decimal or 0x hex) or 'off', not '%.*s'",
				  INI_QUOTE_MAX, value);
	st->wg->fwmark = v;
	st->wg->has_fwmark = true;
	return 0;
}

/* A list of ADDR[/PREFIX]: Address = and AllowedIPs =. */
static int cidr_list(struct ini *p, const char *key, char *value, struct cidr **arr,
		     size_t *n, size_t *cap, unsigned int *v6_line)
{
	char *cursor = value, *item;
	struct cidr c, *tmp;
	int ret;

	while ((item = val_next_item(&cursor))) {
		if (!*item)
			return ini_refuse(p, "%s: empty item in the list", key);
		ret = val_cidr(item, &c);
		if (ret == -ERANGE)
			return ini_refuse(p, "%s: bad prefix length in '%.*s' (0 to %u)",
					  key, INI_QUOTE_MAX, item,
					  c.family == AF_INET6 ? 128 : 32);
		if (ret)
			return ini_refuse(p, "%s: '%.*s' is not an IP address with an optional /prefix",
					  key, INI_QUOTE_MAX, item);
		tmp = val_grow(*arr, *n, cap, sizeof(**arr), false);
		if (!tmp)
			return ini_nomem(p);
		*arr = tmp;
		(*arr)[(*n)++] = c;
		if (v6_line && c.family == AF_INET6 && !*v6_line)
			*v6_line = p->line;
	}
	return 0;
}

static int set_address(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;

	return cidr_list(p, "Address", value, &st->wg->addrs, &st->wg->n_addrs,
			 &st->cap_addrs, &st->v6_line);
}

/* DNS =: addresses are servers, anything else a search domain. */
static int set_dns(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;
	struct wg_config *wg = st->wg;
	char *cursor = value, *item, *copy;
	struct cidr c;
	void *tmp;

	while ((item = val_next_item(&cursor))) {
		if (!*item)
			return ini_refuse(p, "DNS: empty item in the list");
		if (!val_addr(item, &c)) {
			tmp = val_grow(wg->dns, wg->n_dns, &st->cap_dns, sizeof(*wg->dns), false);
			if (!tmp)
				return ini_nomem(p);
			wg->dns = tmp;
			wg->dns[wg->n_dns++] = c;
			continue;
		}
		if (!val_dns_name(item))
			return ini_refuse(p, "DNS: '%.*s' is neither an IP address nor a domain name",
					  INI_QUOTE_MAX, item);
		tmp = val_grow(wg->dns_search, wg->n_dns_search, &st->cap_search,
			       sizeof(*wg->dns_search), false);
		if (!tmp)
			return ini_nomem(p);
		wg->dns_search = tmp;
		copy = strdup(item);
		if (!copy)
			return ini_nomem(p);
		wg->dns_search[wg->n_dns_search++] = copy;
	}
	return 0;
}

static int set_mtu(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;
	uint32_t v;

	if (val_u32(value, 9200, &v) || v < 576)
		return ini_refuse(p, "MTU must be a number from 576 to 9200, not '%.*s'",
				  INI_QUOTE_MAX, value);
	st->wg->mtu = v;
	st->mtu_line = p->line;
	return 0;
}

/* wg-quick keys we know and refuse, whatever section they are in. */
static int refuse_known(struct ini *p, void *ctx, char *value)
{
	static const struct {
		const char *name;
		const char *why;
	} refused[] = {
		{ "PreUp", "wgphys runs no commands from a configuration file" },
		{ "PostUp", "wgphys runs no commands from a configuration file" },
		{ "PreDown", "wgphys runs no commands from a configuration file" },
		{ "PostDown", "wgphys runs no commands from a configuration file" },
		{ "Table", "wgphys manages routing itself" },
		{ "SaveConfig", "wgphys never writes to a configuration file" },
	};
	size_t i;

	(void)ctx;
	(void)value;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (!strcmp(p->key->name, refused[i].name))
			return ini_refuse(p, "%s is not supported: %s", refused[i].name,
					  refused[i].why);
	return ini_refuse(p, "%s is not supported", p->key->name);
}

/* ---- [Peer] ----------------------------------------------------------- */

static int set_public_key(struct ini *p, void *ctx, char *value)
{
	if (key_from_base64(current_peer(ctx)->public_key, value))
		return ini_refuse(p, "PublicKey is not a valid key: %s", key_help);
	return 0;
}

static int set_preshared_key(struct ini *p, void *ctx, char *value)
{
	struct wg_peer *peer = current_peer(ctx);

	if (key_from_base64(peer->preshared_key, value))
		return ini_refuse(p, "PresharedKey is not a valid key: %s", key_help);
	peer->has_preshared_key = true;
	return 0;
}

/*
 * The host of an Endpoint, copied into host without brackets; *port_text
 * is what follows its ':'. IPV4:PORT, HOST:PORT or [IPV6]:PORT.
 */
static int endpoint_split(struct ini *p, const char *value, char host[256],
			  const char **port_text)
{
	const char *h, *colon;
	size_t hlen;

	if (value[0] == '[') {
		h = value + 1;
		colon = strchr(h, ']');
		if (!colon || colon[1] != ':')
			return ini_refuse(p, "Endpoint '%.*s': expected [IPv6 address]:port",
					  INI_QUOTE_MAX, value);
		hlen = (size_t)(colon - h);
		colon++;
	} else {
		h = value;
		colon = strrchr(value, ':');
		if (!colon)
			return ini_refuse(p, "Endpoint '%.*s' has no port: expected host:port",
					  INI_QUOTE_MAX, value);
		hlen = (size_t)(colon - h);
		if (memchr(h, ':', hlen))
			return ini_refuse(p, "Endpoint '%.*s': an IPv6 address goes in brackets, [address]:port",
					  INI_QUOTE_MAX, value);
	}
	if (!hlen || hlen >= 256)
		return ini_refuse(p, "Endpoint '%.*s': bad host", INI_QUOTE_MAX, value);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port_text = colon + 1;
	return 0;
}

/* In brackets: an IPv6 address, with a %scope that names an interface. */
static bool endpoint_v6_ok(const char *host)
{
	char addr[256];
	const char *scope = strchr(host, '%');
	struct in6_addr a6;
	size_t alen = scope ? (size_t)(scope - host) : strlen(host);

	memcpy(addr, host, alen);
	addr[alen] = '\0';
	return inet_pton(AF_INET6, addr, &a6) == 1 && (!scope || val_ifname(scope + 1));
}

/*
 * Endpoint = HOST:PORT, IPV4:PORT or [IPV6]:PORT (an IPv6 address may carry
 * a %scope). Nothing is resolved here; the host is kept as written, without
 * brackets.
 */
static int set_endpoint(struct ini *p, void *ctx, char *value)
{
	struct wg_peer *peer = current_peer(ctx);
	const char *port_text = NULL;
	char host[256];
	struct in_addr a4;
	uint32_t port;
	int ret;

	ret = endpoint_split(p, value, host, &port_text);
	if (ret)
		return ret;
	if (value[0] == '[') {
		if (!endpoint_v6_ok(host))
			return ini_refuse(p, "Endpoint '%.*s': not an IPv6 address in the brackets",
					  INI_QUOTE_MAX, value);
	} else if (inet_pton(AF_INET, host, &a4) != 1 && !val_dns_name(host)) {
		return ini_refuse(p, "Endpoint '%.*s': the host is neither an IPv4 address nor a host name",
				  INI_QUOTE_MAX, value);
	}
	if (val_u32(port_text, 65535, &port) || !port)
		return ini_refuse(p, "Endpoint '%.*s': the port must be a number from 1 to 65535",
				  INI_QUOTE_MAX, value);
	peer->endpoint_host = strdup(host);
	if (!peer->endpoint_host)
		return ini_nomem(p);
	peer->endpoint_port = (uint16_t)port;
	return 0;
}

static int set_allowed_ips(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;
	struct wg_peer *peer = current_peer(st);

	return cidr_list(p, "AllowedIPs", value, &peer->allowedips, &peer->n_allowedips,
			 &st->cap_aips, NULL);
}

static int set_keepalive(struct ini *p, void *ctx, char *value)
{
	uint32_t v;

	if (val_streq_ci(value, "off"))
		v = 0;
	else if (val_u32(value, 65535, &v))
		return ini_refuse(p, "PersistentKeepalive must be a number from 0 to 65535 or 'off', not '%.*s'",
				  INI_QUOTE_MAX, value);
	current_peer(ctx)->keepalive = (uint16_t)v;
	return 0;
}

/* ---- sections and the whole file ---------------------------------------- */

/* The [Peer] being closed: it needs a PublicKey. */
static int leave(struct ini *p, void *ctx)
{
	struct wgq_state *st = ctx;

	if (p->section != WS_PEER || ini_seen(p, K_PUBLIC_KEY))
		return 0;
	return ini_refuse_at(p, current_peer(st)->line, "[Peer] has no PublicKey");
}

static int enter(struct ini *p, void *ctx, int section)
{
	struct wgq_state *st = ctx;
	struct wg_config *wg = st->wg;
	struct wg_peer *tmp;

	if (section != WS_PEER)
		return 0;
	tmp = val_grow(wg->peers, wg->n_peers, &st->cap_peers, sizeof(*wg->peers), true);
	if (!tmp)
		return ini_nomem(p);
	wg->peers = tmp;
	memset(&wg->peers[wg->n_peers], 0, sizeof(*wg->peers));
	wg->peers[wg->n_peers++].line = p->line;
	st->cap_aips = 0;
	return 0;
}

static int peer_cmp(const void *a, const void *b)
{
	const struct wg_peer *pa = *(const struct wg_peer *const *)a;
	const struct wg_peer *pb = *(const struct wg_peer *const *)b;
	int c = memcmp(pa->public_key, pb->public_key, WG_KEY_LEN);

	if (c)
		return c;
	return pa->line < pb->line ? -1 : pa->line > pb->line;
}

/*
 * Two peers with one public key: report the first [Peer] in the file that
 * repeats an earlier one. Sorted rather than compared pairwise, so that a
 * file of many peers stays fast.
 */
static int check_duplicate_peers(struct ini *p, struct wg_config *wg)
{
	const struct wg_peer **sorted, *dup = NULL, *first = NULL;
	size_t i, start = 0;

	if (wg->n_peers < 2)
		return 0;
	sorted = calloc(wg->n_peers, sizeof(*sorted));
	if (!sorted)
		return ini_nomem(p);
	for (i = 0; i < wg->n_peers; i++)
		sorted[i] = &wg->peers[i];
	qsort(sorted, wg->n_peers, sizeof(*sorted), peer_cmp);
	/* Within a run of equal keys, sorted by line: its second member is
	 * its first repeat. Report the earliest such repeat. */
	for (i = 1; i < wg->n_peers; i++) {
		if (memcmp(sorted[start]->public_key, sorted[i]->public_key, WG_KEY_LEN)) {
			start = i;
			continue;
		}
		if (i == start + 1 && (!dup || sorted[i]->line < dup->line)) {
			dup = sorted[i];
			first = sorted[start];
		}
	}
	free(sorted);
	if (dup)
		return ini_refuse_at(p, dup->line, "[Peer] has the same PublicKey as the [Peer] at line %u",
				     first->line);
	return 0;
}

static int finish(struct ini *p, void *ctx)
{
	struct wgq_state *st = ctx;
	struct wg_config *wg = st->wg;
	unsigned int interface_line = ini_section_line(p, WS_INTERFACE);

	if (!interface_line)
		return ini_refuse_at(p, 0, "no [Interface] section");
	if (!wg->has_private_key)
		return ini_refuse_at(p, interface_line, "[Interface] has no PrivateKey");
	if (wg->mtu && wg->mtu < 1280 && st->v6_line)
		return ini_refuse_at(p, st->mtu_line, "MTU %u is below 1280, the minimum for IPv6 (the Address at line %u is IPv6)",
				     wg->mtu, st->v6_line);
	return check_duplicate_peers(p, wg);
}

/* ---- the table -------------------------------------------------------- */

static const struct ini_section sections[] = {
	[WS_INTERFACE] = { "Interface", false },
	[WS_PEER] = { "Peer", true },
};

static const struct ini_key keys[] = {
	[K_PRIVATE_KEY] = { "PrivateKey", WS_INTERFACE, INI_ONCE, set_private_key },
	[K_LISTEN_PORT] = { "ListenPort", WS_INTERFACE, INI_ONCE, set_listen_port },
	[K_FWMARK] = { "FwMark", WS_INTERFACE, INI_ONCE, set_fwmark },
	[K_ADDRESS] = { "Address", WS_INTERFACE, INI_LIST, set_address },
	[K_DNS] = { "DNS", WS_INTERFACE, INI_LIST, set_dns },
	[K_MTU] = { "MTU", WS_INTERFACE, INI_ONCE, set_mtu },
	[K_PUBLIC_KEY] = { "PublicKey", WS_PEER, INI_ONCE, set_public_key },
	[K_PRESHARED_KEY] = { "PresharedKey", WS_PEER, INI_ONCE, set_preshared_key },
	[K_ENDPOINT] = { "Endpoint", WS_PEER, INI_ONCE, set_endpoint },
	[K_ALLOWED_IPS] = { "AllowedIPs", WS_PEER, INI_LIST, set_allowed_ips },
	[K_KEEPALIVE] = { "PersistentKeepalive", WS_PEER, INI_ONCE, set_keepalive },
	{ "PreUp", INI_ANY_SECTION, INI_LIST, refuse_known },
	{ "PostUp", INI_ANY_SECTION, INI_LIST, refuse_known },
	{ "PreDown", INI_ANY_SECTION, INI_LIST, refuse_known },
	{ "PostDown", INI_ANY_SECTION, INI_LIST, refuse_known },
	{ "Table", INI_ANY_SECTION, INI_ONCE, refuse_known },
	{ "SaveConfig", INI_ANY_SECTION, INI_ONCE, refuse_known },
};

static const struct ini_syntax syntax = {
	.sections = sections,
	.n_sections = sizeof(sections) / sizeof(sections[0]),
	.keys = keys,
	.n_keys = sizeof(keys) / sizeof(keys[0]),
	.expected = "[Interface] or [Peer]",
	.leave = leave,
	.enter = enter,
	.finish = finish,
};

int wgq_parse(const char *name, const char *buf, size_t len,
	      struct wg_config **out, struct wgp_err *err)
{
	struct wgq_state st = { 0 };
	int ret;

	st.wg = calloc(1, sizeof(*st.wg));
	if (!st.wg)
		return wgp_refuse(err, ENOMEM, name ? name : "(config)", "out of memory");
	ret = ini_parse(name, buf, len, &syntax, &st, &st.wg->notes, &st.wg->n_notes, err);
	if (ret) {
		wgconf_free(st.wg);
		return ret;
	}
	*out = st.wg;
	return 0;
}

int wgq_load(const char *path, struct wg_config **out, struct wgp_err *err)
{
	size_t len, cap;
	char *buf = NULL;
	int ret;

	ret = secfile_read(path, SECFILE_SECRET, &buf, &len, &cap, err);
	if (ret)
		return ret;
	ret = wgq_parse(path, buf, len, out, err);
	secfile_release(buf, cap);
	return ret;
}

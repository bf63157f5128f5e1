// SPDX-License-Identifier: GPL-2.0
/*
 * The wg-quick file (wgquick.h): its [Interface] and [Peer] keys as a table
 * for the reader in ini.c, one handler per key, and the checks that need
 * the whole file (a key per peer, no peer twice, MTU against IPv6, hooks,
 * Table, SaveConfig, DNS).
 *
 * As wg-quick and wg(8) read it: single-valued keys may repeat (the last
 * one counts), lists split on commas and blanks, AllowedIPs are networks
 * (host bits cleared, as the kernel would). Everything the kernel could
 * refuse later, after up has moved the network, is refused here instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "encoding.h"
#include "hooks.h"
#include "ini.h"
#include "secfile.h"
#include "values.h"
#include "wgquick.h"

#define IPV6_MIN_MTU 1280

enum { WS_INTERFACE, WS_PEER };

/* The keys' places in the table below (ini_seen(), hooks). */
enum {
	K_PRIVATE_KEY,
	K_LISTEN_PORT,
	K_FWMARK,
	K_ADDRESS,
	K_DNS,
	K_MTU,
	K_TABLE,
	K_SAVE_CONFIG,
	K_PRE_UP,		/* the four hooks, in enum hook_when's order */
	K_POST_UP,
	K_PRE_DOWN,
	K_POST_DOWN,
	K_PUBLIC_KEY,
	K_PRESHARED_KEY,
	K_ENDPOINT,
	K_ALLOWED_IPS,
	K_KEEPALIVE,
};

struct hook_line {
	unsigned int line;
	enum hook_when when;
	bool killswitch;
};

struct wgq_state {
	struct wg_config *wg;
	struct wgq_options opt;
	unsigned int private_key_line;	/* the last PrivateKey */
	unsigned int mtu_line;
	unsigned int v6_line;		/* first Address or AllowedIPs with IPv6 */
	const char *v6_key;		/* ...and which */
	unsigned int dns_line;		/* first DNS line */
	unsigned int table_line;	/* the last Table, if not "auto" */
	unsigned int save_line;		/* the last SaveConfig, if "true" */
	struct hook_line *hooks;
	size_t n_hooks, cap_hooks;
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
	st->private_key_line = p->line;
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

/* One ADDR[/PREFIX] of Address = or AllowedIPs =, into *c. */
static int cidr_item(struct ini *p, struct wgq_state *st, const char *key,
		     const char *item, struct cidr *c)
{
	int ret = val_cidr(item, c);

	if (ret == -ERANGE)
		return ini_refuse(p, "%s: bad prefix length in '%.*s' (0 to %u)",
				  key, INI_QUOTE_MAX, item, c->family == AF_INET6 ? 128 : 32);
	if (ret)
		return ini_refuse(p, "%s: '%.*s' is not an IP address with an optional /prefix",
				  key, INI_QUOTE_MAX, item);
	if (c->family == AF_INET6 && !st->v6_line) {
		st->v6_line = p->line;
		st->v6_key = key;
	}
	return 0;
}

static int add_cidr(struct ini *p, struct cidr **arr, size_t *n, size_t *cap,
		    const struct cidr *c)
{
	struct cidr *tmp = val_grow(*arr, *n, cap, sizeof(**arr), false);

	if (!tmp)
		return ini_nomem(p);
	*arr = tmp;
	(*arr)[(*n)++] = *c;
	return 0;
}

/*
 * Address =: host bits are normal (10.0.0.2/24); IPv6 addresses the kernel
 * refuses on an interface (unspecified, loopback, multicast) are refused.
 */
static int set_address(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;
	char *cursor = value, *item;
	struct cidr c;
	int ret;

	while ((item = val_next_word(&cursor))) {
		ret = cidr_item(p, st, "Address", item, &c);
		if (ret)
			return ret;
		if (c.family == AF_INET6 && (IN6_IS_ADDR_UNSPECIFIED(&c.addr.v6) ||
					     IN6_IS_ADDR_LOOPBACK(&c.addr.v6) ||
					     IN6_IS_ADDR_MULTICAST(&c.addr.v6)))
			return ini_refuse(p, "Address: '%.*s' cannot be an interface's address (the kernel refuses unspecified, loopback and multicast IPv6 addresses)",
					  INI_QUOTE_MAX, item);
		ret = add_cidr(p, &st->wg->addrs, &st->wg->n_addrs, &st->cap_addrs, &c);
		if (ret)
			return ret;
	}
	return 0;
}

static int add_search_domain(struct ini *p, struct wgq_state *st, const char *item)
{
	struct wg_config *wg = st->wg;
	char **tmp, *copy;

	tmp = val_grow(wg->dns_search, wg->n_dns_search, &st->cap_search,
		       sizeof(*wg->dns_search), false);
	if (!tmp)
		return ini_nomem(p);
	wg->dns_search = tmp;
	copy = strdup(item);
	if (!copy)
		return ini_nomem(p);
	wg->dns_search[wg->n_dns_search++] = copy;
	return 0;
}

/* DNS =: addresses are servers, anything else a search domain. */
static int set_dns(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;
	struct wg_config *wg = st->wg;
	char *cursor = value, *item;
	struct cidr c;
	int ret;

	if (!st->dns_line)
		st->dns_line = p->line;
	while ((item = val_next_word(&cursor))) {
		if (!val_addr(item, &c))
			ret = add_cidr(p, &wg->dns, &wg->n_dns, &st->cap_dns, &c);
		else if (val_dns_name(item))
			ret = add_search_domain(p, st, item);
		else
			ret = ini_refuse(p, "DNS: '%.*s' is neither an IP address nor a domain name",
					 INI_QUOTE_MAX, item);
		if (ret)
			return ret;
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

/* Table = auto is what wgphys does anyway; anything else is refused at the end. */
static int set_table(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;

	st->table_line = val_streq_ci(value, "auto") ? 0 : p->line;
	return 0;
}

/* SaveConfig = false is what wgphys does anyway; true is refused at the end. */
static int set_save_config(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;

	if (val_streq_ci(value, "true"))
		st->save_line = p->line;
	else if (val_streq_ci(value, "false"))
		st->save_line = 0;
	else
		return ini_refuse(p, "SaveConfig must be true or false, not '%.*s'",
				  INI_QUOTE_MAX, value);
	return 0;
}

/*
 * PreUp, PostUp, PreDown, PostDown: never run; noted here and judged at the
 * end, all together. A hook with a comment is never taken for the kill
 * switch (wg-quick hands the comment to bash with the rest); one that is
 * only a comment runs nothing.
 */
static int set_hook(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;
	enum hook_when when = (enum hook_when)(p->key - p->syn->keys - K_PRE_UP);
	struct hook_line *tmp;

	_Static_assert(K_POST_DOWN - K_PRE_UP == HOOK_POST_DOWN, "hook keys in order");
	if (!*value)
		return 0;	/* an empty hook runs nothing */
	tmp = val_grow(st->hooks, st->n_hooks, &st->cap_hooks, sizeof(*st->hooks), false);
	if (!tmp)
		return ini_nomem(p);
	st->hooks = tmp;
	st->hooks[st->n_hooks++] = (struct hook_line){
		.line = p->line, .when = when,
		.killswitch = !p->comment && hook_is_killswitch(when, value),
	};
	return 0;
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
	free(peer->endpoint_host);	/* a repeated Endpoint: the last counts */
	peer->endpoint_host = strdup(host);
	if (!peer->endpoint_host)
		return ini_nomem(p);
	peer->endpoint_port = (uint16_t)port;
	return 0;
}

/* AllowedIPs =: networks; host bits are cleared, with a note (as wg warns). */
static int set_allowed_ips(struct ini *p, void *ctx, char *value)
{
	struct wgq_state *st = ctx;
	struct wg_peer *peer = current_peer(st);
	char *cursor = value, *item, net[INET6_ADDRSTRLEN];
	struct cidr c;
	int ret;

	while ((item = val_next_word(&cursor))) {
		ret = cidr_item(p, st, "AllowedIPs", item, &c);
		if (!ret && val_cidr_mask(&c)) {
			inet_ntop(c.family, &c.addr, net, sizeof(net));
			ret = ini_note(p, p->line, "AllowedIPs %.*s has host bits set; using %s/%u",
				       INI_QUOTE_MAX, item, net, c.prefixlen);
		}
		if (!ret)
			ret = add_cidr(p, &peer->allowedips, &peer->n_allowedips, &st->cap_aips, &c);
		if (ret)
			return ret;
	}
	return 0;
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

/* One key from outside the file, or the file's own; never both. */
static int finish_private_key(struct ini *p, struct wgq_state *st)
{
	struct wg_config *wg = st->wg;

	if (st->opt.private_key && wg->has_private_key)
		return ini_refuse_at(p, st->private_key_line, "PrivateKey is given here and by %s; keep only one",
				     st->opt.private_key_from ? st->opt.private_key_from : "wgphys.conf");
	if (st->opt.private_key) {
		memcpy(wg->private_key, st->opt.private_key, WG_KEY_LEN);
		wg->has_private_key = true;
	}
	if (!wg->has_private_key)
		return ini_refuse_at(p, ini_section_line(p, WS_INTERFACE),
				     "[Interface] has no PrivateKey (nor does wgphys.conf name a PrivateKeyFile, nor is there a systemd credential wgphys.key)");
	return 0;
}

/* "PreUp", "PreUp and PostUp", "PreUp, PostUp and PostDown". */
static void hook_names(unsigned int mask, char *buf, size_t len)
{
	static const char *const names[HOOK_COUNT] = {
		[HOOK_PRE_UP] = "PreUp", [HOOK_POST_UP] = "PostUp",
		[HOOK_PRE_DOWN] = "PreDown", [HOOK_POST_DOWN] = "PostDown",
	};
	unsigned int i, left = (unsigned int)__builtin_popcount(mask);
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < HOOK_COUNT && off < len; i++) {
		if (!(mask & 1u << i))
			continue;
		left--;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", names[i],
					left > 1 ? ", " : left == 1 ? " and " : "");
	}
}

/* The lines of the hooks that are (killswitch) or are not the kill switch. */
static size_t hook_lines(const struct wgq_state *st, bool killswitch, unsigned int *lines,
			 unsigned int *mask)
{
	size_t i, n = 0;

	*mask = 0;
	for (i = 0; i < st->n_hooks; i++) {
		if (st->hooks[i].killswitch != killswitch)
			continue;
		lines[n++] = st->hooks[i].line;
		*mask |= 1u << st->hooks[i].when;
	}
	return n;
}

/*
 * Every hook at once: the kill switch is skipped with a note; any other is
 * refused, all lines in one message, unless Hooks = ignore.
 */
static int finish_hooks(struct ini *p, struct wgq_state *st)
{
	unsigned int *lines, mask;
	char names[64];
	size_t n;
	int ret = 0;

	if (!st->n_hooks)
		return 0;
	lines = calloc(st->n_hooks, sizeof(*lines));
	if (!lines)
		return ini_nomem(p);
	n = hook_lines(st, false, lines, &mask);
	hook_names(mask, names, sizeof(names));
	if (n && !st->opt.hooks_ignore) {
		ret = ini_refuse_lines(p, lines, n,
				       "%s %s not supported: wgphys runs no commands from a configuration file; remove %s, or add 'Hooks = ignore' to [Tunnel] in wgphys.conf to skip %s",
				       names, __builtin_popcount(mask) > 1 ? "are" : "is",
				       n > 1 ? "these lines" : "the line", n > 1 ? "them" : "it");
		goto out;
	}
	n = hook_lines(st, true, lines, &mask);
	hook_names(mask, names, sizeof(names));
	if (n)
		ret = ini_note_lines(p, lines, n,
				     "%s: the iptables kill switch is skipped: wgphys's namespace is one already",
				     names);
	n = ret ? 0 : hook_lines(st, false, lines, &mask);
	hook_names(mask, names, sizeof(names));
	if (n)
		ret = ini_note_lines(p, lines, n,
				     "%s skipped (Hooks = ignore): wgphys runs no commands from a configuration file",
				     names);
out:
	free(lines);
	return ret;
}

static int finish_routing(struct ini *p, struct wgq_state *st)
{
	if (st->table_line)
		return ini_refuse_at(p, st->table_line, "Table is not supported: wgphys manages routing itself (every AllowedIPs through the tunnel, in the main table); only Table = auto is accepted");
	if (st->save_line)
		return ini_refuse_at(p, st->save_line, "SaveConfig is not supported: wgphys never writes to a configuration file; only SaveConfig = false is accepted");
	if (st->wg->mtu && st->wg->mtu < IPV6_MIN_MTU && st->v6_line)
		return ini_refuse_at(p, st->mtu_line, "MTU %u is below 1280, the minimum for IPv6 (the %s at line %u is IPv6)",
				     st->wg->mtu, st->v6_key, st->v6_line);
	return 0;
}

/*
 * DNS is managed only with a server, as in wg-quick: search domains alone
 * are dropped. Either way without a server, main keeps its resolv.conf,
 * whose (LAN) servers it can now reach only through the tunnel: say so.
 */
static int finish_dns(struct ini *p, struct wgq_state *st)
{
	struct wg_config *wg = st->wg;
	size_t i;

	if (wg->n_dns)
		return 0;
	if (!wg->n_dns_search)
		return ini_note(p, st->dns_line, "no DNS server given: main keeps its resolv.conf, whose servers (the LAN's) it can now reach only through the tunnel; add DNS = to use the tunnel's");
	for (i = 0; i < wg->n_dns_search; i++)
		free(wg->dns_search[i]);
	free(wg->dns_search);
	wg->dns_search = NULL;
	wg->n_dns_search = 0;
	return ini_note(p, st->dns_line, "DNS gives search domains but no server: as with wg-quick, DNS is left alone and they are ignored; main keeps its resolv.conf, whose servers (the LAN's) it can now reach only through the tunnel");
}

static int finish(struct ini *p, void *ctx)
{
	struct wgq_state *st = ctx;
	int ret;

	if (!ini_section_line(p, WS_INTERFACE))
		return ini_refuse_at(p, 0, "no [Interface] section");
	ret = finish_private_key(p, st);
	if (!ret)
		ret = finish_routing(p, st);
	if (!ret)
		ret = finish_hooks(p, st);
	if (!ret)
		ret = check_duplicate_peers(p, st->wg);
	if (!ret)
		ret = finish_dns(p, st);
	return ret;
}

/* ---- the table -------------------------------------------------------- */

static const struct ini_section sections[] = {
	[WS_INTERFACE] = { "Interface", false },
	[WS_PEER] = { "Peer", true },
};

static const struct ini_key keys[] = {
	[K_PRIVATE_KEY] = { "PrivateKey", WS_INTERFACE, INI_LAST, set_private_key },
	[K_LISTEN_PORT] = { "ListenPort", WS_INTERFACE, INI_LAST, set_listen_port },
	[K_FWMARK] = { "FwMark", WS_INTERFACE, INI_LAST, set_fwmark },
	[K_ADDRESS] = { "Address", WS_INTERFACE, INI_LIST, set_address },
	[K_DNS] = { "DNS", WS_INTERFACE, INI_LIST, set_dns },
	[K_MTU] = { "MTU", WS_INTERFACE, INI_LAST, set_mtu },
	[K_TABLE] = { "Table", WS_INTERFACE, INI_LAST, set_table },
	[K_SAVE_CONFIG] = { "SaveConfig", WS_INTERFACE, INI_LAST, set_save_config },
	[K_PRE_UP] = { "PreUp", WS_INTERFACE, INI_LIST, set_hook },
	[K_POST_UP] = { "PostUp", WS_INTERFACE, INI_LIST, set_hook },
	[K_PRE_DOWN] = { "PreDown", WS_INTERFACE, INI_LIST, set_hook },
	[K_POST_DOWN] = { "PostDown", WS_INTERFACE, INI_LIST, set_hook },
	[K_PUBLIC_KEY] = { "PublicKey", WS_PEER, INI_LAST, set_public_key },
	[K_PRESHARED_KEY] = { "PresharedKey", WS_PEER, INI_LAST, set_preshared_key },
	[K_ENDPOINT] = { "Endpoint", WS_PEER, INI_LAST, set_endpoint },
	[K_ALLOWED_IPS] = { "AllowedIPs", WS_PEER, INI_LIST, set_allowed_ips },
	[K_KEEPALIVE] = { "PersistentKeepalive", WS_PEER, INI_LAST, set_keepalive },
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
	      const struct wgq_options *opt, struct wg_config **out,
	      struct wgp_err *err)
{
	struct wgq_state st = { 0 };
	int ret;

	if (opt)
		st.opt = *opt;
	st.wg = calloc(1, sizeof(*st.wg));
	if (!st.wg)
		return wgp_refuse(err, ENOMEM, name ? name : "(config)", "out of memory");
	ret = ini_parse(name, buf, len, &syntax, &st, &st.wg->notes, &st.wg->n_notes, err);
	free(st.hooks);
	if (ret) {
		wgconf_free(st.wg);
		return ret;
	}
	*out = st.wg;
	return 0;
}

int wgq_load(const char *path, const struct wgq_options *opt,
	     struct wg_config **out, struct wgp_err *err)
{
	size_t len, cap;
	char *buf = NULL;
	int ret;

	ret = secfile_read(path, SECFILE_SECRET, &buf, &len, &cap, err);
	if (ret)
		return ret;
	ret = wgq_parse(path, buf, len, opt, out, err);
	secfile_release(buf, cap);
	return ret;
}

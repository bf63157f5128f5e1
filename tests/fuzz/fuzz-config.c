// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the configuration readers: the input is given to
 * config_parse() (wgphysconf.c), to wgq_parse() (wgquick.c; both through
 * ini.c and values.c) with and without the options wgphys.conf can set, to
 * hook_is_killswitch() (hooks.c) and to key_file_parse() (tunnelconf.c).
 * Every failure must carry a message; every success must hold what the
 * parser promises: keys that survive key_to_base64() + key_from_base64()
 * (encoding.c) unchanged, networks without host bits, DNS search domains
 * only with a server, and notes that never quote the private key.
 *
 * Build and run: tests/fuzz/run.sh [SECONDS]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "hooks.h"
#include "netns.h"
#include "tunnelconf.h"
#include "wgphysconf.h"
#include "wgquick.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_key(const uint8_t key[WG_KEY_LEN])
{
	uint8_t back[WG_KEY_LEN];
	char b64[WG_KEY_LEN_BASE64];
	size_t i;

	key_to_base64(b64, key);
	if (b64[44] || key_from_base64(back, b64))
		__builtin_trap();
	for (i = 0; i < WG_KEY_LEN; i++)
		if (back[i] != key[i])
			__builtin_trap();
}

static void check_wgphys(const uint8_t *data, size_t size)
{
	struct wgphys_config *cfg = NULL;
	struct wgp_err err = { 0 };

	if (config_parse("fuzz.conf", (const char *)data, size, &cfg, &err) == 0) {
		if (!netns_valid_name(cfg->netns) || !cfg->tunnel_config ||
		    !cfg->wpa_pattern || err.code)
			__builtin_trap();
		config_free(cfg);
	} else if (!err.code || !err.why[0]) {
		__builtin_trap();	/* every error has a message */
	}
}

/* An AllowedIPs network: no bit set beyond the prefix. */
static void check_network(const struct cidr *c)
{
	const uint8_t *b = c->family == AF_INET6 ? c->addr.v6.s6_addr :
			   (const uint8_t *)&c->addr.v4.s_addr;
	unsigned int bits = c->family == AF_INET6 ? 128 : 32, i;

	if (c->prefixlen > bits)
		__builtin_trap();
	for (i = c->prefixlen; i < bits; i++)
		if (b[i / 8] & (0x80 >> (i % 8)))
			__builtin_trap();
}

static void check_parsed(const struct wg_config *wg)
{
	char priv[WG_KEY_LEN_BASE64];
	size_t i, j;

	if (!wg->has_private_key || (!wg->n_dns && wg->n_dns_search))
		__builtin_trap();
	check_key(wg->private_key);
	key_to_base64(priv, wg->private_key);
	for (i = 0; i < wg->n_notes; i++)
		if (strstr(wg->notes[i], priv))
			__builtin_trap();
	for (i = 0; i < wg->n_peers; i++) {
		check_key(wg->peers[i].public_key);
		if (wg->peers[i].has_preshared_key)
			check_key(wg->peers[i].preshared_key);
		for (j = 0; j < wg->peers[i].n_allowedips; j++)
			check_network(&wg->peers[i].allowedips[j]);
	}
}

static void check_wgquick(const uint8_t *data, size_t size, const struct wgq_options *opt)
{
	struct wg_config *wg = NULL;
	struct wgp_err err = { 0 };

	if (wgq_parse("fuzz.conf", (const char *)data, size, opt, &wg, &err) == 0) {
		if (err.code)
			__builtin_trap();
		check_parsed(wg);
		wgconf_free(wg);
	} else if (!err.code || !err.why[0]) {
		__builtin_trap();
	}
}

/* The hook recogniser and the key file's syntax on the raw text. */
static void check_text(const uint8_t *data, size_t size)
{
	uint8_t key[WG_KEY_LEN];
	char *text = malloc(size + 1);
	int when;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	for (when = 0; when < HOOK_COUNT; when++)
		(void)hook_is_killswitch((enum hook_when)when, text);
	if (key_file_parse(text, size, key) == 0)
		check_key(key);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t outside[WG_KEY_LEN] = { 1, 2, 3 };
	const struct wgq_options ignore = {
		.hooks_ignore = true, .private_key = outside, .private_key_from = "fuzz",
	};

	check_wgphys(data, size);
	check_wgquick(data, size, NULL);
	check_wgquick(data, size, &ignore);
	check_text(data, size);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/wgphys.conf (wgphysconf.h): its sections and keys as a table for
 * the reader in ini.c, one handler per key, and the defaults an absent key
 * or file means.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "netns.h"
#include "paths.h"
#include "secfile.h"
#include "values.h"
#include "wgphysconf.h"

#define IFACES_MAX 256			/* Interfaces = list; checked pairwise */

#define DEFAULT_NETNS "physical"
#define DEFAULT_WPA "/etc/wpa_supplicant/wpa_supplicant-%i.conf"
#define DEFAULT_TUNNEL "wg0"

/* Everything but tunnel_config, which follows the tunnel's name. */
static struct wgphys_config *config_new(void)
{
	struct wgphys_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	strcpy(cfg->netns, DEFAULT_NETNS);
	cfg->auto_ifaces = true;
	cfg->dhcp = DHCP_DHCPCD;
	cfg->wpa_pattern = strdup(DEFAULT_WPA);
	cfg->restore_on_down = true;
	strcpy(cfg->tunnel_ifname, DEFAULT_TUNNEL);
	if (!cfg->wpa_pattern) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

static int config_default_tunnel_config(struct wgphys_config *cfg)
{
	if (asprintf(&cfg->tunnel_config, "%s/%s.conf", WIREGUARD_CONF_DIR,
		     cfg->tunnel_ifname) < 0) {
		cfg->tunnel_config = NULL;
		return -ENOMEM;
	}
	return 0;
}

int config_default(struct wgphys_config **out)
{
	struct wgphys_config *cfg;

	cfg = config_new();
	if (!cfg)
		return -ENOMEM;
	if (config_default_tunnel_config(cfg)) {
		config_free(cfg);
		return -ENOMEM;
	}
	*out = cfg;
	return 0;
}

/* ---- [Physical] ------------------------------------------------------- */

static int set_namespace(struct ini *p, void *ctx, char *value)
{
	struct wgphys_config *cfg = ctx;

	if (!netns_valid_name(value))
		return ini_refuse(p, "Namespace '%.*s' is not a valid name (1 to %d characters from A-Z a-z 0-9 _ . -, not starting with '.' or '-')",
				  INI_QUOTE_MAX, value, WGPHYS_NETNS_MAX);
	strcpy(cfg->netns, value);
	return 0;
}

/* One name of the Interfaces list, checked against those before it. */
static int iface_item(struct ini *p, const char *item, char (*list)[IFNAMSIZ], size_t n)
{
	size_t i;

	if (!*item)
		return ini_refuse(p, "Interfaces: empty item in the list");
	if (!val_ifname(item))
		return ini_refuse(p, "Interfaces: '%.*s' is not a valid interface name",
				  INI_QUOTE_MAX, item);
	for (i = 0; i < n; i++)
		if (!strcmp(list[i], item))
			return ini_refuse(p, "Interfaces: '%s' is listed twice", item);
	if (n == IFACES_MAX)
		return ini_refuse(p, "Interfaces: more than %d names", IFACES_MAX);
	return 0;
}

static int set_interfaces(struct ini *p, void *ctx, char *value)
{
	struct wgphys_config *cfg = ctx;
	char (*list)[IFNAMSIZ] = NULL;
	char *cursor = value, *item;
	size_t n = 0, cap = 0;
	bool auto_ifaces = false;
	void *tmp;
	int ret = 0;

	while (!ret && (item = val_next_item(&cursor))) {
		if (val_streq_ci(item, "auto")) {
			if (n || cursor)
				ret = ini_refuse(p, "Interfaces: 'auto' must stand alone");
			auto_ifaces = true;
			break;
		}
		ret = iface_item(p, item, list, n);
		if (ret)
			break;
		tmp = val_grow(list, n, &cap, sizeof(*list), false);
		if (!tmp) {
			ret = ini_nomem(p);
			break;
		}
		list = tmp;
		strcpy(list[n++], item);
	}
	if (!ret) {
		free(cfg->ifaces);
		cfg->ifaces = list;
		cfg->n_ifaces = n;
		cfg->auto_ifaces = auto_ifaces;
		list = NULL;
	}
	free(list);
	return ret;
}

static int set_dhcp(struct ini *p, void *ctx, char *value)
{
	struct wgphys_config *cfg = ctx;

	if (val_streq_ci(value, "dhcpcd"))
		cfg->dhcp = DHCP_DHCPCD;
	else if (val_streq_ci(value, "none"))
		cfg->dhcp = DHCP_NONE;
	else
		return ini_refuse(p, "DHCP must be 'dhcpcd' or 'none', not '%.*s'",
				  INI_QUOTE_MAX, value);
	return 0;
}

/* WPASupplicant: absolute, and '%' only as "%i" (the interface) or "%%". */
static int set_wpa(struct ini *p, void *ctx, char *value)
{
	struct wgphys_config *cfg = ctx;
	const char *s;
	char *copy;

	if (!val_path(value))
		return ini_refuse(p, "WPASupplicant must be an absolute path");
	for (s = value; *s; s++) {
		if (*s != '%')
			continue;
		if (s[1] != 'i' && s[1] != '%')
			return ini_refuse(p, "WPASupplicant: only %%i (the interface) and %%%% may follow '%%'");
		s++;
	}
	copy = strdup(value);
	if (!copy)
		return ini_nomem(p);
	free(cfg->wpa_pattern);
	cfg->wpa_pattern = copy;
	return 0;
}

static int set_restore(struct ini *p, void *ctx, char *value)
{
	struct wgphys_config *cfg = ctx;
	int b = val_bool(value);

	if (b < 0)
		return ini_refuse(p, "RestoreOnDown must be yes or no, not '%.*s'",
				  INI_QUOTE_MAX, value);
	cfg->restore_on_down = b;
	return 0;
}

/* ---- [Tunnel] --------------------------------------------------------- */

static int set_tunnel_ifname(struct ini *p, void *ctx, char *value)
{
	struct wgphys_config *cfg = ctx;

	if (!val_ifname(value))
		return ini_refuse(p, "Interface '%.*s' is not a valid interface name (1 to %d bytes, no '/', ':' or space)",
				  INI_QUOTE_MAX, value, IFNAMSIZ - 1);
	strcpy(cfg->tunnel_ifname, value);
	return 0;
}

static int set_tunnel_config(struct ini *p, void *ctx, char *value)
{
	struct wgphys_config *cfg = ctx;
	char *copy;

	if (!val_path(value))
		return ini_refuse(p, "Config must be an absolute path");
	copy = strdup(value);
	if (!copy)
		return ini_nomem(p);
	free(cfg->tunnel_config);
	cfg->tunnel_config = copy;
	return 0;
}

/* Hooks: what to do with the wg-quick file's PreUp/PostUp/PreDown/PostDown. */
static int set_hooks(struct ini *p, void *ctx, char *value)
{
	struct wgphys_config *cfg = ctx;

	if (val_streq_ci(value, "refuse"))
		cfg->hooks_ignore = false;
	else if (val_streq_ci(value, "ignore"))
		cfg->hooks_ignore = true;
	else
		return ini_refuse(p, "Hooks must be 'refuse' or 'ignore', not '%.*s'",
				  INI_QUOTE_MAX, value);
	return 0;
}

static int set_private_key_file(struct ini *p, void *ctx, char *value)
{
	struct wgphys_config *cfg = ctx;
	char *copy;

	if (!val_path(value))
		return ini_refuse(p, "PrivateKeyFile must be an absolute path");
	copy = strdup(value);
	if (!copy)
		return ini_nomem(p);
	free(cfg->private_key_file);
	cfg->private_key_file = copy;
	return 0;
}

/* ---- the table -------------------------------------------------------- */

enum { CS_PHYSICAL, CS_TUNNEL };

static const struct ini_section sections[] = {
	[CS_PHYSICAL] = { "Physical", false },
	[CS_TUNNEL] = { "Tunnel", false },
};

static const struct ini_key keys[] = {
	{ "Namespace", CS_PHYSICAL, INI_ONCE, set_namespace },
	{ "Interfaces", CS_PHYSICAL, INI_ONCE, set_interfaces },
	{ "DHCP", CS_PHYSICAL, INI_ONCE, set_dhcp },
	{ "WPASupplicant", CS_PHYSICAL, INI_ONCE, set_wpa },
	{ "RestoreOnDown", CS_PHYSICAL, INI_ONCE, set_restore },
	{ "Interface", CS_TUNNEL, INI_ONCE, set_tunnel_ifname },
	{ "Config", CS_TUNNEL, INI_ONCE, set_tunnel_config },
	{ "Hooks", CS_TUNNEL, INI_ONCE, set_hooks },
	{ "PrivateKeyFile", CS_TUNNEL, INI_ONCE, set_private_key_file },
};

/* Only now: "Interface = wg1" alone means /etc/wireguard/wg1.conf. */
static int finish(struct ini *p, void *ctx)
{
	struct wgphys_config *cfg = ctx;

	if (!cfg->tunnel_config && config_default_tunnel_config(cfg))
		return ini_nomem(p);
	return 0;
}

static const struct ini_syntax syntax = {
	.sections = sections,
	.n_sections = sizeof(sections) / sizeof(sections[0]),
	.keys = keys,
	.n_keys = sizeof(keys) / sizeof(keys[0]),
	.expected = "[Physical] or [Tunnel]",
	.finish = finish,
};

int config_parse(const char *name, const char *buf, size_t len,
		 struct wgphys_config **out, struct wgp_err *err)
{
	struct wgphys_config *cfg;
	int ret;

	cfg = config_new();
	if (!cfg)
		return wgp_refuse(err, ENOMEM, name ? name : "(config)", "out of memory");
	ret = ini_parse(name, buf, len, &syntax, cfg, &cfg->notes, &cfg->n_notes, err);
	if (ret) {
		config_free(cfg);
		return ret;
	}
	*out = cfg;
	return 0;
}

int config_load(const char *path, struct wgphys_config **out, struct wgp_err *err)
{
	size_t len, cap;
	char *buf = NULL;
	int ret;

	ret = secfile_read(path, SECFILE_CONFIG, &buf, &len, &cap, err);
	if (ret)
		return ret;
	ret = config_parse(path, buf, len, out, err);
	secfile_release(buf, cap);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for /etc/wgphys.conf and for the unmodified wg-quick file it
 * points at. Parsing only: nothing here resolves a name or talks to the
 * kernel.
 *
 * Both files are "Key = Value" lines grouped under "[Section]" headers, with
 * '#' starting a comment anywhere on a line. The text is copied once into a
 * private NUL-terminated buffer that is cut up in place and wiped before it
 * is freed: the wg-quick file holds a private key, and no copy of it may
 * outlive the parse. For the same reason, no message ever quotes the value
 * of a key line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config.h"
#include "paths.h"

#define CONFIG_MAX_SIZE (1024 * 1024)	/* both files; real ones are < 10 KiB */
#define QUOTE_MAX 64			/* longest user text quoted in a message */
#define IFACES_MAX 256			/* Interfaces = list; checked pairwise */

#define DEFAULT_NETNS "physical"
#define DEFAULT_WPA "/etc/wpa_supplicant/wpa_supplicant-%i.conf"
#define DEFAULT_TUNNEL "wg0"

/* ---- small helpers ---------------------------------------------------- */

/* ASCII only, whatever the locale: these files are not text for humans. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool streq_ci(const char *a, const char *b)
{
	while (*a && to_lower(*a) == to_lower(*b)) {
		a++;
		b++;
	}
	return !*a && !*b;
}

/* Trim in place: returns the first non-space byte, cuts after the last. */
static char *trim(char *s)
{
	char *end;

	while (is_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* Decimal digits only (no sign, no space), value at most max. */
static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!is_digit(*s))
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_hex_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	int d;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (is_digit(*s))
			d = *s - '0';
		else if (to_lower(*s) >= 'a' && to_lower(*s) <= 'f')
			d = to_lower(*s) - 'a' + 10;
		else
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

/* "yes"/"no" and the usual synonyms; 1, 0 or -EINVAL. */
static int parse_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (streq_ci(s, yes[i]))
			return 1;
		if (streq_ci(s, no[i]))
			return 0;
	}
	return -EINVAL;
}

/*
 * Room for one more element of an array that holds n and has room for *cap.
 * Returns the (possibly moved) array, or NULL with arr untouched. wipe: the
 * elements hold key material, so the old block is wiped before it is freed
 * (realloc would leave a copy behind).
 */
static void *grow(void *arr, size_t n, size_t *cap, size_t size, bool wipe)
{
	size_t ncap;
	void *nb;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 4;
	nb = calloc(ncap, size);
	if (!nb)
		return NULL;
	if (n)
		memcpy(nb, arr, n * size);
	if (arr && wipe)
		explicit_bzero(arr, *cap * size);
	free(arr);
	*cap = ncap;
	return nb;
}

/*
 * The next item of a comma-separated list, trimmed and cut in place; "" for
 * an empty item (the caller refuses it), NULL after the last.
 */
static char *next_item(char **cursor)
{
	char *item = *cursor, *comma;

	if (!item)
		return NULL;
	comma = strchr(item, ',');
	if (comma) {
		*comma = '\0';
		*cursor = comma + 1;
	} else {
		*cursor = NULL;
	}
	return trim(item);
}

/* ---- names, addresses, paths ------------------------------------------- */

int config_valid_netns_name(const char *name)
{
	size_t i;

	if (!name || !name[0] || name[0] == '.' || name[0] == '-')
		return -EINVAL;	/* also rules out "." and ".." */
	for (i = 0; name[i]; i++) {
		if (i >= WGPHYS_NETNS_MAX)
			return -EINVAL;
		if (!is_alpha(name[i]) && !is_digit(name[i]) &&
		    name[i] != '_' && name[i] != '.' && name[i] != '-')
			return -EINVAL;
	}
	return 0;
}

/*
 * What the kernel's dev_valid_name() accepts, minus control characters
 * (which would end up in messages and in `ip link` output).
 */
static bool valid_ifname(const char *name)
{
	size_t i;

	if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i >= IFNAMSIZ - 1)
			return false;
		if (c == '/' || c == ':' || c == ' ' || c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

/*
 * A DNS name: dot-separated labels of 1..63 letters, digits, '-' or '_',
 * not starting or ending with '-'; at most 253 bytes plus an optional final
 * dot. The last label may not be all digits: "10.0.0.256" is a mistyped
 * address, not a host name.
 */
static bool valid_dns_name(const char *s)
{
	size_t len = strlen(s), label = 0, i;
	bool numeric = true;

	if (len && s[len - 1] == '.')
		len--;
	if (!len || len > 253)
		return false;
	for (i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (!label || s[i - 1] == '-')
				return false;
			if (i == len && numeric)
				return false;
			label = 0;
			numeric = true;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_')
			return false;
		if (c == '-' && !label)
			return false;
		if (!is_digit(c))
			numeric = false;
		if (++label > 63)
			return false;
	}
	return true;
}

/* An absolute path of printable characters. */
static bool valid_path(const char *s)
{
	size_t i;

	if (s[0] != '/')
		return false;
	for (i = 0; s[i]; i++) {
		if (i >= PATH_MAX - 1)
			return false;
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	}
	return true;
}

/* An IP address without a prefix; family from the presence of ':'. */
static int parse_addr(const char *s, struct cidr *c)
{
	memset(c, 0, sizeof(*c));
	if (strchr(s, ':')) {
		c->family = AF_INET6;
		c->prefixlen = 128;
		return inet_pton(AF_INET6, s, &c->addr.v6) == 1 ? 0 : -EINVAL;
	}
	c->family = AF_INET;
	c->prefixlen = 32;
	return inet_pton(AF_INET, s, &c->addr.v4) == 1 ? 0 : -EINVAL;
}

/*
 * ADDR or ADDR/PREFIX, stored as written (host bits are kept, as wg does).
 * -EINVAL: not an address; -ERANGE: bad prefix length.
 */
static int parse_cidr(const char *s, struct cidr *c)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t plen;

	if (alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (parse_addr(addr, c))
		return -EINVAL;
	if (!slash)
		return 0;
	if (parse_u32(slash + 1, c->prefixlen, &plen))
		return -ERANGE;
	c->prefixlen = (uint8_t)plen;
	return 0;
}

/* ---- base64 keys --------------------------------------------------------- */

/*
 * All ones when lo <= c <= hi, else zero, with no branch on c: for values
 * below 2^31, c - lo and hi - c both keep their top bit clear exactly when c
 * is in range. Key characters go through this so that their values do not
 * steer branches or table lookups.
 */
static uint32_t ct_in_range(uint32_t c, uint32_t lo, uint32_t hi)
{
	return (((c - lo) | (hi - c)) >> 31) - 1;
}

static uint32_t b64_decode_char(uint32_t c, uint32_t *bad)
{
	uint32_t upper = ct_in_range(c, 'A', 'Z');
	uint32_t lower = ct_in_range(c, 'a', 'z');
	uint32_t digit = ct_in_range(c, '0', '9');
	uint32_t plus = ct_in_range(c, '+', '+');
	uint32_t slash = ct_in_range(c, '/', '/');

	*bad |= ~(upper | lower | digit | plus | slash);
	return (upper & (c - 'A')) | (lower & (c - 'a' + 26)) |
	       (digit & (c - '0' + 52)) | (plus & 62) | (slash & 63);
}

/* 0..63 to its character: 'A' + v, shifted at each boundary of the alphabet. */
static char b64_encode_char(uint32_t v)
{
	uint32_t c = 'A' + v;

	c += ct_in_range(v, 26, 63) & 6;	/* 'a'.. */
	c -= ct_in_range(v, 52, 63) & 75;	/* '0'.. */
	c -= ct_in_range(v, 62, 63) & 15;	/* '+' */
	c += ct_in_range(v, 63, 63) & 3;	/* '/' */
	return (char)c;
}

int key_from_base64(uint8_t key[WG_KEY_LEN], const char *b64)
{
	uint32_t bad = 0, acc = 0;
	unsigned int i, j;

	/* Length and padding are public; only the key characters are not. */
	if (!b64 || strlen(b64) != 44 || b64[43] != '=') {
		explicit_bzero(key, WG_KEY_LEN);
		return -EINVAL;
	}
	for (i = 0; i < 10; i++) {
		acc = 0;
		for (j = 0; j < 4; j++)
			acc = acc << 6 | b64_decode_char((unsigned char)b64[i * 4 + j], &bad);
		key[i * 3] = (uint8_t)(acc >> 16);
		key[i * 3 + 1] = (uint8_t)(acc >> 8);
		key[i * 3 + 2] = (uint8_t)acc;
	}
	/* Three characters, 18 bits, for the last two bytes: the low 2 bits
	 * must be zero or the text is not the canonical encoding. */
	acc = 0;
	for (j = 0; j < 3; j++)
		acc = acc << 6 | b64_decode_char((unsigned char)b64[40 + j], &bad);
	bad |= acc & 3;
	key[30] = (uint8_t)(acc >> 10);
	key[31] = (uint8_t)(acc >> 2);
	explicit_bzero(&acc, sizeof(acc));

	if (bad) {
		explicit_bzero(key, WG_KEY_LEN);
		return -EINVAL;
	}
	return 0;
}

void key_to_base64(char b64[45], const uint8_t key[WG_KEY_LEN])
{
	uint32_t acc;
	unsigned int i;

	for (i = 0; i < 10; i++) {
		acc = (uint32_t)key[i * 3] << 16 | (uint32_t)key[i * 3 + 1] << 8 |
		      key[i * 3 + 2];
		b64[i * 4] = b64_encode_char(acc >> 18 & 63);
		b64[i * 4 + 1] = b64_encode_char(acc >> 12 & 63);
		b64[i * 4 + 2] = b64_encode_char(acc >> 6 & 63);
		b64[i * 4 + 3] = b64_encode_char(acc & 63);
	}
	acc = (uint32_t)key[30] << 10 | (uint32_t)key[31] << 2;
	b64[40] = b64_encode_char(acc >> 12 & 63);
	b64[41] = b64_encode_char(acc >> 6 & 63);
	b64[42] = b64_encode_char(acc & 63);
	b64[43] = '=';
	b64[44] = '\0';
	explicit_bzero(&acc, sizeof(acc));
}

/* ---- the line reader shared by both files -------------------------------- */

struct parser {
	const char *name;
	struct wgp_err *err;
	unsigned int line;
	char *text;		/* private copy, wiped on release */
	size_t len;
	char *next;		/* start of the next line, NULL at the end */
};

enum line_kind {
	LINE_SECTION = 1,
	LINE_KEY,
};

__attribute__((format(printf, 3, 0)))
static int vperr_at(struct parser *p, unsigned int line, const char *fmt, va_list ap)
{
	char msg[384];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return wgp_errf(p->err, EINVAL, "%s:%u: %s", p->name, line, msg);
}

__attribute__((format(printf, 3, 4)))
static int perr_at(struct parser *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vperr_at(p, line, fmt, ap);
	va_end(ap);
	return ret;
}

/* An error about the current line: -EINVAL, "NAME:LINE: ...". */
__attribute__((format(printf, 2, 3)))
static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vperr_at(p, p->line, fmt, ap);
	va_end(ap);
	return ret;
}

static int nomem(struct parser *p)
{
	return wgp_errf(p->err, ENOMEM, "%s:%u: out of memory", p->name, p->line);
}

static int parser_init(struct parser *p, const char *name, const char *buf,
		       size_t len, struct wgp_err *err)
{
	const char *nul;
	unsigned int line = 1;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->name = name ? name : "(config)";
	p->err = err;
	if (len > CONFIG_MAX_SIZE)
		return wgp_errf(err, EFBIG, "%s: larger than %d KiB", p->name,
				CONFIG_MAX_SIZE / 1024);
	nul = len ? memchr(buf, '\0', len) : NULL;
	if (nul) {
		for (i = 0; buf + i < nul; i++)
			line += buf[i] == '\n';
		return perr_at(p, line, "contains a NUL byte; not a text file");
	}
	p->text = malloc(len + 1);
	if (!p->text)
		return wgp_errf(err, ENOMEM, "%s: out of memory", p->name);
	if (len)
		memcpy(p->text, buf, len);
	p->text[len] = '\0';
	p->len = len;
	p->next = p->text;
	return 0;
}

static void parser_release(struct parser *p)
{
	if (p->text) {
		explicit_bzero(p->text, p->len + 1);
		free(p->text);
		p->text = NULL;
	}
}

/* The next line with its comment removed, trimmed; NULL at the end. */
static char *next_line(struct parser *p)
{
	char *line = p->next, *end;

	if (!line)
		return NULL;
	end = strchr(line, '\n');
	if (end) {
		*end = '\0';
		p->next = end + 1;
	} else {
		p->next = NULL;
	}
	p->line++;
	end = strchr(line, '#');
	if (end)
		*end = '\0';
	return trim(line);
}

/*
 * A non-empty line: "[Name]" sets *key to Name (trimmed) and returns
 * LINE_SECTION; "Key = Value" splits at the first '=' (base64 ends in '=')
 * and returns LINE_KEY. The value may be empty: the caller names the key
 * in that message.
 */
static int split_line(struct parser *p, char *line, char **key, char **value)
{
	char *end;

	*value = NULL;
	if (line[0] == '[') {
		end = strchr(line, ']');
		if (!end || end[1])
			return perr(p, "malformed section header: expected [Name] alone on the line");
		*end = '\0';
		*key = trim(line + 1);
		if (!**key)
			return perr(p, "empty section header []");
		return LINE_SECTION;
	}
	end = strchr(line, '=');
	if (!end)
		return perr(p, "expected 'Key = Value' or a [Section] header");
	*end = '\0';
	*key = trim(line);
	*value = trim(end + 1);
	if (!**key)
		return perr(p, "'=' with no key before it");
	return LINE_KEY;
}

/*
 * A key we do not know: before any section (section NULL, expected names
 * the choices) or in one. Only a short name is quoted: a line such as
 * "PrivateKey yAnz...=" (its '=' forgotten) splits at the key's own
 * padding, and its "key" is then key material that must not reach a log.
 */
static int unknown_key(struct parser *p, const char *key, const char *section,
		       const char *expected)
{
	bool quote = true;
	size_t i;

	for (i = 0; key[i] && quote; i++)
		quote = i < 24 && (is_alpha(key[i]) || is_digit(key[i]) ||
				   key[i] == '_' || key[i] == '-');
	if (!section && quote)
		return perr(p, "'%s' comes before any section header (%s)", key, expected);
	if (!section)
		return perr(p, "a key comes before any section header (%s)", expected);
	if (quote)
		return perr(p, "unknown key '%s' in [%s]", key, section);
	return perr(p, "malformed key in [%s] (not quoted: it may be key material); expected 'Key = Value'",
		    section);
}

/* ---- /etc/wgphys.conf ----------------------------------------------------- */

enum cfg_section {
	CS_NONE = -1,
	CS_PHYSICAL,
	CS_TUNNEL,
	CS_COUNT,
};

static const char *const cfg_section_names[CS_COUNT] = {
	[CS_PHYSICAL] = "Physical",
	[CS_TUNNEL] = "Tunnel",
};

enum cfg_key {
	CK_NAMESPACE,
	CK_INTERFACES,
	CK_DHCP,
	CK_WPA,
	CK_RESTORE,
	CK_TUNNEL_IFNAME,
	CK_TUNNEL_CONFIG,
	CK_COUNT,
};

static const struct {
	const char *name;
	enum cfg_section section;
} cfg_keys[CK_COUNT] = {
	[CK_NAMESPACE] = { "Namespace", CS_PHYSICAL },
	[CK_INTERFACES] = { "Interfaces", CS_PHYSICAL },
	[CK_DHCP] = { "DHCP", CS_PHYSICAL },
	[CK_WPA] = { "WPASupplicant", CS_PHYSICAL },
	[CK_RESTORE] = { "RestoreOnDown", CS_PHYSICAL },
	[CK_TUNNEL_IFNAME] = { "Interface", CS_TUNNEL },
	[CK_TUNNEL_CONFIG] = { "Config", CS_TUNNEL },
};

struct cfg_state {
	enum cfg_section section;
	unsigned int section_line[CS_COUNT];
	unsigned int seen[CK_COUNT];
};

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

void config_free(struct wgphys_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->ifaces);
	free(cfg->wpa_pattern);
	free(cfg->tunnel_config);
	free(cfg);
}

static int cfg_interfaces(struct parser *p, struct wgphys_config *cfg, char *value)
{
	char (*list)[IFNAMSIZ] = NULL;
	char *cursor = value, *item;
	size_t n = 0, cap = 0, i;
	bool auto_ifaces = false;
	void *tmp;
	int ret;

	while ((item = next_item(&cursor))) {
		if (!*item) {
			ret = perr(p, "Interfaces: empty item in the list");
			goto cleanup;
		}
		if (streq_ci(item, "auto")) {
			if (n || cursor) {
				ret = perr(p, "Interfaces: 'auto' must stand alone");
				goto cleanup;
			}
			auto_ifaces = true;
			break;
		}
		if (!valid_ifname(item)) {
			ret = perr(p, "Interfaces: '%.*s' is not a valid interface name",
				   QUOTE_MAX, item);
			goto cleanup;
		}
		for (i = 0; i < n; i++) {
			if (!strcmp(list[i], item)) {
				ret = perr(p, "Interfaces: '%s' is listed twice", item);
				goto cleanup;
			}
		}
		if (n == IFACES_MAX) {
			ret = perr(p, "Interfaces: more than %d names", IFACES_MAX);
			goto cleanup;
		}
		tmp = grow(list, n, &cap, sizeof(*list), false);
		if (!tmp) {
			ret = nomem(p);
			goto cleanup;
		}
		list = tmp;
		strcpy(list[n++], item);
	}
	free(cfg->ifaces);
	cfg->ifaces = list;
	cfg->n_ifaces = n;
	cfg->auto_ifaces = auto_ifaces;
	list = NULL;
	ret = 0;
cleanup:
	free(list);
	return ret;
}

/* WPASupplicant: absolute, and '%' only as "%i" (the interface) or "%%". */
static int cfg_wpa(struct parser *p, struct wgphys_config *cfg, const char *value)
{
	const char *s;
	char *copy;

	if (!valid_path(value))
		return perr(p, "WPASupplicant must be an absolute path");
	for (s = value; *s; s++) {
		if (*s != '%')
			continue;
		if (s[1] != 'i' && s[1] != '%')
			return perr(p, "WPASupplicant: only %%i (the interface) and %%%% may follow '%%'");
		s++;
	}
	copy = strdup(value);
	if (!copy)
		return nomem(p);
	free(cfg->wpa_pattern);
	cfg->wpa_pattern = copy;
	return 0;
}

static int cfg_section(struct parser *p, struct cfg_state *st, const char *name)
{
	int s;

	for (s = 0; s < CS_COUNT; s++) {
		if (!streq_ci(name, cfg_section_names[s]))
			continue;
		if (st->section_line[s])
			return perr(p, "[%s] appears twice (first at line %u)",
				    cfg_section_names[s], st->section_line[s]);
		st->section_line[s] = p->line;
		st->section = (enum cfg_section)s;
		return 0;
	}
	return perr(p, "unknown section [%.*s] (expected [Physical] or [Tunnel])",
		    QUOTE_MAX, name);
}

static int cfg_keyval(struct parser *p, struct cfg_state *st,
		      struct wgphys_config *cfg, const char *key, char *value)
{
	int k, b;
	char *copy;

	for (k = 0; k < CK_COUNT; k++)
		if (streq_ci(key, cfg_keys[k].name))
			break;
	if (st->section == CS_NONE)
		return unknown_key(p, key, NULL, "[Physical] or [Tunnel]");
	if (k == CK_COUNT)
		return unknown_key(p, key, cfg_section_names[st->section], NULL);
	if (cfg_keys[k].section != st->section)
		return perr(p, "unknown key '%s' in [%s] (it belongs in [%s])",
			    key, cfg_section_names[st->section],
			    cfg_section_names[cfg_keys[k].section]);
	if (st->seen[k])
		return perr(p, "duplicate key %s (first at line %u)",
			    cfg_keys[k].name, st->seen[k]);
	st->seen[k] = p->line;
	if (!*value)
		return perr(p, "%s has no value", cfg_keys[k].name);

	switch ((enum cfg_key)k) {
	case CK_NAMESPACE:
		if (config_valid_netns_name(value))
			return perr(p, "Namespace '%.*s' is not a valid name (1 to %d characters from A-Z a-z 0-9 _ . -, not starting with '.' or '-')",
				    QUOTE_MAX, value, WGPHYS_NETNS_MAX);
		strcpy(cfg->netns, value);
		return 0;
	case CK_INTERFACES:
		return cfg_interfaces(p, cfg, value);
	case CK_DHCP:
		if (streq_ci(value, "dhcpcd"))
			cfg->dhcp = DHCP_DHCPCD;
		else if (streq_ci(value, "none"))
			cfg->dhcp = DHCP_NONE;
		else
			return perr(p, "DHCP must be 'dhcpcd' or 'none', not '%.*s'",
				    QUOTE_MAX, value);
		return 0;
	case CK_WPA:
		return cfg_wpa(p, cfg, value);
	case CK_RESTORE:
		b = parse_bool(value);
		if (b < 0)
			return perr(p, "RestoreOnDown must be yes or no, not '%.*s'",
				    QUOTE_MAX, value);
		cfg->restore_on_down = b;
		return 0;
	case CK_TUNNEL_IFNAME:
		if (!valid_ifname(value))
			return perr(p, "Interface '%.*s' is not a valid interface name (1 to %d bytes, no '/', ':' or space)",
				    QUOTE_MAX, value, IFNAMSIZ - 1);
		strcpy(cfg->tunnel_ifname, value);
		return 0;
	case CK_TUNNEL_CONFIG:
		if (!valid_path(value))
			return perr(p, "Config must be an absolute path");
		copy = strdup(value);
		if (!copy)
			return nomem(p);
		free(cfg->tunnel_config);
		cfg->tunnel_config = copy;
		return 0;
	case CK_COUNT:
		break;
	}
	return perr(p, "internal error");
}

int config_parse(const char *name, const char *buf, size_t len,
		 struct wgphys_config **out, struct wgp_err *err)
{
	struct cfg_state st = { .section = CS_NONE };
	struct wgphys_config *cfg = NULL;
	struct parser p;
	char *line, *key, *value;
	int ret;

	ret = parser_init(&p, name, buf, len, err);
	if (ret)
		goto cleanup;
	cfg = config_new();
	if (!cfg) {
		ret = nomem(&p);
		goto cleanup;
	}
	while ((line = next_line(&p))) {
		if (!*line)
			continue;
		ret = split_line(&p, line, &key, &value);
		if (ret < 0)
			goto cleanup;
		if (ret == LINE_SECTION)
			ret = cfg_section(&p, &st, key);
		else
			ret = cfg_keyval(&p, &st, cfg, key, value);
		if (ret)
			goto cleanup;
	}
	/* Only now: "Interface = wg1" alone means /etc/wireguard/wg1.conf. */
	if (!cfg->tunnel_config && config_default_tunnel_config(cfg)) {
		ret = nomem(&p);
		goto cleanup;
	}
	*out = cfg;
	cfg = NULL;
	ret = 0;
cleanup:
	config_free(cfg);
	parser_release(&p);
	return ret;
}

/* ---- the wg-quick file ---------------------------------------------------- */

enum wg_section {
	WS_NONE,
	WS_INTERFACE,
	WS_PEER,
};

enum wg_key {
	WK_PRIVATE_KEY,
	WK_LISTEN_PORT,
	WK_FWMARK,
	WK_ADDRESS,
	WK_DNS,
	WK_MTU,
	WK_PUBLIC_KEY,
	WK_PRESHARED_KEY,
	WK_ENDPOINT,
	WK_ALLOWED_IPS,
	WK_KEEPALIVE,
	WK_COUNT,
};

static const struct {
	const char *name;
	enum wg_section section;
	bool repeat;		/* lists: the values add up */
} wg_keys[WK_COUNT] = {
	[WK_PRIVATE_KEY] = { "PrivateKey", WS_INTERFACE, false },
	[WK_LISTEN_PORT] = { "ListenPort", WS_INTERFACE, false },
	[WK_FWMARK] = { "FwMark", WS_INTERFACE, false },
	[WK_ADDRESS] = { "Address", WS_INTERFACE, true },
	[WK_DNS] = { "DNS", WS_INTERFACE, true },
	[WK_MTU] = { "MTU", WS_INTERFACE, false },
	[WK_PUBLIC_KEY] = { "PublicKey", WS_PEER, false },
	[WK_PRESHARED_KEY] = { "PresharedKey", WS_PEER, false },
	[WK_ENDPOINT] = { "Endpoint", WS_PEER, false },
	[WK_ALLOWED_IPS] = { "AllowedIPs", WS_PEER, true },
	[WK_KEEPALIVE] = { "PersistentKeepalive", WS_PEER, false },
};

/* wg-quick keys we know and refuse, whatever section they are in. */
static const struct {
	const char *name;
	const char *why;
} wg_refused[] = {
	{ "PreUp", "wgphys runs no commands from a configuration file" },
	{ "PostUp", "wgphys runs no commands from a configuration file" },
	{ "PreDown", "wgphys runs no commands from a configuration file" },
	{ "PostDown", "wgphys runs no commands from a configuration file" },
	{ "Table", "wgphys manages routing itself" },
	{ "SaveConfig", "wgphys never writes to a configuration file" },
};

static const char *const wg_section_names[] = {
	[WS_NONE] = "(none)",
	[WS_INTERFACE] = "Interface",
	[WS_PEER] = "Peer",
};

struct wg_state {
	enum wg_section section;
	unsigned int interface_line;
	unsigned int seen[WK_COUNT];	/* line of each key in this section */
	unsigned int mtu_line;
	unsigned int v6_line;		/* first Address line with an IPv6 */
	size_t cap_addrs, cap_dns, cap_search, cap_peers, cap_aips;
};

static const char key_help[] = "expected 44 characters of base64 for 32 bytes";

static void peer_release(struct wg_peer *peer)
{
	free(peer->endpoint_host);
	free(peer->allowedips);
}

void wgconf_free(struct wg_config *wg)
{
	size_t i;

	if (!wg)
		return;
	for (i = 0; i < wg->n_peers; i++)
		peer_release(&wg->peers[i]);
	if (wg->peers)
		explicit_bzero(wg->peers, wg->n_peers * sizeof(*wg->peers));
	free(wg->peers);
	for (i = 0; i < wg->n_dns_search; i++)
		free(wg->dns_search[i]);
	free(wg->dns_search);
	free(wg->dns);
	free(wg->addrs);
	explicit_bzero(wg, sizeof(*wg));
	free(wg);
}

/* A list of ADDR[/PREFIX]: Address = and AllowedIPs =. */
static int wg_cidr_list(struct parser *p, const char *key, char *value,
			struct cidr **arr, size_t *n, size_t *cap,
			unsigned int *v6_line)
{
	char *cursor = value, *item;
	struct cidr c, *tmp;
	int ret;

	while ((item = next_item(&cursor))) {
		if (!*item)
			return perr(p, "%s: empty item in the list", key);
		ret = parse_cidr(item, &c);
		if (ret == -ERANGE)
			return perr(p, "%s: bad prefix length in '%.*s' (0 to %u)",
				    key, QUOTE_MAX, item,
				    c.family == AF_INET6 ? 128 : 32);
		if (ret)
			return perr(p, "%s: '%.*s' is not an IP address with an optional /prefix",
				    key, QUOTE_MAX, item);
		tmp = grow(*arr, *n, cap, sizeof(**arr), false);
		if (!tmp)
			return nomem(p);
		*arr = tmp;
		(*arr)[(*n)++] = c;
		if (v6_line && c.family == AF_INET6 && !*v6_line)
			*v6_line = p->line;
	}
	return 0;
}

/* DNS =: addresses are servers, anything else a search domain. */
static int wg_dns(struct parser *p, struct wg_state *st, struct wg_config *wg,
		  char *value)
{
	char *cursor = value, *item, *copy;
	struct cidr c;
	void *tmp;

	while ((item = next_item(&cursor))) {
		if (!*item)
			return perr(p, "DNS: empty item in the list");
		if (!parse_addr(item, &c)) {
			tmp = grow(wg->dns, wg->n_dns, &st->cap_dns, sizeof(*wg->dns), false);
			if (!tmp)
				return nomem(p);
			wg->dns = tmp;
			wg->dns[wg->n_dns++] = c;
			continue;
		}
		if (!valid_dns_name(item))
			return perr(p, "DNS: '%.*s' is neither an IP address nor a domain name",
				    QUOTE_MAX, item);
		tmp = grow(wg->dns_search, wg->n_dns_search, &st->cap_search,
			   sizeof(*wg->dns_search), false);
		if (!tmp)
			return nomem(p);
		wg->dns_search = tmp;
		copy = strdup(item);
		if (!copy)
			return nomem(p);
		wg->dns_search[wg->n_dns_search++] = copy;
	}
	return 0;
}

/*
 * Endpoint = HOST:PORT, IPV4:PORT or [IPV6]:PORT (an IPv6 address may carry
 * a %scope). Nothing is resolved here; the host is kept as written, without
 * brackets.
 */
static int wg_endpoint(struct parser *p, struct wg_peer *peer, const char *value)
{
	char host[256], *scope;
	const char *h, *colon;
	size_t hlen;
	uint32_t port;
	struct in6_addr a6;
	struct in_addr a4;

	if (value[0] == '[') {
		h = value + 1;
		colon = strchr(h, ']');
		if (!colon || colon[1] != ':')
			return perr(p, "Endpoint '%.*s': expected [IPv6 address]:port",
				    QUOTE_MAX, value);
		hlen = (size_t)(colon - h);
		colon++;
	} else {
		h = value;
		colon = strrchr(value, ':');
		if (!colon)
			return perr(p, "Endpoint '%.*s' has no port: expected host:port",
				    QUOTE_MAX, value);
		hlen = (size_t)(colon - h);
		if (memchr(h, ':', hlen))
			return perr(p, "Endpoint '%.*s': an IPv6 address goes in brackets, [address]:port",
				    QUOTE_MAX, value);
	}
	if (!hlen || hlen >= sizeof(host))
		return perr(p, "Endpoint '%.*s': bad host", QUOTE_MAX, value);
	memcpy(host, h, hlen);
	host[hlen] = '\0';

	if (value[0] == '[') {
		scope = strchr(host, '%');
		if (scope)
			*scope = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1 ||
		    (scope && !valid_ifname(scope + 1)))
			return perr(p, "Endpoint '%.*s': not an IPv6 address in the brackets",
				    QUOTE_MAX, value);
		if (scope)
			*scope = '%';
	} else if (inet_pton(AF_INET, host, &a4) != 1 && !valid_dns_name(host)) {
		return perr(p, "Endpoint '%.*s': the host is neither an IPv4 address nor a host name",
			    QUOTE_MAX, value);
	}
	if (parse_u32(colon + 1, 65535, &port) || !port)
		return perr(p, "Endpoint '%.*s': the port must be a number from 1 to 65535",
			    QUOTE_MAX, value);
	peer->endpoint_host = strdup(host);
	if (!peer->endpoint_host)
		return nomem(p);
	peer->endpoint_port = (uint16_t)port;
	return 0;
}

/* The [Peer] being closed: it needs a PublicKey. */
static int wg_finish_peer(struct parser *p, struct wg_state *st, struct wg_config *wg)
{
	struct wg_peer *peer;

	if (st->section != WS_PEER)
		return 0;
	peer = &wg->peers[wg->n_peers - 1];
	if (!st->seen[WK_PUBLIC_KEY])
		return perr_at(p, peer->line, "[Peer] has no PublicKey");
	return 0;
}

static int wg_section(struct parser *p, struct wg_state *st, struct wg_config *wg,
		      const char *name)
{
	struct wg_peer *tmp;
	int ret;

	ret = wg_finish_peer(p, st, wg);
	if (ret)
		return ret;
	memset(st->seen, 0, sizeof(st->seen));
	if (streq_ci(name, "Interface")) {
		if (st->interface_line)
			return perr(p, "[Interface] appears twice (first at line %u)",
				    st->interface_line);
		st->interface_line = p->line;
		st->section = WS_INTERFACE;
		return 0;
	}
	if (streq_ci(name, "Peer")) {
		tmp = grow(wg->peers, wg->n_peers, &st->cap_peers, sizeof(*wg->peers), true);
		if (!tmp)
			return nomem(p);
		wg->peers = tmp;
		memset(&wg->peers[wg->n_peers], 0, sizeof(*wg->peers));
		wg->peers[wg->n_peers++].line = p->line;
		st->cap_aips = 0;
		st->section = WS_PEER;
		return 0;
	}
	return perr(p, "unknown section [%.*s] (expected [Interface] or [Peer])",
		    QUOTE_MAX, name);
}

static int wg_keyval(struct parser *p, struct wg_state *st, struct wg_config *wg,
		     const char *key, char *value)
{
	struct wg_peer *peer = NULL;
	uint32_t v;
	size_t i;
	int k;

	for (i = 0; i < sizeof(wg_refused) / sizeof(wg_refused[0]); i++)
		if (streq_ci(key, wg_refused[i].name))
			return perr(p, "%s is not supported: %s", wg_refused[i].name,
				    wg_refused[i].why);
	for (k = 0; k < WK_COUNT; k++)
		if (streq_ci(key, wg_keys[k].name))
			break;
	if (st->section == WS_NONE)
		return unknown_key(p, key, NULL, "[Interface] or [Peer]");
	if (k == WK_COUNT)
		return unknown_key(p, key, wg_section_names[st->section], NULL);
	if (wg_keys[k].section != st->section)
		return perr(p, "unknown key '%s' in [%s] (it belongs in [%s])",
			    key, wg_section_names[st->section],
			    wg_section_names[wg_keys[k].section]);
	if (st->seen[k] && !wg_keys[k].repeat)
		return perr(p, "duplicate key %s (first at line %u)", wg_keys[k].name,
			    st->seen[k]);
	if (!st->seen[k])
		st->seen[k] = p->line;
	if (!*value)
		return perr(p, "%s has no value", wg_keys[k].name);
	if (st->section == WS_PEER)
		peer = &wg->peers[wg->n_peers - 1];

	switch ((enum wg_key)k) {
	case WK_PRIVATE_KEY:
		if (key_from_base64(wg->private_key, value))
			return perr(p, "PrivateKey is not a valid key: %s", key_help);
		wg->has_private_key = true;
		return 0;
	case WK_LISTEN_PORT:
		if (parse_u32(value, 65535, &v))
			return perr(p, "ListenPort must be a number from 0 to 65535, not '%.*s'",
				    QUOTE_MAX, value);
		wg->listen_port = (uint16_t)v;
		wg->has_listen_port = true;
		return 0;
	case WK_FWMARK:
		if (streq_ci(value, "off"))
			v = 0;
		else if ((value[0] == '0' && to_lower(value[1]) == 'x') ?
			 parse_hex_u32(value + 2, &v) : parse_u32(value, UINT32_MAX, &v))
			return perr(p, "FwMark must be a 32-bit number (decimal or 0x hex) or 'off', not '%.*s'",
				    QUOTE_MAX, value);
		wg->fwmark = v;
		wg->has_fwmark = true;
		return 0;
	case WK_ADDRESS:
		return wg_cidr_list(p, "Address", value, &wg->addrs, &wg->n_addrs,
				    &st->cap_addrs, &st->v6_line);
	case WK_DNS:
		return wg_dns(p, st, wg, value);
	case WK_MTU:
		if (parse_u32(value, 9200, &v) || v < 576)
			return perr(p, "MTU must be a number from 576 to 9200, not '%.*s'",
				    QUOTE_MAX, value);
		wg->mtu = v;
		st->mtu_line = p->line;
		return 0;
	case WK_PUBLIC_KEY:
		if (key_from_base64(peer->public_key, value))
			return perr(p, "PublicKey is not a valid key: %s", key_help);
		return 0;
	case WK_PRESHARED_KEY:
		if (key_from_base64(peer->preshared_key, value))
			return perr(p, "PresharedKey is not a valid key: %s", key_help);
		peer->has_preshared_key = true;
		return 0;
	case WK_ENDPOINT:
		return wg_endpoint(p, peer, value);
	case WK_ALLOWED_IPS:
		return wg_cidr_list(p, "AllowedIPs", value, &peer->allowedips,
				    &peer->n_allowedips, &st->cap_aips, NULL);
	case WK_KEEPALIVE:
		if (streq_ci(value, "off"))
			v = 0;
		else if (parse_u32(value, 65535, &v))
			return perr(p, "PersistentKeepalive must be a number from 0 to 65535 or 'off', not '%.*s'",
				    QUOTE_MAX, value);
		peer->keepalive = (uint16_t)v;
		return 0;
	case WK_COUNT:
		break;
	}
	return perr(p, "internal error");
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
static int wg_check_duplicate_peers(struct parser *p, struct wg_config *wg)
{
	const struct wg_peer **sorted, *dup = NULL, *first = NULL;
	size_t i, start = 0;

	if (wg->n_peers < 2)
		return 0;
	sorted = calloc(wg->n_peers, sizeof(*sorted));
	if (!sorted)
		return nomem(p);
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
		return perr_at(p, dup->line, "[Peer] has the same PublicKey as the [Peer] at line %u",
			       first->line);
	return 0;
}

static int wg_finish(struct parser *p, struct wg_state *st, struct wg_config *wg)
{
	int ret;

	ret = wg_finish_peer(p, st, wg);
	if (ret)
		return ret;
	if (!st->interface_line)
		return wgp_errf(p->err, EINVAL, "%s: no [Interface] section", p->name);
	if (!wg->has_private_key)
		return perr_at(p, st->interface_line, "[Interface] has no PrivateKey");
	if (wg->mtu && wg->mtu < 1280 && st->v6_line)
		return perr_at(p, st->mtu_line, "MTU %u is below 1280, the minimum for IPv6 (the Address at line %u is IPv6)",
			       wg->mtu, st->v6_line);
	return wg_check_duplicate_peers(p, wg);
}

int wgconf_parse(const char *name, const char *buf, size_t len,
		 struct wg_config **out, struct wgp_err *err)
{
	struct wg_state st = { .section = WS_NONE };
	struct wg_config *wg = NULL;
	struct parser p;
	char *line, *key, *value;
	int ret;

	ret = parser_init(&p, name, buf, len, err);
	if (ret)
		goto cleanup;
	wg = calloc(1, sizeof(*wg));
	if (!wg) {
		ret = nomem(&p);
		goto cleanup;
	}
	while ((line = next_line(&p))) {
		if (!*line)
			continue;
		ret = split_line(&p, line, &key, &value);
		if (ret < 0)
			goto cleanup;
		if (ret == LINE_SECTION)
			ret = wg_section(&p, &st, wg, key);
		else
			ret = wg_keyval(&p, &st, wg, key, value);
		if (ret)
			goto cleanup;
	}
	ret = wg_finish(&p, &st, wg);
	if (ret)
		goto cleanup;
	*out = wg;
	wg = NULL;
cleanup:
	wgconf_free(wg);
	parser_release(&p);
	return ret;
}

/* ---- loading files ---------------------------------------------------------- */

/* "PATH: No such file or directory": from errno, always negative. */
static int file_errno(const char *path, struct wgp_err *err)
{
	int e = errno > 0 ? errno : EIO;

	return wgp_errf(err, e, "%s: %s", path, strerror(e));
}

static int too_big(const char *path, struct wgp_err *err)
{
	return wgp_errf(err, EFBIG, "%s: larger than %d KiB; not a configuration file",
			path, CONFIG_MAX_SIZE / 1024);
}

/*
 * Read a whole configuration file after checking who may have written it:
 * a regular file (not followed through a symbolic link), owned by root, not
 * writable by group or others; if secret, not readable by others either.
 * The buffer is the caller's, to be wiped and freed with its length + 1.
 */
static int read_config_file(const char *path, bool secret, char **out,
			    size_t *out_len, size_t *out_cap, struct wgp_err *err)
{
	struct stat st;
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd = -1, ret;

	/* O_NONBLOCK: a FIFO in the file's place must not hang us before
	 * fstat() can refuse it; reads of a regular file ignore it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP) {
		ret = wgp_errf(err, ELOOP, "%s: is a symbolic link; name the file itself",
			       path);
		goto cleanup;
	}
	if (fd < 0 || fstat(fd, &st)) {
		ret = file_errno(path, err);
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = wgp_errf(err, S_ISDIR(st.st_mode) ? EISDIR : EINVAL,
			       "%s: not a regular file", path);
		goto cleanup;
	}
	if (st.st_uid != 0) {
		ret = wgp_errf(err, EPERM, "%s: owned by uid %u, not root (chown root %s)",
			       path, (unsigned int)st.st_uid, path);
		goto cleanup;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		ret = wgp_errf(err, EPERM, "%s: writable by group or others (chmod go-w %s)",
			       path, path);
		goto cleanup;
	}
	if (secret && (st.st_mode & S_IROTH)) {
		ret = wgp_errf(err, EPERM, "%s: readable by others; it holds a private key (chmod 600 %s)",
			       path, path);
		goto cleanup;
	}
	if (st.st_size > CONFIG_MAX_SIZE) {
		ret = too_big(path, err);
		goto cleanup;
	}

	/* One byte more than the size, to see the end; grow if it grew. */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		ret = wgp_errf(err, ENOMEM, "%s: out of memory", path);
		goto cleanup;
	}
	for (;;) {
		if (len == cap) {
			if (cap > CONFIG_MAX_SIZE) {
				ret = too_big(path, err);
				goto cleanup;
			}
			nbuf = malloc(cap * 2);
			if (!nbuf) {
				ret = wgp_errf(err, ENOMEM, "%s: out of memory", path);
				goto cleanup;
			}
			memcpy(nbuf, buf, len);
			explicit_bzero(buf, cap);
			free(buf);
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = file_errno(path, err);
			goto cleanup;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	if (len > CONFIG_MAX_SIZE) {
		ret = too_big(path, err);
		goto cleanup;
	}
	*out = buf;
	*out_len = len;
	*out_cap = cap;
	buf = NULL;
	ret = 0;
cleanup:
	if (buf) {
		explicit_bzero(buf, cap);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

int config_load(const char *path, struct wgphys_config **out, struct wgp_err *err)
{
	size_t len, cap;
	char *buf = NULL;
	int ret;

	ret = read_config_file(path, false, &buf, &len, &cap, err);
	if (ret)
		return ret;
	ret = config_parse(path, buf, len, out, err);
	explicit_bzero(buf, cap);
	free(buf);
	return ret;
}

int wgconf_load(const char *path, struct wg_config **out, struct wgp_err *err)
{
	size_t len, cap;
	char *buf = NULL;
	int ret;

	ret = read_config_file(path, true, &buf, &len, &cap, err);
	if (ret)
		return ret;
	ret = wgconf_parse(path, buf, len, out, err);
	explicit_bzero(buf, cap);
	free(buf);
	return ret;
}

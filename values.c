// SPDX-License-Identifier: GPL-2.0
/* The syntax of single values shared by both configuration files (values.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "values.h"

bool val_streq_ci(const char *a, const char *b)
{
	while (*a && ch_lower(*a) == ch_lower(*b)) {
		a++;
		b++;
	}
	return !*a && !*b;
}

char *val_trim(char *s)
{
	char *end;

	while (ch_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && ch_space(end[-1]))
		end--;
	*end = '\0';
	return s;
}

int val_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (!ch_digit(*s))
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

int val_hex_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	int d;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (ch_digit(*s))
			d = *s - '0';
		else if (ch_lower(*s) >= 'a' && ch_lower(*s) <= 'f')
			d = ch_lower(*s) - 'a' + 10;
		else
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

int val_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (val_streq_ci(s, yes[i]))
			return 1;
		if (val_streq_ci(s, no[i]))
			return 0;
	}
	return -EINVAL;
}

char *val_next_item(char **cursor)
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
	return val_trim(item);
}

char *val_next_word(char **cursor)
{
	char *s = *cursor, *end;

	if (!s)
		return NULL;
	while (*s == ',' || ch_space(*s))
		s++;
	if (!*s) {
		*cursor = NULL;
		return NULL;
	}
	for (end = s; *end && *end != ',' && !ch_space(*end); end++)
		;
	*cursor = *end ? end + 1 : NULL;
	*end = '\0';
	return s;
}

/* Control characters would end up in messages and in `ip link` output. */
bool val_ifname(const char *name)
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
 * Dot-separated labels of 1..63 letters, digits, '-' or '_', not starting
 * or ending with '-'; at most 253 bytes plus an optional final dot. The last
 * label may not be all digits: "10.0.0.256" is a mistyped address, not a
 * host name.
 */
bool val_dns_name(const char *s)
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
		if (!ch_alpha(c) && !ch_digit(c) && c != '-' && c != '_')
			return false;
		if (c == '-' && !label)
			return false;
		if (!ch_digit(c))
			numeric = false;
		if (++label > 63)
			return false;
	}
	return true;
}

bool val_path(const char *s)
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

int val_addr(const char *s, struct cidr *c)
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

int val_cidr(const char *s, struct cidr *c)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t plen;

	if (alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (val_addr(addr, c))
		return -EINVAL;
	if (!slash)
		return 0;
	if (val_u32(slash + 1, c->prefixlen, &plen))
		return -ERANGE;
	c->prefixlen = (uint8_t)plen;
	return 0;
}

bool val_cidr_mask(struct cidr *c)
{
	uint8_t *b = c->family == AF_INET6 ? c->addr.v6.s6_addr : (uint8_t *)&c->addr.v4.s_addr;
	unsigned int bits = c->family == AF_INET6 ? 128 : 32, i;
	bool host = false;

	for (i = c->prefixlen; i < bits; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if (b[i / 8] & bit)
			host = true;
		b[i / 8] &= (uint8_t)~bit;
	}
	return host;
}

void *val_grow(void *arr, size_t n, size_t *cap, size_t size, bool wipe)
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

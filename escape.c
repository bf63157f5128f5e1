// SPDX-License-Identifier: GPL-2.0
/*
 * Untrusted bytes as JSON strings and as terminal text (escape.h): one
 * UTF-8 decoder, and two ways of writing what it did not accept.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "escape.h"

/*
 * The length of the valid UTF-8 sequence at p (at most n bytes), 1 to 4,
 * with its code point in *cp; 0 if there is none: a stray continuation
 * byte, a sequence cut short, an overlong form, a surrogate, or a code
 * point beyond U+10FFFF.
 */
static size_t utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		c = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		c = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Appends to out as far as it fits, counting all of it. */
struct sink {
	char *out;
	size_t size, len;
};

static void put(struct sink *k, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, k->len++)
		if (k->len + 1 < k->size)
			k->out[k->len] = s[i];
}

static size_t finish(struct sink *k)
{
	if (k->size)
		k->out[k->len < k->size ? k->len : k->size - 1] = '\0';
	return k->len;
}

size_t json_quote(char *out, size_t size, const void *s, size_t len)
{
	struct sink k = { out, size, 0 };
	const uint8_t *p = s;
	char esc[8];
	size_t i = 0, n;
	uint32_t cp;

	put(&k, "\"", 1);
	while (i < len) {
		n = utf8_seq(p + i, len - i, &cp);
		if (!n) {
			put(&k, "\\ufffd", 6);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			esc[0] = '\\';
			esc[1] = (char)cp;
			put(&k, esc, 2);
		} else if (cp == '\n') {
			put(&k, "\\n", 2);
		} else if (cp == '\t') {
			put(&k, "\\t", 2);
		} else if (cp == '\r') {
			put(&k, "\\r", 2);
		} else if (cp < 0x20 || cp == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned int)cp);
			put(&k, esc, 6);
		} else {
			put(&k, (const char *)p + i, n);
		}
		i += n;
	}
	put(&k, "\"", 1);
	return finish(&k);
}

static size_t text_escape(char *out, size_t size, const void *s, size_t len, bool quotes)
{
	struct sink k = { out, size, 0 };
	const uint8_t *p = s;
	char esc[8];
	size_t i = 0, n, j;
	uint32_t cp;

	while (i < len) {
		n = utf8_seq(p + i, len - i, &cp);
		/* C0 and C1 controls, DEL: what a terminal obeys. */
		if (!n || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			for (j = 0; j < (n ? n : 1); j++) {
				snprintf(esc, sizeof(esc), "\\x%02x", p[i + j]);
				put(&k, esc, 4);
			}
			i += n ? n : 1;
			continue;
		}
		if (quotes && (cp == '"' || cp == '\\'))
			put(&k, "\\", 1);
		put(&k, (const char *)p + i, n);
		i += n;
	}
	return finish(&k);
}

size_t text_quote(char *out, size_t size, const void *s, size_t len)
{
	return text_escape(out, size, s, len, true);
}

size_t text_clean(char *out, size_t size, const void *s, size_t len)
{
	return text_escape(out, size, s, len, false);
}

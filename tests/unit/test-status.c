// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what status output is made of: JSON string escaping and
 * terminal escaping (escape.c) on the bytes an SSID or an interface name
 * may hold, each result checked byte for byte, the JSON ones also parsed
 * back by a small decoder here; and status_gather on this machine (down:
 * no journal under the test build's paths, the main namespace listed).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "status.h"
#include "tap.h"

static bool json_is(const char *in, size_t len, const char *want)
{
	char out[512];
	size_t n = json_quote(out, sizeof(out), in, len);

	if (n != strlen(want) || strcmp(out, want)) {
		diag("json_quote: got %s (%zu), want %s", out, n, want);
		return false;
	}
	return true;
}

static bool text_is(const char *in, size_t len, const char *want)
{
	char out[512];
	size_t n = text_quote(out, sizeof(out), in, len);

	if (n != strlen(want) || strcmp(out, want)) {
		diag("text_quote: got %s (%zu), want %s", out, n, want);
		return false;
	}
	return true;
}

#define S(lit) lit, sizeof(lit) - 1

/*
 * Decodes a JSON string as RFC 8259 reads it (escapes, \u with
 * surrogate pairs) into UTF-8; false if it is not one whole valid string.
 */
static bool put_utf8(char **o, const char *end, uint32_t c)
{
	unsigned char b[4];
	int n;

	if (c < 0x80) { b[0] = (unsigned char)c; n = 1; }
	else if (c < 0x800) { b[0] = 0xc0 | c >> 6; b[1] = 0x80 | (c & 0x3f); n = 2; }
	else if (c < 0x10000) { b[0] = 0xe0 | c >> 12; b[1] = 0x80 | (c >> 6 & 0x3f);
		b[2] = 0x80 | (c & 0x3f); n = 3; }
	else { b[0] = 0xf0 | c >> 18; b[1] = 0x80 | (c >> 12 & 0x3f);
		b[2] = 0x80 | (c >> 6 & 0x3f); b[3] = 0x80 | (c & 0x3f); n = 4; }
	if (*o + n > end)
		return false;
	memcpy(*o, b, (size_t)n);
	*o += n;
	return true;
}

static bool json_decode(const char *s, char *out, size_t size, size_t *len)
{
	char *o = out, *end = out + size;
	unsigned int c;

	if (*s++ != '"')
		return false;
	while (*s && *s != '"') {
		if ((unsigned char)*s < 0x20)
			return false;
		if (*s != '\\') {
			if (o == end)
				return false;
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case '"': case '\\': case '/':
			if (!put_utf8(&o, end, (unsigned char)*s)) return false;
			break;
		case 'n': if (!put_utf8(&o, end, '\n')) return false; break;
		case 't': if (!put_utf8(&o, end, '\t')) return false; break;
		case 'r': if (!put_utf8(&o, end, '\r')) return false; break;
		case 'b': if (!put_utf8(&o, end, '\b')) return false; break;
		case 'f': if (!put_utf8(&o, end, '\f')) return false; break;
		case 'u':
			if (sscanf(s + 1, "%4x", &c) != 1 || (c >= 0xd800 && c <= 0xdfff) ||
			    !put_utf8(&o, end, c))
				return false;
			s += 4;
			break;
		default:
			return false;
		}
		s++;
	}
	if (*s != '"' || s[1])
		return false;
	*len = (size_t)(o - out);
	return true;
}

static void json_escaping(void)
{
	char out[512], dec[512];
	size_t n, dlen;
	bool all = true;

	ok(json_is(S("cafe"), "\"cafe\""), "json: plain ASCII is kept");
	ok(json_is(S(""), "\"\""), "json: the empty string");
	ok(json_is(S("a\"b\\c"), "\"a\\\"b\\\\c\""), "json: a quote and a backslash are escaped");
	ok(json_is(S("a\nb\tc\rd"), "\"a\\nb\\tc\\rd\""), "json: newline, tab, return");
	ok(json_is(S("\x1b[2J\x01\x7f"), "\"\\u001b[2J\\u0001\\u007f\""),
	   "json: ESC, other controls and DEL become \\u00XX");
	ok(json_is(S("a\0b"), "\"a\\u0000b\""), "json: a NUL inside (an SSID may hold one)");
	ok(json_is(S("Caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x98\x80"),
		   "\"Caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x98\x80\""),
	   "json: valid UTF-8 (2, 3 and 4 bytes) is kept as it is");
	ok(json_is(S("caf\xe9"), "\"caf\\ufffd\""), "json: a Latin-1 byte becomes U+FFFD");
	ok(json_is(S("\xc0\xaf"), "\"\\ufffd\\ufffd\""), "json: an overlong '/' is not accepted as one");
	ok(json_is(S("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""), "json: an encoded surrogate is refused");
	ok(json_is(S("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""),
	   "json: beyond U+10FFFF is refused");
	ok(json_is(S("ab\xe2\x98"), "\"ab\\ufffd\\ufffd\""), "json: a sequence cut short at the end");
	ok(json_is(S("\x80x"), "\"\\ufffdx\""), "json: a stray continuation byte");

	/* Cut short: snprintf's contract. */
	n = json_quote(out, 5, "abcdef", 6);
	ok(n == 8 && !strcmp(out, "\"abc"), "json: a small buffer: cut, NUL-terminated, full length told (%zu)", n);

	/* Every byte value, alone and in pairs: always valid JSON that
	 * decodes to the input wherever the input was valid UTF-8. */
	for (int a = 0; a < 256; a++) {
		for (int b = -1; b < 256; b++) {
			char in[2] = { (char)a, (char)b };
			size_t len = b < 0 ? 1 : 2;

			json_quote(out, sizeof(out), in, len);
			if (!json_decode(out, dec, sizeof(dec), &dlen)) {
				diag("not a JSON string: %02x %02x -> %s", a, b, out);
				all = false;
			} else if (!strstr(out, "\\ufffd") && (dlen != len || memcmp(dec, in, len))) {
				diag("does not decode back: %02x %02x -> %s", a, b, out);
				all = false;
			}
		}
	}
	ok(all, "json: all 65,792 one- and two-byte inputs give a valid JSON string that decodes back");
}

static void text_escaping(void)
{
	ok(text_is(S("cafe"), "cafe"), "text: plain ASCII is kept");
	ok(text_is(S("\x1b[2Jgone"), "\\x1b[2Jgone"), "text: an ESC sequence cannot reach the terminal");
	ok(text_is(S("a\nb\0c\x7f"), "a\\x0ab\\x00c\\x7f"), "text: newline, NUL and DEL as \\xNN");
	ok(text_is(S("\"q\"\\"), "\\\"q\\\"\\\\"), "text: quotes and backslashes get a backslash");
	ok(text_is(S("Caf\xc3\xa9 \xe2\x98\x95"), "Caf\xc3\xa9 \xe2\x98\x95"), "text: valid UTF-8 is kept");
	ok(text_is(S("\xc2\x9b" "31m"), "\\xc2\\x9b31m"), "text: a C1 control (CSI, U+009B) is escaped");
	ok(text_is(S("caf\xe9"), "caf\\xe9"), "text: a byte that is not UTF-8 as \\xNN");
	{
		char out[64];

		text_clean(out, sizeof(out), S("say \"hi\" \\ \x1b[0m"));
		ok(!strcmp(out, "say \"hi\" \\ \\x1b[0m"),
		   "text_clean: quotes and backslashes kept, ESC escaped (%s)", out);
	}
}

/* This machine, where nothing is up: down, main listed, lo in it. */
static void gather_here(void)
{
	struct status *st = NULL;
	struct wgp_err err = { 0 };
	bool lo = false;
	int ret;

	ret = status_gather(&st, &err);
	ok(ret == 0 && st, "status_gather works here (ret %d)", ret);
	if (!st)
		return;
	ok(st->state == STATUS_DOWN && !st->recorded && !st->n_daemons && !st->has_guard,
	   "nothing is up: down, no daemons, no guard");
	for (size_t i = 0; st->main.known && i < st->main.n_links; i++)
		if (!strcmp(st->main.links[i].link.name, "lo") && st->main.links[i].role == ROLE_LOOPBACK)
			lo = true;
	ok(st->main.known && lo, "the main namespace is listed, lo as the loopback");
	status_free(st);
}

int main(void)
{
	json_escaping();
	text_escaping();
	gather_here();
	return done_testing();
}

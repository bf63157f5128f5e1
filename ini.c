// SPDX-License-Identifier: GPL-2.0
/*
 * The one reader of both configuration files (ini.h): lines, sections,
 * keys found in the file's table, and messages that name FILE:LINE.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "model.h"
#include "secfile.h"
#include "values.h"

enum line_kind {
	LINE_SECTION = 1,
	LINE_KEY,
};

void ini_where(const struct ini *p, const unsigned int *lines, size_t n,
	       char *buf, size_t len)
{
	size_t off, i;
	char num[16];
	int w;

	w = snprintf(buf, len, "%s", p->name);
	off = w < 0 ? 0 : (size_t)w;
	for (i = 0; i < n && off < len; i++) {
		w = snprintf(num, sizeof(num), "%c%u", i ? ',' : ':', lines[i]);
		if (w < 0)
			break;
		/* Room for this number, ",..." and the NUL. */
		if (off + (size_t)w + 5 > len) {
			if (off + 5 <= len)
				memcpy(buf + off, ",...", 5);
			break;
		}
		memcpy(buf + off, num, (size_t)w + 1);
		off += (size_t)w;
	}
}

__attribute__((format(printf, 4, 0)))
static int vrefuse(struct ini *p, const unsigned int *lines, size_t n,
		   const char *fmt, va_list ap)
{
	char where[192];

	ini_where(p, lines, n, where, sizeof(where));
	return wgp_vrefuse(p->err, EINVAL, where, fmt, ap);
}

int ini_refuse_lines(struct ini *p, const unsigned int *lines, size_t n,
		     const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vrefuse(p, lines, n, fmt, ap);
	va_end(ap);
	return ret;
}

int ini_refuse_at(struct ini *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vrefuse(p, &line, line ? 1 : 0, fmt, ap);
	va_end(ap);
	return ret;
}

int ini_refuse(struct ini *p, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vrefuse(p, &p->line, 1, fmt, ap);
	va_end(ap);
	return ret;
}

int ini_nomem(struct ini *p)
{
	char where[192];

	ini_where(p, &p->line, 1, where, sizeof(where));
	return wgp_refuse(p->err, ENOMEM, where, "out of memory");
}

__attribute__((format(printf, 4, 0)))
static int vnote(struct ini *p, const unsigned int *lines, size_t n,
		 const char *fmt, va_list ap)
{
	char text[512];
	size_t off;

	ini_where(p, lines, n, text, sizeof(text) - 2);
	off = strlen(text);
	memcpy(text + off, ": ", 3);
	vsnprintf(text + off + 2, sizeof(text) - off - 2, fmt, ap);
	if (p->notes && notes_add(p->notes, p->n_notes, text))
		return ini_nomem(p);
	return 0;
}

int ini_note_lines(struct ini *p, const unsigned int *lines, size_t n,
		   const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vnote(p, lines, n, fmt, ap);
	va_end(ap);
	return ret;
}

int ini_note(struct ini *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vnote(p, &line, line ? 1 : 0, fmt, ap);
	va_end(ap);
	return ret;
}

unsigned int ini_seen(const struct ini *p, int k)
{
	return p->seen[k];
}

unsigned int ini_section_line(const struct ini *p, int s)
{
	return p->section_line[s];
}

/* The text, copied; a NUL byte means it is not a text file. */
static int ini_init(struct ini *p, const char *buf, size_t len)
{
	const char *nul;
	unsigned int line = 1;
	size_t i;

	if (len > SECFILE_CONFIG_MAX)
		return wgp_refuse(p->err, EFBIG, p->name, "larger than %d KiB",
				  SECFILE_CONFIG_MAX / 1024);
	nul = len ? memchr(buf, '\0', len) : NULL;
	if (nul) {
		for (i = 0; buf + i < nul; i++)
			line += buf[i] == '\n';
		return ini_refuse_at(p, line, "contains a NUL byte; not a text file");
	}
	p->seen = calloc(p->syn->n_keys, sizeof(*p->seen));
	p->section_line = calloc(p->syn->n_sections, sizeof(*p->section_line));
	p->text = malloc(len + 1);
	if (!p->seen || !p->section_line || !p->text)
		return wgp_refuse(p->err, ENOMEM, p->name, "out of memory");
	if (len)
		memcpy(p->text, buf, len);
	p->text[len] = '\0';
	p->len = len;
	p->next = p->text;
	/* A UTF-8 byte-order mark, as Windows editors write. */
	if (len >= 3 && !memcmp(p->text, "\xef\xbb\xbf", 3))
		p->next += 3;
	return 0;
}

static void ini_release(struct ini *p)
{
	if (p->text) {
		explicit_bzero(p->text, p->len + 1);
		free(p->text);
	}
	free(p->seen);
	free(p->section_line);
}

/* The next line with its comment removed, trimmed; NULL at the end. */
static char *next_line(struct ini *p)
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
	p->comment = end != NULL;
	if (end)
		*end = '\0';
	return val_trim(line);
}

/*
 * A non-empty line: "[Name]" sets *key to Name (trimmed) and returns
 * LINE_SECTION; "Key = Value" splits at the first '=' (base64 ends in '=')
 * and returns LINE_KEY. The value may be empty: the caller names the key
 * in that message.
 */
static int split_line(struct ini *p, char *line, char **key, char **value)
{
	char *end;

	*value = NULL;
	if (line[0] == '[') {
		end = strchr(line, ']');
		if (!end || end[1])
			return ini_refuse(p, "malformed section header: expected [Name] alone on the line");
		*end = '\0';
		*key = val_trim(line + 1);
		if (!**key)
			return ini_refuse(p, "empty section header []");
		return LINE_SECTION;
	}
	end = strchr(line, '=');
	if (!end)
		return ini_refuse(p, "expected 'Key = Value' or a [Section] header");
	*end = '\0';
	*key = val_trim(line);
	*value = val_trim(end + 1);
	if (!**key)
		return ini_refuse(p, "'=' with no key before it");
	return LINE_KEY;
}

/*
 * A key we do not know: before any section, or in one. Only a short name
 * is quoted: a line such as "PrivateKey yAnz...=" (its '=' forgotten)
 * splits at the key's own padding, and its "key" is then key material that
 * must not reach a log.
 */
static int unknown_key(struct ini *p, const char *key)
{
	const char *section = p->section >= 0 ? p->syn->sections[p->section].name : NULL;
	bool quote = true;
	size_t i;

	for (i = 0; key[i] && quote; i++)
		quote = i < 24 && (ch_alpha(key[i]) || ch_digit(key[i]) ||
				   key[i] == '_' || key[i] == '-');
	if (!section && quote)
		return ini_refuse(p, "'%s' comes before any section header (%s)", key,
				  p->syn->expected);
	if (!section)
		return ini_refuse(p, "a key comes before any section header (%s)",
				  p->syn->expected);
	if (quote)
		return ini_refuse(p, "unknown key '%s' in [%s]", key, section);
	return ini_refuse(p, "malformed key in [%s] (not quoted: it may be key material); expected 'Key = Value'",
			  section);
}

static int on_section(struct ini *p, void *ctx, const char *name)
{
	const struct ini_syntax *syn = p->syn;
	size_t s;
	int ret;

	if (syn->leave && p->section >= 0) {
		ret = syn->leave(p, ctx);
		if (ret)
			return ret;
	}
	memset(p->seen, 0, syn->n_keys * sizeof(*p->seen));
	for (s = 0; s < syn->n_sections; s++)
		if (val_streq_ci(name, syn->sections[s].name))
			break;
	if (s == syn->n_sections)
		return ini_refuse(p, "unknown section [%.*s] (expected %s)", INI_QUOTE_MAX,
				  name, syn->expected);
	if (p->section_line[s] && !syn->sections[s].repeat)
		return ini_refuse(p, "[%s] appears twice (first at line %u)",
				  syn->sections[s].name, p->section_line[s]);
	if (!p->section_line[s])
		p->section_line[s] = p->line;
	p->section = (int)s;
	return syn->enter ? syn->enter(p, ctx, (int)s) : 0;
}

static int on_key(struct ini *p, void *ctx, const char *name, char *value)
{
	const struct ini_syntax *syn = p->syn;
	const struct ini_key *key;
	size_t k;
	int ret;

	for (k = 0; k < syn->n_keys; k++)
		if (val_streq_ci(name, syn->keys[k].name))
			break;
	key = k < syn->n_keys ? &syn->keys[k] : NULL;
	p->key = key;
	if (p->section < 0 || !key)
		return unknown_key(p, name);
	if (key->section != p->section)
		return ini_refuse(p, "unknown key '%s' in [%s] (it belongs in [%s])", name,
				  syn->sections[p->section].name,
				  syn->sections[key->section].name);
	if (p->seen[k] && key->repeat == INI_ONCE)
		return ini_refuse(p, "duplicate key %s (first at line %u)", key->name,
				  p->seen[k]);
	if (!*value && key->repeat != INI_LIST)
		return ini_refuse(p, "%s has no value", key->name);
	if (p->seen[k] && key->repeat == INI_LAST) {
		ret = ini_note(p, p->line, "%s repeated (first at line %u): the last one is used",
			       key->name, p->seen[k]);
		if (ret)
			return ret;
	}
	if (!p->seen[k])
		p->seen[k] = p->line;
	return key->set(p, ctx, value);
}

int ini_parse(const char *name, const char *buf, size_t len,
	      const struct ini_syntax *syn, void *ctx, char ***notes,
	      size_t *n_notes, struct wgp_err *err)
{
	struct ini p = {
		.name = name ? name : "(config)", .section = -1, .syn = syn,
		.err = err, .notes = notes, .n_notes = n_notes,
	};
	char *line, *key = NULL, *value = NULL;
	int ret;

	ret = ini_init(&p, buf, len);
	while (!ret && (line = next_line(&p))) {
		if (!*line)
			continue;
		ret = split_line(&p, line, &key, &value);
		if (ret == LINE_SECTION)
			ret = on_section(&p, ctx, key);
		else if (ret == LINE_KEY)
			ret = on_key(&p, ctx, key, value);
	}
	if (!ret && syn->leave && p.section >= 0)
		ret = syn->leave(&p, ctx);
	if (!ret && syn->finish)
		ret = syn->finish(&p, ctx);
	ini_release(&p);
	return ret;
}

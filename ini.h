/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one reader of both configuration files: "Key = Value" lines under
 * "[Section]" headers, '#' starting a comment anywhere on a line, blanks and
 * CRLF line ends ignored, a UTF-8 byte-order mark at the start too. Each
 * file describes its sections and keys in a table (struct ini_syntax); the
 * reader splits the lines, finds each key in the table, enforces where it
 * may stand and whether it may repeat, and calls its handler with the
 * value. Messages name "FILE:LINE".
 *
 * The text is copied once into a private NUL-terminated buffer that is cut
 * up in place and wiped before it is freed: the wg-quick file holds a
 * private key, and no copy of it may outlive the parse. For the same
 * reason, the reader quotes no value, and a handler quotes a value only
 * where it cannot be a key (an address, a port), to name what is wrong.
 */
#ifndef WGPHYS_INI_H
#define WGPHYS_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define INI_QUOTE_MAX 64	/* longest user text a message quotes */

struct ini;

enum ini_repeat {
	INI_ONCE,	/* a second line is refused: "duplicate key" */
	INI_LIST,	/* every line adds to a list; an empty value adds nothing */
	INI_LAST,	/* a later line replaces an earlier one, with a note */
};

struct ini_key {
	const char *name;	/* as documented; matched without case */
	int section;		/* index in the section table */
	enum ini_repeat repeat;
	/* The value, trimmed, not empty (INI_LIST: may be empty); 0 or
	 * -errno (through ini_refuse). */
	int (*set)(struct ini *p, void *ctx, char *value);
};

struct ini_section {
	const char *name;
	bool repeat;		/* may appear more than once ([Peer]) */
};

struct ini_syntax {
	const struct ini_section *sections;
	size_t n_sections;
	const struct ini_key *keys;
	size_t n_keys;
	const char *expected;	/* "[Physical] or [Tunnel]", for messages */
	/*
	 * Each may be NULL; each returns 0 or -errno. leave: the current
	 * section ends (a header or the end of the file follows); enter:
	 * section s begins on p->line; finish: after the last line.
	 */
	int (*leave)(struct ini *p, void *ctx);
	int (*enter)(struct ini *p, void *ctx, int section);
	int (*finish)(struct ini *p, void *ctx);
};

struct ini {
	const char *name;	/* the file, in messages */
	unsigned int line;	/* the current line, from 1 */
	int section;		/* index in the section table; -1 before any */
	const struct ini_key *key;	/* the key whose handler runs */
	bool comment;		/* a '#' comment was cut off this line */
	/* The rest is the reader's own. */
	const struct ini_syntax *syn;
	struct wgp_err *err;
	char ***notes;
	size_t *n_notes;
	unsigned int *seen;	/* per key: its line in the current section */
	unsigned int *section_line;	/* per section: its first header */
	char *text;		/* private copy, wiped on release */
	size_t len;
	char *next;		/* start of the next line, NULL at the end */
};

/*
 * Read buf (len bytes, name in messages) line by line through syn, with
 * ctx handed to every callback. Notes (ini_note) are appended to *notes.
 * 0 or -errno with err set.
 */
int ini_parse(const char *name, const char *buf, size_t len,
	      const struct ini_syntax *syn, void *ctx, char ***notes,
	      size_t *n_notes, struct wgp_err *err);

/*
 * "NAME:L1,L2,...": several lines of the file (at most n, in order), for
 * messages about all of them at once; cut with ",..." when too long.
 */
void ini_where(const struct ini *p, const unsigned int *lines, size_t n,
	       char *buf, size_t len);

/* A refusal of the current line: -EINVAL, "NAME:LINE: why". */
__attribute__((format(printf, 2, 3)))
int ini_refuse(struct ini *p, const char *fmt, ...);
/* The same about another line; line 0: about the whole file, "NAME: why". */
__attribute__((format(printf, 3, 4)))
int ini_refuse_at(struct ini *p, unsigned int line, const char *fmt, ...);
/* The same about several lines: "NAME:L1,L2: why". */
__attribute__((format(printf, 4, 5)))
int ini_refuse_lines(struct ini *p, const unsigned int *lines, size_t n,
		     const char *fmt, ...);
/* -ENOMEM, "NAME:LINE: out of memory". */
int ini_nomem(struct ini *p);

/*
 * A note for the user, appended as the line "NAME:LINE: text" (line 0:
 * "NAME: text"); never quoting key material. 0 or -ENOMEM (err set).
 */
__attribute__((format(printf, 3, 4)))
int ini_note(struct ini *p, unsigned int line, const char *fmt, ...);
/* The same about several lines: "NAME:L1,L2: text". */
__attribute__((format(printf, 4, 5)))
int ini_note_lines(struct ini *p, const unsigned int *lines, size_t n,
		   const char *fmt, ...);

/* Line of key k (its table index) in the current section; 0 if not seen. */
unsigned int ini_seen(const struct ini *p, int k);
/* Line of the first header of section s; 0 if none yet. */
unsigned int ini_section_line(const struct ini *p, int s);

#endif

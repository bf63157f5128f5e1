/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a lower layer says what went wrong without printing it. It returns
 * -errno and, if the caller passed a struct wgp_err, fills it in parts: the
 * action that failed, the object it was done to, the reason in words where
 * errno alone says too little, and the kernel's own words (netlink's
 * extended ack). Only the command layer joins them into a line:
 *
 *     wgphys: up: Cannot move eth0 to "physical": Device or resource busy:
 *         kernel reports: ...
 *
 * The innermost layer knows the object best: once an error is set, later
 * calls keep it (they may only add what is still missing).
 *
 * Everything here is inline, so that static analysers see that a
 * "return wgp_fail(...)" never returns 0.
 */
#ifndef WGPHYS_ERR_H
#define WGPHYS_ERR_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct wgp_err {
	int code;		/* errno, positive; 0: nothing has failed */
	char what[96];		/* "Cannot move"; may be empty */
	char object[192];	/* "eth0 to \"physical\"", "/etc/wgphys.conf:12" */
	char why[320];		/* the reason, where strerror(code) is not it */
	char extack[256];	/* the kernel's words */
	bool changed;		/* something had been changed (and was undone) */
	bool stuck;		/* ...and the undoing did not finish */
};

/* A positive errno from either sign; never 0 (EIO stands in). */
static inline int wgp_errno(int code)
{
	if (code < 0)
		code = -code;
	return code > 0 ? code : EIO;
}

__attribute__((format(printf, 4, 0)))
static inline int wgp_vfail(struct wgp_err *err, int code, const char *what,
			    const char *objfmt, va_list ap)
{
	code = wgp_errno(code);
	if (err && !err->code) {
		err->code = code;
		snprintf(err->what, sizeof(err->what), "%s", what ? what : "");
		if (objfmt)
			vsnprintf(err->object, sizeof(err->object), objfmt, ap);
	}
	return -code;
}

/* "WHAT OBJECT: strerror(code)"; objfmt may be NULL. Returns -code. */
__attribute__((format(printf, 4, 5)))
static inline int wgp_fail(struct wgp_err *err, int code, const char *what,
			   const char *objfmt, ...)
{
	va_list ap;

	va_start(ap, objfmt);
	code = wgp_vfail(err, code, what, objfmt, ap);
	va_end(ap);
	return code;
}

/* The reason in words: "OBJECT: WHY" (bad input, mostly). Returns -code. */
__attribute__((format(printf, 4, 0)))
static inline int wgp_vrefuse(struct wgp_err *err, int code, const char *object,
			      const char *whyfmt, va_list ap)
{
	code = wgp_errno(code);
	if (err && !err->code) {
		err->code = code;
		err->what[0] = '\0';
		snprintf(err->object, sizeof(err->object), "%s", object ? object : "");
		vsnprintf(err->why, sizeof(err->why), whyfmt, ap);
	}
	return -code;
}

__attribute__((format(printf, 4, 5)))
static inline int wgp_refuse(struct wgp_err *err, int code, const char *object,
			     const char *whyfmt, ...)
{
	va_list ap;

	va_start(ap, whyfmt);
	code = wgp_vrefuse(err, code, object, whyfmt, ap);
	va_end(ap);
	return code;
}

/* Add the reason in words to an error already set, if it has none. */
__attribute__((format(printf, 2, 3)))
static inline void wgp_because(struct wgp_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err || !err->code || err->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(err->why, sizeof(err->why), fmt, ap);
	va_end(ap);
}

/* Add the kernel's words to an error already set, if it has none. */
static inline void wgp_extack(struct wgp_err *err, const char *text)
{
	if (err && err->code && !err->extack[0] && text && text[0])
		snprintf(err->extack, sizeof(err->extack), "%s", text);
}

/* Forget an error (a step that may fail without consequence). */
static inline void wgp_clear(struct wgp_err *err)
{
	if (err) {
		bool changed = err->changed, stuck = err->stuck;

		*err = (struct wgp_err){ .changed = changed, .stuck = stuck };
	}
}

/* The one line: "[WHAT ][OBJECT: ]REASON[: kernel reports: TEXT]". */
size_t wgp_format(const struct wgp_err *err, char *buf, size_t len);

#endif

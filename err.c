// SPDX-License-Identifier: GPL-2.0
/* The one way an error becomes a line of text (err.h tells the parts). */
#include <string.h>

#include "err.h"

size_t wgp_format(const struct wgp_err *err, char *buf, size_t len)
{
	const char *why = err->why[0] ? err->why : strerror(wgp_errno(err->code));
	bool named = err->what[0] || err->object[0];
	int n;

	n = snprintf(buf, len, "%s%s%s%s%s%s%s", err->what,
		     err->what[0] && err->object[0] ? " " : "", err->object,
		     named ? ": " : "", why,
		     err->extack[0] ? ": kernel reports: " : "", err->extack);
	return n < 0 ? 0 : (size_t)n;
}

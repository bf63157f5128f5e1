// SPDX-License-Identifier: GPL-2.0
/* Test builds: the step counter behind WGPHYS_FAIL_AT, WGPHYS_CRASH_AT and
 * WGPHYS_PAUSE_AT, and the timestamps behind WGPHYS_TRACE. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"

#ifdef WGPHYS_FAULT_INJECTION
static long count;

static long env_long(const char *name)
{
	const char *s = getenv(name);

	return s ? strtol(s, NULL, 10) : 0;
}

int fault_step(const char *what, struct wgp_err *err)
{
	static long fail_at = -1, crash_at = -1, pause_at = -1;

	if (fail_at < 0) {
		fail_at = env_long("WGPHYS_FAIL_AT");
		crash_at = env_long("WGPHYS_CRASH_AT");
		pause_at = env_long("WGPHYS_PAUSE_AT");
	}
	++count;
	if (crash_at > 0 && count == crash_at)
		_exit(99);
	if (pause_at > 0 && count == pause_at)
		raise(SIGSTOP);	/* until the test's SIGCONT */
	if (fail_at > 0 && count == fail_at)
		return wgp_refuse(err, EIO, what, "injected failure at step %ld", count);
	return 0;
}

long fault_count(void)
{
	return count;
}
#endif

#ifdef WGPHYS_TRACE_MARKS

/* One line per mark, opened and closed each time: a daemon or the guard
 * forked meanwhile holds nothing of it. */
void trace_mark(const char *fmt, ...)
{
	const char *path = secure_getenv("WGPHYS_TRACE");
	char line[256];
	struct timespec ts;
	va_list ap;
	int fd, n;

	if (!path || !*path)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(line, sizeof(line), "%lld.%06ld [%d] ", (long long)ts.tv_sec,
		     ts.tv_nsec / 1000, (int)getpid());
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* a trace is best effort */
	}
	close(fd);
}
#endif

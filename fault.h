/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Failing a step on purpose, in test builds only (WGPHYS_FAULT_INJECTION):
 * every step that changes something (a netlink request, a mount, a file
 * written, a daemon started, a lookup) first calls fault_step(). With
 * WGPHYS_FAIL_AT=N in the environment the Nth such step fails with EIO; with
 * WGPHYS_CRASH_AT=N the process dies there, as kill -9 would leave it; with
 * WGPHYS_PAUSE_AT=N it stops there (SIGSTOP) until it is sent SIGCONT, so
 * that a test can act while it holds what it holds. In a release build
 * fault_step() is nothing.
 *
 * Timing, in test builds and in builds made with -DWGPHYS_TRACE (a release
 * build to time: make CFLAGS="-O2 -DWGPHYS_TRACE"): with WGPHYS_TRACE=FILE
 * in the environment, trace_mark() appends one line "SECONDS.MICROSECONDS
 * [PID] WHAT" to FILE, on the clock tcpdump -tt prints (CLOCK_REALTIME),
 * so that the steps of up and down line up with a capture
 * (bench/trace.sh). The variable is read with secure_getenv. In a release
 * build trace_mark() is nothing.
 */
#ifndef WGPHYS_FAULT_H
#define WGPHYS_FAULT_H

#include "err.h"

#ifdef WGPHYS_FAULT_INJECTION
int fault_step(const char *what, struct wgp_err *err);
/* How many steps this run has counted. */
long fault_count(void);
#else
static inline int fault_step(const char *what, struct wgp_err *err)
{
	(void)what;
	(void)err;
	return 0;
}
#endif

#if defined(WGPHYS_FAULT_INJECTION) || defined(WGPHYS_TRACE)
#define WGPHYS_TRACE_MARKS 1
__attribute__((format(printf, 1, 2)))
void trace_mark(const char *fmt, ...);
#else
__attribute__((format(printf, 1, 2)))
static inline void trace_mark(const char *fmt, ...)
{
	(void)fmt;
}
#endif

#endif

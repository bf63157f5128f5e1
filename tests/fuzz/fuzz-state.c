// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the state journal's parser (state.c): any input
 * given to state_parse() is either refused with an error set, or accepted;
 * what is accepted must survive state_format() + state_parse() to the same
 * text, and its saved rtnetlink messages must be safe to hand to their
 * readers (rtnl_msg_ifindex, rtnl_describe), which ASan watches.
 *
 *   make fuzz                  every harness, FUZZ_SECONDS each (default 60)
 *   build/fuzz/fuzz-state -max_total_time=60 NEW_DIR tests/fuzz/corpus/state
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *format(const struct state *st, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		abort();
	if (state_format(st, f) < 0)
		__builtin_trap();
	fclose(f);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state *st = NULL, *back = NULL;
	struct wgp_err err = { 0 };
	char *text, *text2, line[512];
	size_t len, len2;

	if (state_parse((const char *)data, size, "fuzz", &st, &err) < 0) {
		if (!err.code)
			__builtin_trap();	/* every refusal says why */
		return 0;
	}
	for (size_t i = 0; i < st->n_saved; i++) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)st->saved[i].data;

		if (!state_saved_valid(nlh, st->saved[i].len))
			__builtin_trap();
		(void)rtnl_msg_ifindex(nlh);
		(void)rtnl_describe(nlh, "eth0", line, sizeof(line));
	}
	text = format(st, &len);
	if (state_parse(text, len, "fuzz-again", &back, &err) < 0)
		__builtin_trap();	/* what it wrote, it must read */
	text2 = format(back, &len2);
	if (len != len2 || memcmp(text, text2, len))
		__builtin_trap();
	free(text);
	free(text2);
	state_free(back);
	state_free(st);
	return 0;
}

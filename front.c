// SPDX-License-Identifier: GPL-2.0
/*
 * wgphys, the program users run: it runs exec itself and hands every other
 * command to wgphys-core, the same argv and all. Small on purpose: it is
 * the file that carries file capabilities (scripts/install-caps), and the
 * exec it serves is timed against `ip netns exec` (bench/exec.sh).
 */
#include <string.h>

#include "cli.h"
#include "handoff.h"

int main(int argc, char *argv[])
{
	struct wgp_err err = { 0 };
	const char *config_path = NULL;
	int ret, cmd;

	ret = cli_options(argc, argv, &config_path, &cmd);
	if (ret >= 0)
		return ret;
	if (!strcmp(argv[cmd], "exec"))
		return cmd_exec(argc - cmd, argv + cmd, config_path);
	if (!cli_known(argv[cmd]))
		return fail_input(NULL, "unknown command '%s'. Try '%s --help'.", argv[cmd], prog);
	ret = handoff_core(argv, &err);
	print_err(argv[cmd], &err, ret);
	return 1;
}

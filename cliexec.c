// SPDX-License-Identifier: GPL-2.0
/*
 * The exec command's command layer: its options, its messages and its exit
 * statuses (the command's own, 126/127 when it could not be run). Linked
 * into the front, wgphys, which is what runs it, and into wgphys-core.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>

#include "cli.h"
#include "exec.h"
#include "paths.h"
#include "wgphysconf.h"

int cmd_exec(int argc, char *argv[], const char *config_path)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct exec_request req = { 0 };
	struct exec_target t = { 0 };
	struct wgphys_config *cfg = NULL;
	struct wgp_err err = { 0 };
	bool cmd_failed = false;
	int c, ret;

	optind = 1;
	/* '+': stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			req.user = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return fail_input("exec", "usage: %s exec [-u USER] [--] COMMAND [ARG...]", prog);
		}
	}
	if (optind >= argc)
		return fail_input("exec", "no command given");
	req.argv = argv + optind;
	/* The state names the namespace; the configuration, where the user
	 * may read it, only has to agree. */
	if (config_path) {
		ret = load_config("exec", config_path, &cfg);
		if (ret)
			return ret;
	} else if (config_load(WGPHYS_CONF, &cfg, &err) < 0) {
		cfg = NULL;
		err = (struct wgp_err){ 0 };
	}
	req.netns = cfg ? cfg->netns : NULL;
	ret = exec_resolve_target(&req, &t, &err);
	if (ret < 0) {
		print_err("exec", &err, ret);
		config_free(cfg);
		return EXIT_INPUT;
	}
	ret = exec_run(&req, &t, &cmd_failed, &err);
	exec_target_free(&t);
	config_free(cfg);
	/* Back here with a status if the command ran on a terminal of its
	 * own; otherwise only if it failed. */
	if (ret >= 0)
		return ret;
	print_err("exec", &err, ret);
	if (cmd_failed)
		return ret == -ENOENT ? 127 : 126;
	return ret == -EINVAL || ret == -EPERM ? EXIT_INPUT : 1;
}

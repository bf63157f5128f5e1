/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two command layers share: wgphys (the front, which runs exec
 * itself) and wgphys-core (every other command) print the same help, take
 * the same global options and word their failures the same way. Only the
 * command layer includes this: it prints and chooses exit statuses.
 */
#ifndef WGPHYS_CLI_H
#define WGPHYS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"
#include "wgphysconf.h"

/* Bad input, found before anything was changed. */
#define EXIT_INPUT 2

/* The name every message starts with, whichever program prints it. */
extern const char *const prog;

/* The help: every command, wherever it runs, and the global options. */
void usage(FILE *f);

/* Whether name is one of the commands the help lists. */
bool cli_known(const char *name);

/* "wgphys: CMD: TEXT" on stderr; returns EXIT_INPUT. cmd may be NULL. */
int fail_input(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "wgphys: CMD: <the error's one line>" on stderr. */
void print_err(const char *cmd, const struct wgp_err *err, int ret);

/* A copy of wgphys with file capabilities, run by an ordinary user. */
bool installed_for_exec(void);

/*
 * The global options, -c FILE, -h, -V, up to the command. Returns -1 with
 * *cmd the index of the command in argv, or the exit status to leave with
 * (help and version printed, or bad input reported).
 */
int cli_options(int argc, char *argv[], const char **config_path, int *cmd);

/*
 * The configuration: the named file, or the default one, or (when the
 * default file does not exist) the defaults themselves. 0 or EXIT_INPUT
 * (reported).
 */
int load_config(const char *cmd, const char *path, struct wgphys_config **cfg);

/* `wgphys exec`, the same in both programs (cliexec.c). */
int cmd_exec(int argc, char *argv[], const char *config_path);

#endif

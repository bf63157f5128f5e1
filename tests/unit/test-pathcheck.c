// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of path_check_parents() (pathcheck.c) on a tree made in a
 * temporary directory, with owners and modes set as root can: a path is
 * refused exactly where someone other than root could swap a directory or
 * an entry on the way. Run as root (the tests chown); as another user they
 * are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pathcheck.h"
#include "tap.h"

#define USER 12345	/* an ordinary uid; it needs no passwd entry */
#define GROUP 12345

static char top[64];

static const char *emsg(const struct wgp_err *e)
{
	static char line[1024];

	if (!e->code)
		return "";
	wgp_format(e, line, sizeof(line));
	return line;
}

static const char *at(const char *rel)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", top, rel);
	return buf[i];
}

static void mk(const char *rel, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(at(rel), mode) < 0 || chmod(at(rel), mode) < 0 || chown(at(rel), uid, gid) < 0)
		perror(at(rel));
}

static void file(const char *rel, uid_t uid)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || fchown(fd, uid, 0) < 0)
		perror(at(rel));
	if (fd >= 0)
		close(fd);
}

static void link_to(const char *target, const char *rel, uid_t uid)
{
	if (symlink(target, at(rel)) < 0 || lchown(at(rel), uid, 0) < 0)
		perror(at(rel));
}

static void expect(int want, const char *path, const char *desc, const char *word)
{
	struct wgp_err err = { 0 };
	int ret = path_check_parents(path, &err);

	ok(ret == want && (!word || strstr(emsg(&err), word)), "%s: %s -> %d (%s)", desc, path,
	   ret, emsg(&err));
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		diag("could not remove %s", top);
}

int main(void)
{
	char cwd[256];

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (chown)\n");
		return 0;
	}
	/* /tmp is world-writable and sticky: the tree below must be root's. */
	snprintf(top, sizeof(top), "/tmp/wgphys-pathcheck.XXXXXX");
	if (!mkdtemp(top)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	chmod(top, 0755);

	mk("safe", 0755, 0, 0);
	file("safe/f", 0);
	mk("safe/sub", 0700, 0, 0);
	file("safe/sub/f", 0);
	mk("userdir", 0755, USER, GROUP);
	file("userdir/f", 0);
	mk("worldw", 0777, 0, 0);
	file("worldw/f", 0);
	mk("groupw", 0775, 0, GROUP);
	file("groupw/f", 0);
	mk("rootgroupw", 0775, 0, 0);
	file("rootgroupw/f", 0);
	mk("sticky", 01777, 0, 0);
	file("sticky/rootf", 0);
	file("sticky/userf", USER);
	mk("sticky/rootd", 0755, 0, 0);
	file("sticky/rootd/f", 0);
	mk("sticky/userd", 0755, USER, GROUP);
	file("sticky/userd/f", 0);
	mk("usersticky", 01777, USER, GROUP);
	file("usersticky/f", 0);
	link_to("../worldw/f", "safe/to-worldw", 0);
	link_to("sub/f", "safe/to-sub", 0);
	link_to("/etc", "safe/etc", 0);
	link_to("../safe/f", "sticky/rootlink", 0);
	link_to("../safe/f", "sticky/userlink", USER);
	link_to("loop2", "safe/loop1", 0);
	link_to("loop1", "safe/loop2", 0);

	expect(0, "/etc/passwd", "a system file", NULL);
	expect(0, at("safe/f"), "root's directories, below sticky /tmp", NULL);
	expect(0, at("safe/sub/f"), "two levels", NULL);
	expect(0, at("safe/none"), "an absent last component", NULL);
	expect(0, at("safe/./sub/../f"), "dots on the way", NULL);
	expect(0, at("safe"), "a directory itself", NULL);
	expect(-EPERM, at("userdir/f"), "a directory a user owns", "uid 12345");
	expect(-EPERM, at("worldw/f"), "a world-writable directory", "others");
	expect(-EPERM, at("groupw/f"), "a directory its group may write", "group");
	expect(0, at("rootgroupw/f"), "group-writable, but the group is root's", NULL);
	expect(0, at("sticky/rootf"), "root's file in a sticky directory", NULL);
	expect(-EPERM, at("sticky/userf"), "a user's file in a sticky directory", "uid 12345");
	expect(0, at("sticky/rootd/f"), "root's directory in a sticky directory", NULL);
	expect(-EPERM, at("sticky/userd/f"), "a user's directory in a sticky directory",
	       "uid 12345");
	expect(-EPERM, at("usersticky/f"), "a sticky directory a user owns", "uid 12345");
	expect(-EPERM, at("safe/to-worldw"), "a symlink into a world-writable directory",
	       "others");
	expect(0, at("safe/to-sub"), "a relative symlink within root's tree", NULL);
	expect(0, at("safe/etc/passwd"), "an absolute symlink to /etc on the way", NULL);
	expect(0, at("sticky/rootlink"), "root's symlink in a sticky directory", NULL);
	expect(-EPERM, at("sticky/userlink"), "a user's symlink in a sticky directory",
	       "uid 12345");
	expect(-ELOOP, at("safe/loop1"), "a symlink loop", NULL);
	expect(-ENOTDIR, at("safe/f/x"), "a file used as a directory", NULL);
	expect(-EINVAL, "", "an empty path", NULL);

	/* A relative path: the current directory's ancestors count too. */
	if (getcwd(cwd, sizeof(cwd)) && chdir(at("worldw")) == 0) {
		expect(-EPERM, "f", "relative, from a world-writable directory", "others");
		if (chdir(at("safe")) == 0)
			expect(0, "sub/f", "relative, from root's directory", NULL);
		if (chdir(cwd) < 0)
			diag("cannot go back to %s", cwd);
	} else {
		ok(0, "chdir for the relative cases");
	}
	cleanup();
	return done_testing();
}

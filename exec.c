// SPDX-License-Identifier: GPL-2.0
/*
 * `wgphys exec`: the one door through the kill switch. One command, in the
 * namespace holding the real NICs, as the invoking user, holding nothing.
 * No fork: wgphys becomes the command, so its pid, exit status and signals
 * are the command's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/capability.h>

#include "exec.h"
#include "netns.h"
#include "nsenter.h"
#include "paths.h"
#include "privdrop.h"
#include "pty.h"
#include "state.h"

extern char **environ;

/* The PATH of a command run for another user: root's PATH is not theirs. */
#define SANE_PATH "/usr/local/bin:/usr/bin:/bin"
/* No more supplementary groups than this, whatever NSS claims. */
#define MAX_GROUPS 65536

/* What a graphical program needs to find the user's session: display,
 * sound, session bus, language and terminal. Nothing else crosses from a
 * root environment (LC_* is matched as a prefix). */
static const char *const session_vars[] = {
	"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR",
	"DBUS_SESSION_BUS_ADDRESS", "PULSE_SERVER", "LANG", "LANGUAGE",
	"TERM", NULL,
};

/*
 * What glibc strips for a set-user-id or capability program (its
 * "unsecure" list, plus every LD_* by prefix). glibc has already removed
 * them from our own environment, as we start with AT_SECURE; the command
 * does not, so we strip them again rather than rely on that.
 */
static const char *const unsecure_vars[] = {
	"GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES", "HOSTALIASES",
	"LOCALDOMAIN", "LOCPATH", "MALLOC_ARENA_MAX", "MALLOC_ARENA_TEST",
	"MALLOC_CHECK_", "MALLOC_MMAP_MAX_", "MALLOC_MMAP_THRESHOLD_",
	"MALLOC_PERTURB_", "MALLOC_TCACHE_COUNT", "MALLOC_TCACHE_MAX",
	"MALLOC_TCACHE_UNSORTED_LIMIT", "MALLOC_TOP_PAD_", "MALLOC_TRACE",
	"MALLOC_TRIM_THRESHOLD_", "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF",
	"RES_OPTIONS", "TMPDIR", "TZDIR", NULL,
};

/* A decimal id, nothing around it, and not (uid_t)-1, which setresuid()
 * reads as "leave unchanged". */
static int parse_id(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= (unsigned long)(uid_t)-1)
		return -EINVAL;
	*out = v;
	return 0;
}

static int set_identity(struct exec_target *t, uid_t uid, gid_t gid,
			const struct passwd *pw, struct wgp_err *err)
{
	t->uid = uid;
	t->gid = gid;
	if (pw) {
		t->name = strdup(pw->pw_name);
		t->home = strdup(pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
		t->shell = strdup(pw->pw_shell && *pw->pw_shell ?
				  pw->pw_shell : "/bin/sh");
		if (!t->name)
			return wgp_fail(err, ENOMEM, "Cannot look up", "uid %u", (unsigned int)uid);
	} else {
		t->home = strdup("/");
		t->shell = strdup("/bin/sh");
	}
	if (!t->home || !t->shell)
		return wgp_fail(err, ENOMEM, "Cannot look up", "uid %u", (unsigned int)uid);
	return 0;
}

/* The groups a login of t->name would get (what initgroups() would set).
 * Looked up now, before entering the namespace, whose nsswitch.conf and
 * network may not reach the user database. */
static int login_groups(struct exec_target *t, struct wgp_err *err)
{
	gid_t *g;
	int n = 32, got;

	if (!t->name) {
		t->groups = malloc(sizeof(*t->groups));
		if (!t->groups)
			return wgp_fail(err, ENOMEM, "Cannot look up", "the groups of uid %u",
					(unsigned int)t->uid);
		t->groups[0] = t->gid;
		t->n_groups = 1;
		return 0;
	}
	for (;;) {
		g = realloc(t->groups, n * sizeof(*g));
		if (!g)
			return wgp_fail(err, ENOMEM, "Cannot look up", "the groups of %s", t->name);
		t->groups = g;
		got = n;
		if (getgrouplist(t->name, t->gid, g, &got) >= 0) {
			t->n_groups = got;
			return 0;
		}
		n = got > n ? got : n * 2;
		if (n > MAX_GROUPS)
			return wgp_refuse(err, E2BIG, t->name, "is in too many groups");
	}
}

static int current_groups(struct exec_target *t, struct wgp_err *err)
{
	int n;

	n = getgroups(0, NULL);
	if (n < 0)
		return wgp_fail(err, errno, "Cannot read", "the supplementary groups");
	t->groups = calloc(n + 1, sizeof(*t->groups));
	if (!t->groups)
		return wgp_fail(err, ENOMEM, "Cannot read", "the supplementary groups");
	n = getgroups(n, t->groups);
	if (n < 0)
		return wgp_fail(err, errno, "Cannot read", "the supplementary groups");
	t->n_groups = n;
	return 0;
}

/* getpwuid() that tells "no such user" (NULL, errno 0) from a failure. */
static int lookup_uid(uid_t uid, const struct passwd **pw, struct wgp_err *err)
{
	errno = 0;
	*pw = getpwuid(uid);
	if (!*pw && errno && errno != ENOENT && errno != ESRCH)
		return wgp_fail(err, errno, "Cannot look up", "uid %u", (unsigned int)uid);
	return 0;
}

/* Who a user is as a login makes them: ids, home, shell, all groups. */
static int become_login(struct exec_target *t, uid_t uid, gid_t gid, const struct passwd *pw,
			struct wgp_err *err)
{
	int ret = set_identity(t, uid, gid, pw, err);

	return ret < 0 ? ret : login_groups(t, err);
}

/*
 * Installed with file capabilities and run by a user: the user is the
 * kernel's real uid, full stop. SUDO_UID and PKEXEC_UID are words in an
 * environment that user wrote.
 */
static int target_caps(const struct exec_request *req, struct exec_target *t,
		       struct wgp_err *err)
{
	const struct passwd *pw = NULL;
	int ret;

	if (req->user)
		return wgp_refuse(err, EPERM, NULL, "-u is for root only");
	t->via_caps = true;
	/*
	 * The passwd entry only fills in what the user's environment lacks
	 * (build_env): where it has all four, the lookup (nsswitch.conf,
	 * /etc/passwd, perhaps an NSS module loaded) would be thrown away.
	 * Nothing is protected by it: the environment is the user's own and
	 * goes to the user's own command.
	 */
	if (!getenv("HOME") || !getenv("USER") || !getenv("LOGNAME") || !getenv("SHELL"))
		ret = lookup_uid(getuid(), &pw, err);
	else
		ret = 0;
	if (!ret)
		ret = set_identity(t, getuid(), getgid(), pw, err);
	return ret < 0 ? ret : current_groups(t, err);
}

/*
 * -u is for a root login. Under sudo or pkexec the caller may have been
 * granted only "wgphys exec": naming another user would let them act as
 * anyone (root included). The target there is always the one who ran sudo
 * or pkexec.
 */
static int target_named(const struct exec_request *req, struct exec_target *t,
			struct wgp_err *err)
{
	const struct passwd *pw = NULL;
	unsigned int uid;
	int ret;

	if (getenv("SUDO_UID") || getenv("SUDO_USER") || getenv("PKEXEC_UID"))
		return wgp_refuse(err, EPERM, NULL,
				  "-u is not accepted under sudo or pkexec: the command runs as the user who ran them");
	if (req->user[0] == '#') {
		if (parse_id(req->user + 1, &uid) < 0)
			return wgp_refuse(err, EINVAL, NULL, "invalid user \"%s\"", req->user);
		ret = lookup_uid(uid, &pw, err);
		if (ret < 0)
			return ret;
	} else {
		errno = 0;
		pw = getpwnam(req->user);
	}
	/* Without a passwd entry there is no group to pick safely. */
	if (!pw)
		return wgp_refuse(err, EINVAL, NULL, "no such user \"%s\"", req->user);
	return become_login(t, pw->pw_uid, pw->pw_gid, pw, err);
}

/* Root under sudo: the user in SUDO_UID, SUDO_GID if given. */
static int target_sudo(const char *s, struct exec_target *t, struct wgp_err *err)
{
	const struct passwd *pw = NULL;
	unsigned int uid, gid;
	int ret;

	if (parse_id(s, &uid) < 0)
		return wgp_refuse(err, EINVAL, NULL, "invalid SUDO_UID \"%s\"", s);
	if (uid == 0)
		return wgp_refuse(err, EINVAL, NULL,
				  "sudo was run by root: name the user to run as with -u USER");
	ret = lookup_uid(uid, &pw, err);
	if (ret < 0)
		return ret;
	s = getenv("SUDO_GID");
	if (s) {
		if (parse_id(s, &gid) < 0)
			return wgp_refuse(err, EINVAL, NULL, "invalid SUDO_GID \"%s\"", s);
	} else if (pw) {
		gid = pw->pw_gid;
	} else {
		return wgp_refuse(err, EINVAL, NULL,
				  "SUDO_UID %u has no passwd entry and SUDO_GID is not set", uid);
	}
	t->via_sudo = true;
	return become_login(t, uid, gid, pw, err);
}

/* Root under pkexec: the user in PKEXEC_UID, who must have an entry. */
static int target_pkexec(const char *s, struct exec_target *t, struct wgp_err *err)
{
	const struct passwd *pw = NULL;
	unsigned int uid;
	int ret;

	if (parse_id(s, &uid) < 0)
		return wgp_refuse(err, EINVAL, NULL, "invalid PKEXEC_UID \"%s\"", s);
	if (uid == 0)
		return wgp_refuse(err, EINVAL, NULL,
				  "pkexec was run by root: name the user to run as with -u USER");
	ret = lookup_uid(uid, &pw, err);
	if (ret < 0)
		return ret;
	if (!pw)
		return wgp_refuse(err, EINVAL, NULL, "PKEXEC_UID %u has no passwd entry", uid);
	return become_login(t, uid, pw->pw_gid, pw, err);
}

int exec_resolve_target(const struct exec_request *req, struct exec_target *t,
			struct wgp_err *err)
{
	int ret;

	memset(t, 0, sizeof(*t));
	if (getuid() != 0)
		ret = target_caps(req, t, err);
	else if (req->user)
		ret = target_named(req, t, err);
	else if (getenv("SUDO_UID"))
		ret = target_sudo(getenv("SUDO_UID"), t, err);
	else if (getenv("PKEXEC_UID"))
		ret = target_pkexec(getenv("PKEXEC_UID"), t, err);
	else
		ret = wgp_refuse(err, EINVAL, NULL,
				 "run as root but not through sudo or pkexec: give -u USER");
	/*
	 * The captive-portal door never needs uid 0, and uid 0 owns /etc
	 * even with no capability left: it could append to /etc/sudoers.
	 */
	if (ret == 0 && t->uid == 0)
		ret = wgp_refuse(err, EINVAL, NULL,
				 "refusing to run the command as root: name an ordinary user with -u USER");
	if (ret < 0)
		exec_target_free(t);
	return ret;
}

void exec_target_free(struct exec_target *t)
{
	if (!t)
		return;
	free(t->groups);
	free(t->name);
	free(t->home);
	free(t->shell);
	memset(t, 0, sizeof(*t));
}

static bool is_var(const char *entry, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(entry, name, len) && entry[len] == '=';
}

static bool in_list(const char *entry, const char *const *list)
{
	for (; *list; list++)
		if (is_var(entry, *list))
			return true;
	return false;
}

static bool have_var(char **env, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is_var(env[i], name))
			return true;
	return false;
}

/* A runtime directory is only the target's if the target owns it: a root
 * environment carries root's /run/user/0, which is no use to anyone else. */
static bool runtime_dir_of(const char *dir, uid_t uid)
{
	struct stat sb;

	return dir && *dir == '/' && stat(dir, &sb) == 0 &&
	       S_ISDIR(sb.st_mode) && sb.st_uid == uid;
}

static int add_var(char **env, size_t *n, const char *name, const char *value)
{
	if (asprintf(&env[*n], "%s=%s", name, value) < 0) {
		env[*n] = NULL;
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

static void free_env(char **env)
{
	char **p;

	if (!env)
		return;
	for (p = env; *p; p++)
		free(*p);
	free(env);
}

/*
 * The command's environment. From a root environment (sudo, pkexec, -u):
 * the session variables above and nothing else, plus HOME, USER, LOGNAME,
 * SHELL and PATH for the target. With file capabilities: the user's own
 * environment, which is theirs to set, minus what the loader and libc act
 * on, plus whichever of those five is missing.
 */
static int build_env(const struct exec_target *t, char ***out,
		     struct wgp_err *err)
{
	char **env = NULL, **p, rundir[64];
	const char *xdg = NULL;
	size_t n = 0, cap = 8;
	int ret = 0;

	for (p = environ; *p; p++)
		cap++;
	env = calloc(cap, sizeof(*env));
	if (!env)
		return wgp_fail(err, ENOMEM, "Cannot build", "the environment");

	for (p = environ; *p; p++) {
		if (!strchr(*p, '='))
			continue;
		if (t->via_caps) {
			if (!strncmp(*p, "LD_", 3) || in_list(*p, unsecure_vars))
				continue;
		} else {
			if (strncmp(*p, "LC_", 3) && !in_list(*p, session_vars))
				continue;
			if (is_var(*p, "XDG_RUNTIME_DIR")) {
				xdg = *p + strlen("XDG_RUNTIME_DIR=");
				continue;
			}
		}
		env[n] = strdup(*p);
		if (!env[n]) {
			ret = -ENOMEM;
			goto cleanup;
		}
		n++;
	}

	if (!t->via_caps) {
		if (!runtime_dir_of(xdg, t->uid)) {
			snprintf(rundir, sizeof(rundir), "/run/user/%u",
				 (unsigned int)t->uid);
			xdg = runtime_dir_of(rundir, t->uid) ? rundir : NULL;
		}
		if (xdg && (ret = add_var(env, &n, "XDG_RUNTIME_DIR", xdg)) < 0)
			goto cleanup;
	}
	if (!have_var(env, n, "HOME") &&
	    (ret = add_var(env, &n, "HOME", t->home)) < 0)
		goto cleanup;
	if (t->name && !have_var(env, n, "USER") &&
	    (ret = add_var(env, &n, "USER", t->name)) < 0)
		goto cleanup;
	if (t->name && !have_var(env, n, "LOGNAME") &&
	    (ret = add_var(env, &n, "LOGNAME", t->name)) < 0)
		goto cleanup;
	if (!have_var(env, n, "SHELL") &&
	    (ret = add_var(env, &n, "SHELL", t->shell)) < 0)
		goto cleanup;
	if (!have_var(env, n, "PATH") &&
	    (ret = add_var(env, &n, "PATH", SANE_PATH)) < 0)
		goto cleanup;
	*out = env;
	env = NULL;
cleanup:
	free_env(env);
	if (ret < 0)
		return wgp_fail(err, -ret, "Cannot build", "the environment");
	return 0;
}

/*
 * No descriptor beyond 0, 1 and 2 may reach the command: whatever the
 * caller left open (a root shell's redirections, a leaked socket) would be
 * a privilege of its own. Ours are all O_CLOEXEC already. Marking rather
 * than closing keeps the process whole should the exec fail.
 */
static int close_stray_fds(struct wgp_err *err)
{
	struct dirent *de;
	DIR *d = NULL;
	int dfd, fd, flags, ret = 0;
	char *end;
	long v;

	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return wgp_fail(err, errno, "Cannot close", "inherited descriptors (close_range)");

	/* Before Linux 5.11: every open descriptor is listed here. */
	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return wgp_fail(err, errno, "Cannot list", "/proc/self/fd");
	d = fdopendir(dfd);
	if (!d) {
		ret = wgp_fail(err, errno, "Cannot list", "/proc/self/fd");
		close(dfd);
		goto cleanup;
	}
	while ((de = readdir(d))) {
		v = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || v <= 2 || v == dfd || v > INT_MAX)
			continue;
		fd = v;
		flags = fcntl(fd, F_GETFD);
		if (flags < 0 && errno == EBADF)
			continue;
		if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
			ret = wgp_fail(err, errno, "Cannot mark", "fd %d close-on-exec", fd);
			goto cleanup;
		}
	}
cleanup:
	if (d)
		closedir(d);
	return ret;
}

/*
 * A command run for another user must not share root's terminal session:
 * with TIOCSTI it could type into the root shell that waits for it. setsid()
 * is refused to a process group leader (a shell with job control made us
 * one); then leaving the controlling terminal is enough, as TIOCSTI only
 * works on one's own controlling terminal. A session leader has nobody in
 * its session to type at.
 */
static int leave_session(struct wgp_err *err)
{
	int fd, ret = 0;

	if (setsid() >= 0)
		return 0;
	if (errno != EPERM)
		return wgp_fail(err, errno, "Cannot leave", "the session (setsid)");
	if (getsid(0) == getpid())
		return 0;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		/* ENXIO: no controlling terminal to leave. */
		if (errno == ENXIO || errno == ENOENT)
			return 0;
		return wgp_fail(err, errno, "Cannot open", "/dev/tty");
	}
	if (ioctl(fd, TIOCNOTTY) < 0)
		ret = wgp_fail(err, errno, "Cannot leave", "the controlling terminal");
	close(fd);
	return ret;
}

/*
 * The namespace `up` made, as the state says (the state is authoritative:
 * the configured name, where it could be read, only has to agree), and
 * only once up has finished: a half-made namespace has no kill switch
 * around it yet.
 */
static int open_physical(const struct exec_request *req, int *fd, char *name, size_t len,
			 struct wgp_err *err)
{
	struct state *st = NULL;
	int ret;

	ret = state_read(&st, err);
	if (ret == -ENOENT)
		return wgp_refuse(err, ENOTCONN, NULL, "wgphys is not up");
	if (ret < 0)
		return ret;
	if (!st->netns_ino)
		ret = wgp_refuse(err, ENOTCONN, NULL, "wgphys is not up (no namespace recorded)");
	else if (st->stage != STATE_STAGE_UP)
		ret = wgp_refuse(err, EAGAIN, NULL,
				 "wgphys is coming up; try again (if up failed, run \"wgphys down\")");
	else if (req->netns && strcmp(req->netns, st->netns))
		ret = wgp_refuse(err, ESTALE, NULL,
				 "namespace \"%s\" is configured, but wgphys up set up \"%s\"",
				 req->netns, st->netns);
	/*
	 * The name must still be the namespace `up` made: if anything else
	 * sits there (a symlink to the main namespace, a plain file, another
	 * namespace), refuse. There is no fallback: the main namespace is
	 * the one place this command must never run.
	 */
	if (!ret) {
		*fd = netns_open_as(st->netns, st->netns_dev, st->netns_ino, err);
		if (*fd < 0)
			ret = *fd;
		snprintf(name, len, "%s", st->netns);
	}
	state_free(st);
	return ret;
}

/* What the command needs to be started, where it is started. */
struct launch {
	const struct exec_request *req;
	const struct exec_target *t;
	int netns_fd;
	bool new_session;
	const char *netns;
};

/*
 * Enter the namespace, drop to the target, clean environment and fds,
 * and exec. Only returns on failure (*cmd_failed: the exec itself).
 */
static int launch(void *arg, bool *cmd_failed, struct wgp_err *err)
{
	const struct launch *l = arg;
	const struct exec_target *t = l->t;
	char **envp = NULL, **old_environ = environ;
	int ret;

	ret = nsenter_netns(l->netns_fd, l->netns, err);
	if (!ret)
		ret = privdrop_drop(t->uid, t->gid, t->groups, t->n_groups, err);
	if (!ret)
		ret = build_env(t, &envp, err);
	if (!ret)
		ret = close_stray_fds(err);
	if (!ret && l->new_session)
		ret = leave_session(err);
	if (ret < 0) {
		free_env(envp);
		return ret;
	}
	/* execvp() searches the PATH of environ, not of an envp argument:
	 * install the new environment, and put the old one back on failure. */
	environ = envp;
	execvp(l->req->argv[0], l->req->argv);
	ret = -errno;
	environ = old_environ;
	free_env(envp);
	*cmd_failed = true;
	if (ret == -ENOENT && !strchr(l->req->argv[0], '/'))
		return wgp_refuse(err, ENOENT, l->req->argv[0], "command not found");
	return wgp_fail(err, -ret, NULL, "%s", l->req->argv[0]);
}

int exec_run(const struct exec_request *req, struct exec_target *t,
	     bool *cmd_failed, struct wgp_err *err)
{
	struct launch l = { .req = req, .t = t, .netns_fd = -1 };
	char netns[NETNS_NAME_MAX + 1];
	int ret;

	*cmd_failed = false;
	if (!req->argv || !req->argv[0] || !req->argv[0][0])
		return wgp_refuse(err, EINVAL, NULL, "no command given");
	/* Decided before the drop, while getuid() still says who ran us. */
	l.new_session = getuid() == 0 && t->uid != 0;

	ret = privdrop_raise(err);
	if (ret < 0)
		return ret;
	if (!privdrop_have(CAP_SYS_ADMIN))
		return wgp_refuse(err, EPERM, NULL,
				  "needs root (sudo) or the capability-installed binary");
	ret = open_physical(req, &l.netns_fd, netns, sizeof(netns), err);
	if (ret < 0)
		goto out;
	l.netns = netns;
	/*
	 * Root's terminal is never handed to another user: the command gets
	 * a terminal of its own and we relay (what a user running
	 * `wgphys exec -u alice chromium` from a root shell expects: it runs,
	 * its output shows, ^C stops it). Returns the command's status.
	 */
	if (l.new_session && pty_needed(t->uid))
		ret = pty_run(t->uid, launch, &l, cmd_failed, err);
	else
		ret = launch(&l, cmd_failed, err);
out:
	if (l.netns_fd >= 0)
		close(l.netns_fd);
	return ret;
}

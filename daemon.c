// SPDX-License-Identifier: GPL-2.0
/*
 * The processes wgphys starts: a daemon in the physical namespace, in a
 * private mount namespace and a session of its own, journaled before it
 * runs; a program detached in main for RestoreOnDown; and stopping only
 * what is provably ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "caps.h"
#include "daemon.h"
#include "fault.h"
#include "nsenter.h"
#include "paths.h"

static char *const daemon_env[] = {
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	"LANG=C.UTF-8",
	NULL,
};

unsigned long long proc_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: count from the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p && sscanf(p + 1, "%llu", &start) != 1)
		start = 0;
	return start;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Nothing but 0, 1 and 2 may reach a program we start: whoever ran
 * wgphys may have left descriptors open (`wgphys up 9<file`), and ours
 * are close-on-exec already. Marked rather than closed, so the pipe that
 * reports a failed exec still works until the exec.
 */
static int only_stdio_on_exec(void)
{
	long max;

	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	/* Before Linux 5.11. */
	max = sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF)
			return -errno;
	return 0;
}

static void report_and_exit(int pipe_fd, int code)
{
	ssize_t unused = write(pipe_fd, &code, sizeof(code));

	(void)unused;
	_exit(127);
}

static void child(int netns_fd, const char *netns, const struct daemon_spec *spec, int pipe_fd,
		  int go_fd)
{
	char go;
	char path[PATH_MAX];
	sigset_t none;
	int fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() < 0)
		report_and_exit(pipe_fd, errno);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		report_and_exit(pipe_fd, errno);
	snprintf(path, sizeof(path), "%s/%s.log", WGPHYS_RUN_DIR, spec->name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		report_and_exit(pipe_fd, errno);
	if (nsenter_netns(netns_fd, netns, NULL) < 0)
		report_and_exit(pipe_fd, errno ? errno : EPERM);
	/* A private run directory: otherwise a dhcpcd or wpa_supplicant of
	 * the main namespace answers on the same control socket path, and
	 * ours would hand its work to it, or refuse to start. */
	snprintf(path, sizeof(path), "/run/%s", spec->name);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		report_and_exit(pipe_fd, errno);
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0)
		report_and_exit(pipe_fd, errno);
	if (caps_bound_for_exec(spec->caps) < 0)
		report_and_exit(pipe_fd, EPERM);
	/* Not before the parent has recorded us: a crash of wgphys from here
	 * on leaves a daemon that down knows about. */
	if (read(go_fd, &go, 1) != 1)
		_exit(127);
	if (only_stdio_on_exec() < 0)
		report_and_exit(pipe_fd, errno);
	execve(spec->argv[0], spec->argv, daemon_env);
	report_and_exit(pipe_fd, errno);
}

int daemon_start_begin(int netns_fd, const char *netns, const struct daemon_spec *spec,
		       daemon_journal_fn journal, void *arg, struct daemon_starting *out,
		       struct wgp_err *err)
{
	struct state_daemon d = { 0 };
	int fds[2], go[2], ret;
	pid_t pid;

	*out = (struct daemon_starting){ .pid = -1, .fd = -1, .path = spec->argv[0],
					 .netns = netns };
	if (pipe2(fds, O_CLOEXEC) < 0)
		return wgp_fail(err, errno, "Cannot start", "%s", spec->name);
	if (pipe2(go, O_CLOEXEC) < 0) {
		ret = wgp_fail(err, errno, "Cannot start", "%s", spec->name);
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	pid = fork();
	if (pid < 0) {
		ret = wgp_fail(err, errno, "Cannot start", "%s", spec->name);
		close(fds[0]);
		close(fds[1]);
		close(go[0]);
		close(go[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		close(go[1]);
		child(netns_fd, netns, spec, fds[1], go[0]);
	}
	close(fds[1]);
	close(go[0]);
	d.pid = pid;
	d.starttime = proc_starttime(pid);
	snprintf(d.name, sizeof(d.name), "%s", spec->name);
	snprintf(d.ifname, sizeof(d.ifname), "%s", spec->ifname);
	ret = journal(arg, &d, err);
	if (ret < 0 || write(go[1], "g", 1) != 1) {
		close(go[1]);
		close(fds[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return ret < 0 ? ret : wgp_fail(err, EIO, "Cannot start", "%s", spec->name);
	}
	close(go[1]);
	out->pid = pid;
	out->fd = fds[0];
	return 0;
}

int daemon_start_end(struct daemon_starting *s, struct wgp_err *err)
{
	int code = 0;
	ssize_t n;

	if (s->pid < 0)
		return 0;
	/* End of file: the exec closed the pipe; a number: it failed. */
	do
		n = read(s->fd, &code, sizeof(code));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		code = errno;
	close(s->fd);
	s->fd = -1;
	if (n < 0 || n == sizeof(code)) {
		waitpid(s->pid, NULL, 0);
		s->pid = -1;
		return wgp_fail(err, code, "Cannot start", "%s in namespace \"%s\"", s->path,
				s->netns);
	}
	s->pid = -1;
	return 0;
}

int daemon_spawn_main_begin(char *const *argv, struct daemon_spawn *sp, struct wgp_err *err)
{
	int fds[2];
	pid_t pid;

	*sp = (struct daemon_spawn){ .pid = -1, .fd = -1, .name = argv[0] };
	/* What keeps a program from running is mostly found here: the exec
	 * itself is not waited for (see end). */
	if (access(argv[0], X_OK) < 0)
		return wgp_fail(err, errno, "Cannot start", "%s", argv[0]);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return wgp_fail(err, errno, "Cannot start", "%s", argv[0]);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return wgp_fail(err, errno, "Cannot start", "%s", argv[0]);
	}
	if (pid == 0) {
		char path[PATH_MAX];
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC), log;

		close(fds[0]);
		snprintf(path, sizeof(path), "%s/restore.log", WGPHYS_RUN_DIR);
		log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 || dup2(fd, 0) < 0 || dup2(log >= 0 ? log : fd, 1) < 0 ||
		    dup2(log >= 0 ? log : fd, 2) < 0)
			report_and_exit(fds[1], errno);
		/* Orphaned at once, so that nothing waits for the program to
		 * finish starting: it is not ours. */
		setsid();
		pid = fork();
		if (pid < 0)
			report_and_exit(fds[1], errno);
		if (pid > 0)
			_exit(0);
		if (only_stdio_on_exec() < 0)
			report_and_exit(fds[1], errno);
		execve(argv[0], argv, daemon_env);
		report_and_exit(fds[1], errno);
	}
	close(fds[1]);
	sp->pid = pid;
	sp->fd = fds[0];
	return 0;
}

int daemon_spawn_main_end(struct daemon_spawn *sp, struct wgp_err *err)
{
	int code = 0;
	ssize_t n;

	if (sp->pid < 0)
		return 0;
	/* The first child only forks and exits. */
	waitpid(sp->pid, NULL, 0);
	/* A number: the program could not be run. End of file (exec'd:
	 * close-on-exec) or nothing yet: no waiting for the exec of a program
	 * that is not ours, on a slow machine as long as the rest of down. */
	if (fcntl(sp->fd, F_SETFL, O_NONBLOCK) < 0)
		n = -1;
	else
		do
			n = read(sp->fd, &code, sizeof(code));
		while (n < 0 && errno == EINTR);
	close(sp->fd);
	sp->pid = sp->fd = -1;
	if (n == sizeof(code))
		return wgp_fail(err, code, "Cannot start", "%s", sp->name);
	return 0;
}

bool daemon_alive(const struct state_daemon *d)
{
	char st;

	if (d->pid <= 0 || proc_starttime(d->pid) != d->starttime)
		return false;
	st = proc_state(d->pid);
	return st && st != 'Z' && st != 'X';
}

/* A process to stop, held by a pidfd so that its pid cannot be someone
 * else's by the time it is signalled. */
struct target {
	int pidfd;
	pid_t pid;
	pid_t sid;		/* the session of the daemon it belongs to */
	int sig;		/* that daemon's first signal */
	bool leader;
};

struct daemon_stopping {
	struct target *v;
	size_t n, cap;
	struct timespec t0;	/* when they were signalled */
	pid_t first;		/* the daemon signalled alone first; 0: none */
	struct state_daemon *d;	/* what was asked for, for the last look */
	int *sigs;
	size_t nd;
	dev_t dev;
	ino_t ino;
};

/* What /proc/PID/stat says of a live process (fields 4, 6 and 22). */
struct proc_ids {
	pid_t ppid, sid;
	unsigned long long start;
};

/* false if the process is gone or a zombie. */
static bool proc_ids(pid_t pid, struct proc_ids *ids)
{
	char path[64], buf[1024], *p, state;
	int fd, ppid, sid;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d %*d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
			 "%*d %*d %*d %*d %*d %*d %llu", &state, &ppid, &sid, &ids->start) != 4)
		return false;
	ids->ppid = ppid;
	ids->sid = sid;
	return state != 'Z' && state != 'X';
}

/* Whether pid lives in the namespace of that identity (ino 0: unknown). */
static bool proc_in_netns(pid_t pid, dev_t dev, ino_t ino)
{
	char path[64];
	struct stat sb;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return ino && stat(path, &sb) == 0 && sb.st_dev == dev && sb.st_ino == ino;
}

/* A process as one pass over /proc saw it. */
struct seen {
	pid_t pid;
	struct proc_ids ids;
};

/* Every live process, in one pass over /proc (which lists them by pid,
 * ascending); NULL if that cannot be read. */
static struct seen *snapshot(size_t *n)
{
	struct seen *v = NULL, *w;
	struct dirent *de;
	size_t cap = 0;
	DIR *dir;

	*n = 0;
	dir = opendir("/proc");
	if (!dir)
		return NULL;
	while ((de = readdir(dir))) {
		char *end;
		pid_t pid = (pid_t)strtol(de->d_name, &end, 10);
		struct proc_ids ids;

		if (*end || pid <= 0 || !proc_ids(pid, &ids))
			continue;
		if (*n == cap) {
			w = realloc(v, (cap * 2 + 64) * sizeof(*v));
			if (!w)
				break;
			v = w;
			cap = cap * 2 + 64;
		}
		v[(*n)++] = (struct seen){ .pid = pid, .ids = ids };
	}
	closedir(dir);
	return v;
}

static int seen_cmp(const void *key, const void *elem)
{
	pid_t pid = *(const pid_t *)key, other = ((const struct seen *)elem)->pid;

	return (pid > other) - (pid < other);
}

/* Whether p descends from anc, going up its parents as the pass saw them. */
static bool descends(const struct seen *v, size_t n, const struct seen *p, pid_t anc)
{
	for (int depth = 0; p && depth < 64; depth++) {
		if (p->ids.ppid == anc)
			return true;
		if (p->ids.ppid <= 1)
			return false;
		p = bsearch(&p->ids.ppid, v, n, sizeof(*v), seen_cmp);
	}
	return false;
}

enum tie { TIE_NONE, TIE_LEADER, TIE_SESSION, TIE_DESCENDANT };

/*
 * Whether p is provably d's, and how: d itself (its pid and start time);
 * a process of d's session that lives in our namespace (dhcpcd's
 * helpers); or, with desc, a process of our namespace that descends from
 * d, alive (the guard, a subreaper, adopts what a daemon that died left:
 * its helpers, which may not heed SIGTERM, and theirs).
 */
static enum tie tie(const struct seen *v, size_t nv, const struct seen *p,
		    const struct state_daemon *d, bool d_alive, bool desc, dev_t dev, ino_t ino)
{
	if (d->pid <= 0)
		return TIE_NONE;
	if (desc)
		return d_alive && p->ids.start >= d->starttime && descends(v, nv, p, d->pid) &&
		       proc_in_netns(p->pid, dev, ino) ? TIE_DESCENDANT : TIE_NONE;
	if (p->pid == d->pid)
		return p->ids.start == d->starttime ? TIE_LEADER : TIE_NONE;
	if (p->ids.sid == d->pid && p->ids.start >= d->starttime &&
	    proc_in_netns(p->pid, dev, ino))
		return TIE_SESSION;
	return TIE_NONE;
}

struct asked {
	const struct state_daemon *d;
	const int *sigs;
	const bool *alive;
	size_t n;
	dev_t dev;
	ino_t ino;
};

/* The one of the daemons p is tied to, as itself or its session before as
 * a descendant; its index, or -1. */
static ssize_t owner(const struct asked *a, const struct seen *v, size_t nv,
		     const struct seen *p, enum tie *how)
{
	for (int desc = 0; desc < 2; desc++)
		for (size_t i = 0; i < a->n; i++) {
			*how = tie(v, nv, p, &a->d[i], a->alive[i], desc, a->dev, a->ino);
			if (*how != TIE_NONE)
				return (ssize_t)i;
		}
	return -1;
}

/*
 * Take p on the list, d's (owner) as how says. The pidfd is opened first
 * and then the start time read again: it is the process the pass saw, and
 * its pid cannot change hands while the pidfd is held.
 */
static void consider(struct daemon_stopping *s, const struct seen *p,
		     const struct state_daemon *d, int sig, enum tie how)
{
	struct proc_ids now;
	struct target *t;
	int fd;

	fd = (int)pidfd_open(p->pid, 0);
	if (fd < 0)
		return;
	if (!proc_ids(p->pid, &now) || now.start != p->ids.start)
		goto drop;
	if (s->n == s->cap) {
		t = realloc(s->v, (s->cap * 2 + 8) * sizeof(*t));
		if (!t)
			goto drop;
		s->v = t;
		s->cap = s->cap * 2 + 8;
	}
	/* An adopted orphan goes at once: nothing of it would stop it. */
	s->v[s->n++] = (struct target){ .pidfd = fd, .pid = p->pid, .sid = d->pid,
					.sig = how == TIE_DESCENDANT ? SIGKILL : sig,
					.leader = how == TIE_LEADER };
	return;
drop:
	close(fd);
}

/* One pass over /proc for the daemons, their sessions and descendants. */
static void gather(struct daemon_stopping *s, const struct state_daemon *d, const int *sigs,
		   size_t n, dev_t dev, ino_t ino)
{
	bool *alive = calloc(n + 1, sizeof(*alive));
	struct asked a = { d, sigs, alive, n, dev, ino };
	struct seen *v = NULL;
	size_t nv = 0;
	enum tie how;
	ssize_t i;

	if (!alive)
		return;
	for (size_t k = 0; k < n; k++)
		alive[k] = d[k].pid > 0 && proc_starttime(d[k].pid) == d[k].starttime;
	v = snapshot(&nv);
	for (size_t k = 0; k < nv; k++)
		if ((i = owner(&a, v, nv, &v[k], &how)) >= 0)
			consider(s, &v[k], &d[i], sigs[i], how);
	free(v);
	free(alive);
}

static int elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Forget target i: it exited. */
static void forget(struct daemon_stopping *s, size_t i)
{
	waitpid(s->v[i].pid, NULL, WNOHANG);	/* ours if a rollback */
	close(s->v[i].pidfd);
	s->v[i] = s->v[--s->n];
}

/* Wait, at most ms, for the targets of session sid (0: all) to exit;
 * forget those that did. */
static void wait_exits(struct daemon_stopping *s, pid_t sid, int ms)
{
	struct pollfd *p = calloc(s->n + 1, sizeof(*p));
	struct timespec t0;
	size_t i, k;
	int left = ms;

	if (!p)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		for (i = k = 0; i < s->n; i++)
			if (!sid || s->v[i].sid == sid)
				p[k++] = (struct pollfd){ .fd = s->v[i].pidfd, .events = POLLIN };
		if (!k || left <= 0)
			break;
		if (poll(p, k, left) < 0 && errno != EINTR)
			break;
		for (i = 0; i < k; i++) {
			if (!p[i].revents)
				continue;
			for (size_t j = 0; j < s->n; j++)
				if (s->v[j].pidfd == p[i].fd) {
					forget(s, j);
					break;
				}
		}
		left = ms - elapsed_ms(&t0);
	}
	free(p);
}

/* SIGKILL whatever is left of session sid (0: all). */
static void kill_rest(struct daemon_stopping *s, pid_t sid)
{
	for (size_t i = 0; i < s->n; i++)
		if (!sid || s->v[i].sid == sid)
			pidfd_send_signal(s->v[i].pidfd, SIGKILL, NULL, 0);
}

static bool has_leader(const struct daemon_stopping *s, pid_t sid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].leader && s->v[i].sid == sid)
			return true;
	return false;
}

/*
 * Send each target of daemon sid (-1: of every daemon not signalled yet)
 * its first signal. A daemon whose first signal is SIGTERM is asked
 * alone: it takes its helpers down in order (helpers whose daemon is gone
 * are asked themselves). SIGKILL goes to every process of its session at
 * once: nothing of it is left to run.
 */
static void signal_group(struct daemon_stopping *s, pid_t sid)
{
	for (size_t i = 0; i < s->n; i++) {
		struct target *t = &s->v[i];

		if (sid < 0 ? t->sid == s->first : t->sid != sid)
			continue;
		if (t->leader || t->sig == SIGKILL || !has_leader(s, t->sid))
			pidfd_send_signal(t->pidfd, t->sig, NULL, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
}

int daemon_stop_begin(const struct state_daemon *d, const int *sigs, size_t n,
		      dev_t netns_dev, ino_t netns_ino, const struct state_daemon *first,
		      struct daemon_stopping **out)
{
	struct daemon_stopping *s = calloc(1, sizeof(*s));

	*out = s;
	if (!s)
		return -ENOMEM;
	s->d = calloc(n + 1, sizeof(*s->d));
	s->sigs = calloc(n + 1, sizeof(*s->sigs));
	if (!s->d || !s->sigs) {
		free(s->d);
		free(s->sigs);
		free(s);
		*out = NULL;
		return -ENOMEM;
	}
	memcpy(s->d, d, n * sizeof(*d));
	memcpy(s->sigs, sigs, n * sizeof(*sigs));
	s->nd = n;
	s->dev = netns_dev;
	s->ino = netns_ino;
	gather(s, d, sigs, n, netns_dev, netns_ino);
	trace_mark("stop: %zu processes of %zu daemons", s->n, n);
	s->first = first ? first->pid : 0;
	signal_group(s, s->first ? s->first : -1);
	return 0;
}

int daemon_stop_await(struct daemon_stopping *s, const struct state_daemon *d, int ms,
		      struct wgp_err *err)
{
	int ret = 0;

	if (!s)
		return 0;
	wait_exits(s, d->pid, ms);
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].sid != d->pid)
			continue;
		kill_rest(s, d->pid);
		wait_exits(s, d->pid, DAEMON_KILL_WAIT_MS);
		break;
	}
	for (size_t i = 0; !ret && i < s->n; i++)
		if (s->v[i].sid == d->pid)
			ret = wgp_fail(err, EBUSY, "Cannot stop", "%s (pid %d)", d->name,
				       (int)s->v[i].pid);
	if (d->pid == s->first)
		signal_group(s, -1);	/* the others' turn */
	return ret;
}

int daemon_stop_end(struct daemon_stopping *s, int ms, struct wgp_err *err)
{
	int ret = 0;

	if (!s)
		return 0;
	wait_exits(s, 0, ms - elapsed_ms(&s->t0));
	trace_mark("stop: %zu left after %d ms", s->n, elapsed_ms(&s->t0));
	if (s->n) {
		kill_rest(s, 0);
		wait_exits(s, 0, DAEMON_KILL_WAIT_MS);
	}
	/*
	 * A last look: what a daemon forked between the gathering and its
	 * signal (dhcpcd starts helpers and hook scripts at any time) is of
	 * its session and was not on the list; with the daemon killed it
	 * would stay. The daemons are gone now, so only their sessions tie.
	 */
	gather(s, s->d, s->sigs, s->nd, s->dev, s->ino);
	if (s->n) {
		trace_mark("stop: %zu more of their sessions", s->n);
		kill_rest(s, 0);
		wait_exits(s, 0, DAEMON_KILL_WAIT_MS);
	}
	if (s->n)
		ret = wgp_fail(err, EBUSY, "Cannot stop", "pid %d", (int)s->v[0].pid);
	for (size_t i = 0; i < s->n; i++)
		close(s->v[i].pidfd);
	free(s->v);
	free(s->d);
	free(s->sigs);
	free(s);
	return ret;
}

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

int daemon_start(int netns_fd, const char *netns, const struct daemon_spec *spec,
		 daemon_journal_fn journal, void *arg, struct wgp_err *err)
{
	struct state_daemon d = { 0 };
	int fds[2], go[2], code = 0, ret;
	ssize_t n;
	pid_t pid;

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
	/* End of file: the exec closed the pipe; a number: it failed. */
	do
		n = read(fds[0], &code, sizeof(code));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n < 0 || n == sizeof(code)) {
		waitpid(pid, NULL, 0);
		if (n < 0)
			code = errno;
		return wgp_fail(err, code, "Cannot start", "%s in namespace \"%s\"",
				spec->argv[0], netns);
	}
	return 0;
}

int daemon_spawn_main(char *const *argv, struct wgp_err *err)
{
	int fds[2], code = 0;
	ssize_t n;
	pid_t pid;

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
	waitpid(pid, NULL, 0);
	/* End of file: exec'd (close-on-exec); a number: it could not be. */
	do
		n = read(fds[0], &code, sizeof(code));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n == sizeof(code))
		return wgp_fail(err, code, "Cannot start", "%s", argv[0]);
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
	bool leader;
};

struct stopping {
	struct target *v;
	size_t n, cap;
};

/* Session id and start time from /proc/PID/stat (fields 6 and 22). */
static bool proc_session(pid_t pid, pid_t *sid, unsigned long long *start)
{
	char path[64], buf[1024], *p, state;
	int fd, s;
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
	if (!p || sscanf(p + 1, " %c %*d %*d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
			 "%*d %*d %*d %*d %*d %*d %llu", &state, &s, start) != 3)
		return false;
	*sid = s;
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

/*
 * Take pid on the list if it is provably one of ours: the daemon itself
 * (its pid and start time), or a process of the daemon's session that
 * lives in our namespace (dhcpcd's helpers). The pidfd is opened first and
 * the proof made after: the pid cannot change hands while the pidfd is
 * held and the process is alive.
 */
static void consider(struct stopping *s, pid_t pid, const struct state_daemon *d,
		     dev_t dev, ino_t ino)
{
	unsigned long long start = 0;
	struct target *v;
	pid_t sid = 0;
	bool leader;
	int fd;

	fd = (int)pidfd_open(pid, 0);
	if (fd < 0)
		return;
	leader = pid == d->pid;
	if (!proc_session(pid, &sid, &start) ||
	    (leader ? start != d->starttime :
	     sid != d->pid || start < d->starttime || !proc_in_netns(pid, dev, ino)))
		goto drop;
	if (s->n == s->cap) {
		v = realloc(s->v, (s->cap * 2 + 8) * sizeof(*v));
		if (!v)
			goto drop;
		s->v = v;
		s->cap = s->cap * 2 + 8;
	}
	s->v[s->n++] = (struct target){ .pidfd = fd, .pid = pid, .leader = leader };
	return;
drop:
	close(fd);
}

/* One pass over /proc for the daemons and their sessions. */
static void gather(struct stopping *s, const struct state_daemon *d, size_t n,
		   dev_t dev, ino_t ino)
{
	struct dirent *de;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		unsigned long long start;
		pid_t pid, sid;
		char *end;

		pid = (pid_t)strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || !proc_session(pid, &sid, &start))
			continue;
		for (size_t i = 0; i < n; i++)
			if (d[i].pid > 0 && (pid == d[i].pid || sid == d[i].pid))
				consider(s, pid, &d[i], dev, ino);
	}
	closedir(dir);
}

/* Wait, at most ms, for every target to exit; forget those that did. */
static void wait_exits(struct stopping *s, int ms)
{
	struct pollfd *p = calloc(s->n + 1, sizeof(*p));
	struct timespec t0, t;
	size_t i, j;
	int left = ms;

	if (!p)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (s->n && left > 0) {
		for (i = 0; i < s->n; i++)
			p[i] = (struct pollfd){ .fd = s->v[i].pidfd, .events = POLLIN };
		if (poll(p, s->n, left) < 0 && errno != EINTR)
			break;
		for (i = j = 0; i < s->n; i++) {
			if (p[i].revents) {
				waitpid(s->v[i].pid, NULL, WNOHANG);	/* ours if a rollback */
				close(s->v[i].pidfd);
			} else {
				s->v[j++] = s->v[i];
			}
		}
		s->n = j;
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
	}
	free(p);
}

static void signal_all(struct stopping *s, int sig, bool leaders_only)
{
	for (size_t i = 0; i < s->n; i++)
		if (!leaders_only || s->v[i].leader)
			pidfd_send_signal(s->v[i].pidfd, sig, NULL, 0);
}

int daemon_stop_all(const struct state_daemon *d, size_t n, dev_t netns_dev,
		    ino_t netns_ino, struct wgp_err *err)
{
	struct stopping s = { 0 };
	bool leaders = false;
	int ret = 0;

	gather(&s, d, n, netns_dev, netns_ino);
	for (size_t i = 0; i < s.n; i++)
		leaders |= s.v[i].leader;
	/* The daemons first, so they take their helpers down in order; all
	 * at once, and one wait for all of them. */
	signal_all(&s, SIGTERM, leaders);
	wait_exits(&s, 3000);
	signal_all(&s, SIGKILL, false);
	wait_exits(&s, 2000);
	if (s.n)
		ret = wgp_fail(err, EBUSY, "Cannot stop", "%s (pid %d)", d[0].name,
			       (int)s.v[0].pid);
	for (size_t i = 0; i < s.n; i++)
		close(s.v[i].pidfd);
	free(s.v);
	return ret;
}

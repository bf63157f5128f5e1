// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

static void report_and_exit(int pipe_fd, int code)
{
	ssize_t unused = write(pipe_fd, &code, sizeof(code));

	(void)unused;
	_exit(127);
}

static void child(int netns_fd, const char *netns, const struct daemon_spec *spec, int pipe_fd)
{
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
	execve(spec->argv[0], spec->argv, daemon_env);
	report_and_exit(pipe_fd, errno);
}

int daemon_start(int netns_fd, const char *netns, const struct daemon_spec *spec,
		 struct state_daemon *out, struct wgp_err *err)
{
	int fds[2], code = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return wgp_errf(err, errno, "Cannot start %s: %m", spec->name);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return wgp_errf(err, errno, "Cannot start %s: %m", spec->name);
	}
	if (pid == 0) {
		close(fds[0]);
		child(netns_fd, netns, spec, fds[1]);
	}
	close(fds[1]);
	/* End of file: the exec closed the pipe; a number: it failed. */
	do
		n = read(fds[0], &code, sizeof(code));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n == sizeof(code)) {
		waitpid(pid, NULL, 0);
		return wgp_errf(err, code, "Cannot start %s in namespace \"%s\": %s",
				spec->argv[0], netns, strerror(code));
	}
	out->pid = pid;
	out->starttime = proc_starttime(pid);
	snprintf(out->name, sizeof(out->name), "%s", spec->name);
	return 0;
}

int daemon_spawn_main(char *const *argv, struct wgp_err *err)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return wgp_errf(err, errno, "Cannot start %s: %m", argv[0]);
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		setsid();
		execve(argv[0], argv, daemon_env);
		_exit(127);
	}
	/* Both programs are asked to go to the background themselves. */
	if (waitpid(pid, &status, 0) < 0)
		return wgp_errf(err, errno, "Cannot start %s: %m", argv[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return wgp_errf(err, EIO, "%s failed to start", argv[0]);
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

static void reap(pid_t pid)
{
	/* Ours if wgphys started it in this very run (a rollback). */
	waitpid(pid, NULL, WNOHANG);
}

static bool wait_gone(const struct state_daemon *d, int ms)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };

	for (; ms > 0; ms -= 20) {
		reap(d->pid);
		if (!daemon_alive(d))
			return true;
		nanosleep(&tick, NULL);
	}
	reap(d->pid);
	return !daemon_alive(d);
}

int daemon_stop(const struct state_daemon *d, struct wgp_err *err)
{
	if (!daemon_alive(d))
		return 0;
	if (kill(d->pid, SIGTERM) < 0 && errno != ESRCH)
		return wgp_errf(err, errno, "Cannot stop %s (pid %d): %m", d->name, (int)d->pid);
	if (wait_gone(d, 5000))
		return 0;
	if (kill(d->pid, SIGKILL) < 0 && errno != ESRCH)
		return wgp_errf(err, errno, "Cannot stop %s (pid %d): %m", d->name, (int)d->pid);
	if (wait_gone(d, 2000))
		return 0;
	return wgp_errf(err, EBUSY, "%s (pid %d) does not exit", d->name, (int)d->pid);
}

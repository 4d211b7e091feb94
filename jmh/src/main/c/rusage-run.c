/*
 * rusage-run: runs one program (a JVM under test) and prints what the operating system accounted
 * to it, so that the start-up benchmark measures that JVM and not the harness that starts it.
 *
 *   rusage-run LOG PROG [ARG...]
 *
 * PROG is looked up on the PATH if it has no slash. The child's stdout and stderr are appended to
 * LOG, its stdin is /dev/null. The parent forks, execs PROG, waits for it with wait4() and prints
 * one line on its own stdout:
 *
 *   R <exit status> <wall ns> <user us> <system us> <max rss kB>
 *
 * exit status is 128 + N if the child died of signal N, 127 if PROG could not be executed. wall is
 * CLOCK_MONOTONIC from just before fork() to just after wait4() returns. user, system and max rss
 * are wait4()'s struct rusage: the child's own, plus those of every descendant it waited for (for a
 * JVM: the processes it started and reaped), and ru_maxrss is the largest peak resident set among
 * them (the JVM's, in practice). The runner's own exit status is 0 if it could run and wait for
 * PROG, 1 otherwise, whatever PROG's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t micros(struct timeval tv) {
    return (int64_t) tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: rusage-run LOG PROG [ARG...]\n");
        return 1;
    }
    /* Opened before the fork, close-on-exec: only the dup2()ed copies reach PROG. */
    int log = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) {
        fprintf(stderr, "rusage-run: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) {
        fprintf(stderr, "rusage-run: /dev/null: %s\n", strerror(errno));
        return 1;
    }
    fflush(NULL);  /* nothing buffered may be written twice by the child */
    int64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "rusage-run: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        /* The child: only raw system calls until execv, then 127 like a shell. */
        if (dup2(devnull, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0) {
            _exit(127);
        }
        execvp(argv[2], argv + 2);  /* PROG may be a name on the PATH */
        _exit(127);
    }
    close(log);
    close(devnull);
    int status;
    struct rusage ru;
    pid_t got;
    do {
        got = wait4(pid, &status, 0, &ru);
    } while (got < 0 && errno == EINTR);
    int64_t t1 = now_ns();
    if (got < 0) {
        fprintf(stderr, "rusage-run: wait4: %s\n", strerror(errno));
        return 1;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
    printf("R %d %lld %lld %lld %ld\n", code, (long long) (t1 - t0), (long long) micros(ru.ru_utime),
           (long long) micros(ru.ru_stime), ru.ru_maxrss);
    return fflush(stdout) == 0 ? 0 : 1;
}

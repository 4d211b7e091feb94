/*
 * cref: the C reference of the pidfd4j benchmarks, i.e. the physical limit of this machine.
 *
 * It does the same jobs as the JMH benchmarks with the least possible work per job:
 * clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD) with exit signal 0 (as the pidfd provider does), the
 * child dup2s its three pipe ends onto 0..2, closes every other descriptor (close_range) and
 * execs; the parent closes the child's ends, polls the pidfd and reaps with waitid(P_PIDFD).
 * It does not reset signal dispositions, search PATH or check anything: a JVM cannot do less.
 *
 * Output: one line per measurement, parsed by io.github.pidfd4j.bench.CReference.
 *   S <ns>                    one sample (a latency)
 *   I <ops/s>                 one iteration of a throughput run
 *   F <n> <threads> <rss_kb>  footprint with n live children
 *
 * Modes:
 *   cref spawn PROG WARMUP_MS MEASURE_MS [TOUCH_MB]   spawn + wait, one thread
 *   cref throughput PROG THREADS WARMUP_MS ITER_MS ITERS
 *   cref exit PAUSE_PROG WARMUP_MS MEASURE_MS         SIGKILL -> pidfd readable -> reaped
 *   cref nonchild PAUSE_PROG WARMUP_MS MEASURE_MS     same for a process that is not our child
 *   cref nonchild-server PAUSE_PROG                   for each byte on stdin, start a sleeper that
 *                                                     is not the reader's child and print its pid
 *   cref footprint PAUSE_PROG N1,N2,...               threads and RSS with N live children
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define STACK_SIZE (64 * 1024)

extern char **environ;

static void die(const char *what) {
    fprintf(stderr, "cref: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- spawning ---------------------------------------------------------------------------- */

struct child {
    const char *prog;
    int fds[3];   /* what becomes 0..2 in the child */
};

static int child_main(void *p) {
    struct child *c = p;
    for (int i = 0; i < 3; i++)
        if (c->fds[i] >= 0 && dup2(c->fds[i], i) < 0)
            _exit(126);
    syscall(SYS_close_range, 3, ~0U, 0);
    char *argv[] = {(char *) c->prog, NULL};
    execve(c->prog, argv, environ);
    _exit(127);
}

static __thread char *stack;  /* one child stack per spawning thread, reused */

struct spawned {
    pid_t pid;
    int pidfd;
    int parent[3];  /* our ends of the pipes, or -1 */
};

/* pipes: 1 to give the child three pipes like ProcessBuilder's default, 0 to give it devnull. */
static void spawn(const char *prog, int pipes, int devnull, struct spawned *s) {
    struct child c = {.prog = prog, .fds = {devnull, devnull, devnull}};
    int in[2], out[2], err[2];
    s->parent[0] = s->parent[1] = s->parent[2] = -1;
    if (pipes) {
        if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
            die("pipe2");
        c.fds[0] = in[0];
        c.fds[1] = out[1];
        c.fds[2] = err[1];
    }
    if (stack == NULL && (stack = malloc(STACK_SIZE)) == NULL)
        die("malloc");
    int pidfd = -1;
    /* exit signal 0: no SIGCHLD, exactly like the pidfd provider */
    pid_t pid = clone(child_main, stack + STACK_SIZE, CLONE_VM | CLONE_VFORK | CLONE_PIDFD, &c, &pidfd);
    if (pid < 0)
        die("clone");
    if (pipes) {
        close(in[0]);
        close(out[1]);
        close(err[1]);
        s->parent[0] = in[1];
        s->parent[1] = out[0];
        s->parent[2] = err[0];
    }
    s->pid = pid;
    s->pidfd = pidfd;
}

static void wait_exit(struct spawned *s) {
    struct pollfd p = {.fd = s->pidfd, .events = POLLIN};
    while (poll(&p, 1, -1) < 0)
        if (errno != EINTR)
            die("poll");
    siginfo_t si;
    while (waitid((idtype_t) P_PIDFD, (id_t) s->pidfd, &si, WEXITED | __WALL) != 0)
        if (errno != EINTR)
            die("waitid");
    close(s->pidfd);
    for (int i = 0; i < 3; i++)
        if (s->parent[i] >= 0)
            close(s->parent[i]);
}

/* ---- samples ------------------------------------------------------------------------------ */

static int64_t *samples;
static size_t nsamples, capsamples;

static void record(int64_t ns) {
    if (nsamples == capsamples) {
        capsamples = capsamples ? capsamples * 2 : 4096;
        if ((samples = realloc(samples, capsamples * sizeof *samples)) == NULL)
            die("realloc");
    }
    samples[nsamples++] = ns;
}

static void print_samples(void) {
    for (size_t i = 0; i < nsamples; i++)
        printf("S %lld\n", (long long) samples[i]);
}

/* Runs one(ctx) for warmup_ms unrecorded, then for measure_ms; one() returns the sample in ns. */
static void sample_loop(int64_t (*one)(const char *), const char *prog, long warmup_ms, long measure_ms) {
    int64_t end = now_ns() + warmup_ms * 1000000;
    while (now_ns() < end)
        one(prog);
    end = now_ns() + measure_ms * 1000000;
    while (now_ns() < end)
        record(one(prog));
    print_samples();
}

static int64_t spawn_wait_once(const char *prog) {
    struct spawned s;
    int64_t t0 = now_ns();
    spawn(prog, 1, -1, &s);
    wait_exit(&s);
    return now_ns() - t0;
}

static int64_t exit_once(const char *pause_prog) {
    struct spawned s;
    spawn(pause_prog, 1, -1, &s);
    int64_t t0 = now_ns();
    if (syscall(SYS_pidfd_send_signal, s.pidfd, SIGKILL, NULL, 0) != 0)
        die("pidfd_send_signal");
    wait_exit(&s);
    return now_ns() - t0;
}

/* A sleeper whose parent is a middle process that ignores SIGCHLD (so the kernel reaps it). */
static int64_t nonchild_once(const char *pause_prog) {
    int p[2];
    if (pipe2(p, O_CLOEXEC))
        die("pipe2");
    pid_t middle = fork();
    if (middle < 0)
        die("fork");
    if (middle == 0) {
        signal(SIGCHLD, SIG_IGN);
        pid_t g = vfork();
        if (g == 0) {
            char *argv[] = {(char *) pause_prog, NULL};
            execve(pause_prog, argv, environ);
            _exit(127);
        }
        if (write(p[1], &g, sizeof g) != sizeof g)
            _exit(1);
        while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)  /* returns ECHILD once g is gone */
            ;
        _exit(0);
    }
    close(p[1]);
    pid_t g;
    if (read(p[0], &g, sizeof g) != sizeof g)
        die("read");
    close(p[0]);
    int pidfd = (int) syscall(SYS_pidfd_open, g, 0);
    if (pidfd < 0)
        die("pidfd_open");
    int64_t t0 = now_ns();
    kill(g, SIGKILL);
    struct pollfd pf = {.fd = pidfd, .events = POLLIN};
    while (poll(&pf, 1, -1) < 0)
        if (errno != EINTR)
            die("poll");
    int64_t t1 = now_ns();
    close(pidfd);
    while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
        ;
    return t1 - t0;
}

static void nonchild_server(const char *pause_prog) {
    signal(SIGCHLD, SIG_IGN);  /* the kernel reaps our children: /proc/<pid> goes away at exit */
    char b;
    while (read(0, &b, 1) == 1) {
        pid_t g = vfork();
        if (g == 0) {
            char *argv[] = {(char *) pause_prog, NULL};
            execve(pause_prog, argv, environ);
            _exit(127);
        }
        if (g < 0)
            die("vfork");
        printf("%d\n", (int) g);
        fflush(stdout);
    }
    /* stdin closed: our sleepers die with us (PR_SET_PDEATHSIG in tiny-pause) */
}

/* ---- throughput --------------------------------------------------------------------------- */

static const char *tp_prog;
static volatile int tp_stop;
static uint64_t tp_count;

static void *tp_worker(void *unused) {
    (void) unused;
    while (!tp_stop) {
        spawn_wait_once(tp_prog);
        __atomic_add_fetch(&tp_count, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void sleep_ms(long ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void throughput(const char *prog, int threads, long warmup_ms, long iter_ms, int iters) {
    tp_prog = prog;
    pthread_t t[64];
    if (threads < 1 || threads > 64)
        threads = 1;
    for (int i = 0; i < threads; i++)
        if (pthread_create(&t[i], NULL, tp_worker, NULL) != 0)
            die("pthread_create");
    sleep_ms(warmup_ms);
    for (int i = 0; i < iters; i++) {
        uint64_t c0 = __atomic_load_n(&tp_count, __ATOMIC_RELAXED);
        int64_t t0 = now_ns();
        sleep_ms(iter_ms);
        uint64_t c1 = __atomic_load_n(&tp_count, __ATOMIC_RELAXED);
        int64_t t1 = now_ns();
        printf("I %.3f\n", (double) (c1 - c0) * 1e9 / (double) (t1 - t0));
        fflush(stdout);
    }
    tp_stop = 1;
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
}

/* ---- footprint ---------------------------------------------------------------------------- */

static long status_field(const char *name) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        die("/proc/self/status");
    char line[256];
    long v = -1;
    size_t n = strlen(name);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            v = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return v;
}

static void footprint(const char *pause_prog, char *levels) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;  /* as the JVM does at start-up */
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0)
        die("/dev/null");
    struct spawned *kids = NULL;
    size_t live = 0, cap = 0;
    int failed = 0;
    for (char *tok = strtok(levels, ","); tok != NULL && !failed; tok = strtok(NULL, ",")) {
        size_t n = strtoul(tok, NULL, 10);
        if (n > cap) {
            cap = n;
            if ((kids = realloc(kids, cap * sizeof *kids)) == NULL)
                die("realloc");
        }
        while (live < n) {
            struct child c = {.prog = pause_prog, .fds = {devnull, devnull, devnull}};
            if (stack == NULL && (stack = malloc(STACK_SIZE)) == NULL)
                die("malloc");
            int pidfd = -1;
            pid_t pid = clone(child_main, stack + STACK_SIZE, CLONE_VM | CLONE_VFORK | CLONE_PIDFD, &c, &pidfd);
            if (pid < 0) {
                fprintf(stderr, "cref: clone after %zu children: %s\n", live, strerror(errno));
                failed = 1;
                break;
            }
            kids[live].pid = pid;
            kids[live].pidfd = pidfd;
            kids[live].parent[0] = kids[live].parent[1] = kids[live].parent[2] = -1;
            live++;
        }
        if (!failed) {
            sleep_ms(500);
            printf("F %zu %ld %ld\n", n, status_field("Threads"), status_field("VmRSS"));
            fflush(stdout);
        }
    }
    for (size_t i = 0; i < live; i++)
        syscall(SYS_pidfd_send_signal, kids[i].pidfd, SIGKILL, NULL, 0);
    for (size_t i = 0; i < live; i++)
        wait_exit(&kids[i]);
    if (failed)
        exit(1);
}

/* ---- main --------------------------------------------------------------------------------- */

static void *touch(long mb) {
    size_t len = (size_t) mb << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap");
    for (size_t i = 0; i < len; i += 4096)
        p[i] = 1;
    return p;
}

static void usage(void) {
    fprintf(stderr, "usage: cref spawn|throughput|exit|nonchild|nonchild-server|footprint ... (see cref.c)\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 3)
        usage();
    const char *mode = argv[1], *prog = argv[2];
    if (strcmp(mode, "spawn") == 0 && argc >= 5) {
        if (argc >= 6 && atol(argv[5]) > 0)
            touch(atol(argv[5]));
        sample_loop(spawn_wait_once, prog, atol(argv[3]), atol(argv[4]));
    } else if (strcmp(mode, "throughput") == 0 && argc >= 7) {
        throughput(prog, atoi(argv[3]), atol(argv[4]), atol(argv[5]), atoi(argv[6]));
    } else if (strcmp(mode, "exit") == 0 && argc >= 5) {
        sample_loop(exit_once, prog, atol(argv[3]), atol(argv[4]));
    } else if (strcmp(mode, "nonchild") == 0 && argc >= 5) {
        sample_loop(nonchild_once, prog, atol(argv[3]), atol(argv[4]));
    } else if (strcmp(mode, "nonchild-server") == 0) {
        nonchild_server(prog);
    } else if (strcmp(mode, "footprint") == 0 && argc >= 4) {
        footprint(prog, argv[3]);
    } else {
        usage();
    }
    return 0;
}

/*
 * libpidfd4j: the native half of the pidfd provider.
 *
 * It does only what Java cannot: create a child together with its pidfd, prepare that child in the
 * window between clone and exec, and wrap the few syscalls whose numbers or struct layouts differ
 * per architecture (waitid with rusage, epoll_event, PIDFD_GET_INFO), so that the Java side stays
 * architecture-neutral. Every function returns an errno value (or -errno) instead of touching the
 * caller's errno, and every descriptor it creates is close-on-exec from birth.
 *
 * What pidfd4j uses of the kernel, and what it does where a feature is missing (the one table of
 * versions; LinuxNative.java's javadoc repeats it):
 *
 *   feature                          Linux  without it
 *   pidfd_send_signal                5.1    no pidfd provider (the probe fails): the JDK spawns
 *   clone(CLONE_PIDFD)               5.2    PATH_CLONE_THEN_PIDFD_OPEN (also where seccomp refuses it)
 *   pidfd_open, poll on a pidfd      5.3    no pidfd provider: the JDK spawns
 *   clone3                           5.3    PATH_CLONE_PIDFD (also where seccomp refuses it, as Docker's
 *                                           default profile does, and off x86_64 and aarch64)
 *   waitid(P_PIDFD)                  5.4    no pidfd provider: the JDK spawns (so 5.4 is the minimum)
 *   close_range                      5.9    the child walks /proc/self/fd instead
 *   PIDFD_SIGNAL_PROCESS_GROUP       6.9    a group signal (ProcessTree) is kill(-pgid) under the reap lock,
 *                                           only while the group's leader is unreaped
 *   EPOLLHUP on a pidfd at the reap  6.9    onExit() of a non-child re-checks, 10 ms doubling to 1 s
 *   PIDFD_GET_INFO                   6.13   nothing: used only to read PIDFD_INFO_EXIT
 *   PIDFD_INFO_EXIT                  6.15   a child reaped by someone else reports exit value 0 (the
 *                                           probe tells which: exit_status_kept)
 *   clone3(CLONE_INTO_CGROUP)        5.7    SPAWN_INTO_CGROUP fails the spawn (EINVAL): the Java side
 *                                           refuses a cgroup option off clone3 before it gets here
 *   cgroup.kill                      5.14   Java writes it; ProcessTree says what is missing
 *   CLONE_AUTOREAP, _PIDFD_AUTOKILL  7.1    clone3 flags (SPAWN_AUTOREAP, SPAWN_AUTOKILL), probed on first
 *                                           use: without them waitid reaps, and kill-on-parent-death
 *                                           uses PR_SET_PDEATHSIG; AUTOKILL also needs CAP_SYS_ADMIN
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Bumped whenever a signature below changes; the Java side refuses a library with another value. */
#define PIDFD4J_ABI_VERSION 10

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
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
/* pidfd_send_signal's flag of Linux 6.9 (include/uapi/linux/pidfd.h): the process group whose id is the
 * pidfd's struct pid (kernel/signal.c: kill_pgrp_info on that pid); before 6.9 any flag is EINVAL. */
#define PIDFD4J_SIGNAL_PROCESS_GROUP (1U << 2)

/* struct pidfd_info as of Linux 6.13 (PIDFD_INFO_SIZE_VER0); the ioctl is size-versioned. */
struct pidfd4j_pidfd_info {
    uint64_t mask;
    uint64_t cgroupid;
    uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
    int32_t exit_code;
};
_Static_assert(sizeof(struct pidfd4j_pidfd_info) == 64, "PIDFD_INFO_SIZE_VER0");
#define PIDFD4J_INFO_EXIT (1ULL << 3)
#define PIDFD4J_GET_INFO _IOWR(0xFF, 11, struct pidfd4j_pidfd_info)

/* Spawn paths (SpawnPath.CLONE3_PIDFD, CLONE_PIDFD, CLONE_THEN_PIDFD_OPEN); the values are LinuxNative's too. */
#define PATH_CLONE_PIDFD           1  /* clone(CLONE_VM|CLONE_VFORK|CLONE_PIDFD): the pidfd is born with the child */
#define PATH_CLONE_THEN_PIDFD_OPEN 2  /* clone(CLONE_VM|CLONE_VFORK|CLONE_FILES); the child pidfd_opens itself */
#define PATH_CLONE3                3  /* clone3(CLONE_VM|CLONE_VFORK|CLONE_PIDFD), through pidfd4j_clone3 below */

/* clone3-only flags of Linux 7.1 (include/uapi/linux/sched.h); u64, above what clone's int can hold. */
#define PIDFD4J_CLONE_AUTOREAP       (1ULL << 34)
#define PIDFD4J_CLONE_PIDFD_AUTOKILL (1ULL << 36)
/* Linux 5.7: clone3 places the child in the cgroup whose directory fd is clone_args.cgroup. */
#define PIDFD4J_CLONE_INTO_CGROUP    0x200000000ULL
/* Linux 5.5: the child starts with every caught signal at SIG_DFL (ignored ones stay ignored). */
#define PIDFD4J_CLONE_CLEAR_SIGHAND  0x100000000ULL

/* struct clone_args up to cgroup (CLONE_ARGS_SIZE_VER2, Linux 5.7); the size passed tells the kernel the
 * version: VER0 (64, up to tls, Linux 5.3) unless the cgroup field is used. */
struct pidfd4j_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};
_Static_assert(sizeof(struct pidfd4j_clone_args) == 88, "CLONE_ARGS_SIZE_VER2");
#define PIDFD4J_CLONE_ARGS_SIZE_VER0 64

/* Spawn flags (the spawn block's flags word); the values are LinuxNative's too. Any other bit: EINVAL. */
#define SPAWN_KILL_ON_PARENT_DEATH 1  /* PR_SET_PDEATHSIG(SIGKILL) in the child, then a check that the JVM still lives */
#define SPAWN_AUTOREAP             2  /* clone3 CLONE_AUTOREAP (Linux 7.1); EINVAL on the clone paths */
#define SPAWN_AUTOKILL             4  /* clone3 CLONE_PIDFD_AUTOKILL (Linux 7.1), which needs and implies
                                         SPAWN_AUTOREAP; EINVAL on the clone paths */
#define SPAWN_NEW_PROCESS_GROUP    8  /* setpgid(0, 0) in the child: it leads a new process group */
#define SPAWN_NEW_SESSION         16  /* setsid() in the child: it leads a new session and a new process group */
#define SPAWN_INTO_CGROUP         32  /* clone3 CLONE_INTO_CGROUP (Linux 5.7) into the cgroup whose O_PATH fd is
                                         the header's cgroup_fd (0 without this flag); EINVAL on the clone paths */
#define SPAWN_KNOWN_FLAGS (SPAWN_KILL_ON_PARENT_DEATH | SPAWN_AUTOREAP | SPAWN_AUTOKILL | SPAWN_NEW_PROCESS_GROUP \
                           | SPAWN_NEW_SESSION | SPAWN_INTO_CGROUP)

/* Where a failed spawn or probe failed; the values are LinuxNative's too. */
#define STAGE_CLONE       1
#define STAGE_PIDFD_OPEN  2  /* the child's pidfd_open, or its unshare(CLONE_FILES) after it */
#define STAGE_FDS         3
#define STAGE_CHDIR       4
#define STAGE_EXEC        5
#define STAGE_STACK       6
#define STAGE_SEND_SIGNAL 7  /* the probe only: pidfd_send_signal(pidfd, 0) */
#define STAGE_WAITID      8  /* the probe only: waitid(P_PIDFD) */
#define STAGE_EXIT_INFO   9  /* the probe only: an autoreaped child's status through PIDFD_INFO_EXIT */
#define STAGE_SETSID     10  /* the child's setsid() (SPAWN_NEW_SESSION) */
#define STAGE_SETPGID    11  /* the child's setpgid(0, 0) (SPAWN_NEW_PROCESS_GROUP) */
#define STAGE_PROBE_CHILD 12 /* the probe only: its child did not exit with PROBE_CHILD_EXIT */

#define CHILD_STACK_SIZE (64 * 1024)

/* ---------------------------------------------------------------------------------------------
 * The child. It runs in the JVM's address space on its own stack while the spawning thread is
 * suspended (CLONE_VM|CLONE_VFORK), with every signal blocked. It may only make raw,
 * async-signal-safe syscalls: no malloc, no locks, no stdio, no getpid.
 * --------------------------------------------------------------------------------------------- */

struct child_args {
    char *const *candidates;  /* NULL-terminated; "" marks an over-long PATH candidate to skip */
    char **argv;
    char **shargv;            /* "/bin/sh", <slot for the candidate>, argv[1..], NULL */
    char *const *envp;        /* NULL: the JVM's live environ */
    const char *cwd;          /* NULL: keep the JVM's */
    int fds[3];               /* -1: leave the inherited fd alone */
    int redirect_err;         /* dup2(1, 2) */
    int kill_on_parent_death; /* SPAWN_KILL_ON_PARENT_DEATH */
    int new_session;          /* SPAWN_NEW_SESSION */
    int new_process_group;    /* SPAWN_NEW_PROCESS_GROUP */
    pid_t parent_pid;         /* the JVM's pid, taken in the parent before the clone */
    volatile int stage;       /* written by the child only when it fails */
    volatile int err;
};

/* The kernel's struct sigaction; only sa_handler (offset 0 on every architecture) is read, and
 * an all-zero value is SIG_DFL with no flags and an empty mask on every architecture. */
struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

/* The 64-bit mask after "\n<name>" in /proc/self/status text: 16 hex digits, signal 1 in bit 0. */
static int status_mask(const char *buf, long n, const char *name, uint64_t *mask) {
    size_t len = strlen(name);
    for (long i = 0; i + (long) len + 16 <= n; i++) {
        if (buf[i] != '\n' || memcmp(buf + i + 1, name, len) != 0)
            continue;
        uint64_t m = 0;
        const char *h = buf + i + 1 + len;
        for (int d = 0; d < 16; d++) {
            char c = h[d];
            int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (v < 0)
                return -1;
            m = m << 4 | (uint64_t) v;
        }
        *mask = m;
        return 0;
    }
    return -1;
}

/*
 * The child's own dispositions (a copy of the JVM's, taken at clone), as the kernel reports them:
 * caught (a handler) and ignored. One open and read instead of a syscall per signal, which cost
 * 62 syscalls per spawn, the largest item left against the C reference. -1 without /proc.
 */
static int read_signal_masks(uint64_t *caught, uint64_t *ignored) {
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    /* procfs hands over the whole text (about 1.5 KB) in the first read; read on only if it did not. */
    long n = 0, r;
    int found = -1;
    while (found != 0 && n < (long) sizeof buf && (r = read(fd, buf + n, sizeof buf - (size_t) n)) > 0) {
        n += r;
        found = status_mask(buf, n, "SigIgn:\t", ignored) == 0 && status_mask(buf, n, "SigCgt:\t", caught) == 0 ? 0 : -1;
    }
    close(fd);
    return found;
}

/* handlers_cleared: clone3 had CLONE_CLEAR_SIGHAND, so the kernel has done the loops below. */
static void reset_signals(int handlers_cleared) {
    /* Handlers of the JVM must never run in the child, so every caught signal goes back to
     * SIG_DFL before the mask is cleared. Ignored signals stay ignored, as exec would keep them,
     * except SIGPIPE, which the JVM ignores for itself and a child must not inherit (JDK 25). Raw
     * rt_sigaction also reaches glibc's internal signals 32 and 33. */
    struct kernel_sigaction dfl, ign, old;
    memset(&dfl, 0, sizeof dfl);
    memset(&ign, 0, sizeof ign);
    ign.handler = (void *) SIG_IGN;
    uint64_t caught, ignored;
    if (handlers_cleared) {
        /* Caught ones are SIG_DFL already, ignored ones still ignored: only SIGPIPE is left, and
         * one syscall puts it right whatever it was. Saves the /proc read and a syscall per
         * handler the JVM has (13 on JDK 17), most of the child's work before exec. */
        syscall(SYS_rt_sigaction, SIGPIPE, &dfl, NULL, 8);
    } else if (read_signal_masks(&caught, &ignored) == 0) {
        /* Exact, not racy: nothing but this child changes its copy of the handlers now. */
        uint64_t reset = caught | (ignored & (1ULL << (SIGPIPE - 1)));
        for (int sig = 1; sig < 65; sig++)
            if (reset & (1ULL << (sig - 1)))
                syscall(SYS_rt_sigaction, sig, &dfl, NULL, 8);
    } else {
        for (int sig = 1; sig < 65; sig++) {
            /* No /proc: install SIG_DFL everywhere and look at what was there; SIG_IGN is rare. */
            if (sig == SIGKILL || sig == SIGSTOP || syscall(SYS_rt_sigaction, sig, &dfl, &old, 8) != 0)
                continue;
            if (old.handler == (void *) SIG_IGN && sig != SIGPIPE)
                syscall(SYS_rt_sigaction, sig, &ign, NULL, 8);
        }
    }
    uint64_t empty = 0;  /* JDK 17 leaks a blocked SIGQUIT into children; JDK 25 does not. */
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, 8);
}

/* Marks every fd >= 3 close-on-exec by walking /proc/self/fd; for kernels before close_range. */
static int cloexec_from_3_slow(void) {
    int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        struct rlimit rl;  /* last resort: every possible fd number */
        if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
            return -1;
        for (long fd = 3; fd < (long) rl.rlim_cur; fd++)
            fcntl((int) fd, F_SETFD, FD_CLOEXEC);
        return 0;
    }
    char buf[4096] __attribute__((aligned(8)));
    for (;;) {
        long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;  /* dir itself is CLOEXEC already */
        for (long off = 0; off < n;) {
            struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; }
                *d = (void *) (buf + off);
            int fd = 0;
            const char *s = d->name;
            if (*s >= '0' && *s <= '9') {
                while (*s >= '0' && *s <= '9')
                    fd = fd * 10 + (*s++ - '0');
                if (fd >= 3 && fd != dir)
                    fcntl(fd, F_SETFD, FD_CLOEXEC);
            }
            off += d->reclen;
        }
    }
}

static _Noreturn void child_fail(struct child_args *a, int stage, int err) {
    a->err = err;
    a->stage = stage;
    _exit(127);
}

static int child_main(void *p, int handlers_cleared) {
    struct child_args *a = p;
    int lifted[3] = {-1, -1, -1};

    if (a->kill_on_parent_death) {
        /* SIGKILL when the parent dies (the thread that cloned us: the caller spawns from a thread
         * that lives as long as the JVM). Raw syscalls: glibc's wrappers are not promised safe here. */
        if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
            child_fail(a, STAGE_CLONE, errno);
        /* The JVM may have died between the clone and the prctl, before the signal was armed: we
         * were reparented then, and must not run the program for no one. */
        if (syscall(SYS_getppid) != a->parent_pid)
            _exit(127);
    }

    /* A new session or group changes neither the parent nor the parent-death signal, so the check above
     * holds either way. As early as possible: until here the child is in the JVM's group, where a
     * terminal's SIGINT to that group stays pending (every signal is blocked) and kills it at exec. */
    if (a->new_session) {
        /* setsid also makes a new group; a setpgid after it would fail (EPERM: a session leader). */
        if (syscall(SYS_setsid) < 0)
            child_fail(a, STAGE_SETSID, errno);
    } else if (a->new_process_group && syscall(SYS_setpgid, 0, 0) != 0) {
        child_fail(a, STAGE_SETPGID, errno);
    }

    /* Lift a source in 0..2 above 2 first: dup2(fd, fd) would be a no-op that leaves CLOEXEC set,
     * and an earlier dup2 may overwrite it. Pipes and files are above 2 already (no syscall). */
    for (int i = 0; i < 3; i++)
        lifted[i] = a->fds[i];
    for (int i = 0; i < 3; i++)
        if (a->fds[i] >= 0 && a->fds[i] <= 2 && (lifted[i] = fcntl(a->fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
            child_fail(a, STAGE_FDS, errno);
    for (int i = 0; i < 3; i++)
        if (lifted[i] >= 0 && dup2(lifted[i], i) < 0)  /* dup2 clears CLOEXEC on 0..2 */
            child_fail(a, STAGE_FDS, errno);
    if (a->redirect_err && dup2(1, 2) < 0)
        child_fail(a, STAGE_FDS, errno);

    /* No other descriptor of the JVM may survive exec, CLOEXEC or not. */
    if (syscall(SYS_close_range, 3, ~0U, 0) != 0 && cloexec_from_3_slow() != 0)
        child_fail(a, STAGE_FDS, errno);

    /* Before exec, so that relative programs and "." PATH entries resolve in the new directory. */
    if (a->cwd != NULL && chdir(a->cwd) != 0)
        child_fail(a, STAGE_CHDIR, errno);

    reset_signals(handlers_cleared);

    /* The JDK's PATH rules (JDK_execvpe): the candidates come from the parent's PATH; EACCES is
     * sticky; "not here" errors move on; any other error stops; ENOEXEC runs the file via sh. */
    char *const *envp = a->envp != NULL ? a->envp : environ;
    int err = ENOENT, sticky = 0;
    for (char *const *c = a->candidates; *c != NULL; c++) {
        if (**c == '\0') {
            err = ENAMETOOLONG;
            continue;
        }
        execve(*c, a->argv, envp);
        err = errno;
        if (err == ENOEXEC) {
            a->shargv[1] = *c;
            execve("/bin/sh", a->shargv, envp);
            err = errno;
        }
        switch (err) {
        case EACCES:
            sticky = err;
            /* fall through */
        case ENOENT: case ENOTDIR: case ELOOP: case ESTALE: case ENODEV: case ETIMEDOUT:
            continue;
        default:
            child_fail(a, STAGE_EXEC, err);
        }
    }
    child_fail(a, STAGE_EXEC, sticky != 0 ? sticky : err);
}

/* ---------------------------------------------------------------------------------------------
 * The parent.
 * --------------------------------------------------------------------------------------------- */

static int reap_status(int pidfd, siginfo_t *si) {
    int r;
    do {
        r = waitid((idtype_t) P_PIDFD, (id_t) pidfd, si, WEXITED | __WALL);
    } while (r != 0 && errno == EINTR);
    return r;
}

static int reap_blocking(int pidfd) {
    siginfo_t si;
    return reap_status(pidfd, &si);
}

/* Each spawning thread keeps one child stack (with a guard page), freed when the thread ends:
 * mapping and faulting in a fresh one costs more than a tenth of a /bin/true spawn. */
static pthread_key_t stack_key;
static int stack_key_ok;
static pthread_once_t stack_once = PTHREAD_ONCE_INIT;

static void stack_free(void *stack) { munmap(stack, CHILD_STACK_SIZE + (size_t) sysconf(_SC_PAGESIZE)); }
static void stack_key_init(void) { stack_key_ok = pthread_key_create(&stack_key, stack_free) == 0; }

static char *child_stack(int *err) {
    pthread_once(&stack_once, stack_key_init);
    char *stack = stack_key_ok ? pthread_getspecific(stack_key) : NULL;
    if (stack != NULL)
        return stack;
    size_t page = (size_t) sysconf(_SC_PAGESIZE);
    stack = mmap(NULL, CHILD_STACK_SIZE + page, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (stack == MAP_FAILED) {
        *err = errno;
        return NULL;
    }
    if (mprotect(stack, page, PROT_NONE) != 0) {  /* the guard: the child must never reach our frames */
        *err = errno;
        munmap(stack, CHILD_STACK_SIZE + page);
        return NULL;
    }
    if (stack_key_ok && pthread_setspecific(stack_key, stack) == 0)
        return stack;
    stack_free(stack);  /* cannot keep it: fail rather than leak one per spawn */
    *err = ENOMEM;
    return NULL;
}

/* What clone_child hands to the child, and what a child on PATH_CLONE_THEN_PIDFD_OPEN reports back. */
struct clone_req {
    int path;
    int (*fn)(void *, int);     /* called with arg and handlers_cleared */
    void *arg;
    int handlers_cleared;       /* the clone had CLONE_CLEAR_SIGHAND */
    volatile int pidfd;
    volatile int stage;
    volatile int err;
};

static int child_entry(void *p) {
    struct clone_req *r = p;
    if (r->path == PATH_CLONE_THEN_PIDFD_OPEN) {
        /* exec resets the exit signal to SIGCHLD (fs/exec.c, de_thread), after which a wait()
         * elsewhere in the JVM could reap a quick child before the parent's pidfd_open and leave it
         * a pidfd for a recycled pid. So the child opens its own pidfd before exec, into the fd
         * table it still shares with the JVM (CLONE_FILES), then takes a private copy of the table. */
        long fd = syscall(SYS_pidfd_open, syscall(SYS_getpid), 0);
        if (fd < 0) {
            r->err = errno;
            r->stage = STAGE_PIDFD_OPEN;
            _exit(127);
        }
        r->pidfd = (int) fd;
        if (unshare(CLONE_FILES) != 0) {
            r->err = errno;
            r->stage = STAGE_PIDFD_OPEN;
            _exit(127);
        }
    }
    return r->fn(r->arg, r->handlers_cleared);
}

/*
 * Creates a child that runs fn(arg) with all signals blocked until it resets them, and returns once
 * the child has exec'd or died. The exit signal is 0 until exec: a child that fails before exec
 * sends no SIGCHLD and no wait() or waitpid(-1) elsewhere in the JVM can reap it (only __WALL waits
 * see it), so its failure is ours alone to collect.
 */
/*
 * long pidfd4j_clone3(struct pidfd4j_clone_args *args, size_t size, int (*fn)(void *), void *arg):
 * the raw clone3 syscall, whose child starts on the new stack with nothing but registers, so no C
 * code may run in it before it has a frame: the child calls fn(arg) and exits with its result; the
 * parent returns the pid or -errno. Modelled on glibc's sysdeps/unix/sysv/linux/<arch>/clone3.S.
 * Called directly (never through a pointer), so it needs no indirect-branch landing pad.
 */
long pidfd4j_clone3(struct pidfd4j_clone_args *args, size_t size, int (*fn)(void *), void *arg)
    __attribute__((visibility("hidden")));

#if defined(__x86_64__)
#define PIDFD4J_HAVE_CLONE3_ENTRY 1
__asm__(
    ".pushsection .text\n"
    ".globl pidfd4j_clone3\n"
    ".hidden pidfd4j_clone3\n"
    ".type pidfd4j_clone3, @function\n"
    ".p2align 4\n"
    "pidfd4j_clone3:\n"
    "    mov %rdx, %r8\n"          /* fn: r8 and r9 survive syscall (it clobbers rax, rcx, r11) */
    "    mov %rcx, %r9\n"          /* arg; the child starts with the parent's registers */
    "    mov $435, %eax\n"         /* SYS_clone3; args and size are in rdi and rsi already */
    "    syscall\n"
    "    test %rax, %rax\n"
    "    jz 1f\n"                  /* 0: we are the child */
    "    ret\n"                    /* parent: pid, or -errno */
    "1:  xor %ebp, %ebp\n"         /* child: the outermost frame, so unwinders stop here */
    "    and $-16, %rsp\n"         /* the ABI's alignment at a call (the kernel set rsp = stack + size) */
    "    mov %r9, %rdi\n"          /* fn's argument */
    "    call *%r8\n"              /* fn(arg); child_main never returns, but be safe if it does */
    "    mov %eax, %edi\n"         /* its result is the exit status */
    "    mov $60, %eax\n"          /* SYS_exit: this thread only, with no C library clean-up */
    "    syscall\n"
    "    hlt\n"                    /* unreachable */
    ".size pidfd4j_clone3, . - pidfd4j_clone3\n"
    ".popsection\n");
#elif defined(__aarch64__)
#define PIDFD4J_HAVE_CLONE3_ENTRY 1
__asm__(
    ".pushsection .text\n"
    ".globl pidfd4j_clone3\n"
    ".hidden pidfd4j_clone3\n"
    ".type pidfd4j_clone3, %function\n"
    ".p2align 2\n"
    "pidfd4j_clone3:\n"
    "    mov x10, x2\n"            /* fn: the kernel preserves every register but x0 across svc */
    "    mov x11, x3\n"            /* arg; the child starts with the parent's registers */
    "    mov x8, #435\n"           /* SYS_clone3; args and size are in x0 and x1 already */
    "    svc #0\n"
    "    cbz x0, 1f\n"             /* 0: we are the child */
    "    ret\n"                    /* parent: pid, or -errno */
    "1:  mov x29, xzr\n"           /* child: no frame record above this one, so unwinders stop */
    "    mov x30, xzr\n"           /* and no return address */
    "    mov x9, sp\n"
    "    and x9, x9, #-16\n"       /* sp must stay 16-byte aligned (the kernel set it to stack + size) */
    "    mov sp, x9\n"
    "    mov x0, x11\n"            /* fn's argument */
    "    blr x10\n"                /* fn(arg); child_main never returns, but be safe if it does */
    "    mov x8, #93\n"            /* SYS_exit (x0 holds fn's result): this thread, no clean-up */
    "    svc #0\n"
    "    brk #0\n"                 /* unreachable */
    ".size pidfd4j_clone3, . - pidfd4j_clone3\n"
    ".popsection\n");
#else
/* No entry written for this architecture: the clone3 path reports ENOSYS and the probe moves on. */
long pidfd4j_clone3(struct pidfd4j_clone_args *args, size_t size, int (*fn)(void *), void *arg) {
    (void) args; (void) size; (void) fn; (void) arg;
    return -ENOSYS;
}
#endif

/* 0 if the path can honour the flags, else EINVAL: an unknown bit, or a clone3 flag off clone3. */
static int check_flags(int path, int flags) {
    if ((flags & ~SPAWN_KNOWN_FLAGS) != 0)
        return EINVAL;
    if ((flags & (SPAWN_AUTOREAP | SPAWN_AUTOKILL | SPAWN_INTO_CGROUP)) != 0 && path != PATH_CLONE3)
        return EINVAL;  /* only clone3 has them */
    return 0;
}

/* The clone3 flags the spawn flags ask for; AUTOKILL needs AUTOREAP (and CLONE_PIDFD, always set). */
static uint64_t clone3_flags(int spawn_flags) {
    uint64_t f = 0;
    if ((spawn_flags & (SPAWN_AUTOREAP | SPAWN_AUTOKILL)) != 0)
        f |= PIDFD4J_CLONE_AUTOREAP;
    if ((spawn_flags & SPAWN_AUTOKILL) != 0)
        f |= PIDFD4J_CLONE_PIDFD_AUTOKILL;  /* no CLONE_NNP: it would defeat setuid programs; EPERM then */
    return f;
}

/* Set once clone3 has refused CLONE_CLEAR_SIGHAND and worked without it (Linux 5.3 and 5.4): from then on
 * it is not asked for, and children reset their handlers themselves. Racy reads only cost a retry. */
static int clear_sighand_refused;

/* clone3 with CLONE_CLEAR_SIGHAND where the kernel has it, else without; -errno as pidfd4j_clone3. */
static long clone3_clearing_handlers(struct pidfd4j_clone_args *ca, size_t size, struct clone_req *req) {
    if (!__atomic_load_n(&clear_sighand_refused, __ATOMIC_RELAXED)) {
        ca->flags |= PIDFD4J_CLONE_CLEAR_SIGHAND;
        req->handlers_cleared = 1;  /* read by the child only: the flags are checked before it exists */
        long r = pidfd4j_clone3(ca, size, child_entry, req);
        if (r != -EINVAL)
            return r;
        ca->flags &= ~PIDFD4J_CLONE_CLEAR_SIGHAND;
        req->handlers_cleared = 0;
        r = pidfd4j_clone3(ca, size, child_entry, req);
        if (r >= 0)  /* EINVAL again: another flag's doing (AUTOREAP...), not this one's */
            __atomic_store_n(&clear_sighand_refused, 1, __ATOMIC_RELAXED);
        return r;
    }
    return pidfd4j_clone3(ca, size, child_entry, req);
}

/* cgroup_fd: with SPAWN_INTO_CGROUP, an O_PATH directory fd of the cgroup v2 the child is born in. */
static pid_t clone_child(int path, int spawn_flags, int cgroup_fd, int (*fn)(void *, int), void *arg, int *pidfd,
                         int *stage, int *err) {
    char *stack = child_stack(err);
    if (stack == NULL) {
        *stage = STAGE_STACK;
        return -1;
    }
    struct clone_req req = {.path = path, .fn = fn, .arg = arg, .handlers_cleared = 0, .pidfd = -1, .stage = 0, .err = 0};

    uint64_t all = ~0ULL, old;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
    size_t page = (size_t) sysconf(_SC_PAGESIZE);
    pid_t pid;
    int clone_err;
    if (path == PATH_CLONE3) {
        struct pidfd4j_clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | clone3_flags(spawn_flags);
        ca.pidfd = (uint64_t) (uintptr_t) pidfd;  /* the kernel writes the int there */
        ca.exit_signal = 0;                        /* as on the clone paths: see above */
        ca.stack = (uint64_t) (uintptr_t) (stack + page);  /* above the guard page; the kernel adds the size */
        ca.stack_size = CHILD_STACK_SIZE;
        size_t size = PIDFD4J_CLONE_ARGS_SIZE_VER0;  /* what every clone3 kernel (5.3+) reads */
        if ((spawn_flags & SPAWN_INTO_CGROUP) != 0) {
            /* Born in the cgroup: no moment in the JVM's, nothing to move (and no race) afterwards. */
            ca.flags |= PIDFD4J_CLONE_INTO_CGROUP;
            ca.cgroup = (uint64_t) cgroup_fd;
            size = sizeof ca;
        }
        long r = clone3_clearing_handlers(&ca, size, &req);
        pid = r < 0 ? -1 : (pid_t) r;
        clone_err = r < 0 ? (int) -r : 0;
    } else {
        int flags = CLONE_VM | CLONE_VFORK | (path == PATH_CLONE_PIDFD ? CLONE_PIDFD : CLONE_FILES);
        pid = clone(child_entry, stack + CHILD_STACK_SIZE + page, flags, &req, pidfd);
        clone_err = errno;
    }
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);

    if (pid < 0) {
        *stage = STAGE_CLONE;
        *err = clone_err;
        return -1;
    }
    if (path == PATH_CLONE_THEN_PIDFD_OPEN) {
        *pidfd = req.pidfd;
        if (req.stage != 0) {  /* the child died before exec: reap it (exit signal 0, ours alone) */
            siginfo_t si;
            if (*pidfd >= 0) {
                reap_blocking(*pidfd);
                close(*pidfd);
            } else {
                while (waitid(P_PID, (id_t) pid, &si, WEXITED | __WALL) != 0 && errno == EINTR)
                    ;
            }
            *stage = req.stage;
            *err = req.err;
            return -1;
        }
    }
    return pid;
}

/*
 * fds: [0..2] what the child gets on 0, 1, 2 (-1: leave the inherited one), [3] a bit mask of those
 * the parent closes once the child has them (its ends of new pipes): closing them here, not in
 * Java, keeps the spawning thread's work between clone and wait small (see PidfdLauncher).
 * out: [0] pid, [1] pidfd on success; [2] stage, [3] errno on failure.
 * Returns 0 once the program runs, -1 when it could not be started (the child is reaped then).
 */
static int pidfd4j_spawn(int path, int flags, int cgroup_fd, char *const *candidates, char **argv, char **shargv,
                         char *const *envp, const char *cwd, const int *fds, int redirect_err,
                         int *out) {
    struct child_args a = {
        .candidates = candidates, .argv = argv, .shargv = shargv, .envp = envp, .cwd = cwd,
        .fds = {fds[0], fds[1], fds[2]}, .redirect_err = redirect_err,
        .kill_on_parent_death = (flags & SPAWN_KILL_ON_PARENT_DEATH) != 0,
        .new_session = (flags & SPAWN_NEW_SESSION) != 0,
        .new_process_group = (flags & SPAWN_NEW_PROCESS_GROUP) != 0,
        /* only the parent-death check reads it: no syscall on the common path */
        .parent_pid = (flags & SPAWN_KILL_ON_PARENT_DEATH) != 0 ? (pid_t) syscall(SYS_getpid) : 0,
        .stage = 0, .err = 0,
    };
    int pidfd = -1, stage = STAGE_CLONE, err = check_flags(path, flags);
    pid_t pid = err != 0 ? -1 : clone_child(path, flags, cgroup_fd, child_main, &a, &pidfd, &stage, &err);
    for (int i = 0; i < 3; i++)
        if ((fds[3] & (1 << i)) != 0)
            close(fds[i]);
    if (pid < 0) {
        out[2] = stage;
        out[3] = err;
        return -1;
    }
    if (a.stage != 0) {  /* the child has already _exit'ed: reap it so that no zombie remains */
        reap_blocking(pidfd);
        close(pidfd);
        out[2] = a.stage;
        out[3] = a.err;
        return -1;
    }
    out[0] = pid;
    out[1] = pidfd;
    return 0;
}

/* The probe child's exit code: one a child that crashed in a broken clone entry, or ran on in code not
 * meant for it, does not produce by accident (0 would be, for a child that ran the parent's path). */
#define PROBE_CHILD_EXIT 97

static int probe_child(void *unused, int handlers_cleared) {
    (void) unused;
    (void) handlers_cleared;
    _exit(PROBE_CHILD_EXIT);
}

/* A probe child's end as an exit code, the shell's way: its code, or 128 + the signal that killed it. */
static int probe_child_end(const siginfo_t *si) {
    return si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
}

static int pidfd4j_exit_status(int pidfd, int32_t *status);

/*
 * The probe child of a CLONE_AUTOREAP clone3 has exited (vfork returned): the kernel must have reaped
 * it, so waitid finds nothing (ECHILD; a kernel that reaps nothing did not honour the flag: EINVAL),
 * and its status must come through the pidfd (*child_end, as in pidfd4j_probe). Returns 0 or an errno with *stage set.
 */
static int probe_autoreaped(int pidfd, int *child_end, int *stage) {
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    while (poll(&p, 1, 1000) < 0 && errno == EINTR)
        ;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    *stage = STAGE_WAITID;
    if (syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED | WNOHANG | __WALL, NULL) == 0) {
        if (si.si_pid == 0)
            reap_blocking(pidfd);  /* not even exited: cannot be, but leave no zombie */
        return EINVAL;             /* we could reap it: the flag was not honoured */
    }
    if (errno != ECHILD)
        return errno;
    /* The kernel records the status as it releases the task, which may be a moment after the exit
     * woke us: ENODATA or ESRCH until then. Bounded (1 s): a kernel that never records it fails. */
    *stage = STAGE_EXIT_INFO;
    for (int i = 0; i < 1000; i++) {
        int32_t status = -1;
        int e = pidfd4j_exit_status(pidfd, &status);
        if (e == 0) {
            /* a wait status: the code in bits 8-15, a killing signal in 0-6 */
            *child_end = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            *stage = STAGE_PROBE_CHILD;
            return *child_end == PROBE_CHILD_EXIT ? 0 : EINVAL;
        }
        if (e != ENODATA && e != ESRCH)
            return e;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return ENODATA;
}

/*
 * Spawns and reaps a child that exits at once, through the given path and clone flags (SPAWN_AUTOREAP,
 * SPAWN_AUTOKILL). Returns 0 or an errno, and
 * *stage tells which step failed (STAGE_*), so that the reason names the refused syscall.
 * *exit_status_kept: 1 when the pidfd still tells the reaped child's status (PIDFD_INFO_EXIT,
 * Linux 6.15+), so that a child reaped by someone else does not lose its exit code; else 0.
 * *child_end: how the probe child ended (its exit code, or 128 + a signal; -1: not known). It must
 * exit with PROBE_CHILD_EXIT, or the path fails (EINVAL, STAGE_PROBE_CHILD): a clone whose child
 * crashed before it could report would otherwise pass as working, and every spawn through it fail.
 */
static int pidfd4j_probe(int path, int flags, int *exit_status_kept, int *child_end, int *stage) {
    int pidfd = -1, err = 0;
    *exit_status_kept = 0;
    *child_end = -1;
    *stage = 0;
    if ((flags & (SPAWN_KILL_ON_PARENT_DEATH | SPAWN_NEW_PROCESS_GROUP | SPAWN_NEW_SESSION | SPAWN_INTO_CGROUP)) != 0
            || check_flags(path, flags) != 0) {
        *stage = STAGE_CLONE;  /* the probe child runs no child_main: only clone flags make sense */
        return EINVAL;
    }
    pid_t pid = clone_child(path, flags, -1, probe_child, NULL, &pidfd, stage, &err);
    if (pid < 0)
        return err;
    if ((flags & (SPAWN_AUTOREAP | SPAWN_AUTOKILL)) != 0) {
        int r = probe_autoreaped(pidfd, child_end, stage);
        *exit_status_kept = r == 0;
        close(pidfd);
        return r;
    }
    int r = 0;
    if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) != 0) {
        r = errno;
        *stage = STAGE_SEND_SIGNAL;
    }
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (reap_status(pidfd, &si) != 0) {
        if (r == 0) {
            r = errno;
            *stage = STAGE_WAITID;
        }
        /* No waitid(P_PIDFD) (before 5.4): reap by pid, or the probe child stays a zombie for good
         * (its exit signal is 0, so no one else will). */
        while (waitid(P_PID, (id_t) pid, &si, WEXITED | __WALL) != 0 && errno == EINTR)
            ;
    }
    if (si.si_pid != 0) {
        *child_end = probe_child_end(&si);
        if (r == 0 && *child_end != PROBE_CHILD_EXIT) {
            r = EINVAL;
            *stage = STAGE_PROBE_CHILD;
        }
    }
    int32_t status = -1;
    /* waitid released the task before returning, so a kernel that keeps the status has it now. */
    *exit_status_kept = r == 0 && pidfd4j_exit_status(pidfd, &status) == 0 && status == (PROBE_CHILD_EXIT << 8);
    close(pidfd);
    return r;
}

/*
 * waitid(P_PIDFD) with rusage (only the raw syscall returns it). info: [0] si_code,
 * [1] si_status, [2] si_pid (0: not exited yet). usage (may be NULL): user and system CPU in
 * microseconds, max RSS in KiB (-1: not above the JVM's own, so maybe the JVM's), minor and major faults, block in/out, voluntary and involuntary
 * context switches. Returns 0 or an errno.
 */
static int pidfd4j_waitid(int pidfd, int options, int32_t *info, int64_t *usage) {
    siginfo_t si;
    struct rusage ru;
    memset(&si, 0, sizeof si);
    memset(&ru, 0, sizeof ru);
    long r;
    do {
        r = syscall(SYS_waitid, P_PIDFD, pidfd, &si, options | __WALL, usage != NULL ? &ru : NULL);
    } while (r != 0 && errno == EINTR);
    if (r != 0)
        return errno;
    info[0] = si.si_code;
    info[1] = si.si_status;
    info[2] = si.si_pid;
    if (usage != NULL) {
        usage[0] = (int64_t) ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
        usage[1] = (int64_t) ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
        /* A vfork-style child runs in the JVM's address space until its exec, and exec folds that
         * space's peak into the child's (fs/exec.c, exec_mmap: setmax_mm_hiwater_rss), so a figure not
         * above the JVM's own peak may be the JVM's: -1 (unknown) rather than someone else's number. */
        struct rusage self;
        usage[2] = getrusage(RUSAGE_SELF, &self) == 0 && ru.ru_maxrss > self.ru_maxrss ? ru.ru_maxrss : -1;
        usage[3] = ru.ru_minflt;
        usage[4] = ru.ru_majflt;
        usage[5] = ru.ru_inblock;
        usage[6] = ru.ru_oublock;
        usage[7] = ru.ru_nvcsw;
        usage[8] = ru.ru_nivcsw;
    }
    return 0;
}

/* The wait status of an exited process from its pidfd (Linux 6.15+), even when someone else
 * reaped it. Returns 0 or an errno (ENOTTY/EINVAL: kernel too old; ENODATA: not available). */
static int pidfd4j_exit_status(int pidfd, int32_t *status) {
    struct pidfd4j_pidfd_info info;
    memset(&info, 0, sizeof info);
    info.mask = PIDFD4J_INFO_EXIT;
    if (ioctl(pidfd, PIDFD4J_GET_INFO, &info) != 0)
        return errno;
    if ((info.mask & PIDFD4J_INFO_EXIT) == 0)
        return ENODATA;
    *status = info.exit_code;
    return 0;
}

static int pidfd4j_send_signal(int pidfd, int sig) {
    return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0 ? 0 : errno;
}

/* The signal to every member of the process group whose id is the pidfd's pid (Linux 6.9+); it cannot
 * reach another group, since the pidfd pins that pid. 0 or an errno (EINVAL: a kernel before 6.9). */
static int pidfd4j_send_group_signal(int pidfd, int sig) {
    return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, PIDFD4J_SIGNAL_PROCESS_GROUP) == 0 ? 0 : errno;
}

/* kill(-pgid, sig): safe only while the caller knows pgid is still the group it means (see GroupSignal). */
static int pidfd4j_kill_group(int pgid, int sig) {
    if (pgid <= 1)
        return EINVAL;  /* -1 would be every process we may signal, -0 our own group */
    return syscall(SYS_kill, -(pid_t) pgid, sig) == 0 ? 0 : errno;
}

/* Waits up to timeout_ms for the pidfd to report the exit: 1 if it did, 0 if not, -errno. */
static int pidfd4j_poll(int pidfd, int timeout_ms) {
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    return n >= 0 ? n : (errno == EINTR ? 0 : -errno);
}

/* A pidfd for any process (not only a child); -errno on failure. Always close-on-exec. */
static int pidfd4j_pidfd_open(int pid) {
    int fd = (int) syscall(SYS_pidfd_open, pid, 0);
    return fd >= 0 ? fd : -errno;
}

/*
 * A new descriptor for the same open pidfd, close-on-exec from birth (F_DUPFD_CLOEXEC, never dup then
 * F_SETFD: another thread's fork+exec could inherit it in between); -errno on failure. The caller owns it.
 */
static int pidfd4j_dup_cloexec(int fd) {
    int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    return d >= 0 ? d : -errno;
}

/*
 * An O_PATH directory descriptor (what clone3's CLONE_INTO_CGROUP takes), close-on-exec from birth;
 * -errno on failure (ENOTDIR, ENOENT, EACCES...).
 */
static int pidfd4j_open_directory(const char *path) {
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

/* A read-only descriptor (for cgroup.events), close-on-exec from birth; -errno on failure. */
static int pidfd4j_open_read(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

/*
 * Whether a cgroup's cgroup.events (fd, from pidfd4j_open_read) says "populated 1": 1, 0, or -errno
 * (ENODEV once the cgroup is removed). Read from offset 0 each time, which also re-arms its poll:
 * kernfs reports EPOLLPRI on the file until it is read again after a change. Never blocks.
 */
static int pidfd4j_cgroup_populated(int fd) {
    char buf[256];
    ssize_t n;
    do {
        n = pread(fd, buf, sizeof buf - 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    const char *p = strstr(buf, "populated ");
    if (p == NULL || (p != buf && p[-1] != '\n'))
        return -EINVAL;  /* not a cgroup.events file */
    return p[10] == '1' ? 1 : 0;
}

static int pidfd4j_pipe(int32_t *fds) {
    return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno;
}

static int pidfd4j_close(int fd) {
    return close(fd) == 0 ? 0 : errno;
}

static int pidfd4j_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

/* The epoll_event layout differs per architecture (packed on x86_64), so it stays in C. */
static int pidfd4j_epoll_ctl(int epfd, int op, int fd, int events, int64_t data) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = (uint32_t) events;
    ev.data.u64 = (uint64_t) data;
    return epoll_ctl(epfd, op, fd, &ev) == 0 ? 0 : errno;
}

/* Fills data[] with the data words of up to max ready entries; returns their count or -errno. */
static int pidfd4j_epoll_wait(int epfd, int64_t *data, int max, int timeout_ms) {
    struct epoll_event evs[64];
    if (max > 64)
        max = 64;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++)
        data[i] = (int64_t) evs[i].data.u64;
    return n;
}

/* What the JDK's ProcessImpl.init() does: SIGCHLD back to SIG_DFL, so that an inherited SIG_IGN
 * cannot make the kernel auto-reap children that other code starts with SIGCHLD. */
static void pidfd4j_sigchld_default(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
}

static void pidfd4j_strerror(int err, char *buf, int len) {
    const char *s = strerror_r(err, buf, (size_t) len);  /* GNU strerror_r may not use buf */
    if (s != buf) {
        strncpy(buf, s, (size_t) len - 1);
        buf[len - 1] = '\0';
    }
}

/* ---------------------------------------------------------------------------------------------
 * JNI: the entry points of io.github.pidfd4j.linux.LinuxNative, registered by JNI_OnLoad. Only
 * this section knows about Java; it copies arguments in and results out and calls the functions above.
 * --------------------------------------------------------------------------------------------- */

/*
 * The spawn block (PidfdLauncher.SpawnBlock writes it): one byte[] holding everything the child reads.
 * Pointer slots hold offsets from the start of the block (0 is NULL), so Java needs no addresses;
 * the block is copied to C memory and relocated here, before the clone.
 */
struct spawn_header {
    int32_t fds[3];       /* what the child gets on 0, 1, 2; -1 leaves the JVM's */
    int32_t close_mask;   /* which of fds[] the parent closes after the spawn (its ends of new pipes) */
    int32_t flags;        /* SPAWN_* */
    int32_t cgroup_fd;    /* with SPAWN_INTO_CGROUP: the cgroup's O_PATH directory fd (the caller's, left
                             open); without it: 0, anything else is EINVAL */
    int64_t argv;         /* offset of a 0-terminated array of string offsets */
    int64_t shargv;       /* "/bin/sh", <slot the child sets>, argv[1..], 0 */
    int64_t candidates;   /* the PATH candidates, 0-terminated */
    int64_t envp;         /* 0: the JVM's own environ */
    int64_t cwd;          /* 0: the JVM's working directory */
};
_Static_assert(sizeof(struct spawn_header) == 64, "SpawnBlock.HEADER_SIZE");

/* Turns the offset array at off into a pointer array; 0 when the block is malformed. */
static int relocate(char *mem, jsize len, int64_t off) {
    if (off < (int64_t) sizeof(struct spawn_header) || off > len - 8 || off % 8 != 0)
        return 0;
    for (int64_t *slot = (int64_t *) (mem + off); (char *) slot <= mem + len - 8; slot++) {
        if (*slot == 0)
            return 1;
        if (*slot < (int64_t) sizeof(struct spawn_header) || *slot >= len)
            return 0;
        *(char **) slot = mem + *slot;
    }
    return 0;  /* no terminator inside the block */
}

static jint JNICALL jni_abi_version(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    return PIDFD4J_ABI_VERSION;
}

/* out: [0] exit status kept after someone else's reap, [1] the stage that failed, [2] how the probe
 * child ended (see pidfd4j_probe). */
static jint JNICALL jni_probe(JNIEnv *env, jclass c, jint path, jint flags, jintArray out) {
    (void) c;
    int kept = 0, stage = 0, child_end = -1;
    int r = pidfd4j_probe(path, flags, &kept, &child_end, &stage);
    jint o[3] = {kept, stage, child_end};
    (*env)->SetIntArrayRegion(env, out, 0, 3, o);  /* too short: ArrayIndexOutOfBoundsException */
    return r;
}

/*
 * out: [0] pid, [1] pidfd on success; [2] stage, [3] errno on failure. Returns 0 or -1. Whatever
 * happens, the descriptors of the header's close mask are closed (pidfd4j_spawn does it, or this).
 */
static jint JNICALL jni_spawn(JNIEnv *env, jclass c, jint path, jbyteArray block, jint redirect_err,
                              jintArray out) {
    (void) c;
    jint result[4] = {0, 0, STAGE_CLONE, EINVAL};
    int rc = -1;
    struct spawn_header h;
    jsize len = (*env)->GetArrayLength(env, block);
    if (len < (jsize) sizeof h) {
        (*env)->SetIntArrayRegion(env, out, 0, 4, result);
        return -1;  /* no header, so no close mask either */
    }
    (*env)->GetByteArrayRegion(env, block, 0, (jsize) sizeof h, (jbyte *) &h);
    int fds[4] = {h.fds[0], h.fds[1], h.fds[2], h.close_mask};
    char *mem = malloc((size_t) len);
    if (mem == NULL) {
        result[3] = ENOMEM;
    } else {
        (*env)->GetByteArrayRegion(env, block, 0, len, (jbyte *) mem);
        /* Every string must end inside the block: its last byte is a NUL. */
        int cgroup_ok = (h.flags & SPAWN_INTO_CGROUP) != 0 ? h.cgroup_fd >= 0 : h.cgroup_fd == 0;
        if (cgroup_ok && mem[len - 1] == '\0' && relocate(mem, len, h.argv) && relocate(mem, len, h.shargv)
                && relocate(mem, len, h.candidates) && (h.envp == 0 || relocate(mem, len, h.envp))
                && (h.cwd == 0 || (h.cwd >= (int64_t) sizeof h && h.cwd < len))) {
            rc = pidfd4j_spawn(path, h.flags, h.cgroup_fd, (char *const *) (mem + h.candidates), (char **) (mem + h.argv),
                               (char **) (mem + h.shargv),
                               h.envp == 0 ? NULL : (char *const *) (mem + h.envp),
                               h.cwd == 0 ? NULL : mem + h.cwd, fds, redirect_err, result);
            fds[3] = 0;  /* pidfd4j_spawn has closed them */
        }
        free(mem);  /* the child has exec'd or died: nothing reads the block any more */
    }
    for (int i = 0; i < 3; i++)
        if ((fds[3] & (1 << i)) != 0 && fds[i] >= 0)
            close(fds[i]);
    (*env)->SetIntArrayRegion(env, out, 0, 4, result);
    return rc;
}

/* info: [0] si_code, [1] si_status, [2] si_pid; usage may be null (see pidfd4j_waitid). */
static jint JNICALL jni_waitid(JNIEnv *env, jclass c, jint pidfd, jint options, jintArray info,
                               jlongArray usage) {
    (void) c;
    int32_t i[3] = {0, 0, 0};
    int64_t u[9];
    int r = pidfd4j_waitid(pidfd, options, i, usage != NULL ? u : NULL);
    if (r == 0) {
        (*env)->SetIntArrayRegion(env, info, 0, 3, i);
        if (usage != NULL)
            (*env)->SetLongArrayRegion(env, usage, 0, 9, u);
    }
    return r;
}

static jint JNICALL jni_exit_status(JNIEnv *env, jclass c, jint pidfd, jintArray status) {
    (void) c;
    int32_t s = 0;
    int r = pidfd4j_exit_status(pidfd, &s);
    if (r == 0)
        (*env)->SetIntArrayRegion(env, status, 0, 1, &s);
    return r;
}

static jint JNICALL jni_send_signal(JNIEnv *env, jclass c, jint pidfd, jint sig) {
    (void) env; (void) c;
    return pidfd4j_send_signal(pidfd, sig);
}

static jint JNICALL jni_send_group_signal(JNIEnv *env, jclass c, jint pidfd, jint sig) {
    (void) env; (void) c;
    return pidfd4j_send_group_signal(pidfd, sig);
}

static jint JNICALL jni_kill_group(JNIEnv *env, jclass c, jint pgid, jint sig) {
    (void) env; (void) c;
    return pidfd4j_kill_group(pgid, sig);
}

static jint JNICALL jni_poll(JNIEnv *env, jclass c, jint pidfd, jint timeout_ms) {
    (void) env; (void) c;
    return pidfd4j_poll(pidfd, timeout_ms);
}

static jint JNICALL jni_pidfd_open(JNIEnv *env, jclass c, jint pid) {
    (void) env; (void) c;
    return pidfd4j_pidfd_open(pid);
}

static jint JNICALL jni_dup_cloexec(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    return pidfd4j_dup_cloexec(fd);
}

/* path: NUL-terminated bytes (the Java side appends the NUL); -errno on failure. */
static jint JNICALL jni_open(JNIEnv *env, jclass c, jbyteArray path, jint directory) {
    (void) c;
    jsize n = (*env)->GetArrayLength(env, path);
    if (n < 1)
        return -EINVAL;
    char *p = malloc((size_t) n);
    if (p == NULL)
        return -ENOMEM;
    (*env)->GetByteArrayRegion(env, path, 0, n, (jbyte *) p);
    int r = p[n - 1] != '\0' ? -EINVAL : directory ? pidfd4j_open_directory(p) : pidfd4j_open_read(p);
    free(p);
    return r;
}

/* rmdir(2) of a NUL-terminated path (an empty cgroup): 0 or an errno (EBUSY while populated). */
static jint JNICALL jni_rmdir(JNIEnv *env, jclass c, jbyteArray path) {
    (void) c;
    jsize n = (*env)->GetArrayLength(env, path);
    if (n < 1)
        return EINVAL;
    char *p = malloc((size_t) n);
    if (p == NULL)
        return ENOMEM;
    (*env)->GetByteArrayRegion(env, path, 0, n, (jbyte *) p);
    int r = p[n - 1] != '\0' ? EINVAL : rmdir(p) == 0 ? 0 : errno;
    free(p);
    return r;
}

static jint JNICALL jni_cgroup_populated(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    return pidfd4j_cgroup_populated(fd);
}

static jint JNICALL jni_pipe(JNIEnv *env, jclass c, jintArray fds) {
    (void) c;
    int32_t p[2];
    int r = pidfd4j_pipe(p);
    if (r == 0)
        (*env)->SetIntArrayRegion(env, fds, 0, 2, p);
    return r;
}

static jint JNICALL jni_close(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    return pidfd4j_close(fd);
}

static jint JNICALL jni_epoll_create(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    return pidfd4j_epoll_create();
}

static jint JNICALL jni_epoll_ctl(JNIEnv *env, jclass c, jint epfd, jint op, jint fd, jint events, jlong data) {
    (void) env; (void) c;
    return pidfd4j_epoll_ctl(epfd, op, fd, events, data);
}

/* Blocks in epoll_wait (the thread is in native state, so it holds up no safepoint). */
static jint JNICALL jni_epoll_wait(JNIEnv *env, jclass c, jint epfd, jlongArray data, jint timeout_ms) {
    (void) c;
    int64_t d[64];
    jsize max = (*env)->GetArrayLength(env, data);
    int n = pidfd4j_epoll_wait(epfd, d, max < 64 ? max : 64, timeout_ms);
    if (n > 0)
        (*env)->SetLongArrayRegion(env, data, 0, n, d);
    return n;
}

static void JNICALL jni_sigchld_default(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    pidfd4j_sigchld_default();
}

/* The C library's text, as bytes: Java decodes it as the JDK does (sun.jnu.encoding). */
static jbyteArray JNICALL jni_strerror(JNIEnv *env, jclass c, jint err) {
    (void) c;
    char buf[256];
    pidfd4j_strerror(err, buf, sizeof buf);
    jsize n = (jsize) strlen(buf);
    jbyteArray a = (*env)->NewByteArray(env, n);
    if (a != NULL)
        (*env)->SetByteArrayRegion(env, a, 0, n, (const jbyte *) buf);
    return a;  /* NULL with OutOfMemoryError pending */
}

/* java.io.FileDescriptor has no public way to read or set its descriptor number; the JDK's own
 * ProcessImpl uses an internal accessor. JNI reaches the field without --add-opens. */
static jfieldID fd_field;

static jint JNICALL jni_fd_get(JNIEnv *env, jclass c, jobject fdo) {
    (void) c;
    return (*env)->GetIntField(env, fdo, fd_field);
}

static void JNICALL jni_fd_set(JNIEnv *env, jclass c, jobject fdo, jint fd) {
    (void) c;
    (*env)->SetIntField(env, fdo, fd_field, fd);
}

/* Java name, signature, function: registered at load, so a mismatch fails there, loudly. */
static const JNINativeMethod methods[] = {
    {"pidfd4j_abi_version", "()I", (void *) jni_abi_version},
    {"pidfd4j_probe", "(II[I)I", (void *) jni_probe},
    {"pidfd4j_spawn", "(I[BI[I)I", (void *) jni_spawn},
    {"pidfd4j_waitid", "(II[I[J)I", (void *) jni_waitid},
    {"pidfd4j_exit_status", "(I[I)I", (void *) jni_exit_status},
    {"pidfd4j_send_signal", "(II)I", (void *) jni_send_signal},
    {"pidfd4j_send_group_signal", "(II)I", (void *) jni_send_group_signal},
    {"pidfd4j_kill_group", "(II)I", (void *) jni_kill_group},
    {"pidfd4j_poll", "(II)I", (void *) jni_poll},
    {"pidfd4j_pidfd_open", "(I)I", (void *) jni_pidfd_open},
    {"pidfd4j_dup_cloexec", "(I)I", (void *) jni_dup_cloexec},
    {"pidfd4j_pipe", "([I)I", (void *) jni_pipe},
    {"pidfd4j_open", "([BI)I", (void *) jni_open},
    {"pidfd4j_cgroup_populated", "(I)I", (void *) jni_cgroup_populated},
    {"pidfd4j_rmdir", "([B)I", (void *) jni_rmdir},
    {"pidfd4j_close", "(I)I", (void *) jni_close},
    {"pidfd4j_epoll_create", "()I", (void *) jni_epoll_create},
    {"pidfd4j_epoll_ctl", "(IIIIJ)I", (void *) jni_epoll_ctl},
    {"pidfd4j_epoll_wait", "(I[JI)I", (void *) jni_epoll_wait},
    {"pidfd4j_sigchld_default", "()V", (void *) jni_sigchld_default},
    {"pidfd4j_strerror", "(I)[B", (void *) jni_strerror},
    {"pidfd4j_fd_get", "(Ljava/io/FileDescriptor;)I", (void *) jni_fd_get},
    {"pidfd4j_fd_set", "(Ljava/io/FileDescriptor;I)V", (void *) jni_fd_set},
};

/* Called by System.load; FindClass here uses the loader of LinuxNative (the app's or the agent's). */
JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void) reserved;
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_1_8) != JNI_OK)
        return JNI_ERR;
    jclass fdc = (*env)->FindClass(env, "java/io/FileDescriptor");
    if (fdc == NULL || (fd_field = (*env)->GetFieldID(env, fdc, "fd", "I")) == NULL)
        return JNI_ERR;  /* a pending NoSuchFieldError makes System.load fail with it */
    jclass cls = (*env)->FindClass(env, "io/github/pidfd4j/linux/LinuxNative");
    if (cls == NULL || (*env)->RegisterNatives(env, cls, methods, sizeof methods / sizeof methods[0]) != 0)
        return JNI_ERR;
    return JNI_VERSION_1_8;
}

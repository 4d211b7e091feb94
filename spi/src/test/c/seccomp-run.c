/*
 * seccomp-run MODE PROGRAM ARGS...: runs PROGRAM under a seccomp filter that refuses what a
 * sandbox may refuse, so that tests can watch pidfd4j fall back. MODE:
 *   no-clone3       clone3 -> ENOSYS (Docker's default profile; a kernel before 5.3)
 *   clone3-eperm    clone3 -> EPERM (older Docker profiles), but only for pidfd4j's clone3, which passes
 *                   the version-0 size (64); other callers get ENOSYS, so that glibc (2.34+), which
 *                   falls back only on ENOSYS, can still create the JVM's threads
 *   no-clone-pidfd  clone3 -> ENOSYS and clone with CLONE_PIDFD -> EPERM
 *   no-pidfd        the same, and pidfd_open -> ENOSYS as well (a kernel before 5.3)
 *   probe-child-killed
 *                   every clone works, but exit_group(97), the end of pidfd4j's probe child (and of
 *                   nothing else the tests run), kills the process with SIGSYS: a stand-in for a clone
 *                   entry that crashes its child before it can report
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error unsupported architecture
#endif
#define CLONE_PIDFD_FLAG 0x00001000
#define NR_CLONE3 435
#define NR_PIDFD_OPEN 434
#define CLONE_ARGS_SIZE_VER0 64
#define PROBE_CHILD_EXIT 97 /* pidfd4j.c's */
#define ALLOW SECCOMP_RET_ALLOW
#define FAIL(err) (SECCOMP_RET_ERRNO | (err))

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s no-clone3|clone3-eperm|no-clone-pidfd|no-pidfd|probe-child-killed program [args...]\n", argv[0]);
        return 2;
    }
    /* What each mode answers: clone3 of size 64 (pidfd4j's), other clone3, pidfd_open, clone(CLONE_PIDFD),
     * exit_group(PROBE_CHILD_EXIT). */
    static const struct { const char *mode; unsigned clone3_v0, clone3, pidfd_open, clone_pidfd, probe_exit; } modes[] = {
        {"no-clone3", FAIL(ENOSYS), FAIL(ENOSYS), ALLOW, ALLOW, ALLOW},
        {"clone3-eperm", FAIL(EPERM), FAIL(ENOSYS), ALLOW, ALLOW, ALLOW},
        {"no-clone-pidfd", FAIL(ENOSYS), FAIL(ENOSYS), ALLOW, FAIL(EPERM), ALLOW},
        {"no-pidfd", FAIL(ENOSYS), FAIL(ENOSYS), FAIL(ENOSYS), FAIL(EPERM), ALLOW},
        {"probe-child-killed", ALLOW, ALLOW, ALLOW, ALLOW, SECCOMP_RET_KILL_PROCESS},
    };
    int m = -1;
    for (int i = 0; i < (int) (sizeof modes / sizeof modes[0]); i++)
        if (strcmp(argv[1], modes[i].mode) == 0)
            m = i;
    if (m < 0) {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROBE_CHILD_EXIT, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, modes[m].probe_exit),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_CLONE3, 0, 4),
        /* clone3's size is its second argument (the flags are behind the pointer, out of a filter's
         * reach); the low 32 bits sit first on these little-endian architectures */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CLONE_ARGS_SIZE_VER0, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, modes[m].clone3_v0),
        BPF_STMT(BPF_RET | BPF_K, modes[m].clone3),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_PIDFD_OPEN, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, modes[m].pidfd_open),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* clone's flags are its first argument; CLONE_PIDFD sits in the low 32 bits */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_PIDFD_FLAG, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, modes[m].clone_pidfd),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("seccomp");
        return 2;
    }
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    return 127;
}

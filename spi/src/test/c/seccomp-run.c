/*
 * seccomp-run MODE PROGRAM ARGS...: runs PROGRAM under a seccomp filter that refuses what a
 * sandbox may refuse, so that tests can watch pidfd4j fall back. MODE:
 *   no-clone-pidfd  clone with CLONE_PIDFD -> EPERM, clone3 -> ENOSYS (like Docker's default profile)
 *   no-pidfd        the same, and pidfd_open -> ENOSYS as well (a kernel before 5.3)
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

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s no-clone-pidfd|no-pidfd program [args...]\n", argv[0]);
        return 2;
    }
    int no_pidfd_open = strcmp(argv[1], "no-pidfd") == 0;
    if (!no_pidfd_open && strcmp(argv[1], "no-clone-pidfd") != 0) {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_CLONE3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_PIDFD_OPEN, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, no_pidfd_open ? (SECCOMP_RET_ERRNO | ENOSYS) : SECCOMP_RET_ALLOW),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        /* clone's flags are its first argument; CLONE_PIDFD sits in the low 32 bits */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_PIDFD_FLAG, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
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

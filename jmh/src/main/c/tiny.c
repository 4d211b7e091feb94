/*
 * The smallest possible child: a static, libc-free program with no dynamic loader, so that a
 * spawn benchmark of it measures process creation, exec and reaping rather than ld.so and libc
 * start-up (which dominate /bin/true's own run time).
 *
 * Built twice (see build.sh):
 *   tiny-true   exits 0 at once, like /bin/true.
 *   tiny-pause  (-DTINY_PAUSE) asks the kernel to SIGKILL it when its parent thread dies, then
 *               sleeps until a signal kills it: the sleeper of the footprint and exit benchmarks.
 */
#if defined(__x86_64__)
#define NR_EXIT_GROUP 231
#define NR_PRCTL 157
#define NR_PPOLL 271
static long sys(long n, long a, long b, long c, long d) {
    long r;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return r;
}
#elif defined(__aarch64__)
#define NR_EXIT_GROUP 94
#define NR_PRCTL 167
#define NR_PPOLL 73
static long sys(long n, long a, long b, long c, long d) {
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
    return x0;
}
#else
#error "tiny.c supports x86_64 and aarch64; build.sh falls back to a libc build elsewhere"
#endif

#define PR_SET_PDEATHSIG 1
#define SIGKILL 9

__attribute__((noreturn, used)) void tiny_main(void) {
#ifdef TINY_PAUSE
    sys(NR_PRCTL, PR_SET_PDEATHSIG, SIGKILL, 0, 0);
    for (;;)
        sys(NR_PPOLL, 0, 0, 0, 0);  /* no fds, no timeout: sleeps until a signal */
#endif
    for (;;)
        sys(NR_EXIT_GROUP, 0, 0, 0, 0);
}

/* The entry point: align the stack as a call would, then run tiny_main. */
#if defined(__x86_64__)
__asm__(".globl _start\n_start:\n xor %rbp,%rbp\n and $-16,%rsp\n call tiny_main\n");
#else
__asm__(".globl _start\n_start:\n mov x29, #0\n mov x30, #0\n bl tiny_main\n");
#endif

/* Fallback for tiny.c on architectures it has no syscall stubs for: the same two programs, with libc. */
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(void) {
#ifdef TINY_PAUSE
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (;;)
        pause();
#endif
    return 0;
}

package io.github.pidfd4j;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** Plain libc, called as other native code in the same JVM would: to inject faults from outside pidfd4j. */
public interface Libc extends Library {

    Libc C = Native.load("c", Libc.class);

    int RLIMIT_NPROC = 6;
    int RLIMIT_NOFILE = 7;
    int SIGCHLD = 17;
    int SIGCONT = 18;
    int SIGSTOP = 19;
    Pointer SIG_DFL = Pointer.createConstant(0);
    Pointer SIG_IGN = Pointer.createConstant(1);

    int kill(int pid, int sig);

    int waitpid(int pid, int[] status, int options);

    /** {@code rlim} is {cur, max}. */
    int getrlimit(int resource, long[] rlim);

    int setrlimit(int resource, long[] rlim);

    /** glibc's BSD-semantics signal(); returns the previous handler. */
    Pointer signal(int sig, Pointer handler);
}

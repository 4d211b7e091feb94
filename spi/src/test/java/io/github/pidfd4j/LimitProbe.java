package io.github.pidfd4j;

/**
 * Run by ResourceExhaustionTest. "nofile": the JDK's start() with no descriptor free, in a JVM of its own
 * because the JDK then closes its JVM's descriptor 0. "nproc", as an unprivileged user: for each contender, start() with RLIMIT_NPROC at 1
 * (this JVM's own threads are over it already, so every clone fails with EAGAIN), then again with the
 * limit restored. Prints {@code provider | exception class | message | fds before | fds after | zombies | exit}.
 */
public final class LimitProbe {

    private LimitProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("nofile")) {
            Proc.run(Contenders.JDK, Proc.sh("exit 0"));
            Object t = ResourceExhaustionTest.atDescriptorLimit(Contenders.JDK, 0);
            System.out.println(Contenders.JDK + " | " + t.getClass().getName() + " | " + ((Throwable) t).getMessage());
            return;
        }
        for (ProcessProvider provider : Contenders.list()) {
            Proc.run(provider, Proc.sh("exit 0"));  // warm up, and the pidfd watcher is started
            long[] saved = new long[2];
            check(Libc.C.getrlimit(Libc.RLIMIT_NPROC, saved));
            long fds = Proc.openFds();
            Throwable thrown = null;
            check(Libc.C.setrlimit(Libc.RLIMIT_NPROC, new long[] {1, saved[1]}));
            try {
                provider.start(Proc.sh("exit 5")).destroyForcibly();
            } catch (Throwable t) {
                thrown = t;
            } finally {
                check(Libc.C.setrlimit(Libc.RLIMIT_NPROC, saved));
            }
            long after = Proc.openFds();
            long zombies = Proc.zombies();
            int exit = Proc.run(provider, Proc.sh("exit 5")).exit();
            System.out.println(provider + " | " + (thrown == null ? "none" : thrown.getClass().getName()) + " | "
                    + (thrown == null ? "" : String.valueOf(thrown.getMessage()).replace('\n', ' ')) + " | " + fds + " | "
                    + after + " | " + zombies + " | " + exit);
            if (thrown != null && !(thrown instanceof java.io.IOException)) {
                thrown.printStackTrace();
            }
        }
    }

    private static void check(int rc) {
        if (rc != 0) {
            throw new IllegalStateException("rlimit call failed");
        }
    }
}

package io.github.pidfd4j.it.programs;

import io.github.pidfd4j.ExitInfo;
import java.util.concurrent.TimeUnit;

/**
 * A program that starts a process with {@link ProcessBuilder} and, having pidfd4j-spi on its class
 * path, asks {@link ExitInfo#of(Process)} how it ended: under the agent the process is the agent's
 * (another class loader); without it, a JDK process, which is refused.
 */
public final class ExitInfoApp {

    private ExitInfoApp() {
    }

    public static void main(String[] args) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; exit 6").start();
        try {
            ExitInfo exit = ExitInfo.of(p).get(60, TimeUnit.SECONDS);
            Evidence.print("exitinfo", "pid", exit.pid() == p.pid(), "exitCode", exit.exitCode().orElse(-1),
                    "known", exit.isStatusKnown(), "userMicros", exit.userCpuDuration().orElseThrow().toNanos() / 1000,
                    "wallMicros", exit.wallDuration().toNanos() / 1000);
        } catch (IllegalArgumentException e) {
            Evidence.print("exitinfo", "refused", e.getMessage().replace(' ', '_'));
        }
        System.out.println("exit: " + p.waitFor());
    }
}

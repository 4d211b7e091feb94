package io.github.pidfd4j.it.programs;

import io.github.pidfd4j.ExitInfo;
import io.github.pidfd4j.ProcessDescriptor;
import io.github.pidfd4j.ProcessTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A program that, having pidfd4j-spi on its class path, asks {@link ProcessDescriptor#duplicate} for a
 * process it started with {@link ProcessBuilder} (under the agent: the agent's process, in another
 * class loader; without it, a JDK process, which is refused), {@link ProcessTree#destroyGroup} for it (refused
 * either way, for a different reason), and {@link ExitInfo#of(ProcessHandle)}
 * for that process's handle.
 */
public final class DescriptorApp {

    private DescriptorApp() {
    }

    public static void main(String[] args) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "read x; exit 6").start();
        try (ProcessDescriptor pidfd = ProcessDescriptor.duplicate(p)) {
            String fdinfo = Files.readString(Path.of("/proc/self/fdinfo/" + pidfd.fd()));
            Evidence.print("descriptor", "pid", fdinfo.contains("Pid:\t" + p.pid() + "\n"));
        } catch (IllegalArgumentException e) {
            Evidence.print("descriptor", "refused", e.getMessage().replace(' ', '_'));
        }
        try {
            // The agent's children lead no group of their own: refused as such (IllegalStateException),
            // which shows the agent's copy was asked; a JDK child is not pidfd4j's (IllegalArgumentException).
            Evidence.print("tree", "sent", ProcessTree.destroyGroup(p));
        } catch (IllegalStateException | IllegalArgumentException e) {
            Evidence.print("tree", "refused", e.getClass().getSimpleName(), "notLeader",
                    e.getMessage().contains("not spawned as the leader"));
        }
        var byHandle = ExitInfo.of(p.toHandle());
        p.getOutputStream().close();
        ExitInfo exit = byHandle.get(60, TimeUnit.SECONDS);
        Evidence.print("handle", "known", exit.isStatusKnown(), "exitValue", exit.exitValue());
        System.out.println("exit: " + p.waitFor());
    }
}

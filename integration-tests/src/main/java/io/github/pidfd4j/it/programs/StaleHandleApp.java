package io.github.pidfd4j.it.programs;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run as pid 1 of a pid namespace of its own, as root: a child exits and is reaped, the namespace's
 * next pid is set (ns_last_pid) so that a stranger gets the child's pid at once, and the child's stale
 * {@code toHandle()} is asked isAlive() and destroyForcibly(). The JDK checks the pid's start time with
 * clock-tick (10 ms) resolution and then kill()s it, so it often kills the stranger.
 *
 * <p>Argument: rounds. Evidence "stale": rounds where the stranger got the pid, and how often the stale
 * handle said alive, said destroyed, and killed the stranger.
 */
public final class StaleHandleApp {

    /** Returns just after /proc/uptime (1/100 s, the clock tick of start times) moves on. */
    private static void awaitClockTick() throws java.io.IOException {
        Path uptime = Path.of("/proc/uptime");
        String now = Files.readString(uptime);
        while (Files.readString(uptime).equals(now)) {
            Thread.onSpinWait();
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        Path lastPid = Path.of("/proc/sys/kernel/ns_last_pid");
        int reused = 0;
        int saidAlive = 0;
        int saidDestroyed = 0;
        int strangersKilled = 0;
        for (int i = 0; i < rounds; i++) {
            awaitClockTick();  // the child and the stranger then most likely start within the same tick
            Process child = new ProcessBuilder("sleep", "30").start();
            ProcessHandle stale = child.toHandle();
            child.destroyForcibly().waitFor();  // killed at once, and reaped: its pid is free
            long pid = child.pid();
            Files.writeString(lastPid, Long.toString(pid - 1));
            Process stranger = new ProcessBuilder("sleep", "30").start();
            if (stranger.pid() == pid) {
                reused++;
                if (stale.isAlive()) {
                    saidAlive++;
                }
                if (stale.destroyForcibly()) {
                    saidDestroyed++;
                }
            }
            // SIGTERM now: a stranger that dies of it (143) was not signalled before; one that the stale
            // handle's SIGKILL reached is dying of that already (137).
            stranger.destroy();
            if (stranger.waitFor() == 137 && stranger.pid() == pid) {
                strangersKilled++;
            }
        }
        System.out.println("stale handles tried: " + (reused > 0));
        Evidence.print("stale", "rounds", rounds, "reused", reused, "saidAlive", saidAlive,
                "saidDestroyed", saidDestroyed, "strangersKilled", strangersKilled);
    }
}

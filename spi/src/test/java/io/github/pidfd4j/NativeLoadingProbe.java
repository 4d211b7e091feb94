package io.github.pidfd4j;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a fresh JVM by {@link NativeLoadingTest}: selects a provider, starts {@code /bin/true}
 * through it, then prints what the test checks as key=value lines: the provider, its spawn path or
 * why it is unavailable, every file-backed executable mapping of this JVM, and the JDK's
 * process-reaper threads (the JDK's own spawns leave one each). Then it prints {@code done} and stays
 * alive until its standard input ends, so that the test can look at the files it maps: a temporary
 * directory of its own is removed when it exits.
 */
public final class NativeLoadingProbe {

    public static void main(String[] args) throws Exception {
        ProcessProvider provider = ProcessProviders.provider();
        Process p = ProcessProviders.start(new ProcessBuilder("/bin/true"));
        System.out.println("exit=" + p.waitFor());
        System.out.println("provider=" + provider.name());
        System.out.println("spawnPath=" + provider.spawnPath());
        ProcessProviders.byName("pidfd").ifPresent(pidfd ->
                System.out.println("pidfdCause=" + (pidfd.isAvailable() ? "" : String.valueOf(pidfd.unavailabilityCause()))));
        int i = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length == 6 && f[1].contains("x") && f[5].startsWith("/")) {
                System.out.println("map." + i++ + "=" + f[5]);
            }
        }
        int reapers = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("process reaper")) {
                reapers++;
            }
        }
        System.out.println("reapers=" + reapers);
        System.out.println("done");
        System.out.flush();
        System.in.readAllBytes();
    }
}

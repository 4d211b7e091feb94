package io.github.pidfd4j.it.programs;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts {@code /bin/true} with a plain ProcessBuilder, then prints, as evidence, every file this JVM
 * has mapped as code and how many JDK process-reaper threads exist.
 */
public final class MappedCodeApp {

    public static void main(String[] args) throws Exception {
        Process p = new ProcessBuilder("/bin/true").start();
        System.out.println("exit " + p.waitFor());
        Evidence.process("spawned", p);
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length == 6 && f[1].contains("x") && f[5].startsWith("/")) {
                Evidence.print("mapped", "path", f[5].replace(' ', '_'));
            }
        }
        long reapers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("process reaper")).count();
        Evidence.print("reapers", "count", reapers);
    }
}

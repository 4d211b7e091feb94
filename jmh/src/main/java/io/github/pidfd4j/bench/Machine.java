package io.github.pidfd4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the report says about the machine, read from /proc. */
final class Machine {

    private Machine() {
    }

    /** CPU model, CPU count and memory, e.g. "Intel Xeon ..., 2 CPUs, 8 GB RAM". */
    static String describe() {
        String cpu = "?";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // leave "?"
        }
        long memKb = 0;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(l.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // leave 0
        }
        return String.format(Locale.ROOT, "%s, %d CPUs, %.0f GB RAM", cpu, cpus(), memKb / 1024.0 / 1024.0);
    }

    static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    static String kernel() {
        return "Linux " + read("/proc/sys/kernel/osrelease");
    }

    /** The 1-minute load average, or 0 if unknown. */
    static double load1() {
        try {
            return Double.parseDouble(read("/proc/loadavg").split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String read(String file) {
        try {
            return String.join(" ", Files.readAllLines(Path.of(file))).trim();  // see Footprint.readLong
        } catch (IOException e) {
            return "?";
        }
    }
}

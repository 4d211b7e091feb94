package io.github.pidfd4j.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the cgroup v2 hierarchy is mounted and where this JVM sits in it, read from
 * {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}, never assumed: pure v2 machines mount it at
 * {@code /sys/fs/cgroup}, "hybrid" ones at {@code /sys/fs/cgroup/unified}, some not at all. Used only
 * by the cgroup options, so nothing here is loaded or read by a spawn without them.
 */
final class Cgroups {

    private Cgroups() {
    }

    /** A cgroup2 mount: where it is, and which directory of the hierarchy (per the mount's namespace) it shows. */
    record Mount(Path point, String root) {
    }

    /** Every cgroup2 mount of this JVM's mount namespace, in mountinfo order. */
    static List<Mount> v2Mounts() throws IOException {
        List<Mount> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            // id parent major:minor root mount-point options [optional fields...] - fstype source super-options
            int dash = line.indexOf(" - ");
            String[] before = line.substring(0, Math.max(dash, 0)).split(" ");
            String[] after = dash < 0 ? new String[0] : line.substring(dash + 3).split(" ");
            if (before.length >= 5 && after.length >= 1 && after[0].equals("cgroup2")) {
                mounts.add(new Mount(Path.of(unescape(before[4])), unescape(before[3])));
            }
        }
        return mounts;
    }

    /** mountinfo escapes blanks, tabs, newlines and backslashes as \ooo. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape: keep the backslash
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    /** The cgroup2 mount {@code directory} is on, or null. {@code directory} must be absolute and normalised. */
    static Mount mountOf(Path directory, List<Mount> mounts) {
        Mount best = null;
        for (Mount m : mounts) {  // the deepest mount point wins, as the kernel resolves the path
            if (directory.startsWith(m.point())
                    && (best == null || m.point().getNameCount() > best.point().getNameCount())) {
                best = m;
            }
        }
        return best;
    }

    /**
     * Checks a directory given for a cgroup option: absolute and on a cgroup2 mount, or an
     * {@link IllegalArgumentException} naming it. Returns it normalised.
     */
    static Path checkOnV2Mount(Path directory, String option) throws IOException {
        if (!directory.isAbsolute()) {
            throw new IllegalArgumentException(option + ": not an absolute path: " + directory);
        }
        Path d = directory.normalize();
        List<Mount> mounts = v2Mounts();
        if (mountOf(d, mounts) == null) {
            throw new IllegalArgumentException(option + ": " + directory + " is not on a cgroup v2 mount ("
                    + (mounts.isEmpty() ? "this machine mounts none" : "they are at " + points(mounts)) + ")");
        }
        return d;
    }

    private static String points(List<Mount> mounts) {
        StringBuilder b = new StringBuilder();
        for (Mount m : mounts) {
            b.append(b.length() == 0 ? "" : ", ").append(m.point());
        }
        return b.toString();
    }

    /**
     * The directory of this JVM's own cgroup v2 (the {@code 0::} line of {@code /proc/self/cgroup}) on a
     * cgroup2 mount that shows it, or null where there is none (no v2 hierarchy, or not mounted here).
     */
    static Path ownDirectory() throws IOException {
        String own = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
            if (line.startsWith("0::")) {
                own = line.substring(3);
            }
        }
        if (own == null || !own.startsWith("/")) {
            return null;
        }
        for (Mount m : v2Mounts()) {
            // A mount shows the hierarchy from its root: the JVM's path must lie below it.
            String root = m.root().equals("/") ? "" : m.root();
            if (own.equals(root) || own.startsWith(root + "/")) {
                String rest = own.substring(root.length());
                return rest.isEmpty() || rest.equals("/") ? m.point() : m.point().resolve(rest.substring(1));
            }
        }
        return null;
    }

    /**
     * The kernel version as major * 1000 + minor (6.18: 6018), from {@code os.version} (uname's
     * release); 0 when it cannot be read.
     */
    static int kernelVersion() {
        String v = System.getProperty("os.version", "");
        int major = 0;
        int minor = 0;
        int i = 0;
        for (; i < v.length() && Character.isDigit(v.charAt(i)); i++) {
            major = major * 10 + (v.charAt(i) - '0');
        }
        if (i < v.length() && v.charAt(i) == '.') {
            for (i++; i < v.length() && Character.isDigit(v.charAt(i)); i++) {
                minor = minor * 10 + (v.charAt(i) - '0');
            }
        }
        return major * 1000 + Math.min(minor, 999);
    }
}

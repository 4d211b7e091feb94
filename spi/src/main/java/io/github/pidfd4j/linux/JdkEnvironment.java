package io.github.pidfd4j.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A child's environment, byte for byte as the JDK's {@code ProcessEnvironment} would give it.
 *
 * <p>The JDK keeps every variable as the bytes it read from {@code environ} together with their decoded
 * string ({@code Variable}, {@code Value}); only what the program puts is encoded, with the JNU charset.
 * A map from {@link ProcessBuilder#environment()} shows only the strings, in which undecodable bytes have
 * become U+FFFD. Two public traits of that map give the bytes back without opening {@code java.lang}:
 * <ul>
 * <li>an entry's {@code hashCode()} is that of the JDK's {@code HashMap} node, the hash of the name's
 *     bytes XOR that of the value's, so it tells which bytes the entry holds: its strings' own encoding
 *     (put by the program, or text that round-trips) or the JVM's original bytes, which
 *     {@code /proc/self/environ} still holds;</li>
 * <li>the entry sets of two such maps compare those bytes ({@code StringEntrySet.equals}), where
 *     {@code Map.equals} compares lossy strings.</li>
 * </ul>
 * The entries come in the map's iteration order, which is the JDK's. The agent does better: its bridge
 * inside {@code java.lang} hands over {@code ProcessEnvironment.toEnvironmentBlock} itself.
 */
final class JdkEnvironment {

    /** The JDK's own block (entries each ending in NUL), set by the agent; null in library mode. */
    static volatile Function<Map<String, String>, byte[]> jdkBlock;

    private JdkEnvironment() {
    }

    /**
     * Whether {@code env} holds exactly the JVM's variables, byte for byte; the child then inherits
     * {@code environ} itself, as with the JDK when {@code environment()} was never called. Compared with a
     * copy of the JDK's map ({@link Jvms}), entry set to entry set: only between two of its own kind does
     * the JDK compare bytes ({@code env.equals(System.getenv())} compares decoded strings and fails for a
     * name that does not decode; {@code System.getenv().entrySet()} is wrapped and re-encodes too).
     */
    static boolean isTheJvms(Map<String, String> env) {
        Map<String, String> jvms = Jvms.ENVIRONMENT;
        return env.size() == jvms.size() && jvms.entrySet().equals(env.entrySet());
    }

    /**
     * One copy of the JDK's map, made once: the JVM's environment never changes, and a copy per spawn
     * was a third of what a spawn allocated. Only read here, never handed out.
     */
    private static final class Jvms {
        static final Map<String, String> ENVIRONMENT = new ProcessBuilder().environment();
    }

    /** "name=value" entries without their NUL, in the JDK's order and with the JDK's bytes. */
    static byte[][] block(Map<String, String> env) {
        Function<Map<String, String>, byte[]> jdk = jdkBlock;
        if (jdk != null) {
            return split(jdk.apply(env), env.size());
        }
        Hash hashing = Hash.RUNNING;
        byte[][] block = new byte[env.size()][];
        Map<String, List<byte[][]>> original = null;  // read only when an entry is not its string's encoding
        int i = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            byte[] name = e.getKey().getBytes(PidfdLauncher.CHARSET);
            byte[] value = e.getValue().getBytes(PidfdLauncher.CHARSET);
            int hash = e.hashCode();
            if (hashing != null && hashing.of(name, value) != hash) {
                // Bytes that do not round-trip: the JVM's originals, if one of them is this entry.
                if (original == null) {
                    original = byDecodedEntry();
                }
                List<byte[][]> candidates = original.get(e.getKey() + '\u0000' + e.getValue());
                if (candidates != null) {
                    for (int c = 0; c < candidates.size(); c++) {
                        byte[][] nv = candidates.get(c);
                        if (hashing.of(nv[0], nv[1]) == hash) {
                            name = nv[0];
                            value = nv[1];
                            candidates.remove(c);  // each original variable is in the map once
                            break;
                        }
                    }
                }
            }
            byte[] entry = new byte[name.length + 1 + value.length];
            System.arraycopy(name, 0, entry, 0, name.length);
            entry[name.length] = '=';
            System.arraycopy(value, 0, entry, name.length + 1, value.length);
            block[i++] = entry;
        }
        return block;
    }

    /**
     * How the running JDK hashes a variable's bytes: JDK 17 with {@code ProcessEnvironment.arrayHash}
     * (31-polynomial from 0), later ones with {@code Arrays.hashCode} (from 1). Found out once on a map of
     * the JDK's own; null if neither fits, and then every entry is encoded from its strings.
     */
    private enum Hash {
        FROM_ZERO(0), FROM_ONE(1);

        static final Hash RUNNING = detect();

        private final int seed;

        Hash(int seed) {
            this.seed = seed;
        }

        int of(byte[] name, byte[] value) {
            return of(name) ^ of(value);
        }

        private int of(byte[] bytes) {
            int h = seed;
            for (byte b : bytes) {
                h = 31 * h + b;
            }
            return h;
        }

        private static Hash detect() {
            Map<String, String> probe = new ProcessBuilder().environment();
            probe.clear();
            probe.put("pidfd4j", "probe");
            int h = probe.entrySet().iterator().next().hashCode();
            byte[] name = "pidfd4j".getBytes(PidfdLauncher.CHARSET);
            byte[] value = "probe".getBytes(PidfdLauncher.CHARSET);
            for (Hash candidate : values()) {
                if (candidate.of(name, value) == h) {
                    return candidate;
                }
            }
            return null;
        }
    }

    /** Splits ProcessEnvironment's block: {@code count} entries, each ending in NUL. */
    private static byte[][] split(byte[] block, int count) {
        byte[][] entries = new byte[count][];
        int start = 0;
        for (int i = 0; i < count; i++) {
            int end = start;
            while (block[end] != 0) {
                end++;
            }
            entries[i] = Arrays.copyOfRange(block, start, end);
            start = end + 1;
        }
        return entries;
    }

    /**
     * The JVM's original variables as the JDK read them (ProcessEnvironment_md.c): entries without '='
     * skipped, the name ends at the first '=', the first of duplicate names wins; indexed by their
     * decoded "name NUL value". Empty when /proc/self/environ cannot be read: entries are then encoded
     * from their strings, as before.
     */
    private static Map<String, List<byte[][]>> byDecodedEntry() {
        Map<String, List<byte[][]>> result = new HashMap<>();
        for (byte[][] nv : Original.VARIABLES) {
            String key = new String(nv[0], PidfdLauncher.CHARSET) + '\u0000' + new String(nv[1], PidfdLauncher.CHARSET);
            result.computeIfAbsent(key, k -> new ArrayList<>(1)).add(nv);
        }
        return result;
    }

    /** Read once: what exec gave this process does not change (setenv does not write there). */
    private static final class Original {
        static final List<byte[][]> VARIABLES = read();

        private static List<byte[][]> read() {
            byte[] all;
            try {
                all = Files.readAllBytes(Path.of("/proc/self/environ"));
            } catch (IOException | SecurityException e) {
                return List.of();
            }
            List<byte[][]> variables = new ArrayList<>();
            Set<String> names = new HashSet<>();
            int start = 0;
            while (start < all.length) {
                int end = start;
                while (end < all.length && all[end] != 0) {
                    end++;
                }
                int eq = start;
                while (eq < end && all[eq] != '=') {
                    eq++;
                }
                if (eq < end) {
                    byte[] name = Arrays.copyOfRange(all, start, eq);
                    // ISO-8859-1 maps bytes to chars one to one: a lossless key for "seen".
                    if (names.add(new String(name, java.nio.charset.StandardCharsets.ISO_8859_1))) {
                        variables.add(new byte[][] {name, Arrays.copyOfRange(all, eq + 1, end)});
                    }
                }
                start = end + 1;
            }
            return variables;
        }
    }
}

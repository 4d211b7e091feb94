package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Error texts come from strerror in the C library's locale and must be decoded as the JDK decodes
 * them (sun.jnu.encoding), not as UTF-8: in fr_FR.ISO-8859-1, EACCES is "Permission non accordée"
 * with a Latin-1 é. The locale is compiled into a folder of the test's own (LOCPATH), so the machine
 * needs only glibc's locale sources and French messages; where they are missing the test is skipped.
 */
class LocaleMessageTest {

    @Test
    void strerrorTextsAreDecodedAsTheJdkDecodesThem(@TempDir Path dir) throws Exception {
        Path locales = Files.createDirectories(dir.resolve("locales"));
        assumeTrue(Files.isRegularFile(Path.of("/usr/share/locale/fr/LC_MESSAGES/libc.mo")),
                "glibc's French messages are not installed (/usr/share/locale/fr/LC_MESSAGES/libc.mo)");
        Process def = new ProcessBuilder("localedef", "-i", "fr_FR", "-f", "ISO-8859-1",
                locales.resolve("fr_FR.ISO-8859-1").toString()).redirectErrorStream(true).start();
        String defOut = new String(def.getInputStream().readAllBytes());
        assumeTrue(def.waitFor(60, TimeUnit.SECONDS) && def.exitValue() == 0,
                "cannot compile the fr_FR.ISO-8859-1 locale: " + defOut);

        Path notExecutable = Files.writeString(dir.resolve("data.txt"), "not a program");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                LocaleMessageProbe.class.getName(), notExecutable.toString());
        pb.environment().put("LOCPATH", locales.toString());
        pb.environment().put("LC_ALL", "fr_FR.ISO-8859-1");
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Map<String, String> r = new HashMap<>();
        for (String line : List.of(out.split("\n"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                r.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertTrue(r.get("jdk").contains("Permission non accord\\u00e9e"), "the locale is in effect: " + out);
        assertEquals(r.get("jdk"), r.get("pidfd"), out);
    }
}

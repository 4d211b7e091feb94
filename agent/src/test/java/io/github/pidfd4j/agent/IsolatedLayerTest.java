package io.github.pidfd4j.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.pidfd4j.agent.isolated.Installer;
import io.github.pidfd4j.linux.AgentSupport;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The isolated module's package list against what the build embeds: pidfd4j-spi's classes and the agent's entry points. */
class IsolatedLayerTest {

    /** The packages of the classes under a class-path root (a directory or a jar), optionally only under {@code prefix}. */
    private static Set<String> packagesOf(Class<?> member, String prefix) throws IOException, URISyntaxException {
        Path root = Path.of(member.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> packages = new TreeSet<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                files.map(p -> root.relativize(p).toString().replace('\\', '/')).forEach(n -> add(packages, n, prefix));
            }
        } else {
            try (JarFile jar = new JarFile(root.toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    add(packages, e.nextElement().getName(), prefix);
                }
            }
        }
        return packages;
    }

    private static void add(Set<String> packages, String name, String prefix) {
        int slash = name.lastIndexOf('/');
        if (name.endsWith(".class") && slash > 0 && !name.endsWith("module-info.class") && !name.startsWith("META-INF/")
                && name.startsWith(prefix)) {
            packages.add(name.substring(0, slash).replace('/', '.'));
        }
    }

    @Test
    void thePackageListIsThatOfTheEmbeddedClasses() throws Exception {
        Set<String> embedded = new TreeSet<>(packagesOf(AgentSupport.class, ""));                      // pidfd4j-spi, all of it
        embedded.addAll(packagesOf(Installer.class, IsolatedLayer.EXPORTED.replace('.', '/') + "/"));  // the agent's isolated part
        assertEquals(embedded, new TreeSet<>(IsolatedLayer.PACKAGES));
    }
}

package io.github.pidfd4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The do-nothing javaagent of the start-up benchmark: an empty {@code premain}, so that a JVM with
 * it pays what every {@code -javaagent} costs (java.instrument, the JVMTI agent, opening the jar,
 * loading the class), which is the baseline the pidfd4j agent's own cost is measured against.
 */
public final class NoopAgent {

    private NoopAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        // nothing, on purpose
    }

    /**
     * Writes {@code noop-agent.jar} (this class and a manifest naming it as {@code Premain-Class})
     * into {@code dir}; the jar is made at run time so that the tests and {@code ./bench} need no
     * extra build step.
     */
    static Path writeJar(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path jar = dir.resolve("noop-agent.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(new Attributes.Name("Premain-Class"), NoopAgent.class.getName());
        String entry = NoopAgent.class.getName().replace('.', '/') + ".class";
        try (OutputStream os = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(os, m);
             InputStream in = NoopAgent.class.getResourceAsStream("/" + entry)) {
            if (in == null) {
                throw new IOException(entry + " not found on the class path");
            }
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}

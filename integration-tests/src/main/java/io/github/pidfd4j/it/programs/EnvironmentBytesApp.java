package io.github.pidfd4j.it.programs;

import java.io.IOException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code /usr/bin/env} with the environment left alone, looked at, changed and replaced, and
 * prints the bytes each child got, in hex. Run with an environment of raw bytes (undecodable text, a
 * name that does not decode, an entry without '=', a duplicate), it shows whether unchanged variables
 * keep their bytes and order as the JDK gives them.
 */
public final class EnvironmentBytesApp {

    private EnvironmentBytesApp() {
    }

    public static void main(String[] args) throws Exception {
        show("untouched", new ProcessBuilder("/usr/bin/env"));

        ProcessBuilder looked = new ProcessBuilder("/usr/bin/env");
        looked.environment();  // only called: the JDK then passes its own copy, in its order
        show("environment() called", looked);

        ProcessBuilder put = new ProcessBuilder("/usr/bin/env");
        put.environment().put("X", "1");
        show("put", put);

        ProcessBuilder changed = new ProcessBuilder("/usr/bin/env");
        changed.environment().put("AUTHOR", "Zo\u00eb");
        changed.environment().remove("DUP");
        changed.environment().put("LATIN", changed.environment().get("LATIN"));
        show("changed", changed);

        show("Runtime.exec envp", Runtime.getRuntime().exec(new String[] {"/usr/bin/env"},
                new String[] {"A=1", "ONLY=\u00e9", "A=2", "NOEQUALS"}));
    }

    private static void show(String what, ProcessBuilder pb) throws IOException, InterruptedException {
        show(what, pb.start());
    }

    private static void show(String what, Process p) throws IOException, InterruptedException {
        Evidence.process(what, p);
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        System.out.println(what + ": exit " + p.exitValue() + " " + HexFormat.of().formatHex(out));
    }
}

package io.github.pidfd4j;

import java.io.File;
import java.io.IOException;

/**
 * Run in a child JVM by {@link PathRulesTest} with a PATH of its choosing (the JVM's PATH is what
 * the lookup uses, so it cannot be changed from inside a test JVM). Prints one line per scenario
 * and contender; the test requires the pidfd lines to equal the JDK's.
 */
public final class PathRulesProbe {

    private PathRulesProbe() {
    }

    /** args: working directory, then program names to start. */
    public static void main(String[] args) throws Exception {
        File dir = new File(args[0]);
        for (ProcessProvider provider : Contenders.list()) {
            for (int i = 1; i < args.length; i++) {
                for (boolean ownEnv : new boolean[] {false, true}) {
                    ProcessBuilder pb = new ProcessBuilder(args[i], "arg").directory(dir);
                    if (ownEnv) {
                        pb.environment().put("PIDFD4J_OWN_ENV", "1");  // the JDK then searches by its own rules
                    }
                    String result;
                    try {
                        Proc.Result r = Proc.run(provider, pb);
                        result = "exit " + r.exit() + ": " + r.out().strip();
                    } catch (IOException e) {
                        result = "threw " + e.getMessage();
                    }
                    System.out.println(provider.spawnPath() + " " + args[i] + (ownEnv ? " (own env)" : "") + " -> " + result);
                }
            }
        }
    }
}

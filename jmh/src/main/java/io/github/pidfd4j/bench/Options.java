package io.github.pidfd4j.bench;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** The command line of {@code ./bench} (see {@link #USAGE}). */
final class Options {

    static final String USAGE = String.join("\n",
            "usage: bench [--full] [--only REGEX] [--contenders LIST] [--jvm JAVA] [--agent JAR] [--out DIR]",
            "  --full            the full profile (" + Profile.FULL + ")",
            "                    default: the short one (" + Profile.SHORT + ")",
            "  --smoke           a few hundred milliseconds per benchmark, to check that everything runs",
            "  --only REGEX      only the jobs whose name matches, e.g. 'spawn|heap', 'footprint' or 'start-up'",
            "  --contenders L    comma-separated subset of " + Arrays.toString(Contender.values()),
            "  --jvm JAVA        the java executable of the benchmarked JVMs (default: this one)",
            "  --agent JAR       the pidfd4j javaagent jar (default: agent/target/pidfd4j-agent-*.jar)",
            "  --out DIR         where results go (default: jmh/target/bench)",
            "  --list            print the jobs and exit");

    Profile profile = Profile.SHORT;
    /** Only the jobs whose name matches; null: all. */
    Pattern only;
    List<Contender> contenders = List.of(Contender.values());
    String jvm = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** The agent jar, or null if none was found or the given one is not a file. */
    String agentJar;
    Path out = Path.of("jmh", "target", "bench");
    boolean list;
    boolean help;

    private Options() {
    }

    /** A command line that {@code ./bench} does not understand: exit status 2, with the usage. */
    static final class UsageError extends IllegalArgumentException {
        UsageError(String message) {
            super(message);
        }
    }

    /**
     * @throws UsageError for an unknown argument
     * @throws IllegalArgumentException for an unknown contender
     */
    static Options parse(String... args) {
        Options o = new Options();
        String agent = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full": o.profile = Profile.FULL; break;
                case "--short": o.profile = Profile.SHORT; break;
                case "--smoke": o.profile = Profile.SMOKE; break;
                case "--only": o.only = Pattern.compile(args[++i]); break;
                case "--contenders": {
                    List<Contender> cs = new ArrayList<>();
                    for (String s : args[++i].split(",")) {
                        cs.add(Contender.of(s));
                    }
                    o.contenders = cs;
                    break;
                }
                case "--jvm": o.jvm = args[++i]; break;
                case "--agent": agent = args[++i]; break;
                case "--out": o.out = Path.of(args[++i]); break;
                case "--list": o.list = true; break;
                case "-h": case "--help": o.help = true; return o;
                default: throw new UsageError("unknown argument: " + args[i]);
            }
        }
        if (agent == null) {
            o.agentJar = Preflight.findAgentJar();
        } else if (new File(agent).isFile()) {
            o.agentJar = agent;
        }
        return o;
    }
}

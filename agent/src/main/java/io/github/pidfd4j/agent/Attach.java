package io.github.pidfd4j.agent;

import com.sun.tools.attach.VirtualMachine;
import java.nio.file.Path;

/**
 * {@code java -jar pidfd4j-agent.jar <pid> [agent arguments]}: loads this agent into a running JVM of
 * the same user (run it with the same Java version as the target). Processes that JVM starts after the
 * attach use pidfds.
 */
public final class Attach {

    private Attach() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2 || !args[0].matches("[0-9]+")) {
            System.err.println("usage: java -jar pidfd4j-agent.jar <pid> [key=value,...]");
            System.exit(2);
            return;
        }
        String jar = Path.of(Attach.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        try {
            vm.loadAgent(jar, args.length > 1 ? args[1] : null);
        } finally {
            vm.detach();
        }
        System.out.println("pidfd4j agent loaded into " + args[0]);
    }
}

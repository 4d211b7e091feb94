package io.github.pidfd4j;

import java.util.concurrent.TimeUnit;

/**
 * Run by OnExitDependentsTest: a child's onExit() dependent calls System.exit(7) while the main thread
 * waits for another child; a shutdown hook then starts a child and waits for it, which must still work.
 */
public final class ExitInDependentProbe {

    private ExitInDependentProbe() {
    }

    public static void main(String[] args) throws Exception {
        ProcessProvider provider = Contenders.list().get(Integer.parseInt(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Process p = provider.start(Proc.sh("exit 4"));
                System.out.println("hook: exit " + p.waitFor());
                // onExit()'s dependents run on the common pool, whose one worker (2 cores) may be the
                // thread in System.exit: the JDK's then never completes; the same is expected here.
                try {
                    System.out.println("hook: onExit " + p.onExit().get(2, TimeUnit.SECONDS).exitValue());
                } catch (java.util.concurrent.TimeoutException e) {
                    System.out.println("hook: onExit not completed in 2 s");
                }
            } catch (Exception e) {
                System.out.println("hook: " + e);
            }
        }));
        Process waited = provider.start(new ProcessBuilder("sleep", "60"));
        Process trigger = provider.start(Proc.sh("sleep 0.2; exit 3"));
        trigger.onExit().thenRun(() -> System.exit(7));
        System.out.println("started");
        try {
            waited.waitFor();
        } finally {
            waited.destroyForcibly();
        }
    }
}

package io.github.pidfd4j.it.programs;

/**
 * Starts a process, lets {@link RetransformingAgent} retransform {@code ProcessImpl} and
 * {@code ProcessHandleImpl}, then starts and watches more: pidfd4j's prologue must survive another
 * agent's retransformation although pidfd4j's agent no longer has a transformer registered.
 */
public final class RetransformApp {

    private RetransformApp() {
    }

    public static void main(String[] args) throws Exception {
        Process before = new ProcessBuilder("sh", "-c", "exit 3").start();
        Evidence.process("before", before);
        System.out.println("before: exit " + before.waitFor());

        RetransformingAgent.instrumentation.retransformClasses(
                Class.forName("java.lang.ProcessImpl"), Class.forName("java.lang.ProcessHandleImpl"));
        System.out.println("retransformed");

        Process after = new ProcessBuilder("sh", "-c", "sleep 0.1; exit 4").start();
        Evidence.process("after", after);
        ProcessHandle handle = after.toHandle();
        System.out.println("after: handle alive " + handle.isAlive());
        handle.onExit().get();
        System.out.println("after: handle onExit completed");
        System.out.println("after: exit " + after.waitFor() + ", handle alive " + handle.isAlive());
    }
}

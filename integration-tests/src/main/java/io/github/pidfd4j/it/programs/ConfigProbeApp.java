package io.github.pidfd4j.it.programs;

/** Starts one process, waits for it through its handle, and tells which path it took and pidfd4j's properties. */
public final class ConfigProbeApp {

    private ConfigProbeApp() {
    }

    public static void main(String[] args) throws Exception {
        Process p = new ProcessBuilder("sleep", "0.2").start();
        System.out.println("handle onExit: " + (p.toHandle().onExit().get().pid() == p.pid()));
        System.out.println("exit: " + p.waitFor());
        // The handle's isAlive() and destroy() (with the agent, the patched ProcessHandleImpl's) after the reap.
        System.out.println("handle after the exit: alive=" + p.toHandle().isAlive() + " destroyed=" + p.toHandle().destroy());
        Evidence.process("probe", p);
        Evidence.print("properties", "provider", System.getProperty("pidfd4j.provider"),
                "spawnPath", System.getProperty("pidfd4j.spawnPath"));
    }
}

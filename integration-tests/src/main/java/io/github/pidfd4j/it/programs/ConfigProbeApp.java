package io.github.pidfd4j.it.programs;

/** Starts one process and tells which path it took, and what pidfd4j's properties are. */
public final class ConfigProbeApp {

    private ConfigProbeApp() {
    }

    public static void main(String[] args) throws Exception {
        Process p = new ProcessBuilder("true").start();
        System.out.println("exit: " + p.waitFor());
        Evidence.process("probe", p);
        Evidence.print("properties", "provider", System.getProperty("pidfd4j.provider"),
                "spawnPath", System.getProperty("pidfd4j.spawnPath"));
    }
}

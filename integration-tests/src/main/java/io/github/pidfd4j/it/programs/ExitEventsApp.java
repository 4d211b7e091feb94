package io.github.pidfd4j.it.programs;

/**
 * An ordinary program that starts two processes and waits for them: one exits with a code, one is
 * killed. It knows nothing of pidfd4j or Flight Recorder; the test records it with
 * {@code -XX:StartFlightRecording} and looks for pidfd4j's events.
 */
public final class ExitEventsApp {

    private ExitEventsApp() {
    }

    public static void main(String[] args) throws Exception {
        Process exits = new ProcessBuilder("sh", "-c", "exit 5").start();
        System.out.println("exit: " + exits.waitFor());
        Process killed = new ProcessBuilder("sleep", "60").start();
        killed.destroyForcibly();
        System.out.println("killed: " + killed.waitFor());
        Evidence.print("pids", "exits", exits.pid(), "killed", killed.pid());
        Evidence.process("class", exits);
    }
}

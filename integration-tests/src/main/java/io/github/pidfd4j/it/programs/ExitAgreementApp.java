package io.github.pidfd4j.it.programs;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Once any onExit() of a process has completed, isAlive() says false. {@code zombie N}: a non-child
 * (a grandchild) that stays a zombie until its parent reaps it; the JDK's handle says alive until
 * then, so its onExit() must not complete before. {@code child N}: ProcessHandle.of(pid).onExit() of
 * a child, against the Process's isAlive(). Prints how many rounds disagreed.
 */
public final class ExitAgreementApp {

    private ExitAgreementApp() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[1]);
        if (args[0].equals("zombie")) {
            zombies(rounds);
        } else {
            children(rounds);
        }
    }

    private static void zombies(int rounds) throws Exception {
        int doneWhileZombie = 0;
        int aliveAfterOnExit = 0;
        for (int i = 0; i < rounds; i++) {
            // dash reaps its background job only in "wait": until a line arrives, the job is a zombie.
            Process sh = new ProcessBuilder("/bin/sh", "-c", "sleep 0.05 & echo $!; read x; wait").start();
            BufferedReader r = new BufferedReader(new InputStreamReader(sh.getInputStream(), StandardCharsets.UTF_8));
            long pid = Long.parseLong(r.readLine().trim());
            ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
            CompletableFuture<Boolean> alive = h.onExit().thenApply(x -> h.isAlive());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (state(pid) != 'Z' && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(100);  // a zombie for a while: the JDK's handle still says alive
            if (alive.isDone()) {
                doneWhileZombie++;
            }
            try (OutputStream in = sh.getOutputStream()) {
                in.write('\n');  // the parent reaps now
            }
            if (alive.get(20, TimeUnit.SECONDS)) {
                aliveAfterOnExit++;
            }
            sh.waitFor();
        }
        System.out.println("zombie rounds: " + rounds + ", onExit done while a zombie: " + doneWhileZombie
                + ", alive after onExit: " + aliveAfterOnExit);
    }

    private static void children(int rounds) throws Exception {
        int compared = 0;
        int aliveAfterOnExit = 0;
        for (int i = 0; i < rounds; i++) {
            Process p = new ProcessBuilder("true").start();
            Optional<ProcessHandle> h = ProcessHandle.of(p.pid());
            if (h.isPresent()) {  // else reaped already: nothing to compare in this round
                compared++;
                if (h.get().onExit().thenApply(x -> p.isAlive()).get(20, TimeUnit.SECONDS)) {
                    aliveAfterOnExit++;
                }
            }
            p.waitFor();
        }
        // Evidence, not behaviour: the JDK alone has a rare race of its own here (its reaper completes the
        // future, whose async stages may run before its ProcessImpl's synchronous one records the exit).
        System.out.println("child rounds: " + (compared > 0 ? "some" : "none"));
        Evidence.print("children", "compared", compared, "aliveAfterOnExit", aliveAfterOnExit);
    }

    /** The state letter of /proc/<pid>/stat, or '?' once gone. */
    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (Exception e) {
            return '?';
        }
    }
}

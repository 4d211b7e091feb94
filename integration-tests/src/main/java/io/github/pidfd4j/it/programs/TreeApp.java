package io.github.pidfd4j.it.programs;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts {@code sh -c 'sleep 100 & sleep 100 & wait'} with {@link ProcessBuilder}, prints the shell's
 * pid, its two children's pids and the shell's cgroup ({@code 0::} line of /proc/pid/cgroup), then
 * {@code ready}; reads {@code destroy} or {@code forcibly} from stdin, calls that on the shell, waits for
 * it, prints its exit value and {@code destroyed}, and waits to be killed. It knows nothing of pidfd4j:
 * whether the shell's children die too is up to the JVM's options ({@code -Dpidfd4j.destroyTree=true}
 * under the agent).
 */
public final class TreeApp {

    private TreeApp() {
    }

    public static void main(String[] args) throws Exception {
        Process sh = new ProcessBuilder("sh", "-c", "sleep 100 & sleep 100 & wait").start();
        Evidence.process("child", sh);
        List<String> pids = Evidence.children(sh, 2);
        String cgroup = Files.readAllLines(Path.of("/proc/" + sh.pid() + "/cgroup")).stream()
                .filter(l -> l.startsWith("0::")).findFirst().orElse("0::none");
        Evidence.print("tree", "child", sh.pid(), "descendants", String.join(",", pids), "cgroup", cgroup.substring(3));
        System.out.println("ready");
        System.out.flush();
        String how = new BufferedReader(new InputStreamReader(System.in)).readLine();
        if ("forcibly".equals(how)) {
            sh.destroyForcibly();
        } else {
            sh.destroy();
        }
        Evidence.print("destroyed", "exit", sh.waitFor());
        System.out.println("destroyed");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);  // the test kills this JVM once it has looked
    }
}

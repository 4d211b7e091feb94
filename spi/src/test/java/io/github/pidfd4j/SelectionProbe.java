package io.github.pidfd4j;

import java.util.List;

/** Run in a child JVM by {@link ProviderSelectionTest}: prints what was selected, then spawns through it. */
public final class SelectionProbe {

    private SelectionProbe() {
    }

    public static void main(String[] args) throws Exception {
        ProcessProvider p = ProcessProviders.provider();
        System.out.println("provider=" + p.name());
        System.out.println("path=" + p.spawnPath());
        for (ProcessProvider each : ProcessProviders.all()) {
            System.out.println("cause." + each.name() + "=" + each.unavailabilityCause());
        }
        Proc.Result r = Proc.run(p, Proc.sh("echo spawned; exit 3"));
        System.out.println("run=" + r.out().strip() + "/" + r.exit());
        List<Process> pipe = p.startPipeline(List.of(new ProcessBuilder("echo", "piped"), new ProcessBuilder("cat")));
        System.out.println("pipeline=" + Proc.read(pipe.get(1).getInputStream()).strip());
        try {
            p.start(new ProcessBuilder("pidfd4j-no-such-program"));
        } catch (java.io.IOException e) {
            System.out.println("failure=" + e.getMessage());
        }
    }
}

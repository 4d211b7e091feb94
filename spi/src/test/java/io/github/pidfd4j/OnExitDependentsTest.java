package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.pidfd4j.linux.TestProviders;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * User code attached to onExit() that throws, or calls System.exit: other children's exits are still
 * delivered, and pidfd4j's watcher lives on. (Dependents that block: PidfdSpecificTest.)
 */
class OnExitDependentsTest {

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void dependentsThatThrowHarmNoOtherExit(ProcessProvider provider) throws Exception {
        List<CompletableFuture<Void>> throwing = new ArrayList<>();
        List<Process> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Process p = provider.start(Proc.sh("exit " + i));
            // Attached before the exit: it runs where onExit() completes, and throws there.
            throwing.add(p.onExit().thenRun(() -> {
                throw new IllegalStateException("a dependent that throws");
            }));
            throwing.add(p.onExit().thenRun(() -> {
                throw new StackOverflowError("an Error, not an Exception");
            }));
            others.add(provider.start(Proc.sh("sleep 0.05; exit " + (100 + i))));
        }
        for (CompletableFuture<Void> f : throwing) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException expected) {
                assertTrue(expected.getCause() instanceof IllegalStateException || expected.getCause() instanceof StackOverflowError);
            }
        }
        for (int i = 0; i < others.size(); i++) {
            Process q = others.get(i);
            assertEquals(q, q.onExit().get(30, TimeUnit.SECONDS));
            assertEquals(100 + i, q.exitValue());
        }
        // And afterwards, a new child's exit still arrives.
        Process after = provider.start(Proc.sh("exit 42"));
        assertEquals(42, after.onExit().get(30, TimeUnit.SECONDS).exitValue());
        assertTrue(watcherAlive(provider), "the watcher thread is alive");
        assertTrue(Proc.eventually(5_000, () -> TestProviders.watched() == 0), "nothing left watched");
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void aDependentThatCallsSystemExitEndsTheJvmAndExitsStillArriveInShutdownHooks(ProcessProvider provider) throws Exception {
        Proc.Result r = exitInDependent(provider);
        Proc.Result jdk = jdkExitInDependent(provider == Contenders.JDK ? r : null);
        assertEquals(7, r.exit(), r.toString());
        assertTrue(r.out().startsWith("started\nhook: exit 4\n"), r.toString());
        assertEquals(jdk, r);
    }

    /** The JDK's answer, the oracle, taken once per test JVM (each is a JVM start of a few seconds). */
    private static Proc.Result jdkExitInDependent;

    private static synchronized Proc.Result jdkExitInDependent(Proc.Result ifTheJdkRanAlready) throws Exception {
        if (jdkExitInDependent == null) {
            jdkExitInDependent = ifTheJdkRanAlready != null ? ifTheJdkRanAlready : exitInDependent(Contenders.JDK);
        }
        return jdkExitInDependent;
    }

    private static Proc.Result exitInDependent(ProcessProvider provider) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ExitInDependentProbe.class.getName(), Integer.toString(Contenders.list().indexOf(provider)));
        return Proc.run(Contenders.JDK, pb);
    }

    static boolean watcherAlive(ProcessProvider provider) {
        return provider == Contenders.JDK || Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("pidfd4j-watcher") && t.isAlive());
    }

}

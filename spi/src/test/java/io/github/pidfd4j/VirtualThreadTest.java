package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Waiting for a process unmounts a virtual thread (JDK 21+), so many waiters need few carriers. */
class VirtualThreadTest {

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void manyVirtualThreadsWaitingAtOnce(ProcessProvider provider) throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        // Far more waiters than carrier threads: if waiting pinned its carrier, this would stall.
        int n = 64;
        ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int code = i % 5;
                results.add(virtual.submit(() -> {
                    Process p = provider.start(Proc.sh("sleep 0.5; exit " + code));
                    if (code == 0) {
                        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
                    }
                    return p.waitFor();
                }));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i % 5, results.get(i).get(60, TimeUnit.SECONDS));
            }
        } finally {
            virtual.shutdownNow();
        }
    }
}

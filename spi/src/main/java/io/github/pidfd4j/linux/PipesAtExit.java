package io.github.pidfd4j.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Drains and closes a child's pipes when it exits, as the JDK's reaper does, without ever waiting:
 * a pipe that no thread is using is done at once by the thread that reaped the child (the usual
 * case); a pipe in use (a reader blocked in read(), a writer on a full pipe) goes to a thread of a
 * pool, which waits for that user. The streams' own locks make that choice atomic (see
 * {@link ProcessStreams}); user code that holds a stream's monitor delays nothing here.
 */
final class PipesAtExit {

    private PipesAtExit() {
    }

    /** Threads come and go with the rare demand; a holder, so the pool is built on first need only. */
    private static final class Pool {
        static final Executor EXECUTOR = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 5, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(null, r, "pidfd4j-exit-streams", 0, false);
                    t.setDaemon(true);
                    t.setContextClassLoader(null);  // runs no user code
                    return t;
                });
    }

    /** The child exited: its stdout, stderr and stdin (any of them a null stream) are done with. */
    static void processExited(Object stdin, Object stdout, Object stderr) {
        List<ProcessStreams.ClosedAtExit> busy = null;
        for (Object stream : new Object[] {stdout, stderr, stdin}) {
            if (stream instanceof ProcessStreams.ClosedAtExit pipe && !pipe.processExitedIfIdle()) {
                if (busy == null) {
                    busy = new ArrayList<>(3);
                }
                busy.add(pipe);
            }
        }
        if (busy != null) {
            List<ProcessStreams.ClosedAtExit> later = busy;
            Pool.EXECUTOR.execute(() -> later.forEach(ProcessStreams.ClosedAtExit::processExited));
        }
    }
}

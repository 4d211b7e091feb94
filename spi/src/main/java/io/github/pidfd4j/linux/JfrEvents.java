package io.github.pidfd4j.linux;

import io.github.pidfd4j.SpawnPath;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The code that touches the event classes, loaded only once a Flight Recorder exists (see
 * {@link ProcessEvents}, which guards every call and catches whatever this throws).
 */
final class JfrEvents {

    private JfrEvents() {
    }

    static Object beforeSpawn() {
        ProcessSpawnEvent spawn = new ProcessSpawnEvent();
        if (spawn.isEnabled()) {
            spawn.begin();
            return spawn;
        }
        return Boolean.TRUE;  // no spawn event now, yet a recording may run by the time the child exits
    }

    static void afterSpawn(Object token, Process process, int path, String[] cmdarray, String dir) {
        String command = String.join(" ", cmdarray);  // as the JDK's jdk.ProcessStart shows it
        if (token instanceof ProcessSpawnEvent spawn) {
            spawn.end();
            if (spawn.shouldCommit()) {
                spawn.command = command;
                spawn.pid = process.pid();
                spawn.spawnPath = pathName(path);
                spawn.directory = dir;
                spawn.commit();
            }
        }
        if (process instanceof PidfdProcess child) {
            child.reaper().exit().whenRecorded(new ExitEmitter(child.pid(), command));
        }
    }

    /** The name of the {@link SpawnPath} whose native code is {@code path}. */
    private static String pathName(int path) {
        for (SpawnPath p : SpawnPath.values()) {
            if (p != SpawnPath.JDK && p != SpawnPath.NONE && Pidfd.nativePath(p) == path) {
                return p.name();
            }
        }
        return String.valueOf(path);
    }

    /** Commits the exit event on the thread that records the exit (the watcher): once, never blocks, never throws. */
    private static final class ExitEmitter extends AtomicBoolean implements Consumer<ExitInfo> {
        private final long pid;
        private final String command;

        ExitEmitter(long pid, String command) {
            this.pid = pid;
            this.command = command;
        }

        @Override
        public void accept(ExitInfo info) {
            if (!compareAndSet(false, true)) {
                return;  // told twice (see ExitRecord.whenRecorded): committed once
            }
            try {
                ProcessExitEvent exit = new ProcessExitEvent();
                if (!exit.shouldCommit()) {
                    return;
                }
                exit.pid = pid;
                exit.command = command;
                exit.exitValue = info.exitValue();
                exit.signal = info.signal();
                exit.coreDumped = info.coreDumped();
                exit.statusKnown = info.known();
                // Long.MIN_VALUE is Flight Recorder's "N/A" for timespans and data amounts.
                exit.userCpuTime = info.hasUsage() ? info.userMicros() * 1000 : Long.MIN_VALUE;
                exit.systemCpuTime = info.hasUsage() ? info.systemMicros() * 1000 : Long.MIN_VALUE;
                exit.peakResidentMemory = info.hasUsage() && info.maxRssKib() >= 0 ? info.maxRssKib() * 1024 : Long.MIN_VALUE;
                exit.wallTime = info.wallNanos();
                exit.commit();
            } catch (Throwable t) {
                ProcessEvents.failed(t);
            }
        }
    }
}

package io.github.pidfd4j;

import io.github.pidfd4j.linux.PidfdDuplicates;
import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;

/**
 * A process descriptor (pidfd, Linux 5.3+) of a child that pidfd4j started, for other code: to
 * {@code poll} or {@code epoll} in an event loop of one's own (readable once the process exits), to
 * hand to native code ({@code pidfd_send_signal}, {@code waitid(P_PIDFD)} with {@code WNOWAIT}), or to
 * pass to another process over a Unix socket. It is a new descriptor, a duplicate the caller owns and
 * must close, never pidfd4j's own: closing it, or anything done with it short of reaping the child,
 * leaves pidfd4j's view of the child intact. (A {@code waitid} without {@code WNOWAIT} on it reaps the
 * child: pidfd4j then reports the status the kernel still tells, Linux 6.15+, else 0, as for any
 * child reaped by someone else.)
 *
 * <pre>{@code
 * Process p = ProcessProviders.start(new ProcessBuilder("server"));
 * try (ProcessDescriptor pidfd = ProcessDescriptor.duplicate(p)) {
 *     eventLoop.register(pidfd.fd());  // readable when the server exits
 *     ...
 * }
 * }</pre>
 *
 * <p>The descriptor is close-on-exec from birth ({@code fcntl(F_DUPFD_CLOEXEC)}), so no child
 * started meanwhile inherits it. It names that one process for as long as it is open: unlike a pid,
 * it can never come to mean another process.
 *
 * <p>Not thread-safe beyond {@link #close()} and {@link #release()}, which may race safely: exactly
 * one of them takes the descriptor.
 */
public final class ProcessDescriptor implements Closeable {


    private final long pid;
    /** The descriptor, or -1 once closed or released. */
    private final AtomicInteger fd;
    /** close(2) through the copy of pidfd4j that made the descriptor; returns 0 or an errno. */
    private final IntUnaryOperator closer;
    /** Tells that copy the descriptor was released: it will no longer close that number. */
    private final IntConsumer releaser;

    private ProcessDescriptor(long pid, int fd, IntUnaryOperator closer, IntConsumer releaser) {
        this.pid = pid;
        this.fd = new AtomicInteger(fd);
        this.closer = closer;
        this.releaser = releaser;
    }

    /**
     * A new descriptor for {@code process}, which the caller owns and must {@link #close()} (or
     * {@link #release()} to code that will close it).
     *
     * <p>Works for every process started through the {@code pidfd} provider, and for those an
     * unchanged program starts under the pidfd4j agent.
     *
     * @throws IllegalStateException when pidfd4j has already reaped {@code process} (it exited and its
     *         exit is known): its pid may belong to another process by now, and no descriptor can be
     *         obtained any more
     * @throws IllegalArgumentException when pidfd4j did not start {@code process} (the {@code jdk}
     *         provider's processes, any other {@link Process})
     * @throws IOException when the kernel refuses a new descriptor (too many open files)
     * @throws NullPointerException when {@code process} is null
     */
    public static ProcessDescriptor duplicate(Process process) throws IOException {
        Objects.requireNonNull(process, "process");
        int fd = PidfdDuplicates.duplicate(process);
        if (fd != PidfdDuplicates.NOT_OURS) {
            return new ProcessDescriptor(process.pid(), fd, PidfdDuplicates::close, PidfdDuplicates::released);
        }
        if (AgentCopy.started(process)) {
            return fromAgent(process);
        }
        throw new IllegalArgumentException(process.getClass().getName() + " was not started by pidfd4j "
                + "(neither the pidfd provider nor the pidfd4j agent): it has no process descriptor to duplicate");
    }

    /** Asks the agent's copy of pidfd4j, which holds the descriptor and the native library. */
    private static ProcessDescriptor fromAgent(Process process) throws IOException {
        Method duplicate = AgentCopy.entryPoint(process, "DescriptorLookup", "duplicate", Process.class);
        Method close = AgentCopy.entryPoint(process, "DescriptorLookup", "close", int.class);
        Method released = AgentCopy.entryPoint(process, "DescriptorLookup", "released", int.class);
        int fd = (Integer) AgentCopy.call(duplicate, process);
        return new ProcessDescriptor(process.pid(), fd, d -> (Integer) callUnchecked(close, d),
                d -> callUnchecked(released, d));
    }

    /** For close and released, which declare no IOException (nor do the agent's). */
    private static Object callUnchecked(Method entryPoint, int fd) {
        try {
            return AgentCopy.call(entryPoint, fd);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The process id of the process this descriptor names. */
    public long pid() {
        return pid;
    }

    /**
     * The descriptor number, still owned by this object.
     *
     * @throws IllegalStateException once closed or released
     */
    public int fd() {
        int d = fd.get();
        if (d < 0) {
            throw new IllegalStateException("the descriptor of pid " + pid + " is closed or released");
        }
        return d;
    }

    /**
     * Hands the descriptor away: returns its number, which the caller (e.g. native code) now owns and
     * must close itself; this object no longer closes it, and {@link #fd()} then throws.
     *
     * @throws IllegalStateException once closed or released
     */
    public int release() {
        int d = fd.getAndSet(-1);
        if (d < 0) {
            throw new IllegalStateException("the descriptor of pid " + pid + " is closed or released");
        }
        releaser.accept(d);  // pidfd4j will never close this number now: its new owner does
        return d;
    }

    /**
     * Closes the descriptor, unless it was closed or released already (then nothing happens). pidfd4j
     * keeps watching and reaps the process as before.
     */
    @Override
    public void close() {
        int d = fd.getAndSet(-1);
        if (d >= 0) {
            // Linux frees the number whatever close(2) answers (even EINTR): there is nothing to retry.
            closer.applyAsInt(d);
        }
    }

    @Override
    public String toString() {
        int d = fd.get();
        return "ProcessDescriptor[pid=" + pid + (d >= 0 ? ", fd=" + d : ", closed") + ']';
    }
}

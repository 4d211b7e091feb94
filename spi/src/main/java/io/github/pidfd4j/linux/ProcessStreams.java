package io.github.pidfd4j.linux;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The streams of a child, shaped like the JDK's own (ProcessImpl's ProcessPipeInputStream and
 * ProcessPipeOutputStream): 8 KiB buffered streams over real {@link FileDescriptor}s, which the exit
 * of the child drains and closes, and the null streams for redirected ones.
 *
 * <p>Unlike the JDK's, a pipe stream allocates its 8 KiB buffer when it is first used, not at the
 * spawn: the three buffers were 24 of the 28 KB a spawn allocated, many callers never touch one or
 * two of the streams, and on a young heap every spawn touched six fresh pages for them (page faults
 * per spawn+wait of tiny-true 8.2 -> 2.9; see jmh/README.md). What a caller can observe is the same:
 * buffers of the same size, filled and flushed at the same moments.
 */
final class ProcessStreams {

    /** The size of a pipe stream's buffer once it is used, as the JDK's. */
    static final int BUFFER_SIZE = 8192;

    private ProcessStreams() {
    }

    /** The null input stream: {@code read()} is -1. With the agent, the JDK's own (see AgentPolicy). */
    static final InputStream NULL_INPUT = new NullInputStream();

    /** The null output stream: {@code write()} throws "Stream closed". With the agent, the JDK's own. */
    static final OutputStream NULL_OUTPUT = new NullOutputStream();

    /** A pipe stream that the child's exit drains or closes (see {@link PipesAtExit}). */
    interface ClosedAtExit {
        /** The lock that orders the exit work with the stream's methods. */
        PipeLock exitLock();

        /** Does it now unless a thread is inside a stream method; false: call processExited elsewhere. */
        default boolean processExitedIfIdle() {
            return exitLock().processExitedIfFree();
        }

        /** Waits for the thread inside a stream method (a blocked reader or writer), then does it. */
        default void processExited() {
            exitLock().processExitedWhenFree();
        }
    }

    /**
     * The lock a pipe stream's methods take inside the stream's monitor, and the only one its exit
     * path takes: held only by a thread inside one of those methods, never by user code as such.
     * The exit path uses no lambda: the first spawn would pay the JDK's lambda bootstrap for it.
     */
    static final class PipeLock extends ReentrantLock {
        /** The stream, whose exit work this lock guards. */
        interface Owner {
            /** Drains or closes the pipe; called holding the lock. */
            void processExitedLocked();
        }

        private final Owner owner;

        PipeLock(Owner owner) {
            this.owner = owner;
        }

        /** A stream method's work on the pipe: read, skip, available (its result), write, flush (0). */
        @FunctionalInterface
        interface PipeWork {
            long run() throws IOException;
        }

        /** Does {@code work} holding the lock (the caller holds the monitor already). */
        final long locked(PipeWork work) throws IOException {
            lock();
            try {
                return work.run();
            } finally {
                unlock();
            }
        }

        /** Does it unless a thread is inside; the test and the acquisition are one step. */
        final boolean processExitedIfFree() {
            if (!tryLock()) {
                return false;
            }
            try {
                owner.processExitedLocked();  // a user arriving meanwhile waits for this short, non-blocking work
            } finally {
                unlock();
            }
            return true;
        }

        /** Does it once the thread inside has left; never the monitor, which a user may hold. */
        final void processExitedWhenFree() {
            lock();
            try {
                owner.processExitedLocked();
            } finally {
                unlock();
            }
        }
    }

    private static final class NullInputStream extends InputStream {
        @Override
        public int read() {
            return -1;
        }

        @Override
        public int available() {
            return 0;
        }
    }

    private static final class NullOutputStream extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            throw new IOException("Stream closed");
        }
    }

    /** Pipes cannot seek: skip by reading, as Process.PipeInputStream does (JDK-8155808). */
    private static final class PipeInputStream extends FileInputStream {
        PipeInputStream(FileDescriptor fd) {
            super(fd);
        }

        @Override
        public long skip(long n) throws IOException {
            if (n <= 0) {
                return 0;
            }
            long remaining = n;
            byte[] skipBuffer = new byte[(int) Math.min(2048, remaining)];
            while (remaining > 0) {
                int nr = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, remaining));
                if (nr < 0) {
                    break;
                }
                remaining -= nr;
            }
            return n - remaining;
        }
    }

    /**
     * The child's stdout or stderr. At exit, the bytes still in the pipe are kept, the descriptor is
     * closed, and reads continue from the kept bytes; a grandchild's later output is lost (as with the
     * JDK). The blocking {@code read()} holds the stream's monitor, as in the JDK.
     *
     * <p>Every method that touches the pipe holds the monitor (as the JDK's do), then {@code pipeLock}.
     * The exit path takes only {@code pipeLock}, with {@code tryLock}: user code can hold the monitor
     * for as long as it likes ({@code synchronized (p.getInputStream()) { p.waitFor(); }} is legal),
     * but {@code pipeLock} is held only by a thread inside one of these methods. When a reader holds
     * it (blocked in read(), as usual at exit), the drain goes to another thread; the test and the
     * acquisition are one atomic step, so no reader can slip in between.
     */
    static final class ProcessPipeInputStream extends BufferedInputStream implements ClosedAtExit, PipeLock.Owner {
        private final Object closeLock = new Object();
        private final PipeLock pipeLock = new PipeLock(this);

        ProcessPipeInputStream(int fd) {
            // A 1-byte stand-in (BufferedInputStream wants one) until the first read: see the class comment.
            super(new PipeInputStream(LinuxNative.fdNew(fd)), 1);
        }

        /**
         * Puts the real buffer into BufferedInputStream's protected {@code buf} before it first fills
         * it; from then on it only grows (mark), so a shorter one is the stand-in. Under closeLock: a
         * concurrent close() sets buf to null, which must stay null.
         */
        private void useBuffer() {
            byte[] b = buf;
            if (b != null && b.length < BUFFER_SIZE) {
                synchronized (closeLock) {
                    if (buf != null && buf.length < BUFFER_SIZE) {
                        buf = new byte[BUFFER_SIZE];
                    }
                }
            }
        }

        @Override
        public synchronized int read() throws IOException {
            useBuffer();
            return (int) pipeLock.locked(super::read);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            useBuffer();
            return (int) pipeLock.locked(() -> super.read(b, off, len));
        }

        @Override
        public synchronized long skip(long n) throws IOException {
            useBuffer();
            return pipeLock.locked(() -> super.skip(n));
        }

        @Override
        public synchronized int available() throws IOException {
            return (int) pipeLock.locked(super::available);
        }

        // transferTo, readAllBytes, readNBytes: BufferedInputStream leaves them to InputStream for a
        // subclass, which loops over read(byte[], int, int) above (JDK 17 and 25).

        @Override
        public PipeLock exitLock() {
            return pipeLock;
        }

        /** Drains what is in the pipe (never blocks: it reads only available bytes) and closes it. */
        @Override
        public void processExitedLocked() {
            synchronized (closeLock) {
                try {
                    InputStream in = this.in;  // volatile: the swap below is seen by the next reader
                    if (in != null) {  // null iff closed
                        byte[] stragglers = drain(in);
                        in.close();
                        this.in = stragglers == null ? AgentPolicy.current().nullInput()
                                : new ByteArrayInputStream(stragglers);
                    }
                } catch (IOException ignored) {
                    // the JDK ignores it too: the stream stays usable as far as it can
                }
            }
        }

        private static byte[] drain(InputStream in) throws IOException {
            int n = 0;
            byte[] a = null;
            for (int j; (j = in.available()) > 0; ) {
                a = a == null ? new byte[j] : Arrays.copyOf(a, n + j);
                n += in.read(a, n, j);
            }
            return a == null || n == a.length ? a : Arrays.copyOf(a, n);
        }

        @Override
        public void close() throws IOException {
            // Neither the monitor nor pipeLock: destroy() closes under a blocked reader, as the JDK does.
            synchronized (closeLock) {  // BufferedInputStream.close() is not synchronized
                super.close();
            }
        }
    }

    /**
     * The child's stdin; closed at exit, after which writes fail with "Stream closed". Same locking
     * as {@link ProcessPipeInputStream}: the monitor, then {@code pipeLock}; the exit only tries
     * {@code pipeLock}.
     *
     * <p>It buffers by itself, exactly as JDK 17's BufferedOutputStream does, into a buffer allocated
     * at the first write (see the class comment); the inherited one, 1 byte, is never used. Swapping
     * the inherited buffer as the input streams do would not do: JDK 21+ writes straight through any
     * array at least as long as the size given to the constructor.
     */
    static final class ProcessPipeOutputStream extends BufferedOutputStream implements ClosedAtExit, PipeLock.Owner {
        private final PipeLock pipeLock = new PipeLock(this);
        private byte[] buffer;  // monitor: null until the first write
        private int used;       // monitor: bytes in buffer

        ProcessPipeOutputStream(int fd) {
            super(new FileOutputStream(LinuxNative.fdNew(fd)), 1);
        }

        @Override
        public synchronized void write(int b) throws IOException {
            pipeLock.locked(() -> {
                byte[] buf = buffer();
                if (used >= buf.length) {
                    flushBuffer();
                }
                buf[used++] = (byte) b;
                return 0;
            });
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            pipeLock.locked(() -> {
                byte[] buf = buffer();
                if (len >= buf.length) {  // as large as the buffer: no copy, straight to the pipe
                    flushBuffer();
                    out.write(b, off, len);
                    return 0;
                }
                if (len > buf.length - used) {
                    flushBuffer();
                }
                System.arraycopy(b, off, buf, used, len);  // bounds checked here, as BufferedOutputStream's
                used += len;
                return 0;
            });
        }

        @Override
        public synchronized void flush() throws IOException {
            pipeLock.locked(() -> {
                flushBuffer();
                out.flush();
                return 0;
            });
        }

        private byte[] buffer() {
            byte[] b = buffer;
            return b != null ? b : (buffer = new byte[BUFFER_SIZE]);
        }

        private void flushBuffer() throws IOException {
            if (used > 0) {
                out.write(buffer, 0, used);
                used = 0;
            }
        }

        @Override
        public PipeLock exitLock() {  // a writer may be inside, blocked on a full pipe
            return pipeLock;
        }

        @Override
        public void processExitedLocked() {
            OutputStream out = this.out;  // not volatile: pipeLock orders this with every writer
            if (out != null) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // nothing else to do; the JDK carries on too
                }
                this.out = AgentPolicy.current().nullOutput();
            }
        }
    }
}

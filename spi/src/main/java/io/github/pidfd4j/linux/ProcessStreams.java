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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The streams of a child, shaped like the JDK's own (ProcessImpl's ProcessPipeInputStream and
 * ProcessPipeOutputStream): 8 KiB buffered streams over real {@link FileDescriptor}s, which the exit
 * of the child drains and closes, and the null streams for redirected ones.
 */
final class ProcessStreams {

    private ProcessStreams() {
    }

    /** The null input stream: {@code read()} is -1. The agent may swap in the JDK's own instance. */
    static volatile InputStream nullInput = new NullInputStream();

    /** The null output stream: {@code write()} throws "Stream closed". */
    static volatile OutputStream nullOutput = new NullOutputStream();

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
     * <p>{@code users} counts threads inside a method that takes the monitor, counted before they
     * take it: while it is 0 the exit can be processed at once without waiting for anybody.
     */
    static final class ProcessPipeInputStream extends BufferedInputStream {
        private final Object closeLock = new Object();
        private final AtomicInteger users = new AtomicInteger();

        ProcessPipeInputStream(int fd) {
            super(new PipeInputStream(LinuxNative.fdNew(fd)), 8192);
        }

        @Override
        public int read() throws IOException {
            users.incrementAndGet();
            try {
                return super.read();
            } finally {
                users.decrementAndGet();
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            users.incrementAndGet();
            try {
                return super.read(b, off, len);
            } finally {
                users.decrementAndGet();
            }
        }

        @Override
        public long skip(long n) throws IOException {
            users.incrementAndGet();
            try {
                return super.skip(n);
            } finally {
                users.decrementAndGet();
            }
        }

        @Override
        public int available() throws IOException {
            users.incrementAndGet();
            try {
                return super.available();
            } finally {
                users.decrementAndGet();
            }
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            users.incrementAndGet();
            try {
                return super.transferTo(out);
            } finally {
                users.decrementAndGet();
            }
        }

        /** Processes the exit now if no reader can be holding the monitor; false: do it elsewhere. */
        boolean processExitedIfIdle() {
            if (users.get() != 0) {
                return false;
            }
            processExited();  // a reader arriving meanwhile waits for this short, non-blocking drain
            return true;
        }

        /** Drains what is in the pipe (never blocks: it reads only available bytes) and closes it. */
        synchronized void processExited() {
            synchronized (closeLock) {
                try {
                    InputStream in = this.in;
                    if (in != null) {  // null iff closed
                        byte[] stragglers = drain(in);
                        in.close();
                        this.in = stragglers == null ? nullInput : new ByteArrayInputStream(stragglers);
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
            synchronized (closeLock) {  // BufferedInputStream.close() is not synchronized
                super.close();
            }
        }
    }

    /** The child's stdin; closed at exit, after which writes fail with "Stream closed". */
    static final class ProcessPipeOutputStream extends BufferedOutputStream {
        private final AtomicInteger users = new AtomicInteger();

        ProcessPipeOutputStream(int fd) {
            super(new FileOutputStream(LinuxNative.fdNew(fd)), 8192);
        }

        @Override
        public void write(int b) throws IOException {
            users.incrementAndGet();
            try {
                super.write(b);
            } finally {
                users.decrementAndGet();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            users.incrementAndGet();
            try {
                super.write(b, off, len);
            } finally {
                users.decrementAndGet();
            }
        }

        @Override
        public void flush() throws IOException {
            users.incrementAndGet();
            try {
                super.flush();
            } finally {
                users.decrementAndGet();
            }
        }

        /** Closes now if no writer can be holding the monitor (blocked on a full pipe); false otherwise. */
        boolean processExitedIfIdle() {
            if (users.get() != 0) {
                return false;
            }
            processExited();
            return true;
        }

        synchronized void processExited() {
            OutputStream out = this.out;
            if (out != null) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // nothing else to do; the JDK carries on too
                }
                this.out = nullOutput;
            }
        }
    }
}

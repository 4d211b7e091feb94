package io.github.pidfd4j.linux;

import java.io.Closeable;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * The three descriptor slots of a spawn (stdin, stdout, stderr) and the one owner of what was opened
 * for them: redirect files, new pipes, a pipeline's link. {@link #close()} closes whatever has not
 * been handed on, so every error path of {@link PidfdLauncher} is one try-with-resources.
 */
final class ChildStdio implements Closeable {

    private static final String[] NAMES = {"stdin", "stdout", "stderr"};

    /** What the child gets on 0, 1, 2; -1 leaves the JVM's. */
    final int[] childFds = {-1, -1, -1};
    /** Our ends of new pipes; -1 where there is none. */
    final int[] parentFds = {-1, -1, -1};
    /** Redirect files, open only until the spawn (the child has its own copy then), as with the JDK. */
    private final Closeable[] files = new Closeable[3];
    /** Bits of the slots whose childFds are the child's ends of new pipes, ours to close. */
    private int pipedMask;
    private boolean parentEndsHandedOut;

    /** The child's slot gets an open descriptor of a pipeline link (not ours: it is never closed here). */
    void link(int slot, FileDescriptor fd) throws IOException {
        childFds[slot] = descriptor(slot, fd);
    }

    /** The child's slot reads this file. */
    void readFile(int slot, File file) throws IOException {
        FileInputStream in = new FileInputStream(file);
        files[slot] = in;
        childFds[slot] = descriptor(slot, in.getFD());
    }

    /**
     * Opens (creates, truncates unless appending) a file to write; the child's slot gets it only if
     * {@code toChild} (the JDK opens stderr's file even when redirectErrorStream ignores it).
     */
    void writeFile(int slot, File file, boolean append, boolean toChild) throws IOException {
        FileOutputStream out = new FileOutputStream(file, append);
        files[slot] = out;
        if (toChild) {
            childFds[slot] = descriptor(slot, out.getFD());
        }
    }

    /** A close-on-exec pipe; the end at {@code childEnd} (0 read, 1 write) goes to the child, the other to us. */
    void pipe(int slot, int childEnd) throws IOException {
        int[] p = new int[2];
        int err = LinuxNative.pidfd4j_pipe(p);
        if (err != 0) {
            throw SpawnFailure.pipe(err);
        }
        childFds[slot] = p[childEnd];
        parentFds[slot] = p[1 - childEnd];
        pipedMask |= 1 << slot;
    }

    /**
     * The child's ends of new pipes, which pidfd4j_spawn closes whatever happens: from the moment they
     * are taken they are no longer closed here.
     */
    int takePipedMask() {
        int mask = pipedMask;
        pipedMask = 0;
        return mask;
    }

    /** Our ends of the pipes now belong to the Process's streams. */
    void parentEndsHandedOut() {
        parentEndsHandedOut = true;
    }

    /** Closes the redirect files always, the pipes unless handed on. */
    @Override
    public void close() throws IOException {
        for (int i = 0; i < 3; i++) {
            if ((pipedMask & (1 << i)) != 0) {
                LinuxNative.pidfd4j_close(childFds[i]);
            }
            if (!parentEndsHandedOut && parentFds[i] >= 0) {
                LinuxNative.pidfd4j_close(parentFds[i]);
            }
        }
        pipedMask = 0;
        parentEndsHandedOut = true;  // closed: never again
        IOException failed = null;
        for (Closeable f : files) {
            try {
                if (f != null) {
                    f.close();
                }
            } catch (IOException e) {
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * The number inside a FileDescriptor that must be open. A closed one holds -1, which the child
     * would take as "inherit the JVM's": silently the wrong stream, so it is an error here.
     */
    private static int descriptor(int slot, FileDescriptor fd) throws IOException {
        int n = LinuxNative.fdGet(fd);
        if (n < 0) {
            throw new IOException("the descriptor for the child's " + NAMES[slot] + " is closed: "
                    + LinuxNative.strerror(LinuxNative.EBADF));
        }
        return n;
    }
}

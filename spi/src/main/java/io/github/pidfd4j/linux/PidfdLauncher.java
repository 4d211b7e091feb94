package io.github.pidfd4j.linux;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The pidfd counterpart of the JDK's {@code ProcessImpl.start}: opens redirect files, creates pipes,
 * lays out everything the child reads in one native block, spawns through {@code pidfd4j_spawn},
 * and hands the child to the {@link PidfdWatcher}. Failures throw an {@link IOException} that
 * carries only the native detail; {@link ProcessBuilder}-style callers add "Cannot run program".
 */
final class PidfdLauncher {

    /** The JDK encodes arguments with the default charset on 17 and with sun.jnu.encoding since 18. */
    static final Charset CHARSET = Runtime.version().feature() >= 18
            ? Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()))
            : Charset.defaultCharset();

    private static final byte[] BIN_SH = "/bin/sh".getBytes(StandardCharsets.US_ASCII);

    static {
        // Load the failure path now: out of descriptors (EMFILE), its class file could not be opened
        // when it is needed, and a NoClassDefFoundError would replace the JDK's IOException.
        SpawnFailure.class.getName();
    }

    private PidfdLauncher() {
    }

    /**
     * Starts a process with the arguments of {@code ProcessImpl.start}.
     *
     * @param path LinuxNative.PATH_CLONE_PIDFD or PATH_PIDFD_OPEN
     * @param cmdarray the program and its arguments, already checked (non-empty, no null, no NUL)
     * @param environment the child's environment, or null for the JVM's own
     * @param dir the working directory, or null for the JVM's
     * @param redirects stdin, stdout, stderr; null means three PIPEs
     * @param links null, or per slot the {@link FileDescriptor} that links a pipeline stage to its
     *        neighbour (what the JDK's {@code RedirectPipeImpl} holds): slot 0 holds the read end of
     *        the previous stage's output, which becomes this child's stdin; slot 1 receives the read
     *        end of a new pipe on this child's stdout, whose stream is then the null stream
     */
    static Process start(String[] cmdarray, Map<String, String> environment, String dir,
                         Redirect[] redirects, boolean redirectErrorStream, FileDescriptor[] links)
            throws IOException {
        Pidfd.ensureAvailable();
        return start(Pidfd.nativePath(), cmdarray, environment, dir, redirects, redirectErrorStream, links);
    }

    /** The same, through the given native spawn path (LinuxNative.PATH_*). */
    static Process start(int path, String[] cmdarray, Map<String, String> environment, String dir,
                         Redirect[] redirects, boolean redirectErrorStream, FileDescriptor[] links)
            throws IOException {
        Redirect[] r = redirects != null ? redirects : new Redirect[] {Redirect.PIPE, Redirect.PIPE, Redirect.PIPE};
        boolean[] linked = {links != null && links[0] != null, links != null && links[1] != null, false};

        // As the JDK does: redirect files are opened in the parent, before anything else.
        FileInputStream f0 = null;
        FileOutputStream f1 = null;
        FileOutputStream f2 = null;
        int[] childFds = {-1, -1, -1};   // what the child gets on 0, 1, 2; -1 leaves the JVM's
        int[] parentFds = {-1, -1, -1};  // our ends of the pipes
        try {
            if (linked[0]) {
                childFds[0] = LinuxNative.fdGet(links[0]);
            } else if (isFile(r[0])) {
                f0 = new FileInputStream(r[0].file());
                childFds[0] = LinuxNative.fdGet(f0.getFD());
            }
            if (!linked[1] && isFile(r[1])) {
                f1 = new FileOutputStream(r[1].file(), r[1].type() == Redirect.Type.APPEND);
                childFds[1] = LinuxNative.fdGet(f1.getFD());
            }
            if (isFile(r[2])) {  // opened (created, truncated) even with redirectErrorStream, as the JDK does
                f2 = new FileOutputStream(r[2].file(), r[2].type() == Redirect.Type.APPEND);
                childFds[2] = redirectErrorStream ? -1 : LinuxNative.fdGet(f2.getFD());
            }
            int pipedMask = 0;  // the child's ends of new pipes, closed by pidfd4j_spawn
            try {
                if (!linked[0] && r[0] == Redirect.PIPE) {
                    pipedMask |= pipe(childFds, parentFds, 0, 0);
                }
                if (linked[1] || r[1] == Redirect.PIPE) {
                    pipedMask |= pipe(childFds, parentFds, 1, 1);
                }
                if (!redirectErrorStream && r[2] == Redirect.PIPE) {
                    pipedMask |= pipe(childFds, parentFds, 2, 1);
                }
            } catch (Throwable t) {
                closeAll(parentFds);
                closeAll(childFds, pipedMask);
                throw t;
            }
            // The streams before the clone: after it, every microsecond this thread works before it
            // waits keeps the exec'd child off its CPU (a C test: 40 us of work in the parent
            // lengthened a /bin/true spawn-and-wait by 100 us).
            OutputStream stdin;
            InputStream stdout;
            InputStream stderr;
            try {
                stdin = parentFds[0] < 0 ? ProcessStreams.nullOutput
                        : new ProcessStreams.ProcessPipeOutputStream(parentFds[0]);
                stdout = parentFds[1] < 0 || linked[1] ? ProcessStreams.nullInput
                        : new ProcessStreams.ProcessPipeInputStream(parentFds[1]);
                stderr = parentFds[2] < 0 ? ProcessStreams.nullInput
                        : new ProcessStreams.ProcessPipeInputStream(parentFds[2]);
            } catch (Throwable t) {
                closeAll(parentFds);
                closeAll(childFds, pipedMask);
                throw t;
            }
            try {
                if (linked[1]) {
                    LinuxNative.fdSet(links[1], parentFds[1]);  // the next stage's stdin
                }
                // Nothing may fail after this returns: the child runs and its streams are handed out.
                return spawn(path, cmdarray, environment, dir, childFds, pipedMask, redirectErrorStream,
                        stdin, stdout, stderr);
            } catch (Throwable t) {
                if (linked[1]) {
                    LinuxNative.fdSet(links[1], -1);
                }
                closeAll(parentFds);  // the streams were never handed out: closing their fds is enough
                throw t;
            }
        } finally {
            try {
                if (f0 != null) f0.close();
            } finally {
                try {
                    if (f1 != null) f1.close();
                } finally {
                    if (f2 != null) f2.close();
                }
            }
        }
    }

    private static boolean isFile(Redirect r) {
        return r.file() != null;  // READ, WRITE, APPEND (DISCARD is a WRITE to /dev/null)
    }

    /**
     * A close-on-exec pipe; the end at {@code childEnd} goes to the child, the other to us.
     * Returns the slot's bit for the mask of child ends to close after the spawn.
     */
    private static int pipe(int[] childFds, int[] parentFds, int slot, int childEnd) throws IOException {
        int[] p = new int[2];
        int err = LinuxNative.pidfd4j_pipe(p);
        if (err != 0) {
            throw SpawnFailure.pipe(err);
        }
        childFds[slot] = p[childEnd];
        parentFds[slot] = p[1 - childEnd];
        return 1 << slot;
    }

    private static void closeAll(int[] fds) {
        closeAll(fds, 0b111);
    }

    private static void closeAll(int[] fds, int mask) {
        for (int i = 0; i < fds.length; i++) {
            if ((mask & (1 << i)) != 0 && fds[i] >= 0) {
                LinuxNative.pidfd4j_close(fds[i]);
                fds[i] = -1;
            }
        }
    }

    /**
     * Spawns; once it returns normally the child runs and the watcher owns it. The child's ends of
     * new pipes ({@code closeMask}) are closed whatever happens.
     */
    private static PidfdProcess spawn(int path, String[] cmdarray, Map<String, String> environment, String dir,
                                      int[] childFds, int closeMask, boolean redirectErrorStream,
                                      OutputStream stdin, InputStream stdout, InputStream stderr) throws IOException {
        SpawnBlock block;
        try {
            byte[][] argv = new byte[cmdarray.length][];
            for (int i = 0; i < argv.length; i++) {
                argv[i] = cmdarray[i].getBytes(CHARSET);
            }
            List<byte[]> candidates = PathSearch.candidates(cmdarray[0], CHARSET, environment == null);
            byte[][] envp = environment == null ? null : JdkEnvironment.block(environment);
            byte[] cwd = dir == null ? null : dir.getBytes(CHARSET);
            block = new SpawnBlock(argv, candidates, envp, cwd, childFds, closeMask);
        } catch (Throwable t) {
            closeAll(childFds, closeMask);  // pidfd4j_spawn never ran to close them
            throw t;
        }

        int pid;
        int pidfd;
        try (block) {
            int rc = LinuxNative.pidfd4j_spawn(path, block.candidates, block.argv, block.shargv,
                    block.envp, block.cwd, block.fds, redirectErrorStream ? 1 : 0, block.out);
            if (rc != 0) {
                throw SpawnFailure.ofStage(block.out.getInt(8), block.out.getInt(12));
            }
            pid = block.out.getInt(0);
            pidfd = block.out.getInt(4);
        }

        // The child runs. From here on it must be reaped whatever happens, and a failure must never
        // let a caller (the agent) fall back and run the program a second time: every failure after
        // the clone kills and reaps the child and becomes an IOException.
        try {
            PidfdProcess process = new PidfdProcess(pid, new PidfdHandle(pidfd), stdin, stdout, stderr);
            process.watch();  // returns normally once the watcher owns the pidfd
            return process;
        } catch (Throwable t) {  // e.g. OutOfMemoryError; the pidfd is still ours alone
            LinuxNative.pidfd4j_send_signal(pidfd, LinuxNative.SIGKILL);
            LinuxNative.pidfd4j_waitid(pidfd, LinuxNative.WEXITED, new int[3], null);
            LinuxNative.pidfd4j_close(pidfd);
            throw new IOException("pid " + pid + " started but could not be watched, so it was killed: " + t, t);
        }
    }

    /**
     * Everything the child reads, in one native block that stays alive until pidfd4j_spawn has
     * returned: the fd plan, the result slots, NULL-terminated pointer arrays and the strings.
     */
    private static final class SpawnBlock implements AutoCloseable {
        final Memory memory;
        final Pointer fds;
        final Pointer out;
        final Pointer argv;
        final Pointer shargv;
        final Pointer candidates;
        final Pointer envp;
        final Pointer cwd;

        SpawnBlock(byte[][] argv, List<byte[]> candidates, byte[][] envp, byte[] cwd, int[] childFds, int closeMask) {
            int pointers = (argv.length + 1) + (argv.length + 2) + (candidates.size() + 1)
                    + (envp == null ? 0 : envp.length + 1);
            long strings = BIN_SH.length + 1 + (cwd == null ? 0 : cwd.length + 1);
            for (byte[] a : argv) strings += a.length + 1;
            for (byte[] c : candidates) strings += c.length + 1;
            if (envp != null) for (byte[] e : envp) strings += e.length + 1;
            int header = 32;  // int fds[4], int out[4]
            long size = header + 8L * pointers + strings;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("command and environment too large: " + size + " bytes");
            }
            memory = new Memory(size);
            long base = Pointer.nativeValue(memory);
            ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.nativeOrder());
            b.putInt(childFds[0]).putInt(childFds[1]).putInt(childFds[2]).putInt(closeMask);

            long argvAt = header;
            long shargvAt = argvAt + 8L * (argv.length + 1);
            long candidatesAt = shargvAt + 8L * (argv.length + 2);
            long envpAt = candidatesAt + 8L * (candidates.size() + 1);
            int strAt = (int) (envpAt + (envp == null ? 0 : 8L * (envp.length + 1)));

            long[] argvPtrs = new long[argv.length];
            for (int i = 0; i < argv.length; i++) {
                argvPtrs[i] = base + strAt;
                strAt = putString(b, strAt, argv[i]);
            }
            b.position((int) argvAt);
            for (long p : argvPtrs) b.putLong(p);
            b.putLong(0);
            // The /bin/sh fallback for ENOEXEC: sh, <candidate, set by the child>, argv[1..]
            long shAt = base + strAt;
            strAt = putString(b, strAt, BIN_SH);
            b.position((int) shargvAt);
            b.putLong(shAt).putLong(0);
            for (int i = 1; i < argv.length; i++) b.putLong(argvPtrs[i]);
            b.putLong(0);
            long[] candPtrs = new long[candidates.size()];
            for (int i = 0; i < candPtrs.length; i++) {
                candPtrs[i] = base + strAt;  // an empty string marks a candidate to skip
                strAt = putString(b, strAt, candidates.get(i));
            }
            b.position((int) candidatesAt);
            for (long p : candPtrs) b.putLong(p);
            b.putLong(0);
            if (envp != null) {
                long[] envPtrs = new long[envp.length];
                for (int i = 0; i < envp.length; i++) {
                    envPtrs[i] = base + strAt;
                    strAt = putString(b, strAt, envp[i]);
                }
                b.position((int) envpAt);
                for (long p : envPtrs) b.putLong(p);
                b.putLong(0);
            }
            long cwdAt = base + strAt;
            if (cwd != null) {
                putString(b, strAt, cwd);
            }
            memory.write(0, b.array(), 0, (int) size);

            this.fds = memory.share(0);
            this.out = memory.share(16);
            this.argv = memory.share(argvAt);
            this.shargv = memory.share(shargvAt);
            this.candidates = memory.share(candidatesAt);
            this.envp = envp == null ? null : memory.share(envpAt);
            this.cwd = cwd == null ? null : new Pointer(cwdAt);
        }

        /** Writes a NUL-terminated string at {@code at}; returns the offset after it. */
        private static int putString(ByteBuffer b, int at, byte[] s) {
            b.position(at);
            b.put(s);
            b.put((byte) 0);
            return at + s.length + 1;
        }

        @Override
        public void close() {
            Reference.reachabilityFence(this);
            memory.close();
        }
    }
}

package io.github.pidfd4j.linux;

import io.github.pidfd4j.SpawnOptions;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
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

    /**
     * -Dpidfd4j.destroyTree, read once, on the first spawn (the name is a constant: SpawnOptions is not
     * loaded for it). Only when true is {@link DestroyTree} loaded.
     */
    static final boolean DESTROY_TREE = ParentDeath.booleanProperty(SpawnOptions.DESTROY_TREE_PROPERTY);

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
        int path = Pidfd.nativePath();
        // The agent's spawns: -Dpidfd4j.killOnParentDeath is how an unchanged program asks for it.
        return start(path, ParentDeath.flags(false, path), cmdarray, environment, dir, redirects, redirectErrorStream, links);
    }

    /** The same, through the given native spawn path (LinuxNative.PATH_*). */
    static Process start(int path, String[] cmdarray, Map<String, String> environment, String dir,
                         Redirect[] redirects, boolean redirectErrorStream, FileDescriptor[] links)
            throws IOException {
        return start(path, 0, cmdarray, environment, dir, redirects, redirectErrorStream, links);
    }

    /**
     * The same, through the given native spawn path (LinuxNative.PATH_*) with spawn flags
     * (LinuxNative.SPAWN_*; a flag the path cannot honour fails the spawn with EINVAL).
     */
    static Process start(int path, int flags, String[] cmdarray, Map<String, String> environment, String dir,
                         Redirect[] redirects, boolean redirectErrorStream, FileDescriptor[] links)
            throws IOException {
        return start(path, flags, null, cmdarray, environment, dir, redirects, redirectErrorStream, links);
    }

    /**
     * The same, the child born in the cgroup of {@code cgroup} (null: the JVM's own), which this spawn
     * opens and closes.
     */
    static Process start(int path, int flags, CgroupPlacement cgroup, String[] cmdarray, Map<String, String> environment,
                         String dir, Redirect[] redirects, boolean redirectErrorStream, FileDescriptor[] links)
            throws IOException {
        Object events = ProcessEvents.beforeSpawn();  // null unless a Flight Recorder exists: the usual case
        // DestroyTree is its own class: loaded (with the cgroup classes) only when the property asks for it.
        Process process = DESTROY_TREE
                ? DestroyTree.launch(path, flags, cgroup, cmdarray, environment, dir, redirects, redirectErrorStream, links)
                : launch(path, flags, cgroup, cmdarray, environment, dir, redirects, redirectErrorStream, links);
        if (events != null) {
            ProcessEvents.afterSpawn(events, process, path, cmdarray, dir);
        }
        return process;
    }

    static Process launch(int path, int flags, CgroupPlacement cgroup, String[] cmdarray, Map<String, String> environment,
                          String dir, Redirect[] redirects, boolean redirectErrorStream, FileDescriptor[] links)
            throws IOException {
        if (!Privileged.isSecurityManagerPresent()) {
            return startChecked(path, flags, cgroup, cmdarray, environment, dir, redirects, redirectErrorStream, links);
        }
        // JDK 17 with a SecurityManager: the application's frames must be allowed to open the redirect
        // files, in the JDK's order and with the JDK's exception (what FileInputStream/FileOutputStream
        // check); everything else is pidfd4j's own work, done with its own permissions, as ProcessImpl does.
        Redirect[] r = redirects != null ? redirects : new Redirect[] {Redirect.PIPE, Redirect.PIPE, Redirect.PIPE};
        checkRedirects(r, redirectErrorStream, links);
        return Privileged.run(() -> startChecked(path, flags, cgroup, cmdarray, environment, dir, redirects,
                redirectErrorStream, links));
    }

    @SuppressWarnings("removal")
    private static void checkRedirects(Redirect[] r, boolean redirectErrorStream, FileDescriptor[] links) {
        SecurityManager sm = System.getSecurityManager();
        if (!(links != null && links[0] != null) && isFile(r[0])) {
            sm.checkRead(r[0].file().getPath());
        }
        if (!(links != null && links[1] != null) && isFile(r[1])) {
            sm.checkWrite(r[1].file().getPath());
        }
        if (isFile(r[2])) {
            sm.checkWrite(r[2].file().getPath());
        }
    }

    private static Process startChecked(int path, int flags, CgroupPlacement cgroup, String[] cmdarray,
                                        Map<String, String> environment, String dir, Redirect[] redirects,
                                        boolean redirectErrorStream, FileDescriptor[] links) throws IOException {
        Redirect[] r = redirects != null ? redirects : new Redirect[] {Redirect.PIPE, Redirect.PIPE, Redirect.PIPE};
        boolean[] linked = {links != null && links[0] != null, links != null && links[1] != null, false};

        try (ChildStdio slots = new ChildStdio()) {
            // As the JDK does: redirect files are opened in the parent, before anything else.
            if (linked[0]) {
                slots.link(0, links[0]);
            } else if (isFile(r[0])) {
                slots.readFile(0, r[0].file());
            }
            if (!linked[1] && isFile(r[1])) {
                slots.writeFile(1, r[1].file(), r[1].type() == Redirect.Type.APPEND, true);
            }
            if (isFile(r[2])) {  // opened (created, truncated) even with redirectErrorStream, as the JDK does
                slots.writeFile(2, r[2].file(), r[2].type() == Redirect.Type.APPEND, !redirectErrorStream);
            }
            if (!linked[0] && r[0] == Redirect.PIPE) {
                slots.pipe(0, 0);
            }
            if (linked[1] || r[1] == Redirect.PIPE) {
                slots.pipe(1, 1);
            }
            if (!redirectErrorStream && r[2] == Redirect.PIPE) {
                slots.pipe(2, 1);
            }
            int[] parentFds = slots.parentFds;
            // The streams before the clone: after it, every microsecond this thread works before it
            // waits keeps the exec'd child off its CPU (a C test: 40 us of work in the parent
            // lengthened a /bin/true spawn-and-wait by 100 us). Until the spawn succeeds they are
            // never handed out, so the slots closing their descriptors is enough on failure.
            OutputStream stdin;
            InputStream stdout;
            InputStream stderr;
            stdin = parentFds[0] < 0 ? AgentPolicy.current().nullOutput()
                    : new ProcessStreams.ProcessPipeOutputStream(parentFds[0]);
            stdout = parentFds[1] < 0 || linked[1] ? AgentPolicy.current().nullInput()
                    : new ProcessStreams.ProcessPipeInputStream(parentFds[1]);
            stderr = parentFds[2] < 0 ? AgentPolicy.current().nullInput()
                    : new ProcessStreams.ProcessPipeInputStream(parentFds[2]);
            try {
                if (linked[1]) {
                    LinuxNative.fdSet(links[1], parentFds[1]);  // the next stage's stdin
                }
                // Nothing may fail after this returns: the child runs and its streams are handed out.
                Process process = spawn(path, flags, cgroup, cmdarray, environment, dir, slots.childFds,
                        slots.takePipedMask(), redirectErrorStream, stdin, stdout, stderr);
                slots.parentEndsHandedOut();
                return process;
            } catch (Throwable t) {
                if (linked[1]) {
                    LinuxNative.fdSet(links[1], -1);
                }
                throw t;
            }
        }
    }

    private static boolean isFile(Redirect r) {
        return r.file() != null;  // READ, WRITE, APPEND (DISCARD is a WRITE to /dev/null)
    }

    /**
     * Spawns; once it returns normally the child runs and the watcher owns it. The child's ends of
     * new pipes ({@code closeMask}) are closed whatever happens.
     */
    private static PidfdProcess spawn(int path, int flags, CgroupPlacement cgroup, String[] cmdarray,
                                      Map<String, String> environment, String dir,
                                      int[] childFds, int closeMask, boolean redirectErrorStream,
                                      OutputStream stdin, InputStream stdout, InputStream stderr) throws IOException {
        flags = Pidfd.withRequestedAutoreap(path, flags);
        SpawnBlock block;
        int[] out = new int[4];  // pid, pidfd; or stage, errno
        ParentDeathSpawner.Request handOver = null;
        try {
            if (cgroup != null) {
                cgroup.open();  // creates the child's own cgroup, if asked; closed below whatever happens
                flags |= LinuxNative.SPAWN_INTO_CGROUP;
            }
            byte[][] argv = new byte[cmdarray.length][];
            for (int i = 0; i < argv.length; i++) {
                argv[i] = cmdarray[i].getBytes(CHARSET);
            }
            List<byte[]> candidates = PathSearch.candidates(cmdarray[0], CHARSET, environment == null);
            byte[][] envp = environment == null ? null : JdkEnvironment.block(environment);
            byte[] cwd = dir == null ? null : dir.getBytes(CHARSET);
            block = new SpawnBlock(argv, candidates, envp, cwd, childFds, closeMask, flags,
                    cgroup == null ? 0 : cgroup.fd());
            if ((flags & LinuxNative.SPAWN_KILL_ON_PARENT_DEATH) != 0) {
                // PR_SET_PDEATHSIG fires when the thread that cloned ends: clone from one that lives as long as the JVM.
                handOver = ParentDeathSpawner.request(path, block.bytes, redirectErrorStream ? 1 : 0, out);
            }
        } catch (Throwable t) {
            for (int i = 0; i < 3; i++) {  // pidfd4j_spawn never ran to close them
                if ((closeMask & (1 << i)) != 0) {
                    LinuxNative.pidfd4j_close(childFds[i]);
                }
            }
            if (cgroup != null) {
                cgroup.close();
                cgroup.spawnFailed();
            }
            throw t;
        }

        int rc;
        try {
            rc = handOver != null ? ParentDeathSpawner.spawn(handOver)
                    : LinuxNative.pidfd4j_spawn(path, block.bytes, redirectErrorStream ? 1 : 0, out);
        } finally {
            if (cgroup != null) {
                cgroup.close();  // the child, if any, was born in it: the descriptor has done its work
            }
        }
        if (rc != 0) {
            if (cgroup != null) {
                cgroup.spawnFailed();  // nothing runs in a cgroup it created: the failed child is reaped
                if (out[2] == LinuxNative.STAGE_CLONE) {
                    throw cgroup.cloneFailed(out[3]);
                }
            }
            throw SpawnFailure.ofStage(out[2], out[3]);
        }
        int pid = out[0];
        int pidfd = out[1];

        // The child runs. From here on it must be reaped whatever happens, and a failure must never
        // let a caller (the agent) fall back and run the program a second time: every failure after
        // the clone kills and reaps the child and becomes an IOException.
        try {
            PidfdProcess process = new PidfdProcess(pid, new PidfdHandle(pidfd), stdin, stdout, stderr,
                    (flags & (LinuxNative.SPAWN_NEW_PROCESS_GROUP | LinuxNative.SPAWN_NEW_SESSION)) != 0,
                    cgroup == null ? null : cgroup.created());
            if ((flags & (LinuxNative.SPAWN_AUTOREAP | LinuxNative.SPAWN_AUTOKILL)) != 0) {
                process.reaper().reapedByTheKernel();  // no waitid will find it: its exit comes through the pidfd
            }
            process.watch();  // returns normally once the watcher owns the pidfd
            return process;
        } catch (Throwable t) {  // e.g. OutOfMemoryError; the pidfd is still ours alone
            LinuxNative.pidfd4j_send_signal(pidfd, LinuxNative.SIGKILL);
            LinuxNative.pidfd4j_waitid(pidfd, LinuxNative.WEXITED, new int[3], null);
            LinuxNative.pidfd4j_close(pidfd);
            if (cgroup != null) {
                cgroup.spawnFailed();
            }
            throw new IOException("pid " + pid + " started but could not be watched, so it was killed: " + t, t);
        }
    }

    /**
     * Everything the child reads, in one block that the native side copies and relocates before the
     * clone (pidfd4j.c, struct spawn_header): the fd plan, then 0-terminated arrays whose slots hold
     * offsets of NUL-terminated strings from the start of the block (0 is NULL), then the strings.
     */
    private static final class SpawnBlock {
        /**
         * int fds[3], int closeMask, int flags (LinuxNative.SPAWN_*), int cgroupFd (with SPAWN_INTO_CGROUP,
         * the cgroup's O_PATH descriptor; else 0), then the offsets of argv, shargv, candidates, envp, cwd.
         */
        static final int HEADER_SIZE = 64;
        private static final int CWD_SLOT = 56;

        final byte[] bytes;

        SpawnBlock(byte[][] argv, List<byte[]> candidates, byte[][] envp, byte[] cwd, int[] childFds, int closeMask,
                   int flags, int cgroupFd) {
            long size = HEADER_SIZE + 8L * ((argv.length + 1) + (argv.length + 2) + (candidates.size() + 1)
                    + (envp == null ? 0 : envp.length + 1));
            size += BIN_SH.length + 1 + (cwd == null ? 0 : cwd.length + 1);
            for (byte[] a : argv) size += a.length + 1;
            for (byte[] c : candidates) size += c.length + 1;
            if (envp != null) for (byte[] e : envp) size += e.length + 1;
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("command and environment too large: " + size + " bytes");
            }
            ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.nativeOrder());
            int argvAt = HEADER_SIZE;
            int shargvAt = argvAt + 8 * (argv.length + 1);
            int candidatesAt = shargvAt + 8 * (argv.length + 2);
            int envpAt = candidatesAt + 8 * (candidates.size() + 1);
            int stringsAt = envpAt + (envp == null ? 0 : 8 * (envp.length + 1));
            b.putInt(childFds[0]).putInt(childFds[1]).putInt(childFds[2]).putInt(closeMask);
            b.putInt(flags).putInt(cgroupFd);
            b.putLong(argvAt).putLong(shargvAt).putLong(candidatesAt).putLong(envp == null ? 0 : envpAt);
            b.position(stringsAt);  // strings first, recording where each went

            long[] argvAts = strings(b, argv);
            long shAt = string(b, BIN_SH);
            long[] candidateAts = strings(b, candidates.toArray(new byte[0][]));  // "" marks one to skip
            long[] envpAts = envp == null ? null : strings(b, envp);
            long cwdAt = cwd == null ? 0 : string(b, cwd);
            b.putLong(CWD_SLOT, cwdAt);

            b.position(argvAt);
            for (long at : argvAts) b.putLong(at);
            b.putLong(0);
            // The /bin/sh fallback for ENOEXEC: sh, <the candidate, set by the child>, argv[1..]
            b.putLong(shAt).putLong(shAt);  // the child's slot holds a placeholder, not the terminator
            for (int i = 1; i < argvAts.length; i++) b.putLong(argvAts[i]);
            b.putLong(0);
            for (long at : candidateAts) b.putLong(at);
            b.putLong(0);
            if (envpAts != null) {
                for (long at : envpAts) b.putLong(at);
                b.putLong(0);
            }
            bytes = b.array();
        }

        /** Writes NUL-terminated strings at the buffer's position; returns their offsets. */
        private static long[] strings(ByteBuffer b, byte[][] strings) {
            long[] at = new long[strings.length];
            for (int i = 0; i < strings.length; i++) {
                at[i] = string(b, strings[i]);
            }
            return at;
        }

        private static long string(ByteBuffer b, byte[] s) {
            long at = b.position();
            b.put(s).put((byte) 0);
            return at;
        }
    }
}

package io.github.pidfd4j.linux;

import com.sun.jna.JNIEnv;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.File;
import java.io.FileDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Every native entry point of pidfd4j, bound once by JNA direct mapping to the bundled
 * {@code libpidfd4j.so} (see {@code src/main/c/pidfd4j.c}). Functions return an errno value, or
 * {@code -errno} where a descriptor is returned, and never depend on the caller's errno.
 *
 * <p>The library is always loaded from this jar by absolute path, never through the system's
 * library search, so a stale copy elsewhere cannot be picked up; its ABI version is checked too.
 */
final class LinuxNative {

    /** Must equal PIDFD4J_ABI_VERSION in pidfd4j.c. */
    static final int ABI_VERSION = 2;

    // Spawn paths and failure stages, shared with pidfd4j.c.
    static final int PATH_CLONE_PIDFD = 1;
    static final int PATH_PIDFD_OPEN = 2;
    static final int STAGE_CLONE = 1;
    static final int STAGE_PIDFD_OPEN = 2;
    static final int STAGE_FDS = 3;
    static final int STAGE_CHDIR = 4;
    static final int STAGE_EXEC = 5;
    static final int STAGE_STACK = 6;

    // Linux constants, the same on every architecture.
    static final int WNOHANG = 1;
    static final int WEXITED = 4;
    static final int WNOWAIT = 0x01000000;
    static final int CLD_EXITED = 1;
    static final int CLD_KILLED = 2;
    static final int CLD_DUMPED = 3;
    static final int EPOLLIN = 1;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int E2BIG = 7;
    static final int EBADF = 9;
    static final int ECHILD = 10;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;

    private static final Throwable UNAVAILABILITY_CAUSE = load();

    private LinuxNative() {
    }

    static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    private static Throwable load() {
        try {
            if (!Platform.isLinux()) {
                return new UnsupportedOperationException("not Linux: " + System.getProperty("os.name"));
            }
            if (!Platform.is64Bit() || !(Platform.isIntel() || Platform.isARM())) {
                return new UnsupportedOperationException("not x86_64 or aarch64: " + System.getProperty("os.arch"));
            }
            String resource = "/" + Platform.RESOURCE_PREFIX + "/libpidfd4j.so";
            if (LinuxNative.class.getResource(resource) == null) {
                return new UnsatisfiedLinkError("libpidfd4j.so is not bundled for " + Platform.RESOURCE_PREFIX + " (" + resource + ")");
            }
            // Extract (or, when running from target/classes, use in place) and load by absolute path.
            boolean inPlace = "file".equals(LinuxNative.class.getResource(resource).getProtocol());
            File file = Native.extractFromResourcePath(resource, LinuxNative.class.getClassLoader());
            NativeLibrary library = NativeLibrary.getInstance(file.getAbsolutePath(),
                    Map.of(Library.OPTION_ALLOW_OBJECTS, Boolean.TRUE));  // FileDescriptor arguments
            Native.register(LinuxNative.class, library);
            if (!inPlace) {
                file.delete();  // extracted from the jar and mapped already: leave no temporary file behind
            }
            int abi = pidfd4j_abi_version();
            if (abi != ABI_VERSION) {
                return new UnsatisfiedLinkError("libpidfd4j.so has ABI version " + abi + ", expected " + ABI_VERSION);
            }
            return null;
        } catch (Throwable t) {  // UnsatisfiedLinkError, a noexec temp directory, a sandbox...
            return t;
        }
    }

    /** strerror(3) text for an errno value, as the JDK's messages show it. */
    static String strerror(int errno) {
        byte[] buf = new byte[256];
        pidfd4j_strerror(errno, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    /** The descriptor number inside a {@link FileDescriptor}. */
    static int fdGet(FileDescriptor fd) {
        return pidfd4j_fd_get(JNIEnv.CURRENT, fd);
    }

    /** A new {@link FileDescriptor} that owns this descriptor number. */
    static FileDescriptor fdNew(int fd) {
        FileDescriptor fdo = new FileDescriptor();
        pidfd4j_fd_set(JNIEnv.CURRENT, fdo, fd);
        return fdo;
    }

    /** Makes an (invalid, placeholder) {@link FileDescriptor} own this descriptor number. */
    static void fdSet(FileDescriptor fdo, int fd) {
        pidfd4j_fd_set(JNIEnv.CURRENT, fdo, fd);
    }

    static native int pidfd4j_abi_version();

    static native int pidfd4j_probe(int path);

    static native int pidfd4j_spawn(int path, Pointer candidates, Pointer argv, Pointer shargv, Pointer envp,
                                    Pointer cwd, Pointer fds, int redirectErr, Pointer out);

    static native int pidfd4j_waitid(int pidfd, int options, int[] info, long[] usage);

    static native int pidfd4j_exit_status(int pidfd, int[] status);

    static native int pidfd4j_send_signal(int pidfd, int sig);

    static native int pidfd4j_poll(int pidfd, int timeoutMillis);

    static native int pidfd4j_pidfd_open(int pid);

    static native int pidfd4j_pipe(int[] fds);

    static native int pidfd4j_close(int fd);

    static native int pidfd4j_epoll_create();

    static native int pidfd4j_epoll_ctl(int epfd, int op, int fd, int events, long data);

    static native int pidfd4j_epoll_wait(int epfd, Pointer data, int max, int timeoutMillis);

    static native void pidfd4j_strerror(int errno, byte[] buf, int len);

    static native void pidfd4j_sigchld_default();

    private static native int pidfd4j_fd_get(JNIEnv env, FileDescriptor fd);

    private static native int pidfd4j_fd_set(JNIEnv env, FileDescriptor fd, int value);
}

package io.github.pidfd4j.linux;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.CRC32;

/**
 * Loads the bundled {@code libpidfd4j.so} so that no other local user can ever substitute code for
 * it: the file is copied out of the jar into a directory that this JVM's user owns and only it can
 * write, every directory above which is writable only by root or that user (or sticky, like
 * {@code /tmp}), and it is loaded from there by its real path. Nothing is deleted while in use and
 * nothing re-opens the file later (JNI maps it once; the JNA it replaces unpacked
 * {@code libjnidispatch} to a shared temporary directory, deleted it, and libffi re-opened that path).
 *
 * <p>The directory is {@code <java.io.tmpdir>/pidfd4j-<uid>} (created with mode 0700, reused by
 * later JVMs: the copy is named after its content and checked byte for byte before use), or, when
 * another user holds that name or it is not private, a fresh {@code pidfd4j-<uid>-*} directory
 * there, removed at exit. {@value #DIR_PROPERTY} names another directory (for a {@code noexec}
 * {@code /tmp}); it must pass the same checks. Where none does, pidfd4j is unavailable, with the
 * reason, and the JDK's provider is used.
 */
final class NativeLibraryLoader {

    static final String DIR_PROPERTY = "pidfd4j.nativeDir";

    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_ISVTX = 01000;

    private NativeLibraryLoader() {
    }

    /** Loads the library for {@code owner}, whose class loader must hold the resource. */
    static void load(Class<?> owner) throws IOException {
        String resource = platformFolder() + "/libpidfd4j.so";
        byte[] bytes = readBundled(owner, resource);
        int uid = currentUid();
        PrivateDirectory dir = privateDirectory(uid);
        Path file = install(dir.path, bytes, uid);
        if (dir.temporary) {
            file.toFile().deleteOnExit();  // registered after its directory, so deleted before it
        }
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            // The JDK binds a library file to one class loader: the agent's isolated copy of pidfd4j
            // and the application's own copy need two files.
            if (e.getMessage() == null || !e.getMessage().contains("another classloader")) {
                throw e;
            }
            Path second = Files.createTempFile(dir.path, "libpidfd4j-", ".so");
            second.toFile().deleteOnExit();
            write(second, bytes);
            System.load(second.toString());
        }
    }

    /**
     * The bundled library. From the jar that holds {@code owner} when it is a plain jar file: a class
     * loader reads a resource through a jar URL connection, whose classes the first spawn would load for
     * this one read (a few ms). Otherwise through the class loader: the agent's isolated loader reads
     * its own jar directly then, and a directory of classes (tests) is read as it is.
     */
    private static byte[] readBundled(Class<?> owner, String resource) throws IOException {
        URL location = null;
        try {
            CodeSource source = owner.getProtectionDomain().getCodeSource();
            location = source == null ? null : source.getLocation();
        } catch (SecurityException e) {
            // a SecurityManager that grants no getProtectionDomain: the class loader below, as before
        }
        if (location != null && "file".equals(location.getProtocol()) && location.getPath().endsWith(".jar")) {
            try (JarFile jar = new JarFile(Path.of(location.toURI()).toFile(), false)) {
                JarEntry entry = jar.getJarEntry(resource);
                if (entry != null) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        return in.readAllBytes();
                    }
                }
            } catch (URISyntaxException | IllegalArgumentException e) {
                // not a path after all: the class loader below
            }
        }
        ClassLoader loader = owner.getClassLoader();
        try (InputStream in = loader != null ? loader.getResourceAsStream(resource) : ClassLoader.getSystemResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("libpidfd4j.so is not bundled for this platform (" + resource + ")");
            }
            return in.readAllBytes();
        }
    }

    private static String platformFolder() {
        if (!"Linux".equals(System.getProperty("os.name"))) {
            throw new UnsupportedOperationException("not Linux: " + System.getProperty("os.name"));
        }
        String arch = System.getProperty("os.arch");
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "linux-x86-64";
            case "aarch64":
                return "linux-aarch64";
            default:
                throw new UnsupportedOperationException("not x86_64 or aarch64: " + arch);
        }
    }

    /** The file-system uid of this process (the owner of the files it creates). */
    static int currentUid() throws IOException {
        for (String line : new String(read(Path.of("/proc/self/status")), StandardCharsets.ISO_8859_1).split("\n")) {
            if (line.startsWith("Uid:")) {
                // real, effective, saved, fs, tab-separated; no regex: it would cost the first spawn ~5 ms
                String[] ids = line.substring(4).trim().split("\t");
                return Integer.parseInt(ids[3].trim());
            }
        }
        throw new IOException("no Uid line in /proc/self/status");
    }

    /** A directory only this JVM's user can write; a temporary one is removed at exit. */
    private static final class PrivateDirectory {
        final Path path;
        final boolean temporary;

        PrivateDirectory(Path path, boolean temporary) {
            this.path = path;
            this.temporary = temporary;
        }
    }

    /** The directory to load from: created if need be, and checked private to {@code uid}. */
    private static PrivateDirectory privateDirectory(int uid) throws IOException {
        String configured = System.getProperty(DIR_PROPERTY, "").trim();
        if (!configured.isEmpty()) {
            return new PrivateDirectory(ensurePrivate(Path.of(configured).toAbsolutePath(), uid), false);
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        try {
            return new PrivateDirectory(ensurePrivate(tmp.resolve("pidfd4j-" + uid), uid), false);
        } catch (IOException shared) {  // squatted by another user, or not private
            try {
                Path parent = checkAncestors(tmp, uid);
                Path fresh = Files.createTempDirectory(parent, "pidfd4j-" + uid + "-");  // mode 0700
                checkPrivate(fresh, uid);
                fresh.toFile().deleteOnExit();  // after the file inside it, deleted first (LIFO)
                return new PrivateDirectory(fresh, true);
            } catch (IOException e) {
                e.addSuppressed(shared);
                throw new IOException("no directory only uid " + uid + " can write to load libpidfd4j.so from"
                        + " (set -D" + DIR_PROPERTY + " to one): " + e.getMessage(), e);
            }
        }
    }

    /** Creates {@code dir} with mode 0700 unless it exists, then checks it and every directory above it. */
    private static Path ensurePrivate(Path dir, int uid) throws IOException {
        Path parent = checkAncestors(dir.getParent(), uid);
        Path target = parent.resolve(dir.getFileName());
        try {
            Files.createDirectory(target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // checked below: it must be ours, a real directory (not a symlink) and private
        }
        checkPrivate(target, uid);
        return target;
    }

    /**
     * Resolves {@code dir} to its real path and checks that no other user can rename or replace
     * anything below it: each directory up to {@code /} is owned by root or {@code uid}, and is
     * writable by nobody else unless it is sticky (then others cannot rename our entries).
     */
    private static Path checkAncestors(Path dir, int uid) throws IOException {
        Path real = dir.toRealPath();
        for (Path p = real; p != null; p = p.getParent()) {
            Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            if (owner != 0 && owner != uid) {
                throw new IOException(p + " is owned by uid " + owner);
            }
            if ((mode & 022) != 0 && (mode & S_ISVTX) == 0) {
                throw new IOException(p + " is writable by other users (mode " + Integer.toOctalString(mode & 07777) + ")");
            }
        }
        return real;
    }

    private static void checkPrivate(Path dir, int uid) throws IOException {
        Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int owner = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode");
        if ((mode & S_IFMT) != S_IFDIR) {
            throw new IOException(dir + " is not a directory (a symbolic link is not followed)");
        }
        if (owner != uid) {
            throw new IOException(dir + " is owned by uid " + owner + ", not " + uid);
        }
        if ((mode & 077) != 0) {
            throw new IOException(dir + " is not private (mode " + Integer.toOctalString(mode & 07777) + ", expected 700)");
        }
    }

    /**
     * The library's copy in {@code dir}, named after its content: reused when it holds exactly these
     * bytes, else written to a temporary name and renamed into place (atomic: a concurrent JVM sees
     * the old file or the new one, never half of one).
     */
    private static Path install(Path dir, byte[] bytes, int uid) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        Path file = dir.resolve("libpidfd4j-" + Long.toHexString(crc.getValue()) + "-" + bytes.length + ".so");
        if (!holds(file, bytes, uid)) {
            Path tmp = Files.createTempFile(dir, ".libpidfd4j-", ".tmp");  // mode 0600
            try {
                write(tmp, bytes);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            if (!holds(file, bytes, uid)) {
                throw new IOException(file + " does not hold the library just written");
            }
        }
        return file;
    }

    private static boolean holds(Path file, byte[] bytes, int uid) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(file, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        int mode = (Integer) a.get("mode");
        return (mode & S_IFMT) == S_IFREG && (Integer) a.get("uid") == uid && (mode & 022) == 0
                && Arrays.equals(read(file), bytes);
    }

    // java.io rather than Files.readAllBytes/write: their channel classes are not in the JDK's
    // class-data archive, and loading them costs every JVM a few milliseconds of start-up.
    private static byte[] read(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return in.readAllBytes();
        }
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            out.write(bytes);
        }
    }
}

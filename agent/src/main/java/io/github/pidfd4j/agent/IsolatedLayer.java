package io.github.pidfd4j.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AllPermission;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.Permissions;
import java.security.ProtectionDomain;
import java.security.SecureClassLoader;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The module layer that holds pidfd4j-spi and the agent's hooks: one named module,
 * {@value #MODULE}, read from {@value #PREFIX} inside the agent's own jar, in a class loader whose
 * parent is the platform class loader. So the application's class path sees none of it (its own copy
 * of pidfd4j, whatever the version, is another class in another loader), and the agent can give exactly this
 * module native access and deep access to {@code java.lang}, and nothing else.
 *
 * <p>A named module, although resolving it costs the first spawn some 20 ms (about twice that in CPU
 * time, jmh/README.md):
 * an unnamed module is open to every module, so any code holding one of the agent's classes (the
 * class of every Process it starts) could take a private lookup into it, define a class of its own
 * there and so reach the {@code java.lang} the agent was given; this module opens no package. And
 * JEP 472 (JDK 24+) grants native access to a named module alone, all unnamed modules sharing one flag.
 */
final class IsolatedLayer {

    static final String PREFIX = "META-INF/pidfd4j/isolated/";
    static final String MODULE = "io.github.pidfd4j.isolated";
    static final String EXPORTED = "io.github.pidfd4j.agent.isolated";

    private IsolatedLayer() {
    }

    /** The agent's jar (or an exploded copy of it, in tests). */
    static Source source() throws IOException {
        return Source.of(IsolatedLayer.class);
    }

    /**
     * The isolated module's packages: pidfd4j-spi's two and the agent's entry points. Listed here, not
     * found by reading the jar's whole directory at the first spawn (some 4 ms); IsolatedLayerTest
     * checks the list against the classes that get embedded.
     */
    static final Set<String> PACKAGES = Set.of("io.github.pidfd4j", "io.github.pidfd4j.linux", EXPORTED);

    /** Creates the layer and returns its module. */
    static Module create(Source source) throws IOException {
        if (source.find(EXPORTED.replace('.', '/') + "/Installer.class").isEmpty()) {
            throw new IOException("the agent's isolated classes are missing from " + source.location
                    + " (expected " + PREFIX + EXPORTED.replace('.', '/') + "/)");
        }
        IsolatedLoader loader = new IsolatedLoader(source, PACKAGES);
        ModuleDescriptor descriptor = ModuleDescriptor.newModule(MODULE)
                .packages(PACKAGES)
                .exports(EXPORTED)
                // The Flight Recorder events: read when the boot layer has jdk.jfr, and only then
                // (a jlink image may lack it; pidfd4j checks with canRead before touching it).
                .requires(Set.of(ModuleDescriptor.Requires.Modifier.STATIC), "jdk.jfr")
                .build();
        ModuleReference reference = new ModuleReference(descriptor, source.location) {
            @Override
            public ModuleReader open() {
                return source;
            }
        };
        ModuleFinder finder = new ModuleFinder() {
            @Override
            public Optional<ModuleReference> find(String name) {
                return MODULE.equals(name) ? Optional.of(reference) : Optional.empty();
            }

            @Override
            public Set<ModuleReference> findAll() {
                return Set.of(reference);
            }
        };
        ModuleLayer boot = ModuleLayer.boot();
        Configuration configuration = boot.configuration().resolve(finder, ModuleFinder.of(), Set.of(MODULE));
        ModuleLayer layer = ModuleLayer.defineModules(configuration, List.of(boot), new Function<String, ClassLoader>() {
            @Override
            public ClassLoader apply(String module) {
                return loader;
            }
        }).layer();
        return layer.findModule(MODULE).orElseThrow();
    }

    /**
     * The isolated module's class loader. It defines every class with all permissions, as
     * {@code java.base}'s own {@code ProcessImpl} has them: under a SecurityManager (JDK 17) the agent
     * stands in for the JDK's code, so what the application may do is decided by the application's
     * frames, as with the JDK, and not by a policy that cannot name classes inside the agent's jar.
     * Everything outside the module comes from the platform class loader, parent first.
     */
    private static final class IsolatedLoader extends SecureClassLoader {
        private final Source source;
        private final Set<String> packages;
        private final ProtectionDomain domain;

        IsolatedLoader(Source source, Set<String> packages) throws IOException {
            super("pidfd4j-agent", ClassLoader.getPlatformClassLoader());
            this.source = source;
            this.packages = packages;
            Permissions all = new Permissions();
            all.add(new AllPermission());
            // The two-argument constructor: these permissions, the policy is not asked.
            this.domain = new ProtectionDomain(new CodeSource(source.location.toURL(), (CodeSigner[]) null), all);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            int dot = name.lastIndexOf('.');
            if (dot < 0 || !packages.contains(name.substring(0, dot))) {
                return super.loadClass(name, resolve);  // the platform's, parent first
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = define(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        @Override
        protected Class<?> findClass(String moduleName, String name) {
            if (!MODULE.equals(moduleName)) {
                return null;
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                try {
                    return c != null ? c : define(name);
                } catch (ClassNotFoundException e) {
                    return null;
                }
            }
        }

        private Class<?> define(String name) throws ClassNotFoundException {
            try {
                byte[] bytes = source.readBytes(name.replace('.', '/') + ".class");
                if (bytes == null) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, bytes, 0, bytes.length, domain);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }

        @Override
        protected URL findResource(String moduleName, String name) throws IOException {
            if (!MODULE.equals(moduleName)) {
                return null;
            }
            Optional<URI> uri = source.find(name);
            return uri.isPresent() ? uri.get().toURL() : null;
        }

        @Override
        protected URL findResource(String name) {
            try {
                return findResource(MODULE, name);
            } catch (IOException e) {
                return null;
            }
        }

        /**
         * The isolated classes' own resources (the native library) straight from the jar. The default
         * asks the platform loader's modules first and then reads through a jar URL connection: two
         * sets of classes the first spawn would load for one read.
         */
        @Override
        public InputStream getResourceAsStream(String name) {
            try {
                Optional<InputStream> in = source.open(name);
                if (in.isPresent()) {
                    return in.get();
                }
            } catch (IOException e) {
                return null;  // as the default does when the resource cannot be read
            }
            return super.getResourceAsStream(name);
        }
    }

    /** Reads the isolated folder of the agent's jar (or of an exploded copy of it), and the bridge. */
    abstract static class Source implements ModuleReader {
        final URI location;

        Source(URI location) {
            this.location = location;
        }

        static Source of(Class<?> agentClass) throws IOException {
            CodeSource codeSource = agentClass.getProtectionDomain().getCodeSource();
            if (codeSource == null || codeSource.getLocation() == null) {
                throw new IOException("cannot tell where the agent was loaded from");
            }
            Path path;
            try {
                path = Path.of(codeSource.getLocation().toURI());
            } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                throw new IOException("the agent must be loaded from a jar file or a directory, not "
                        + codeSource.getLocation(), e);
            }
            return Files.isDirectory(path) ? new DirectorySource(path) : new JarSource(path);
        }

        abstract List<String> names() throws IOException;

        /**
         * An entry outside the isolated folder, by its path in the jar. Read straight from the jar:
         * {@code ClassLoader.getResourceAsStream} would go through a jar URL connection, whose classes
         * the first spawn would load for this one read.
         */
        abstract byte[] readEntry(String path) throws IOException;

        /** An entry of the isolated folder, or null when there is none. */
        byte[] readBytes(String name) throws IOException {
            Optional<InputStream> in = open(name);
            if (in.isEmpty()) {
                return null;
            }
            try (InputStream s = in.get()) {
                return s.readAllBytes();
            }
        }

        @Override
        public Stream<String> list() throws IOException {
            return names().stream();
        }

        @Override
        public void close() {
            // stays open: classes are loaded from it for the life of the JVM
        }
    }

    private static final class JarSource extends Source {
        private final JarFile jar;
        private final String jarUri;

        JarSource(Path path) throws IOException {
            super(URI.create("jar:" + path.toUri() + "!/" + PREFIX));
            this.jar = new JarFile(path.toFile(), false);
            this.jarUri = path.toUri().toString();
        }

        @Override
        List<String> names() {
            // A loop, not a stream: the first lambdas of a JVM cost milliseconds of the first spawn.
            List<String> names = new ArrayList<>();
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String n = e.nextElement().getName();
                if (n.startsWith(PREFIX) && n.length() > PREFIX.length()) {
                    names.add(n.substring(PREFIX.length()));
                }
            }
            return names;
        }

        @Override
        byte[] readEntry(String path) throws IOException {
            JarEntry e = jar.getJarEntry(path);
            if (e == null || e.isDirectory()) {
                throw new IOException("missing " + path + " in the agent jar " + jarUri);
            }
            return readWhole(e);
        }

        @Override
        byte[] readBytes(String name) throws IOException {
            JarEntry e = jar.getJarEntry(PREFIX + name);
            return e == null || e.isDirectory() ? null : readWhole(e);
        }

        /**
         * One array of the size the jar's directory gives, where readAllBytes would fill 8 KB chunks and
         * copy them: the isolated classes are read while the first spawn waits, and every byte
         * allocated then stays in the JVM's resident memory until a collection.
         */
        private byte[] readWhole(JarEntry e) throws IOException {
            long size = e.getSize();
            try (InputStream in = jar.getInputStream(e)) {
                if (size < 0 || size > Integer.MAX_VALUE - 8) {
                    return in.readAllBytes();
                }
                byte[] bytes = new byte[(int) size];
                int n = in.readNBytes(bytes, 0, bytes.length);
                if (n != bytes.length || in.read() != -1) {
                    throw new IOException(e.getName() + " in " + jarUri + " is not the size its directory entry says");
                }
                return bytes;
            }
        }

        @Override
        public Optional<URI> find(String name) {
            JarEntry e = jar.getJarEntry(PREFIX + name);
            return e == null ? Optional.empty() : Optional.of(URI.create("jar:" + jarUri + "!/" + PREFIX + name));
        }

        @Override
        public Optional<InputStream> open(String name) throws IOException {
            JarEntry e = jar.getJarEntry(PREFIX + name);
            return e == null || e.isDirectory() ? Optional.empty() : Optional.of(jar.getInputStream(e));
        }
    }

    private static final class DirectorySource extends Source {
        private final Path root;
        private final Path dir;

        DirectorySource(Path root) {
            super(root.resolve(PREFIX).toUri());
            this.root = root;
            this.dir = root.resolve(PREFIX);
        }

        @Override
        byte[] readEntry(String path) throws IOException {
            return Files.readAllBytes(root.resolve(path));
        }

        @Override
        List<String> names() throws IOException {
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                List<String> names = new ArrayList<>();
                files.filter(Files::isRegularFile).forEach(p -> names.add(dir.relativize(p).toString().replace('\\', '/')));
                return names;
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }

        @Override
        public Optional<URI> find(String name) {
            Path p = dir.resolve(name).normalize();
            return p.startsWith(dir) && Files.exists(p) ? Optional.of(p.toUri()) : Optional.empty();
        }

        @Override
        public Optional<InputStream> open(String name) throws IOException {
            Path p = dir.resolve(name).normalize();
            return p.startsWith(dir) && Files.isRegularFile(p) ? Optional.of(Files.newInputStream(p)) : Optional.empty();
        }
    }
}

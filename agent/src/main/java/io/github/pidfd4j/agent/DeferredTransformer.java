package io.github.pidfd4j.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * What the agent leaves in a JVM at start-up, and all it leaves: a transformer that waits for the
 * JDK's process classes. When {@code ProcessImpl} (with {@code spawn}) or {@code ProcessHandleImpl}
 * first loads, or is found loaded already after a dynamic attach, it activates the agent once (the
 * module layer, the bridge, pidfd4j's native library, probe and watcher) and then patches the class
 * with {@link Instrumenter}. A JVM that never starts a process nor uses a {@link ProcessHandle} so
 * pays for no more than this class; ASM is not even loaded.
 *
 * <p>A spawn racing with the first activation is safe: the JDK loads {@code ProcessImpl} once, and
 * every other thread that needs it waits until this transformer has returned.
 *
 * <p>From {@code premain} it is registered as a transformer that cannot retransform, and removed once
 * every target has loaded: while any transformer is registered, every class the JVM loads is posted
 * to the agent (about 50 µs of CPU per class on a small VM, see jmh/README.md). Removing it loses
 * nothing: the JVM keeps what such a transformer produced as the class's bytes, and a later
 * retransformation by another agent starts from them, prologue included. After a dynamic attach the
 * targets may be loaded already and can only be patched by retransformation, which needs a
 * retransformation-capable transformer; that one stays, as a removed one would take the prologue
 * with it at the next retransformation.
 */
final class DeferredTransformer implements ClassFileTransformer {

    private static final String PROCESS_IMPL = "java/lang/ProcessImpl";
    private static final String PROCESS_HANDLE_IMPL = "java/lang/ProcessHandleImpl";

    /** Makes the agent ready to patch; true when the targets may be patched, false to leave the JDK's code. */
    interface Activation {
        boolean activate();
    }

    private final Instrumentation inst;
    private final boolean spawn;
    private final boolean onExit;
    private final boolean late;
    private final Activation activation;
    private final BiConsumer<String, Throwable> onError;
    private List<Instrumenter.Patch> patches;  // guarded by this: built on activation
    private Boolean active;                    // guarded by this: null until a target first loads
    private Thread activating;                 // guarded by this
    private boolean processImplSeen;           // guarded by this
    private boolean processHandleImplSeen;     // guarded by this

    private DeferredTransformer(Instrumentation inst, boolean spawn, boolean onExit, boolean late, Activation activation,
                                BiConsumer<String, Throwable> onError) {
        this.inst = inst;
        this.spawn = spawn;
        this.onExit = onExit;
        this.late = late;
        this.activation = activation;
        this.onError = onError;
    }

    /**
     * Registers the transformer, and retransforms the targets that are loaded already.
     *
     * @param late false from premain: the JVM starts no process and makes no ProcessHandle before
     *        main, so the scan of every loaded class (milliseconds of start-up) is skipped
     * @param onError told of each class that could not be patched, with the cause
     */
    static void install(Instrumentation inst, boolean spawn, boolean onExit, boolean late, Activation activation,
                        BiConsumer<String, Throwable> onError) {
        DeferredTransformer t = new DeferredTransformer(inst, spawn, onExit, late, activation, onError);
        inst.addTransformer(t, late);  // retransformation-capable only where it must retransform (see above)
        if (!late) {
            return;
        }
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {  // not Class.forName, which would load them
            if (c.getClassLoader() == null && t.isTarget(c.getName().replace('.', '/'))) {
                loaded.add(c);
            }
        }
        for (Class<?> c : loaded) {
            try {
                inst.retransformClasses(c);
            } catch (Throwable e) {
                onError.accept(c.getName(), e);
            }
        }
    }

    private boolean isTarget(String internalName) {
        return (spawn && internalName.equals(PROCESS_IMPL)) || internalName.equals(PROCESS_HANDLE_IMPL);
    }

    /**
     * Activates once. Another thread that loads the other target meanwhile waits here until the
     * activation is over; a target that the activation itself loaded (it is not expected to) is
     * left unpatched, and said so.
     */
    private synchronized List<Instrumenter.Patch> activePatches(String className) {
        if (active == null) {
            if (activating == Thread.currentThread()) {
                onError.accept(className.replace('/', '.'), new IllegalStateException("loaded while the agent activated"));
                return null;
            }
            activating = Thread.currentThread();
            try {
                active = activation.activate();
                if (active) {
                    patches = Instrumenter.patches(spawn, onExit);
                }
            } finally {
                activating = null;
            }
        }
        return active ? patches : null;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader != null || className == null || !isTarget(className)) {
            return null;
        }
        try {
            return patch(className, classfileBuffer);
        } finally {
            targetDone(className);
        }
    }

    /** Removes this transformer (premain only) once every target has been seen: see the class comment. */
    private void targetDone(String className) {
        synchronized (this) {
            if (className.equals(PROCESS_IMPL)) {
                processImplSeen = true;
            } else {
                processHandleImplSeen = true;
            }
            if (late || !processHandleImplSeen || (spawn && !processImplSeen)) {
                return;
            }
        }
        inst.removeTransformer(this);
    }

    private byte[] patch(String className, byte[] classfileBuffer) {
        List<Instrumenter.Patch> all = activePatches(className);
        if (all == null) {
            return null;
        }
        List<Instrumenter.Patch> mine = new ArrayList<>();
        for (Instrumenter.Patch p : all) {
            if (p.internalName.equals(className)) {
                mine.add(p);
            }
        }
        try {
            // All of a class's patches or none: the class is transformed once.
            byte[] patched = Instrumenter.patch(classfileBuffer, mine.toArray(new Instrumenter.Patch[0]));
            for (Instrumenter.Patch p : mine) {
                p.applied = patched != null;
            }
            if (patched == null) {
                onError.accept(className.replace('/', '.'), new NoSuchMethodException(
                        "a method to patch is missing from " + className.replace('/', '.')));
            }
            return patched;
        } catch (Throwable t) {  // never break the loading of a JDK class: leave it as it is
            for (Instrumenter.Patch p : mine) {
                p.error = t;
            }
            onError.accept(className.replace('/', '.'), t);
            return null;
        }
    }
}

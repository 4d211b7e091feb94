package io.github.pidfd4j.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Inlines a tiny static prologue into {@code java.lang.ProcessImpl.start} and
 * {@code java.lang.ProcessHandleImpl.completion}: the arguments go to the bridge, and a non-null
 * answer is returned at once; null runs the JDK's own body, unchanged.
 *
 * <pre>
 *   Process r = Pidfd4jBridge.start(cmdarray, environment, dir, redirects, redirectErrorStream);
 *   if (r != null) return r;
 *   ... the JDK's body ...
 * </pre>
 *
 * <p>{@code ProcessHandleImpl.destroyProcess(boolean)} and {@code isAlive()}, instance methods returning
 * a boolean, get the same shape with an int answer, negative for the JDK's body, and the handle's pid and
 * start time as the JDK's own natives get them:
 *
 * <pre>
 *   int r = Pidfd4jBridge.destroyProcess(this, this.pid, this.startTime, force);
 *   if (r >= 0) return r;
 * </pre>
 *
 * <p>It is the same code Byte Buddy's inlined {@code Advice} with {@code skipOn = OnNonDefaultValue}
 * produces, written into the class file by {@link PrologueWriter} (no bytecode library: building an
 * {@code Advice} and an {@code AgentBuilder} cost some 600 ms of every JVM's start on a small machine,
 * plain ASM still some 60 ms of CPU). At the join point the prologue adds one stack map frame, the
 * method's entry locals with the bridge's answer on the stack, which is then popped.
 * It adds no member and changes no signature, so it also works by retransformation on classes that
 * are loaded already (after a dynamic attach, or when the application has started a process).
 */
final class Instrumenter {

    static final String PROCESS_IMPL = "java.lang.ProcessImpl";
    static final String PROCESS_HANDLE_IMPL = "java.lang.ProcessHandleImpl";
    private static final String BRIDGE = "java/lang/Pidfd4jBridge";

    private Instrumenter() {
    }

    /** One method to patch. */
    static final class Patch {
        final String className;
        final String internalName;
        final String method;
        final String descriptor;
        /** For an instance method: {@code this}, then these fields of it ("name:descriptor"), go first. */
        final String[] fields;
        final String bridgeDescriptor;
        /** The class whose static method the prologue calls: the bridge, or a stand-in in tests. */
        final String bridge;
        volatile boolean applied;
        volatile Throwable error;

        Patch(String className, String method, String descriptor) {
            this(className, method, descriptor, null);
        }

        /**
         * {@code fields} null: a static method whose bridge method has its descriptor. Otherwise an
         * instance method returning a boolean: the bridge gets the handle, these fields and the
         * arguments, and answers an int, negative for "run the JDK's body".
         */
        Patch(String className, String method, String descriptor, String[] fields) {
            this(className, method, descriptor, fields, BRIDGE);
        }

        Patch(String className, String method, String descriptor, String[] fields, String bridge) {
            this.bridge = bridge;
            this.className = className;
            this.internalName = className.replace('.', '/');
            this.method = method;
            this.descriptor = descriptor;
            this.fields = fields;
            if (fields == null) {
                this.bridgeDescriptor = descriptor;
            } else {
                StringBuilder d = new StringBuilder("(Ljava/lang/ProcessHandle;");
                for (String f : fields) {
                    d.append(f.substring(f.indexOf(':') + 1));
                }
                d.append(descriptor, 1, descriptor.indexOf(')')).append(")I");
                this.bridgeDescriptor = d.toString();
            }
        }

        boolean isStatic() {
            return fields == null;
        }
    }

    static Patch spawnPatch() {
        return new Patch(PROCESS_IMPL, "start",
                "([Ljava/lang/String;Ljava/util/Map;Ljava/lang/String;[Ljava/lang/ProcessBuilder$Redirect;Z)Ljava/lang/Process;");
    }

    static Patch exitPatch() {
        return new Patch(PROCESS_HANDLE_IMPL, "completion", "(JZ)Ljava/util/concurrent/CompletableFuture;");
    }

    /** The handle's pid and start time: what the JDK's own destroy0 and isAlive0 check against. */
    private static final String[] HANDLE_FIELDS = {"pid:J", "startTime:J"};

    /** {@code ProcessHandleImpl.destroyProcess(boolean)}: reached by destroy(), destroyForcibly() of a handle. */
    static Patch destroyPatch() {
        return new Patch(PROCESS_HANDLE_IMPL, "destroyProcess", "(Z)Z", HANDLE_FIELDS);
    }

    /** {@code ProcessHandleImpl.isAlive()}. */
    static Patch alivePatch() {
        return new Patch(PROCESS_HANDLE_IMPL, "isAlive", "()Z", HANDLE_FIELDS);
    }

    /** Every patch the settings ask for, fresh (each records whether it was applied). */
    static List<Patch> patches(boolean spawn, boolean onExit) {
        List<Patch> patches = new ArrayList<>();
        if (spawn) {
            patches.add(spawnPatch());
        }
        if (onExit) {
            patches.add(exitPatch());
        }
        // A handle's destroy and isAlive act through pidfds whenever the agent is active: for pidfd4j's
        // children (their toHandle() is the JDK's handle) and against pid reuse for any other process.
        patches.add(destroyPatch());
        patches.add(alivePatch());
        return patches;
    }

    /**
     * The class with the prologue in each target method, or null when one of the methods is not there
     * (then none is patched).
     */
    static byte[] patch(byte[] classfile, Patch... patches) {
        return PrologueWriter.patch(classfile, patches);
    }
}

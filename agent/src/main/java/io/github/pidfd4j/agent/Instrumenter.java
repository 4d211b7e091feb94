package io.github.pidfd4j.agent;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

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
 * produces, written with plain ASM (relocated into the agent jar): building an {@code Advice}
 * and an {@code AgentBuilder} cost some 600 ms of every JVM's start on a small machine, this costs a few.
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
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, 0);
        boolean[] found = new boolean[patches.length];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                for (int i = 0; i < patches.length; i++) {
                    Patch patch = patches[i];
                    if (name.equals(patch.method) && descriptor.equals(patch.descriptor)
                            && ((access & Opcodes.ACC_STATIC) != 0) == patch.isStatic()) {
                        found[i] = true;
                        return new Prologue(mv, patch);
                    }
                }
                return mv;
            }
        }, 0);
        for (boolean f : found) {
            if (!f) {
                return null;
            }
        }
        return writer.toByteArray();
    }

    /**
     * {@code r = Pidfd4jBridge.<method>(args...); if (r != null) return r;} at the start of a static
     * method whose return type is a reference; for an instance method returning a boolean,
     * {@code r = Pidfd4jBridge.<method>(this, this.<fields>..., args...); if (r >= 0) return r;}. The
     * frame at the skip label repeats the method's entry locals with the result on the stack, which is
     * then popped; the method's own frames are relative to entry locals too, so they stay valid as they are.
     */
    private static final class Prologue extends MethodVisitor {
        private final Patch patch;
        private final int argumentSlots;
        private final int stackSlots;

        Prologue(MethodVisitor mv, Patch patch) {
            super(Opcodes.ASM9, mv);
            this.patch = patch;
            int slots = patch.isStatic() ? 0 : 1;
            for (Type t : Type.getArgumentTypes(patch.descriptor)) {
                slots += t.getSize();
            }
            this.argumentSlots = slots;
            int stack = slots;
            if (!patch.isStatic()) {
                for (String f : patch.fields) {
                    stack += Type.getType(f.substring(f.indexOf(':') + 1)).getSize();
                }
            }
            this.stackSlots = stack;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            int slot = 0;
            if (!patch.isStatic()) {
                super.visitVarInsn(Opcodes.ALOAD, 0);
                for (String f : patch.fields) {
                    int colon = f.indexOf(':');
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitFieldInsn(Opcodes.GETFIELD, patch.internalName, f.substring(0, colon), f.substring(colon + 1));
                }
                slot = 1;
            }
            for (Type t : Type.getArgumentTypes(patch.descriptor)) {
                super.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
                slot += t.getSize();
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, patch.method, patch.bridgeDescriptor, false);
            Label jdk = new Label();
            super.visitInsn(Opcodes.DUP);
            if (patch.isStatic()) {
                super.visitJumpInsn(Opcodes.IFNULL, jdk);
                super.visitInsn(Opcodes.ARETURN);
            } else {
                super.visitJumpInsn(Opcodes.IFLT, jdk);
                super.visitInsn(Opcodes.IRETURN);  // 0 or 1: the boolean answer
            }
            super.visitLabel(jdk);
            Object onStack = patch.isStatic() ? Type.getReturnType(patch.descriptor).getInternalName() : Opcodes.INTEGER;
            super.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[] {onStack});
            super.visitInsn(Opcodes.POP);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            // The prologue needs the bridge's arguments on the stack, then the result and its copy.
            super.visitMaxs(Math.max(maxStack, Math.max(stackSlots, 2)), Math.max(maxLocals, argumentSlots));
        }
    }
}

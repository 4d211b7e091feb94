package io.github.pidfd4j.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

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
 * <p>It is the same code Byte Buddy's inlined {@code Advice} with {@code skipOn = OnNonDefaultValue}
 * produces, written with the ASM that Byte Buddy ships (relocated with it): building an {@code Advice}
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
        volatile boolean applied;
        volatile Throwable error;

        Patch(String className, String method, String descriptor) {
            this.className = className;
            this.internalName = className.replace('.', '/');
            this.method = method;
            this.descriptor = descriptor;
        }
    }

    static Patch spawnPatch() {
        return new Patch(PROCESS_IMPL, "start",
                "([Ljava/lang/String;Ljava/util/Map;Ljava/lang/String;[Ljava/lang/ProcessBuilder$Redirect;Z)Ljava/lang/Process;");
    }

    static Patch exitPatch() {
        return new Patch(PROCESS_HANDLE_IMPL, "completion", "(JZ)Ljava/util/concurrent/CompletableFuture;");
    }

    /**
     * Registers the transformer and applies it to the target classes, loading them (without
     * initialising them) or retransforming them when loaded already.
     *
     * @param onError told of each class that could not be patched, with the cause
     */
    static void install(Instrumentation inst, boolean spawn, boolean onExit, BiConsumer<String, Throwable> onError) {
        List<Patch> patches = new ArrayList<>();
        if (spawn) {
            patches.add(spawnPatch());
        }
        if (onExit) {
            patches.add(exitPatch());
        }
        inst.addTransformer(new Transformer(patches), true);
        for (Patch p : patches) {
            try {
                Class<?> c = Class.forName(p.className, false, null);  // patched here if it loads now
                if (!p.applied && p.error == null) {
                    inst.retransformClasses(c);
                }
                if (p.error == null && !p.applied) {
                    p.error = new NoSuchMethodException(p.className + "." + p.method + p.descriptor);
                }
            } catch (Throwable t) {
                p.error = t;
            }
            if (p.error != null) {
                onError.accept(p.className, p.error);
            }
        }
    }

    /** Patches the targets whenever they are loaded or retransformed; anything else passes untouched. */
    static final class Transformer implements ClassFileTransformer {
        private final List<Patch> patches;

        Transformer(List<Patch> patches) {
            this.patches = patches;
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                                ProtectionDomain protectionDomain, byte[] classfileBuffer) {
            if (loader != null || className == null || !className.startsWith("java/lang/Process")) {
                return null;
            }
            for (Patch p : patches) {
                if (p.internalName.equals(className)) {
                    try {
                        byte[] patched = patch(classfileBuffer, p);
                        p.applied = patched != null;
                        return patched;
                    } catch (Throwable t) {  // never break the loading of a JDK class: leave it as it is
                        p.error = t;
                        return null;
                    }
                }
            }
            return null;
        }
    }

    /** The class with the prologue in its target method, or null when the method is not there. */
    static byte[] patch(byte[] classfile, Patch patch) {
        ClassReader reader = new ClassReader(classfile);
        ClassWriter writer = new ClassWriter(reader, 0);
        boolean[] found = new boolean[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (name.equals(patch.method) && descriptor.equals(patch.descriptor) && (access & Opcodes.ACC_STATIC) != 0) {
                    found[0] = true;
                    return new Prologue(mv, name, descriptor);
                }
                return mv;
            }
        }, 0);
        return found[0] ? writer.toByteArray() : null;
    }

    /**
     * {@code r = Pidfd4jBridge.<method>(args...); if (r != null) return r;} at the start of a static
     * method whose return type is a reference. The frame at the skip label repeats the method's entry
     * locals with the (null) result on the stack, which is then popped; the method's own frames are
     * relative to entry locals too, so they stay valid as they are.
     */
    private static final class Prologue extends MethodVisitor {
        private final String method;
        private final String descriptor;
        private final int argumentSlots;

        Prologue(MethodVisitor mv, String method, String descriptor) {
            super(Opcodes.ASM9, mv);
            this.method = method;
            this.descriptor = descriptor;
            int slots = 0;
            for (Type t : Type.getArgumentTypes(descriptor)) {
                slots += t.getSize();
            }
            this.argumentSlots = slots;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            int slot = 0;
            for (Type t : Type.getArgumentTypes(descriptor)) {
                super.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
                slot += t.getSize();
            }
            Type returns = Type.getReturnType(descriptor);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, method, descriptor, false);  // same name and descriptor
            Label jdk = new Label();
            super.visitInsn(Opcodes.DUP);
            super.visitJumpInsn(Opcodes.IFNULL, jdk);
            super.visitInsn(Opcodes.ARETURN);
            super.visitLabel(jdk);
            super.visitFrame(Opcodes.F_SAME1, 0, null, 1, new Object[] {returns.getInternalName()});
            super.visitInsn(Opcodes.POP);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            // The prologue needs the arguments plus one slot for the duplicated result.
            super.visitMaxs(Math.max(maxStack, argumentSlots + 1), Math.max(maxLocals, argumentSlots));
        }
    }
}

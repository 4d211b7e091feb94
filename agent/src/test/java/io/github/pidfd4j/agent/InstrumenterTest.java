package io.github.pidfd4j.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.junit.jupiter.api.Test;

/** The prologue, on the class files of the JDK that runs the tests. */
class InstrumenterTest {

    private static byte[] jdkClass(String name) throws IOException {
        try (InputStream in = Object.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Per method: the opcodes of its first {@code n} instructions (labels and frames left out). */
    private static Map<String, List<String>> head(byte[] classfile, int n) {
        Map<String, List<String>> heads = new LinkedHashMap<>();
        new ClassReader(classfile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                List<String> ops = new ArrayList<>();
                heads.put(name + descriptor, ops);
                return new MethodVisitor(Opcodes.ASM9) {
                    private void add(String s) {
                        if (ops.size() < n) {
                            ops.add(s);
                        }
                    }

                    @Override
                    public void visitVarInsn(int opcode, int var) {
                        add(opcode + " " + var);
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        add(Integer.toString(opcode));
                    }

                    @Override
                    public void visitJumpInsn(int opcode, org.objectweb.asm.Label label) {
                        add(Integer.toString(opcode));
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
                        add(opcode + " " + owner + "." + name + desc);
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        add(opcode + " " + type);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String name, String desc) {
                        add(opcode + " " + owner + "." + name);
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        add("ldc");
                    }
                };
            }
        }, 0);
        return heads;
    }

    /** The JDK's body after a prologue of {@code prologue} instructions and its {@code nop} padding. */
    private static List<String> body(List<String> ops, int prologue) {
        int i = prologue;
        while (i < ops.size() && ops.get(i).equals("0") && i < prologue + 3) {
            i++;
        }
        return ops.subList(i, ops.size());
    }

    @Test
    void processImplStartBeginsWithTheBridgeCall() throws IOException {
        Instrumenter.Patch patch = Instrumenter.spawnPatch();
        byte[] original = jdkClass(Instrumenter.PROCESS_IMPL);
        byte[] patched = Instrumenter.patch(original, patch);
        assertNotNull(patched);
        String key = patch.method + patch.descriptor;
        assertEquals(List.of(
                "25 0", "25 1", "25 2", "25 3", "21 4",
                "184 java/lang/Pidfd4jBridge.start" + patch.descriptor,
                "89", "198", "176", "87"), head(patched, 10).get(key));
        // Everything else is untouched, and the original body follows the prologue.
        Map<String, List<String>> before = head(original, 1000);
        Map<String, List<String>> after = head(patched, 1010);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((m, ops) -> {
            List<String> now = after.get(m);
            assertEquals(ops, m.equals(key) ? body(now, 10) : now, m);
        });
    }

    @Test
    void processHandleImplCompletionBeginsWithTheBridgeCall() throws IOException {
        Instrumenter.Patch patch = Instrumenter.exitPatch();
        byte[] patched = Instrumenter.patch(jdkClass(Instrumenter.PROCESS_HANDLE_IMPL), patch);
        assertNotNull(patched);
        assertEquals(List.of("22 0", "21 2", "184 java/lang/Pidfd4jBridge.completion" + patch.descriptor,
                "89", "198", "176", "87"), head(patched, 7).get(patch.method + patch.descriptor));
    }

    @Test
    void handleDestroyAndIsAliveBeginWithTheBridgeCallGivenThePidAndStartTime() throws IOException {
        Instrumenter.Patch completion = Instrumenter.exitPatch();
        Instrumenter.Patch destroy = Instrumenter.destroyPatch();
        Instrumenter.Patch alive = Instrumenter.alivePatch();
        byte[] original = jdkClass(Instrumenter.PROCESS_HANDLE_IMPL);
        byte[] patched = Instrumenter.patch(original, completion, destroy, alive);  // one class, three methods
        assertNotNull(patched);
        String h = "java/lang/ProcessHandleImpl.";
        assertEquals("(Ljava/lang/ProcessHandle;JJZ)I", destroy.bridgeDescriptor);
        assertEquals(List.of("25 0", "25 0", "180 " + h + "pid", "25 0", "180 " + h + "startTime", "21 1",
                "184 java/lang/Pidfd4jBridge.destroyProcess(Ljava/lang/ProcessHandle;JJZ)I",
                "89", "155", "172", "87"), head(patched, 11).get("destroyProcess(Z)Z"));
        assertEquals(List.of("25 0", "25 0", "180 " + h + "pid", "25 0", "180 " + h + "startTime",
                "184 java/lang/Pidfd4jBridge.isAlive(Ljava/lang/ProcessHandle;JJ)I",
                "89", "155", "172", "87"), head(patched, 10).get("isAlive()Z"));
        assertEquals("184 java/lang/Pidfd4jBridge.completion" + completion.descriptor,
                head(patched, 3).get(completion.method + completion.descriptor).get(2));
        // The JDK's bodies follow the prologues unchanged; the static isAlive(long) etc. are untouched.
        Map<String, List<String>> before = head(original, 1000);
        Map<String, List<String>> after = head(patched, 1011);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((m, ops) -> {
            List<String> now = after.get(m);
            int skip = m.equals("destroyProcess(Z)Z") ? 11 : m.equals("isAlive()Z") ? 10
                    : m.equals(completion.method + completion.descriptor) ? 7 : 0;
            assertEquals(ops, body(now, skip), m);
        });
    }

    @Test
    void aClassWithoutTheMethodIsLeftAlone() throws IOException {
        assertNull(Instrumenter.patch(jdkClass("java.lang.ProcessBuilder"), Instrumenter.spawnPatch()));
        byte[] processImpl = jdkClass(Instrumenter.PROCESS_IMPL);
        byte[] copy = processImpl.clone();
        Instrumenter.patch(processImpl, Instrumenter.exitPatch());
        assertArrayEquals(copy, processImpl);
    }
}

package io.github.pidfd4j.agent;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes {@link Instrumenter}'s prologue into a class file, without a bytecode library: the agent
 * used ASM for this, and loading and running ASM cost a JVM's first spawn about 60 ms of CPU and 3 MB
 * (measured, see jmh/README.md), more than the rest of the agent's activation.
 *
 * <p>Only what a prologue at offset 0 needs is touched (JVMS 4): new constants are appended to the
 * pool; the target method's code gets the prologue in front, padded with {@code nop}s to a multiple of
 * 4 bytes so that the {@code tableswitch}/{@code lookupswitch} padding of the body stays right;
 * branches are relative and stay as they are, while every absolute code offset is moved: the
 * exception table, {@code LineNumberTable}, {@code LocalVariable(Type)Table} and the first frame of
 * {@code StackMapTable}, in front of which the prologue's one frame goes. A code attribute this class
 * does not know (type annotations, say) is refused with an exception: better the JDK's own code than
 * a wrong offset.
 */
final class PrologueWriter {

    private static final int ACC_STATIC = 0x0008;

    private final byte[] in;
    private final int[] constants;     // offset of each constant pool entry (its tag); 0 for the slot after a long
    private final int poolEnd;         // offset just past the constant pool
    private final int thisClass;       // constant pool index of this class
    private final Bytes added = new Bytes();  // the constants appended to the pool
    private final Map<String, Integer> addedIndex = new HashMap<>();
    private int nextIndex;

    private PrologueWriter(byte[] classfile) {
        this.in = classfile;
        if (u4(0) != 0xCAFEBABE) {
            throw new IllegalArgumentException("not a class file");
        }
        int count = u2(8);
        constants = new int[count];
        int p = 10;
        for (int i = 1; i < count; i++) {
            constants[i] = p;
            int tag = in[p] & 0xff;
            switch (tag) {
                case 1: p += 3 + u2(p + 1); break;                            // Utf8
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: p += 5; break;
                case 5: case 6: p += 9; i++; break;                          // Long, Double: two slots
                case 7: case 8: case 16: case 19: case 20: p += 3; break;    // Class, String, MethodType, Module, Package
                case 15: p += 4; break;                                       // MethodHandle
                default: throw new IllegalArgumentException("unknown constant pool tag " + tag + " at " + p);
            }
        }
        poolEnd = p;
        thisClass = u2(p + 2);
        nextIndex = count;
    }

    /** The class with a prologue in each patched method, or null when one of them is missing (then none is patched). */
    static byte[] patch(byte[] classfile, Instrumenter.Patch[] patches) {
        return new PrologueWriter(classfile).write(patches);
    }

    private byte[] write(Instrumenter.Patch[] patches) {
        // Header and constant pool first: the pool's new entries are known only once the methods are written.
        Bytes tail = new Bytes();
        int p = poolEnd + 6;                                   // access, this, super
        p += 2 + 2 * u2(p);                                    // interfaces
        p = skipMembers(p);                                    // fields
        tail.write(in, poolEnd, p - poolEnd);
        int methods = u2(p);
        tail.u2(methods);
        p += 2;
        boolean[] found = new boolean[patches.length];
        for (int m = 0; m < methods; m++) {
            int access = u2(p);
            Instrumenter.Patch patch = null;
            for (int i = 0; i < patches.length; i++) {
                Instrumenter.Patch candidate = patches[i];
                if (utf8Is(u2(p + 2), candidate.method) && utf8Is(u2(p + 4), candidate.descriptor)
                        && ((access & ACC_STATIC) != 0) == candidate.isStatic()) {
                    found[i] = true;
                    patch = candidate;
                }
            }
            int end = skipAttributes(p + 6);
            if (patch == null) {
                tail.write(in, p, end - p);
            } else {
                writeMethod(tail, p, patch);
            }
            p = end;
        }
        tail.write(in, p, in.length - p);                      // class attributes
        for (boolean f : found) {
            if (!f) {
                return null;
            }
        }
        if (nextIndex > 0xffff) {
            throw new IllegalArgumentException("constant pool too large");
        }
        Bytes out = new Bytes();
        out.write(in, 0, 8);
        out.u2(nextIndex);
        out.write(in, 10, poolEnd - 10);
        out.write(added.data, 0, added.size);
        out.write(tail.data, 0, tail.size);
        return out.toArray();
    }

    /** A method whose Code gets the prologue; its other attributes are copied. */
    private void writeMethod(Bytes out, int p, Instrumenter.Patch patch) {
        out.write(in, p, 6);
        int count = u2(p + 6);
        out.u2(count);
        int a = p + 8;
        boolean code = false;
        for (int i = 0; i < count; i++) {
            int length = u4(a + 2);
            if (utf8Is(u2(a), "Code")) {
                writeCode(out, a, patch);
                code = true;
            } else {
                out.write(in, a, 6 + length);
            }
            a += 6 + length;
        }
        if (!code) {
            throw new IllegalArgumentException(patch.method + patch.descriptor + " has no code");
        }
    }

    private void writeCode(Bytes out, int a, Instrumenter.Patch patch) {
        int maxStack = u2(a + 6);
        int maxLocals = u2(a + 8);
        int codeLength = u4(a + 10);
        int code = a + 14;
        Prologue prologue = prologue(patch);
        int shift = prologue.bytes.size;
        if (codeLength + shift > 0xffff) {
            throw new IllegalArgumentException(patch.method + patch.descriptor + " would exceed 64 KB of code");
        }
        Bytes body = new Bytes();
        body.u2(Math.max(maxStack, prologue.maxStack));
        body.u2(Math.max(maxLocals, prologue.argumentSlots));
        body.u4(codeLength + shift);
        body.write(prologue.bytes.data, 0, shift);
        body.write(in, code, codeLength);
        int p = code + codeLength;
        int handlers = u2(p);
        body.u2(handlers);
        p += 2;
        for (int i = 0; i < handlers; i++, p += 8) {
            body.u2(u2(p) + shift);                             // start_pc
            body.u2(u2(p + 2) + shift);                         // end_pc
            body.u2(u2(p + 4) + shift);                         // handler_pc
            body.u2(u2(p + 6));                                 // catch_type
        }
        int count = u2(p);
        p += 2;
        boolean frames = false;
        Bytes attributes = new Bytes();
        for (int i = 0; i < count; i++) {
            String name = utf8(u2(p));
            int length = u4(p + 2);
            int start = p + 6;
            switch (name) {
                case "StackMapTable":
                    frames = true;
                    writeFrames(attributes, p, prologue, shift);
                    break;
                case "LineNumberTable":                          // {start_pc, line_number}
                    writeShifted(attributes, p, 4, shift);
                    break;
                case "LocalVariableTable": case "LocalVariableTypeTable":  // {start_pc, length, name, descriptor, index}
                    writeShifted(attributes, p, 10, shift);
                    break;
                default:
                    throw new IllegalArgumentException("unexpected " + name + " in the code of "
                            + patch.method + patch.descriptor);
            }
            p = start + length;
        }
        if (!frames) {                                          // a body without branches: the prologue's frame alone
            Bytes table = new Bytes();
            table.u2(1);
            prologue.frame(table);
            attributes.u2(utf8Index("StackMapTable"));
            attributes.u4(table.size);
            attributes.write(table.data, 0, table.size);
            count++;
        }
        body.u2(count);
        body.write(attributes.data, 0, attributes.size);
        out.write(in, a, 2);                                    // attribute_name_index: "Code"
        out.u4(body.size);
        out.write(body.data, 0, body.size);
    }

    /** A table of entries of {@code entrySize} bytes, each starting with a code offset. */
    private void writeShifted(Bytes out, int a, int entrySize, int shift) {
        out.write(in, a, 6);
        int n = u2(a + 6);
        out.u2(n);
        for (int i = 0, e = a + 8; i < n; i++, e += entrySize) {
            out.u2(u2(e) + shift);
            out.write(in, e + 2, entrySize - 2);
        }
    }

    /**
     * The prologue's frame, then the method's own: only the first of those changes, since each
     * frame's offset is relative to the previous frame's (the first's to the code's start, JVMS 4.7.4),
     * and the prologue's frame has the method's entry locals, as the implicit first frame it follows.
     */
    private void writeFrames(Bytes out, int a, Prologue prologue, int shift) {
        int n = u2(a + 6);
        int first = a + 8;
        int end = a + 6 + u4(a + 2);
        Bytes table = new Bytes();
        table.u2(n + 1);
        prologue.frame(table);
        if (n > 0) {
            int type = in[first] & 0xff;
            int rest;
            int offset;                                         // the first frame's code offset
            if (type < 64) {                                    // same_frame
                offset = type;
                rest = first + 1;
            } else if (type < 128) {                            // same_locals_1_stack_item_frame
                offset = type - 64;
                rest = first + 1;
            } else if (type >= 247) {                           // the forms with an explicit offset_delta
                offset = u2(first + 1);
                rest = first + 3;
            } else {
                throw new IllegalArgumentException("reserved stack map frame type " + type);
            }
            int delta = offset + shift - prologue.frameOffset - 1;
            if (type < 64) {
                if (delta < 64) {
                    table.u1(delta);
                } else {
                    table.u1(251);                              // same_frame_extended
                    table.u2(delta);
                }
            } else if (type < 128) {
                if (delta < 64) {
                    table.u1(64 + delta);
                } else {
                    table.u1(247);                              // same_locals_1_stack_item_frame_extended
                    table.u2(delta);
                }
            } else {
                table.u1(type);
                table.u2(delta);
            }
            table.write(in, rest, end - rest);
        }
        out.write(in, a, 2);
        out.u4(table.size);
        out.write(table.data, 0, table.size);
    }

    /** The prologue's code and what it needs of the frame; see {@link Instrumenter} for what it does. */
    private final class Prologue {
        final Bytes bytes = new Bytes();
        int frameOffset;        // of the pop after the early return: where the JDK's path resumes
        int frameType;          // the stack's one item there: the bridge's answer
        int argumentSlots;
        int maxStack;

        void frame(Bytes table) {
            if (frameOffset < 64) {
                table.u1(64 + frameOffset);                     // same_locals_1_stack_item_frame
            } else {
                table.u1(247);
                table.u2(frameOffset);
            }
            if (frameType == 0) {
                table.u1(1);                                    // Integer
            } else {
                table.u1(7);                                    // Object, of the method's return type
                table.u2(frameType);
            }
        }
    }

    private Prologue prologue(Instrumenter.Patch patch) {
        Prologue pr = new Prologue();
        Bytes b = pr.bytes;
        int stack = 0;
        int slot = 0;
        if (!patch.isStatic()) {
            b.u1(0x2a);                                         // aload_0: the handle
            for (String f : patch.fields) {
                int colon = f.indexOf(':');
                String type = f.substring(colon + 1);
                b.u1(0x2a);                                     // aload_0
                b.u1(0xb4);                                     // getfield
                b.u2(fieldRef(f.substring(0, colon), type));
                stack += size(type.charAt(0));
            }
            stack++;
            slot = 1;
        }
        String d = patch.descriptor;
        int i = 1;
        while (d.charAt(i) != ')') {
            int next = typeEnd(d, i);
            char t = d.charAt(i);
            load(b, t, slot);
            slot += size(t);
            stack += size(t);
            i = next;
        }
        pr.argumentSlots = slot;
        pr.maxStack = Math.max(stack, 2);                       // the arguments; then the answer and its copy
        b.u1(0xb8);                                             // invokestatic
        b.u2(methodRef(patch.bridge, patch.method, patch.bridgeDescriptor));
        b.u1(0x59);                                             // dup
        if (patch.isStatic()) {
            b.u1(0xc6);                                         // ifnull +4: past the areturn
            b.u2(4);
            b.u1(0xb0);                                         // areturn
            String returned = d.substring(d.indexOf(')') + 1);
            if (returned.charAt(0) != 'L') {
                throw new IllegalArgumentException(patch.method + d + " does not return an object");
            }
            pr.frameType = classRef(returned.substring(1, returned.length() - 1));
        } else {
            b.u1(0x9b);                                         // iflt +4: past the ireturn
            b.u2(4);
            b.u1(0xac);                                         // ireturn: 0 or 1, the boolean answer
            pr.frameType = 0;
        }
        pr.frameOffset = b.size;
        b.u1(0x57);                                             // pop
        while (b.size % 4 != 0) {
            b.u1(0x00);                                         // nop: keeps the body's switch padding aligned
        }
        return pr;
    }

    private static void load(Bytes b, char type, int slot) {
        int op;          // xload; xload_0 is op's short form base below
        int shortForm;
        switch (type) {
            case 'J': op = 0x16; shortForm = 0x1e; break;
            case 'F': op = 0x17; shortForm = 0x22; break;
            case 'D': op = 0x18; shortForm = 0x26; break;
            case 'L': case '[': op = 0x19; shortForm = 0x2a; break;
            default: op = 0x15; shortForm = 0x1a; break;        // int, boolean, byte, char, short
        }
        if (slot <= 3) {
            b.u1(shortForm + slot);
        } else if (slot <= 0xff) {
            b.u1(op);
            b.u1(slot);
        } else {
            b.u1(0xc4);                                         // wide
            b.u1(op);
            b.u2(slot);
        }
    }

    private static int size(char type) {
        return type == 'J' || type == 'D' ? 2 : 1;
    }

    /** The index just past the field type that starts at {@code i}. */
    private static int typeEnd(String d, int i) {
        while (d.charAt(i) == '[') {
            i++;
        }
        return d.charAt(i) == 'L' ? d.indexOf(';', i) + 1 : i + 1;
    }

    // ---- the constant pool: appended entries, each once

    private int utf8Index(String s) {
        for (int i = 1; i < constants.length; i++) {            // an existing one, if the class has it
            if (utf8Is(i, s)) {
                return i;
            }
        }
        return add("U" + s, 1, s, 0, 0);
    }

    private int classRef(String internalName) {
        return add("C" + internalName, 7, null, utf8Index(internalName), -1);
    }

    private int nameAndType(String name, String descriptor) {
        return add("N" + name + ' ' + descriptor, 12, null, utf8Index(name), utf8Index(descriptor));
    }

    private int methodRef(String owner, String name, String descriptor) {
        return add("M" + owner + '.' + name + descriptor, 10, null, classRef(owner), nameAndType(name, descriptor));
    }

    private int fieldRef(String name, String descriptor) {
        return add("F" + name + ' ' + descriptor, 9, null, thisClass, nameAndType(name, descriptor));
    }

    /** Appends a constant (a Utf8 of {@code text}, or one or two indexes; -1: none) unless added already. */
    private int add(String key, int tag, String text, int first, int second) {
        Integer known = addedIndex.get(key);
        if (known != null) {
            return known;
        }
        added.u1(tag);
        if (text != null) {
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);  // class, method and field names of the JDK: ASCII
            added.u2(bytes.length);
            added.write(bytes, 0, bytes.length);
        } else {
            added.u2(first);
            if (second >= 0) {
                added.u2(second);
            }
        }
        int index = nextIndex++;
        addedIndex.put(key, index);
        return index;
    }

    // ---- reading

    /**
     * Whether constant {@code index} is the Utf8 of {@code ascii}, compared byte by byte: no String per
     * constant (the pool is scanned while the JDK loads ProcessImpl, interpreted). A non-ASCII name has
     * bytes of 0x80 and above, so it never equals an ASCII one.
     */
    private boolean utf8Is(int index, String ascii) {
        int p = constants[index];
        if (p == 0 || in[p] != 1 || u2(p + 1) != ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (in[p + 3 + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A Utf8 constant; non-ASCII bytes come out as Latin-1, which never equals the ASCII names looked for. */
    private String utf8(int index) {
        int p = constants[index];
        if (in[p] != 1) {
            throw new IllegalArgumentException("constant " + index + " is not a Utf8");
        }
        return new String(in, p + 3, u2(p + 1), StandardCharsets.ISO_8859_1);
    }

    private int skipMembers(int p) {
        int n = u2(p);
        p += 2;
        for (int i = 0; i < n; i++) {
            p = skipAttributes(p + 6);
        }
        return p;
    }

    private int skipAttributes(int p) {
        int n = u2(p);
        p += 2;
        for (int i = 0; i < n; i++) {
            p += 6 + u4(p + 2);
        }
        return p;
    }

    private int u2(int p) {
        return ((in[p] & 0xff) << 8) | (in[p + 1] & 0xff);
    }

    private int u4(int p) {
        return (u2(p) << 16) | u2(p + 2);
    }

    /** A growable byte array, big-endian as class files are. */
    private static final class Bytes {
        byte[] data = new byte[256];
        int size;

        void u1(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = (byte) v;
        }

        void u2(int v) {
            if (v < 0 || v > 0xffff) {
                throw new IllegalArgumentException("value out of range for a u2: " + v);
            }
            u1(v >>> 8);
            u1(v);
        }

        void u4(int v) {
            u2(v >>> 16);
            u2(v & 0xffff);
        }

        void write(byte[] b, int off, int len) {
            if (size + len > data.length) {
                data = Arrays.copyOf(data, Math.max(size + len, data.length * 2));
            }
            System.arraycopy(b, off, data, size, len);
            size += len;
        }

        byte[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}

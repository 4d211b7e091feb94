package io.github.pidfd4j.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The prologue on a class that the JVM verifies (the JDK's own classes are not verified when they
 * load): every path of the patched bodies runs as before when the bridge declines, none when it answers.
 */
class PrologueWriterTest {

    private static final String TARGET = PrologueTarget.class.getName();
    private static final String BRIDGE = PrologueBridge.class.getName().replace('.', '/');

    private static byte[] original() throws IOException {
        try (InputStream in = PrologueTarget.class.getResourceAsStream("PrologueTarget.class")) {
            return in.readAllBytes();
        }
    }

    private static Instrumenter.Patch[] patches() {
        return new Instrumenter.Patch[] {
            new Instrumenter.Patch(TARGET, "pick", "(IJLjava/lang/String;)Ljava/lang/String;", null, BRIDGE),
            new Instrumenter.Patch(TARGET, "choose", "(I)Ljava/lang/String;", null, BRIDGE),
            new Instrumenter.Patch(TARGET, "plain", "(Ljava/lang/String;)Ljava/lang/String;", null, BRIDGE),
            new Instrumenter.Patch(TARGET, "alive", "(Z)Z", new String[] {"pid:J", "startTime:J"}, BRIDGE),
        };
    }

    /** Defines the patched class by itself (verified: not the boot loader); the bridge comes from the tests' loader. */
    private static Class<?> patched() throws IOException {
        byte[] bytes = Instrumenter.patch(original(), patches());
        assertNotNull(bytes);
        ClassLoader loader = new ClassLoader(PrologueWriterTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (!name.equals(TARGET)) {
                    return super.loadClass(name, resolve);
                }
                synchronized (getClassLoadingLock(name)) {
                    Class<?> c = findLoadedClass(name);
                    return c != null ? c : defineClass(name, bytes, 0, bytes.length);
                }
            }
        };
        try {
            return Class.forName(TARGET, true, loader);  // links, so verifies, now
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static Object call(Class<?> c, Object target, String name, Object... args) throws Exception {
        for (Method m : c.getMethods()) {
            if (m.getName().equals(name)) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw (Exception) e.getCause();
                }
            }
        }
        throw new NoSuchMethodException(name);
    }

    private static int bodies(Class<?> c) throws ReflectiveOperationException {
        return c.getField("bodies").getInt(null);
    }

    @BeforeEach
    void declining() {
        PrologueBridge.answer = null;
        PrologueBridge.intAnswer = -1;
        PrologueBridge.last = null;
    }

    @Test
    void aDecliningBridgeLeavesEveryPathOfTheBodiesAsTheyWere() throws Exception {
        Class<?> c = patched();
        for (int k : new int[] {0, 1, 2, 3, 4, 7, 10, 1000, -5}) {
            String expected = PrologueTarget.pick(k, 123456789L, " x ");
            int before = bodies(c);
            assertEquals(expected, call(c, null, "pick", k, 123456789L, " x "), "pick(" + k + ")");
            assertEquals(before + 1, bodies(c));
            assertArrayEquals(new Object[] {k, 123456789L, " x "}, PrologueBridge.last);
        }
        assertEquals("caught minus five", call(c, null, "pick", -5, 0L, ""));
        for (int k : new int[] {3, 4, 5, 6, 7, 100, -100, 0}) {
            assertEquals(PrologueTarget.choose(k), call(c, null, "choose", k), "choose(" + k + ")");
        }
        assertEquals("p", call(c, null, "plain", "p"));
        Object handle = c.getDeclaredConstructor().newInstance();
        assertEquals(Boolean.TRUE, call(c, handle, "alive", true));    // 7 < 11
        assertEquals(Boolean.FALSE, call(c, handle, "alive", false));
        assertSame(handle, PrologueBridge.last[0]);
        assertArrayEquals(new Object[] {7L, 11L, false}, new Object[] {PrologueBridge.last[1], PrologueBridge.last[2], PrologueBridge.last[3]});
    }

    @Test
    void anAnsweringBridgeSkipsTheBodies() throws Exception {
        Class<?> c = patched();
        Object handle = c.getDeclaredConstructor().newInstance();
        int before = bodies(c);
        PrologueBridge.answer = "bridged";
        assertEquals("bridged", call(c, null, "pick", 2, 5L, "s"));
        assertEquals("bridged", call(c, null, "choose", 5));
        assertEquals("bridged", call(c, null, "plain", "s"));
        PrologueBridge.intAnswer = 0;
        assertEquals(Boolean.FALSE, call(c, handle, "alive", true));
        PrologueBridge.intAnswer = 1;
        assertEquals(Boolean.TRUE, call(c, handle, "alive", false));
        assertEquals(before, bodies(c));
    }

    @Test
    void theInputIsLeftAsItWasAndAMissingMethodPatchesNothing() throws IOException {
        byte[] in = original();
        byte[] copy = in.clone();
        Instrumenter.patch(in, patches());
        assertArrayEquals(copy, in);
        Instrumenter.Patch missing = new Instrumenter.Patch(TARGET, "pick", "(I)Ljava/lang/String;", null, BRIDGE);
        assertNull(Instrumenter.patch(in, patches()[0], missing));
        // static-ness is part of the match: alive(Z)Z is an instance method
        assertNull(Instrumenter.patch(in, new Instrumenter.Patch(TARGET, "alive", "(Z)Z", null, BRIDGE)));
    }

    @Test
    void notAClassFileIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Instrumenter.patch(new byte[] {1, 2, 3, 4, 0, 0, 0, 0, 0, 1}, patches()));
    }
}

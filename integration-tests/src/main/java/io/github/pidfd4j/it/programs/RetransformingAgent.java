package io.github.pidfd4j.it.programs;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;

/**
 * Another javaagent, as an APM agent would be: it can retransform classes, and {@link RetransformApp}
 * has it retransform the JDK's process classes after pidfd4j's agent patched them. Its transformer
 * changes nothing, so retransformation starts from whatever bytes the JVM keeps for those classes.
 */
public final class RetransformingAgent {

    static volatile Instrumentation instrumentation;

    private RetransformingAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        instrumentation = inst;
        inst.addTransformer(new ClassFileTransformer() { }, true);  // the default transform returns null
    }
}

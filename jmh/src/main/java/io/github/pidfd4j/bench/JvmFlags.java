package io.github.pidfd4j.bench;

import io.github.pidfd4j.bench.Benchmark.JvmHeap;
import java.util.ArrayList;
import java.util.List;

/**
 * The flags of every benchmarked JVM: the same for all, except the heap (benchmark 5 sets its own,
 * see {@link JvmHeap}) and what the contender needs ({@link Contender#jvmArgs}).
 */
final class JvmFlags {

    private final TargetJvm jvm;
    private final String agentJar;

    JvmFlags(TargetJvm jvm, String agentJar) {
        this.jvm = jvm;
        this.agentJar = agentJar;
    }

    /** The flags without the contender's: heap, where the native tools are, native access. */
    List<String> common(JvmHeap heap) {
        List<String> a = new ArrayList<>(heap.flags());
        a.add("-D" + NativeTools.PROPERTY + "=" + NativeTools.dir());
        if (jvm.feature() >= 22) {
            a.add("--enable-native-access=ALL-UNNAMED");  // JNA, without the JDK 24+ warning
        }
        return a;
    }

    /** Every flag of a JVM that runs as {@code c}. */
    List<String> of(Contender c, JvmHeap heap) {
        List<String> a = common(heap);
        a.addAll(c.jvmArgs(agentJar));
        return a;
    }
}

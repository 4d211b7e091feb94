package io.github.pidfd4j;

import io.github.pidfd4j.linux.TestProviders;
import java.util.List;
import java.util.stream.Stream;

/**
 * The providers every behaviour test runs against: the JDK (the oracle) and the pidfd provider on
 * each of its spawn paths. Expected results are the JDK's.
 */
public final class Contenders {

    public static final ProcessProvider JDK = new JdkProcessProvider();
    public static final ProcessProvider PIDFD = TestProviders.pidfd(SpawnPath.CLONE_PIDFD);
    public static final ProcessProvider PIDFD_OPEN = TestProviders.pidfd(SpawnPath.CLONE_THEN_PIDFD_OPEN);

    private Contenders() {
    }

    /** For {@code @MethodSource("io.github.pidfd4j.Contenders#all")}. */
    public static Stream<ProcessProvider> all() {
        return Stream.of(JDK, PIDFD, PIDFD_OPEN);
    }

    /** The pidfd contenders only, for tests of what the JDK does differently on purpose. */
    public static Stream<ProcessProvider> pidfd() {
        return Stream.of(PIDFD, PIDFD_OPEN);
    }

    public static List<ProcessProvider> list() {
        return all().toList();
    }
}

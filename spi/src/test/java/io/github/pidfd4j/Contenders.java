package io.github.pidfd4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pidfd4j.linux.TestProviders;
import java.util.List;
import java.util.stream.Stream;

/**
 * The providers every behaviour test runs against: the JDK (the oracle) and the pidfd provider on
 * each of its spawn paths. Expected results are the JDK's.
 *
 * <p>A spawn path this machine refuses (clone3 or clone(CLONE_PIDFD) under a seccomp filter, as in
 * Docker) is skipped with its reason ({@link SkipWhereRefused}); the fallback paths still run every test.
 */
public final class Contenders {

    public static final ProcessProvider JDK = new JdkProcessProvider();
    public static final ProcessProvider PIDFD_CLONE3 = TestProviders.pidfd(SpawnPath.CLONE3_PIDFD);
    public static final ProcessProvider PIDFD = TestProviders.pidfd(SpawnPath.CLONE_PIDFD);
    public static final ProcessProvider PIDFD_OPEN = TestProviders.pidfd(SpawnPath.CLONE_THEN_PIDFD_OPEN);

    private Contenders() {
    }

    /**
     * {@code pidfd4j.test.tiers=first}: the behaviour tests run on the JDK and on the first spawn tier
     * this machine uses only. The spi POM sets it for the second run of the suite (JDK 25): the tiers
     * differ only in the native clone call, which the JDK does not touch, and the first run (JDK 17)
     * covers every tier; what differs between the JDKs is their Java side, which the first tier shows.
     * Any other value (the default, {@code all}): every tier.
     */
    private static final boolean FIRST_TIER_ONLY = "first".equals(System.getProperty("pidfd4j.test.tiers", "all"));

    /** For {@code @MethodSource("io.github.pidfd4j.Contenders#all")}. */
    public static Stream<ProcessProvider> all() {
        return Stream.concat(Stream.of(JDK), pidfd());
    }

    /** The pidfd contenders only, for tests of what the JDK does differently on purpose. */
    public static Stream<ProcessProvider> pidfd() {
        return FIRST_TIER_ONLY ? Stream.of(firstTier()) : Stream.of(PIDFD_CLONE3, PIDFD, PIDFD_OPEN);
    }

    /**
     * The contenders this machine runs, for the probes in child JVMs (which inherit the test JVM's
     * sandbox, so both sides agree on the list) and for the tests that count their answers. Always
     * every tier, whatever pidfd4j.test.tiers says: a probe finds its contender by index here.
     */
    public static List<ProcessProvider> list() {
        return Stream.of(JDK, PIDFD_CLONE3, PIDFD, PIDFD_OPEN).filter(ProcessProvider::isAvailable).toList();
    }

    /** The contender of the tier the default provider spawns through here (the first of the chain that works). */
    private static ProcessProvider firstTier() {
        SpawnPath used = ProcessProviders.byName("pidfd").map(ProcessProvider::spawnPath).orElse(SpawnPath.CLONE_PIDFD);
        return used == SpawnPath.CLONE3_PIDFD ? PIDFD_CLONE3 : used == SpawnPath.CLONE_THEN_PIDFD_OPEN ? PIDFD_OPEN : PIDFD;
    }

    /** A pidfd contender this machine runs: the first of the probe chain that works; skips the test if none. */
    public static ProcessProvider anyPidfd() {
        ProcessProvider p = PIDFD_CLONE3.isAvailable() ? PIDFD_CLONE3 : PIDFD.isAvailable() ? PIDFD : PIDFD_OPEN;
        assumeTrue(p.isAvailable(), () -> refusedHere(p));
        return p;
    }

    /** Why a test of this contender skips here. */
    static String refusedHere(ProcessProvider provider) {
        return "SKIPPED: " + provider.name() + " is refused here (a seccomp filter or an old kernel): "
                + provider.unavailabilityCause() + "; the tests still run on every spawn path that works here";
    }
}

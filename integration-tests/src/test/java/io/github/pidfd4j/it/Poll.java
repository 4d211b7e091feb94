package io.github.pidfd4j.it;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a generous bound instead of sleeping a guessed time. */
final class Poll {

    private Poll() {
    }

    /** Whether {@code condition} became true within {@code millis}, looking every 5 ms. */
    static boolean until(long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}

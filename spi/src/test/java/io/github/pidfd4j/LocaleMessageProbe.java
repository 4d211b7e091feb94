package io.github.pidfd4j;

import java.io.IOException;

/**
 * Run by {@link LocaleMessageTest} in a JVM with a non-UTF-8 locale: starts a file that is not
 * executable through each provider and prints each message with every non-ASCII character escaped,
 * so that the output's own encoding cannot change what the test sees.
 */
public final class LocaleMessageProbe {

    public static void main(String[] args) {
        for (String name : new String[] {"jdk", "pidfd"}) {
            ProcessProvider provider = ProcessProviders.byName(name).orElseThrow();
            try {
                provider.start(new ProcessBuilder(args[0])).waitFor();
                System.out.println(name + "=started");
            } catch (IOException | InterruptedException e) {
                System.out.println(name + "=" + escape(e.getMessage()));
            }
        }
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 128 ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }
}

package io.github.pidfd4j.agent;

/** The stand-in for java.lang.Pidfd4jBridge in {@link PrologueWriterTest}: records its arguments, answers as told. */
public final class PrologueBridge {

    public static Object answer;
    public static int intAnswer = -1;
    public static Object[] last;

    private PrologueBridge() {
    }

    public static String pick(int k, long wide, String s) {
        last = new Object[] {k, wide, s};
        return (String) answer;
    }

    public static String choose(int k) {
        last = new Object[] {k};
        return (String) answer;
    }

    public static String plain(String s) {
        last = new Object[] {s};
        return (String) answer;
    }

    public static int alive(ProcessHandle self, long pid, long startTime, boolean force) {
        last = new Object[] {self, pid, startTime, force};
        return intAnswer;
    }
}

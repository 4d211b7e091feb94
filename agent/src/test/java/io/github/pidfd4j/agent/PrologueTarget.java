package io.github.pidfd4j.agent;

/**
 * What {@link PrologueWriterTest} patches: bodies with the shapes the JDK's methods have (switches
 * whose padding depends on their offset, exception handlers, loops, wide locals, a first stack map
 * frame far from the start), and one with no branch at all (no stack map table).
 */
public class PrologueTarget {

    public static int bodies;  // counts runs of the original bodies

    long pid = 7;
    long startTime = 11;

    public static String pick(int k, long wide, String s) {
        bodies++;
        // A straight-line start long enough that the first frame's offset needs the extended form.
        long a = wide * 3 + 1;
        long b = a ^ (wide >>> 7);
        long c = b + a * 5 - wide;
        int d = (int) (c % 1000);
        String t = String.valueOf(d).concat(s).trim();
        try {
            switch (k) {  // tableswitch
                case 0: return "zero" + t.length();
                case 1: return "one";
                case 2: return "two";
                case 3: return "three";
                default: break;
            }
            switch (k) {  // lookupswitch
                case 10: return "ten";
                case 1000: return "thousand";
                case -5: throw new IllegalStateException("minus five");
                default: break;
            }
            int sum = 0;
            for (int i = 0; i < k; i++) {
                sum += i;
            }
            return "sum" + sum;
        } catch (IllegalStateException e) {
            return "caught " + e.getMessage();
        }
    }

    /** Its prologue is 10 bytes before padding: the switches move unless it is padded to 12. */
    public static String choose(int k) {
        bodies++;
        switch (k) {
            case 4: return "four";
            case 5: return "five";
            case 6: return "six";
            default: break;
        }
        switch (k) {
            case 100: return "hundred";
            case -100: return "minus hundred";
            default: return "other";
        }
    }

    public static String plain(String s) {
        bodies++;
        return s;
    }

    public boolean alive(boolean force) {
        bodies++;
        if (force) {
            return pid < startTime;
        }
        return pid > startTime;
    }
}

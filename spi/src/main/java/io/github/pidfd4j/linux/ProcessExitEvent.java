package io.github.pidfd4j.linux;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One child of pidfd4j reaped, with what {@code io.github.pidfd4j.ExitInfo} tells. Committed by the
 * thread that reaps (pidfd4j's watcher, usually), so no stack trace. Enabled by default.
 */
@Name("io.github.pidfd4j.ProcessExit")
@Label("Process Exit")
@Description("A child process started by pidfd4j ended and was reaped")
@Category({"pidfd4j"})
@StackTrace(false)
final class ProcessExitEvent extends jdk.jfr.Event {

    @Label("Process Id")
    long pid;

    @Label("Command Line")
    String command;

    @Label("Exit Value")
    @Description("What Process.exitValue() reports: the exit code, or 128 + the signal")
    int exitValue;

    @Label("Signal")
    @Description("The signal that terminated the process, 0 when it exited")
    int signal;

    @Label("Core Dumped")
    boolean coreDumped;

    @Label("Status Known")
    @Description("False when someone else reaped the child and the kernel could not tell its status (before Linux 6.15)")
    boolean statusKnown;

    @Label("User CPU Time")
    @Description("The child's user CPU time from waitid's rusage; N/A when someone else reaped it")
    @Timespan(Timespan.NANOSECONDS)
    long userCpuTime;

    @Label("System CPU Time")
    @Description("The child's system CPU time from waitid's rusage; N/A when someone else reaped it")
    @Timespan(Timespan.NANOSECONDS)
    long systemCpuTime;

    @Label("Peak Resident Memory")
    @Description("ru_maxrss of waitid's rusage; N/A when someone else reaped it, or when not above the JVM's own peak (a child inherits that at its exec)")
    @DataAmount(DataAmount.BYTES)
    long peakResidentMemory;

    @Label("Wall Time")
    @Description("From the spawn until the exit was seen")
    @Timespan(Timespan.NANOSECONDS)
    long wallTime;
}

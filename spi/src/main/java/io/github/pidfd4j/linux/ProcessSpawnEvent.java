package io.github.pidfd4j.linux;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One child started by pidfd4j; its duration is the spawn's (redirect files, pipes, the clone, the
 * exec's outcome). Enabled with a stack trace by the annotations' defaults, as {@code jdk.ProcessStart}
 * is in the JDK's {@code default} and {@code profile} settings.
 */
@Name("io.github.pidfd4j.ProcessSpawn")
@Label("Process Spawn")
@Description("A child process started by pidfd4j; the duration is the spawn's")
@Category({"pidfd4j"})
@StackTrace(true)
final class ProcessSpawnEvent extends jdk.jfr.Event {

    @Label("Process Id")
    long pid;

    @Label("Command Line")
    String command;

    @Label("Spawn Path")
    @Description("How the child was created: the SpawnPath constant")
    String spawnPath;

    @Label("Directory")
    @Description("The working directory the child was given, or none for the JVM's")
    String directory;
}

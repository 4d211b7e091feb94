package io.github.pidfd4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's three descriptor slots: a closed descriptor is an error, and a failure leaves nothing open. */
class ChildStdioTest {

    @BeforeEach
    void pidfdsWork() {
        assumeTrue(Pidfd.isAvailable(), () -> "pidfds unusable here: " + Pidfd.unavailabilityCause());
    }

    @Test
    void aClosedPipelineLinkIsAnErrorNotTheJvmsStdin() {
        FileDescriptor closed = new FileDescriptor();  // holds -1, as a closed one does
        IOException e = assertThrows(IOException.class, () -> PidfdLauncher.start(new String[] {"true"}, null, null,
                null, false, new FileDescriptor[] {closed, null, null}).waitFor());
        // Before: -1 went to the child as "inherit", and it ran reading the JVM's own stdin.
        assertTrue(e.getMessage().contains("stdin"), e.getMessage());
    }

    @Test
    void aFailedStartClosesWhatItOpened(@TempDir Path tmp) throws Exception {
        File in = Files.writeString(tmp.resolve("in"), "x").toFile();
        File missingDir = tmp.resolve("no such directory").resolve("err").toFile();
        long before = openDescriptors();
        for (int i = 0; i < 50; i++) {
            // stdin's file and stdout's pipe are open when stderr's file fails to open
            assertThrows(IOException.class, () -> PidfdLauncher.start(new String[] {"true"}, null, null,
                    new Redirect[] {Redirect.from(in), Redirect.PIPE, Redirect.to(missingDir)}, false, null));
            // the spawn itself fails (no such program) after every slot is open
            assertThrows(IOException.class, () -> PidfdLauncher.start(new String[] {"/nonexistent/program"}, null,
                    null, new Redirect[] {Redirect.from(in), Redirect.PIPE, Redirect.PIPE}, false, null));
        }
        assertEquals(before, openDescriptors(), "descriptors open before and after 100 failed starts");
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}

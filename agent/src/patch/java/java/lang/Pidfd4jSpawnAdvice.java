package java.lang;

import java.io.IOException;
import java.util.Map;
import net.bytebuddy.asm.Advice;

/**
 * Advice template inlined into {@code static Process ProcessImpl.start(String[], Map, String,
 * Redirect[], boolean)}. Never loaded as a class: Byte Buddy reads its bytes and copies the code.
 * When the bridge returns a Process, the JDK's body is skipped and that Process is returned; when
 * it throws, the exception leaves {@code ProcessImpl.start} as the JDK's own would.
 */
final class Pidfd4jSpawnAdvice {

    private Pidfd4jSpawnAdvice() {
    }

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Process enter(@Advice.Argument(0) String[] cmdarray,
                         @Advice.Argument(1) Map<String, String> environment,
                         @Advice.Argument(2) String dir,
                         @Advice.Argument(3) ProcessBuilder.Redirect[] redirects,
                         @Advice.Argument(4) boolean redirectErrorStream) throws IOException {
        return Pidfd4jBridge.start(cmdarray, environment, dir, redirects, redirectErrorStream);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter Process hooked,
                     @Advice.Return(readOnly = false) Process returned) {
        if (hooked != null) {
            returned = hooked;
        }
    }
}

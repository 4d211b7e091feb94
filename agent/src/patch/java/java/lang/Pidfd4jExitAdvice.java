package java.lang;

import java.util.concurrent.CompletableFuture;
import net.bytebuddy.asm.Advice;

/**
 * Advice template inlined into {@code static CompletableFuture<Integer>
 * ProcessHandleImpl.completion(long, boolean)}, the single point behind {@code Process.onExit()} and
 * {@code ProcessHandle.onExit()}. Never loaded as a class. A non-null future from the bridge replaces
 * the JDK's reaper thread and sleep loop; null runs the JDK's body.
 */
final class Pidfd4jExitAdvice {

    private Pidfd4jExitAdvice() {
    }

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static CompletableFuture<Integer> enter(@Advice.Argument(0) long pid,
                                            @Advice.Argument(1) boolean shouldReap) {
        return Pidfd4jBridge.completion(pid, shouldReap);
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Enter CompletableFuture<Integer> hooked,
                     @Advice.Return(readOnly = false) CompletableFuture<Integer> returned) {
        if (hooked != null) {
            returned = hooked;
        }
    }
}

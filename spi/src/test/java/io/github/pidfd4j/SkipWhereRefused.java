package io.github.pidfd4j;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.TestAbortedException;

/**
 * Skips a parameterised test, before its body runs, when one of its arguments is a contender that
 * this machine refuses: a sandbox whose seccomp filter refuses clone(CLONE_PIDFD), as Docker's
 * default profile does, leaves only the fallback path. Checked before the body so that a test
 * expecting an exception from start() does not take "unavailable" for its answer. Registered for
 * every test class through META-INF/services (junit-platform.properties turns autodetection on).
 */
public final class SkipWhereRefused implements InvocationInterceptor {

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
            ExtensionContext context) throws Throwable {
        for (Object argument : call.getArguments()) {
            if (argument instanceof ProcessProvider provider && !provider.isAvailable()) {
                invocation.skip();
                throw new TestAbortedException(Contenders.refusedHere(provider));
            }
        }
        invocation.proceed();
    }
}

package io.github.pidfd4j.agent;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.function.BiConsumer;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;

/**
 * Inlines the advice templates into {@code java.lang.ProcessImpl.start} and
 * {@code java.lang.ProcessHandleImpl.completion}: at once when those classes are loaded already (by
 * retransformation), else when they load. Inlined advice adds no member, so it also works on classes
 * that are loaded already, as after a dynamic attach.
 */
final class Instrumenter {

    static final String PROCESS_IMPL = "java.lang.ProcessImpl";
    static final String PROCESS_HANDLE_IMPL = "java.lang.ProcessHandleImpl";
    static final String SPAWN_ADVICE = "java.lang.Pidfd4jSpawnAdvice";
    static final String EXIT_ADVICE = "java.lang.Pidfd4jExitAdvice";

    private Instrumenter() {
    }

    /** Where the Byte Buddy property names are after relocation, e.g. {@code <prefix>.safe}. */
    static String byteBuddyPropertyPrefix() {
        return ByteBuddy.class.getPackageName();
    }

    /**
     * Installs the advice.
     *
     * @param templates the advice templates' class files, by binary name
     * @param onError called with the name of a class that could not be transformed, and the cause
     */
    static void install(Instrumentation inst, boolean spawn, boolean onExit, Map<String, byte[]> templates,
                        BiConsumer<String, Throwable> onError) {
        // The advice is built here, eagerly: building it inside the transformer while ProcessBuilder is
        // loading ends in a ClassCircularityError and a silently skipped transformation.
        ClassFileLocator locator = new ClassFileLocator.Compound(
                new ClassFileLocator.Simple(templates),
                ClassFileLocator.ForClassLoader.of(Instrumenter.class.getClassLoader()));
        TypePool pool = TypePool.Default.of(locator);
        AsmVisitorWrapper spawnVisitor = advice(pool, locator, SPAWN_ADVICE)
                .on(named("start").and(isStatic()).and(takesArguments(5)).and(returns(named("java.lang.Process"))));
        AsmVisitorWrapper exitVisitor = advice(pool, locator, EXIT_ADVICE)
                .on(named("completion").and(isStatic()).and(takesArguments(long.class, boolean.class)));

        ElementMatcher.Junction<TypeDescription> targets = spawn && onExit
                ? named(PROCESS_IMPL).or(named(PROCESS_HANDLE_IMPL))
                : spawn ? named(PROCESS_IMPL) : named(PROCESS_HANDLE_IMPL);
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(new ErrorListener(onError))
                .ignore(not(targets));
        if (spawn) {
            builder = builder.type(named(PROCESS_IMPL)).transform(new VisitorTransformer(spawnVisitor));
        }
        if (onExit) {
            builder = builder.type(named(PROCESS_HANDLE_IMPL)).transform(new VisitorTransformer(exitVisitor));
        }
        builder.installOn(inst);
    }

    private static Advice advice(TypePool pool, ClassFileLocator locator, String name) {
        return Advice.to(pool.describe(name).resolve(), locator);
    }

    private static final class VisitorTransformer implements AgentBuilder.Transformer {
        private final AsmVisitorWrapper visitor;

        VisitorTransformer(AsmVisitorWrapper visitor) {
            this.visitor = visitor;
        }

        @Override
        public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription typeDescription,
                                                ClassLoader classLoader, JavaModule module,
                                                java.security.ProtectionDomain protectionDomain) {
            return builder.visit(visitor);
        }
    }

    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        private final BiConsumer<String, Throwable> onError;

        ErrorListener(BiConsumer<String, Throwable> onError) {
            this.onError = onError;
        }

        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            onError.accept(typeName, throwable);
        }
    }
}

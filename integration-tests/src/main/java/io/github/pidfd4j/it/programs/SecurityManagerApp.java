package io.github.pidfd4j.it.programs;

import java.io.FilePermission;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.Permission;
import java.security.Permissions;
import java.security.Policy;
import java.security.ProtectionDomain;
import java.util.PropertyPermission;

/**
 * JDK 17 with a SecurityManager that the program installs itself, and a policy that gives the
 * program only what it needs: execute and read anywhere, write in one directory. The JDK's own
 * modules and (when given) the agent's jar get everything, as a policy for any javaagent must.
 * Args: the writable directory, a file outside it, and optionally the agent jar's path.
 */
@SuppressWarnings("removal")
public final class SecurityManagerApp {

    public static void main(String[] args) throws Exception {
        Path allowed = Path.of(args[0]);
        Path forbidden = Path.of(args[1]);
        String agentJar = args.length > 2 ? args[2] : null;
        URL app = SecurityManagerApp.class.getProtectionDomain().getCodeSource().getLocation();
        Permissions appPermissions = new Permissions();
        appPermissions.add(new FilePermission("<<ALL FILES>>", "read,execute"));
        appPermissions.add(new FilePermission(allowed + "/-", "read,write,delete"));
        appPermissions.add(new PropertyPermission("*", "read"));
        Policy.setPolicy(new Policy() {
            @Override
            public boolean implies(ProtectionDomain domain, Permission permission) {
                CodeSource cs = domain.getCodeSource();
                URL where = cs == null ? null : cs.getLocation();
                if (where == null || where.getProtocol().equals("jrt")) {
                    return true;  // the JDK's own modules
                }
                if (where.equals(app)) {
                    return appPermissions.implies(permission);
                }
                return agentJar != null && where.getPath().equals(agentJar);
            }
        });
        System.setSecurityManager(new SecurityManager());

        Process echo = new ProcessBuilder("/bin/echo", "through a pipe").start();
        Evidence.process("echo", echo);
        System.out.println("echo: " + new String(echo.getInputStream().readAllBytes()).trim() + ", exit " + echo.waitFor());

        Path out = allowed.resolve("out.txt");
        Process toFile = new ProcessBuilder("/bin/echo", "into a file").redirectOutput(out.toFile()).start();
        Evidence.process("file", toFile);
        System.out.println("file: exit " + toFile.waitFor() + ", " + Files.readString(out).trim());

        try {
            new ProcessBuilder("/bin/echo", "forbidden").redirectOutput(forbidden.toFile()).start();
            System.out.println("forbidden: started");
        } catch (Exception e) {
            System.out.println("forbidden: " + e.getClass().getName() + ": " + e.getMessage());
        }
        System.out.println("forbidden file exists: " + Files.exists(forbidden));

        Process sleeper = new ProcessBuilder("/bin/sleep", "30").start();
        Evidence.process("sleeper", sleeper);
        sleeper.destroy();
        System.out.println("sleeper: exit " + sleeper.onExit().get().exitValue() + ", alive " + sleeper.isAlive());
    }
}

package io.github.pidfd4j.linux;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

/**
 * The files the child tries to exec, in order, by the JDK's rules (childproc.c, JDK_execvpe): the
 * parent's PATH as it was when this class was initialised, never the child's; an empty entry means
 * the child's working directory; a program containing '/' is used as it is; "" finds nothing.
 * The child walks the list (see pidfd4j.c): EACCES is sticky, "not here" errors move on, ENOEXEC
 * runs the file with /bin/sh.
 *
 * <p>Without PATH, the JDK searches ":/bin:/usr/bin" when it passes an environment, and glibc's
 * execvp searches "/bin:/usr/bin" (no working directory) when the child inherits the JVM's.
 */
final class PathSearch {

    /** JDK_execvpe skips candidates of PATH_MAX bytes or more; the child reports ENAMETOOLONG. */
    static final byte[] TOO_LONG = new byte[0];
    private static final int PATH_MAX = 4096;

    private static final String PATH = System.getenv("PATH");
    /** The JVM's PATH, split, for a child given its own environment (JDK rules). */
    private static final String[] PARENT_PATH = split(PATH == null ? ":/bin:/usr/bin" : PATH);
    /** The same, for a child inheriting the JVM's environment (execvp rules). */
    private static final String[] INHERITED_PATH = split(PATH == null ? "/bin:/usr/bin" : PATH);

    private PathSearch() {
    }

    private static String[] split(String path) {
        String[] dirs = path.split(":", -1);
        for (int i = 0; i < dirs.length; i++) {
            dirs[i] = dirs[i].isEmpty() ? "./" : dirs[i];
        }
        return dirs;
    }

    static List<byte[]> candidates(String prog, Charset charset, boolean inheritedEnvironment) {
        List<byte[]> result = new ArrayList<>();
        if (prog.isEmpty()) {
            return result;  // ENOENT
        }
        byte[] file = prog.getBytes(charset);
        if (prog.indexOf('/') >= 0) {
            result.add(file);
            return result;
        }
        for (String dir : inheritedEnvironment ? INHERITED_PATH : PARENT_PATH) {
            byte[] d = dir.getBytes(charset);
            if (file.length + d.length + 2 >= PATH_MAX) {
                result.add(TOO_LONG);
                continue;
            }
            boolean slash = d[d.length - 1] == '/';
            byte[] c = new byte[d.length + (slash ? 0 : 1) + file.length];
            System.arraycopy(d, 0, c, 0, d.length);
            if (!slash) {
                c[d.length] = '/';
            }
            System.arraycopy(file, 0, c, c.length - file.length, file.length);
            result.add(c);
        }
        return result;
    }
}

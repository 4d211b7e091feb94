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
 */
final class PathSearch {

    /** JDK_execvpe skips candidates of PATH_MAX bytes or more; the child reports ENAMETOOLONG. */
    static final byte[] TOO_LONG = new byte[0];
    private static final int PATH_MAX = 4096;

    /** The JVM's PATH, split; an unset PATH is the JDK's ":/bin:/usr/bin". */
    private static final String[] PARENT_PATH = split(System.getenv("PATH"));

    private PathSearch() {
    }

    private static String[] split(String path) {
        String[] dirs = (path == null ? ":/bin:/usr/bin" : path).split(":", -1);
        for (int i = 0; i < dirs.length; i++) {
            dirs[i] = dirs[i].isEmpty() ? "./" : dirs[i];
        }
        return dirs;
    }

    static List<byte[]> candidates(String prog, Charset charset) {
        List<byte[]> result = new ArrayList<>();
        if (prog.isEmpty()) {
            return result;  // ENOENT
        }
        byte[] file = prog.getBytes(charset);
        if (prog.indexOf('/') >= 0) {
            result.add(file);
            return result;
        }
        for (String dir : PARENT_PATH) {
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

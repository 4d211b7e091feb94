/*
 * rawenv-exec FILE PROGRAM [ARG...]: execs PROGRAM with exactly the environment in FILE, whose
 * entries each end in a NUL byte and are taken as they are: any bytes, entries without '=',
 * duplicates. Tests use it to start a JVM with an environment no shell or env(1) can give.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: rawenv-exec FILE PROGRAM [ARG...]\n");
        return 2;
    }
    static char buf[1 << 20];
    static char *envp[4096];
    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perror(argv[1]);
        return 2;
    }
    size_t len = 0;
    ssize_t n;
    while ((n = read(fd, buf + len, sizeof buf - 1 - len)) > 0) {
        len += (size_t) n;
    }
    close(fd);
    size_t count = 0;
    for (size_t start = 0; start < len && count < 4095;) {
        envp[count++] = buf + start;
        while (start < len && buf[start] != '\0') {
            start++;
        }
        start++;
    }
    envp[count] = NULL;
    execve(argv[2], argv + 2, envp);
    perror(argv[2]);
    return 127;
}

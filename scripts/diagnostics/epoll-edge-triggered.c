/*
 * A diagnostic, never part of Ampere: preloaded into a process, it makes
 * that process's epoll registrations of connected sockets edge-triggered.
 * SwiftNIO registers them level-triggered, and Linux puts a level-triggered
 * socket that epoll_wait just reported back on its ready list at once, where
 * it keeps its place: a socket served in the last batch that is readable
 * again by the next call is reported ahead of sockets that became readable
 * before it. With the shim, sockets are reported in the order their data
 * came. It is not safe in general (NIO stops reading a socket after a few
 * full buffers and relies on being told again), so it only serves to
 * measure what that ordering costs a closed loop of small messages
 * (docs/PERFORMANCE.md, seventeenth session):
 *
 *   cc -O2 -shared -fPIC -o /tmp/epoll-et.so scripts/diagnostics/epoll-edge-triggered.c -ldl
 *   LD_PRELOAD=/tmp/epoll-et.so ampere serve …
 *   LD_PRELOAD=/tmp/epoll-et.so ampere bench throughput …
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event) {
    static int (*real)(int, int, int, struct epoll_event *);
    if (!real) real = (int (*)(int, int, int, struct epoll_event *))dlsym(RTLD_NEXT, "epoll_ctl");
    if (event && (op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD)) {
        struct stat st;
        int listening = 0;
        socklen_t length = sizeof listening;
        /* Listening sockets stay level-triggered: NIO accepts a few connections per wake-up. */
        if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)
            && getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 && !listening) {
            struct epoll_event edge = *event;
            edge.events |= EPOLLET;
            return real(epfd, op, fd, &edge);
        }
    }
    return real(epfd, op, fd, event);
}

#ifndef REHEARSE_CLIBPQ_SHIM_H
#define REHEARSE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

/* Waits until `fd` is readable or `nanoseconds` have passed, at nanosecond resolution
   (poll's timeout is in whole milliseconds). glibc declares ppoll only under
   _GNU_SOURCE, which this header must not define for everything that includes it,
   so it declares the function itself (the same signature as <poll.h>'s). */
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask);

static inline int rehearse_wait_readable(int fd, unsigned long long nanoseconds) {
    struct pollfd descriptor = { .fd = fd, .events = POLLIN, .revents = 0 };
    struct timespec timeout = { .tv_sec = (time_t)(nanoseconds / 1000000000ULL),
                                .tv_nsec = (long)(nanoseconds % 1000000000ULL) };
    return ppoll(&descriptor, 1, &timeout, (const sigset_t *)0);
}
#endif

// Linux's epoll for the bench's own socket loop (AmpereBench's EpollRoundTripLoop):
// Swift's Glibc module leaves <sys/epoll.h> out.
#ifndef CEPOLL_H
#define CEPOLL_H
#ifdef __linux__
#include <stdint.h>
#include <sys/epoll.h>

static inline uint32_t cepoll_in(void) { return EPOLLIN; }
static inline uint32_t cepoll_out(void) { return EPOLLOUT; }
static inline uint32_t cepoll_err(void) { return EPOLLERR; }
static inline uint32_t cepoll_hup(void) { return EPOLLHUP; }
static inline uint32_t cepoll_rdhup(void) { return EPOLLRDHUP; }
static inline uint32_t cepoll_et(void) { return EPOLLET; }
#endif
#endif

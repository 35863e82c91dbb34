/*
 * openloop: an open-loop HTTP/1.1 load generator for the serving benchmark (bench/serving-http.ts --client openloop).
 *
 * Requests are scheduled at a constant rate (request i at t0 + i / rate), whatever the server does, and handed to
 * keep-alive connections in turn; a request whose connection is still busy waits for it. Latency is measured from the
 * request's *scheduled* time to the end of its response, so time spent waiting behind a slow answer counts (no
 * "coordinated omission": a closed-loop client such as wrk sends less when the server stalls and so under-reports the
 * tail). This is what "p99 at N requests/s" means; wrk's closed-loop runs measure the most a server can answer.
 *
 * One thread, epoll and a timerfd (so the client sleeps between sends instead of spinning on the cores it shares with
 * the server). Responses must carry Content-Length (Freshet's do).
 *
 * usage: openloop HOST PORT RATE SECONDS CONNECTIONS PATHS_FILE [WARMUP_SECONDS]
 *   PATHS_FILE: one request target per line (`/api/features/t?key=k&at=...`), used in turn.
 * prints one line: requests=N rate=R p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=.. errors=E late=L
 *   rate: answers per second (below the offered rate when the server could not keep up);
 *   late: requests sent more than 1 ms after their scheduled time (their connection was still waiting for an answer,
 *   or the client itself was not scheduled in time); their latency still counts from the scheduled time.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024
#define BUF 65536
/* Latency histogram: 1 µs buckets below FINE_US, then 1 ms buckets up to 100 s (and one overflow bucket). */
#define FINE_US 100000
#define COARSE 100000
#define HIST (FINE_US + COARSE + 1)

typedef struct {
  int fd;
  int busy;
  int64_t sched;        /* scheduled time of the request in flight (ns) */
  int64_t queue_head;   /* index of the next scheduled request of this connection */
  size_t have;          /* bytes of the current response read so far */
  char buf[BUF];
} conn_t;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static char **paths;
static size_t npaths;
static char host_header[300];
static uint64_t hist[HIST];
static int64_t measured, errors, late, max_us, last_end;
static double rate; /* request i is due at t0 + i * 1e9 / rate */
static int64_t t0, measure_from;
static int nconns;

static int64_t due(int64_t i) { return t0 + (int64_t)((double)i * 1e9 / rate); }

static int connect_to(const char *host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) { perror("socket"); exit(1); }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) { fprintf(stderr, "bad host %s (an IPv4 address)\n", host); exit(1); }
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) { perror("connect"); exit(1); }
  return fd;
}

static void send_request(conn_t *c, int64_t i) {
  char req[4096];
  const char *p = paths[i % (int64_t)npaths];
  int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: keep-alive\r\n\r\n", p, host_header);
  ssize_t w = write(c->fd, req, (size_t)n);
  if (w != n) { perror("write (a short write of a small request: the connection failed)"); exit(1); }
  c->busy = 1;
  c->sched = due(i);
  c->have = 0;
}

static void record(int64_t sched, int64_t end, int ok) {
  if (sched < measure_from) return;
  int64_t us = (end - sched) / 1000;
  if (us < 0) us = 0;
  int64_t b = us < FINE_US ? us : FINE_US + (us - FINE_US) / 1000;
  hist[b < HIST ? b : HIST - 1]++;
  if (us > max_us) max_us = us;
  if (end > last_end) last_end = end;
  measured++;
  if (!ok) errors++;
}

/* Reads what the socket has; returns 1 when a whole response is in (and records it). */
static int read_response(conn_t *c) {
  for (;;) {
    ssize_t r = read(c->fd, c->buf + c->have, BUF - 1 - c->have);
    if (r < 0) { if (errno == EAGAIN) return 0; perror("read"); exit(1); }
    if (r == 0) { fprintf(stderr, "server closed a connection\n"); exit(1); }
    c->have += (size_t)r;
    c->buf[c->have] = 0;
    char *end = strstr(c->buf, "\r\n\r\n");
    if (end == NULL) continue;
    char *cl = strcasestr(c->buf, "\r\ncontent-length:");
    if (cl == NULL || cl > end) { fprintf(stderr, "response without content-length\n"); exit(1); }
    size_t len = (size_t)strtoul(cl + 17, NULL, 10);
    size_t total = (size_t)(end + 4 - c->buf) + len;
    if (total > BUF - 1) { fprintf(stderr, "response larger than %d bytes\n", BUF - 1); exit(1); }
    if (c->have < total) continue;
    if (c->have > total) { fprintf(stderr, "pipelined bytes after a response\n"); exit(1); }
    int ok = strncmp(c->buf, "HTTP/1.1 200", 12) == 0;
    record(c->sched, now_ns(), ok);
    c->busy = 0;
    return 1;
  }
}

static int64_t pct(double q) {
  uint64_t want = (uint64_t)((double)measured * q), seen = 0;
  for (int64_t b = 0; b < HIST - 1; b++) {
    seen += hist[b];
    if (seen > want) return b < FINE_US ? b : FINE_US + (b - FINE_US) * 1000;
  }
  return max_us;
}

int main(int argc, char **argv) {
  if (argc < 7) { fprintf(stderr, "usage: openloop HOST PORT RATE SECONDS CONNECTIONS PATHS_FILE [WARMUP_SECONDS]\n"); return 2; }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  rate = atof(argv[3]);
  double secs = atof(argv[4]), warm = argc > 7 ? atof(argv[7]) : 1.0;
  nconns = atoi(argv[5]);
  if (rate <= 0 || secs <= 0 || nconns < 1 || nconns > MAX_CONNS) { fprintf(stderr, "bad arguments\n"); return 2; }
  snprintf(host_header, sizeof host_header, "%s:%d", host, port);
  FILE *f = fopen(argv[6], "r");
  if (f == NULL) { perror(argv[6]); return 1; }
  size_t cap = 1024;
  paths = malloc(cap * sizeof *paths);
  char line[4000];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (line[0] == 0) continue;
    if (npaths == cap) paths = realloc(paths, (cap *= 2) * sizeof *paths);
    paths[npaths++] = strdup(line);
  }
  fclose(f);
  if (npaths == 0) { fprintf(stderr, "no paths\n"); return 1; }

  int ep = epoll_create1(0);
  conn_t *conns = calloc((size_t)nconns, sizeof *conns);
  for (int k = 0; k < nconns; k++) {
    conns[k].fd = connect_to(host, port);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)k };
    epoll_ctl(ep, EPOLL_CTL_ADD, conns[k].fd, &ev);
  }
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct epoll_event tev = { .events = EPOLLIN, .data.u32 = UINT32_MAX };
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);
  usleep(100000); /* connections established */

  t0 = now_ns();
  measure_from = t0 + (int64_t)(warm * 1e9);
  int64_t stop = measure_from + (int64_t)(secs * 1e9);
  /* Connection k's requests are k, k + nconns, ...: it sends its next one when that is due and it is idle. */
  for (int k = 0; k < nconns; k++) conns[k].queue_head = k;
  struct epoll_event evs[MAX_CONNS + 1];
  for (;;) {
    int64_t t = now_ns();
    int64_t earliest = INT64_MAX;
    int active = 0;
    for (int k = 0; k < nconns; k++) {
      conn_t *c = &conns[k];
      if (c->busy) { active = 1; continue; }
      int64_t d = due(c->queue_head);
      if (d >= stop) continue;
      active = 1;
      if (d <= t) {
        if (t - d > 1000000) late++;
        send_request(c, c->queue_head);
        c->queue_head += nconns;
      } else if (d < earliest) {
        earliest = d;
      }
    }
    if (!active) break;
    if (earliest != INT64_MAX) {
      struct itimerspec its = { 0 };
      its.it_value.tv_sec = earliest / 1000000000LL;
      its.it_value.tv_nsec = earliest % 1000000000LL;
      timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
    }
    int n = epoll_wait(ep, evs, MAX_CONNS + 1, 1000);
    for (int j = 0; j < n; j++) {
      uint32_t k = evs[j].data.u32;
      if (k == UINT32_MAX) { uint64_t x; ssize_t r = read(tfd, &x, sizeof x); (void)r; continue; }
      if (conns[k].busy) read_response(&conns[k]);
    }
  }
  /* Answers per second over the measured interval: the offered rate, or less when the server fell behind (the run then
     lasts until the backlog is answered). */
  double span = (double)(last_end - measure_from) / 1e9;
  double got = (double)measured / (span > secs ? span : secs);
  printf("requests=%lld rate=%.0f p50_us=%lld p90_us=%lld p99_us=%lld p999_us=%lld max_us=%lld errors=%lld late=%lld\n",
    (long long)measured, got, (long long)pct(0.5), (long long)pct(0.9), (long long)pct(0.99), (long long)pct(0.999),
    (long long)max_us, (long long)errors, (long long)late);
  return 0;
}

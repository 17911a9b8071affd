/* Echo runtime: the smallest Lambda custom runtime, to measure what the harness itself costs.
   One connection to $AWS_LAMBDA_RUNTIME_API; loops GET /next, POST the event back as the response. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 20];
static size_t have;

static int fill(int fd) {
    ssize_t n = read(fd, buf + have, sizeof buf - have);
    if (n <= 0) return -1;
    have += (size_t)n;
    return 0;
}

/* One response: the body goes to body (when it fits in cap), the request id to id. */
static long response(int fd, char *body, size_t cap, char *id, size_t idcap) {
    char *end;
    while (!(end = memmem(buf, have, "\r\n\r\n", 4)))
        if (fill(fd)) return -1;
    size_t head = (size_t)(end - buf) + 4;
    long length = 0;
    for (char *line = buf; line < end;) {
        char *eol = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
        if (!eol) break;
        if (!strncasecmp(line, "Content-Length:", 15)) length = strtol(line + 15, NULL, 10);
        if (id && !strncasecmp(line, "Lambda-Runtime-Aws-Request-Id:", 30)) {
            char *v = line + 30;
            while (*v == ' ') v++;
            size_t n = (size_t)(eol - v);
            if (n >= idcap) n = idcap - 1;
            memcpy(id, v, n);
            id[n] = 0;
        }
        line = eol + 2;
    }
    while (have < head + (size_t)length)
        if (fill(fd)) return -1;
    if (body && (size_t)length <= cap) memcpy(body, buf + head, (size_t)length);
    memmove(buf, buf + head + length, have - head - (size_t)length);
    have -= head + (size_t)length;
    return length;
}

static int send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api) return 2;
    char host[64];
    const char *colon = strrchr(api, ':');
    if (!colon || (size_t)(colon - api) >= sizeof host) return 2;
    memcpy(host, api, (size_t)(colon - api));
    host[colon - api] = 0;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr)) return 1;
    static char event[1 << 19], request[(1 << 19) + 512];
    char id[256] = "";
    for (;;) {
        static const char next[] = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n";
        if (send_all(fd, next, sizeof next - 1)) return 1;
        long n = response(fd, event, sizeof event, id, sizeof id);
        if (n < 0 || n > (long)sizeof event) return 1;
        int h = snprintf(request, 512, "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\n"
                         "Host: runtime\r\nContent-Type: application/json\r\nContent-Length: %ld\r\n\r\n", id, n);
        memcpy(request + h, event, (size_t)n);
        if (send_all(fd, request, (size_t)h + (size_t)n)) return 1;
        if (response(fd, NULL, 0, NULL, 0) < 0) return 1;
    }
}

/*
 * The floor: the least a Lambda custom runtime can do, in plain C with POSIX sockets.
 *
 * One HTTP/1.1 keep-alive connection to AWS_LAMBDA_RUNTIME_API; per invocation it GETs
 * /2018-06-01/runtime/invocation/next, reads Lambda-Runtime-Aws-Request-Id and the body, answers
 * the parity of the event's "number" field (a hand parse, no JSON library), and POSTs the result
 * to .../invocation/{id}/response. No logging, no error handling beyond reconnecting: anything a
 * real runtime does on top of this is overhead that bench/run attributes to that runtime.
 *
 *   cc -O2 -o bootstrap runtime.c
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

static char host[256];
static char port[16];
static int sock = -1;

/* Buffered reader over the connection. */
static char rbuf[65536];
static size_t rstart, rend;

static int connect_api(void) {
    struct addrinfo hints = {0}, *res;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    rstart = rend = 0;
    return fd;
}

static int write_all(const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(sock, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int fill(void) {
    if (rstart == rend) rstart = rend = 0;
    if (rend == sizeof rbuf) {
        memmove(rbuf, rbuf + rstart, rend - rstart);
        rend -= rstart;
        rstart = 0;
    }
    for (;;) {
        ssize_t n = read(sock, rbuf + rend, sizeof rbuf - rend);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        rend += (size_t)n;
        return 0;
    }
}

/* Reads one line (without CRLF) into line; returns its length or -1. */
static long read_line(char *line, size_t cap) {
    for (;;) {
        char *nl = memchr(rbuf + rstart, '\n', rend - rstart);
        if (nl) {
            size_t len = (size_t)(nl - (rbuf + rstart));
            size_t keep = len > 0 && nl[-1] == '\r' ? len - 1 : len;
            if (keep >= cap) keep = cap - 1;
            memcpy(line, rbuf + rstart, keep);
            line[keep] = 0;
            rstart += len + 1;
            return (long)keep;
        }
        if (fill() < 0) return -1;
    }
}

static int read_exact(char *out, size_t n) {
    while (n > 0) {
        if (rstart == rend && fill() < 0) return -1;
        size_t take = rend - rstart < n ? rend - rstart : n;
        memcpy(out, rbuf + rstart, take);
        rstart += take;
        out += take;
        n -= take;
    }
    return 0;
}

/* A chunked body (large events arrive so): size lines in hex, data, CRLF, until a 0 chunk. */
static int read_chunked(char **body, size_t *body_len) {
    char line[1024];
    size_t len = 0, cap = 65536;
    char *b = malloc(cap);
    if (!b) return -1;
    for (;;) {
        if (read_line(line, sizeof line) < 0) goto fail;
        size_t n = strtoul(line, NULL, 16);
        if (n == 0) break;
        if (len + n + 1 > cap) {
            while (len + n + 1 > cap) cap *= 2;
            char *grown = realloc(b, cap);
            if (!grown) goto fail;
            b = grown;
        }
        if (read_exact(b + len, n) < 0 || read_line(line, sizeof line) < 0) goto fail;
        len += n;
    }
    /* Trailers end with an empty line. */
    for (;;) {
        long n = read_line(line, sizeof line);
        if (n < 0) goto fail;
        if (n == 0) break;
    }
    b[len] = 0;
    *body = b;
    *body_len = len;
    return 0;
fail:
    free(b);
    return -1;
}

/* Reads a response's status line and headers, then its body (Content-Length) into a malloc'd
 * buffer. request_id receives Lambda-Runtime-Aws-Request-Id when present. */
static int read_response(int *status, char *request_id, size_t id_cap, char **body, size_t *body_len) {
    char line[8192];
    if (read_line(line, sizeof line) < 0) return -1;
    if (strncmp(line, "HTTP/1.", 7) != 0 || strlen(line) < 12) return -1;
    *status = atoi(line + 9);
    size_t length = 0;
    int chunked = 0;
    for (;;) {
        long n = read_line(line, sizeof line);
        if (n < 0) return -1;
        if (n == 0) break;
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = 0;
        char *value = colon + 1;
        while (*value == ' ' || *value == '\t') value++;
        if (strcasecmp(line, "Content-Length") == 0) length = strtoul(value, NULL, 10);
        else if (strcasecmp(line, "Transfer-Encoding") == 0 && strstr(value, "chunked")) chunked = 1;
        else if (request_id && strcasecmp(line, "Lambda-Runtime-Aws-Request-Id") == 0) {
            snprintf(request_id, id_cap, "%s", value);
        }
    }
    if (chunked) return read_chunked(body, body_len);
    char *b = malloc(length + 1);
    if (!b) return -1;
    if (read_exact(b, length) < 0) {
        free(b);
        return -1;
    }
    b[length] = 0;
    *body = b;
    *body_len = length;
    return 0;
}

/* The parity of the integer after "number": in a JSON object (also when it is a quoted string). */
static const char *parity(const char *body) {
    const char *p = strstr(body, "\"number\"");
    if (!p) return NULL;
    p += 8;
    while (isspace((unsigned char)*p) || *p == ':' || *p == '"') p++;
    long n = strtol(p, NULL, 10);
    return n % 2 == 0 ? "even" : "odd";
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api) {
        fprintf(stderr, "AWS_LAMBDA_RUNTIME_API is not set\n");
        return 1;
    }
    const char *colon = strrchr(api, ':');
    if (colon) {
        snprintf(host, sizeof host, "%.*s", (int)(colon - api), api);
        snprintf(port, sizeof port, "%s", colon + 1);
    } else {
        snprintf(host, sizeof host, "%s", api);
        snprintf(port, sizeof port, "80");
    }
    char request[1024], id[256], answer[64];
    for (;;) {
        if (sock < 0 && (sock = connect_api()) < 0) {
            usleep(1000);
            continue;
        }
        int len = snprintf(request, sizeof request,
                           "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", api);
        int status;
        char *body;
        size_t body_len;
        id[0] = 0;
        if (write_all(request, (size_t)len) < 0 || read_response(&status, id, sizeof id, &body, &body_len) < 0) {
            close(sock);
            sock = -1;
            continue;
        }
        const char *p = parity(body);
        free(body);
        int answer_len = p ? snprintf(answer, sizeof answer, "{\"parity\":\"%s\"}", p)
                           : snprintf(answer, sizeof answer, "{\"parity\":null}");
        len = snprintf(request, sizeof request,
                       "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: %s\r\n"
                       "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n",
                       id, api, answer_len);
        if (write_all(request, (size_t)len) < 0 || write_all(answer, (size_t)answer_len) < 0 ||
            read_response(&status, NULL, 0, &body, &body_len) < 0) {
            close(sock);
            sock = -1;
            continue;
        }
        free(body);
    }
}

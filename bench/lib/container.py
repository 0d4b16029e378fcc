"""The container cold start: `podman run` of an image to its first answer, fn beside the C floor.

Each image is `FROM scratch` in the layout of Lambda's provided:al2023 (the runtime as
/var/runtime/bootstrap, the handlers in /var/task, AWS's emulator as the entrypoint), as the tests'
ContainerTests build it. Nothing is pulled. podman runs with `--runtime runc` and CONTAINERS_CONF
naming a file with `[containers]` / `default_ulimits = []` (what these machines need).
"""

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

CONTAINERFILE = """FROM scratch
COPY aws-lambda-rie /usr/local/bin/aws-lambda-rie
COPY bootstrap /var/runtime/bootstrap
COPY task/ /var/task/
ENV LAMBDA_TASK_ROOT=/var/task
WORKDIR /var/task
ENTRYPOINT ["/usr/local/bin/aws-lambda-rie", "/var/runtime/bootstrap"]
CMD ["functions.parity"]
"""


def podman(args, conf, check=True):
    env = dict(os.environ, CONTAINERS_CONF=conf)
    result = subprocess.run(["podman", "--runtime", "runc"] + args, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    if check and result.returncode != 0:
        raise RuntimeError("podman %s: %s" % (" ".join(args), result.stdout.decode(errors="replace")[-2000:]))
    return result.stdout.decode(errors="replace")


def build_image(name, bootstrap, task_root, rie, conf):
    """Builds `name` from a static bootstrap and a task root; returns the image size in MiB."""
    context = tempfile.mkdtemp(prefix="fn-bench-image-")
    try:
        shutil.copy(rie, os.path.join(context, "aws-lambda-rie"))
        shutil.copy(bootstrap, os.path.join(context, "bootstrap"))
        shutil.copytree(task_root, os.path.join(context, "task"))
        with open(os.path.join(context, "Containerfile"), "w") as f:
            f.write(CONTAINERFILE)
        podman(["build", "-q", "-t", name, "-f", os.path.join(context, "Containerfile"), context], conf)
    finally:
        shutil.rmtree(context, ignore_errors=True)
    return int(podman(["image", "inspect", "--format", "{{.Size}}", name], conf).strip()) / (1 << 20)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cold_start_ms(name, event, expect, conf):
    """`podman run -d` to the first answer of the published invoke API, in ms."""
    port = free_port()
    container = "fn-bench-%d-%d" % (os.getpid(), port)
    start = time.perf_counter()
    podman(["run", "-d", "--name", container, "-p", "127.0.0.1:%d:8080" % port, name], conf)
    try:
        deadline = start + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", "/2015-03-31/functions/function/invocations", body=event)
                answer = conn.getresponse().read()
                conn.close()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                if time.perf_counter() > deadline:
                    raise RuntimeError("%s did not answer: %s" % (name, podman(["logs", container], conf, False)))
                time.sleep(0.002)
        elapsed = (time.perf_counter() - start) * 1000
    finally:
        podman(["rm", "-f", "-t", "0", container], conf, check=False)
    if answer.replace(b" ", b"") != expect:
        raise RuntimeError("%s answered %r, expected %r" % (name, answer, expect))
    return elapsed


def section(args, event, expect, log):
    """Rows: the container cold start (median of args.cold) and the image size, fn and C."""
    conf = os.path.join(args.out, "containers.conf")
    with open(conf, "w") as f:
        f.write("[containers]\ndefault_ulimits = []\n")
    handlers = os.path.join(args.root, "handlers")
    peers = [("fn", args.fn), ("C", os.path.join(args.out, "peers/c/bootstrap-static"))]
    cold, size = {}, {}
    for peer, bootstrap in peers:
        name = "localhost/fn-bench-%s" % peer.lower()
        try:
            size[peer] = build_image(name, bootstrap, handlers, args.rie, conf)
            cold_start_ms(name, event, expect, conf)  # uncounted: image layers into the page cache
            times = [cold_start_ms(name, event, expect, conf) for _ in range(args.cold)]
            cold[peer] = statistics.median(times)
            log("container %s: cold %s ms" % (peer, " ".join("%.0f" % t for t in times)))
        except (RuntimeError, OSError, ValueError) as error:
            log("container %s failed: %s" % (peer, error))
            cold[peer], size[peer] = "fail", "fail"
    return cold, size

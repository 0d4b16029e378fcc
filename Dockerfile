# fn on AWS Lambda: a static fn binary as the custom runtime's bootstrap, handlers in the task root.
#
#   docker build -t parity .
#   docker run -p 9000:8080 parity functions.parity
#   curl -X POST localhost:9000/2015-03-31/functions/function/invocations -d '{"number": 5}'
#
# BASE_IMAGE names the runtime stage's base; the tests point it at a local stand-in (see
# Tests/FnLambdaTests/ContainerTests.swift), since Lambda's base image cannot be pulled there.
ARG BASE_IMAGE=public.ecr.aws/lambda/provided:al2023

# Build stage: one static, stripped executable (no Foundation, no shared Swift runtime).
FROM swift:6.2-jammy AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
RUN swift build -c release --product fn -Xswiftc -static-executable \
    && install -D "$(swift build -c release --product fn --show-bin-path)/fn" /out/fn \
    && strip /out/fn

# A handler with a syntax error, an unknown function or an unassigned variable fails the image
# build here, not at the first invocation (`fn check` reads the code without running it).
COPY handlers ./handlers
RUN /out/fn check --strict handlers

# Runtime stage: Lambda's OS-only base image. Its entrypoint exports _HANDLER from CMD and execs
# /var/runtime/bootstrap (under the bundled emulator when run outside Lambda); fn started under
# the name "bootstrap" runs `fn runtime`.
FROM ${BASE_IMAGE}
COPY --from=build /out/fn /var/runtime/bootstrap
COPY handlers/ ${LAMBDA_TASK_ROOT}/
CMD ["functions.parity"]

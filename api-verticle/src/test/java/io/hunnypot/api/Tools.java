package io.hunnypot.api;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The real consumers of what Hunnypot serves (dig, rbldnsd, postmap, ...), run as an operator would run them. */
public final class Tools {

  /** What a command printed (stdout and stderr together) and how it exited. */
  public record Result(int exit, String output) {
  }

  private Tools() {
  }

  /** Whether {@code program} is on the PATH, or in /usr/sbin or /usr/local/sbin (not on every PATH). */
  public static boolean installed(String program) {
    return location(program).isPresent();
  }

  /** Runs the command to its end; answers what it printed, or fails with it if it exits non-zero. */
  public static String run(List<String> command) throws IOException, InterruptedException {
    Result result = result(command, Map.of());
    if (result.exit() != 0) {
      throw new IOException(command + " exited " + result.exit() + ": " + result.output());
    }
    return result.output();
  }

  /** Runs the command to its end with extra environment variables, its input empty. */
  public static Result result(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(resolve(command)).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(command + " still running 30 s after closing its output");
    }
    return new Result(process.exitValue(), output);
  }

  private static Optional<Path> location(String program) {
    return Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(":")),
            Stream.of("/usr/sbin", "/usr/local/sbin"))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, program))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static List<String> resolve(List<String> command) {
    return location(command.get(0))
        .map(path -> Stream.concat(Stream.of(path.toString()), command.stream().skip(1)).toList())
        .orElse(command);
  }
}

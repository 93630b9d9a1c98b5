package io.hunnypot.api.dnsbl;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real consumers of what Hunnypot serves, run as the operator would run them. */
final class Tools {

  private Tools() {
  }

  static boolean onPath(String program) {
    return List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)))
        || Files.isExecutable(Path.of("/usr/sbin", program));
  }

  /** Runs the command to its end; answers what it printed (stdout and stderr) or fails with it. */
  static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(command + " still running 30 s after closing its output");
    }
    if (process.exitValue() != 0) {
      throw new IOException(command + " exited " + process.exitValue() + ": " + output);
    }
    return output;
  }
}
